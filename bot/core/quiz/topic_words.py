"""Whether a question's own words are about a topic: `/quiz NetworkPolicy` also asks the questions
that say "NetworkPolicies" (about CNI plugins, say) on passages the topic's search does not rank
among its best, and `/quiz mutable` a question about `mut` that says "mutable".

Words are compared as the search compares them (the notes' analyzer: stop words out, CamelCase and
compounds split, Snowball stems), so plural and singular match, and `NetworkPolicy` matches
`network policies`. A question is about the topic when its prompt, answer or choices hold every
word of the topic; a compound word counts when it is there whole or all its parts are.

The pool may hold thousands of questions, so they are not all analysed for every pick: the
database first returns only those whose text contains a prefix of every word (`prefixes`, for a
case-insensitive LIKE), and only those are analysed (`matches`). A topic none of whose words
gives a prefix of `MIN_PREFIX` letters (`io`) is left to the search alone: the pool is never
scanned whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.search.analysis import Analyzer

MIN_PREFIX = 3  # shorter prefixes filter nothing; the analysed match still decides


@dataclass(frozen=True)
class TopicWords:
    """The topic's words, one (whole stem, part stems) pair per word the topic was typed with."""

    words: tuple[tuple[str, tuple[str, ...]], ...]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, topic: str, analyzer: Analyzer) -> TopicWords:
        words: list[tuple[str, tuple[str, ...]]] = []
        prefixes: list[str] = []
        for token in topic.split():
            surface = analyzer.words(token)  # a compound: the whole word first, then its parts
            if not surface:
                continue  # a stop word
            stems = analyzer.stems(surface)
            words.append((stems[0], tuple(stems[1:])))
            for word, stem in zip(surface[1:] or surface[:1], stems[1:] or stems[:1]):
                prefix = _prefix(word, stem)
                if len(prefix) >= MIN_PREFIX and prefix.isascii():  # SQLite folds the case of ASCII only
                    prefixes.append(prefix)
        return cls(tuple(words), tuple(dict.fromkeys(prefixes)))

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, texts: Iterable[str], analyzer: Analyzer) -> bool:
        """Whether the texts (a question's prompt, answer and choices) hold every topic word."""
        if not self.words:
            return False
        stems = set(analyzer.stems(analyzer.words(" ".join(texts))))
        return all(whole in stems or bool(parts and stems.issuperset(parts)) for whole, parts in self.words)


def _prefix(word: str, stem: str) -> str:
    """What every word with this stem starts with: Snowball rewrites at most a stem's last two
    letters (`policy`, `policies` → `polici`; `hoping` → `hope`), so those are left out."""
    if word.isalpha():
        stem = stem[:max(MIN_PREFIX, len(stem) - 2)]
    return os.path.commonprefix([word, stem])
