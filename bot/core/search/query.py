"""From a question to weighted index terms: exact words, synonyms, compounds and typos.

Each content word of the question is matched as written (its stem is in the index, weight 1),
and through synonym groups (`corpus/synonyms.yaml`; weight `synonym_weight`, shared by the words of
a multi-word phrase). Expansions are fallbacks, tried only for a word that matched nothing so far,
in this order (the first that finds anything wins):

1. the other number of an index word that stemming keeps apart (`cpu` → `cpus`, weight 1);
2. run together with its neighbour (`shell check` → `shellcheck`, weight `join_weight`), only if
   one of the two matched nothing as written: joining words that matched finds CamelCase names,
   URL slugs and ids (`pod priority` → `PodPriority`) rather than what was asked;
3. two index words run together (`shellcheck` → `shell check`, weight `split_weight` each);
4. a likely typo of index words (`hypervisor` → the notes' `hypervizor`), within an edit distance
   that grows with the word's length, the first letter assumed right (weight `fuzzy_weight`).
   Short words are never expanded.

`coverage` is the IDF-weighted share of the question's words that found something (typos count
half). Below `min_coverage` the question is off-topic and gets no passages: "how do I bake
sourdough bread" must not return notes because one word resembles something in them. A question
is also off-topic unless some word matched as written is specific to the notes (see
`english_frequency`) or it names a title or heading of the notes in full (`ranking.NameIndex`):
"how long should I boil an egg" shares "egg" with a large corpus, but "egg" is rarer there than in
English at large; "what is a Job" names the note titled "Jobs". *Specific* is calibrated on the
notes: at least as specific as `specificity_quantile` of the notes' own words are. Typo and split
matches count only for a question word that is not an everyday English word.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.core.search.analysis import Analyzer
from bot.core.search.english_frequency import english_zipf
from bot.core.search.index import SearchIndex
from bot.core.search.synonyms import SynonymTable

if TYPE_CHECKING:
    from bot.core.search.ranking import NameIndex


EVERYDAY_ZIPF = 3.0  # about once per million English words


@dataclass(frozen=True)
class QueryParams:
    """Weights and thresholds of query expansion (tuned on the evaluation set)."""

    synonym_weight: float = 0.8
    split_weight: float = 0.75
    join_weight: float = 0.3  # a bonus: camelCase words in the notes also match their parts
    fuzzy_weight: float = 0.5
    min_fuzzy_length: int = 6  # shorter words are never matched as typos
    two_edit_length: int = 9  # from this length, two edits are allowed
    min_coverage: float = 0.1
    specificity_quantile: float = 0.4  # some word matched as written must be at least as specific as this share of the notes' own words
    specificity_bounds: tuple[float, float] = (1.0, 1.5)  # ... within these bounds (tiny or one-topic notes skew the quantile)
    named_share: float = 0.5  # or a title/heading named in full covers this share of the question's IDF (see `_on_topic`)


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
    total_idf: float = 0.0  # IDF of all the question's words (unknown words at the highest IDF)

    @property
    def answerable(self) -> bool:
        return bool(self.terms)


class Vocabulary:
    """The index's surface words grouped by first letter and length, for typo matching.

    Like most spelling correctors, it assumes the first letter is right: that keeps the words
    to compare with a small fraction of the vocabulary.
    """

    def __init__(self, index: SearchIndex) -> None:
        self._index = index
        self._groups: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._counts: dict[str, int] = {}
        for word, count in zip(index.surfaces, index.surface_counts.tolist()):
            if count and len(word) >= 4 and not word.isdigit():
                self._groups[word[0], len(word)].append(word)
                self._counts[word] = count

    def near(self, word: str, max_distance: int, limit: int = 3) -> list[tuple[str, int]]:
        """Index words within `max_distance` edits (transpositions count one), closest and most
        frequent first."""
        found: list[tuple[str, int]] = []
        for n in range(len(word) - max_distance, len(word) + max_distance + 1):
            choices = self._groups.get((word[:1], n))
            if choices:
                found += [(m[0], int(m[1])) for m in
                          extract(word, choices, scorer=OSA.distance, score_cutoff=max_distance, limit=None)]
        found.sort(key=lambda m: (m[1], -self._counts[m[0]], m[0]))
        return found[:limit]

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
        names: "NameIndex | None" = None,
    ) -> None:
        self.index = index
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.params = params or QueryParams()
        self.names = names
        self.vocabulary = Vocabulary(index)
        self._unknown_idf = float(index.idf.max()) if len(index.idf) else 1.0

    def build(self, question: str) -> Query:
        words = self.analyzer.words(question)
        match = _Match(self, words, self.analyzer.stems(words) if words else [])
        for i, stem in enumerate(match.stems):
            match.add(i, stem, 1.0)
        self._add_synonyms(match)
        for i, word in enumerate(words):
            if match.quality[i] == 0.0:
                self._add_plural(match, i)
        exact = [t for t in match.weights]  # matched as written (or as the other number)
        # the weight of the words the notes contain (a name of two words or more must cover half)
        known_idf = sum(self._idf(s) for s, q in zip(match.stems, match.quality) if q)
        self._add_joined_pairs(match)
        for i, word in enumerate(words):
            if match.quality[i] == 0.0:
                self._add_split(match, i) or self._add_typos(match, i)
        coverage = self._coverage(match)
        terms = tuple(QueryTerm(t, s, w) for t, (s, w) in match.weights.items())
        unknown = tuple(w for w, q in zip(words, match.quality) if q == 0.0)
        total_idf = sum(self._idf(s) for s in match.stems)
        if coverage < self.params.min_coverage or not self._on_topic(match, exact, total_idf, known_idf):
            terms = ()
        return Query(tuple(words), terms, coverage, unknown, total_idf)

    def _on_topic(self, match: "_Match", exact: list[int], total_idf: float, known_idf: float) -> bool:
        """Some word matched as written is specific to the notes, or the question names a title
        or heading of the notes in full: one that covers `named_share` of the question's weight
        ("what is a Job" names "Jobs"), or one of two words or more that covers `named_share` of
        the weight of the question's words the notes contain (`known_idf`): "run a job every
        night at 2am" names "Running the Job", and the words the notes never use ("night",
        "2am") do not dilute it. Two question words that together make a heading are evidence;
        one everyday word that happens to be a heading is not ("what's the offside rule in
        soccer" names "Rules"). Leaving out the words the notes never use needs some word of the
        question at least as specific as the lowest bar: "get started with knitting" names
        "Getting started", but "get" and "started" are English first, and "knitting" is the
        question. Typo and split matches never count here."""
        low, high = self.params.specificity_bounds
        threshold = min(max(self.index.specificity_quantile(self.params.specificity_quantile), low), high)
        best = max(match.specificity, default=float("-inf"))
        if best >= threshold:
            return True
        if self.names is None:
            return False
        whole, known = self.names.named_shares(exact, self.index.idf, [(total_idf, 1), (known_idf, 2)])
        return whole >= self.params.named_share or (known >= self.params.named_share and best >= low)

    def _add_synonyms(self, match: "_Match") -> None:
        for found, other in self.synonyms.expansions(match.stems):
            other_terms = [self.index.term(s) for s in other]
            if any(t is None for t in other_terms):
                continue
            weight = self.params.synonym_weight / len(other)
            found_idf = sum(self._idf(s) for s in found if self.index.term(s) is not None)
            other_idf = sum(float(self.index.idf[t]) for t in other_terms) / len(other)
            if found_idf and other_idf > found_idf:
                weight *= found_idf / other_idf  # an expansion never outweighs the word asked
            for i in _positions(match.stems, found):
                for stem in other:
                    match.add(i, stem, weight, english=None)

    def _add_joined_pairs(self, match: "_Match") -> None:
        """Adjacent words run together, only where one of them matched nothing as written
        (`shell check` → `shellcheck`): joining words that matched would find CamelCase names,
        URL slugs and ids (`pod priority` → `podpriority`)."""
        words = match.words
        for i in range(len(words) - 1):
            if match.quality[i] and match.quality[i + 1]:
                continue
            stem = self.analyzer.stem(words[i] + words[i + 1])
            joined = words[i] + words[i + 1]
            if match.add(i, stem, self.params.join_weight, english=joined):
                match.add(i + 1, stem, self.params.join_weight, english=joined)

    def _add_plural(self, match: "_Match", i: int) -> bool:
        """Stemming keeps some plurals apart (`cpus`/`cpu`); try the other number."""
        word = match.words[i]
        other = word[:-1] if word.endswith("s") else word + "s"
        return len(other) > 1 and match.add(i, self.analyzer.stem(other), 1.0)

    def _add_split(self, match: "_Match", i: int) -> bool:
        word = match.words[i]
        if len(word) < 6 or not word.isalpha():
            return False
        for cut in range(3, len(word) - 2):
            left, right = self.analyzer.stems([word[:cut], word[cut:]])
            if self.index.term(left) is not None and self.index.term(right) is not None:
                judge = None if _everyday(word) else word
                match.add(i, left, self.params.split_weight, english=judge)
                match.add(i, right, self.params.split_weight, english=judge)
                return True
        return False

    def _add_typos(self, match: "_Match", i: int) -> bool:
        p, word = self.params, match.words[i]
        if len(word) < p.min_fuzzy_length or any(ch.isdigit() for ch in word):
            return False
        max_distance = 2 if len(word) >= p.two_edit_length else 1
        found = False
        for surface, distance in self.vocabulary.near(word, max_distance):
            stem = self.vocabulary.stem_of(surface)
            judge = None if _everyday(word) else surface
            found = match.add(i, stem, p.fuzzy_weight / distance, quality=0.5, english=judge) or found
        return found

    def _idf(self, stem: str) -> float:
        term = self.index.term(stem)
        return float(self.index.idf[term]) if term is not None else self._unknown_idf

    def _coverage(self, match: "_Match") -> float:
        idfs = [self._idf(s) for s in match.stems]
        total = sum(idfs)
        return sum(q * w for q, w in zip(match.quality, idfs)) / total if total > 0 else 0.0


class _Match:
    """The state of matching one question: term weights, and per question word its quality
    (1 found, 0.5 found as a typo, 0 not found) and how specific to the notes its match is."""

    def __init__(self, builder: QueryBuilder, words: list[str], stems: list[str]) -> None:
        self.builder = builder
        self.words = words
        self.stems = stems
        self.weights: dict[int, tuple[str, float]] = {}
        self.quality = [0.0] * len(words)
        self.specificity: list[float] = []

    def add(self, i: int, stem: str, weight: float, *, quality: float = 1.0, english: str | None = "") -> bool:
        """Search for `stem` on behalf of question word i; False if no chunk contains it.

        `english` is the word whose general-English frequency judges how specific the match is:
        the question's own word by default, the notes' spelling for a typo, None for a synonym.
        """
        index = self.builder.index
        term = index.term(stem)
        if term is None:
            return False
        if weight > self.weights.get(term, ("", 0.0))[1]:
            self.weights[term] = (stem, weight)
        self.quality[i] = max(self.quality[i], quality)
        if english is not None:
            self.specificity.append(index.specificity(term, english or self.words[i]))
        return True


def _everyday(word: str) -> bool:
    """An everyday English word is not a typo or a compound: matched as one (`invented` →
    `inverted`, `offside` → `off side`), it must not make a question look on-topic."""
    return english_zipf().get(word, 0.0) >= EVERYDAY_ZIPF


def _positions(stems: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [j for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == phrase
            for j in range(i, i + n)]


