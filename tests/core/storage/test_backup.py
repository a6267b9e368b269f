"""`db backup` and `db restore` of the SQLite database (bot/core/storage/backup.py): a backup taken
during a burst of answers is a consistent database at the schema head holding every answer committed
before it began; a restore checks its file first and is refused while the database is open."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import BackupRefused, DatabaseInUse, StorageError
from bot.core.quiz.posts import QuizPosts
from bot.core.storage.backup import back_up, check_backup, restore
from bot.core.storage.database import SCHEMA_HEAD, create_engine, open_database, schema_is_current, session_factory, \
    upgrade
from tests.core.storage.answer_burst import AnswerBurst, new_post

SNAPSHOT_BYTES = 32 * 1024 * 1024  # an index snapshot this big makes the backup last while answers arrive


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'notesbot.sqlite3'}"


@pytest.fixture
async def engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = await open_database(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def answer_ids(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as db, db:
        return {answer for (answer,) in db.execute("SELECT id FROM quiz_answers")}


async def add_snapshot(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.exec_driver_sql("INSERT INTO index_snapshots (version, data, created_at) VALUES (1, ?, '2026')",
                                   (os.urandom(SNAPSHOT_BYTES),))


async def test_a_backup_during_a_burst_of_answers_holds_every_answer_committed_before_it(
    engine: AsyncEngine, url: str, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    await add_snapshot(engine)
    posts = QuizPosts(sessions)
    target = tmp_path / "backup.sqlite3"
    async with AnswerBurst(posts, await new_post(sessions)) as burst:
        await burst.until(100)
        began = time.monotonic()
        before = burst.ids_between(0, began)
        copied = await asyncio.to_thread(back_up, url, target)  # the writers go on meanwhile
        ended = time.monotonic()
        await burst.until(len(burst.committed) + 20)
    assert burst.ids_between(began, ended), "no answer was committed while the backup ran: it blocked the writers"
    assert copied.revision == SCHEMA_HEAD and copied.target == target

    kept = answer_ids(target)
    assert before <= kept  # every answer committed before the backup began
    assert kept < {answer for _, answer in burst.committed}  # a snapshot: the later ones are not in it
    with closing(sqlite3.connect(target)) as db, db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no -wal to carry along
    assert not Path(f"{target}-wal").exists()
    copy = create_engine(f"sqlite+aiosqlite:///{target}")
    try:
        assert await schema_is_current(copy)
    finally:
        await copy.dispose()


async def test_restore_is_refused_while_the_app_has_the_database_open_and_works_once_closed(
    engine: AsyncEngine, url: str, tmp_path: Path
) -> None:
    sessions = session_factory(engine)
    posts = QuizPosts(sessions)
    async with AnswerBurst(posts, await new_post(sessions), writers=1) as burst:
        await burst.until(10)
    backup = back_up(url, tmp_path / "backup.sqlite3").target
    async with AnswerBurst(posts, burst.post, writers=1, first_user=1000) as later:
        await later.until(5)
    live = Path(url.split("///", 1)[1])
    written = answer_ids(live)

    # the pool keeps the bot's connections open, idle: no write lock, but the database is in use
    with pytest.raises(DatabaseInUse, match="is in use"):
        await asyncio.to_thread(restore, url, backup)
    assert answer_ids(live) == written  # nothing changed

    await engine.dispose()
    copied = restore(url, backup)
    assert copied.revision == SCHEMA_HEAD
    assert answer_ids(live) == answer_ids(backup) < written  # the answers after the backup are gone
    with closing(sqlite3.connect(live)) as db, db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # as the bot runs it
    reopened = await open_database(url)
    try:
        assert await schema_is_current(reopened)
        assert (await QuizPosts(session_factory(reopened)).tally(burst.post.id)).answered == len(answer_ids(backup))
    finally:
        await reopened.dispose()


async def test_restore_is_refused_while_an_idle_sqlite3_connection_has_it_open(engine: AsyncEngine, url: str,
                                                                             tmp_path: Path) -> None:
    backup = back_up(url, tmp_path / "backup.sqlite3").target
    await engine.dispose()
    live = Path(url.split("///", 1)[1])
    reader = sqlite3.connect(live)
    try:
        reader.execute("SELECT count(*) FROM quiz_answers").fetchall()  # then idle, outside any transaction
        with pytest.raises(DatabaseInUse):
            restore(url, backup)
    finally:
        reader.close()
    restore(url, backup)


async def test_restore_into_a_new_data_folder_and_of_an_older_schema(tmp_path: Path) -> None:
    old_url = f"sqlite+aiosqlite:///{tmp_path / 'old' / 'notesbot.sqlite3'}"
    old = create_engine(old_url)
    try:
        await upgrade(old, "0007")
    finally:
        await old.dispose()
    backup = back_up(old_url, tmp_path / "old.sqlite3").target
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'data' / 'notesbot.sqlite3'}"
    assert restore(fresh, backup).revision == "0007"
    engine = await open_database(fresh)  # the next start migrates it
    try:
        assert await schema_is_current(engine)
    finally:
        await engine.dispose()


def sqlite_file(path: Path, *statements: str) -> Path:
    with closing(sqlite3.connect(path)) as db, db:
        for statement in statements:
            db.execute(statement)
    return path


NOTESBOT_TABLES = ("CREATE TABLE note_files (x)", "CREATE TABLE chunks (x)", "CREATE TABLE alembic_version (version_num)")


@pytest.mark.parametrize("make, why", [
    (lambda d: d / "missing.sqlite3", "is not a file"),
    (lambda d: (d / "notes.txt", (d / "notes.txt").write_text("# Pods\n"))[0], "is not a SQLite database"),
    (lambda d: sqlite_file(d / "other.sqlite3", "CREATE TABLE t (x)"), "is not a notesbot database"),
    (lambda d: sqlite_file(d / "newer.sqlite3", *NOTESBOT_TABLES, "INSERT INTO alembic_version VALUES ('0999')"),
     "written by a newer notesbot"),
    (lambda d: sqlite_file(d / "empty.sqlite3", *NOTESBOT_TABLES), "0 schema revisions"),
], ids=["missing", "text", "another-app", "newer-schema", "never-migrated"])
async def test_restore_checks_the_file_first_and_changes_nothing(make, why: str, engine: AsyncEngine, url: str,
                                                               tmp_path: Path) -> None:
    await engine.dispose()
    live = Path(url.split("///", 1)[1])
    before = live.read_bytes()
    with pytest.raises(BackupRefused, match=why):
        restore(url, make(tmp_path))
    assert live.read_bytes() == before


async def test_a_damaged_backup_is_refused(engine: AsyncEngine, url: str, tmp_path: Path) -> None:
    await add_snapshot(engine)
    backup = back_up(url, tmp_path / "backup.sqlite3").target
    data = bytearray(backup.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\xff" * 4096  # a page of garbage in the snapshot's overflow chain
    backup.write_bytes(bytes(data[: len(data) - 8192]))  # and cut short
    with pytest.raises(BackupRefused, match="damaged|cannot be read"):
        check_backup(backup)


async def test_backup_refusals(engine: AsyncEngine, url: str, tmp_path: Path) -> None:
    live = Path(url.split("///", 1)[1])
    with pytest.raises(BackupRefused, match="is the database itself"):
        back_up(url, live)
    (tmp_path / "a folder").mkdir()
    with pytest.raises(BackupRefused, match="cannot write the backup"):
        back_up(url, tmp_path / "a folder")
    with pytest.raises(BackupRefused, match="does not exist"):
        back_up(url, tmp_path / "no such folder" / "backup.sqlite3")
    with pytest.raises(StorageError, match="no database at"):
        back_up(f"sqlite+aiosqlite:///{tmp_path / 'nothing.sqlite3'}", tmp_path / "backup.sqlite3")
    assert not (tmp_path / "nothing.sqlite3").exists()  # looking did not create it
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []  # no partial file left


@pytest.mark.parametrize("command, tool", [(back_up, "pg_dump"), (restore, "pg_restore")])
def test_postgresql_is_pointed_at_its_own_tools(command, tool: str, tmp_path: Path) -> None:
    with pytest.raises(BackupRefused, match=f"DATABASE_URL is PostgreSQL: use {tool}"):
        command("postgresql+asyncpg://notesbot:secret@db.example/notesbot", tmp_path / "backup")
