"""Where a question's matched words occur in a passage, as whole words, in any case.

A regex of the words would say the same (`(?<!\\w)(longest|…|short)(?!\\w)`, ignoring case), but
every question brings a new set of words, and compiling that regex cost more than the rest of
fitting a passage: finding each word in the lower-cased text does the same work. Used to choose
which lines of a passage to show (`excerpt`) and to bold the words in the shown text (the adapter's
rendering, on escaped text, where a word right after a backslash is not a word).
"""

from __future__ import annotations

import functools
import re

WordIndex = dict[str, list[tuple[int, str]]]  # first letter -> (length, word), longest first

_WORD_CHAR = re.compile(r"\w")
_ANY_START = re.compile(r"(?<!\w).", re.DOTALL)  # where a word may start
_ANY_START_UNESCAPED = re.compile(r"(?<![\w\\]).", re.DOTALL)


@functools.lru_cache(maxsize=1024)
def word_index(words: frozenset[str]) -> WordIndex:
    """The words by their first letter (lower case), longest first; made once per set of words."""
    index: WordIndex = {}
    for word in sorted({w.lower() for w in words if w}, key=len, reverse=True):
        index.setdefault(word[0], []).append((len(word), word))
    return index


def word_spans(text: str, index: WordIndex, *, escaped: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each whole-word occurrence, left to right, not overlapping: where several
    words start at one place the longest wins, and the scan goes on after it, like the regex.
    With `escaped` (markdown-escaped text), a word right after a backslash does not count."""
    if not index:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: compare in place
        return _word_spans_slowly(text, index, escaped)
    found: list[tuple[int, int]] = []  # (start, -length): every whole-word occurrence of a word
    size = len(text)
    for words in index.values():
        for length, word in words:
            start = lowered.find(word)
            while start >= 0:  # `c.isalnum() or c == "_"` is exactly `\w` (every code point), and cheaper
                end = start + length
                before = text[start - 1] if start else " "
                after = text[end] if end < size else " "
                if not (before.isalnum() or before == "_" or (escaped and before == "\\")
                        or after.isalnum() or after == "_"):
                    found.append((start, -length))
                start = lowered.find(word, start + 1)
    spans: list[tuple[int, int]] = []
    resume = 0
    for start, negative_length in sorted(found):  # by start, the longest first
        if start >= resume:
            resume = start - negative_length
            spans.append((start, resume))
    return spans


def _word_spans_slowly(text: str, index: WordIndex, escaped: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    resume = 0
    for match in (_ANY_START_UNESCAPED if escaped else _ANY_START).finditer(text):
        start = match.start()
        if start < resume:
            continue
        for length, word in index.get(text[start].lower(), ()):
            end = start + length
            if text[start:end].lower() == word and (end == len(text) or not _WORD_CHAR.match(text, end)):
                spans.append((start, end))
                resume = end
                break
    return spans
