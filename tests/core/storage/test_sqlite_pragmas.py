"""Every SQLite connection runs in WAL mode with synchronous=NORMAL, a busy timeout and foreign
keys on: a burst of answers must not wait for fsyncs or block readers (docs/discord.md, bursts)."""

from __future__ import annotations

from pathlib import Path

from bot.core.storage.database import SQLITE_BUSY_TIMEOUT, create_engine


async def test_every_sqlite_connection_gets_the_burst_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db' / 'notes.sqlite3'}")
    try:
        async with engine.connect() as first, engine.connect() as second:  # two pooled connections
            for conn in (first, second):
                pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}")  # noqa: E731
                assert (await pragma("journal_mode")).scalar() == "wal"
                assert (await pragma("synchronous")).scalar() == 1  # NORMAL
                assert (await pragma("busy_timeout")).scalar() == int(SQLITE_BUSY_TIMEOUT * 1000)
                assert (await pragma("foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()
