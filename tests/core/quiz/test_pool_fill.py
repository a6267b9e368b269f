"""The background fill: the reindex leaves new passages to it, and it visits every one, resumably,
on the current index only, and safely beside another process filling the same database."""

from __future__ import annotations

import asyncio
import random
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SHIPPED_CORPUS
from bot.core.quiz import fill
from bot.core.quiz.fill import FillParams, PoolFiller
from bot.core.quiz.structural import StructuralGenerator
from bot.core.quiz.pool import PoolParams, QuestionPool, generate_for
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.storage.database import create_engine, session_factory
from bot.core.storage.models import QuizQuestionRow, QuizSourceRow
from tests.core.quiz.conftest import FIXTURE_NOTES

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
SMALL_BATCHES = FillParams(batch_passages=2)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    shutil.copytree(FIXTURE_NOTES, root)
    return root


def make_service(sessions, notes: Path, inline_budget: int = 0) -> NotesService:
    """A service whose reindex generates from at most `inline_budget` new passages (0: the fill
    does all the work, as over a large corpus)."""
    pool = QuestionPool(PoolParams(inline_budget=inline_budget))
    config = ServiceConfig(notes_dir=notes, synonyms_file=SHIPPED_CORPUS / "synonyms.yaml")
    return NotesService(config, sessions, clock=lambda: FIXED, on_reindex=pool.on_reindex,
                        after_reindex=pool.after_reindex_hook(sessions))


def make_filler(sessions, service: NotesService, seed: int = 0, params: FillParams = SMALL_BATCHES) -> PoolFiller:
    return PoolFiller(sessions, lambda: (service.engine, service.version), clock=lambda: FIXED,
                      rng=random.Random(seed), params=params)


def expected_ids(service: NotesService) -> set[str]:
    """Every question the generator makes from the whole index (what a full fill must store)."""
    engine = service.engine
    return {q.id for q in generate_for(StructuralGenerator(engine, engine.queries.synonyms), engine.documents)}


async def active_generated(sessions) -> list[QuizQuestionRow]:
    async with sessions() as session:
        return list(await session.scalars(select(QuizQuestionRow).where(
            QuizQuestionRow.retired_at.is_(None), QuizQuestionRow.kind != "written")))


async def visited(sessions) -> set[str]:
    async with sessions() as session:
        return set(await session.scalars(select(QuizSourceRow.chunk_id)))


def count_generated(monkeypatch) -> list[str]:
    """Chunk ids the generator is run on, in order."""
    seen: list[str] = []
    real = StructuralGenerator.generate

    def spy(self, doc):
        seen.append(doc.chunk.chunk_id)
        return real(self, doc)

    monkeypatch.setattr(StructuralGenerator, "generate", spy)
    return seen


async def test_the_reindex_leaves_a_large_change_to_the_fill_which_covers_every_passage(sessions, notes) -> None:
    service = make_service(sessions, notes)
    await service.start()
    assert await active_generated(sessions) == [] and await visited(sessions) == set()
    filler = make_filler(sessions, service)
    assert (await filler.status()).visited == 0
    report = await filler.fill()
    passages = {d.chunk.chunk_id for d in service.engine.documents}
    assert report.complete and not report.stale
    assert report.visited == report.passages == len(service.engine.documents)
    assert await visited(sessions) == passages  # including passages that gave no question
    ids = {r.id for r in await active_generated(sessions)}
    assert ids == expected_ids(service) and len(ids) >= 5
    assert report.questions == len(ids) and report.line().startswith(f"question pool: {len(passages)} of")
    again = await filler.fill()  # nothing left: nothing generated
    assert again.complete and again.generated == 0


async def test_a_fill_that_renews_its_generator_stores_the_same_pool(sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    seen = count_generated(monkeypatch)
    report = await make_filler(sessions, service, params=FillParams(batch_passages=2, generator_passages=3)).fill()
    assert report.complete and sorted(seen) == sorted(d.chunk.chunk_id for d in service.engine.documents)
    assert {r.id for r in await active_generated(sessions)} == expected_ids(service)


async def test_a_small_change_is_generated_at_once_by_the_reindex(sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes, inline_budget=3)
    await service.start()
    assert len(await visited(sessions)) == 3  # a large change: three now, the rest left to the fill
    await make_filler(sessions, service).fill()
    seen = count_generated(monkeypatch)
    (notes / "extra.md").write_text("# Extra\n\nHelm packages Kubernetes manifests into charts that you can version.\n")
    await service.reindex()
    extra = {d.chunk.chunk_id for d in service.engine.documents if d.chunk.source == "extra.md"}
    assert seen == list(extra)  # generated in the reindex, nothing else
    assert extra <= await visited(sessions)
    report = await make_filler(sessions, service).fill()
    assert report.complete and report.generated == 0


async def test_a_stopped_fill_resumes_where_it_stopped(sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    stop = asyncio.Event()
    first = await make_filler(sessions, service).fill(stop, progress=lambda report: stop.set())
    assert not first.complete and not first.stale
    done = await visited(sessions)
    assert 0 < len(done) < len(service.engine.documents)
    seen = count_generated(monkeypatch)
    second = await make_filler(sessions, service, seed=1).fill()  # a new process, say
    assert second.complete
    assert not set(seen) & done  # nothing visited before is generated from again
    assert {r.id for r in await active_generated(sessions)} == expected_ids(service)


async def test_a_reindex_during_a_fill_makes_it_stop_and_start_again_on_the_new_index(
        sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    other = make_service(sessions, notes)  # another process on the same database
    await other.start()
    filler = make_filler(sessions, service, params=FillParams(batch_passages=1000))  # one batch: every passage
    old = {d.chunk.chunk_id for d in service.engine.documents if "CoreDNS" in d.chunk.text}
    real_store = fill.store_generated

    async def reindex_first(*args):
        (notes / "networking.md").write_text((notes / "networking.md").read_text().replace("CoreDNS", "kube-dns"))
        await other.reindex()
        return await real_store(*args)

    monkeypatch.setattr(fill, "store_generated", reindex_first)
    report = await filler.fill()
    assert report.stale and not report.complete and report.generated == 0
    assert await active_generated(sessions) == []  # nothing checked against the old index was stored
    monkeypatch.setattr(fill, "store_generated", real_store)
    assert await service.refresh_if_stale()
    assert (await filler.fill()).complete
    current = {d.chunk.chunk_id for d in service.engine.documents}
    rows = await active_generated(sessions)
    assert {r.chunk_id for r in rows} <= current and not old & current
    assert not old & await visited(sessions)  # the changed passages were never generated from
    assert {r.id for r in rows} == expected_ids(service)


async def test_an_index_swapped_in_this_process_stops_the_pass(sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    filler = make_filler(sessions, service)
    real_batch = filler._fill_batch
    first: list[set[str]] = []

    async def then_reindex(generator, batch, version):
        stored = await real_batch(generator, batch, version)
        if not first:  # after the first batch, this process reindexes and swaps its engine in
            first.append({d.chunk.chunk_id for d in batch})
            (notes / "storage.md").write_text((notes / "storage.md").read_text() + "\nVelero restores backups.\n")
            await service.reindex()
        return stored

    monkeypatch.setattr(filler, "_fill_batch", then_reindex)
    report = await filler.fill()
    assert report.stale and not report.complete
    assert await visited(sessions) == first[0]  # the old engine was used for one batch only
    assert (await filler.fill()).complete
    current = {d.chunk.chunk_id for d in service.engine.documents}
    assert {r.chunk_id for r in await active_generated(sessions)} <= current
    assert {r.id for r in await active_generated(sessions)} == expected_ids(service)


async def test_two_processes_filling_at_once_store_each_question_once(database_url, sessions, notes) -> None:
    service = make_service(sessions, notes)
    await service.start()
    other_db = create_engine(database_url)  # a second process: its own connections
    try:
        other_sessions = session_factory(other_db)
        other = make_service(other_sessions, notes)
        await other.start()
        reports = await asyncio.gather(make_filler(sessions, service, seed=3).fill(),
                                       make_filler(other_sessions, other, seed=3).fill())  # same start: overlap
        await other.aclose()
    finally:
        await other_db.dispose()
    assert all(r.complete and not r.stale for r in reports)
    rows = await active_generated(sessions)
    assert len(rows) == len({r.id for r in rows})
    assert {r.id for r in rows} == expected_ids(service)
    assert sum(r.generated for r in reports) == len(rows)  # each question stored by one of them
    assert await visited(sessions) == {d.chunk.chunk_id for d in service.engine.documents}


async def test_a_failed_reindex_rolls_back_the_visited_passages_too(sessions, notes, monkeypatch) -> None:
    service = make_service(sessions, notes, inline_budget=100)
    await service.start()
    before = (await visited(sessions), {r.id for r in await active_generated(sessions)})
    (notes / "extra.md").write_text("# Extra\n\nHelm packages Kubernetes manifests into charts that you can version.\n")

    async def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    from bot.core.storage.repositories import NotesRepository

    monkeypatch.setattr(NotesRepository, "add_reindex_run", boom)
    with pytest.raises(RuntimeError):
        await service.reindex()
    assert (await visited(sessions), {r.id for r in await active_generated(sessions)}) == before


async def test_the_background_task_fills_after_start_and_after_a_reindex(sessions, notes) -> None:
    service = make_service(sessions, notes)
    filler = make_filler(sessions, service, params=FillParams(batch_passages=2, poll_seconds=0.01))
    stop = asyncio.Event()
    task = asyncio.create_task(filler.run(stop))
    try:
        await service.start()
        await _until(lambda: _complete(filler))
        (notes / "extra.md").write_text("# Extra\n\nHelm packages Kubernetes manifests into charts that you can version.\n")
        await service.reindex()
        extra = {d.chunk.chunk_id for d in service.engine.documents if d.chunk.source == "extra.md"}
        await _until(lambda: _visited_all(sessions, extra))
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert {r.id for r in await active_generated(sessions)} == expected_ids(service)


async def _complete(filler: PoolFiller) -> bool:
    return (await filler.status()).complete


async def _visited_all(sessions: async_sessionmaker[AsyncSession], ids: set[str]) -> bool:
    return ids <= await visited(sessions)


async def _until(condition, attempts: int = 2000) -> None:
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the background fill did not get there")


async def test_the_migration_counts_passages_with_questions_as_visited(database_url: str) -> None:
    from sqlalchemy import text

    from bot.core.storage.database import upgrade

    db = create_engine(database_url)
    try:
        await upgrade(db, "0006")
        async with db.begin() as conn:
            for qid, kind, chunk in (("q1", "cloze", "c1"), ("q2", "definition", "c1"), ("q3", "cloze", "c2"),
                                     ("w1", "written", "c3")):
                await conn.execute(text(
                    "INSERT INTO quiz_questions (id, kind, prompt, choices, answer_index, answer, accepted, source, "
                    "start_line, end_line, chunk_id, quality, created_at) VALUES (:id, :kind, 'p', '[]', NULL, 'a', "
                    "'[]', 'n.md', 1, 2, :chunk, 0.5, :at)"), {"id": qid, "kind": kind, "chunk": chunk, "at": FIXED})
        await upgrade(db)
        assert await visited(session_factory(db)) == {"c1", "c2"}  # a hand-written question visits nothing
    finally:
        await db.dispose()
