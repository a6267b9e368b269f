"""The write-behind loop shared by the answer log and the review cards: a database that fails
keeps the rows and is retried, a bug does not end the writer, and shutdown writes what is left."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.exc import OperationalError

from bot.core.storage import write_behind
from bot.core.storage.write_behind import stop_and_flush, write_until_empty


class Rows:
    """Rows waiting to be written; `flush` fails with each of `failures` in turn, then writes them."""

    def __init__(self, count: int, failures: list[Exception]) -> None:
        self.waiting = count
        self.failures = failures
        self.calls = 0

    async def flush(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.waiting = 0

    def pending(self) -> int:
        return self.waiting


def locked() -> OperationalError:
    return OperationalError("INSERT", {}, Exception("database is locked"))


async def test_a_failing_database_keeps_the_rows_and_is_retried(monkeypatch: pytest.MonkeyPatch,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(write_behind, "RETRY_AFTER", 0.001)
    rows = Rows(3, [locked(), locked(), RuntimeError("a bug")])
    await asyncio.wait_for(write_until_empty(rows.flush, rows.pending, every=0.001, what="answers"), 5)
    assert rows.calls == 4 and rows.waiting == 0
    assert any("could not write 3 answers yet" in r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.ERROR and "writing 3 answers failed" in r.getMessage() for r in caplog.records)


async def test_shutdown_stops_the_writer_and_writes_what_is_left() -> None:
    rows = Rows(2, [])
    writer = asyncio.get_running_loop().create_task(
        write_until_empty(rows.flush, rows.pending, every=3600, what="answers"))  # would wait an hour
    await asyncio.sleep(0)
    await stop_and_flush(writer, rows.flush, rows.pending, what="answers")
    assert writer.cancelled() and rows.waiting == 0


async def test_shutdown_with_the_database_down_logs_instead_of_raising(caplog: pytest.LogCaptureFixture) -> None:
    rows = Rows(2, [locked()])
    await stop_and_flush(None, rows.flush, rows.pending, what="review cards")
    assert rows.waiting == 2
    assert any("could not write 2 review cards at shutdown" in r.getMessage() for r in caplog.records)
