"""Alembic environment: in-process on a given connection, or standalone from the `alembic` CLI.

`bot.core.storage.database.upgrade()` passes its connection in `config.attributes["connection"]`
so migrations run inside the application's event loop. The CLI (`alembic upgrade head`, run from
the repository root) uses `sqlalchemy.url` if set, else the bot's DATABASE_URL setting.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.core.storage.models import Base

config = context.config
target_metadata = Base.metadata


def configure_and_run(connection: Connection) -> None:
    """Run the pending migrations on `connection` (synchronous; called via run_sync)."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.config import load_settings

    return load_settings().database_url


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    from bot.core.storage.database import create_engine, run_migration_connection

    engine = create_engine(database_url())
    try:
        await run_migration_connection(engine, configure_and_run)
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    configure_and_run(connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        run_offline()
    else:
        asyncio.run(run_standalone())
