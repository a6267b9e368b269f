"""Comparing words the way a reader does: word forms, synonyms, and where a name stands in a sentence.

Used by every stage of the generator: a concept named by its opening sentence ("Traits" / "A
trait is ..."), an answer visible in its question in another form, two choices that are the same
thing (`k8s` / `Kubernetes` by the notes' synonyms).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.search.analysis import Analyzer
from bot.core.search.synonyms import SynonymTable

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_AUXILIARIES = frozenset("is are was were can could may might must will would shall should does do has have "
                         "refers means".split())
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MODALS = frozenset("can cannot could may might must will would shall should".split())
FREQUENCY_ADVERBS = frozenset("never always also only usually often typically generally simply mainly mostly".split())
_NOT_VERBS = frozenset("this that these those its their his her our your which who whose what where when "
                       "as us thus plus always perhaps".split())


class Wording:
    """Stems and synonyms of one index's analyzer."""

    def __init__(self, analyzer: Analyzer, synonyms: SynonymTable) -> None:
        self.analyzer = analyzer
        self.synonyms = synonyms

    def stems(self, text: str) -> tuple[str, ...]:
        """Content-word stems of `text` (stop words out, compounds split as the index does)."""
        return tuple(self.analyzer.stems(self.analyzer.words(text)))

    def key(self, text: str) -> tuple[str, ...]:
        """Two choices with the same key are the same choice."""
        return tuple(sorted(set(self.stems(text)))) or (text.strip().lower(),)

    def same_thing(self, a: str, b: str) -> bool:
        """Equal in stems, or synonyms by the notes' own synonyms file."""
        stems_a, stems_b = self.stems(a), self.stems(b)
        if set(stems_a) == set(stems_b):
            return True
        return any(set(other) == set(stems_b) for phrase, other in self.synonyms.expansions(stems_a)
                   if set(phrase) == set(stems_a))

    def visible(self, answer: str, text: str) -> bool:
        """The answer, or a form of one of its words, is in `text` (the question gives it away)."""
        answer_stems = {s for s in self.stems(answer) if len(s) > 2} or set(self.stems(answer))
        if not answer_stems:
            return answer.strip().lower() in text.lower()
        text_stems = set(self.stems(text))
        if answer_stems & text_stems:
            return True
        return any(set(other) <= text_stems for phrase, other in self.synonyms.expansions(tuple(answer_stems))
                   if set(phrase) <= answer_stems)

    def names(self, name: str, text: str) -> bool:
        """Every word of `name` is in `text` in some form: the text names it (a description that
        shares one word with a long name, "container" for "container image", does not)."""
        parts = " ".join(_PART.findall(name))  # "xTitle" → "x Title": the words a reader sees in it
        wanted = {s for s in self.stems(parts) if len(s) > 2} or set(self.stems(parts))
        return bool(wanted) and wanted <= set(self.stems(text)) or self.visible(name, text) and len(wanted) == 1

    def find_name(self, name: str, sentence: str, within_words: int) -> tuple[int, int] | None:
        """Where `sentence` names `name` (its words in order, in any form), starting within the
        first `within_words` words: the character span, else None."""
        wanted = [self.analyzer.stem(w.lower()) for w in _WORD.findall(name)]
        words = list(_WORD.finditer(sentence))
        if not wanted or len(words) < len(wanted):
            return None
        stems = [self.analyzer.stem(m.group(0).lower()) for m in words]
        for first in range(min(within_words + 1, len(words) - len(wanted) + 1)):
            if stems[first:first + len(wanted)] == wanted:
                return words[first].start(), words[first + len(wanted) - 1].end()
        return None

    @staticmethod
    def opens_with_verb(predicate: str) -> bool:
        """"is a ...", "refers to ...", "distributes data ...", "never return": a verb in the
        present (after an adverb of frequency, in either number)."""
        words = predicate.split(" ", 2) if predicate else []
        first = words[0].strip(",;:") if words else ""
        if not first or not first.isalpha() or not first.islower() or first in _NOT_VERBS:
            return False
        if first in FREQUENCY_ADVERBS and len(words) > 1:
            second = words[1]
            return second.isalpha() and second.islower() and second not in _NOT_VERBS and second not in FREQUENCY_ADVERBS
        if len(words) > 1 and words[1].lower() in _AUXILIARIES | _MODALS:
            return False  # "values MUST follow ...": a plural noun, then the verb
        return first in _AUXILIARIES or (first.endswith("s") and not first.endswith(("ss", "us", "is")))


def blank_out(text: str, spans: Sequence[tuple[int, int]], blank: str) -> str:
    """`text` with each span replaced by `blank` (spans in order, not overlapping)."""
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(blank)
        last = end
    out.append(text[last:])
    return "".join(out)
