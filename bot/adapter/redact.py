"""Keeping the bot token out of every log line.

discord.py does not log the token, but a library's debug line or an exception message might quote
a request one day; a leaked token lets anyone act as the bot. The filter sits on the handlers (a
filter on a logger would not see its children's records) and rewrites the message, the formatted
traceback and the stack of any record that contains the token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

REDACTED = "[REDACTED]"


class RedactSecret(logging.Filter):
    """Replace `secret` by "[REDACTED]" in a record's message, traceback and stack."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
            message = str(record.msg)
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, REDACTED), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, REDACTED)
        if record.stack_info and self.secret in record.stack_info:
            record.stack_info = record.stack_info.replace(self.secret, REDACTED)
        return True


def install_redactor(secret: str, handlers: list[logging.Handler] | None = None) -> Callable[[], None]:
    """Add the filter to `handlers` (default: the root logger's); returns a function removing it."""
    targets = list(logging.getLogger().handlers if handlers is None else handlers)
    redactor = RedactSecret(secret)
    for handler in targets:
        handler.addFilter(redactor)

    def uninstall() -> None:
        for handler in targets:
            handler.removeFilter(redactor)

    return uninstall
