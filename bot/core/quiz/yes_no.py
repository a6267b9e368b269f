"""Yes or no in a learner's own words: `nope`, `false`, `not by default` and `no it doesn't` all
say No, `yep`, `true` and `yes it does` say Yes. Only a question whose answer is "Yes" or "No"
asks for this; everywhere else a "no" is just a word.

The reply's first word decides when it is a yes or a no word. Otherwise a negation anywhere (`not`,
`never`, `doesn't`, `isn't`) says No ("it is not available by default"). A reply that says neither
clearly is left to the ordinary checks: a yes followed by a negation ("yes, but not by default"),
which the checker still counts wrong when the answer is No (`opening`), and a hedge ("I don't
know", "not sure", "maybe"), which would otherwise read as a No.

Words come normalised (`checking.normalise`): apostrophes are gone, so `doesn't` is `doesn t`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Reply = Literal["yes", "no"]

YES_WORDS = frozenset({"yes", "y", "yep", "yeah", "yup", "yea", "ya", "true", "correct", "affirmative", "indeed"})
NO_WORDS = frozenset({"no", "n", "nope", "nah", "nay", "false", "never", "not", "negative", "incorrect"})
NEGATIONS = frozenset({"no", "not", "never", "nope", "cannot", "doesnt", "dont", "isnt", "arent", "wasnt", "werent",
                       "cant", "wont", "didnt", "hasnt", "havent", "hadnt", "shouldnt", "couldnt", "wouldnt", "aint",
                       "mustnt", "neednt"})
HEDGES = frozenset({"know", "sure", "idea", "maybe", "perhaps", "unsure", "dunno", "depends", "sometimes", "possibly",
                    "probably", "guess"})


def yes_or_no(answer: str) -> Reply | None:
    """"yes" or "no" when a (normalised) answer is one, else None."""
    return answer if answer in ("yes", "no") else None  # type: ignore[return-value]


def reply_of(words: Sequence[str]) -> Reply | None:
    """What a normalised reply says: "yes", "no", or None when it says neither clearly."""
    if not words or (len(words) > 1 and any(w in HEDGES for w in words)):
        return None
    first, rest = words[0], words[1:]
    if first in NO_WORDS:
        return "no"
    if first in YES_WORDS:
        return None if negated(rest) else "yes"
    return "no" if negated(words) else None


def opening(words: Sequence[str]) -> Reply | None:
    """"yes" or "no" when the reply starts with a yes or a no word, else None."""
    if not words:
        return None
    return "no" if words[0] in NO_WORDS else "yes" if words[0] in YES_WORDS else None


def negated(words: Sequence[str]) -> bool:
    """Whether the words hold a negation (`not`, `never`, `doesn t`, `isnt`)."""
    return any(w in NEGATIONS or (w == "t" and i > 0 and words[i - 1].endswith("n")) for i, w in enumerate(words))
