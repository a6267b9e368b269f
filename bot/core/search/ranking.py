"""Ranking notes as well as passages: a bounded bonus for named notes and sections, the best
passage per note, and results that show distinct notes first.

Why: repeating a note's title into every chunk (the old ×3 field boost) saturated BM25 (k1 = 2):
in nearly half of "what is X" questions over the Kubernetes docs the top ten scores were within
5 % of each other, and short, heading-dense generated pages won on length alone. Instead:

- **Names** are the note's title and each section's own heading. A name earns a bonus once,
  `title_bonus × (IDF of the question words it contains) × precision ** precision_power`, where
  precision is the share of the name's words that the question contains: "what is a Job" names
  the note titled "Jobs" fully; "Job with Pod-to-Pod Communication" only a third. A title's bonus
  goes to every passage of its note, a heading's to the passages of its section (each name once,
  never repeated into every chunk); a passage's bonus is capped at `title_bonus ×` the question's
  whole IDF, so it is bounded however many names match.
- **Notes** rank by their best passage. Results take each note's best passage in that order, and a
  note's second passage right after it when it scores at least `dominance ×` the next note's best
  (it clearly dominates); the remaining passages follow, best first, for deeper pages.
- **Near-duplicates** (word-set Jaccard ≥ 0.8 and scores within 25 %) are dropped, comparing each
  passage only with the last few kept ones of close score: linear, whatever the page depth.
- **Paging** is capped at `max_results` passages (`MAX_RESULTS`), so a deep offset costs no more
  than that.

`NameIndex` is built from the documents with the same term ids as the `SearchIndex`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.search.analysis import Analyzer
from bot.core.search.documents import Chunk, Document
from bot.core.search.index import SearchIndex


@dataclass(frozen=True)
class RankParams:
    """Note-level ranking (tuned on the tuning half of `bench/eval/k8s-notes.yaml`)."""

    title_bonus: float = 2.0
    precision_power: float = 1.0
    dominance: float = 1.5
    max_results: int = 100


class NameIndex:
    """Titles and section headings as small term sets, with the documents each one covers."""

    def __init__(self, documents: Sequence[Document], index: SearchIndex, analyzer: Analyzer,
                 known_stems: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """`known_stems`: the stems of names analysed before (a previous build's `name_stems`), so
        a one-file reindex analyses only the names it has not seen."""
        n = len(documents)
        self.n_docs = n
        chunks = [doc.chunk for doc in documents]
        sources = [chunk.source for chunk in chunks]
        notes: dict[str, int] = {}
        note_of = [notes.setdefault(source, len(notes)) for source in sources]
        spans: list[tuple[int, int, str, bool]] = []  # (first doc, end doc, the name's text, a title?)
        title_start = 0
        section: tuple[tuple[str, ...], int] | None = None  # (heading path, first doc): the current section
        for i, chunk in enumerate(chunks):
            new_note = i > 0 and sources[i] != sources[i - 1]
            if new_note:
                title = documents[i - 1].title
                if title:
                    spans.append((title_start, i, title, True))
                title_start = i
            path = chunk.heading_path
            if section is not None and (new_note or path != section[0]):
                _close_section(spans, chunks, section, i)
                section = None
            if path and section is None:
                section = (path, i)
        if n and documents[n - 1].title:
            spans.append((title_start, n, documents[n - 1].title, True))
        if section is not None:
            _close_section(spans, chunks, section, n)
        self.note_of = np.array(note_of, dtype=np.int32)
        # analyse each distinct title or heading once (or not at all if a previous build did),
        # and stem all their words in one call
        known = known_stems or {}
        texts = dict.fromkeys(text for _, _, text, _ in spans)
        words = {text: analyzer.words(text) for text in texts if text not in known}
        vocabulary = list(dict.fromkeys(w for ws in words.values() for w in ws))
        stem_of = dict(zip(vocabulary, analyzer.stems(vocabulary))) if vocabulary else {}
        self.name_stems = {text: known[text] if text in known else tuple(stem_of[w] for w in words[text])
                           for text in texts}
        term_ids = index.term_ids
        terms_of = {text: list(dict.fromkeys(term_ids.get(stem, -1) for stem in stems))
                    for text, stems in self.name_stems.items()}
        kept = [(a, b, terms_of[text], title) for a, b, text, title in spans if terms_of[text]]
        self.lengths = np.array([len(t) for _, _, t, _ in kept], dtype=np.float64)
        # each name's documents are one range (titles never overlap, nor do sections)
        self.starts = np.array([a for a, _, _, _ in kept], dtype=np.int64)
        self.ends = np.array([b for _, b, _, _ in kept], dtype=np.int64)
        self.is_title = np.array([title for _, _, _, title in kept], dtype=bool)
        # each document lies in at most one title span and one heading span: their name ids, or
        # the last slot (no name, no bonus)
        none = len(kept)
        self.title_of = np.full(n, none, dtype=np.int64)
        self.section_of = np.full(n, none, dtype=np.int64)
        for of, which in ((self.title_of, self.is_title), (self.section_of, ~self.is_title)):
            ids = np.flatnonzero(which)
            of[_ranges(self.starts[ids], self.ends[ids])] = np.repeat(ids, self.ends[ids] - self.starts[ids])
        flat_terms = np.fromiter((t for _, _, ts, _ in kept for t in ts), dtype=np.int64)
        flat_names = np.repeat(np.arange(len(kept), dtype=np.int64), self.lengths.astype(np.int64))
        known_terms = flat_terms >= 0
        flat_terms, flat_names = flat_terms[known_terms], flat_names[known_terms]
        order = np.argsort(flat_terms, kind="stable")
        self.postings = flat_names[order]
        self.indptr = np.searchsorted(flat_terms[order], np.arange(len(term_ids) + 1)).tolist()

    @classmethod
    def for_index(cls, index: SearchIndex, analyzer: Analyzer) -> "NameIndex":
        """The names of `index`'s documents: from its snapshot when it came from one, else built
        (and kept on the index, so its snapshot stores them)."""
        stored = getattr(index, "name_arrays", None)
        if stored and all(key in stored for key in cls._ARRAYS):  # else stored by older code: build
            names = cls.__new__(cls)
            names.n_docs = len(index)
            for key in cls._ARRAYS:
                setattr(names, key, stored[key])
            names.indptr = stored["indptr"].tolist()
            return names
        names = cls(index.documents, index, analyzer, getattr(index, "name_stems", None))
        index.name_arrays = {key: np.asarray(getattr(names, key)) for key in (*cls._ARRAYS, "indptr")}
        index.name_stems = names.name_stems  # for the next one-file update (`SearchIndex.updated`)
        return names

    _ARRAYS = ("note_of", "lengths", "postings", "title_of", "section_of", "starts", "ends", "is_title")

    def match(self, weighted: Sequence[tuple[int, float]], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the names containing a query term: their ids, the IDF they cover (weighted) and
        their precision (share of the name's terms in the query)."""
        bounds, postings = self.indptr, self.postings
        ids, sizes, values = [], [], []
        for term, weight in weighted:
            start, end = bounds[term], bounds[term + 1]
            if end > start:
                ids.append(postings[start:end])
                sizes.append(end - start)
                values.append(weight * float(idf[term]))
        if not ids:
            empty = np.zeros(0)
            return empty.astype(np.int64), empty, empty
        if len(ids) == 1:  # one term: its names, each once and in order (the common case)
            found = ids[0]
            return found, np.full(len(found), values[0]), 1.0 / self.lengths[found]
        found = np.concatenate(ids)
        size = len(self.lengths)
        counts = np.bincount(found, minlength=size)
        names = (counts != 0).nonzero()[0]  # a bool array's nonzero is ~5x an int array's
        covered = np.bincount(found, weights=np.repeat(values, sizes), minlength=size)[names]
        return names, covered, counts[names] / self.lengths[names]

    def doc_bonus(self, weighted: Sequence[tuple[int, float]], idf: np.ndarray, total_idf: float,
                  params: RankParams) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents with a name bonus and their bonuses, or None when no name matches. Only
        the matched names' documents are touched, not every document. A document whose title and
        section both match is listed twice, with the same bonus: `scores[docs] += bonus` adds it
        once, and removing the repeats would cost more than it saves."""
        if params.title_bonus <= 0 or not self.n_docs:
            return None
        names, covered, precision = self.match(weighted, idf)
        if not len(names):
            return None
        bonus = params.title_bonus * covered * precision ** params.precision_power
        # a passage gets its note's title bonus plus its section's heading bonus (the better of
        # the two scored 0.768 instead of 0.802 on the tuning half), capped
        per_name = np.zeros(len(self.lengths) + 1)  # the last slot: documents without a name
        per_name[names] = bonus
        docs = _ranges(self.starts[names], self.ends[names])
        values = np.minimum(per_name[self.title_of[docs]] + per_name[self.section_of[docs]],
                            params.title_bonus * total_idf)
        return docs, values

    def named_share(self, terms: Sequence[int], idf: np.ndarray, total_idf: float) -> float:
        """The largest share of the question's IDF covered by a name the question names in full
        (every word of the title or heading is in the question)."""
        if total_idf <= 0:
            return 0.0
        names, covered, precision = self.match([(t, 1.0) for t in terms], idf)
        full = precision >= 1.0
        return float(covered[full].max()) / total_idf if full.any() else 0.0


def _close_section(spans: list[tuple[int, int, str, bool]], chunks: Sequence[Chunk],
                   section: tuple[tuple[str, ...], int], end: int) -> None:
    """A heading names its section's chunks (a subsection has its own name: covering the
    subsections too scored 0.768 instead of 0.802 on the tuning half); a chunk that is only the
    heading line answers nothing, so the bonus starts after it."""
    path, start = section
    chunk = chunks[start]
    if chunk.start_line == chunk.end_line and chunk.text.lstrip().startswith("#"):
        start += 1
    if start < end:
        spans.append((start, end, path[-1], False))


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The integers of the ranges [start, end), concatenated."""
    sizes = ends - starts
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(sizes) - sizes
    return np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - before, sizes)
