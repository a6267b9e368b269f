"""The migrations build exactly the models' schema, both ways, on every backend."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import StorageError
from bot.core.storage.database import (
    MIGRATIONS_DIR,
    REPO_DIR,
    alembic_config,
    create_engine,
    current_revision,
    downgrade,
    head_revision,
    run_migration_connection,
    upgrade,
)
from bot.core.storage.models import Base

APP_TABLES = set(Base.metadata.tables)
HEAD = head_revision()


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def version_rows(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        result = await conn.exec_driver_sql("SELECT version_num FROM alembic_version")
        return [row[0] for row in result]


async def test_upgrade_creates_the_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        assert await table_names(engine) == APP_TABLES | {"alembic_version"}
        assert await current_revision(engine) == HEAD
        await upgrade(engine)  # already at head: nothing to do
        assert await version_rows(engine) == [HEAD]
    finally:
        await engine.dispose()


async def test_processes_starting_together_migrate_one_after_the_other(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        assert await version_rows(engines[0]) == [HEAD]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_downgrade_to_base_then_upgrade_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    assert await table_names(engine) == {"alembic_version"}
    assert await version_rows(engine) == []
    assert await current_revision(engine) is None

    await upgrade(engine)
    assert await table_names(engine) == APP_TABLES | {"alembic_version"}
    assert await version_rows(engine) == [HEAD]


async def test_every_revision_downgrades_to_exactly_the_schema_before_it(database_url: str) -> None:
    revisions = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    revisions.reverse()  # base first
    assert revisions[0] == "0001" and revisions[-1] == HEAD
    engine = create_engine(database_url)
    try:
        schemas = {}
        for revision in revisions:
            await upgrade(engine, revision)
            schemas[revision] = await table_names(engine)
        for previous, revision in reversed(list(zip(["base", *revisions], revisions))):
            assert await current_revision(engine) == revision
            await downgrade(engine, "-1")
            expected = schemas.get(previous, {"alembic_version"})
            assert await table_names(engine) == expected, f"downgrade {revision} -> {previous}"
        assert await version_rows(engine) == []
    finally:
        await engine.dispose()


async def test_models_agree_with_migrations(engine: AsyncEngine) -> None:
    def differences(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_every_constraint_has_its_conventional_name(engine: AsyncEngine) -> None:
    def reflected(conn: Connection) -> dict[str, set[str | None]]:
        inspector = inspect(conn)
        names: dict[str, set[str | None]] = {}
        for table in APP_TABLES:
            found = {inspector.get_pk_constraint(table)["name"]}
            found |= {uq["name"] for uq in inspector.get_unique_constraints(table)}
            found |= {fk["name"] for fk in inspector.get_foreign_keys(table)}
            found |= {ck["name"] for ck in inspector.get_check_constraints(table)}
            found |= {ix["name"] for ix in inspector.get_indexes(table)
                      if "duplicates_constraint" not in ix}
            names[table] = found
        return names

    expected = {
        table.name: {item.name for item in (*table.constraints, *table.indexes)}
        for table in Base.metadata.tables.values()
    }
    async with engine.connect() as conn:
        assert await conn.run_sync(reflected) == expected
    assert expected["chunks"] == {
        "pk_chunks",
        "uq_chunks_chunk_id",
        "uq_chunks_file_id_ordinal",
        "fk_chunks_file_id_note_files",
    }
    assert "ck_index_state_singleton" in expected["index_state"]


async def test_a_failed_migration_leaves_no_trace(engine: AsyncEngine) -> None:
    def half_done(conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
        conn.exec_driver_sql("DELETE FROM alembic_version")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError):
        await run_migration_connection(engine, half_done)
    assert "half_done" not in await table_names(engine)
    assert await version_rows(engine) == [HEAD]


async def test_sqlite_foreign_keys_are_back_on_after_migrating(tmp_path: Path) -> None:
    """Migrations switch SQLite foreign keys off; the pooled connection must get them back."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fk.sqlite3'}")
    try:
        await upgrade(engine)
        await downgrade(engine, "base")
        for _ in range(3):  # whichever pooled connection we get
            async with engine.connect() as conn:
                assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await engine.dispose()


async def test_unknown_revision_is_a_storage_error(engine: AsyncEngine) -> None:
    with pytest.raises(StorageError, match="cannot downgrade the database schema to nope at .*: "):
        await downgrade(engine, "nope")


def test_alembic_config_ignores_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = alembic_config("postgresql+asyncpg://u:p%40ss@h/d")
    assert Path(config.get_main_option("script_location") or "") == MIGRATIONS_DIR
    assert config.get_main_option("sqlalchemy.url") == "postgresql+asyncpg://u:p%40ss@h/d"
    assert HEAD is not None
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def run_alembic(*args: str, cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO_DIR / "alembic.ini"), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


async def test_the_alembic_cli_uses_the_bot_database_url(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli' / 'notesbot.sqlite3'}"
    done = run_alembic("upgrade", "head", cwd=tmp_path, database_url=url)
    assert done.returncode == 0, done.stderr
    engine = create_engine(url)
    try:
        assert await current_revision(engine) == HEAD
        assert APP_TABLES <= await table_names(engine)
    finally:
        await engine.dispose()

    offline = run_alembic("upgrade", "head", "--sql", cwd=tmp_path, database_url=url)
    assert offline.returncode == 0, offline.stderr
    assert "CREATE TABLE note_files" in offline.stdout


def test_schema_head_constant_matches_the_migrations() -> None:
    # open_database skips Alembic when the database is at SCHEMA_HEAD: it must be the real head
    from bot.core.storage.database import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()
