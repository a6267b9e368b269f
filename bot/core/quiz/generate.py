"""Questions generated from one indexed passage, with no language model.

Two kinds, both with four choices:

* cloze: a sentence of the passage with its most salient key term blanked (`____`);
* definition: from the notes' own "X is Y", "X - Y", "X: Y", "X means Y": "Which of these is Y?"
  (choices: terms) when X is one key term, else "What is X?" (choices: descriptions).

A candidate is kept only if it passes every check, cheapest first: the sentence stands alone
(see `terms`), the answer is a salient term of the notes and appears in the passage, it is not
visible in the question (nor a synonym of it), the bot's own search asked the question ranks the
passage in its top 3 (a question the notes cannot answer is no question), and three distractors
of the answer's kind are found. Distractors come from the passages that search returns for the
question — the same field, so plausible — and must differ from the answer and from each other
after normalisation, not be synonyms of the answer, and not appear in the question.

Everything is a function of the index, the passage and the seed: the same notes give the same
questions, and the choices are shuffled by a generator seeded with the question's id.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.core.quiz.questions import BLANK, Question, question_id_for
from bot.core.quiz.terms import (
    Definition,
    PassageTerms,
    Sentence,
    Term,
    META,
    TOKEN,
    term_of,
    analyse_passage,
    english,
    normalise,
)
from bot.core.search.answering import SearchEngine
from bot.core.search.documents import Document
from bot.core.search.english_frequency import english_zipf
from bot.core.search.synonyms import SynonymTable

CHOICES = 4
SMALL_CORPUS = 50  # passages
_COMPATIBLE = {(a, b) for group in (("capital", "lower"), ("joined", "lower"))
               for a in group for b in group}  # shapes a product name may take
EVERYDAY_ZIPF = 3.0
_SOFTWARE_WORDS = ("store storage runtime daemon server service node cluster container image registry database "
                   "engine driver plugin tool command cli api network proxy scheduler controller manager system "
                   "platform kernel disk file secret config version install deploy source code repository git "
                   "virtualization virtual machine os linux windows package library framework")  # an English word at least this common is an everyday word, even capitalised
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}|<[^>]*>")
_NOT_NOUN = ("ing", "ed", "ly", "ive", "al", "ous", "ful", "able", "ible", "ic")
_FIRST_WORD = re.compile(r"(?:^|[.!?:]\s+|\n)\s*(?:[-*+]\s+|\d+[.)]\s+|#+\s+)?([A-Z][a-z]+)\b")
MAX_CHOICE_WORDS = 16


@dataclass(frozen=True)
class GenerationParams:
    """How many questions to try and keep per passage, and the seed of every random choice."""

    seed: int = 0
    max_per_passage: int = 8  # questions kept from one passage
    max_checks_per_passage: int = 12  # searches spent on one passage's candidates
    per_sentence: int = 2  # questions kept from one sentence: two terms blanked, or one definition asked both ways
    top_k: int = 3  # the source passage must rank this high for the question
    related: int = 8  # passages searched for distractors
    min_salience: float = 0.35  # 0..1: a blanked term at least this key to its passage


@dataclass(frozen=True)
class _Candidate:
    kind: str
    prompt: str
    answer: str
    answer_kind: str  # a TermKind, or "meaning" for a description
    salience: float
    sentence: str
    definition: Definition | None = None


class QuestionGenerator:
    """Makes questions from the passages of one search engine (one version of the index)."""

    def __init__(self, engine: SearchEngine, synonyms: SynonymTable, params: GenerationParams | None = None) -> None:
        self.engine = engine
        self.index = engine.index
        self.analyzer = engine.analyzer
        self.synonyms = synonyms
        self.params = params or GenerationParams()
        self._passages: dict[str, PassageTerms] = {}
        self._tokens: dict[int, list[Term]] = {}
        n = len(self.index.documents)
        self._position = {d.chunk.chunk_id: i for i, d in enumerate(self.index.documents)}
        self._max_idf = max(float(self.index.idf.max()), 1e-9) if n else 1.0
        # a term in half the passages (a tenth of a large corpus) is what the notes are about, not a key to one passage
        self._max_df = max(2, n // 2) if n < 100 else n // 10

    def passage_terms(self, doc: Document) -> PassageTerms:
        found = self._passages.get(doc.chunk.chunk_id)
        if found is None:
            found = self._passages[doc.chunk.chunk_id] = analyse_passage(doc.chunk.text)
        return found

    def generate(self, doc: Document) -> list[Question]:
        """The questions of one passage that pass every check, best first."""
        passage = self.passage_terms(doc)
        candidates = sorted(self._candidates(passage), key=lambda c: -c.salience)
        questions: list[Question] = []
        asked: dict[tuple[str, str], int] = {}  # questions kept per sentence (and defined term)
        checks = 0
        for candidate in candidates:
            if len(questions) >= self.params.max_per_passage or checks >= self.params.max_checks_per_passage:
                break
            key = (candidate.sentence, candidate.definition.term if candidate.definition else "")
            if asked.get(key, 0) >= self.params.per_sentence:
                continue  # a sentence at most twice: two terms blanked, or a definition asked both ways
            checks += 1
            question = self._finish(candidate, doc)
            if question is not None:
                questions.append(question)
                asked[key] = asked.get(key, 0) + 1
        return questions

    # candidates ---------------------------------------------------------------------------

    def _candidates(self, passage: PassageTerms) -> Iterable[_Candidate]:
        defined = {normalise(d.sentence): normalise(d.term) for d in passage.definitions}
        for definition in passage.definitions:
            yield from self._definition(definition)
        for sentence in passage.sentences:
            term = defined.get(normalise(sentence.text))
            for candidate in self._clozes(sentence):
                if term is None or normalise(candidate.answer) != term:
                    yield candidate  # a defined term is asked by its definition, the sentence's other terms blanked

    def _clozes(self, sentence: Sentence) -> list[_Candidate]:
        """Up to two candidates per sentence, its most salient terms blanked (both may be kept)."""
        if len(TOKEN.findall(sentence.text)) < 6:
            return []
        keys = [t.key for t, _ in sentence.terms]
        found: list[tuple[float, Term, tuple[int, int]]] = []
        for term, span in sentence.terms:
            if term.shape == "capital" and (span[0] == 0 or english(term.text) >= EVERYDAY_ZIPF):
                continue  # "Kubeadm" opening a sentence, "Routes": whether it is a name is unclear
            if term.shape == "lower" and term.key.endswith(("ed", "ing", "s", "able", "ible", "ion")):
                continue  # "preempted", "pluggable": a word of prose more than a name
            if term.shape == "lower" and self._count(term) < 2 and not set(self._stems(sentence.text)) & _SOFTWARE_STEMS:
                continue  # "the DevOps kumbaya moment": a word seen once, in no sentence about software
            if term.kind == "word" or keys.count(term.key) > 1 or self._adjacent_name(sentence.text, span):
                continue  # an everyday word blanked is guessed from grammar; its distractors would not fit
            if not _free_standing(sentence.text, span) or _in_parentheses(sentence.text, span):
                continue
            salience = self.salience(term)
            if salience >= self.params.min_salience:
                found.append((salience, term, span))
        found.sort(key=lambda f: -f[0])
        candidates = []
        for salience, term, (start, end) in found[:2]:
            before = sentence.text[:start]
            before = re.sub(r"\b([Aa])n?\s+$", lambda m: f"{m.group(1)}(n) ", before)  # "an ____" gives it away
            prompt = _sentence_case(before + BLANK + sentence.text[end:])
            candidates.append(_Candidate("cloze", prompt, term.text, term.kind, salience, sentence.text))
        return candidates

    def _definition(self, definition: Definition) -> list[_Candidate]:
        """"Which of these is Y?" (choices: terms) and "What is X?" (choices: descriptions) when X
        is one key term: two questions, and the second still asks the fact when X's kind has no
        three distractors (a web address among few others); only "What is X?" otherwise, and when
        Y spells X out ("OCI": "Open container initiative")."""
        words = definition.term.split()
        meaning = definition.meaning
        if len(meaning.split()) > MAX_CHOICE_WORDS:
            return []
        what_is = f"What is {_article(definition.term, meaning)}{definition.term}?"
        if len(words) == 1:
            term = term_of(words[0], False, False)
            if term is None or term.kind == "word":
                return []
            salience = self.salience(term)
            if salience < self.params.min_salience:
                return []
            ask_what = _Candidate("definition", what_is, meaning, "meaning", salience + 0.19, definition.sentence,
                                  definition)
            if _spells(definition, meaning):
                return [ask_what]  # "Which of these is the Open Container Initiative?" spells the answer out
            return [_Candidate("definition", _which_is(meaning), term.text, term.kind, salience + 0.2,
                               definition.sentence, definition), ask_what]
        salience = max((self.salience(t) for w in words if (t := term_of(w, False, False)) is not None), default=0.0)
        if salience < self.params.min_salience / 2:
            return []
        return [_Candidate("definition", what_is, meaning, "meaning", salience + 0.1, definition.sentence, definition)]

    def salience(self, term: Term) -> float:
        """How key a term is to the notes (0..1): specific to them, not everyday English, not in
        every passage. Zero for filler."""
        words = self.analyzer.words(term.text)
        if not words:
            return 0.0
        stem = self.analyzer.stem(words[0])
        term_id = self.index.term(stem)
        if term_id is None:
            return 0.0
        df = int(self.index.df[term_id])
        if df > self._max_df:
            return 0.0
        idf = float(self.index.idf[term_id]) / self._max_idf
        if term.kind == "word":
            # an everyday word is a key term only where it is the notes' vocabulary: rare in
            # English, in more than one passage, a noun rather than a verb or adverb
            if (english(term.text) > 4.0 or df < 2 or term.key.endswith(_NOT_NOUN)
                    or self.index.specificity(term_id, words[0]) < 1.0):
                return 0.0
            return 0.3 + 0.4 * idf
        if term.kind == "name" and term.shape == "capital" and english(term.text) > 0 \
                and self.index.specificity(term_id, words[0]) < 1.0:
            return 0.0  # "Overhead", "Configuration": an everyday word with a capital
        bonus = {"acronym": 0.6, "name": 0.6, "number": 0.45}[term.kind]
        return bonus + 0.4 * idf

    @staticmethod
    def _adjacent_name(text: str, span: tuple[int, int]) -> bool:
        """Part of a multi-word name ("Open Source"): blanking half of it makes a fragment."""
        before = text[: span[0]].rstrip().rsplit(" ", 1)[-1]
        after = text[span[1]:].lstrip().split(" ", 1)[0]
        inside = text[span[0]:span[1]]
        if not inside[0].isupper():
            return False
        capital = lambda w: len(w) > 1 and w[0].isupper() and w.replace("-", "").isalnum()  # noqa: E731
        return capital(before) or capital(after)

    # checks and choices -------------------------------------------------------------------

    def _finish(self, candidate: _Candidate, doc: Document) -> Question | None:
        if not _in_passage(candidate.answer, doc.chunk.text):
            return None
        if _everyday_typo(candidate.answer.lower()):
            return None  # "Althought": a typo of an everyday word, not a term worth asking
        if self._visible(candidate.answer, candidate.prompt) and not (
                _spells(candidate.definition, candidate.answer) and candidate.answer_kind == "meaning"):
            return None  # (what an acronym stands for is a synonym of it, and is what is asked)
        answer = self.engine.search(candidate.prompt, k=max(self.params.top_k, self.params.related))
        ranked = [p.chunk_id for p in answer.passages]
        if doc.chunk.chunk_id not in ranked[: self.params.top_k]:
            return None
        related = [self.index.documents[i] for i in self._positions(ranked)]
        if len(self.index.documents) <= SMALL_CORPUS:  # few notes: every passage is "related"
            related += [d for d in self.index.documents if d.chunk.chunk_id not in ranked]
        if candidate.answer_kind == "meaning":
            distractors = self._meaning_distractors(candidate, related)
        else:
            distractors = self._term_distractors(candidate, related)
        if len(distractors) < CHOICES - 1:
            return None
        qid = question_id_for(candidate.kind, candidate.prompt, candidate.answer, doc.chunk.chunk_id)
        rng = random.Random(f"{self.params.seed}:{qid}")
        choices = [candidate.answer, *distractors[: CHOICES - 1]]
        rng.shuffle(choices)
        chunk = doc.chunk
        return Question(
            id=qid, kind=candidate.kind, prompt=candidate.prompt,  # type: ignore[arg-type]
            choices=tuple(choices), answer_index=choices.index(candidate.answer), answer=candidate.answer,
            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,
            chunk_id=chunk.chunk_id, accepted=tuple(self.corrections(candidate.answer)),
            explanation=candidate.sentence if candidate.kind == "cloze" else None,
            quality=round(min(candidate.salience, 1.0) * 0.99, 4),
        )

    def _positions(self, chunk_ids: Sequence[str]) -> list[int]:
        return [self._position[c] for c in chunk_ids if c in self._position]

    def _term_distractors(self, candidate: _Candidate, related: Sequence[Document]) -> list[str]:
        answer = Term(candidate.answer, candidate.answer_kind, candidate.answer.lower())  # type: ignore[arg-type]
        seen = {normalise(candidate.answer).rstrip("s")}
        pool: list[tuple[float, str]] = []
        prompt_stems = self._stems(candidate.prompt)
        answer_stems = self._stems(answer.text)
        for rank, doc in enumerate(related):
            if len(pool) >= 3 * CHOICES:
                break  # enough from the closest passages
            for term in self._doc_terms(doc):
                if term.kind != answer.kind or term.plural != answer.plural:
                    continue
                key = normalise(term.text).rstrip("s")  # "Deployment" and "Deployments" are one choice
                if not key or key in seen or not _similar_length(term.text, answer.text):
                    continue
                seen.add(key)
                stems = self._stems(term.text)
                if self._same_stems(stems, answer_stems) or self._visible_stems(stems, prompt_stems):
                    continue
                salience = self.salience(term)
                if term.kind == "word" and salience <= 0.0:
                    continue
                if term.shape == "capital" and english(term.text) >= EVERYDAY_ZIPF:
                    continue  # "Install", "Defines": an everyday word with a capital is no name
                if term.shape in ("lower", "capital") and (self.corrections(term.text) or _everyday_typo(term.key)):
                    continue  # a misspelt word ("Althought") among the choices stands out
                df = self._df(term)
                if df > self._max_df or self._synonym_too_common(stems):
                    continue  # what the notes are about ("Kubernetes", or "kubernets" where they say "k8s") is no plausible wrong answer
                if len(self.index.documents) > SMALL_CORPUS and (df < 3 or "/" in term.text and term.shape != "dotted"):
                    continue  # in a large corpus, a term is named more than twice; a one-off ("FeatureName") or a path is no key term
                if term.shape == "lower" and self._count(term) < 2 and (
                        answer.shape != "lower" or not self._technical_context(term, doc)):
                    continue  # a lower-case word seen once ("kumbaya") is no plausible product
                if term.shape != answer.shape and (term.shape, answer.shape) not in _COMPATIBLE:
                    continue  # a web address among names, a field among kinds: the odd one out stands out
                if key in normalise(answer.text) or normalise(answer.text).rstrip("s") in key:
                    continue  # "HTTPRoute" for "Routes": a kind of the answer may be right too
                if term.shape == "lower" and term.key.endswith(("ed", "ing", "es")):
                    continue  # "enumerates": prose, not a name
                if set(_parts(term.text)) & set(_parts(answer.text)):
                    continue  # "multipoint-scheduler" for "kube-scheduler": shares half the answer
                if candidate.kind == "definition" and self._described_alike(term, candidate.prompt, doc):
                    continue  # "VMWare" for "a virtualization of physical devices": the notes call it a virtualization engine
                shape = 0 if term.shape == answer.shape else 10
                # close passages first; among them, the better known terms: those a learner meets
                pool.append((shape + rank - math.log1p(df), term.text))
        return self._pick(pool, candidate)

    def _meaning_distractors(self, candidate: _Candidate, related: Sequence[Document]) -> list[str]:
        seen = {normalise(candidate.answer)}
        pool: list[tuple[float, str]] = []
        subject = candidate.definition.term if candidate.definition else ""
        for rank, doc in enumerate(related):
            for definition in self.passage_terms(doc).definitions:
                key = normalise(definition.meaning)
                if key in seen or normalise(definition.term) == normalise(subject):
                    continue
                seen.add(key)
                if len(definition.meaning.split()) > MAX_CHOICE_WORDS or self._visible(subject, definition.meaning):
                    continue
                if _spells(candidate.definition, candidate.answer) != _spells(definition, definition.meaning):
                    continue  # what an acronym stands for among descriptions (or the reverse) stands out
                ratio = len(definition.meaning) / max(len(candidate.answer), 1)
                if not 0.4 <= ratio <= 2.5:
                    continue
                pool.append((rank + abs(1 - ratio), definition.meaning))
        return self._pick(pool, candidate)

    def _pick(self, pool: list[tuple[float, str]], candidate: _Candidate) -> list[str]:
        """Three of the best five, chosen by the seed: plausible, yet not always the same."""
        best = [text for _, text in sorted(pool)[: CHOICES + 1]]
        rng = random.Random(f"{self.params.seed}:{candidate.prompt}:{candidate.answer}")
        return rng.sample(best, CHOICES - 1) if len(best) >= CHOICES - 1 else best

    def _doc_terms(self, doc: Document) -> list[Term]:
        """A passage's key terms, as distractors (a capitalised first word is taken as a word)."""
        position = self._positions([doc.chunk.chunk_id])
        key = position[0] if position else -1
        found = self._tokens.get(key)
        if found is None:
            text = "\n".join(line for line in doc.chunk.text.split("\n") if not META.search(line))
            text = _SHORTCODE.sub(" ", _LINK_TARGET.sub("", text))
            first = set(_FIRST_WORD.findall(text))
            terms = (term_of(t.rstrip("."), t in first, False) for t in set(TOKEN.findall(text)))
            found = self._tokens[key] = sorted({t for t in terms if t is not None}, key=lambda t: t.text)
        return found

    def _described_alike(self, term: Term, prompt: str, doc: Document) -> bool:
        """The notes say of the term what the question says of the answer: a line of its passage
        naming the term shares a less common word of the description ("Main virtualization
        engines: VMWare" for "a virtualization of physical devices")."""
        described = set(self._stems(" ".join(w for w in re.findall(r"[A-Za-z]+", prompt) if english(w) < 4.5)))
        pattern = re.compile(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])")
        return any(pattern.search(line) and described & set(self._stems(line)) for line in doc.chunk.text.split("\n"))

    def _technical_context(self, term: Term, doc: Document) -> bool:
        """A lower-case word the notes use once is taken for a product name ("etcd", "crio") only
        where the line around it is about software; "the DevOps kumbaya moment" is not."""
        for line in doc.chunk.text.split("\n"):
            if re.search(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])", line):
                stems = set(self._stems(line))
                return bool(stems & _SOFTWARE_STEMS)
        return False

    def _synonym_too_common(self, stems: tuple[str, ...]) -> bool:
        """A synonym of the term is in too many passages: the term names the notes' subject."""
        for found, other in self.synonyms.expansions(stems):
            if found == stems and len(other) == 1 and (term_id := self.index.term(other[0])) is not None \
                    and int(self.index.df[term_id]) > self._max_df:
                return True
        return False

    def _df(self, term: Term) -> int:
        words = self.analyzer.words(term.text)
        term_id = self.index.term(self.analyzer.stem(words[0])) if words else None
        return 0 if term_id is None else int(self.index.df[term_id])

    def _count(self, term: Term) -> int:
        """In how many passages the word occurs."""
        return self._df(term)

    def _stems(self, text: str) -> tuple[str, ...]:
        return tuple(self.analyzer.stems(self.analyzer.words(text)))

    def _same_thing(self, a: str, b: str) -> bool:
        return self._same_stems(self._stems(a), self._stems(b))

    def _same_stems(self, stems_a: tuple[str, ...], stems_b: tuple[str, ...]) -> bool:
        """Equal after normalisation or stemming, or synonyms in the synonyms table."""
        if not stems_a or not stems_b or stems_a == stems_b:
            return True
        if tuple(x.rstrip("s") for x in stems_a) == tuple(x.rstrip("s") for x in stems_b):
            return True  # "VM" and "VMs"
        return any(found == stems_a and other == stems_b for found, other in self.synonyms.expansions(stems_a))

    def _visible(self, answer: str, text: str) -> bool:
        """The answer, a word form of it or one of its synonyms, appears in `text` (also inside a
        longer identifier: "IPAddress" in "IPAddressList")."""
        if len(answer) >= 4 and " " not in answer and answer.lower() in text.lower():
            return True
        answer_stems = self._stems(answer)
        if not answer_stems:
            return normalise(answer) in normalise(text)
        return self._visible_stems(answer_stems, self._stems(text))

    def _visible_stems(self, answer_stems: tuple[str, ...], text_stems: tuple[str, ...]) -> bool:
        """Also a part of a compound answer: "TTL" of "TTL-after-finished", "node" of "cross-node"."""
        if not answer_stems:
            return False
        if _contains(text_stems, answer_stems):
            return True
        if len(answer_stems) > 1 and any(len(stem) >= 3 and stem in text_stems for stem in answer_stems[1:]):
            return True
        for stems in {answer_stems, tuple(x[:-1] if x.endswith("s") and len(x) > 3 else x for x in answer_stems)}:
            phrases = [other for found, other in self.synonyms.expansions(stems) if tuple(found) == stems]
            if any(_contains(text_stems, p) for p in phrases):
                return True  # "PVCs" when the question says "PersistentVolumeClaims"
        return False

    def corrections(self, answer: str) -> list[str]:
        """Correct spellings of an answer the notes misspell (`hypervizor`), to accept typed."""
        if " " in answer or not answer.isalpha() or len(answer) < 6 or english(answer) > 0:
            return []
        if re.search(r"[a-z][A-Z]", answer):
            return []  # CamelCase is an identifier, never a typo
        return list(_english_corrections(answer.lower()))


def _article(term: str, meaning: str) -> str:
    """ "a hypervizor" when the notes say "hypervizor is a ...", no article before a name or acronym."""
    if not re.match(r"(?:a|an)\s", meaning, re.IGNORECASE) or not term.islower() or " " in term:
        return ""
    return "an " if term[0] in "aeiou" else "a "


def _spells(definition: Definition | None, meaning: str) -> bool:
    """The meaning is what the defined acronym stands for ("OCI": "Open container initiative")."""
    if definition is None or not definition.term.isupper():
        return False
    return "".join(w[0] for w in meaning.split()).upper() == definition.term.upper()


def _parts(text: str) -> list[str]:
    """The words of a compound of four letters or more ("kube-scheduler" → "scheduler")."""
    pieces = re.split(r"[-_./]|(?<=[a-z])(?=[A-Z])", text)
    return [p.lower() for p in pieces if len(p) >= 4] if len(pieces) > 1 else []


def _which_is(meaning: str) -> str:
    first, _, rest = meaning.partition(" ")
    lower = first.lower()
    if lower in ("a", "an", "the", "for", "used", "responsible", "part", "one"):
        return f"Which of these is {lower} {rest}?"
    if len(lower) >= 4 and lower.endswith("s") and not lower.endswith("ss") and english(lower[:-1]) >= 3.0 \
            and english(lower) < english(lower[:-1]) and first[0].isupper():
        return f"Which of these {lower} {rest}?"  # "Runs controllers ..." → "Which of these runs ..."
    return f"Which of these is described as \u201c{meaning}\u201d?"


def _sentence_case(text: str) -> str:
    text = text.strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", ")")):
        text += "."
    return text


_SOFTWARE_STEMS = frozenset(Stemmer.Stemmer("english").stemWords(_SOFTWARE_WORDS.split()))


def _free_standing(text: str, span: tuple[int, int]) -> bool:
    """The term is a whole word of the sentence, not part of "--flag" or "(anti)affinity"."""
    before = text[span[0] - 1] if span[0] > 0 else " "
    after = text[span[1]] if span[1] < len(text) else " "
    if after == "'" and text[span[1] + 1:span[1] + 2].isalpha():
        return False  # "GA'ed": the blank would swallow half a word
    return before in " \"'(\u201c" and (after.isspace() or after in ".,;:!?)\"'\u201d")


def _in_parentheses(text: str, span: tuple[int, int]) -> bool:
    """An aside "(a(n) ____ concept)" is no place for the key of a question."""
    before = text[: span[0]]
    return before.count("(") > before.count(")")


def _in_passage(answer: str, passage: str) -> bool:
    return normalise(answer) in normalise(passage)


def _similar_length(a: str, b: str) -> bool:
    return abs(len(a) - len(b)) <= max(4, len(b) // 2)


def _contains(stems: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    if n == 0 or phrase[0] not in stems:
        return False
    stems, phrase = tuple(stems), tuple(phrase)
    return any(stems[i:i + n] == phrase for i in range(len(stems) - n + 1))


@lru_cache(maxsize=1)
def _english_by_shape() -> dict[tuple[str, int], list[str]]:
    groups: dict[tuple[str, int], list[str]] = {}
    for word, frequency in english_zipf().items():
        if frequency >= 3.0 and word.isalpha() and len(word) >= 5:
            groups.setdefault((word[0], len(word)), []).append(word)
    return groups


@lru_cache(maxsize=65536)
def _everyday_typo(word: str) -> bool:
    """One letter away from a common English word ("althought")."""
    if not word.isalpha() or len(word) < 5 or english(word) > 0:
        return False
    for n in (len(word) - 1, len(word), len(word) + 1):
        for candidate in _english_by_shape().get((word[0], n), []):
            if english(candidate) >= 4.5 and OSA.distance(word, candidate, score_cutoff=1) <= 1:
                return True
    return False


def _english_corrections(word: str) -> tuple[str, ...]:
    """English words one or two edits away (same first letter), not a mere prefix or suffix."""
    limit = 1 if len(word) < 9 else 2  # "gitlab" is not a typo of "github"
    found = []
    groups = _english_by_shape()
    lengths = [len(word)] if limit == 1 else range(len(word) - limit, len(word) + limit + 1)
    for n in lengths:  # a short word: a letter swapped or replaced, not dropped ("dockerd")
        choices = groups.get((word[0], n))
        if not choices:
            continue
        for candidate, distance, _ in extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None):
            if not (candidate.startswith(word) or word.startswith(candidate)):
                found.append((distance, -english(candidate), candidate))
    swapped = word[0] + word[1:].replace("z", "s")
    if swapped != word and swapped not in [c for *_, c in found]:
        found.append((0, 0.0, swapped))  # the commonest misspelling in the notes: z for s
    return tuple(c for *_, c in sorted(found)[:2])
