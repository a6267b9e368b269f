"""The /progress picture is a real PNG whose cells have the day's colour."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.core.practice.calendar_image import CELL, COLOURS, cell_origin, render_calendar


def test_each_day_is_drawn_in_its_colour() -> None:
    first = date(2026, 2, 16)
    days = [(first + timedelta(days=i), "none") for i in range(84)]
    days[0], days[8], days[83] = (days[0][0], "right"), (days[8][0], "wrong"), (days[83][0], "right")
    png = render_calendar(days)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert png.startswith(b"\x89PNG") and image.width >= 12 * CELL and image.height >= 7 * CELL

    def colour(index: int) -> tuple[int, int, int]:
        x, y = cell_origin(index)
        return image.getpixel((x + CELL // 2, y + CELL // 2))

    assert colour(0) == COLOURS["right"] and colour(8) == COLOURS["wrong"] and colour(83) == COLOURS["right"]
    assert colour(1) == COLOURS["none"]
    assert cell_origin(8) == (cell_origin(1)[0] + CELL + 3, cell_origin(1)[1])  # next week, same weekday
