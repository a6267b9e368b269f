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
        self.note_of = np.zeros(n, dtype=np.int32)
        notes: dict[str, int] = {}
        title_terms: dict[str, list[int]] = {}
        names: list[tuple[int, int, list[int]]] = []  # (first doc, end doc, distinct term ids)
        run_title = run_section = 0
        for i, doc in enumerate(documents):
            chunk = doc.chunk
            self.note_of[i] = notes.setdefault(chunk.source, len(notes))
            if i == 0 or chunk.source != documents[i - 1].chunk.source:
                if i:
                    self._close_title(names, title_terms, documents[run_title].title, run_title, i, index, analyzer)
                run_title = i
            previous = documents[i - 1].chunk if i else None
            if previous is None or (chunk.source, chunk.heading_path) != (previous.source, previous.heading_path):
                if i:
                    self._close_section(names, documents[run_section], run_section, i, index, analyzer)
                run_section = i
        if n:
            self._close_title(names, title_terms, documents[run_title].title, run_title, n, index, analyzer)
            self._close_section(names, documents[run_section], run_section, n, index, analyzer)
        self.starts = np.array([s for s, _, _ in names], dtype=np.int64)
        self.ends = np.array([e for _, e, _ in names], dtype=np.int64)
        self.lengths = np.array([len(t) for _, _, t in names], dtype=np.float64)
        pairs = sorted((t, j) for j, (_, _, terms) in enumerate(names) for t in terms if t >= 0)
        n_terms = len(index.term_ids)
        posting_terms = np.array([t for t, _ in pairs], dtype=np.int64)
        self.postings = np.array([j for _, j in pairs], dtype=np.int64)
        self.indptr = np.searchsorted(posting_terms, np.arange(n_terms + 1)).tolist()
        self.n_docs = n

    @staticmethod
    def _terms(words: Sequence[str], index: SearchIndex, analyzer: Analyzer) -> list[int]:
        stems = dict.fromkeys(analyzer.stems(list(words))) if words else {}
        return [index.term_ids.get(s, -1) for s in stems]

    def _close_title(self, names, cache, title, start, end, index, analyzer) -> None:
        if not title:
            return
        terms = cache.get(title)
        if terms is None:
            terms = cache[title] = self._terms(analyzer.words(title), index, analyzer)
        if terms:
            names.append((start, end, terms))

    def _close_section(self, names, doc: Document, start, end, index, analyzer) -> None:
        """The section's own heading (analysed here: documents loaded with a snapshot come
        without their words)."""
        if doc.chunk.heading_path:
            terms = self._terms(analyzer.words(doc.chunk.heading_path[-1]), index, analyzer)
            if terms:
                names.append((start, end, terms))

    def match(self, weighted: Sequence[tuple[int, float]], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the names containing a query term: their ids, the IDF they cover (weighted) and
        their precision (share of the name's terms in the query)."""
        bounds, postings = self.indptr, self.postings
        ids, values = [], []
        for term, weight in weighted:
            found = postings[bounds[term] : bounds[term + 1]]
            if len(found):
                ids.append(found)
                values.append(np.full(len(found), weight * float(idf[term])))
        if not ids:
            empty = np.zeros(0)
            return empty.astype(np.int64), empty, empty
        names, inverse = np.unique(np.concatenate(ids), return_inverse=True)
        covered = np.bincount(inverse, weights=np.concatenate(values))
        precision = np.bincount(inverse) / self.lengths[names]
        return names, covered, precision

    def doc_bonus(self, weighted: Sequence[tuple[int, float]], idf: np.ndarray, total_idf: float,
                  params: RankParams) -> np.ndarray | None:
        """Each document's name bonus, or None when no name matches."""
        if params.title_bonus <= 0 or not self.n_docs:
            return None
        names, covered, precision = self.match(weighted, idf)
        if not len(names):
            return None
        bonus = params.title_bonus * covered * precision ** params.precision_power
        # a running sum spreads each name's bonus over its documents; a passage gets its note's
        # title bonus plus its section's heading bonus (the better of the two scored 0.768 instead
        # of 0.802 on the tuning half), capped
        delta = np.zeros(self.n_docs + 1)
        np.add.at(delta, self.starts[names], bonus)
        np.add.at(delta, self.ends[names], -bonus)
        return np.minimum(np.cumsum(delta[:-1]), params.title_bonus * total_idf)

    def named_share(self, terms: Sequence[int], idf: np.ndarray, total_idf: float) -> float:
        """The largest share of the question's IDF covered by a name the question names in full
        (every word of the title or heading is in the question)."""
        if total_idf <= 0:
            return 0.0
        names, covered, precision = self.match([(t, 1.0) for t in terms], idf)
        full = precision >= 1.0
        return float(covered[full].max()) / total_idf if full.any() else 0.0
