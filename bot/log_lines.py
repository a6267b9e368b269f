"""Expected errors in the log as one line each, never a traceback.

Some code logs a failure it survives with its traceback (`exc_info`), because a failure there is
usually a bug. When the error is one of ours (`NotesBotError`: a full disk, a database gone), its
message already says all an operator needs, and a traceback of a hundred lines on every start
would only hide it.
"""

from __future__ import annotations

import logging

from bot.core.errors import NotesBotError


class ExpectedErrorsInOneLine(logging.Filter):
    """Put a `NotesBotError` logged with its traceback on the record's line instead (add this to
    every handler: a handler filter sees the records of every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, NotesBotError):
            record.msg, record.args = f"{record.getMessage()}: {error}", None
            record.exc_info = record.exc_text = None
        return True
