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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.search.analysis import Analyzer
from bot.core.search.documents import Document
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

    def __init__(self, documents: Sequence[Document], index: SearchIndex, analyzer: Analyzer) -> None:
        n = len(documents)
        self.n_docs = n
        notes: dict[str, int] = {}
        note_of: list[int] = []
        spans: list[tuple[int, int, str]] = []  # (first doc, end doc, the name's text)
        span_kinds: list[int] = []  # 0 a title, 1 a heading
        self._span_kinds = span_kinds
        title_start = 0
        open_sections: list[tuple[tuple[str, ...], int]] = []  # (heading path, first doc): the current section
        previous = None
        for i, doc in enumerate(documents):
            chunk = doc.chunk
            note_of.append(notes.setdefault(chunk.source, len(notes)))
            new_note = previous is not None and chunk.source != previous.chunk.source
            if new_note:
                if previous.title:
                    spans.append((title_start, i, previous.title))
                    span_kinds.append(0)
                title_start = i
            path = chunk.heading_path
            while open_sections and (new_note or path != open_sections[-1][0]):
                self._close(spans, documents, *open_sections.pop(), i)
            if path and (not open_sections or open_sections[-1][0] != path):
                open_sections.append((path, i))
            previous = doc
        if previous is not None and previous.title:
            spans.append((title_start, n, previous.title))
            span_kinds.append(0)
        while open_sections:
            self._close(spans, documents, *open_sections.pop(), n)
        self.note_of = np.array(note_of, dtype=np.int32)
        # analyse each distinct title or heading once, and stem all their words in one call
        words = {text: analyzer.words(text) for text in dict.fromkeys(text for _, _, text in spans)}
        vocabulary = list(dict.fromkeys(w for ws in words.values() for w in ws))
        stem_of = dict(zip(vocabulary, analyzer.stems(vocabulary))) if vocabulary else {}
        term_ids = index.term_ids
        terms_of = {text: list(dict.fromkeys(term_ids.get(stem_of[w], -1) for w in ws)) for text, ws in words.items()}
        kinds = [kind for (_, _, text), kind in zip(spans, span_kinds) if terms_of[text]]
        kept = [(a, b, terms_of[text]) for a, b, text in spans if terms_of[text]]
        self.lengths = np.array([len(t) for _, _, t in kept], dtype=np.float64)
        # each document lies in at most one title span and one heading span: their name ids, or
        # the last slot (no name, no bonus)
        none = len(kept)
        self.title_of = np.full(n, none, dtype=np.int64)
        self.section_of = np.full(n, none, dtype=np.int64)
        for j, (a, b, _) in enumerate(kept):
            (self.title_of if kinds[j] == 0 else self.section_of)[a:b] = j
        # each name's documents are one range (titles never overlap, nor do sections)
        self.starts = np.array([a for a, _, _ in kept], dtype=np.int64)
        self.ends = np.array([b for _, b, _ in kept], dtype=np.int64)
        self.is_title = np.array([kind == 0 for kind in kinds], dtype=bool)
        flat_terms = np.fromiter((t for _, _, ts in kept for t in ts), dtype=np.int64)
        flat_names = np.repeat(np.arange(len(kept), dtype=np.int64), self.lengths.astype(np.int64))
        known = flat_terms >= 0
        flat_terms, flat_names = flat_terms[known], flat_names[known]
        order = np.argsort(flat_terms, kind="stable")
        self.postings = flat_names[order]
        self.indptr = np.searchsorted(flat_terms[order], np.arange(len(term_ids) + 1)).tolist()

    def _close(self, spans: list[tuple[int, int, str]], documents: Sequence[Document], path: tuple[str, ...],
               start: int, end: int) -> None:
        """A heading names its section's chunks (a subsection has its own name: covering the
        subsections too scored 0.768 instead of 0.802 on the tuning half); a chunk that is only
        the heading line answers nothing, so the bonus starts after it."""
        chunk = documents[start].chunk
        if chunk.start_line == chunk.end_line and chunk.text.lstrip().startswith("#"):
            start += 1
        if start < end:
            spans.append((start, end, path[-1]))
            self._span_kinds.append(1)

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
        names = cls(index.documents, index, analyzer)
        index.name_arrays = {key: np.asarray(getattr(names, key)) for key in (*cls._ARRAYS, "indptr")}
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
        found = np.concatenate(ids) if len(ids) > 1 else ids[0]
        # only the names found, not a count over every name (sums in the same order: same values)
        names, inverse, counts = np.unique(found, return_inverse=True, return_counts=True)
        covered = np.bincount(inverse, weights=np.repeat(values, sizes), minlength=len(names))
        return names, covered, counts / self.lengths[names]

    def doc_bonus(self, weighted: Sequence[tuple[int, float]], idf: np.ndarray, total_idf: float,
                  params: RankParams) -> tuple[np.ndarray, np.ndarray] | None:
        """The documents with a name bonus (each once) and their bonuses, or None when no name
        matches. Only the matched names' documents are touched, not every document."""
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
        titles = self.is_title[names]
        in_titles = _ranges(self.starts[names[titles]], self.ends[names[titles]])
        in_sections = _ranges(self.starts[names[~titles]], self.ends[names[~titles]])
        matched = np.zeros(len(self.lengths) + 1, dtype=bool)
        matched[names] = True
        # a section's documents already in a matched title's range are counted once
        docs = np.concatenate((in_titles, in_sections[~matched[self.title_of[in_sections]]]))
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


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The integers of the ranges [start, end), concatenated."""
    sizes = ends - starts
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(sizes) - sizes
    return np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - before, sizes)
