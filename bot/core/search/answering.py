"""Answering a question: the best passages with where they came from, or suggestions.

`SearchEngine` is an immutable snapshot (index + query builder). Front-ends hold whichever engine
is current; a reindex builds a new engine and swaps it in, so a question asked during a reindex
is answered, whole, by the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.search.analysis import Analyzer
from bot.core.search.documents import Document
from bot.core.search.index import Hit, SearchIndex
from bot.core.search.query import Query, QueryBuilder, QueryParams
from bot.core.search.ranking import NameIndex, RankParams
from bot.core.search.synonyms import SynonymTable

NEAR_DUPLICATE_JACCARD = 0.8
NEAR_DUPLICATE_SCORE_GAP = 0.25  # near-duplicates' scores differ by less than this fraction
NEAR_DUPLICATE_WINDOW = 8  # kept passages compared with each new one: the last few of close score
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Passage:
    """One result: the chunk's source text and enough to cite and highlight it."""

    source: str
    heading: str | None
    start_line: int
    end_line: int
    score: float
    text: str
    matched: tuple[str, ...]  # words of `text` (or the heading) that matched, lower-case
    chunk_id: str
    title: str | None = None

    @property
    def citation(self) -> str:
        return f"{self.source}:{self.start_line}-{self.end_line}"

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "heading": self.heading,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "score": self.score,
            "text": self.text,
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class Answer:
    """The passages for a question (possibly none) and "did you mean" words when none."""

    question: str
    passages: tuple[Passage, ...]
    suggestions: tuple[str, ...] = ()
    has_more: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "results": [p.as_json() for p in self.passages],
            "suggestions": list(self.suggestions),
        }


class SearchEngine:
    """Answers questions from one index; cheap to call from any thread, never mutated."""

    def __init__(
        self,
        index: SearchIndex,
        analyzer: Analyzer,
        synonyms: SynonymTable,
        query_params: QueryParams | None = None,
        rank_params: RankParams | None = None,
    ) -> None:
        self.index = index
        self.analyzer = analyzer
        self.rank = rank_params or RankParams()
        self.names = NameIndex.for_index(index, analyzer)
        self.queries = QueryBuilder(index, analyzer, synonyms, query_params, self.names)
        self._word_sets: dict[int, frozenset[int]] = {}  # word ids, for near-duplicate checks, filled lazily

    @property
    def documents(self) -> list[Document]:
        return self.index.documents

    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        """The passages ranked `offset`..`offset+k-1` for `question` (see `ranking`: notes first,
        near-duplicates dropped), never past `max_results`."""
        query = self.queries.build(question)
        if not query.answerable:
            return Answer(question, (), self._suggestions(query))
        limit = self.rank.max_results
        offset = max(0, min(offset, limit))
        wanted = min(offset + max(k, 0), limit)
        terms = _weighted(query)
        scores, base = self.index.accumulate(terms)
        bonus = self.names.doc_bonus(terms, self.index.idf, query.total_idf, self.rank)
        if bonus is not None:
            docs, values = bonus
            scores[docs] += values  # only the named notes' and sections' chunks get a bonus
        candidates = (scores != 0).nonzero()[0]  # a bool array's nonzero is ~5x a float array's
        ranked = self._ranked(candidates, scores[candidates], wanted + 1)
        query_terms = np.zeros(len(self.index.stems), dtype=bool)
        query_terms[[t.term for t in query.terms]] = True
        passages = tuple(self._passage(hit, base, query_terms) for hit in ranked[offset:wanted])
        return Answer(question, passages, (), has_more=len(ranked) > wanted and wanted < limit)

    def _ranked(self, candidates: np.ndarray, scores: np.ndarray, wanted: int) -> list[Hit]:
        """The first `wanted` results: notes by their best passage, a dominating note's second
        passage beside its first, then the rest by score. Candidates are sorted a batch at a
        time, best first, and read only until `wanted` notes are settled; a next, larger batch
        (the candidates below the last) is sorted only if they did not give enough notes."""
        grouping = _Grouping(self, wanted)
        fetch = 8 * wanted + 32
        while True:
            n = len(candidates)
            if n > fetch:
                # the best `fetch` and every candidate tied with the last of them: sorted, they
                # are exactly the first of all candidates sorted, whichever ties a partition picks
                kth = np.partition(scores, n - fetch)[n - fetch]
                taken: np.ndarray | None = scores >= kth
                top = taken.nonzero()[0]
            else:
                taken, top = None, np.arange(n)
            # `candidates` ascend, so a stable sort leaves ties by position
            order = top[np.argsort(-scores[top], kind="stable")]
            docs = candidates[order]
            settled = grouping.read(docs.tolist(), scores[order].tolist(), self.names.note_of[docs].tolist())
            if settled or taken is None:
                return [Hit(doc, score) for doc, score in grouping.results()[:wanted]]
            below = ~taken
            candidates, scores = candidates[below], scores[below]
            fetch *= 4

    def completions(self, typed: str, limit: int = 25) -> list[str]:
        """Suggestions while a question is typed: matching headings, then completed key terms."""
        typed_lower = typed.strip().lower()
        headings = self._headings()
        found = [h for h in headings if h.lower().startswith(typed_lower)]
        found += [h for h in headings if typed_lower in h.lower() and h not in found]
        head, _, last = typed.rpartition(" ")
        if len(last) >= 2:
            found += [f"{head} {w}".strip() for w in self._terms_starting(last.lower())]
        return list(dict.fromkeys(f[:100] for f in found if f.lower() != typed_lower))[:limit]

    def _headings(self) -> list[str]:
        """Distinct section headings and note titles, the most frequent first."""
        if not hasattr(self, "_heading_list"):
            counts: dict[str, int] = {}
            for doc in self.index.documents:
                for name in (*doc.chunk.heading_path[-1:], doc.title):
                    if name:
                        counts[name] = counts.get(name, 0) + 1
            self._heading_list = sorted(counts, key=lambda h: (-counts[h], h))
        return self._heading_list

    def _terms_starting(self, prefix: str, limit: int = 10) -> list[str]:
        index = self.index
        matches = [i for i, w in enumerate(index.surfaces)
                   if w.startswith(prefix) and w != prefix and index.surface_counts[i]]
        matches.sort(key=lambda i: -index.surface_counts[i])
        return [index.surfaces[i] for i in matches[:limit]]

    def _near_duplicate(self, hit: tuple[int, float], kept: list[tuple[int, float]]) -> bool:
        """Word-set Jaccard ≥ 0.8 with a better kept hit (doc, score) of nearly equal score.
        Near-duplicates score nearly the same, so only the last `NEAR_DUPLICATE_WINDOW` kept hits
        are compared: the filter stays linear in the number of hits."""
        words = None
        doc, score = hit
        word_sets = self._word_sets
        for other, other_score in kept[-NEAR_DUPLICATE_WINDOW:]:
            if abs(score - other_score) > NEAR_DUPLICATE_SCORE_GAP * max(abs(score), abs(other_score)):
                continue  # scores not close: not a near-duplicate
            if words is None:
                words = self._word_set(doc)
            others = word_sets.get(other)  # a kept hit's set is cached: it was checked
            if others is None:
                others = self._word_set(other)
            a, b = len(words), len(others)
            # Jaccard ≤ |smaller| / |larger|: most pairs are told apart by their sizes alone
            if (a >= NEAR_DUPLICATE_JACCARD * b if a <= b else b >= NEAR_DUPLICATE_JACCARD * a) \
                    and _jaccard(words, others) >= NEAR_DUPLICATE_JACCARD:
                return True
        return False

    def _word_set(self, doc: int) -> frozenset[int]:
        """The chunk's distinct word ids (one id per word: the same Jaccard as over the words)."""
        cached = self._word_sets.get(doc)
        if cached is None:
            cached = self._word_sets[doc] = frozenset(self.index.word_ids(doc))
        return cached

    def _passage(self, hit: Hit, base: float, query_terms: np.ndarray) -> Passage:
        """`query_terms`: a flag per term, True for the query's; `base` what every chunk scores
        (BM25+'s absent-term constant), added so scores stay rank-bm25's."""
        doc = self.index.documents[hit.doc]
        chunk = doc.chunk
        return Passage(
            source=chunk.source,
            heading=chunk.heading,
            start_line=chunk.start_line,
            end_line=chunk.end_line,
            score=hit.score + base,
            text=chunk.text,
            matched=self.index.matched_words(hit.doc, query_terms),
            chunk_id=chunk.chunk_id,
            title=doc.title,
        )

    def _suggestions(self, query: Query) -> tuple[str, ...]:
        found: list[str] = []
        for word in query.unknown or query.words:
            if len(word) < 4 or word.isdigit():
                continue
            max_distance = 1 if len(word) <= 5 else 2
            for surface, _ in self.queries.vocabulary.near(word, max_distance, limit=2):
                if surface not in found and surface != word:
                    found.append(surface)
        return tuple(found[:MAX_SUGGESTIONS])


class _Grouping:
    """Hits read best first, grouped by note (`SearchEngine._ranked`). Once `wanted` + 1 notes
    are seen, the first `wanted` are settled: a note's second passage that dominates the next
    note scores more than that note's best, so it came before it. Hits are (doc, score) tuples
    here: a `Hit` is made only for the results shown."""

    def __init__(self, engine: SearchEngine, wanted: int) -> None:
        self.near_duplicate = engine._near_duplicate
        self.dominance = engine.rank.dominance
        self.wanted = wanted
        self.groups: dict[int, list[tuple[int, float]]] = {}
        self.kept: list[tuple[int, float]] = []  # the hits that may be shown on the first pages: a note's first two
        self.later: list[tuple[int, float]] = []  # a note's third passage and after: read only on deep pages, checked there

    def read(self, docs: list[int], scores: list[float], notes_of: list[int]) -> bool:
        """Read the next hits (`notes_of`: each hit's note); True once the results are settled."""
        groups, kept, later, near_duplicate, wanted = self.groups, self.kept, self.later, self.near_duplicate, self.wanted
        for doc, score, note in zip(docs, scores, notes_of):
            group = groups.get(note)
            if group is not None and len(group) >= 2:
                later.append((doc, score))
                continue
            hit = (doc, score)
            if kept and near_duplicate(hit, kept):
                continue
            kept.append(hit)
            if group is not None:
                group.append(hit)
                continue
            groups[note] = [hit]
            if len(groups) > wanted:
                return True
        return False

    def results(self) -> list[tuple[int, float]]:
        """The results, once settled or once every hit was read."""
        notes = list(self.groups.values())
        if len(notes) > self.wanted:  # the first `wanted` notes are settled; nothing after them is shown
            return self._shown(notes, [])
        # every candidate was read: the other passages follow, best first
        later = self.later
        results = self._shown(notes, later)
        later.sort(key=lambda h: (-h[1], h[0]))
        shown = list(results)
        for hit in later:
            if not self.near_duplicate(hit, shown):
                shown.append(hit)
                results.append(hit)
        return results

    def _shown(self, notes: list[list[tuple[int, float]]], rest: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Each of the first `wanted` notes' best passage, followed by its second when that
        dominates the next note's best; the second passages not shown go to `rest`."""
        results: list[tuple[int, float]] = []
        for j, passages in enumerate(notes[: self.wanted]):
            results.append(passages[0])
            next_best = notes[j + 1][0][1] if j + 1 < len(notes) else 0.0
            if len(passages) > 1:
                if passages[1][1] >= self.dominance * next_best:
                    results.append(passages[1])
                else:
                    rest.append(passages[1])
        return results


def _weighted(query: Query) -> list[tuple[int, float]]:
    return [(t.term, t.weight) for t in query.terms]


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)  # |a ∪ b| without building the union
