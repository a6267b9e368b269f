"""Engines, connection checks and start-up: failures are one clean, password-free line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import StorageError
from bot.core.storage.database import (
    check_connection,
    create_engine,
    current_revision,
    downgrade,
    SCHEMA_HEAD,
    head_revision,
    open_database,
    session_factory,
    upgrade,
)

PASSWORD = "s3cret-pass"


def assert_clean(exc: StorageError) -> None:
    message = str(exc)
    assert "\n" not in message
    assert PASSWORD not in message
    assert "Traceback" not in message and "sqlalche.me" not in message and "[SQL" not in message
    assert exc.__suppress_context__ and exc.__cause__ is None


async def test_sqlite_engine_creates_its_folder_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "notes.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        assert path.parent.is_dir()
        await check_connection(engine)
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()


def test_bare_urls_get_async_drivers(tmp_path: Path) -> None:
    sqlite = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    postgres = create_engine(f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/x")
    assert sqlite.url.drivername == "sqlite+aiosqlite"
    assert postgres.url.drivername == "postgresql+asyncpg"


@pytest.mark.parametrize("url", ["not a url", f"nosuchdb+driver://u:{PASSWORD}@h/d"])
def test_unusable_urls_are_storage_errors(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        create_engine(url)
    assert_clean(caught.value)


async def test_unreachable_server_fails_fast_with_one_clean_line() -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:1/x")
    try:
        with pytest.raises(StorageError) as caught:
            await check_connection(engine)
    finally:
        await engine.dispose()
    assert str(caught.value).startswith(
        "cannot reach the database at postgresql+asyncpg://postgres:***@127.0.0.1:1/x: "
    )
    assert_clean(caught.value)


async def test_a_silent_server_times_out() -> None:
    """A server that accepts TCP but never answers (e.g. a firewall) must not hang the bot."""
    accepted: list[asyncio.StreamWriter] = []

    async def stay_silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    engine = create_engine(f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:{port}/x")
    try:
        with pytest.raises(StorageError, match=r": timed out$") as caught:
            await check_connection(engine, timeout=0.5)
        assert_clean(caught.value)
    finally:
        await engine.dispose()
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_sqlite_that_cannot_be_opened_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "folder.sqlite3").mkdir()  # a folder where the file should be
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'folder.sqlite3'}")
    try:
        with pytest.raises(StorageError, match="^cannot reach the database at sqlite") as caught:
            await check_connection(engine)
        assert "\n" not in str(caught.value)
    finally:
        await engine.dispose()


async def test_open_database_migrates_to_head(database_url: str) -> None:
    engine = await open_database(database_url)
    try:
        assert await current_revision(engine) == head_revision()
        async with session_factory(engine)() as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_without_auto_migrate_an_old_schema_is_refused_and_left_alone(database_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        opened = await open_database(database_url, migrate=False)  # never migrated
        await opened.dispose()
    assert str(caught.value) == (f"the database schema is at no revision, this version needs {SCHEMA_HEAD}: run "
                                 "`python -m bot db upgrade` first (AUTO_MIGRATE is off)")
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) is None  # nothing was migrated
        await upgrade(engine, "0007")
        with pytest.raises(StorageError, match="^the database schema is at 0007, this version needs"):
            await open_database(database_url, migrate=False)
        await upgrade(engine)
        current = await open_database(database_url, migrate=False)  # at head: it opens
        await current.dispose()
    finally:
        await engine.dispose()


async def test_open_database_on_an_unreachable_server_raises_storage_error() -> None:
    with pytest.raises(StorageError) as caught:
        await open_database(f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:1/x")
    assert_clean(caught.value)


def test_sessions_keep_objects_readable_after_commit(engine: AsyncEngine) -> None:
    assert session_factory(engine).kw["expire_on_commit"] is False


async def test_a_database_from_a_newer_notesbot_is_refused(engine: AsyncEngine, database_url: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for attempt in (open_database(database_url), upgrade(engine), downgrade(engine, "base")):
        with pytest.raises(StorageError) as caught:
            opened = await attempt
            await opened.dispose()
        assert "the database was written by a newer notesbot" in str(caught.value)
        assert str(caught.value).endswith("; upgrade it")
        assert "\n" not in str(caught.value)
    async with engine.connect() as conn:  # refused before anything was touched
        assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one() == "9999"
