"""LOG_FORMAT=json: one JSON object per log line, for log pipelines (Loki, Elasticsearch, Cloud
Logging) that would otherwise have to parse free text, and where a traceback must stay one record.

Each object has `time` (UTC, ISO 8601), `level`, `logger` and `message`; `event` (the fields of a
command's line, bot/adapter/events.py) when the record has one; `error` with the traceback when it
has one. Filters on the handlers (the token's redaction, ExpectedErrorsInOneLine) run before the
formatter, so what they rewrite is what is written.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

LOG_FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        event = getattr(record, "event", None)
        if isinstance(event, dict):
            line["event"] = event
        if record.exc_info and not record.exc_text:  # as logging.Formatter does: a filter may have set it
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["error"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def use_log_format(log_format: str, handlers: list[logging.Handler] | None = None) -> None:
    """Write `handlers` (default: the root logger's) as JSON when `log_format` is "json"."""
    if log_format != "json":
        return
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.setFormatter(JsonFormatter())
