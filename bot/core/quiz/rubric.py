"""The quiz rubric's checks (`QUIZ-RUBRIC.md` in the project's shared notes), one function each.

1. It reads as a question on its own  -> `reads_alone`, `defines_alone`, `describes_alone`
2. It asks something worth knowing    -> `worth_knowing`
3. Exactly one choice is right        -> `one_right` (per distractor)
4. The distractors are plausible      -> `plausible`, `plausible_description` (per distractor)
5. Nothing gives it away              -> `gives_away`, `spells_out` (the question), `echoes` and
                                         `stands_out` (the four descriptions), `one_right` (a choice named in it)

Rules 3 and 4 are mostly met by where distractors come from (the answer's own class, see
`catalogue`); these checks drop what the class lets through.
"""

from __future__ import annotations

import functools
import re

from bot.core.quiz.sentences import PRONOUN_START, standalone
from bot.core.quiz.shapes import similar_length
from bot.core.quiz.wording import Wording
from bot.core.search.english_frequency import english_zipf

EVERYDAY_ZIPF = 4.3  # a word this common in English, marked, is emphasis ("*not*"), not a term
GRAMMAR_ZIPF = 6.0  # a word this common is a function word ("and", "in", "if")
# the sentence leans on a listing or example the question does not show
_POINTS_AT_LISTING = re.compile(
    r"\b(?:above|below|the following|as follows|this (?:example|code|listing|snippet|program|function|output)"
    r"|the (?:example|code|listing|snippet|program|output)|in (?:our|your|my) \w+|our \w+|here)\b", re.IGNORECASE)
_ENDS = re.compile(r"[.!?][\"'”’)]*$")  # a sentence ends like one; a table row or a title does not
_PARENTHESES = re.compile(r"\([^()]*\)")
MIN_WORDS_OUTSIDE_PARENTHESES = 5
_LEANS_BACK = re.compile(r"\b(?:this|these|those|former|latter|aforementioned)\b"
                         r"|\b(?:for|of|to|from|with|on|by|at|in) that\b", re.IGNORECASE)  # "... for that flow schema"
_DANGLING_END = frozenset("the a an of to with for and or by from at as than into via like on in its their".split())
_ACRONYM = re.compile(r"\b[A-Z]{2,}(?=s?\b)")
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
    words = description.split()
    first, last = words[0].lower().strip(",.") if words else "", words[-1].lower().strip(",.") if words else ""
    return len(words) >= 3 and first not in PRONOUN_START and not description.rstrip().endswith(":") \
        and last not in _DANGLING_END  # "... an access control list based on": cut where a link was


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
    """Rule 5: the answer, or a form of it, can be read in the question, or spelled out by it."""
    if wording.visible(answer, prompt) or spells_out(answer, prompt):
        return True
    prompt_stems = wording.stems(prompt)  # "the username to act as" / Impersonate-User
    return any(len(word) >= 4 and any(same_root(word, other) for other in prompt_stems)
               for word in wording.stems(answer))


def echoes(wording: Wording, name: str, answer: str, distractors: list[str]) -> bool:
    """Rule 5 for descriptions: the right one repeats a word of the name asked about that fewer
    than two wrong ones repeat ("What is ReplicationControllerStatus?" / "... of a replication
    controller"), so matching words finds it."""
    words = {s for s in wording.stems(name) if len(s) > 2}
    parts = {p.lower() for p in re.findall(r"[A-Za-z]+", name) if 2 <= len(p) <= 4}  # `fs`, `apf_pl`
    def echoed(text: str) -> set[str]:
        stems = wording.stems(text)
        found = {w for w in words if any(same_root(w, s) for s in stems)}
        lowered = re.findall(r"[a-z]+", text.lower())
        initials = "".join(w[0] for w in lowered)  # "pl": "... priority level ..."
        return found | {p for p in parts if p in initials or any(abbreviates(p, w) for w in lowered)
                        or (len(p) >= 3 and spells_out(p, text))}  # `UID`: "Uniquely IDentifies"
    answer_words = echoed(answer)
    others = [echoed(d) for d in distractors]
    return any(sum(word in other for other in others) < 2 for word in answer_words)


def abbreviates(short: str, word: str) -> bool:
    """"fs" for "filesystem", "pl" for "pool": the first letter, then the others in order, of a
    longer word."""
    if len(word) < len(short) + 2 or short[0] != word[0]:
        return False
    rest = iter(word[1:])
    return all(letter in rest for letter in short[1:])


def same_root(a: str, b: str) -> bool:
    """Two stems a reader takes for one word: "min" / "minimum", "bug" / "debug", "generic" /
    "general", "closur" / "enclos" (a stem of three letters or more inside the other, its first
    four letters inside it, or five letters in common at the start)."""
    short, long = sorted((a, b), key=len)
    if short == long or (len(short) >= 3 and short in long):  # "bug" in "debug"
        return True
    if len(short) >= 4 and short[:4] in long:
        return True
    common = 0
    while common < len(short) and short[common] == long[common]:
        common += 1
    return common >= 5 or (len(short) >= 5 and _one_letter_apart(short, long))  # "kompos" / "compos"


def _one_letter_apart(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def plausible_description(answer: str, choice: str) -> bool:
    """Rule 4 for descriptions: not of a wholly other length than the answer (a phrase beside a
    paragraph)."""
    shorter, longer = sorted((len(answer), len(choice)))
    return longer <= max(3 * shorter, shorter + 20)  # no more: `stands_out` judges the four together


def stands_out(answer: str, distractors: list[str]) -> bool:
    """Rule 5 for descriptions: the right one is clearly the longest or the shortest of the choices."""
    lengths = [len(d) for d in distractors]
    return len(answer) > 1.25 * max(lengths) or len(answer) < 0.8 * min(lengths)


def spells_out(answer: str, prompt: str) -> bool:
    """"PromQL" beside "Prometheus Query Language", "continuous delivery" beside "(CD)": the
    answer is made of the starts of consecutive words of the question, or its initials are an
    acronym the question shows."""
    words = re.findall(r"[A-Za-z]+", answer)
    if len(words) >= 2:
        initials = "".join(w[0] for w in words).lower()
        if any(token.lower() == initials for token in _ACRONYM.findall(prompt)):
            return True
    letters = re.sub(r"[^a-z0-9]", "", answer.lower())
    if not 3 <= len(letters) <= 40:
        return False
    prompt_words = re.findall(r"[a-z0-9]+", prompt.lower())
    return any(_made_of_starts(letters, prompt_words[i:i + len(letters)]) for i in range(len(prompt_words)))


def _made_of_starts(letters: str, words: list[str]) -> bool:
    """`letters` is the starts of words[0], words[1], ... (two words at least), in order."""
    @functools.cache
    def rest(position: int, index: int) -> bool:
        if position == len(letters):
            return index >= 2
        if index == len(words):
            return False
        word = words[index]
        longest = 0
        while longest < len(word) and position + longest < len(letters) and word[longest] == letters[position + longest]:
            longest += 1
        return any(rest(position + k, index + 1) for k in range(longest, 0, -1))
    return rest(0, 0)


def one_right(wording: Wording, answer: str, choice: str, prompt: str, taken: list[str]) -> bool:
    """Rule 3: `choice` is not the answer under another name, not a choice already taken, and not
    named in the question (a thing the question names is part of what it says, perhaps its answer)."""
    if wording.same_thing(choice, answer) or any(wording.same_thing(choice, t) for t in taken):
        return False
    return not wording.visible(choice, prompt)


def plausible(answer: str, choice: str) -> bool:
    """Rule 4: of a length like the answer's (the class gives the kind)."""
    return bool(choice.strip()) and similar_length(answer, choice)
