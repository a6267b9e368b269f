"""`python -m bot db backup FILE` and `db restore FILE` as an operator runs them, next to the app
writing: the backup taken during a burst of answers opens at the schema head with every answer
committed before it began; a restore is refused (exit 3, one line) while the database is open."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.quiz.posts import QuizPosts
from bot.core.storage.database import SCHEMA_HEAD, create_engine, open_database, session_factory, upgrade
from tests.cli import cli_env, run
from tests.core.storage.answer_burst import AnswerBurst, new_post

NOTES = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(NOTES, tmp_path / "data")


@pytest.fixture
def live(tmp_path: Path) -> Path:
    return tmp_path / "data" / "notesbot.sqlite3"  # DATA_DIR's default database


@pytest.fixture
async def engine(live: Path) -> AsyncIterator[AsyncEngine]:
    """The app's engine on that database, as the running bot holds it."""
    engine = await open_database(f"sqlite+aiosqlite:///{live}")
    try:
        yield engine
    finally:
        await engine.dispose()


def answers(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as db:
        return {answer for (answer,) in db.execute("SELECT id FROM quiz_answers")}


async def bot_command(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`python -m bot ARGS` without blocking the event loop (the app keeps writing meanwhile)."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env,
                                                   cwd=Path(env["DATA_DIR"]).parent,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_db_backup_during_a_burst_of_answers(env: dict[str, str], engine: AsyncEngine, live: Path,
                                                   tmp_path: Path) -> None:
    sessions = session_factory(engine)
    target = tmp_path / "backups" / "notesbot-monday.sqlite3"
    target.parent.mkdir()
    post = await new_post(sessions)
    # A long read (a leaderboard, say) open all along: no checkpoint can move the burst's answers
    # from the -wal file into the database file, so a copy of that file would hold none of them.
    with closing(sqlite3.connect(live, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM quiz_answers").fetchall()
        async with AnswerBurst(QuizPosts(sessions), post) as burst:
            await burst.until(50)
            began = time.monotonic()
            before = burst.ids_between(0, began)
            code, out, err = await bot_command(env, "db", "backup", str(target))
            await burst.until(len(burst.committed) + 20)  # still answering after it
        reader.execute("COMMIT")
    assert code == 0, err
    assert out.startswith(f"backed up {live} (schema {SCHEMA_HEAD}, ") and out.rstrip().endswith(f"to {target}")
    assert before <= answers(target)
    restored_env = cli_env(NOTES, tmp_path / "elsewhere")  # the backup as another machine's database
    assert run(restored_env, "db", "restore", str(target)).returncode == 0
    current = run(restored_env, "db", "current")
    assert (current.returncode, current.stdout.strip()) == (0, SCHEMA_HEAD)


async def test_db_restore_is_refused_while_the_database_is_open(env: dict[str, str], engine: AsyncEngine,
                                                                live: Path, tmp_path: Path) -> None:
    sessions = session_factory(engine)
    async with AnswerBurst(QuizPosts(sessions), await new_post(sessions), writers=1) as burst:
        await burst.until(5)
    backup = tmp_path / "backup.sqlite3"
    assert run(env, "db", "backup", str(backup)).returncode == 0
    async with AnswerBurst(QuizPosts(sessions), burst.post, writers=1, first_user=1000) as later:
        await later.until(5)
    written = answers(live)

    refused = run(env, "db", "restore", str(backup))  # the engine's pooled connections are open, idle
    assert refused.returncode == 3 and refused.stdout == ""
    assert refused.stderr.strip() == (f"notesbot: error: the database {live} is in use (the bot, or another "
                                      "command, has it open): stop it, then restore")
    assert answers(live) == written

    await engine.dispose()  # the bot stopped
    restored = run(env, "db", "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip().startswith(f"restored {backup} (schema {SCHEMA_HEAD}, ")
    assert answers(live) == answers(backup) < written


async def test_restoring_an_older_schema_says_to_upgrade(env: dict[str, str], tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{old}")
    try:
        await upgrade(engine, "0007")
    finally:
        await engine.dispose()
    restored = run(env, "db", "restore", str(old))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.splitlines()[-1] == (f"its schema is older than this version's ({SCHEMA_HEAD}): "
                                                "run python -m bot db upgrade")


@pytest.mark.parametrize("args, line", [
    (("db", "backup", "b.sqlite3"), "notesbot: error: db backup copies SQLite databases; DATABASE_URL is "
                                    "PostgreSQL: use pg_dump -Fc -f FILE"),
    (("db", "restore", "b.sqlite3"), "notesbot: error: db restore copies SQLite databases; DATABASE_URL is "
                                     "PostgreSQL: use pg_restore --clean -d DBNAME FILE"),
])
def test_postgresql_is_one_line_and_exit_2(args: tuple[str, ...], line: str, env: dict[str, str]) -> None:
    result = run({**env, "DATABASE_URL": "postgresql://notesbot:secret@db.example/notesbot"}, *args)
    assert (result.returncode, result.stdout, result.stderr.strip()) == (2, "", line)


def test_restoring_a_file_that_is_not_a_notesbot_database_is_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    notes = tmp_path / "pods.md"
    notes.write_text("# Pods\n")
    result = run(env, "db", "restore", str(notes))
    assert (result.returncode, result.stderr.strip()) == (2, f"notesbot: error: {notes} is not a SQLite database")
    assert not (tmp_path / "data").exists()  # nothing was created
