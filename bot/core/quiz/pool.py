"""The question pool: kept in step with the index in the reindex's own transaction.

`QuestionPool.on_reindex` is the hook `NotesService` calls after it has written the chunks and built
the new engine, on the same session, so what it writes commits (or rolls back) with the index;
`QuestionPool.after_reindex` generates from the new passages once the reindex has committed, so
generating never holds the index's write lock (`NotesService(**pool.hooks(sessions))` wires both).

Why it works this way:

* Incremental: only passages of added or changed notes are generated from, and a passage whose
  content id already has questions keeps them (ids are content-derived, so an edit elsewhere in
  the file or in another file leaves them alone).
* Questions whose passage changed or disappeared are retired (`retired_at`), never deleted:
  answers and review cards point at them. A passage that comes back word for word gets its
  questions back.
* Bounded: right after a reindex, questions are generated from at most `inline_budget` new
  passages (a one-file change is generated at once), in a worker thread, and stored in a short
  transaction of their own that checks the index is still the version they were made from; the
  rest is left to the background fill (`fill.py`), which visits every passage not yet visited.
  `quiz_sources` records the visited passages (by content id), so nothing is generated from twice.
* Hand-written questions (`<notes>/quiz/*.yaml`) are validated on every reindex (a file is parsed
  again only when it changed, `quiz_files`); their problems become reindex warnings, one per
  entry. Only the rows whose lines moved are written: a start with nothing changed writes none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from bot.core.quiz.structural import StructuralGenerator, StructuralParams
from bot.core.quiz.handwritten import QUIZ_FOLDER, load_handwritten
from bot.core.quiz.quiz_files import QuizFiles
from bot.core.quiz.questions import Question
from bot.core.quiz.questions import normalise
from bot.core.search.documents import Document
from bot.core.search.notes import SkippedFile
from bot.core.search.service import AfterReindex, ReindexChange
from bot.core.search.structure import StructureCache
from bot.core.storage.models import QuizQuestionRow, QuizSourceRow
from bot.core.storage.repositories import NotesRepository

log = logging.getLogger(__name__)

QUESTIONS = cast(Table, QuizQuestionRow.__table__)
SOURCES = cast(Table, QuizSourceRow.__table__)
_BATCH = 500  # values per IN (...) list or insert batch


@dataclass(frozen=True)
class PoolParams:
    generation: StructuralParams = StructuralParams()
    # new passages generated from inside a reindex (about 3 ms each); the rest is left to the fill
    inline_budget: int = 100


@dataclass
class PoolReport:
    """What a pool update did (for logs and the benchmark)."""

    generated: int = 0
    retired: int = 0
    revived: int = 0
    written: int = 0
    deferred: int = 0  # new passages left to the background fill
    seconds: float = 0.0
    warnings: list[SkippedFile] = field(default_factory=list)


def generate_for(generator: StructuralGenerator, documents: Iterable[Document]) -> list[Question]:
    """Questions of these passages, in passage order."""
    return [q for doc in documents for q in generator.generate(doc)]


class QuestionPool:
    """Keeps `quiz_questions` in step with the index: inside the reindex transaction, then right
    after it."""

    def __init__(self, params: PoolParams | None = None) -> None:
        self.params = params or PoolParams()
        self.last_report: PoolReport | None = None
        self._first: list[Document] = []  # new passages to generate from once the reindex committed
        self.structures = StructureCache()  # passages' structure, kept while their content is indexed
        self.quiz_files = QuizFiles()  # the hand-written files as last read, kept while unchanged

    async def on_reindex(self, session: AsyncSession, change: ReindexChange) -> list[SkippedFile]:
        """Update the pool for this reindex; returns warnings for the reindex summary."""
        started = time.perf_counter()
        connection = await session.connection()
        report = PoolReport()
        current = {d.chunk.chunk_id for d in change.engine.documents}
        report.retired += await _retire_gone(connection, change, current)
        fresh = [d for d in change.fresh if d.chunk.chunk_id in current]
        if not change.everything and not await _has_visited(connection):
            fresh = list(change.engine.documents)  # a pool never built (an index from before the quiz)
        known = await _known_chunks(connection, [d.chunk.chunk_id for d in fresh])
        report.revived += await _revive(connection, known, change.now)
        unknown = [d for d in fresh if d.chunk.chunk_id not in known]
        seen = await visited_among(connection, [d.chunk.chunk_id for d in unknown])
        todo = [d for d in unknown if d.chunk.chunk_id not in seen]
        self._first = todo[:self.params.inline_budget]
        report.deferred = len(todo) - len(self._first)
        questions, problems = load_handwritten(change.notes_dir / QUIZ_FOLDER, change.engine, self.quiz_files)
        report.written, retired = await _sync_written(connection, questions, change.now)
        report.retired += retired
        report.warnings = [SkippedFile(*problem.split(": ", 1)) for problem in problems]
        report.seconds = time.perf_counter() - started
        self.last_report = report
        changed = report.retired or report.revived or problems or report.deferred
        log.log(logging.INFO if changed else logging.DEBUG,  # a start with nothing changed says nothing
                "question pool: %d retired, %d revived, %d hand-written, %d problems, %d new passages to "
                "generate from now, %d left to the background fill", report.retired, report.revived,
                report.written, len(problems), len(self._first), report.deferred)
        return report.warnings

    async def after_reindex(self, sessions: async_sessionmaker[AsyncSession], change: ReindexChange,
                            version: int) -> None:
        """Generate from the new passages `on_reindex` kept (in a worker thread) and store the
        questions in a transaction of their own, unless another reindex came in between."""
        first, self._first = self._first, []
        if not first:
            return
        started = time.perf_counter()
        self.structures.keep_only({d.chunk.chunk_id for d in change.engine.documents})
        questions = await asyncio.to_thread(self._generate, change, first)
        stored = await store_generated(sessions, first, questions, version, change.now)
        if self.last_report is not None:
            self.last_report.generated = stored or 0
            self.last_report.seconds += time.perf_counter() - started
        log.info("question pool: %d generated from %d new passages%s", stored or 0, len(first),
                 "" if stored is not None else " (a newer index came first: the fill takes them)")

    def _generate(self, change: ReindexChange, documents: list[Document]) -> list[Question]:
        generator = StructuralGenerator(change.engine, change.synonyms, self.params.generation, self.structures)
        return generate_for(generator, documents)

    def after_reindex_hook(self, sessions: async_sessionmaker[AsyncSession]) -> AfterReindex:
        """`NotesService`'s `after_reindex` for this pool (beside `on_reindex=pool.on_reindex`)."""
        async def after(change: ReindexChange, version: int) -> None:
            await self.after_reindex(sessions, change, version)

        return after


async def store_generated(sessions: async_sessionmaker[AsyncSession], documents: Sequence[Document],
                          questions: Sequence[Question], version: int, now: datetime) -> int | None:
    """Store questions generated from `documents` over index `version` and mark the passages
    visited, in one short transaction; None (nothing stored) when the index is no longer that
    version: the questions were checked against another index."""
    async with sessions() as session, session.begin():
        repo = NotesRepository(session)
        await repo.lock_index()  # a reindex commits wholly before or after this
        state = await repo.index_state()
        if state is None or state.version != version:
            return None
        connection = await session.connection()
        stored = await insert_questions(connection, questions, now)
        await mark_visited(connection, [d.chunk.chunk_id for d in documents], now)
        return stored


async def _retire_gone(connection, change: ReindexChange, current: set[str]) -> int:
    """Retire generated questions whose passage is no longer indexed."""
    query = select(QUESTIONS.c.id, QUESTIONS.c.chunk_id).where(
        QUESTIONS.c.retired_at.is_(None), QUESTIONS.c.kind != "written")
    rows: list[Any] = []
    if change.everything:
        rows = list(await connection.execute(query))
    else:
        for batch in _batches(sorted(change.touched)):
            rows += list(await connection.execute(query.where(QUESTIONS.c.source.in_(batch))))
    gone = [row.id for row in rows if row.chunk_id not in current]
    await _set_retired(connection, gone, change.now)
    return len(gone)


async def _has_visited(connection) -> bool:
    row = await connection.execute(select(SOURCES.c.chunk_id).limit(1))
    return row.first() is not None


async def visited_among(connection: AsyncConnection, chunk_ids: Sequence[str]) -> set[str]:
    """Which of these passages the pool has already generated from (whatever came of it)."""
    found: set[str] = set()
    for batch in _batches(chunk_ids):
        found |= set((await connection.execute(
            select(SOURCES.c.chunk_id).where(SOURCES.c.chunk_id.in_(batch)))).scalars())
    return found


async def mark_visited(connection: AsyncConnection, chunk_ids: Sequence[str], now: datetime) -> None:
    """Record passages as generated from; one visited by another process meanwhile is skipped."""
    rows = [{"chunk_id": chunk_id, "visited_at": now} for chunk_id in sorted(set(chunk_ids))]
    for batch in _batches(rows):
        await connection.execute(_insert_ignoring(connection, SOURCES), list(batch))


async def _known_chunks(connection, chunk_ids: Sequence[str]) -> dict[str, list[tuple[str, bool]]]:
    """Passages that already have questions: chunk id → [(question id, retired)]."""
    known: dict[str, list[tuple[str, bool]]] = {}
    for batch in _batches(chunk_ids):
        rows = await connection.execute(
            select(QUESTIONS.c.id, QUESTIONS.c.chunk_id, QUESTIONS.c.retired_at)
            .where(QUESTIONS.c.chunk_id.in_(batch), QUESTIONS.c.kind != "written"))
        for row in rows:
            known.setdefault(row.chunk_id, []).append((row.id, row.retired_at is not None))
    return known


async def _revive(connection, known: dict[str, list[tuple[str, bool]]], now: datetime) -> int:
    """A passage back word for word: its retired questions are askable again."""
    ids = [qid for entries in known.values() for qid, retired in entries if retired]
    for batch in _batches(ids):
        await connection.execute(update(QUESTIONS).where(QUESTIONS.c.id.in_(batch)).values(retired_at=None))
    return len(ids)


async def _set_retired(connection, ids: Sequence[str], now: datetime) -> None:
    for batch in _batches(ids):
        await connection.execute(update(QUESTIONS).where(QUESTIONS.c.id.in_(batch)).values(retired_at=now))


async def insert_questions(connection: AsyncConnection, questions: Sequence[Question], now: datetime) -> int:
    """Insert new questions; an id already stored (the same question twice, or one another process
    inserted meanwhile) is skipped, and so is a question whose text and answer (normalised) are an
    active question's: the docs repeat sentences, and a member must not meet one question under two
    ids. Returns how many were new when checked."""
    unique = list({q.id: q for q in questions}.values())
    existing: set[str] = set()
    for batch in _batches([q.id for q in unique]):
        existing |= set((await connection.execute(select(QUESTIONS.c.id).where(QUESTIONS.c.id.in_(batch)))).scalars())
    asked = await _asked(connection, {q.answer for q in unique})
    rows = []
    for question in unique:
        key = _wording(question.prompt, question.answer)
        if question.id in existing or key in asked:
            continue
        asked.add(key)  # the first of two passages saying the same thing keeps the question
        rows.append(_row(question, now))
    for batch in _batches(rows):
        await connection.execute(_insert_ignoring(connection, QUESTIONS), list(batch))
    return len(rows)


def _wording(prompt: str, answer: str) -> tuple[str, str]:
    """What a member reads: the same question whatever its passage, case or punctuation."""
    return normalise(prompt), normalise(answer)


async def _asked(connection: AsyncConnection, answers: set[str]) -> set[tuple[str, str]]:
    """The wordings of the active questions with one of these answers (callers hold the reindex
    lock, so no other process inserts meanwhile)."""
    found: set[tuple[str, str]] = set()
    for batch in _batches(sorted(answers)):
        rows = await connection.execute(select(QUESTIONS.c.prompt, QUESTIONS.c.answer).where(
            QUESTIONS.c.answer.in_(batch), QUESTIONS.c.retired_at.is_(None)))
        found |= {_wording(row.prompt, row.answer) for row in rows}
    return found


def _insert_ignoring(connection: AsyncConnection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: two processes may store the same content-derived row."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)


async def _sync_written(connection, questions: Sequence[Question], now: datetime) -> tuple[int, int]:
    """Hand-written questions: add new ones, revive returning ones, retire removed or edited ones."""
    wanted = {q.id: q for q in questions}
    rows = list(await connection.execute(
        select(QUESTIONS.c.id, QUESTIONS.c.retired_at, QUESTIONS.c.start_line, QUESTIONS.c.end_line,
               QUESTIONS.c.chunk_id).where(QUESTIONS.c.kind == "written")))
    stored = {row.id: row for row in rows}
    gone = [qid for qid, row in stored.items() if qid not in wanted and row.retired_at is None]
    back = [qid for qid, row in stored.items() if qid in wanted and row.retired_at is not None]
    await _set_retired(connection, gone, now)
    for batch in _batches(back):
        await connection.execute(update(QUESTIONS).where(QUESTIONS.c.id.in_(batch)).values(retired_at=None))
    # the line range of a hand-written question follows its note: refresh the ones that moved
    keep = [q for qid, q in wanted.items() if qid in stored and (q.start_line, q.end_line, q.chunk_id)
            != (stored[qid].start_line, stored[qid].end_line, stored[qid].chunk_id)]
    if keep:
        await connection.execute(
            update(QUESTIONS).where(QUESTIONS.c.id == bindparam("qid")).values(
                start_line=bindparam("start"), end_line=bindparam("end"), chunk_id=bindparam("chunk")),
            [{"qid": q.id, "start": q.start_line, "end": q.end_line, "chunk": q.chunk_id} for q in keep])
    new = [_row(q, now) for qid, q in wanted.items() if qid not in stored]
    for batch in _batches(new):
        await connection.execute(insert(QUESTIONS), list(batch))
    return len(wanted), len(gone)


def _row(question: Question, now: datetime) -> dict[str, Any]:
    return {
        "id": question.id, "kind": question.kind, "prompt": question.prompt, "choices": list(question.choices),
        "answer_index": question.answer_index, "answer": question.answer, "accepted": list(question.accepted),
        "explanation": question.explanation, "source": question.source, "heading": question.heading,
        "start_line": question.start_line, "end_line": question.end_line, "chunk_id": question.chunk_id,
        "quality": question.quality, "created_at": now, "retired_at": None,
    }


def _batches(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _BATCH):
        yield values[start:start + _BATCH]
