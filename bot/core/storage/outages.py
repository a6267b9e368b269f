"""Driver errors that mean "the database is unavailable", turned into one `DatabaseUnavailable`.

`watch` is installed on every engine by `database.create_engine`: SQLAlchemy's `handle_error`
event sees every failed statement, commit and rollback, and `do_connect` every new connection
(whose socket errors no event sees), so no caller needs a try/except of its own and each
front-end catches one type. Only outages are turned: a constraint violation, a syntax error or a
missing table keeps its own type (callers answer those, or they are bugs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import DatabaseUnavailable

READ_ONLY = "it is read-only"
UNREACHABLE = "it cannot be reached"
CONNECTION_LOST = "the connection to it was lost"

# SQLite's primary result codes (an extended code keeps its primary one in the low byte)
SQLITE_PROBLEMS = {
    5: "another process holds its lock",  # SQLITE_BUSY, once the busy timeout has passed
    6: "another process holds its lock",  # SQLITE_LOCKED
    8: READ_ONLY,  # SQLITE_READONLY: file or folder not writable, or opened with mode=ro
    10: "reading or writing its file failed",  # SQLITE_IOERR (also a file-size limit reached)
    13: "its disk is full",  # SQLITE_FULL (also PRAGMA max_page_count reached)
    14: "its file cannot be opened",  # SQLITE_CANTOPEN
}
# PostgreSQL SQLSTATE codes and classes, the most precise first
POSTGRES_PROBLEMS = (
    ("25006", READ_ONLY),  # read_only_sql_transaction: a standby, default_transaction_read_only
    ("53100", "its disk is full"),
    ("53", "it is out of resources"),
    ("08", UNREACHABLE),
    ("57P", "it is shutting down or restarting"),
    ("58", "reading or writing its files failed"),
)

Reason = Callable[[BaseException], str]  # a one-line, password-free description of a driver error


def problem_of(error: BaseException, *, disconnect: bool = False) -> str | None:
    """What a driver error says about the database, in a few words; None when it is not an
    outage (a constraint, a bug: the caller's business)."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return SQLITE_PROBLEMS.get(code & 0xFF)
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if isinstance(state, str):
        found = next((problem for prefix, problem in POSTGRES_PROBLEMS if state.startswith(prefix)), None)
        if found is not None:
            return found
    if disconnect:
        return CONNECTION_LOST
    if isinstance(error, (OSError, TimeoutError)):  # the socket itself (asyncpg raises these raw)
        return UNREACHABLE
    return None


def watch(engine: AsyncEngine, reason: Reason) -> None:
    """Make every outage of `engine` raise `DatabaseUnavailable` naming the database."""
    where = engine.url.render_as_string(hide_password=True)

    def unavailable(error: BaseException, problem: str) -> DatabaseUnavailable:
        return DatabaseUnavailable(where, problem, reason(error), read_only=problem == READ_ONLY)

    def on_error(context: ExceptionContext) -> BaseException | None:
        error = context.original_exception
        if context.is_pre_ping or not isinstance(error, Exception):  # the pool reconnects; a cancel stays one
            return None
        problem = problem_of(error, disconnect=context.is_disconnect)
        return None if problem is None else unavailable(error, problem)

    def connect(dialect: Dialect, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.Error:
            raise  # the driver's own errors: on_error sees them
        except _raw_connect_errors() as error:
            raise unavailable(error, problem_of(error) or UNREACHABLE) from error

    event.listen(engine.sync_engine, "handle_error", on_error)
    event.listen(engine.sync_engine, "do_connect", connect)


def _raw_connect_errors() -> tuple[type[BaseException], ...]:
    """What a connection attempt raises outside the driver's error classes: socket errors and
    timeouts, and asyncpg's own errors (a server starting up, too many clients)."""
    asyncpg = sys.modules.get("asyncpg")
    extra = () if asyncpg is None else (asyncpg.PostgresError, asyncpg.InterfaceError)
    return (OSError, TimeoutError, *extra)
