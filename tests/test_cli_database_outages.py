"""The command line on a database it cannot write: read-only, or on a full disk. A start with
nothing to change needs no write; a change that cannot be stored is one line and exit 3, and the
answers come from the index as last stored.

The read-only file is made with chmod; as root (which chmod does not stop) with the immutable
attribute (chattr +i) as well; where neither holds, with SQLite's own read-only mode (mode=ro).
The full disk is SQLite's `PRAGMA max_page_count`, set on every connection to the file's size.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from tests.cli import cli_env, run

CLAIM = "# PersistentVolumeClaim\n\nA claim asks for storage of a given size.\n"
OKAPIS = "# Okapis\n\n" + "\n\n".join(
    f"## Okapi fact {i}\n\n" + " ".join(f"okapis{i} roam forest{j} clearing{i * j}" for j in range(60))
    for i in range(40)) + "\n"  # large enough to need new pages

# `python -c FULL_DISK ARGS`: the command line, on a database that cannot grow (a full disk)
FULL_DISK = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "connect")
def no_room_left(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_count")
    cursor.execute(f"PRAGMA max_page_count={cursor.fetchone()[0]}")
    cursor.close()

from bot.cli import entry_point
entry_point()
"""

# the same, with the disk filling up just as the index snapshot is written (after the reindex)
FULL_AT_SNAPSHOT = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "before_cursor_execute")
def no_room_for_the_snapshot(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT INTO index_snapshots"):
        cursor.execute("PRAGMA page_count")
        cursor.execute(f"PRAGMA max_page_count={cursor.fetchone()[0]}")

from bot.cli import entry_point
entry_point()
"""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "lesson.md").write_text((SHIPPED_CORPUS / "k8s-colearning-lesson-1.md").read_text())
    (folder / "storage.md").write_text(CLAIM)
    return folder


@pytest.fixture
def env(notes: Path, tmp_path: Path) -> dict[str, str]:
    env = cli_env(notes, tmp_path / "data")
    assert run(env, "ask", "pods").returncode == 0  # the index, as last stored
    return env


def database(env: dict[str, str]) -> Path:
    return Path(env["DATA_DIR"]) / "notesbot.sqlite3"


def writable(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return True
    except OSError:
        return False


@contextmanager
def read_only(path: Path) -> Iterator[dict[str, str]]:
    """Make the database file read-only; yields the settings that open it (as it is, or with
    mode=ro where the file cannot be made read-only for this user)."""
    os.chmod(path, 0o444)
    immutable = writable(path) and shutil.which("chattr") is not None and \
        subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    try:
        if writable(path):
            yield {"DATABASE_URL": f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"}
        else:
            yield {}
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, 0o644)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def sources(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [r["source"] for r in json.loads(done.stdout)["results"]]


def run_on(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=Path(env["DATA_DIR"]).parent)


def test_a_read_only_database_starts_unchanged_and_refuses_changes_in_one_line(env: dict[str, str],
                                                                               notes: Path) -> None:
    with read_only(database(env)) as how:
        ro = {**env, **how}
        unchanged = run(ro, "ask", "what does a claim ask for", "--json")
        assert unchanged.returncode == 0, unchanged.stderr
        assert unchanged.stderr == "" and sources(unchanged)[0] == "storage.md"

        (notes / "storage.md").write_text("# Storage\n\nA claim now mentions okapis.\n")
        changed = run(ro, "ask", "what does a claim ask for", "--json")
        assert changed.returncode == 3
        assert "is unavailable: it is read-only" in one_line(changed)
        assert "answering from the index as last stored" in changed.stderr
        assert "asks for storage" in json.loads(changed.stdout)["results"][0]["text"]  # the last good index

        reindex = run(ro, "reindex")
        assert reindex.returncode == 3
        assert "it is read-only" in one_line(reindex) and "the previous index is kept" in reindex.stderr
    assert sources(run(env, "ask", "okapis", "--json")) == ["storage.md"]  # writable again: indexed


def test_a_read_only_database_with_hand_written_questions_starts_unchanged(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, notes)  # with its quiz/ folder
    env = cli_env(notes, tmp_path / "data")
    assert run(env, "ask", "pods").returncode == 0
    with read_only(database(env)) as how:
        unchanged = run({**env, **how}, "ask", "pods", "--json")
    assert unchanged.returncode == 0, unchanged.stderr


def test_a_full_disk_is_one_line_exit_3_and_the_last_index_keeps_answering(env: dict[str, str],
                                                                           notes: Path) -> None:
    (notes / "storage.md").write_text(CLAIM + OKAPIS)
    asked = run_on(FULL_DISK, env, "ask", "what does a claim ask for", "--json")
    assert asked.returncode == 3
    assert "is unavailable: its disk is full" in one_line(asked)
    assert "asks for storage" in json.loads(asked.stdout)["results"][0]["text"]
    assert sources(run_on(FULL_DISK, env, "ask", "okapis3 roam", "--json")) != ["storage.md"]  # not half-stored
    for command in (["reindex"], ["quiz", "--fill"]):
        done = run_on(FULL_DISK, env, *command)
        assert done.returncode == 3, done.stderr
        assert "its disk is full" in one_line(done)
    assert sources(run(env, "ask", "okapis3 roam", "--json"))[0] == "storage.md"  # room again: indexed


def test_a_snapshot_that_does_not_fit_is_one_warning_line_and_the_new_index_answers(env: dict[str, str],
                                                                                    notes: Path) -> None:
    """The reindex is stored, then the disk is full for its (larger) snapshot: every start tries
    again. (Its exit status is still 0: the snapshot is the service's own best effort.)"""
    (notes / "storage.md").write_text(CLAIM + OKAPIS)
    for command in (["reindex"], ["ask", "okapis3 roam", "--json"]):
        done = run_on(FULL_AT_SNAPSHOT, env, *command)
        assert "could not store the index snapshot" in one_line(done) and "its disk is full" in done.stderr
    assert sources(done)[0] == "storage.md"
