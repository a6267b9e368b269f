"""Shared database fixtures: tests that use them run on SQLite and, when configured, PostgreSQL.

    NOTESBOT_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test
        also run every database test on this PostgreSQL database, which is WIPED (schema public
        dropped and recreated) before each test; without it (or with the server unreachable)
        those runs are reported as skipped, with the reason;
    NOTESBOT_REQUIRE_POSTGRES=1
        fail (not skip) the PostgreSQL runs when that URL is missing or unreachable (for CI).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.errors import StorageError
from bot.core.storage.database import create_engine, reset_postgres_schema, session_factory, upgrade

POSTGRES_URL_ENV = "NOTESBOT_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "NOTESBOT_REQUIRE_POSTGRES"

_postgres_problems: dict[str, str] = {}  # url -> why unusable, so a dead server costs one timeout


def _postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


def _postgres_required() -> bool:
    return os.environ.get(REQUIRE_POSTGRES_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _backends() -> list[str]:
    """Both, always: without a PostgreSQL URL its runs show as SKIPPED with the reason (or FAIL
    under NOTESBOT_REQUIRE_POSTGRES) instead of silently not existing."""
    return ["sqlite", "postgresql"]


def _unusable(problem: str) -> None:
    if _postgres_required():
        pytest.fail(f"{REQUIRE_POSTGRES_ENV} is set: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(params=_backends())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database; the SQLite file's folder does not exist yet."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'notesbot.sqlite3'}"
    url = _postgres_url()
    if url is None:
        _unusable(f"{POSTGRES_URL_ENV} is not set")
        raise AssertionError("unreachable")
    if url not in _postgres_problems:
        try:
            await reset_postgres_schema(url)
            return url
        except StorageError as exc:
            _postgres_problems[url] = str(exc)
    _unusable(_postgres_problems[url])
    raise AssertionError("unreachable")


@pytest.fixture
def backend(database_url: str) -> str:
    """"sqlite" or "postgresql": the backend of this run of the test."""
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to head by the real migrations."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)
