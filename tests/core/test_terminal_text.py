"""Terminal escape sequences from notes never reach a terminal."""

import pytest

from bot.core.terminal_text import strip_control


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain words", "plain words"),
        ("lines\nand\ttabs", "lines\nand\ttabs"),
        ("a \x1b]0;title\x07b", "a b"),  # window title (OSC ended by BEL)
        ("a \x1b]8;;http://x\x1b\\link", "a link"),  # hyperlink (OSC ended by ST)
        ("\x1b[31mred\x1b[0m", "red"),  # colour (CSI)
        ("x\x1b[2Jy", "xy"),  # clear screen
        ("\x1bcreset", "reset"),  # two-character escape
        ("osc to the end \x1b]0;no end\nnext line", "osc to the end \nnext line"),
        ("c\rd\x08e\x07f\x00g\x7fh", "cdefgh"),
        ("c1 \x9b31m csi", "c1 31m csi"),
        ("\u202eevil\u202c \u2066iso\u2069", "evil iso"),
    ],
)
def test_strip_control(raw: str, shown: str) -> None:
    assert strip_control(raw) == shown
