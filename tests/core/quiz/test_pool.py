"""The pool in the reindex: stored with the index, incremental, stable ids, retired questions."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.config import SHIPPED_CORPUS
from bot.core.quiz.pool import QuestionPool, insert_questions
from bot.core.quiz.questions import Question
from bot.core.quiz.store import QuestionStore
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.storage.models import QuizQuestionRow
from bot.core.storage.repositories import NotesRepository
from tests.core.quiz.conftest import FIXTURE_NOTES

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    shutil.copytree(FIXTURE_NOTES, root)
    (root / "quiz").mkdir()
    (root / "quiz" / "written.yaml").write_text(
        "questions:\n"
        "  - question: Which tool backs up cluster resources to object storage?\n"
        "    answer: Velero\n    choices: [Velero, Trivy, Falco, Calico]\n"
        "    source: storage.md\n    heading: Backups\n"
        "  - question: Broken entry without an answer?\n    source: storage.md\n")
    return root


def make_service(sessions, notes: Path, pool: QuestionPool | None = None) -> NotesService:
    config = ServiceConfig(notes_dir=notes, synonyms_file=SHIPPED_CORPUS / "synonyms.yaml")
    pool = pool or QuestionPool()
    return NotesService(config, sessions, clock=lambda: FIXED, on_reindex=pool.on_reindex,
                        after_reindex=pool.after_reindex_hook(sessions))


async def rows(sessions) -> list[QuizQuestionRow]:
    async with sessions() as session:
        return list(await session.scalars(select(QuizQuestionRow).order_by(QuizQuestionRow.id)))


async def test_the_first_index_builds_the_pool_and_reports_bad_entries(sessions, notes: Path) -> None:
    summary = await make_service(sessions, notes).start()
    assert summary is not None
    assert [(w.path, w.reason) for w in summary.warnings] == [("quiz/written.yaml", "entry 2: `answer` is missing")]
    active = await QuestionStore(sessions).active()
    assert active[0].kind == "written" and active[0].answer == "Velero"  # hand-written rank first
    assert active[0].heading == "Storage > Backups"
    kinds = {q.kind for q in active}
    assert "definition" in kinds and len(active) >= 6
    sources = {q.source for q in active}
    assert sources == {"networking.md", "runtimes.md", "security.md", "storage.md"}


async def test_ids_are_stable_when_another_file_changes(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    before = {r.id: r for r in await rows(sessions) if r.source != "security.md"}
    (notes / "security.md").write_text((notes / "security.md").read_text() + "\nSeccomp filters system calls.\n")
    await service.reindex()
    after = {r.id: r for r in await rows(sessions) if r.source != "security.md"}
    assert before.keys() == after.keys()
    assert all(r.retired_at is None for r in after.values())


async def test_questions_of_a_changed_passage_are_retired_and_kept(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    changed = {d.chunk.chunk_id for d in service.engine.documents if "IPVS" in d.chunk.text}
    old = [r for r in await rows(sessions) if r.chunk_id in changed]
    assert old
    text = (notes / "networking.md").read_text().replace("IPVS", "nftables")
    (notes / "networking.md").write_text(text)
    summary = await service.reindex()
    assert summary.changed == ["networking.md"]
    stored = {r.id: r for r in await rows(sessions)}
    assert all(stored[r.id].retired_at == FIXED for r in old)  # kept, never asked again
    active = await QuestionStore(sessions).active()
    assert not {r.id for r in old} & {q.id for q in active}
    assert await QuestionStore(sessions).get(old[0].id) is not None


async def test_a_removed_note_retires_its_questions_and_a_restored_one_revives_them(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    text = (notes / "runtimes.md").read_text()
    ids = {r.id for r in await rows(sessions) if r.source == "runtimes.md"}
    (notes / "runtimes.md").unlink()
    await service.reindex()
    assert all(r.retired_at is not None for r in await rows(sessions) if r.id in ids)
    (notes / "runtimes.md").write_text(text)
    await service.reindex()
    assert all(r.retired_at is None for r in await rows(sessions) if r.id in ids)


async def test_only_new_passages_are_generated_from(sessions, notes: Path, monkeypatch) -> None:
    from bot.core.quiz.structural import StructuralGenerator

    service = make_service(sessions, notes)
    await service.start()
    seen: list[str] = []
    real = StructuralGenerator.generate

    def spy(self, doc):
        seen.append(doc.chunk.source)
        return real(self, doc)

    monkeypatch.setattr(StructuralGenerator, "generate", spy)
    (notes / "extra.md").write_text("# Extra\n\nHelm packages Kubernetes manifests into charts that you can version.\n")
    await service.reindex()
    assert seen == ["extra.md"]
    seen.clear()
    await service.reindex()  # nothing changed: nothing generated
    assert seen == []


async def test_generating_does_not_hold_the_index_write_lock(sessions, notes: Path, monkeypatch) -> None:
    """Questions are generated after the reindex committed: meanwhile another writer (a process's
    reindex, the fill) takes the index lock at once instead of waiting for the generator."""
    pool = QuestionPool()
    service = make_service(sessions, notes, pool)
    loop = asyncio.get_running_loop()
    written: list[bool] = []

    async def take_the_index_lock() -> None:
        async with sessions() as session, session.begin():
            await NotesRepository(session).lock_index()
        written.append(True)

    real = pool._generate

    def generate_while_another_writes(change, documents):  # in the worker thread
        asyncio.run_coroutine_threadsafe(take_the_index_lock(), loop).result(timeout=10)
        return real(change, documents)

    monkeypatch.setattr(pool, "_generate", generate_while_another_writes)
    await service.start()
    assert written and [r for r in await rows(sessions) if r.kind != "written"]  # generated and stored


async def test_an_edited_hand_written_question_replaces_the_old_one(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    path = notes / "quiz" / "written.yaml"
    path.write_text(path.read_text().replace("to object storage?", "to S3?"))
    await service.reindex()
    written = [r for r in await rows(sessions) if r.kind == "written"]
    assert sorted((r.prompt, r.retired_at is None) for r in written) == [
        ("Which tool backs up cluster resources to S3?", True),
        ("Which tool backs up cluster resources to object storage?", False),
    ]


async def test_a_failed_reindex_leaves_the_pool_unchanged(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    before = [(r.id, r.retired_at) for r in await rows(sessions)]
    (notes / "storage.md").write_text("# Storage\n\nVelero was replaced by something else entirely here.\n")

    async def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    from bot.core.storage.repositories import NotesRepository

    monkeypatch.setattr(NotesRepository, "add_reindex_run", boom)
    with pytest.raises(RuntimeError):
        await service.reindex()
    assert [(r.id, r.retired_at) for r in await rows(sessions)] == before


def _question(qid: str, prompt: str, answer: str = "v1.25", chunk: str = "c1") -> Question:
    return Question(id=qid, kind="cloze", prompt=prompt, choices=(answer, "v1.18", "v1.22", "v1.30"),
                    answer_index=0, answer=answer, source="a.md", heading=None, start_line=1, end_line=2,
                    chunk_id=chunk)


async def test_the_same_question_from_two_passages_is_stored_once(sessions) -> None:
    text = "To encrypt a custom resource, your cluster must be running Kubernetes ____ or newer."
    async with sessions() as session, session.begin():
        connection = await session.connection()
        stored = await insert_questions(connection, [_question("a", text, chunk="c1"),
                                                     _question("b", text.upper().rstrip("."), chunk="c2")], FIXED)
        assert stored == 1  # two passages repeating one sentence in one batch
        stored = await insert_questions(connection, [_question("c", text, chunk="c3"),  # a later batch
                                                     _question("d", text, answer="v1.26", chunk="c3")], FIXED)
        assert stored == 1  # another answer is another question
    assert sorted((r.id, r.answer) for r in await rows(sessions)) == [("a", "v1.25"), ("d", "v1.26")]


async def test_a_retired_question_does_not_block_its_wording(sessions) -> None:
    text = "The ____ runs on every node of the cluster."
    async with sessions() as session, session.begin():
        connection = await session.connection()
        await insert_questions(connection, [_question("a", text, answer="kubelet")], FIXED)
        await session.execute(update(QuizQuestionRow).values(retired_at=FIXED))
        assert await insert_questions(connection, [_question("b", text, answer="kubelet", chunk="c2")], FIXED) == 1



async def test_a_start_with_nothing_changed_says_nothing_about_the_pool(sessions, notes: Path, caplog) -> None:
    (notes / "quiz" / "written.yaml").write_text(  # valid only: a problem is worth saying every time
        "questions:\n  - question: Which tool backs up cluster resources to object storage?\n"
        "    answer: Velero\n    choices: [Velero, Trivy, Falco, Calico]\n    source: storage.md\n")
    caplog.set_level("INFO", logger="bot.core.quiz.pool")

    def said() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "bot.core.quiz.pool" and r.levelname == "INFO"]

    await make_service(sessions, notes).start()
    assert len(said()) == 1 and "generated" in said()[0]
    caplog.clear()
    await make_service(sessions, notes).start()  # the next start: the pool's catch-up finds nothing to do
    assert said() == []
