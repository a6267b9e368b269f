"""Where a note's source is code or an HTML comment, found without parsing the whole Markdown.

A reader sees code as written: `<p>` in an HTML example, `<!--` in a code span or `{#id}` in a
code block are shown, not removed as markup. And a comment hides everything in it, code too. So
`markup` removes tags, comments and anchors only outside these regions:

- fenced code blocks (a line of three or more backticks or tildes, at any indentation, up to the
  closing fence or the end), unless an HTML comment is open;
- code spans (a run of backticks up to the next run of the same length in the same paragraph);
- HTML comments (`<!--` to `-->`, or to the end when left open), unless inside code.

Whichever starts first wins, as in CommonMark. Every step moves forward through the text, so the
time is linear in its length (notes are written by anyone).
"""

from __future__ import annotations

import bisect
import re

Region = tuple[int, int, bool]  # (start, end, is_code); not code: an HTML comment

_FENCE = re.compile(r"^[ \t]*+(`{3,}+|~{3,}+)[^\n]*", re.MULTILINE)
_RUN = re.compile(r"`++")
_BLANK_LINE = re.compile(r"\n[ \t]*+(?=\n)")
_CLOSED_AT_START = re.compile(r"\A(?:(?!<!--).)*?-->[ \t]*$", re.DOTALL | re.MULTILINE)


def literal_regions(text: str) -> list[Region]:
    """Code and comment regions of `text`, in order, not overlapping. A text that starts inside a
    comment (a passage cut from its note) has the comment's end as its first region."""
    if "`" not in text and "~~~" not in text and "<!--" not in text and "-->" not in text:
        return []
    regions: list[Region] = []
    pos = 0
    if "-->" in text and (closed := _CLOSED_AT_START.match(text)):
        regions.append((0, closed.end(), False))
        pos = closed.end()
    while pos < len(text):
        fence = _next_fence(text, pos)
        limit = fence[0] if fence else len(text)
        inline, pos = _inline_regions(text, pos, limit)
        regions += inline
        if pos > limit or fence is None:  # a comment open across the fence hides it
            continue
        regions.append((fence[0], fence[1], True))
        pos = fence[1]
    return regions


def _next_fence(text: str, pos: int) -> tuple[int, int] | None:
    """The next fenced code block from `pos`: its opening line to its closing fence (or the end)."""
    match = _FENCE.search(text, pos)
    while match is not None and match.group(1)[0] == "`" and "`" in text[match.end(1):match.end()]:
        match = _FENCE.search(text, match.end())  # backticks after a backtick fence: code spans
    if match is None:
        return None
    mark = match.group(1)
    closing = re.compile(rf"^[ \t]*+{re.escape(mark[0])}{{{len(mark)},}}+[ \t]*+$", re.MULTILINE)
    close = closing.search(text, match.end())
    return match.start(), close.end() if close else len(text)


def _inline_regions(text: str, start: int, end: int) -> tuple[list[Region], int]:
    """Comments and code spans from `start` to `end` (no fence between), leftmost first, and where
    they stop: `end`, or further when a comment opened here closes after `end`."""
    if "`" not in text[start:end] and "<!--" not in text[start:end]:
        return [], end
    runs = [(m.start(), m.end()) for m in _RUN.finditer(text, start, end)]
    closer = _closers(text, runs, start, end)
    comments = [m.start() + start for m in re.finditer("<!--", text[start:end])]
    regions: list[Region] = []
    pos, r, c = start, 0, 0
    while True:
        while r < len(runs) and runs[r][0] < pos:
            r += 1
        while c < len(comments) and comments[c] < pos:
            c += 1
        if c < len(comments) and (r >= len(runs) or comments[c] < runs[r][0]):
            close = text.find("-->", comments[c] + 4)
            pos = len(text) if close == -1 else close + 3
            regions.append((comments[c], pos, False))
            if pos > end:
                return regions, pos
        elif r < len(runs):
            target = closer[r]
            if target is None or _escaped(text, runs[r][0]):
                pos = runs[r][1]
            else:
                pos = runs[target][1]
                regions.append((runs[r][0], pos, True))
        else:
            return regions, end


def _closers(text: str, runs: list[tuple[int, int]], start: int, end: int) -> list[int | None]:
    """For each backtick run, the next run of the same length in the same paragraph (or None)."""
    blanks = [m.start() for m in _BLANK_LINE.finditer(text, start, end)]
    closer: list[int | None] = [None] * len(runs)
    last: dict[tuple[int, int], int] = {}  # (paragraph, length) -> index of the nearest run after
    for i in range(len(runs) - 1, -1, -1):
        key = (bisect.bisect_right(blanks, runs[i][0]), runs[i][1] - runs[i][0])
        closer[i] = last.get(key)
        last[key] = i
    return closer


def _escaped(text: str, position: int) -> bool:
    """A backtick after an odd number of backslashes is a literal one."""
    count = 0
    while position > count and text[position - count - 1] == "\\":
        count += 1
    return count % 2 == 1
