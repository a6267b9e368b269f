"""The background fill: generates questions from every passage the reindex left to it.

A reindex generates at once only from the passages of a small change (`PoolParams.inline_budget`),
so it stays fast; `PoolFiller` then visits every passage of the index not yet visited (by content
id, in `quiz_sources`), in small batches:

* CPU work (each candidate question costs a search) runs in a worker thread, a small batch at a
  time, so the event loop keeps serving `/ask` and quiz clicks: it waits for the interpreter lock
  at most a switch interval (5 ms), where one passage run on the loop could hold it for half a
  second (a passage of many candidates, or the generator's first look at a large index).
* Each batch is written in its own short transaction that takes the reindex lock and checks that
  the index version is still the one the questions were generated (and checked) with: a reindex
  in between makes the batch stale, and the fill starts again on the new index. A passage retired
  or changed meanwhile is therefore never generated from.
* Rows are content-derived and inserted with ON CONFLICT DO NOTHING, and each batch first skips
  passages another process visited meanwhile, so two processes filling one database store each
  question once and never block each other for longer than a batch.
* Resumable: a restart reads `quiz_sources` and carries on where the last batch committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.quiz.structural import StructuralGenerator, StructuralParams
from bot.core.quiz.pool import QUESTIONS, generate_for, store_generated, visited_among
from bot.core.search.answering import SearchEngine
from bot.core.search.documents import Document
from bot.core.search.structure import StructureCache
from bot.core.storage.repositories import NotesRepository

log = logging.getLogger(__name__)

# The engine now serving and the index version it was built from (None before the first load).
CurrentIndex = Callable[[], tuple[SearchEngine, int | None]]


@dataclass(frozen=True)
class FillParams:
    batch_passages: int = 40  # passages per worker-thread call and transaction at most
    # a fresh generator (its caches dropped) after this many passages: the caches of a whole large
    # corpus make each full garbage collection, which holds the event loop, longer and longer
    generator_passages: int = 1000
    progress_seconds: float = 30.0  # between two progress lines in the log
    poll_seconds: float = 1.0  # how often the background task looks for a new index
    retry_seconds: float = 60.0  # after an unexpected error


@dataclass
class FillReport:
    """Where the pool stands after a fill pass (for logs, the CLI and the benchmark)."""

    passages: int = 0  # passages of the index
    visited: int = 0  # of them, visited by anyone
    questions: int = 0  # active generated questions
    generated: int = 0  # questions this pass stored
    seconds: float = 0.0
    complete: bool = False  # every passage of the index is visited
    stale: bool = False  # the index changed under the pass: it stopped early

    def line(self) -> str:
        return (f"question pool: {self.visited:,} of {self.passages:,} passages visited, "
                f"{self.questions:,} questions")

    def sentence(self, rest: str) -> str:
        """The line, and while the pool is not complete, what happens to the rest (`rest`)."""
        return self.line() if self.complete else f"{self.line()}; the rest is {rest}"


Progress = Callable[[FillReport], None]


class PoolFiller:
    """Fills the question pool from the passages of the current index that were never visited."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], current: CurrentIndex, *, clock: Clock,
                 rng: random.Random, params: FillParams | None = None,
                 generation: StructuralParams | None = None) -> None:
        self.sessions = sessions
        self.current = current
        self.clock = clock
        self.rng = rng  # where a pass starts: two processes filling at once mostly work apart
        self.params = params or FillParams()
        self.generation = generation or StructuralParams()
        self.structures = StructureCache()  # passages' structure, kept while their content is indexed

    async def status(self) -> FillReport:
        """How much of the current index the pool has visited (one cheap read)."""
        engine, _ = self.current()
        async with self.sessions() as session:
            connection = await session.connection()
            ids = [d.chunk.chunk_id for d in engine.documents]
            visited = len(await visited_among(connection, ids))
            questions = await _active_generated(session)
        return FillReport(passages=len(ids), visited=visited, questions=questions, complete=visited == len(ids))

    async def fill(self, stop: asyncio.Event | None = None, progress: Progress | None = None) -> FillReport:
        """One pass over the current index: until every passage is visited, `stop` is set, or the
        index changes (`stale`; call again to continue on the new index)."""
        started = time.perf_counter()
        engine, version = self.current()
        report = FillReport(passages=len(engine.documents))
        if version is None or not await self._current_in_database(version):
            report.stale = True
            return report
        async with self.sessions() as session:
            visited = await visited_among(await session.connection(), [d.chunk.chunk_id for d in engine.documents])
        todo = [d for d in engine.documents if d.chunk.chunk_id not in visited]
        report.visited = report.passages - len(todo)
        if todo:  # start somewhere random, so another process's pass works elsewhere
            start = self.rng.randrange(len(todo))
            todo = todo[start:] + todo[:start]
            generator = await self._generator(engine)
            logged = time.perf_counter()
            position = used = 0
            while position < len(todo):
                if used >= self.params.generator_passages:
                    generator = await self._generator(engine)
                    used = 0
                if (stop is not None and stop.is_set()) or self.current()[1] != version:
                    report.stale = self.current()[1] != version
                    break
                batch = todo[position:position + self.params.batch_passages]
                position += len(batch)
                used += len(batch)
                stored = await self._fill_batch(generator, batch, version)
                if stored is None:
                    report.stale = True
                    break
                report.generated += stored
                report.visited += len(batch)
                due = time.perf_counter() - logged >= self.params.progress_seconds
                if progress is not None or due:
                    report.questions = await self._questions()
                    if progress is not None:
                        progress(report)
                    if due:
                        log.info("%s", report.line())
                        logged = time.perf_counter()
        report.questions = await self._questions()
        report.complete = report.visited >= report.passages and not report.stale
        report.seconds = time.perf_counter() - started
        if report.generated:
            log.info("%s%s", report.line(), "" if report.complete else " (the fill goes on)")
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the pool filled while the process lives: a pass after start-up and after every
        reindex (a new index version, from this process or another), until `stop` is set."""
        filled: int | None = None
        while not stop.is_set():
            _, version = self.current()
            if version is not None and version != filled:
                try:
                    report = await self.fill(stop)
                except Exception:  # noqa: BLE001 - the pool can wait; the bot must go on
                    log.warning("the question pool's background fill failed; retrying later", exc_info=True)
                    await _wait(stop, self.params.retry_seconds)
                    continue
                if report.complete:
                    filled = version
            await _wait(stop, self.params.poll_seconds)

    async def _generator(self, engine: SearchEngine) -> StructuralGenerator:
        """A generator over `engine` (built in a thread: it looks at the whole index)."""
        self.structures.keep_only({d.chunk.chunk_id for d in engine.documents})
        return await asyncio.to_thread(StructuralGenerator, engine, engine.queries.synonyms, self.generation, self.structures)

    async def _fill_batch(self, generator: StructuralGenerator, batch: list[Document], version: int) -> int | None:
        """Generate from the passages of `batch` nobody visited yet and store the result; None when
        the index changed meanwhile (nothing is stored then)."""
        async with self.sessions() as session:
            seen = await visited_among(await session.connection(), [d.chunk.chunk_id for d in batch])
        documents = [d for d in batch if d.chunk.chunk_id not in seen]
        if not documents:
            return 0
        # one batch at a time: the generator (and its caches) is never used by two threads at once
        questions = await asyncio.to_thread(generate_for, generator, documents)
        # shielded: a cancelled caller must not cut a transaction in half
        return await asyncio.shield(store_generated(self.sessions, documents, questions, version, self.clock()))


    async def _current_in_database(self, version: int) -> bool:
        async with self.sessions() as session:
            state = await NotesRepository(session).index_state()
            return state is not None and state.version == version

    async def _questions(self) -> int:
        async with self.sessions() as session:
            return await _active_generated(session)


async def _active_generated(session: AsyncSession) -> int:
    count = await session.scalar(select(func.count()).select_from(QUESTIONS).where(
        QUESTIONS.c.retired_at.is_(None), QUESTIONS.c.kind != "written"))
    return int(count or 0)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass

