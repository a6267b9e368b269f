"""Persistence of the index: SQLAlchemy models, engines and migrations, and one repository.

SQLite (the default, a file in DATA_DIR) and PostgreSQL are both supported; the schema is
created and upgraded by the Alembic migrations in `migrations/`, in-process at start-up.
"""

from bot.core.storage.database import (
    alembic_config,
    check_connection,
    create_engine,
    current_revision,
    downgrade,
    head_revision,
    open_database,
    session_factory,
    upgrade,
)
from bot.core.storage.repositories import (
    IndexStateRecord,
    NotesRepository,
    ReindexRunRecord,
    StoredFile,
)

__all__ = [
    "IndexStateRecord",
    "NotesRepository",
    "ReindexRunRecord",
    "StoredFile",
    "alembic_config",
    "check_connection",
    "create_engine",
    "current_revision",
    "downgrade",
    "head_revision",
    "open_database",
    "session_factory",
    "upgrade",
]
