"""The `/progress` picture: the last 12 weeks as a grid of days, like a contribution calendar.

Columns are weeks (oldest left), rows Monday to Sunday; green = answered right that day, red =
answered but none right, grey = no answer. Drawn with Pillow's built-in font, so nothing is
downloaded and the PNG is the same on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from PIL import Image, ImageDraw

from bot.core.practice.scores import DayMark

CELL, GAP, MARGIN, TOP = 14, 3, 10, 22
COLOURS: dict[DayMark, tuple[int, int, int]] = {"right": (46, 160, 67), "wrong": (218, 54, 51), "none": (60, 63, 68)}
BACKGROUND, TEXT = (30, 31, 34), (220, 221, 222)


def cell_origin(index: int) -> tuple[int, int]:
    """Top-left pixel of the `index`-th day (0 = the first Monday)."""
    week, weekday = divmod(index, 7)
    return MARGIN + week * (CELL + GAP), TOP + weekday * (CELL + GAP)


def render_calendar(days: Sequence[tuple[date, DayMark]], title: str = "last 12 weeks") -> bytes:
    """PNG bytes of the calendar; `days` starts on a Monday (as `scores.calendar_days` gives it)."""
    weeks = max(1, -(-len(days) // 7))
    width = MARGIN * 2 + weeks * (CELL + GAP) - GAP
    height = TOP + 7 * (CELL + GAP) - GAP + MARGIN
    image = Image.new("RGB", (max(width, 140), height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 5), title, fill=TEXT)
    for i, (_day, mark) in enumerate(days):
        x, y = cell_origin(i)
        draw.rounded_rectangle((x, y, x + CELL - 1, y + CELL - 1), radius=3, fill=COLOURS[mark])
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
