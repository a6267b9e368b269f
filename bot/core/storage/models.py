"""The database schema as typed SQLAlchemy models.

Migration 0001 creates exactly these tables by hand; `tests/core/storage` checks that the two agree.
Every constraint gets a predictable name from the naming convention, so later migrations (and
SQLite batch mode, which recreates tables) can refer to constraints by name on every backend.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that always hands back aware UTC datetimes.

    PostgreSQL keeps the offset but SQLite drops it (and would silently store local times as if
    they were UTC), so values are converted to UTC on the way in and marked UTC on the way out.
    Naive datetimes are refused: their meaning is ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint and index."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class NoteFileRow(Base):
    """One indexed note file, identified by its path relative to the notes folder."""

    __tablename__ = "note_files"
    __table_args__ = (UniqueConstraint("path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the raw bytes
    size: Mapped[int] = mapped_column(BigInteger)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChunkRow(Base):
    """One chunk of a note with its analysed words, so start-up needs no re-analysis.

    `file_id` has no index of its own: the unique (file_id, ordinal) index leads with it and
    serves both the cascade delete and per-file lookups.
    """

    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("chunk_id"), UniqueConstraint("file_id", "ordinal"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunk_id: Mapped[str] = mapped_column(String(32))  # stable content id, see chunking.chunk_id_for
    file_id: Mapped[int] = mapped_column(ForeignKey("note_files.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    heading_path: Mapped[list[str]] = mapped_column(JSON)
    start_line: Mapped[int] = mapped_column(Integer)
    end_line: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    body_words: Mapped[str] = mapped_column(Text)  # Document.body_words joined with " "
    heading_words: Mapped[str] = mapped_column(Text)  # Document.heading_words joined with " "


class IndexStateRow(Base):
    """The single row (id = 1) describing the last index build; `version` counts builds."""

    __tablename__ = "index_state"
    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    file_count: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)


class ReindexRunRow(Base):
    """One reindex attempt, kept for `/status`-style reporting and auditing who asked for it."""

    __tablename__ = "reindex_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # "ok" or "failed"
    requested_by: Mapped[int | None] = mapped_column(BigInteger)  # Discord user id
    guild_id: Mapped[int | None] = mapped_column(BigInteger)  # Discord guild id
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    chunks: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"path": ..., "reason": ...}]
    seconds: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)


class AnswerRow(Base):
    """An answer given to a member; its id travels in the message's buttons."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # None in DMs
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(Text)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"chunk_id", "citation", "score"}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedbackRow(Base):
    """A member's verdict on an answer: one per member and answer, the latest click wins."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("answer_id", "user_id"),
        CheckConstraint("verdict IN ('helpful', 'not_helpful')", name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the passages shown when judged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GuildSettingsRow(Base):
    """Settings a guild's administrators change from Discord."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommandSyncRow(Base):
    """The hash of the command tree last synced to one scope ("global" or "guild:<id>")."""

    __tablename__ = "command_syncs"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    tree_hash: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IndexSnapshotRow(Base):
    """The built index's arrays (SearchIndex.snapshot) for one index version, so start-up need not
    rebuild it. Its own table: SQLite rewrites a whole row when one column changes, and this one is
    megabytes. Written after the reindex commits, so it may lag the index state for a moment."""

    __tablename__ = "index_snapshots"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
