"""The in-memory BM25 index: postings per term, so a query touches only chunks that match.

Built from `Document`s (chunks with analysed words). Stems are computed once per distinct word;
a chunk's heading and title words are repeated `heading_boost` times, a field boost that makes a
section titled "PersistentVolumeClaim" outrank passages that merely mention it. The scores are
exactly rank-bm25's over those token lists (see `scoring`).

An index is immutable once built: a reindex builds a new one and swaps it in whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.background import english_zipf, zipf
from bot.core.documents import Document
from bot.core.scoring import Bm25Params, absent_scores, idf, term_scores

StemFn = Callable[[list[str]], list[str]]
ENGLISH_FLOOR = 2.0  # Zipf of a word missing from the English list (it lists down to about 2.4)


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked chunk: its position in `SearchIndex.documents` and its score."""

    doc: int
    score: float


class SearchIndex:
    """Postings (term → chunks, precomputed BM25 contributions) over a list of documents."""

    def __init__(self, documents: Sequence[Document], stem: StemFn, params: Bm25Params) -> None:
        self.documents = list(documents)
        self.params = params
        surface_ids: dict[str, int] = {}
        flat: list[int] = []
        lengths = np.zeros(len(self.documents), dtype=np.int64)
        for i, doc in enumerate(self.documents):
            before = len(flat)
            flat.extend(surface_ids.setdefault(w, len(surface_ids)) for w in doc.body_words)
            heading = [surface_ids.setdefault(w, len(surface_ids)) for w in doc.heading_words]
            flat.extend(heading * params.heading_boost)
            lengths[i] = len(flat) - before
        self.surfaces: list[str] = list(surface_ids)
        stems = stem(self.surfaces)
        self.term_ids: dict[str, int] = {}
        surface_term = np.fromiter(
            (self.term_ids.setdefault(s, len(self.term_ids)) for s in stems),
            dtype=np.int64,
            count=len(stems),
        )
        self.surface_term = surface_term
        self.stems: list[str] = list(self.term_ids)
        self._surface_ids = surface_ids
        self.surface_counts = np.bincount(np.asarray(flat, dtype=np.int64), minlength=len(stems))
        self._build_postings(np.asarray(flat, dtype=np.int64), lengths)

    def _build_postings(self, flat_surfaces: np.ndarray, lengths: np.ndarray) -> None:
        n_docs, n_terms = len(self.documents), len(self.term_ids)
        self.doc_len = lengths
        self.avgdl = float(lengths.sum() / n_docs) if n_docs else 0.0
        terms = self.surface_term[flat_surfaces] if len(flat_surfaces) else flat_surfaces
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        keys, tf = np.unique(terms * max(n_docs, 1) + docs, return_counts=True)
        posting_terms, self.posting_docs = np.divmod(keys, max(n_docs, 1))
        self.df = np.bincount(posting_terms, minlength=n_terms)
        self.indptr = np.concatenate(([0], np.cumsum(self.df)))
        self.idf = idf(self.df, n_docs, self.params) if n_terms else np.zeros(0)
        self.absent = absent_scores(self.idf, self.params)
        self.posting_scores = term_scores(
            tf.astype(np.float64),
            lengths[self.posting_docs].astype(np.float64),
            self.avgdl,
            self.idf[posting_terms],
            self.params,
        )

    def __len__(self) -> int:
        return len(self.documents)

    def term(self, stem: str) -> int | None:
        """The term id of a stem, or None when no chunk contains it."""
        return self.term_ids.get(stem)

    def stem_of_surface(self, surface: str) -> str:
        """The stem a surface word was indexed under ("" if no chunk has the word)."""
        i = self._surface_ids.get(surface)
        return "" if i is None else self.stems[int(self.surface_term[i])]

    def specificity(self, term: int, word: str) -> float:
        """How much commoner `term` is in these notes than `word` is in English (Zipf units)."""
        if not hasattr(self, "_term_counts"):
            self._term_counts = np.bincount(self.surface_term, weights=self.surface_counts,
                                            minlength=len(self.term_ids))
            self._total_count = float(self.surface_counts.sum())
        english = english_zipf().get(word, ENGLISH_FLOOR)
        return zipf(float(self._term_counts[term]), self._total_count) - english

    def chunks_with(self, term: int) -> np.ndarray:
        """Sorted positions of the chunks that contain `term`."""
        return self.posting_docs[self.indptr[term] : self.indptr[term + 1]]

    def scores(self, stems: Sequence[str]) -> np.ndarray:
        """Every chunk's score for a plain token query, equal to rank-bm25's `get_scores`."""
        weighted = [(t, 1.0) for t in (self.term(s) for s in stems) if t is not None]
        acc, base = self._accumulate(weighted)
        return acc + base

    def top(self, weighted_terms: Sequence[tuple[int, float]], k: int) -> list[Hit]:
        """The k best chunks containing at least one term, best first; ties by position."""
        if not weighted_terms or k <= 0:
            return []
        acc, base = self._accumulate(weighted_terms)
        candidates = np.flatnonzero(acc)
        if len(candidates) > k:
            part = np.argpartition(-acc[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = np.lexsort((candidates, -acc[candidates]))
        return [Hit(int(d), float(acc[d] + base)) for d in candidates[order]]

    def _accumulate(self, weighted_terms: Sequence[tuple[int, float]]) -> tuple[np.ndarray, float]:
        acc = np.zeros(len(self.documents))
        base = 0.0
        for term, weight in weighted_terms:
            start, end = self.indptr[term], self.indptr[term + 1]
            acc[self.posting_docs[start:end]] += weight * self.posting_scores[start:end]
            base += weight * float(self.absent[term])
        return acc, base
