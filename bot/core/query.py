"""From a question to weighted index terms: exact words, synonyms, compounds and typos.

Each content word of the question is matched in this order, and the first that finds anything
in the index wins:

1. its stem is in the index (weight 1);
2. a synonym group covers it (`corpus/synonyms.yaml`; weight `synonym_weight`, shared by the
   words of a multi-word phrase);
3. it is the other number of an index word that stemming keeps apart (`cpu` → `cpus`, weight 1);
4. it is two index words run together (`shellcheck` → `shell check`, weight `split_weight` each);
5. it is a likely typo of index words (`hypervisor` → the notes' `hypervizor`), within an edit
   distance that grows with the word's length (weight `fuzzy_weight`). Short words are never
   expanded, and neither are words the index knows.

Adjacent question words are also tried run together (`shell check` → `shellcheck`, weight
`join_weight`: one index word matching two question words is strong evidence).

`coverage` is the IDF-weighted share of the question's words that found something (typos count
half). Below `min_coverage` the question is off-topic and gets no passages: "how do I bake
sourdough bread" must not return notes because one word resembles something in them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.core.analysis import Analyzer
from bot.core.index import SearchIndex
from bot.core.synonyms import SynonymTable


@dataclass(frozen=True)
class QueryParams:
    """Weights and thresholds of query expansion (tuned on the evaluation set)."""

    synonym_weight: float = 0.8
    split_weight: float = 0.75
    join_weight: float = 1.5  # one index word that matches two question words
    fuzzy_weight: float = 0.5
    min_fuzzy_length: int = 6  # shorter words are never matched as typos
    two_edit_length: int = 9  # from this length, two edits are allowed
    min_coverage: float = 0.1


@dataclass(frozen=True)
class QueryTerm:
    term: int
    stem: str
    weight: float


@dataclass(frozen=True)
class Query:
    """What the index is asked: weighted terms, and how much of the question they cover."""

    words: tuple[str, ...]
    terms: tuple[QueryTerm, ...]
    coverage: float
    unknown: tuple[str, ...] = field(default=())  # words that matched nothing

    @property
    def answerable(self) -> bool:
        return bool(self.terms)


class Vocabulary:
    """The index's surface words grouped by length, for typo matching and suggestions."""

    def __init__(self, index: SearchIndex) -> None:
        self._index = index
        self._by_length: dict[int, list[int]] = defaultdict(list)
        for i, word in enumerate(index.surfaces):
            if len(word) >= 4 and not word.isdigit():
                self._by_length[len(word)].append(i)

    def near(self, word: str, max_distance: int, limit: int = 3) -> list[tuple[str, int]]:
        """Index words within `max_distance` edits (transpositions count one), closest first."""
        ids = [i for n in range(len(word) - max_distance, len(word) + max_distance + 1)
               for i in self._by_length.get(n, ())]
        if not ids:
            return []
        choices = [self._index.surfaces[i] for i in ids]
        found = extract(word, choices, scorer=OSA.distance, score_cutoff=max_distance, limit=None)
        counts = self._index.surface_counts
        ranked = sorted(found, key=lambda m: (m[1], -counts[ids[m[2]]], m[0]))
        return [(choice, int(distance)) for choice, distance, _ in ranked[:limit]]

    def stem_of(self, surface: str) -> str:
        """The stem an index word was indexed under."""
        return self._index.stem_of_surface(surface)


class QueryBuilder:
    """Builds `Query`s against one index; immutable, shared by all questions to that index."""

    def __init__(
        self,
        index: SearchIndex,
        analyzer: Analyzer,
        synonyms: SynonymTable,
        params: QueryParams | None = None,
    ) -> None:
        self.index = index
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.params = params or QueryParams()
        self.vocabulary = Vocabulary(index)
        self._unknown_idf = float(index.idf.max()) if len(index.idf) else 1.0

    def build(self, question: str) -> Query:
        words = self.analyzer.words(question)
        stems = self.analyzer.stems(words) if words else []
        weights: dict[int, tuple[str, float]] = {}
        quality = [0.0] * len(words)

        def add(stem: str, weight: float) -> bool:
            term = self.index.term(stem)
            if term is None:
                return False
            if weight > weights.get(term, ("", 0.0))[1]:
                weights[term] = (stem, weight)
            return True

        for i, stem in enumerate(stems):
            if add(stem, 1.0):
                quality[i] = 1.0
        self._add_synonyms(stems, quality, add)
        self._add_joined_pairs(words, quality, add)
        for i, word in enumerate(words):
            if quality[i] == 0.0:
                quality[i] = (self._add_plural(word, add) or self._add_split(word, add)
                              or self._add_typos(word, add))

        terms = tuple(QueryTerm(t, s, w) for t, (s, w) in weights.items())
        coverage = self._coverage(stems, quality)
        unknown = tuple(w for w, q in zip(words, quality) if q == 0.0)
        if coverage < self.params.min_coverage:
            terms = ()
        return Query(tuple(words), terms, coverage, unknown)

    def _add_synonyms(self, stems: list[str], quality: list[float], add) -> None:
        for found, other in self.synonyms.expansions(stems):
            weight = self.params.synonym_weight / len(other)
            if all(self.index.term(s) is not None for s in other):
                for s in other:
                    add(s, weight)
                for i in _positions(stems, found):
                    quality[i] = max(quality[i], 1.0)

    def _add_joined_pairs(self, words: list[str], quality: list[float], add) -> None:
        for i in range(len(words) - 1):
            if add(self.analyzer.stem(words[i] + words[i + 1]), self.params.join_weight):
                quality[i] = quality[i + 1] = 1.0

    def _add_plural(self, word: str, add) -> float:
        """Stemming keeps some plurals apart (`cpus`/`cpu`); try the other number."""
        other = word[:-1] if word.endswith("s") else word + "s"
        return 1.0 if len(other) > 1 and add(self.analyzer.stem(other), 1.0) else 0.0

    def _add_split(self, word: str, add) -> float:
        if len(word) < 6 or not word.isalpha():
            return 0.0
        for cut in range(3, len(word) - 2):
            left, right = self.analyzer.stems([word[:cut], word[cut:]])
            if self.index.term(left) is not None and self.index.term(right) is not None:
                add(left, self.params.split_weight)
                add(right, self.params.split_weight)
                return 1.0
        return 0.0

    def _add_typos(self, word: str, add) -> float:
        p = self.params
        if len(word) < p.min_fuzzy_length or any(ch.isdigit() for ch in word):
            return 0.0
        max_distance = 2 if len(word) >= p.two_edit_length else 1
        found = False
        for surface, distance in self.vocabulary.near(word, max_distance):
            found = add(self.vocabulary.stem_of(surface), p.fuzzy_weight / distance) or found
        return 0.5 if found else 0.0

    def _coverage(self, stems: list[str], quality: list[float]) -> float:
        if not stems:
            return 0.0
        idfs = []
        for stem in stems:
            term = self.index.term(stem)
            idfs.append(float(self.index.idf[term]) if term is not None else self._unknown_idf)
        total = sum(idfs)
        return sum(q * w for q, w in zip(quality, idfs)) / total if total > 0 else 0.0


def _positions(stems: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [j for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == phrase
            for j in range(i, i + n)]


