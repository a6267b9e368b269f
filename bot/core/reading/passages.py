"""A passage as a front-end shows it: the excerpt around its matched words, read as a reader sees
it, and written to fit the room the front-end has.

The citation is the excerpt's exact source lines (`search.excerpt`); what is shown is those lines
of the passage as rendered, read from the whole passage, so an excerpt that begins inside a code
block still shows code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.reading.model import ELLIPSIS, Doc, Paragraph, Text
from bot.core.reading.parse import read_passage
from bot.core.reading.shape import between, cut, first_match, size, skip, without_title
from bot.core.search.answering import Passage
from bot.core.search.excerpt import fit_passage


def shown_passage(passage: Passage, room: int) -> tuple[Passage, Doc]:
    """The excerpt of `passage` for `room` characters of source (the passage with its citation
    narrowed to it) and what a reader sees of those lines."""
    shown = fit_passage(passage, room)
    return shown, passage_doc(passage.text, passage.start_line, shown.start_line, shown.end_line,
                              passage.matched, room)


def passage_doc(text: str, first_line: int, start: int, end: int, matched: Sequence[str], room: int) -> Doc:
    """What a reader sees of lines `start`..`end` of a passage (`text`, from line `first_line`),
    its heading left to the title; a long line is shown from near its first matched word."""
    doc = without_title(between(read_passage(text, first_line), start, end))
    offset = first_match(doc, matched)
    if offset is not None and offset > room // 2:  # only as far as needed to fit, never past it
        if (count := min(offset - room // 4, size(doc) - room)) > 0:
            doc = skip(doc, count)
    return doc


def fit(doc: Doc, limit: int, write: Callable[[Doc], str]) -> str:
    """The longest written beginning of `doc` within `limit` characters: whole when it fits, else
    cut at a space (a code block at a line) with an ellipsis, every mark closed."""
    if limit <= len(ELLIPSIS):
        whole = write(doc)
        return whole if len(whole) <= limit else ELLIPSIS[:max(limit, 0)]
    return write(fit_doc(doc, limit, write)) if doc.blocks else write(doc)


def fit_doc(doc: Doc, limit: int, write: Callable[[Doc], str]) -> Doc:
    """The longest beginning of `doc` whose writing is within `limit` characters (`cut` by a
    search over its length: longer cuts write longer, with few exceptions, and each is checked)."""
    whole = len(write(doc))
    if whole <= limit:
        return doc
    total = size(doc)
    lo, hi, best = -1, total, Doc((Paragraph((Text(ELLIPSIS, 0),)),))  # cut(lo) fits, cut(hi) does not
    mid = min(total - 1, total * limit // max(whole, 1))  # a first guess: the writing grows evenly
    while hi - lo > 1:
        candidate = cut(doc, mid)
        if len(write(candidate)) <= limit:
            lo, best = mid, candidate
        else:
            hi = mid
        mid = (lo + hi) // 2
    return best
