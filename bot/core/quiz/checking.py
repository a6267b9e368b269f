"""Judging an answer fairly: a button is right or wrong; a typed answer is compared to every
accepted form of the answer, forgiving what a learner should not lose a point for.

Typed answers are compared after normalisation (Unicode NFKC, case folded, punctuation and
Markdown characters dropped, the articles "a", "an", "the" removed, spaces collapsed), so
`**The Base64.**` is `base64`. Then, in order:

1. the same words, or the same words without spaces (`config map` is `configmap`): right;
2. a wrong choice typed out: wrong, never "almost" (even when its stems are the answer's);
3. the same analysed stems (`pods` is `pod`), negated alike (`not base64` is not `base64`): right;
4. a synonym of an accepted form in the notes' synonyms table (`k8s` for `Kubernetes`), negated
   alike: right;
5. a small typo (rapidfuzz ratio at least the typo threshold) of an accepted form of at least
   `MIN_TYPO_LENGTH` characters, with the same digits (`base46` is not `base64`, `k3s` is not
   `k8s`), and not closer to one of the wrong choices (`replicsets` is closer to the choice
   `replicasets` than to the answer `replicaset`): right. This is also how the notes' own typo
   (`hypervizor`) and the correct spelling (`hypervisor`) are both accepted, whichever is the answer;
6. for a `Yes`/`No` answer, the same reply in other words (`nope`, `false`, `not by default`,
   `no it doesn't`; `yep`, `true`, `yes it does`): right; the opposite reply, or one that opens
   with the opposite word ("yes, but not by default"): wrong (`yes_no.py`);
7. a short sentence (at most `MAX_SENTENCE_EXTRA` other words) that says an accepted form, or
   its synonym, as whole stemmed words ("it stores them base64 encoded" for `base64`): right,
   unless it also names a wrong choice (any of its words the answer lacks: "base64 or gzip"),
   negates where the answer does not (`not`, `isn't`) or the other way round, or adds a number:
   then it is at most a near miss (8), since hedging between choices must not score;
8. close but not close enough (ratio at least the near-miss threshold, for answers long enough to
   have typos), or part of the answer
   (at least half its words), or the answer inside a longer sentence: wrong, but a near miss, so
   the member is told "almost".

Stems cannot tell an accepted form from a wrong choice with the same stems (`replicaset` /
`replicasets`), so such a form is matched only by its words (1) or a typo closer to it (5), never
by its stems, synonyms or a sentence (3, 4, 7).

Empty answers (nothing left after normalisation) and answers longer than `MAX_TYPED_LENGTH` are
not judged at all: the caller says so and records nothing. The typed text is never echoed from
here; front-ends escape it (Markdown, mentions) when they show it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from bot.core.quiz.questions import Question
from bot.core.quiz.yes_no import negated, opening, reply_of, yes_or_no
from bot.core.search.analysis import Analyzer
from bot.core.search.synonyms import SynonymTable

MAX_TYPED_LENGTH = 200  # characters; the modal's text input allows no more either
MIN_TYPO_LENGTH = 5  # shorter answers (`OCI`, `k8s`, `10`) must be exact: one letter is a different word
ARTICLES = frozenset({"a", "an", "the"})
DEFAULT_TYPO_THRESHOLD = 85.0
DEFAULT_NEAR_MISS_THRESHOLD = 70.0
MAX_SENTENCE_EXTRA = 8  # words beside the answer in a sentence that says it; more reads as a list of guesses

_NOT_WORD = re.compile(r"[^\w\s]|_")
_DIGITS = re.compile(r"\d+")
_LETTER = re.compile(r"\A\s*\(?([a-zA-Z])[).:]?\s*\Z")

How = Literal["choice", "exact", "stem", "synonym", "yes_no", "sentence", "typo", "wrong", "near_miss", "empty",
              "too_long"]


@dataclass(frozen=True)
class Verdict:
    """How an answer was judged. `judged` is False for an empty or overlong typed answer."""

    correct: bool
    near_miss: bool
    how: How
    matched: str | None = None  # the accepted form that matched (a typo's or a near miss's target)

    @property
    def judged(self) -> bool:
        return self.how not in ("empty", "too_long")


def normalise(text: str) -> str:
    """Case, punctuation, Markdown, articles and spacing removed: the words that count."""
    folded = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(word for word in folded.split() if word not in ARTICLES)


def choice_from_letter(text: str, choices: int) -> int | None:
    """`A`, `b)`, `(c)`, `D.` as a choice index when the question has that many choices."""
    match = _LETTER.match(text)
    if match is None:
        return None
    index = ord(match[1].lower()) - ord("a")
    return index if 0 <= index < choices else None


def accepted_forms(question: Question) -> list[str]:
    """Every text counted right: the answer, its choice text, and the accepted alternatives."""
    forms = [question.answer]
    if question.answer_index is not None and 0 <= question.answer_index < len(question.choices):
        forms.append(question.choices[question.answer_index])
    forms.extend(question.accepted)
    return list(dict.fromkeys(f for f in forms if normalise(f)))


class AnswerChecker:
    """Judges answers to questions; pure (no I/O), built from the current search engine's
    analyser and synonyms so both follow a reindex."""

    def __init__(self, analyzer: Analyzer, synonyms: SynonymTable, *,
                 typo_threshold: float = DEFAULT_TYPO_THRESHOLD,
                 near_miss_threshold: float = DEFAULT_NEAR_MISS_THRESHOLD) -> None:
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.typo_threshold = typo_threshold
        self.near_miss_threshold = min(near_miss_threshold, typo_threshold)

    def check_choice(self, question: Question, index: int) -> Verdict:
        """A clicked choice: right only if it is the answer's index."""
        correct = question.answer_index is not None and index == question.answer_index
        return Verdict(correct=correct, near_miss=False, how="choice" if correct else "wrong")

    def check_typed(self, question: Question, typed: str) -> Verdict:
        """A typed answer, judged as the module docstring says."""
        if len(typed) > MAX_TYPED_LENGTH:
            return Verdict(False, False, "too_long")
        words = normalise(typed)
        if not words:
            return Verdict(False, False, "empty")
        forms = accepted_forms(question)
        wrong = [c for i, c in enumerate(question.choices) if i != question.answer_index and normalise(c)]
        key = _key(words)
        for form in forms:
            if key == _key(normalise(form)):
                return Verdict(True, False, "exact", form)
        if any(key == _key(normalise(c)) for c in wrong):
            return Verdict(False, False, "wrong")
        wrong_stems = {self._stems(c) for c in wrong}
        by_stems = [form for form in forms if self._stems(form) not in wrong_stems]
        stems, denies = self._stems(typed), negated(words.split())
        if stems:  # stop words are gone from stems, negations with them: "not base64" is no base64
            same_sense = [form for form in by_stems if negated(normalise(form).split()) == denies]
            for form in same_sense:
                if stems == self._stems(form):
                    return Verdict(True, False, "stem", form)
            for form in same_sense:
                if self._synonymous(stems, self._stems(form)):
                    return Verdict(True, False, "synonym", form)
        expected = yes_or_no(normalise(question.answer))
        if expected is not None:
            said = reply_of(words.split())
            if said == expected:
                return Verdict(True, False, "yes_no", question.answer)
            if said is not None or opening(words.split()) not in (None, expected):
                return Verdict(False, False, "wrong")
        sentence = self._sentence_saying(stems, denies, by_stems, wrong)
        if sentence is not None:
            return Verdict(True, False, "sentence", sentence)
        best_form, best = _closest(key, forms)
        rival = max((fuzz.ratio(key, _key(normalise(c))) for c in wrong), default=0.0)
        if (best >= self.typo_threshold and best > rival and len(_key(normalise(best_form))) >= MIN_TYPO_LENGTH
                and _DIGITS.findall(key) == _DIGITS.findall(_key(normalise(best_form)))):
            return Verdict(True, False, "typo", best_form)
        if best >= self.near_miss_threshold and best > rival and len(_key(normalise(best_form))) >= MIN_TYPO_LENGTH:
            return Verdict(False, True, "near_miss", best_form)
        for form in forms:
            if _partial(words, normalise(form)):
                return Verdict(False, True, "near_miss", form)
        return Verdict(False, False, "wrong")

    def _sentence_saying(self, said: tuple[str, ...], denies: bool, forms: Sequence[str],
                         wrong: Sequence[str]) -> str | None:
        """The accepted form a short sentence (its stems `said`) says as whole stemmed words (or
        as a synonym), negated as the form is, with no wrong choice or number beside it."""
        wrong_stems = [set(self._stems(c)) for c in wrong]
        for form in forms:
            form_stems = self._stems(form)
            if not form_stems or denies != negated(normalise(form).split()):
                continue
            for phrase in (form_stems, *self._synonyms_of(form_stems)):
                at = _find(said, phrase)
                if at is None or len(said) - len(phrase) > MAX_SENTENCE_EXTRA:
                    continue
                beside = set(said[:at] + said[at + len(phrase):])
                if any(_is_number(w) for w in beside) or any(beside & (c - set(form_stems)) for c in wrong_stems):
                    return None
                return form
        return None

    def _synonyms_of(self, stems: tuple[str, ...]) -> list[tuple[str, ...]]:
        return [other for group in self.synonyms.groups if stems in group for other in group if other != stems]

    def _stems(self, text: str) -> tuple[str, ...]:
        return tuple(self.analyzer.stems(self.analyzer.words(text)))

    def _synonymous(self, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        return a != b and any(a in group and b in group for group in self.synonyms.groups)


def _key(words: str) -> str:
    return words.replace(" ", "")


def _closest(key: str, forms: Sequence[str]) -> tuple[str, float]:
    scored = [(form, fuzz.ratio(key, _key(normalise(form)))) for form in forms]
    return max(scored, key=lambda pair: pair[1], default=("", 0.0))


def _find(words: tuple[str, ...], phrase: tuple[str, ...]) -> int | None:
    """Where `phrase` starts in `words`, or None."""
    n = len(phrase)
    return next((i for i in range(len(words) - n + 1) if words[i:i + n] == phrase), None)


def _is_number(word: str) -> bool:
    return word.replace(".", "").isdigit()


def _partial(typed: str, form: str) -> bool:
    """Part of the answer (at least half its words, when it has several), or the whole answer
    said inside a longer sentence."""
    typed_words, form_words = typed.split(), form.split()
    if len(form_words) > 1 and _contains(form_words, typed_words) and 2 * len(typed_words) >= len(form_words):
        return True
    return len(typed_words) > len(form_words) and _contains(typed_words, form_words)


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(words[i:i + n] == part for i in range(len(words) - n + 1))
