"""The part of a passage that answers: the lines around the matched words, cited exactly.

A chunk can be longer than the room a front-end has for it (a Discord embed field holds 1,024
characters). Cutting its end shows the start, and the sentence that answers is often cut off. So
when a passage does not fit, `excerpt` picks the run of whole lines that fits and holds the most
matched words (the earliest such run on ties) and narrows the citation to those lines. Only when
one line alone is longer than the room is that line cut, around its first match, with ellipses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.search.answering import Passage
from bot.core.search.whole_words import word_index, word_spans

ELLIPSIS = "…"


@dataclass(frozen=True)
class Excerpt:
    text: str
    start_line: int
    end_line: int


def excerpt(text: str, start_line: int, matched: Sequence[str], room: int) -> Excerpt:
    """The lines of `text` (which starts at `start_line`) to show in `room` characters."""
    lines = text.split("\n")
    end_line = start_line + len(lines) - 1
    if len(text) <= room or room <= 0:
        return Excerpt(text, start_line, end_line)
    hits, firsts = _hits_per_line(text, lines, matched)
    return lines_to_show(lines, hits, firsts, start_line, room)


def lines_to_show(lines: Sequence[str], hits: Sequence[int], firsts: Sequence[int], start_line: int,
                  room: int) -> Excerpt:
    """The run of whole `lines` that fits `room` with the most matched words (`hits` per line,
    `firsts`: where each line's first one starts), or the richest line cut around its first."""
    best = (-1, 0, 0)  # (matches, first line, end line exclusive)
    first, size, count = 0, 0, 0
    for last, line in enumerate(lines):  # a sliding window of whole lines that fits the room
        size += len(line) + (1 if last > first else 0)
        count += hits[last]
        while size > room and first <= last:
            size -= len(lines[first]) + (1 if first < last else 0)
            count -= hits[first]
            first += 1
        if first <= last and count > best[0]:
            best = (count, first, last + 1)
    count, a, b = best
    richest = max(range(len(lines)), key=lambda i: (hits[i], -i))
    if count < hits[richest]:  # a line too long for the room holds more matches: cut it
        return Excerpt(_cut_line(lines[richest], firsts[richest], room), start_line + richest, start_line + richest)
    while a < b - 1 and not lines[a].strip():  # never start or end on a blank line
        a += 1
    while b - 1 > a and not lines[b - 1].strip():
        b -= 1
    return Excerpt("\n".join(lines[a:b]), start_line + a, start_line + b - 1)


def fit_passage(passage: Passage, room: int) -> Passage:
    """`passage` as shown in `room` characters: its excerpt, with the citation narrowed to it."""
    shown = excerpt(passage.text, passage.start_line, passage.matched, room)
    if shown.text == passage.text:
        return passage
    return replace(passage, text=shown.text, start_line=shown.start_line, end_line=shown.end_line)


def _hits_per_line(text: str, lines: Sequence[str], matched: Sequence[str]) -> tuple[list[int], list[int]]:
    """Per line: how many matched words it holds, and where its first one starts (0 if none).
    The words are found once in the whole text (a word never spans lines)."""
    hits, firsts = [0] * len(lines), [0] * len(lines)
    spans = word_spans(text, word_index(frozenset(matched))) if matched else []
    line, line_start, line_end = 0, 0, len(lines[0])
    for start, _ in spans:
        while start > line_end:  # the span starts on a later line
            line += 1
            line_start, line_end = line_end + 1, line_end + 1 + len(lines[line])
        if not hits[line]:
            firsts[line] = start - line_start
        hits[line] += 1
    return hits, firsts


def _cut_line(line: str, centre: int, room: int) -> str:
    """`room` characters of `line` around `centre` (its first match), cut at spaces where it can be."""
    width = max(room - 2 * len(ELLIPSIS), 1)
    start = max(0, min(centre - width // 3, len(line) - width))
    end = min(len(line), start + width)
    if start > 0 and (space := line.find(" ", start, centre)) != -1:
        start = space + 1  # begin at a word
    if end < len(line) and (space := line.rfind(" ", max(start, centre), end)) > start:
        end = space  # end after a whole word
    return (ELLIPSIS if start > 0 else "") + line[start:end].strip() + (ELLIPSIS if end < len(line) else "")
