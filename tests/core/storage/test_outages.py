"""A database that refuses a read or write raises one `DatabaseUnavailable` (read-only, full,
gone), whatever the driver; errors that are not outages keep their own types; the index's lock
needs no write, so a read-only database can be read under it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import DatabaseUnavailable
from bot.core.storage.database import create_engine, session_factory, upgrade
from bot.core.storage.repositories import NotesRepository
from tests.outages import DatabaseSwitch

T0 = datetime(2025, 11, 25, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[Path]:
    """A SQLite database at the newest schema, with an index state row; closed."""
    path = tmp_path / "notesbot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            await NotesRepository(session).save_index_state(built_at=T0, parameters={}, file_count=0, chunk_count=0)
    finally:
        await engine.dispose()
    yield path


async def test_a_read_only_database_reads_and_refuses_writes_as_unavailable(sqlite_file: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///file:{sqlite_file}?mode=ro&uri=true")
    try:
        async with session_factory(engine)() as session:
            repo = NotesRepository(session)
            await repo.lock_index()  # nothing to lock for a database nobody here can write
            assert (await repo.index_state()) is not None
            with pytest.raises(DatabaseUnavailable) as caught:
                await repo.save_index_state(built_at=T0, parameters={}, file_count=1, chunk_count=1)
        assert caught.value.read_only and caught.value.problem == "it is read-only"
        assert str(caught.value).startswith("the database at sqlite+aiosqlite:///file")
        assert str(caught.value).endswith("is unavailable: it is read-only (attempt to write a readonly database)")
    finally:
        await engine.dispose()


async def test_a_full_database_is_unavailable_and_keeps_nothing_of_the_write(sqlite_file: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{sqlite_file}")

    @event.listens_for(engine.sync_engine, "connect")
    def no_room_left(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA page_count")
        cursor.execute(f"PRAGMA max_page_count={cursor.fetchone()[0]}")
        cursor.close()

    try:
        with pytest.raises(DatabaseUnavailable, match=r"its disk is full \(database or disk is full\)$"):
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE index_state SET file_count = 7"))
                await conn.execute(text("INSERT INTO index_snapshots (version, data, created_at) "
                                        "VALUES (1, zeroblob(1000000), '2025-01-01')"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT file_count FROM index_state"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_errors_that_are_not_outages_keep_their_types(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as session:
        await NotesRepository(session).save_index_state(built_at=T0, parameters={}, file_count=0, chunk_count=0)
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO index_state (id, version, built_at, parameters, file_count, "
                                    "chunk_count) SELECT id, version, built_at, parameters, 0, 0 FROM index_state"))
    with pytest.raises((OperationalError, ProgrammingError)):  # a bug, not an outage
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM no_such_table"))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_postgres_server_that_goes_away_is_unavailable_then_serves_again(database_url: str) -> None:
    async with DatabaseSwitch(database_url) as switch:
        engine = create_engine(switch.url)
        try:
            async with engine.connect() as conn:  # a pooled connection, cut below
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
            await switch.off(None)  # type: ignore[arg-type]  # the proxy needs no app
            for _ in range(2):  # the pooled connection, then a new one
                with pytest.raises(DatabaseUnavailable, match="is unavailable: it cannot be reached"):
                    async with engine.connect() as conn:
                        await conn.execute(text("SELECT 1"))
            await switch.on()
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        finally:
            await engine.dispose()
