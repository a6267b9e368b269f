"""Text from notes, file names and questions made safe to print on a terminal.

A note (or a file name) may hold escape sequences: `\\x1b]0;…` retitles the terminal window,
`\\x1b[31m` recolours it, others move the cursor or clear the screen, and bidirectional overrides
reorder what is shown. Printed raw, a note could disguise an answer or the terminal itself. These
are removed; newlines and tabs are kept. Used by every terminal front-end (ask, chat, logs of
file names); JSON output needs none of it (JSON escapes control characters).
"""

from __future__ import annotations

import re

# ESC followed by a CSI sequence, an OSC/DCS/APC/PM/SOS string (to BEL, ST or the line's end),
# or any single character (two-character escapes such as ESC c, which resets the terminal).
_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[^\n])?"
)
# Remaining C0 controls except tab and newline, DEL, C1 controls, bidirectional overrides/isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_control(text: str) -> str:
    """`text` without terminal control and escape sequences (newlines and tabs kept)."""
    if text.isprintable():  # the common case: nothing to do (newlines make this False)
        return text
    return _CONTROL.sub("", _ESCAPE.sub("", text))
