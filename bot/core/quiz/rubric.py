"""The quiz rubric's checks (`QUIZ-RUBRIC.md` in the project's shared notes), one function each.

1. It reads as a question on its own  -> `reads_alone`
2. It asks something worth knowing    -> `worth_knowing`
3. Exactly one choice is right        -> `one_right` (per distractor)
4. The distractors are plausible      -> `plausible` (per distractor)
5. Nothing gives it away              -> `gives_away` (the question), `one_right` (a choice named in it)

Rules 3 and 4 are mostly met by where distractors come from (the answer's own class, see
`catalogue`); these checks drop what the class lets through.
"""

from __future__ import annotations

import re

from bot.core.quiz.sentences import PRONOUN_START, standalone
from bot.core.quiz.shapes import similar_length
from bot.core.quiz.wording import Wording
from bot.core.search.english_frequency import english_zipf

EVERYDAY_ZIPF = 4.3
GRAMMAR_ZIPF = 6.0  # a word this common is a function word ("and", "in", "if")  # a word this common in English, marked, is emphasis ("*not*"), not a term
# the sentence leans on a listing or example the question does not show
_POINTS_AT_LISTING = re.compile(
    r"\b(?:above|below|the following|as follows|this (?:example|code|listing|snippet|program|function|output)"
    r"|the (?:example|code|listing|snippet|program|output)|in (?:our|your|my) \w+|our \w+|here)\b", re.IGNORECASE)
_ENDS = re.compile(r"[.!?][\"'”’)]*$")  # a sentence ends like one; a table row or a title does not
_PARENTHESES = re.compile(r"\([^()]*\)")
MIN_WORDS_OUTSIDE_PARENTHESES = 5
_LEANS_BACK = re.compile(r"\b(?:this|these|those|former|latter|aforementioned)\b", re.IGNORECASE)
_SECOND_PERSON_TASK = re.compile(r"^(?:you|we|let's|let us|now|next|first|finally)\b", re.IGNORECASE)


def reads_alone(sentence: str) -> bool:
    """Rule 1: a whole sentence that names what it speaks of, and no listing it points at."""
    outside = _PARENTHESES.sub(" ", sentence)
    return bool(_ENDS.search(sentence)) and standalone(sentence) and not _POINTS_AT_LISTING.search(sentence) \
        and not _SECOND_PERSON_TASK.match(sentence) and len(outside.split()) >= MIN_WORDS_OUTSIDE_PARENTHESES


def defines_alone(predicate: str) -> bool:
    """Rule 1 for a definition: its predicate says what the thing is without leaning elsewhere."""
    words = predicate.split()
    return 4 <= len(words) <= 40 and not _POINTS_AT_LISTING.search(predicate) \
        and predicate.count("(") == predicate.count(")") and not _LEANS_BACK.search(predicate)


def describes_alone(description: str) -> bool:
    """Rule 1 for an entry's meaning shown as a choice: it says something without the text around
    it (not "This is covered by ...", not a lead-in ending in a colon)."""
    first = description.split(" ", 1)[0].lower().strip(",.")
    return len(description.split()) >= 3 and first not in PRONOUN_START and not description.rstrip().endswith(":")


def worth_knowing(term: str, mark: str) -> bool:
    """Rule 2: a term the author marked, unless the mark is emphasis of everyday words."""
    words = re.findall(r"[a-z]+", term.lower())
    if not words:
        return False
    table = english_zipf()
    if mark == "code":  # `and`, `in`: a keyword any reader guesses from the grammar
        return not (len(words) == 1 and table.get(words[0], 0.0) >= GRAMMAR_ZIPF)
    return not all(table.get(w, 0.0) >= EVERYDAY_ZIPF for w in words)


def gives_away(wording: Wording, answer: str, prompt: str) -> bool:
    """Rule 5: the answer, or a form of it, can be read in the question."""
    return wording.visible(answer, prompt)


def one_right(wording: Wording, answer: str, choice: str, prompt: str, taken: list[str]) -> bool:
    """Rule 3: `choice` is not the answer under another name, not a choice already taken, and not
    named in the question (a thing the question names is part of what it says, perhaps its answer)."""
    if wording.same_thing(choice, answer) or any(wording.same_thing(choice, t) for t in taken):
        return False
    return not wording.visible(choice, prompt)


def plausible(answer: str, choice: str) -> bool:
    """Rule 4: of a length like the answer's (the class gives the kind)."""
    return bool(choice.strip()) and similar_length(answer, choice)
