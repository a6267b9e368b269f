"""NotesRepository round-trips, on SQLite and PostgreSQL, with the schema built by migrations."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.search.chunking import Chunk
from bot.core.search.documents import Document
from bot.core.search.notes import NoteFile
from bot.core.storage.models import ChunkRow, NoteFileRow
from bot.core.storage.repositories import (
    REINDEX_LOCK_KEY,
    FileChunks,
    IndexStateRecord,
    NotesRepository,
    ReindexRunRecord,
    StoredFile,
)

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2025, 11, 25, 12, 0, tzinfo=timezone.utc)
CEST = timezone(timedelta(hours=2))


def note(path: str, text: str = "some text", modified_at: datetime = T0) -> NoteFile:
    raw = text.encode()
    return NoteFile(path=path, text=text, content_hash=hashlib.sha256(raw).hexdigest(),
                    size=len(raw), modified_at=modified_at)


def document(path: str, ordinal: int, *, words: str = "alpha beta", heading: tuple[str, ...] = ("Top",),
             title: str | None = "Title", tag: str = "") -> Document:
    chunk_text = f"line {ordinal} of {path} {tag}\nsecond line: {words}"
    chunk_id = hashlib.sha256(f"{path}|{ordinal}|{chunk_text}".encode()).hexdigest()[:32]
    return Document(
        chunk=Chunk(source=path, ordinal=ordinal, heading_path=heading, start_line=2 * ordinal + 1,
                    end_line=2 * ordinal + 2, text=chunk_text, chunk_id=chunk_id),
        title=title,
        body_words=tuple(words.split()),
        heading_words=tuple(" ".join(heading).lower().split()),
    )


async def store(sessions: Sessions, path: str, documents: list[Document], *, title: str | None = "Title",
                text: str = "some text") -> None:
    async with sessions.begin() as session:
        await NotesRepository(session).replace_file(
            note(path, text), title=title, tags=("k8s", "storage"), documents=documents, indexed_at=T0
        )


async def load(sessions: Sessions) -> list[Document]:
    async with sessions() as session:
        return await NotesRepository(session).load_documents()


async def count_chunks(sessions: Sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(ChunkRow)) or 0


async def test_documents_round_trip_in_path_then_ordinal_order(sessions: Sessions) -> None:
    b_docs = [document("b.md", 1, words="später ünïcode"), document("b.md", 0, heading=())]
    a_docs = [
        document("a/z.md", 0, title=None, heading=("Storage", "PVC > PV"), words=""),
        document("a/z.md", 1, title=None, words="k8s persistent-volume"),
    ]
    await store(sessions, "b.md", b_docs)
    await store(sessions, "a/z.md", a_docs, title=None)
    await store(sessions, "B.md", [document("B.md", 0)])  # upper case sorts first by code point

    loaded = await load(sessions)
    assert [d.chunk.source for d in loaded] == ["B.md", "a/z.md", "a/z.md", "b.md", "b.md"]
    assert loaded[1:] == a_docs + sorted(b_docs, key=lambda d: d.chunk.ordinal)
    assert loaded[1].body_words == () and loaded[1].chunk.heading_path == ("Storage", "PVC > PV")
    assert loaded[3].chunk.heading_path == ()


async def test_a_notes_category_and_withdrawal_come_back_with_its_passages(sessions: Sessions) -> None:
    from dataclasses import replace

    await store(sessions, "glossary/tool.md", [replace(document("glossary/tool.md", i), category="technology")
                                               for i in range(2)])
    await store(sessions, "old.md", [replace(document("old.md", 0), unpublished=True)])
    loaded = {(d.chunk.source, d.chunk.ordinal): d for d in await load(sessions)}
    assert [loaded[("glossary/tool.md", i)].category for i in range(2)] == ["technology"] * 2
    assert loaded[("old.md", 0)].unpublished and not loaded[("glossary/tool.md", 0)].unpublished
    assert loaded[("old.md", 0)].category is None


async def test_stored_files_are_keyed_by_path_with_utc_times(sessions: Sessions) -> None:
    modified = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=CEST)
    async with sessions.begin() as session:
        await NotesRepository(session).replace_file(
            note("x.md", "hello", modified), title="X", tags=[], documents=[], indexed_at=T0
        )
    async with sessions() as session:
        files = await NotesRepository(session).stored_files()
    assert files == {"x.md": StoredFile("x.md", note("x.md", "hello").content_hash, 5, modified)}
    assert files["x.md"].modified_at.utcoffset() == timedelta(0)


async def test_replacing_a_file_replaces_its_chunks(sessions: Sessions) -> None:
    await store(sessions, "n.md", [document("n.md", i) for i in range(3)], text="v1")
    await store(sessions, "n.md", [document("n.md", i) for i in range(3)], text="v1")  # same ids again
    new = [document("n.md", i, tag="v2", title="New title") for i in range(2)]
    await store(sessions, "n.md", new, title="New title", text="v2")

    assert await load(sessions) == new
    assert await count_chunks(sessions) == 2
    async with sessions() as session:
        files = await NotesRepository(session).stored_files()
        row = (await session.execute(select(NoteFileRow.title, NoteFileRow.tags))).one()
    assert files["n.md"].content_hash == note("n.md", "v2").content_hash
    assert tuple(row) == ("New title", ["k8s", "storage"])


async def test_delete_files_removes_their_chunks(sessions: Sessions) -> None:
    await store(sessions, "keep.md", [document("keep.md", 0)])
    await store(sessions, "gone.md", [document("gone.md", i) for i in range(3)])
    await store(sessions, "gone2.md", [document("gone2.md", 0)])
    async with sessions.begin() as session:
        deleted = await NotesRepository(session).delete_files(iter(["gone.md", "gone2.md", "never.md", "gone.md"]))
    assert deleted == 2
    assert [d.chunk.source for d in await load(sessions)] == ["keep.md"]
    assert await count_chunks(sessions) == 1
    async with sessions() as session:
        assert set(await NotesRepository(session).stored_files()) == {"keep.md"}
        assert await NotesRepository(session).delete_files([]) == 0


async def test_deleting_a_file_row_cascades_to_its_chunks(sessions: Sessions) -> None:
    """The foreign key really is enforced (SQLite needs PRAGMA foreign_keys on every connection)."""
    await store(sessions, "c.md", [document("c.md", 0), document("c.md", 1)])
    async with sessions.begin() as session:
        await session.execute(text("DELETE FROM note_files WHERE path = 'c.md'"))
    assert await count_chunks(sessions) == 0
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(text(
                "INSERT INTO chunks (chunk_id, file_id, ordinal, heading_path, start_line, end_line,"
                " text, body_words, heading_words) VALUES ('x', 999, 0, '[]', 1, 1, '', '', '')"
            ))


async def test_chunk_ids_are_unique(sessions: Sessions) -> None:
    first = document("one.md", 0)
    await store(sessions, "one.md", [first])
    clash = Document(
        chunk=Chunk(source="two.md", ordinal=0, heading_path=(), start_line=1, end_line=1, text="t",
                    chunk_id=first.chunk.chunk_id),
        title=None, body_words=(), heading_words=(),
    )
    with pytest.raises(IntegrityError):
        await store(sessions, "two.md", [clash])
    assert [d.chunk.source for d in await load(sessions)] == ["one.md"]


async def test_index_state_is_a_singleton_whose_version_increments(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        repo = NotesRepository(session)
        assert await repo.index_state() is None
        first = await repo.save_index_state(built_at=T0, parameters={"k1": 1.2, "fields": ["body"]},
                                            file_count=3, chunk_count=10)
    assert first == IndexStateRecord(1, T0, {"k1": 1.2, "fields": ["body"]}, 3, 10)
    later = T0 + timedelta(hours=1)
    async with sessions.begin() as session:
        second = await NotesRepository(session).save_index_state(
            built_at=later.astimezone(CEST), parameters={}, file_count=4, chunk_count=12
        )
    async with sessions() as session:
        stored = await NotesRepository(session).index_state()
    assert second.version == 2
    assert stored == IndexStateRecord(2, later, {}, 4, 12)
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(text(
                "INSERT INTO index_state (id, version, built_at, parameters, file_count, chunk_count)"
                " VALUES (2, 1, '2025-01-01 00:00:00', '{}', 0, 0)"
            ))


def run(status: str, finished: datetime, **changes: object) -> ReindexRunRecord:
    values: dict[str, object] = dict(
        started_at=finished - timedelta(seconds=3), finished_at=finished, status=status,
        requested_by=None, guild_id=None, added=1, changed=2, removed=3, unchanged=4, chunks=50,
        skipped=[], seconds=2.5, error=None,
    )
    values.update(changes)
    return ReindexRunRecord(**values)  # type: ignore[arg-type]


async def test_reindex_runs_are_stored_and_the_last_one_returned(sessions: Sessions) -> None:
    async with sessions() as session:
        assert await NotesRepository(session).last_reindex_run() is None
    discord_id = 1_234_567_890_123_456_789  # needs 64 bits
    older_ok = run("ok", T0)
    newer_ok = run("ok", T0 + timedelta(minutes=5), requested_by=discord_id, guild_id=discord_id + 1,
                   skipped=[{"path": "big.md", "reason": "larger than 5 MB"}])
    newest_failed = run("failed", T0 + timedelta(minutes=9), error="boom: disk full")
    async with sessions.begin() as session:
        repo = NotesRepository(session)
        for record in (newer_ok, newest_failed, older_ok):  # insertion order must not matter
            await repo.add_reindex_run(record)
    async with sessions() as session:
        repo = NotesRepository(session)
        assert await repo.last_reindex_run() == newer_ok
        assert await repo.last_reindex_run("failed") == newest_failed
        assert await repo.last_reindex_run(None) == newest_failed


async def test_a_rolled_back_transaction_leaves_nothing(sessions: Sessions) -> None:
    async with sessions() as session:
        repo = NotesRepository(session)
        await repo.lock_index()
        await repo.replace_file(note("r.md"), title=None, tags=[], documents=[document("r.md", 0)],
                                indexed_at=T0)
        await repo.save_index_state(built_at=T0, parameters={}, file_count=1, chunk_count=1)
        await repo.add_reindex_run(run("ok", T0))
        assert len(await repo.load_documents()) == 1  # visible inside the transaction
        await session.rollback()
    async with sessions() as session:
        repo = NotesRepository(session)
        assert await repo.stored_files() == {}
        assert await repo.load_documents() == []
        assert await repo.index_state() is None
        assert await repo.last_reindex_run(None) is None


async def test_lock_index_excludes_other_writers(sessions: Sessions, engine: AsyncEngine, backend: str) -> None:
    async with sessions.begin() as session:
        await NotesRepository(session).save_index_state(built_at=T0, parameters={}, file_count=0,
                                                        chunk_count=0)
    async with sessions() as session:
        await NotesRepository(session).lock_index()
        if backend == "postgresql":
            async with engine.connect() as other:
                got = await other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": REINDEX_LOCK_KEY})
                assert got.scalar() is False
        else:
            other = sqlite3.connect(engine.url.database or "", timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("UPDATE index_state SET file_count = 1")
            finally:
                other.close()
        await session.rollback()
    async with sessions() as session:
        await NotesRepository(session).lock_index()  # free again
        assert (await NotesRepository(session).index_state()) is not None


@pytest.mark.parametrize(
    ("problem", "bad"),
    [
        ("NUL", document("v.md", 0, words="a\x00b")),
        ("longer than 32", Document(
            chunk=Chunk("v.md", 0, (), 1, 1, "t", "x" * 33), title=None, body_words=(), heading_words=())),
        ("given for", document("other.md", 0)),
    ],
)
async def test_data_one_backend_would_reject_is_refused_on_all(sessions: Sessions, problem: str,
                                                               bad: Document) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match=problem):
            await NotesRepository(session).replace_file(note("v.md"), title=None, tags=[],
                                                        documents=[bad], indexed_at=T0)


async def test_naive_timestamps_are_refused(sessions: Sessions) -> None:
    async with sessions() as session:
        with pytest.raises(StatementError, match="naive datetime"):
            await NotesRepository(session).replace_file(
                note("t.md", modified_at=datetime(2025, 1, 1)), title=None, tags=[], documents=[],
                indexed_at=T0,
            )


@pytest.mark.slow
async def test_loading_30k_chunks_returns_every_chunk(sessions: Sessions) -> None:
    """Start-up loads the whole index in one go; how fast is measured by bench/benchmark.py,
    not asserted here (timings on a shared machine are noise)."""
    files, per_file = 3000, 10
    words = " ".join(f"word{i}" for i in range(60))
    file_rows, chunk_rows = [], []
    for f in range(files):
        path = f"topic{f % 30}/note{f}.md"
        file_rows.append({"id": f + 1, "path": path, "content_hash": "0" * 64, "size": 1,
                          "modified_at": T0, "title": f"Note {f}", "tags": [], "indexed_at": T0})
        for i in range(per_file):
            doc = document(path, i, words=words, heading=("Section", f"Sub {i}"))
            chunk_rows.append({"chunk_id": doc.chunk.chunk_id, "file_id": f + 1, "ordinal": i,
                               "heading_path": list(doc.chunk.heading_path), "start_line": 1,
                               "end_line": 2, "text": doc.chunk.text, "body_words": words,
                               "heading_words": " ".join(doc.heading_words)})
    async with sessions.begin() as session:
        await session.execute(insert(NoteFileRow.__table__), file_rows)
        await session.execute(insert(ChunkRow.__table__), chunk_rows)

    async with sessions() as session:
        loaded = await NotesRepository(session).load_documents()
    assert len(loaded) == files * per_file
    assert loaded[0].chunk.source == "topic0/note0.md" and len(loaded[0].body_words) == 60


async def test_only_the_newest_index_snapshot_is_kept(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        repo = NotesRepository(session)
        await repo.store_snapshot(1, b"one", created_at=T0)
        await repo.store_snapshot(2, b"two" * 1000, created_at=T0)
    async with sessions() as session:
        repo = NotesRepository(session)
        assert await repo.index_snapshot(1) is None
        assert await repo.index_snapshot(2) == b"two" * 1000
        assert await repo.index_snapshot(3) is None


async def test_the_batch_write_replaces_many_files_at_once(sessions: Sessions) -> None:
    await store(sessions, "a.md", [document("a.md", 0), document("a.md", 1)])
    items = [FileChunks(note("a.md", "new"), "A", (), (document("a.md", 0, words="gamma"),)),
             FileChunks(note("b.md"), None, ("t",), (document("b.md", 0), document("b.md", 1)))]
    async with sessions() as session, session.begin():
        await NotesRepository(session).replace_files(items, indexed_at=T0)
    loaded = await load(sessions)
    assert [(d.chunk.source, d.chunk.ordinal, d.body_words) for d in loaded] == [
        ("a.md", 0, ("gamma",)), ("b.md", 0, ("alpha", "beta")), ("b.md", 1, ("alpha", "beta"))]
    assert loaded[0].title == "A"
