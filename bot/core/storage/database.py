"""Engines, sessions and in-process Alembic migrations for SQLite and PostgreSQL.

Everything that can fail because of the database itself (unreachable server, bad URL, failed
migration) surfaces as one `StorageError` line that never contains the password, so front-ends
can show it as it is; an outage while running (read-only, full, gone) as a `DatabaseUnavailable`
(`outages.py`, installed on every engine here).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sys
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidRequestError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.core.errors import DatabaseUnavailable, StorageError
from bot.core.storage import outages

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako) and asyncpg are imported only when needed: a start-up whose schema is
# already current and whose database is SQLite never loads them, which saves a third of a second.
SCHEMA_HEAD = "0008"  # the newest migration; a test checks it against migrations/

REPO_DIR = Path(__file__).resolve().parents[3]
MIGRATIONS_DIR = REPO_DIR / "migrations"

CONNECT_TIMEOUT = 5.0  # seconds asyncpg may spend opening one connection
CHECK_TIMEOUT = 10.0  # seconds check_connection may spend in total
SQLITE_BUSY_TIMEOUT = 15.0  # seconds a SQLite writer waits for another process's write lock
MIGRATION_LOCK_KEY = int.from_bytes(b"notesmig", "big")  # PostgreSQL advisory lock key

# Failures that mean "the database is not there or not usable", whatever the driver.
BASE_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError, SQLAlchemyError, sqlite3.Error,
                                                           DatabaseUnavailable)


def connection_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a failing database raises; asyncpg's only once something loaded asyncpg."""
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is None:
        return BASE_CONNECTION_ERRORS
    return (*BASE_CONNECTION_ERRORS, asyncpg.PostgresError, asyncpg.InterfaceError)

T = TypeVar("T")


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine with per-backend settings; `StorageError` if the URL is unusable.

    Bare `postgresql://` and `sqlite://` URLs get their async drivers (asyncpg, aiosqlite).
    """
    try:
        parsed = _with_async_driver(make_url(url))
    except ArgumentError:
        raise StorageError("bad database URL: it cannot be parsed") from None
    where = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {}
    if backend == "sqlite":
        _create_sqlite_folder(parsed)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT}
    elif backend == "postgresql":
        # Stale connections (server restart, idle timeout) are replaced instead of failing a query.
        options.update(pool_pre_ping=True, pool_size=5, max_overflow=5, pool_recycle=1800)
        if parsed.get_driver_name() == "asyncpg":
            options["connect_args"] = {
                "timeout": CONNECT_TIMEOUT,
                "server_settings": {"application_name": "notesbot"},
            }
    try:
        engine = create_async_engine(parsed, **options)
    except (ArgumentError, InvalidRequestError, ImportError) as exc:
        raise StorageError(f"cannot use the database URL {where}: {_reason(exc, parsed)}") from None
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    outages.watch(engine, lambda exc: _reason(exc, parsed))
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_connection(engine: AsyncEngine, *, timeout: float = CHECK_TIMEOUT) -> None:
    """Run `SELECT 1`; raise `StorageError` with one line naming the database if that fails."""
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except connection_errors() as exc:
        if engine.dialect.name == "sqlite":
            # aiosqlite stops a failed connection's worker thread asynchronously; if the loop
            # closes first (the bot exits on this error) the thread prints a traceback. Let it
            # finish. See omnilib/aiosqlite#241.
            await asyncio.sleep(0.05)
        raise StorageError(
            f"cannot reach the database at {_where(engine)}: {_reason(exc, engine.url)}"
        ) from None


async def open_database(url: str, *, migrate: bool = True) -> AsyncEngine:
    """Create the engine, check it answers and bring its schema to the newest revision; with
    `migrate` off (several replicas on one database: one migration job, not each of them at once)
    an out-of-date schema is a `StorageError` saying to run `db upgrade` first."""
    engine = create_engine(url)
    try:
        await check_connection(engine)
        if not await schema_is_current(engine):
            if not migrate:
                await refuse_newer_schema(engine)
                found = await _stored_revisions(engine)
                raise StorageError(f"the database schema is at {', '.join(found) if found else 'no revision'}, "
                                   f"this version needs {SCHEMA_HEAD}: run `python -m bot db upgrade` first "
                                   "(AUTO_MIGRATE is off)")
            await upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def schema_is_current(engine: AsyncEngine) -> bool:
    """True when the database is at SCHEMA_HEAD (read without loading Alembic)."""
    return await _stored_revisions(engine) == [SCHEMA_HEAD]


async def _stored_revisions(engine: AsyncEngine) -> list[str] | None:
    """The revisions stamped in the database; None without a version table (or unreadable)."""
    try:
        async with engine.connect() as conn:
            return list((await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars().all())
    except connection_errors():
        return None  # no version table yet, or unreadable: let the upgrade decide and report


async def refuse_newer_schema(engine: AsyncEngine) -> None:
    """Raise `StorageError` when the database carries a revision these migrations do not know:
    a newer notesbot wrote it, and neither upgrading nor downgrading it from here is possible."""
    stored = await _stored_revisions(engine)
    if not stored:
        return
    known = known_revisions()
    unknown = [revision for revision in stored if revision not in known]
    if unknown:
        raise StorageError(f"the database was written by a newer notesbot (schema {', '.join(unknown)}, "
                           f"this version knows up to {SCHEMA_HEAD}); upgrade it")


def known_revisions() -> set[str]:
    """Every revision of these migrations: a database stamped with another one is not ours to use."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for this repository's migrations, independent of the working directory.

    Without `url`, the migrations run on the connection put in `config.attributes["connection"]`
    (as `upgrade()` does) or, from the CLI, on the configured DATABASE_URL.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser escaping
    return config


def head_revision() -> str | None:
    """The newest revision the code knows about."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the schema up to `revision` in-process; safe inside a running event loop."""
    from alembic import command

    await refuse_newer_schema(engine)
    await _alembic(engine, f"upgrade the database schema to {revision}",
                   lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Migrate the schema down to `revision` ("base" drops every table)."""
    from alembic import command

    await refuse_newer_schema(engine)
    await _alembic(engine, f"downgrade the database schema to {revision}",
                   lambda config: command.downgrade(config, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None for an empty (never migrated) database."""

    from alembic.runtime.migration import MigrationContext

    def read(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(read)
    except connection_errors() as exc:
        raise StorageError(
            f"cannot read the schema revision of {_where(engine)}: {_reason(exc, engine.url)}"
        ) from None


async def run_migration_connection(engine: AsyncEngine, fn: Callable[[Connection], T]) -> T:
    """Run `fn` on one connection inside one transaction, the way migrations must run.

    On SQLite, foreign keys are switched off meanwhile (batch-mode ALTERs recreate tables, and
    dropping a referenced table with them on would cascade-delete its children), then checked;
    the pragma only works outside a transaction, hence the commits around it. The explicit BEGIN
    makes SQLite's DDL transactional too (the driver only opens transactions for DML), so a
    failed migration leaves no half-altered schema on either backend.

    Processes starting together (shards, restarts) migrate one after the other: SQLite's
    BEGIN IMMEDIATE and a PostgreSQL advisory lock make the later ones wait, then find the
    schema already at head.
    """
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            async with conn.begin():
                if sqlite:
                    await conn.exec_driver_sql("BEGIN IMMEDIATE")  # also waits for other writers
                elif conn.dialect.name == "postgresql":
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                result = await conn.run_sync(fn)
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise StorageError(f"migration left {len(broken)} broken foreign keys")
            return result
        finally:
            if sqlite:
                try:
                    await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await conn.commit()
                except connection_errors():
                    await conn.invalidate()  # never pool a connection without foreign keys


async def _alembic(engine: AsyncEngine, action: str, run: Callable[[Config], None]) -> None:
    """Run an Alembic command on the engine's connection; failures become `StorageError`."""
    from alembic.util import CommandError

    def on_connection(conn: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = conn
        run(config)

    try:
        await run_migration_connection(engine, on_connection)
    except StorageError:
        raise
    except (CommandError, *connection_errors()) as exc:
        raise StorageError(f"cannot {action} at {_where(engine)}: {_reason(exc, engine.url)}") from None


def _with_async_driver(url: URL) -> URL:
    """Give bare backend names their async driver; leave explicit drivers alone."""
    drivers = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
               "sqlite": "sqlite+aiosqlite"}
    return url.set(drivername=drivers.get(url.drivername, url.drivername))


def _create_sqlite_folder(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    folder = Path(database).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the folder {folder} for the SQLite database: "
                           f"{exc.strerror or exc}") from None


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings, run on every new connection.

    - foreign_keys: SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked.
    - journal_mode=WAL: readers never wait for a writer (a reindex's commit, a batch of answers),
      and a commit appends to the log instead of rewriting pages through a rollback journal.
      Persistent in the file; in-memory databases keep their own mode and ignore it.
    - synchronous=NORMAL: with WAL, a commit no longer waits for an fsync; a power cut can lose
      the last commits but never corrupts the database (the notes can always be reindexed, and a
      lost answer only loses its buttons).
    - busy_timeout: a writer waits this long for another process's write lock instead of
      failing at once (the driver's `timeout` sets the same; stated here to be sure).
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
    finally:
        cursor.close()


def _where(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=True)


_CLASS_PREFIX = re.compile(r"^<class '[\w.]+'>:\s*")


def _reason(exc: BaseException, url: URL) -> str:
    """A one-line, password-free description of why a database operation failed."""
    if isinstance(exc, DatabaseUnavailable):
        return exc.reason  # described already, by the same rules
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig  # the driver's message, without SQLAlchemy's SQL dump and help link
    if isinstance(exc, TimeoutError):
        return "timed out"
    message = _CLASS_PREFIX.sub("", str(exc).strip())
    if isinstance(exc, OSError) and exc.strerror and not message:
        message = exc.strerror
    line = " ".join(message.split("\n", 1)[0].split()) or type(exc).__name__
    password = str(url.password or "")
    if len(password) >= 6:  # drivers do not echo passwords, but be sure
        line = line.replace(password, "***")
    elif password:  # a short one would also match inside ordinary words
        line = re.sub(rf"(?<!\w){re.escape(password)}(?!\w)", "***", line)
    return line


async def reset_postgres_schema(url: str) -> None:
    """Empty a PostgreSQL database by dropping and recreating its public schema. Destructive: only
    for the tests' and the load benchmark's own throwaway databases, never called by the bot."""
    engine = create_engine(url)
    try:
        await check_connection(engine)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        await engine.dispose()
