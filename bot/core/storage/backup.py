"""`db backup` and `db restore` of the SQLite database, through SQLite's online backup API.

Copying the file of a running bot is no backup: in WAL mode the newest commits live in the `-wal`
file until a checkpoint moves them, so a copy of the main file alone misses them, and a copy taken
during a checkpoint mixes two states. `sqlite3.Connection.backup` reads the pages inside one read
transaction instead: a consistent snapshot as of its start, while the bot keeps writing (a WAL
reader never blocks a writer).

PostgreSQL has its own tools (pg_dump, pg_restore); both commands say so and change nothing.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.errors import BackupRefused, DatabaseInUse, StorageError
from bot.core.storage.database import SCHEMA_HEAD, SQLITE_BUSY_TIMEOUT, known_revisions

SQLITE_HEADER = b"SQLite format 3\x00"
IN_USE_TIMEOUT = 1.0  # seconds `restore` waits for the exclusive lock before saying "in use"
NOTESBOT_TABLES = {"alembic_version", "note_files", "chunks"}  # there since the first migration


@dataclass(frozen=True)
class Copied:
    """What a backup or restore copied: from where to where, at which schema revision."""

    source: Path
    target: Path
    revision: str
    size: int  # bytes of the copy

    def line(self, verb: str) -> str:
        """One line for the command line, e.g. "backed up A (schema 0008, 1.2 MB) to B"."""
        return f"{verb} {self.source} (schema {self.revision}, {self.size / 1e6:.1f} MB) to {self.target}"


def sqlite_path(url: str, command: str) -> Path:
    """The file of a SQLite database URL; `BackupRefused` for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        tool = "pg_dump -Fc -f FILE" if command == "backup" else "pg_restore --clean -d DBNAME FILE"
        raise BackupRefused(f"db {command} copies SQLite databases; DATABASE_URL is PostgreSQL: use {tool}")
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        raise BackupRefused(f"db {command} needs a SQLite database file (DATABASE_URL names none)")
    return Path(database).expanduser().absolute()


def back_up(url: str, target: Path) -> Copied:
    """Copy the live database to `target` (replaced whole, never left half-written).

    One backup step copies every page (`pages=-1`): a backup in several steps restarts whenever
    another connection writes in between, so under a steady stream of answers it might never end.
    The copy is switched to the rollback journal: one self-contained file, with no `-wal` beside it.
    """
    source = sqlite_path(url, "backup")
    target = target.expanduser().absolute()
    if not source.is_file():
        raise StorageError(f"there is no database at {source} to back up")
    _refuse_same_file(source, target)
    if not target.parent.is_dir():
        raise BackupRefused(f"cannot write the backup: the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with closing(_connect(source, "rw", SQLITE_BUSY_TIMEOUT)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            _require_intact(copy, source)
            revision = _revision(copy, source)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot back up {source} to {target}: {exc}") from None
    except OSError as exc:  # the target is a folder, say
        raise BackupRefused(f"cannot write the backup {target}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copied(source, target, revision, target.stat().st_size)


def restore(url: str, backup: Path) -> Copied:
    """Replace the database's content with `backup`'s, after checking it is a notesbot database;
    `DatabaseInUse` (nothing changed) while another connection has the database open.

    The copy goes through SQLite too, into the database locked by `_lock_out_others`: other
    processes see either the old content or the new, and no `-wal` left by the old one can be
    replayed over it, as it could over a file moved into place.
    """
    target = sqlite_path(url, "restore")
    backup = backup.expanduser().absolute()
    _refuse_same_file(backup, target)
    revision = check_backup(backup)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target, timeout=IN_USE_TIMEOUT, isolation_level=None)) as live:
            _lock_out_others(live, target)
            with closing(_connect(backup, "ro", 0)) as source:
                live.execute("PRAGMA journal_mode=DELETE")  # in WAL mode the page size could not change
                source.backup(live, pages=-1)
            live.execute("PRAGMA journal_mode=WAL")  # as the bot runs it (and remembered in the file)
            _require_intact(live, target)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"cannot restore {backup} into {target}: {exc}") from None
    return Copied(backup, target, revision, target.stat().st_size)


def check_backup(path: Path) -> str:
    """The schema revision of the notesbot database in `path`; `BackupRefused` saying why it is not one."""
    if not path.is_file():
        raise BackupRefused(f"{path} is not a file")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupRefused(f"{path} is not a SQLite database")
    try:
        with closing(_connect(path, "ro", 0)) as db:
            _require_intact(db, path)
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not NOTESBOT_TABLES <= tables:
                raise BackupRefused(f"{path} is not a notesbot database (it lacks the tables "
                                    f"{', '.join(sorted(NOTESBOT_TABLES - tables))})")
            revision = _revision(db, path)
    except sqlite3.Error as exc:
        raise BackupRefused(f"{path} cannot be read as a SQLite database: {exc}") from None
    if revision not in known_revisions():
        raise BackupRefused(f"{path} was written by a newer notesbot (schema {revision}, this version knows up "
                            f"to {SCHEMA_HEAD}); restore it with that version")
    return revision


def _lock_out_others(db: sqlite3.Connection, path: Path) -> None:
    """Take the database file's exclusive lock and keep it until `db` closes; `DatabaseInUse` when
    another connection, in this process or another, has the database open.

    `BEGIN EXCLUSIVE` alone would not tell: in WAL mode it is BEGIN IMMEDIATE, which only waits for a
    writer, and an idle bot writes nothing. What every WAL connection holds, from its first read
    until it closes, is a shared lock on the database file. With `locking_mode=EXCLUSIVE` the
    transaction must take the file's exclusive lock, which no shared lock may be held beside, and
    keeps it after COMMIT: from this check to the end of the restore nobody else can open the
    database (a bot starting meanwhile waits its busy timeout, then reads the restored data).
    """
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
    try:
        db.execute("BEGIN EXCLUSIVE")
        db.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise DatabaseInUse(f"the database {path} is in use (the bot, or another command, has it open): "
                                "stop it, then restore") from None
        raise


def _connect(path: Path, mode: str, timeout: float) -> sqlite3.Connection:
    """An existing database file only (`mode=rw` or `ro` never create one); `rw` for the live
    database, as a WAL reader must be able to update the shared index."""
    return sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, timeout=timeout)


def _require_intact(db: sqlite3.Connection, path: Path) -> None:
    problems = db.execute("PRAGMA quick_check").fetchall()
    if problems != [("ok",)]:
        raise BackupRefused(f"{path} is damaged: {problems[0][0]}")


def _revision(db: sqlite3.Connection, path: Path) -> str:
    revisions = [revision for (revision,) in db.execute("SELECT version_num FROM alembic_version")]
    if len(revisions) != 1:
        raise BackupRefused(f"{path} has {len(revisions)} schema revisions instead of one")
    return str(revisions[0])


def _refuse_same_file(one: Path, other: Path) -> None:
    if one == other or (one.exists() and other.exists() and one.samefile(other)):
        raise BackupRefused(f"{one} is the database itself")
