"""Discord's message limits, and cutting text to fit them without breaking markdown.

Discord rejects a whole message (HTTP 400) when one part is too long, so every reply is built
within these numbers instead of hoping the notes are short. The values are Discord's documented
limits for bot messages.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

import discord

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
FIELDS = 25
ACTION_ROWS = 5
CUSTOM_ID = 100
CHOICES = 25
CHOICE_LENGTH = 100
ELLIPSIS = "…"

_BOUNDARY = re.compile(r"\s+")


def fit(raw: str, limit: int, render: Callable[[str], str] = lambda s: s,
        estimate: Callable[[str], Callable[[int], int]] | None = None) -> str:
    """The longest rendering of a word-boundary prefix of `raw` that fits in `limit` characters.

    `render` (escaping, bolding) is applied *after* cutting, so the cut never lands inside markup;
    an ellipsis marks a cut. A single word longer than the limit is cut mid-word as a last resort.
    `render` must never shorten its input (escaping and bolding only add), which makes the search
    cheap: only the first `limit` characters of `raw` can ever be shown, and the rendering grows
    with the prefix, so the longest fitting prefix is found by a search over the word boundaries.
    Rendering a passage is most of an answer's cost, so the search starts where the cut will
    probably be and gallops from there: about two or three renderings instead of ten.
    `estimate(raw)`, if given, returns a guess of the rendered length of `raw[:n]` for any `n`
    (only a guess: the result does not depend on it, only the number of renderings does); without
    it, the guess assumes the rendering grows evenly.
    """
    if limit <= 0:
        return ""
    if len(raw) <= limit:
        whole = render(raw)
        if len(whole) <= limit:
            return whole
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    raw = raw[: limit + 1]  # keeps a space right after the last character that could fit
    ends = [m.start() for m in _BOUNDARY.finditer(raw) if m.start() > 0]
    if ends:
        if estimate is not None:
            guess = estimate(raw)
            hint = _last_fitting(len(ends), len(ends) // 2, lambda i: guess(ends[i]) + len(ELLIPSIS) <= limit) or 0
        else:
            growth = max(1.0, len(render(raw)) / len(raw))  # characters rendered per raw character
            hint = bisect.bisect_right(ends, (limit - len(ELLIPSIS)) / growth) - 1
        rendered: dict[int, str] = {}

        def fits(i: int) -> bool:
            rendered[i] = render(raw[: ends[i]].rstrip()) + ELLIPSIS
            return len(rendered[i]) <= limit

        best = _last_fitting(len(ends), max(hint, 0), fits)
        if best is not None:
            return rendered[best]
    lo, hi, cut = 1, min(len(raw), limit), 0  # the first word alone is too long: cut inside it
    while lo <= hi:
        mid = (lo + hi) // 2
        if len(render(raw[:mid]) + ELLIPSIS) <= limit:
            cut, lo = mid, mid + 1
        else:
            hi = mid - 1
    return render(raw[:cut]) + ELLIPSIS if cut else ELLIPSIS


def _last_fitting(count: int, hint: int, fits: Callable[[int], bool]) -> int | None:
    """The largest i < count with fits(i), for a `fits` that is true up to some i and false
    after; galloping out from `hint` (a guess), then bisecting. None if not even fits(0)."""
    if fits(hint):
        lo, step = hint, 1
        while True:
            probe = lo + step
            if probe >= count or not fits(probe):
                hi = min(probe, count)
                break
            lo, step = probe, step * 2
    else:
        hi, step = hint, 1
        while True:
            probe = hi - step
            if probe < 0 or fits(probe):
                lo = max(probe, -1)
                break
            hi, step = probe, step * 2
    while hi - lo > 1:  # lo fits (or is -1), hi does not (or is count)
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo if lo >= 0 else None


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts towards an embed's 6,000 total (title, description, fields,
    footer text, author name)."""
    return len(embed)


def embed_fits(embed: discord.Embed) -> bool:
    """Whether an embed is within every one of Discord's embed limits."""
    data = embed.to_dict()
    fields = data.get("fields", [])
    return (
        len(data.get("title", "")) <= EMBED_TITLE
        and len(data.get("description", "")) <= EMBED_DESCRIPTION
        and len(fields) <= FIELDS
        and all(0 < len(f["name"]) <= FIELD_NAME and 0 < len(f["value"]) <= FIELD_VALUE for f in fields)
        and len(data.get("footer", {}).get("text", "")) <= FOOTER
        and embed_size(embed) <= EMBED_TOTAL
    )
