"""The database schema as typed SQLAlchemy models.

Migration 0001 creates exactly these tables by hand; `tests/core/storage` checks that the two agree.
Every constraint gets a predictable name from the naming convention, so later migrations (and
SQLite batch mode, which recreates tables) can refer to constraints by name on every backend.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
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
    false,
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
    category: Mapped[str | None] = mapped_column(Text)  # front matter `category`, lower case
    unpublished: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a draft, deprecated
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
    # Every page shown: [{"offset", "chunk_id", "citation", "score"}], "offset" being the page's
    # first rank - 1 (rows stored before pages were recorded lack it: their page is offset 0).
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
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
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the page judged, as stored with the answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdBlockRow(Base):
    """The next free id of a table whose ids are handed out before its rows are written.

    A process reserves a block (`next_id` moves on by the block size) and uses it from memory;
    see `bot/core/storage/id_blocks.py`. Migration 0006.
    """

    __tablename__ = "id_blocks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # the table, e.g. "answers"
    next_id: Mapped[int] = mapped_column(BigInteger)


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


# --- Quiz (migration 0004) -------------------------------------------------------------------
# Questions are facts about the notes, shared by every guild; posts and answers belong to a guild
# (None in DMs and the terminal chat) and a user.


class QuizQuestionRow(Base):
    """One quiz question: generated from a chunk, or written by a moderator in `quiz/*.yaml`.

    `id` is derived from the question's content (and its passage's content id), so an unchanged
    passage keeps its questions across reindexes. A question whose passage changed or disappeared
    gets `retired_at`: kept for the answers that point at it, never asked again.
    """

    __tablename__ = "quiz_questions"
    __table_args__ = (
        CheckConstraint("kind IN ('cloze', 'definition', 'written')", name="kind"),
        Index("ix_quiz_questions_retired_at", "retired_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)  # four for generated; [] for a typed-only question
    answer_index: Mapped[int | None] = mapped_column(Integer)  # index into choices; None without choices
    answer: Mapped[str] = mapped_column(Text)
    accepted: Mapped[list[str]] = mapped_column(JSON)  # other typed answers counted right
    explanation: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(1024))  # note path, relative to the notes folder
    heading: Mapped[str | None] = mapped_column(Text)
    start_line: Mapped[int] = mapped_column(Integer)
    end_line: Mapped[int] = mapped_column(Integer)
    chunk_id: Mapped[str | None] = mapped_column(String(32))  # the passage's content id
    quality: Mapped[float] = mapped_column(Float)  # generator's score; hand-written rank first
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizSourceRow(Base):
    """A passage (by content id) the question pool has generated from, with or without result.

    The background fill (`bot/core/quiz/fill.py`) visits every passage once and resumes from here
    after a restart; two processes filling at once skip each other's passages. Migration 0007.
    """

    __tablename__ = "quiz_sources"

    chunk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuizPostRow(Base):
    """A question shown in a channel: on demand (`quiz`, for `user_id`) or the daily prompt."""

    __tablename__ = "quiz_posts"
    __table_args__ = (
        CheckConstraint("kind IN ('quiz', 'daily')", name="kind"),
        Index("ix_quiz_posts_guild_id_kind", "guild_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("quiz_questions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)  # None in DMs
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # set once the message is sent
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # who asked; None for the daily prompt
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # answers refused after this


class QuizAnswerRow(Base):
    """A member's one answer to one post; the unique constraint refuses a second."""

    __tablename__ = "quiz_answers"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_quiz_answers_guild_id_user_id", "guild_id", "user_id"),
        Index("ix_quiz_answers_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("quiz_posts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(32))
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    choice_index: Mapped[int | None] = mapped_column(Integer)  # a button; None for a typed answer
    text: Mapped[str | None] = mapped_column(Text)  # a typed answer, as typed (bounded)
    correct: Mapped[bool] = mapped_column(Boolean)
    near_miss: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- Practice (migration 0005) ---------------------------------------------------------------
# Review cards are keyed by guild too; DMs and the terminal chat use guild_id 0 (a key column
# cannot be NULL).


class DailyScheduleRow(Base):
    """A guild's daily quiz settings and the problem (if any) with its last attempt."""

    __tablename__ = "daily_schedules"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    post_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local to `timezone`
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    role_id: Mapped[int | None] = mapped_column(BigInteger)  # the only mention the bot ever makes
    enabled: Mapped[bool] = mapped_column(Boolean)
    starts_on: Mapped[date] = mapped_column(Date)  # first local day that may get a post
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DailyClaimRow(Base):
    """The claim on one guild's post for one local day, taken before posting: the unique
    constraint makes every process and restart agree that the day is taken."""

    __tablename__ = "daily_claims"
    __table_args__ = (
        UniqueConstraint("guild_id", "local_date"),
        CheckConstraint("status IN ('claimed', 'posted', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # process (host:pid) holding it
    post_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_posts.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)


class ReviewCardRow(Base):
    """One member's spaced-review card for one question (an `fsrs` Card as JSON)."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_guild_id_user_id_due_at", "guild_id", "user_id", "due_at"),)

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
