"""The in-memory BM25 index: postings per term, so a query touches only chunks that match.

Built from `Document`s (chunks with analysed words). Stems are computed once per distinct word.
A chunk's tokens are its body words (its heading line is part of its text), plus its heading words
`heading_boost` times — 0 by default: titles and headings now earn a bounded note-level bonus
instead (see `ranking`). The scores are exactly rank-bm25's over those token lists (see `scoring`).

An index is immutable once built: a reindex builds a new one and swaps it in whole.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from itertools import chain
from dataclasses import dataclass

import numpy as np

from bot.core.search.english_frequency import english_zipf, zipf
from bot.core.search.documents import Document
from bot.core.search.scoring import Bm25Params, absent_scores, idf, term_scores

StemFn = Callable[[list[str]], list[str]]
SNAPSHOT_FORMAT = 3
QUANTILE_WORDS = 5000  # the notes' most frequent words, over which specificity is calibrated
ENGLISH_FLOOR = 2.0
NUMBER_ZIPF = 9.0  # higher than any corpus frequency: a number alone is never specific  # Zipf of a word missing from the English list (it lists down to about 2.4)


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked chunk: its position in `SearchIndex.documents` and its score."""

    doc: int
    score: float


class SearchIndex:
    """Postings (term → chunks, precomputed BM25 contributions) over a list of documents."""

    # the titles and headings (`ranking.NameIndex`), built once per index and kept here so a
    # snapshot stores them (`name_arrays`) and a one-file update copies the unchanged notes'
    # (`previous_names`, `reused_from`: each document's position in the previous index, -1 if new)
    _english: np.ndarray | None = None  # per surface word: its English Zipf frequency, NaN until looked up
    name_index: object | None = None
    name_arrays: dict[str, np.ndarray] | None = None
    previous_names: object | None = None
    reused_from: np.ndarray | None = None

    def __init__(self, documents: Sequence[Document], stem: StemFn, params: Bm25Params,
                 tokens: Sequence[Sequence[str]] | None = None) -> None:
        """Index `documents`. Their tokens are their body words plus their heading words
        `heading_boost` times, unless given as `tokens` (one word sequence per document)."""
        self.documents = list(documents)
        self.params = params
        # per document, the word sequences to index (no concatenation: a copy of every token
        # list would add a fifth to the build's peak memory)
        parts: list[tuple[Sequence[str], ...]]
        if tokens is None:
            parts = [(d.body_words, d.heading_words * params.heading_boost) for d in self.documents]
        else:
            parts = [(t,) for t in tokens]
        self.surfaces: list[str] = sorted(set(chain.from_iterable(chain.from_iterable(parts))))
        self._surface_ids = {w: i for i, w in enumerate(self.surfaces)}
        lengths = np.fromiter((sum(map(len, p)) for p in parts), dtype=np.int64, count=len(parts))
        flat = np.fromiter(map(self._surface_ids.__getitem__, chain.from_iterable(chain.from_iterable(parts))),
                           dtype=np.int32, count=int(lengths.sum()))
        del parts, tokens
        self.term_ids: dict[str, int] = {}
        self.surface_term = np.fromiter(
            (self.term_ids.setdefault(s, len(self.term_ids)) for s in stem(self.surfaces)),
            dtype=np.int32,
            count=len(self.surfaces),
        )
        self.stems: list[str] = list(self.term_ids)
        self._finish(flat, lengths)

    @classmethod
    def updated(cls, previous: "SearchIndex", documents: Sequence[Document], stem: StemFn) -> "SearchIndex":
        """The index of `documents`, reusing `previous`'s word ids for the Document objects it
        already holds, so a one-file reindex maps only that file's words (the scores are exactly
        those of a fresh build). Words no chunk uses any more keep their ids, unused; once they
        are a quarter of the vocabulary, the index is built afresh instead."""
        index = cls.__new__(cls)
        index.documents, index.params = list(documents), previous.params
        index._surface_ids = dict(previous._surface_ids)
        position = {id(doc): i for i, doc in enumerate(previous.documents)}
        offsets, boost = previous._offsets, previous.params.heading_boost
        pieces = []
        reused_from = []  # each document's position in `previous`, -1 if new
        for doc in index.documents:
            j = position.get(id(doc))
            reused_from.append(-1 if j is None else j)
            if j is not None:
                pieces.append(previous._flat[offsets[j] : offsets[j + 1]])
            else:
                ids = index._surface_ids
                words = chain(doc.body_words, doc.heading_words * boost)
                pieces.append(np.array([ids.setdefault(w, len(ids)) for w in words], dtype=np.int32))
        flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        index.surfaces = list(index._surface_ids)
        new_surfaces = index.surfaces[len(previous.surfaces) :]
        index.term_ids = dict(previous.term_ids)
        added = [index.term_ids.setdefault(s, len(index.term_ids)) for s in stem(new_surfaces)]
        index.surface_term = np.concatenate((previous.surface_term, np.asarray(added, dtype=np.int32)))
        index.stems = list(index.term_ids)
        index._finish(flat, lengths)
        if int((index.surface_counts == 0).sum()) * 4 > len(index.surfaces):  # compact: build afresh
            return cls(index.documents, stem, index.params, [index.words_of(i) for i in range(len(index))])
        # the titles and headings of the unchanged notes are copied (`ranking.NameIndex.for_index`):
        # the term ids are the previous index's, new words added after them
        index._english = previous._english  # extended with NaN for the new words when first used
        index.previous_names = previous.name_index
        index.reused_from = np.array(reused_from, dtype=np.int64)
        return index

    def _finish(self, flat: np.ndarray, lengths: np.ndarray) -> None:
        """Counts and postings from the chunks' word ids (`flat`, `lengths` words per chunk)."""
        self._flat = flat
        self._offsets = np.concatenate(([0], np.cumsum(lengths)))
        self.surface_counts = np.bincount(flat, minlength=len(self.surfaces))
        self._build_postings(flat, lengths)

    def _build_postings(self, flat: np.ndarray, lengths: np.ndarray) -> None:
        """CSR postings: for each term, the sorted chunks containing it and their scores.

        Every step works in place or frees its input first: the (term, chunk) keys, one per token,
        are the build's peak memory, so no second token-sized array is made beside them."""
        n_docs, n_terms = len(self.documents), len(self.term_ids)
        self.doc_len = lengths
        self.avgdl = float(lengths.sum() / n_docs) if n_docs else 0.0
        keys = self.surface_term[flat].astype(np.int64)  # term × n_docs + chunk, sorted
        keys *= max(n_docs, 1)
        keys += np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        keys.sort()
        first = np.empty(len(keys), dtype=bool)  # where a new (term, chunk) pair begins
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        del first
        tf = np.diff(np.append(starts, len(keys))).astype(np.float64)
        posting_terms, posting_docs = np.divmod(keys[starts], max(n_docs, 1))
        del keys, starts
        self.posting_docs = posting_docs.astype(np.int32)
        del posting_docs
        self.df = np.bincount(posting_terms, minlength=n_terms)
        self.indptr = np.concatenate(([0], np.cumsum(self.df)))
        self.idf = idf(self.df, n_docs, self.params) if n_terms else np.zeros(0)
        self.absent = absent_scores(self.idf, self.params)
        self._lists()
        term_idf = self.idf[posting_terms]
        del posting_terms
        self.posting_scores = term_scores(
            tf,
            lengths.astype(np.float64)[self.posting_docs],
            self.avgdl,
            term_idf,
            self.params,
        )

    _ARRAYS = ("surface_term", "surface_counts", "doc_len", "posting_docs", "posting_scores",
               "df", "indptr", "idf", "absent", "_flat", "_offsets")

    def snapshot(self) -> bytes:
        """The built index as bytes (numpy .npz), to store beside the documents."""
        buffer = io.BytesIO()
        meta = json.dumps({"format": SNAPSHOT_FORMAT, "params": self.params.as_dict(),
                           "documents": len(self.documents), "avgdl": self.avgdl})
        names = {f"names_{k}": v for k, v in (self.name_arrays or {}).items()}
        np.savez(buffer, meta=_text(meta), surfaces=_text("\n".join(self.surfaces)),
                 stems=_text("\n".join(self.stems)), **{name: getattr(self, name) for name in self._ARRAYS}, **names)
        return buffer.getvalue()

    @classmethod
    def from_snapshot(cls, documents: Sequence[Document], data: bytes, params: Bm25Params) -> "SearchIndex | None":
        """The index a `snapshot` describes, or None if it was made for other documents or
        parameters (the caller then builds the index afresh)."""
        try:
            arrays = np.load(io.BytesIO(data), allow_pickle=False)
            meta = json.loads(_untext(arrays["meta"]))
        except (OSError, ValueError, KeyError):
            return None
        if (meta.get("format") != SNAPSHOT_FORMAT or meta.get("params") != params.as_dict()
                or meta.get("documents") != len(documents)):
            return None
        index = cls.__new__(cls)
        index.documents, index.params, index.avgdl = list(documents), params, float(meta["avgdl"])
        index.surfaces = _untext(arrays["surfaces"]).split("\n") if len(arrays["surfaces"]) else []
        index.stems = _untext(arrays["stems"]).split("\n") if len(arrays["stems"]) else []
        for name in cls._ARRAYS:
            setattr(index, name, arrays[name])
        index._surface_ids = {w: i for i, w in enumerate(index.surfaces)}
        index.term_ids = {w: i for i, w in enumerate(index.stems)}
        stored = {k.removeprefix("names_"): arrays[k] for k in arrays.files if k.startswith("names_")}
        index.name_arrays = stored or None  # `ranking.NameIndex`, so a start need not analyse titles
        index._lists()
        return index

    def _lists(self) -> None:
        """Plain-list copies of what every query reads per term (numpy scalars are slower)."""
        self._bounds: list[int] = self.indptr.tolist()
        self._absent: list[float] = self.absent.tolist()

    def __len__(self) -> int:
        return len(self.documents)

    def term(self, stem: str) -> int | None:
        """The term id of a stem, or None when no chunk contains it."""
        term = self.term_ids.get(stem)
        return term if term is not None and self.df[term] else None

    def words_of(self, doc: int) -> list[str]:
        """The words document `doc` was indexed with (body, then heading words repeated)."""
        ids = self._flat[self._offsets[doc] : self._offsets[doc + 1]]
        return [self.surfaces[i] for i in ids.tolist()]

    def stem_of_surface(self, surface: str) -> str:
        """The stem a surface word was indexed under ("" if no chunk has the word)."""
        i = self._surface_ids.get(surface)
        return "" if i is None else self.stems[int(self.surface_term[i])]

    def specificity(self, term: int, word: str) -> float:
        """How much commoner `term` is in these notes than `word` is in English (Zipf units)."""
        self._count_terms()
        # numbers (years, ports, versions) are everywhere; they never make a question on-topic
        english = NUMBER_ZIPF if word.replace(".", "").isdigit() else english_zipf().get(word, ENGLISH_FLOOR)
        return zipf(float(self._term_counts[term]), self._total_count) - english

    def specificity_quantile(self, q: float) -> float:
        """The specificity that a share `q` of the notes' own words (counted per occurrence, numbers
        left out) stays below: what "specific to these notes" means is calibrated on the notes."""
        cached = self._quantiles.get(q) if hasattr(self, "_quantiles") else None
        if cached is not None:
            return cached
        self._count_terms()
        # the most frequent words carry nearly all occurrences: looking up only those keeps this cheap
        frequent = _most_frequent(self.surface_counts, QUANTILE_WORDS)
        english = self._english_zipf(frequent)
        keep = (self.surface_counts[frequent] > 0) & ~np.isinf(english)  # numbers left out
        ids = frequent[keep]
        if not len(ids):
            return 0.0
        counts = self.surface_counts[ids].astype(np.float64)
        notes = np.log10(self._term_counts[self.surface_term[ids]] / self._total_count * 1e9)
        specs = notes - english[keep]
        order = np.argsort(specs, kind="stable")
        cumulative = np.cumsum(counts[order]) / counts.sum()
        value = float(specs[order][min(np.searchsorted(cumulative, q), len(order) - 1)])
        if not hasattr(self, "_quantiles"):
            self._quantiles: dict[float, float] = {}
        self._quantiles[q] = value
        return value

    def _english_zipf(self, ids: np.ndarray) -> np.ndarray:
        """The English Zipf frequency of surface words `ids` (inf for numbers), looked up once per
        word and carried to the updated index (`updated`), whose surfaces keep their ids."""
        if self._english is None or len(self._english) < len(self.surfaces):
            known = self._english if self._english is not None else np.zeros(0)
            self._english = np.concatenate((known, np.full(len(self.surfaces) - len(known), np.nan)))
        values = self._english[ids]
        missing = np.isnan(values)
        if missing.any():
            table, surfaces = english_zipf(), self.surfaces
            found = [np.inf if surfaces[i].replace(".", "").isdigit() else table.get(surfaces[i], ENGLISH_FLOOR)
                     for i in ids[missing].tolist()]
            values[missing] = found
            self._english[ids[missing]] = found
        return values

    def _count_terms(self) -> None:
        if not hasattr(self, "_term_counts"):
            self._term_counts = np.bincount(self.surface_term, weights=self.surface_counts,
                                            minlength=len(self.term_ids))
            self._total_count = float(self.surface_counts.sum())

    def chunks_with(self, term: int) -> np.ndarray:
        """Sorted positions of the chunks that contain `term`."""
        return self.posting_docs[self.indptr[term] : self.indptr[term + 1]]

    def scores(self, stems: Sequence[str]) -> np.ndarray:
        """Every chunk's score for a plain token query, equal to rank-bm25's `get_scores`."""
        weighted = [(t, 1.0) for t in (self.term(s) for s in stems) if t is not None]
        acc, base = self.accumulate(weighted)
        return acc + base

    def top(self, weighted_terms: Sequence[tuple[int, float]], k: int) -> list[Hit]:
        """The k best chunks containing at least one term, best first; ties by position."""
        if not weighted_terms or k <= 0:
            return []
        acc, base = self.accumulate(weighted_terms)
        candidates = (acc != 0).nonzero()[0]
        scores = acc[candidates]
        if len(candidates) > k:
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            keep = scores >= kth  # ties at the k-th score are all kept, so ties go by position
            candidates, scores = candidates[keep], scores[keep]
        order = np.lexsort((candidates, -scores))[:k]
        return [Hit(d, s + base) for d, s in zip(candidates[order].tolist(), scores[order].tolist())]

    def accumulate(self, weighted_terms: Sequence[tuple[int, float]]) -> tuple[np.ndarray, float]:
        """Every chunk's score less `base`, and `base`: what a chunk without any of the terms
        scores (non-zero for BM25+ only)."""
        bounds, docs, scores, absent = self._bounds, self.posting_docs, self.posting_scores, self._absent
        base = 0.0
        found, contributions = [], []
        for term, weight in weighted_terms:
            start, end = bounds[term], bounds[term + 1]
            found.append(docs[start:end])
            contributions.append(scores[start:end] if weight == 1.0 else scores[start:end] * weight)
            base += weight * absent[term]
        if not found:
            return np.zeros(len(self.documents)), base
        # one pass over the terms' postings: bincount adds each chunk's contributions in term
        # order, starting from 0.0, exactly as adding term after term into a zero array would
        # (about half the time of one fancy-index add per term)
        acc = np.bincount(np.concatenate(found), weights=np.concatenate(contributions), minlength=len(self.documents))
        return acc, base

    def matched_words(self, doc: int, query_terms: np.ndarray) -> tuple[str, ...]:
        """The distinct words of document `doc` (first occurrence first) indexed under a term
        marked True in `query_terms` (one flag per term): what a passage highlights."""
        ids = self._flat[self._offsets[doc] : self._offsets[doc + 1]]
        found = ids[query_terms[self.surface_term[ids]]]
        return tuple(self.surfaces[i] for i in dict.fromkeys(found.tolist()))

    def word_ids(self, doc: int) -> list[int]:
        """The word ids of document `doc` (one per token, as `words_of`, without making strings)."""
        return self._flat[self._offsets[doc] : self._offsets[doc + 1]].tolist()


def _most_frequent(counts: np.ndarray, k: int) -> np.ndarray:
    """The positions of the k largest counts, largest first, ties by position: the first k of a
    stable argsort of `-counts`, without sorting them all."""
    n = len(counts)
    if n <= k:
        return np.argsort(-counts, kind="stable")
    kth = np.partition(counts, n - k)[n - k]  # the k-th largest count
    above = np.flatnonzero(counts > kth)
    chosen = np.concatenate((above, np.flatnonzero(counts == kth)[: k - len(above)]))
    return chosen[np.lexsort((chosen, -counts[chosen]))]


def _text(value: str) -> np.ndarray:
    return np.frombuffer(value.encode("utf-8"), dtype=np.uint8)


def _untext(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")
