"""Reading and writing the index through one session; the caller owns the transaction.

The repository never commits: a reindex does `lock_index()`, many `replace_file()` /
`delete_files()` calls and `save_index_state()` in one transaction, so a failure leaves the
previous index intact and readers never see half of a rebuild.

It issues Core statements on the session's connection: no ORM objects are loaded or kept, which
is several times faster for these bulk reads and writes and leaves no identity map to go stale.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Column, Table, Text, bindparam, delete, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.core.errors import DatabaseUnavailable
from bot.core.search.documents import Chunk, Document
from bot.core.search.notes import NoteFile
from bot.core.storage.models import ChunkRow, IndexSnapshotRow, IndexStateRow, NoteFileRow, ReindexRunRow

# Key of the PostgreSQL advisory lock taken by reindexes: the bytes of "notesbot" as an int64.
REINDEX_LOCK_KEY = int.from_bytes(b"notesbot", "big")
_DELETE_BATCH = 500  # paths per statement; stays far below SQLite/asyncpg parameter limits

FILES = cast(Table, NoteFileRow.__table__)
CHUNKS = cast(Table, ChunkRow.__table__)
INDEX_STATE = cast(Table, IndexStateRow.__table__)
REINDEX_RUNS = cast(Table, ReindexRunRow.__table__)
SNAPSHOTS = cast(Table, IndexSnapshotRow.__table__)


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


def _columns(table: Table, record: type) -> list[Column[Any]]:
    """The table's columns named like the record's fields, in field order."""
    return [table.c[field.name] for field in fields(record)]


class NotesRepository:
    """Queries and changes for the stored index, on a session whose transaction the caller owns."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _connection(self) -> AsyncConnection:
        """The session's connection, in the session's (caller's) transaction."""
        return await self._session.connection()

    async def stored_files(self) -> dict[str, StoredFile]:
        """Every indexed file by path."""
        conn = await self._connection()
        result = await conn.execute(select(*_columns(FILES, StoredFile)))
        return {row[0]: StoredFile(*row) for row in result}

    async def load_documents(self, *, words: bool = True) -> list[Document]:
        """Every stored chunk as a Document, ordered by file path then ordinal.

        Without `words`, the analysed words are not read (empty tuples): enough when the index
        comes from a snapshot, which holds them, and the largest part of the reading time saved.

        Runs at every start on the whole index (~30,000 chunks, well under a second on SQLite):
        one Core query of plain columns, no ORM objects, heading paths decoded once per distinct
        value, and the cyclic garbage collector paused while the many small objects are built.
        Sorting happens here so the order is by code point on every backend, whatever the
        database's collation.
        """
        statement = select(
            FILES.c.path,
            CHUNKS.c.ordinal,
            FILES.c.title,
            FILES.c.category,
            FILES.c.unpublished,
            CHUNKS.c.heading_path.cast(Text),  # JSON text on every driver, decoded below
            CHUNKS.c.start_line,
            CHUNKS.c.end_line,
            CHUNKS.c.text,
            CHUNKS.c.chunk_id,
            CHUNKS.c.body_words if words else literal(""),
            CHUNKS.c.heading_words if words else literal(""),
        ).join_from(CHUNKS, FILES, CHUNKS.c.file_id == FILES.c.id)
        conn = await self._connection()
        rows = (await conn.execute(statement)).all()
        with _gc_paused():
            rows.sort(key=itemgetter(0, 1))
            headings: dict[str, tuple[str, ...]] = {}
            documents = []
            for (path, ordinal, title, category, unpublished, heading_json, start_line, end_line, chunk_text, chunk_id,
                 body_words, heading_words) in rows:
                heading_path = headings.get(heading_json)
                if heading_path is None:
                    heading_path = headings[heading_json] = tuple(json.loads(heading_json))
                chunk = Chunk(
                    source=path,
                    ordinal=ordinal,
                    heading_path=heading_path,
                    start_line=start_line,
                    end_line=end_line,
                    text=chunk_text,
                    chunk_id=chunk_id,
                )
                documents.append(
                    Document(
                        chunk=chunk,
                        title=title,
                        body_words=tuple(body_words.split(" ")) if body_words else (),
                        heading_words=tuple(heading_words.split(" ")) if heading_words else (),
                        category=category,
                        unpublished=bool(unpublished),
                    )
                )
            del rows  # freed by reference counting now, so the collector never has to scan them
        return documents

    async def replace_file(
        self,
        note: NoteFile,
        *,
        title: str | None,
        tags: Sequence[str],
        documents: Sequence[Document],
        indexed_at: datetime,
    ) -> None:
        """Insert or update the file's row and replace all of its chunks with `documents`."""
        await self.replace_files([FileChunks(note, title, tuple(tags), tuple(documents))], indexed_at=indexed_at)

    async def replace_files(self, items: Sequence["FileChunks"], *, indexed_at: datetime) -> None:
        """`replace_file` for many files in a few batched statements (a full index writes
        thousands of files: one round trip each would dominate its time).

        Raises ValueError for data that one backend would reject and another silently accept
        (over-long ids, NUL characters, chunks of another file), so both behave the same.
        """
        for item in items:
            _check_file(item.note, item.title, item.documents)
        if not items:
            return
        conn = await self._connection()
        paths = [item.note.path for item in items]
        existing: dict[str, int] = {}
        for batch in _batches(paths):
            rows = await conn.execute(select(FILES.c.path, FILES.c.id).where(FILES.c.path.in_(batch)))
            existing.update(dict(rows.all()))
        for batch in _batches(list(existing.values())):
            await conn.execute(delete(CHUNKS).where(CHUNKS.c.file_id.in_(batch)))
        values = {item.note.path: _file_values(item, indexed_at) for item in items}
        if existing:
            await conn.execute(
                update(FILES).where(FILES.c.id == bindparam("file_id")).values(
                    {name: bindparam(name) for name in next(iter(values.values()))}),
                [{"file_id": file_id, **values[path]} for path, file_id in existing.items()],
            )
        new = [path for path in paths if path not in existing]
        if new:
            rows = await conn.execute(insert(FILES).returning(FILES.c.path, FILES.c.id, sort_by_parameter_order=True),
                                      [{"path": path, **values[path]} for path in new])
            existing.update(dict(rows.all()))
        chunk_rows = [_chunk_values(doc, existing[item.note.path]) for item in items for doc in item.documents]
        if chunk_rows:
            await conn.execute(insert(CHUNKS), chunk_rows)

    async def delete_files(self, paths: Iterable[str]) -> int:
        """Forget these files and their chunks; unknown paths are ignored. Returns files deleted.

        Chunks are deleted explicitly rather than relying on ON DELETE CASCADE, which SQLite only
        honours on connections that enabled foreign keys.
        """
        unique = sorted(set(paths))
        conn = await self._connection()
        deleted = 0
        for start in range(0, len(unique), _DELETE_BATCH):
            batch = unique[start : start + _DELETE_BATCH]
            file_ids = select(FILES.c.id).where(FILES.c.path.in_(batch))
            await conn.execute(delete(CHUNKS).where(CHUNKS.c.file_id.in_(file_ids)))
            result = await conn.execute(delete(FILES).where(FILES.c.path.in_(batch)))
            deleted += result.rowcount
        return deleted

    async def index_state(self) -> IndexStateRecord | None:
        """The last build's state, or None if the index was never built."""
        conn = await self._connection()
        statement = select(*_columns(INDEX_STATE, IndexStateRecord)).where(INDEX_STATE.c.id == 1)
        row = (await conn.execute(statement)).one_or_none()
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
        conn = await self._connection()
        version = await conn.scalar(
            update(INDEX_STATE)
            .where(INDEX_STATE.c.id == 1)
            .values(version=INDEX_STATE.c.version + 1, **values)
            .returning(INDEX_STATE.c.version)
        )
        if version is None:
            version = 1
            await conn.execute(insert(INDEX_STATE).values(id=1, version=version, **values))
        return IndexStateRecord(version=version, **values)

    async def store_snapshot(self, version: int, snapshot: bytes, *, created_at: datetime) -> None:
        """Keep the snapshot of index `version`, dropping older ones (a no-op if it is there)."""
        conn = await self._connection()
        await conn.execute(delete(SNAPSHOTS).where(SNAPSHOTS.c.version <= version))
        await conn.execute(insert(SNAPSHOTS).values(version=version, data=snapshot, created_at=created_at))

    async def index_snapshot(self, version: int) -> bytes | None:
        """The stored snapshot of index `version`, or None."""
        conn = await self._connection()
        return await conn.scalar(select(SNAPSHOTS.c.data).where(SNAPSHOTS.c.version == version))

    async def lock_index(self) -> None:
        """Block until no other process is reindexing; held until this transaction ends.

        PostgreSQL: a transaction-scoped advisory lock. SQLite allows one writer at a time, so
        the database's write lock is taken now, before the reindex reads what changed, instead of
        at its first real write (which could fail with "database is locked"): `BEGIN IMMEDIATE`,
        not a no-op UPDATE, which is a write statement that a read-only database refuses even
        when a start has nothing to change. A database this process cannot write needs no lock:
        reading goes on, and a write fails as read-only.
        """
        conn = await self._connection()
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REINDEX_LOCK_KEY})
        elif conn.dialect.name == "sqlite":
            raw = await conn.get_raw_connection()
            if raw.driver_connection.in_transaction:  # a write ran already: the lock is held
                return
            try:
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            except DatabaseUnavailable as exc:
                if not exc.read_only:
                    raise

    async def add_reindex_run(self, run: ReindexRunRecord) -> None:
        """Store one reindex attempt."""
        conn = await self._connection()
        await conn.execute(insert(REINDEX_RUNS).values(**asdict(run)))

    async def last_reindex_run(self, status: str | None = "ok") -> ReindexRunRecord | None:
        """The most recently finished run with this status (any status if None)."""
        statement = select(*_columns(REINDEX_RUNS, ReindexRunRecord))
        if status is not None:
            statement = statement.where(REINDEX_RUNS.c.status == status)
        statement = statement.order_by(REINDEX_RUNS.c.finished_at.desc(), REINDEX_RUNS.c.id.desc())
        conn = await self._connection()
        row = (await conn.execute(statement.limit(1))).one_or_none()
        return None if row is None else ReindexRunRecord(*row)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause cyclic GC while building many objects that are all kept (no awaits inside!)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class FileChunks:
    """One note to store with its front matter and its analysed chunks."""

    note: NoteFile
    title: str | None
    tags: tuple[str, ...]
    documents: tuple[Document, ...]


def _file_values(item: FileChunks, indexed_at: datetime) -> dict[str, Any]:
    note = item.note
    return {"content_hash": note.content_hash, "size": note.size, "modified_at": note.modified_at,
            "title": item.title, "tags": list(item.tags), "indexed_at": indexed_at,
            "category": item.documents[0].category if item.documents else None,
            "unpublished": bool(item.documents and item.documents[0].unpublished)}


def _chunk_values(doc: Document, file_id: int) -> dict[str, Any]:
    chunk = doc.chunk
    return {"chunk_id": chunk.chunk_id, "file_id": file_id, "ordinal": chunk.ordinal,
            "heading_path": list(chunk.heading_path), "start_line": chunk.start_line,
            "end_line": chunk.end_line, "text": chunk.text, "body_words": " ".join(doc.body_words),
            "heading_words": " ".join(doc.heading_words)}


def _batches(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices small enough for any backend's limit on bound parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _check_file(note: NoteFile, title: str | None, documents: Sequence[Document]) -> None:
    if len(note.path) > FILES.c.path.type.length:  # type: ignore[attr-defined]
        raise ValueError(f"note path longer than 1024 characters: {note.path[:80]}...")
    if "\x00" in (title or ""):
        raise ValueError(f"{note.path}: title contains a NUL character")
    for doc in documents:
        chunk = doc.chunk
        if chunk.source != note.path:
            raise ValueError(f"chunk {chunk.chunk_id} of {chunk.source} given for {note.path}")
        if len(chunk.chunk_id) > CHUNKS.c.chunk_id.type.length:  # type: ignore[attr-defined]
            raise ValueError(f"{note.path}: chunk id {chunk.chunk_id!r} longer than 32 characters")
        if "\x00" in chunk.text:  # PostgreSQL text cannot hold NUL; SQLite would accept it
            raise ValueError(f"{note.path}: chunk {chunk.ordinal} contains a NUL character")
