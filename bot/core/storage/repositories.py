"""Reading and writing the index through one session; the caller owns the transaction.

The repository never commits: a reindex does `lock_index()`, many `replace_file()` /
`delete_files()` calls and `save_index_state()` in one transaction, so a failure leaves the
previous index intact and readers never see half of a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.chunking import Chunk
from bot.core.documents import Document
from bot.core.notes import NoteFile
from bot.core.storage.models import ChunkRow, IndexStateRow, NoteFileRow, ReindexRunRow

# Key of the PostgreSQL advisory lock taken by reindexes: the bytes of "notesbot" as an int64.
REINDEX_LOCK_KEY = int.from_bytes(b"notesbot", "big")
_DELETE_BATCH = 500  # paths per statement; stays far below SQLite/asyncpg parameter limits
_NO_SYNC = {"synchronize_session": False}  # the repository keeps no ORM objects to synchronise


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the index knows about a note file, to decide whether it changed."""

    path: str
    content_hash: str
    size: int
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class IndexStateRecord:
    """The last index build; `version` increases by one with every build."""

    version: int
    built_at: datetime
    parameters: dict[str, Any]
    file_count: int
    chunk_count: int


@dataclass(frozen=True)
class ReindexRunRecord:
    """One reindex attempt and its outcome."""

    started_at: datetime
    finished_at: datetime
    status: str  # "ok" or "failed"
    requested_by: int | None  # Discord user id; None when started by the bot itself
    guild_id: int | None
    added: int
    changed: int
    removed: int
    unchanged: int
    chunks: int
    skipped: list[dict[str, str]]  # [{"path": ..., "reason": ...}]
    seconds: float
    error: str | None = None


def _columns(entity: type, record: type) -> list[Any]:
    """The entity's columns named like the record's fields, in field order."""
    return [getattr(entity, field.name) for field in fields(record)]


class NotesRepository:
    """Queries and changes for the stored index, on a session whose transaction the caller owns."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def stored_files(self) -> dict[str, StoredFile]:
        """Every indexed file by path."""
        result = await self._session.execute(select(*_columns(NoteFileRow, StoredFile)))
        return {row[0]: StoredFile(*row) for row in result}

    async def load_documents(self) -> list[Document]:
        """Every stored chunk as a Document, ordered by file path then ordinal.

        Runs at every start on the whole index, so it selects plain columns in one query and
        builds the dataclasses directly (no ORM objects). Sorting happens here so the order is
        by code point on every backend, whatever the database's collation.
        """
        statement = select(
            NoteFileRow.path,
            ChunkRow.ordinal,
            NoteFileRow.title,
            ChunkRow.heading_path,
            ChunkRow.start_line,
            ChunkRow.end_line,
            ChunkRow.text,
            ChunkRow.chunk_id,
            ChunkRow.body_words,
            ChunkRow.heading_words,
        ).join_from(ChunkRow, NoteFileRow, ChunkRow.file_id == NoteFileRow.id)
        rows = (await self._session.execute(statement)).all()
        rows.sort(key=itemgetter(0, 1))
        return [
            Document(
                chunk=Chunk(
                    source=path,
                    ordinal=ordinal,
                    heading_path=tuple(heading_path),
                    start_line=start_line,
                    end_line=end_line,
                    text=chunk_text,
                    chunk_id=chunk_id,
                ),
                title=title,
                body_words=_split(body_words),
                heading_words=_split(heading_words),
            )
            for (path, ordinal, title, heading_path, start_line, end_line, chunk_text, chunk_id,
                 body_words, heading_words) in rows
        ]

    async def replace_file(
        self,
        note: NoteFile,
        *,
        title: str | None,
        tags: Sequence[str],
        documents: Sequence[Document],
        indexed_at: datetime,
    ) -> None:
        """Insert or update the file's row and replace all of its chunks with `documents`.

        Raises ValueError for data that one backend would reject and another silently accept
        (over-long ids, NUL characters, chunks of another file), so both behave the same.
        """
        _check_file(note, title, documents)
        values = {
            "content_hash": note.content_hash,
            "size": note.size,
            "modified_at": note.modified_at,
            "title": title,
            "tags": list(tags),
            "indexed_at": indexed_at,
        }
        session = self._session
        file_id = await session.scalar(select(NoteFileRow.id).where(NoteFileRow.path == note.path))
        if file_id is None:
            file_id = await session.scalar(
                insert(NoteFileRow).values(path=note.path, **values).returning(NoteFileRow.id)
            )
        else:
            await session.execute(
                update(NoteFileRow).where(NoteFileRow.id == file_id).values(**values),
                execution_options=_NO_SYNC,
            )
            await session.execute(
                delete(ChunkRow).where(ChunkRow.file_id == file_id), execution_options=_NO_SYNC
            )
        if documents:
            await session.execute(
                insert(ChunkRow),
                [
                    {
                        "chunk_id": doc.chunk.chunk_id,
                        "file_id": file_id,
                        "ordinal": doc.chunk.ordinal,
                        "heading_path": list(doc.chunk.heading_path),
                        "start_line": doc.chunk.start_line,
                        "end_line": doc.chunk.end_line,
                        "text": doc.chunk.text,
                        "body_words": " ".join(doc.body_words),
                        "heading_words": " ".join(doc.heading_words),
                    }
                    for doc in documents
                ],
            )

    async def delete_files(self, paths: Iterable[str]) -> int:
        """Forget these files and their chunks; unknown paths are ignored. Returns files deleted.

        Chunks are deleted explicitly rather than relying on ON DELETE CASCADE, which SQLite only
        honours on connections that enabled foreign keys.
        """
        unique = sorted(set(paths))
        deleted = 0
        for start in range(0, len(unique), _DELETE_BATCH):
            batch = unique[start : start + _DELETE_BATCH]
            file_ids = select(NoteFileRow.id).where(NoteFileRow.path.in_(batch))
            await self._session.execute(
                delete(ChunkRow).where(ChunkRow.file_id.in_(file_ids)), execution_options=_NO_SYNC
            )
            result = await self._session.execute(
                delete(NoteFileRow).where(NoteFileRow.path.in_(batch)), execution_options=_NO_SYNC
            )
            deleted += result.rowcount  # type: ignore[attr-defined]
        return deleted

    async def index_state(self) -> IndexStateRecord | None:
        """The last build's state, or None if the index was never built."""
        statement = select(*_columns(IndexStateRow, IndexStateRecord)).where(IndexStateRow.id == 1)
        row = (await self._session.execute(statement)).one_or_none()
        return None if row is None else IndexStateRecord(*row)

    async def save_index_state(
        self, *, built_at: datetime, parameters: dict[str, Any], file_count: int, chunk_count: int
    ) -> IndexStateRecord:
        """Record a finished build: create the singleton row (version 1) or bump its version."""
        values = {
            "built_at": built_at,
            "parameters": parameters,
            "file_count": file_count,
            "chunk_count": chunk_count,
        }
        version = await self._session.scalar(
            update(IndexStateRow)
            .where(IndexStateRow.id == 1)
            .values(version=IndexStateRow.version + 1, **values)
            .returning(IndexStateRow.version),
            execution_options=_NO_SYNC,
        )
        if version is None:
            version = 1
            await self._session.execute(insert(IndexStateRow).values(id=1, version=version, **values))
        return IndexStateRecord(version=version, **values)

    async def lock_index(self) -> None:
        """Block until no other process is reindexing; held until this transaction ends.

        PostgreSQL: a transaction-scoped advisory lock. SQLite allows one writer at a time, so a
        no-op write takes the database's write lock now, before the reindex reads what changed,
        instead of at its first real write (which could fail with "database is locked").
        """
        connection = await self._session.connection()
        dialect = connection.dialect.name
        if dialect == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": REINDEX_LOCK_KEY}
            )
        elif dialect == "sqlite":
            await self._session.execute(
                update(IndexStateRow)
                .where(IndexStateRow.id == 1)
                .values(version=IndexStateRow.version),
                execution_options=_NO_SYNC,
            )

    async def add_reindex_run(self, run: ReindexRunRecord) -> None:
        """Store one reindex attempt."""
        await self._session.execute(insert(ReindexRunRow).values(**asdict(run)))

    async def last_reindex_run(self, status: str | None = "ok") -> ReindexRunRecord | None:
        """The most recently finished run with this status (any status if None)."""
        statement = select(*_columns(ReindexRunRow, ReindexRunRecord))
        if status is not None:
            statement = statement.where(ReindexRunRow.status == status)
        statement = statement.order_by(ReindexRunRow.finished_at.desc(), ReindexRunRow.id.desc())
        row = (await self._session.execute(statement.limit(1))).one_or_none()
        return None if row is None else ReindexRunRecord(*row)


def _split(words: str) -> tuple[str, ...]:
    """Inverse of `" ".join(words)` for space-free, non-empty words."""
    return tuple(words.split(" ")) if words else ()


def _check_file(note: NoteFile, title: str | None, documents: Sequence[Document]) -> None:
    if len(note.path) > NoteFileRow.path.type.length:  # type: ignore[attr-defined]
        raise ValueError(f"note path longer than 1024 characters: {note.path[:80]}...")
    if "\x00" in (title or ""):
        raise ValueError(f"{note.path}: title contains a NUL character")
    for doc in documents:
        chunk = doc.chunk
        if chunk.source != note.path:
            raise ValueError(f"chunk {chunk.chunk_id} of {chunk.source} given for {note.path}")
        if len(chunk.chunk_id) > ChunkRow.chunk_id.type.length:  # type: ignore[attr-defined]
            raise ValueError(f"{note.path}: chunk id {chunk.chunk_id!r} longer than 32 characters")
        if "\x00" in chunk.text:  # PostgreSQL text cannot hold NUL; SQLite would accept it
            raise ValueError(f"{note.path}: chunk {chunk.ordinal} contains a NUL character")
