"""Wiring: settings → database → services, once per process, with no globals."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.core.clock import Clock, utc_now
from bot.core.search.answer_log import AnswerLog
from bot.core.command_sync import CommandSyncState
from bot.core.guild_settings import GuildSettings
from bot.core.practice.services import Practice, build_practice
from bot.core.quiz.service import QuizService, QuizSettings
from bot.core.quiz.fill import PoolFiller
from bot.core.quiz.pool import QuestionPool
from bot.core.search.indexing import ChunkingParams
from bot.core.search.ranking import RankParams
from bot.core.practice.review import ReviewsBehind, retire_stale_cards
from bot.core.search.notes import SkippedFile
from bot.core.search.service import NotesService, ReindexChange, ReindexHook, ServiceConfig
from bot.core.storage.database import open_database, session_factory
from bot.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass
class App:
    """Everything a front-end needs; built by `open_app`, closed when its block ends."""

    settings: Settings
    db: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    notes: NotesService
    answers: AnswerLog
    guilds: GuildSettings
    syncs: CommandSyncState
    practice: Practice
    quiz: QuizService
    filler: PoolFiller
    clock: Clock = utc_now
    metrics: Metrics = field(default_factory=Metrics)  # its own registry: see bot/metrics.py


def quiz_settings(settings: Settings) -> QuizSettings:
    return QuizSettings(typo_threshold=settings.quiz_typo_threshold,
                        near_miss_threshold=settings.quiz_near_miss_threshold,
                        recent_days=settings.quiz_recent_days)


def service_config(settings: Settings) -> ServiceConfig:
    return ServiceConfig(
        notes_dir=settings.notes_dir,
        synonyms_file=settings.synonyms_file,
        max_file_bytes=settings.max_file_bytes,
        chunking=ChunkingParams(settings.chunk_min_words, settings.chunk_max_words),
        rank=RankParams(max_results=settings.max_results),
    )


def reindex_hook(pool: QuestionPool) -> ReindexHook:
    """What a reindex does besides the index, in its transaction: the question pool follows the
    notes, and members' review cards retire with the questions retired."""

    async def on_reindex(session: AsyncSession, change: ReindexChange) -> list[SkippedFile]:
        warnings = await pool.on_reindex(session, change)
        await retire_stale_cards(session, change.now)
        return warnings

    return on_reindex


@asynccontextmanager
async def open_app(settings: Settings, clock: Clock = utc_now, *, fill_pool: bool = False) -> AsyncIterator[App]:
    """Open the database (migrating it to the latest schema) and build the services.

    `fill_pool`: a long-running front-end (the bot, the terminal chat) fills the question pool in
    the background once the index is loaded and after every reindex (`PoolFiller.run`); one-shot
    commands leave it alone."""
    db = await open_database(settings.database_url, migrate=settings.auto_migrate)
    try:
        metrics = Metrics()
        metrics.count_database_errors(db)
        sessions = session_factory(db)
        pool = QuestionPool()
        notes = NotesService(service_config(settings), sessions, clock=clock, on_reindex=reindex_hook(pool),
                             after_reindex=pool.after_reindex_hook(sessions), observe=metrics.reindex_observed)
        metrics.count_chunks(lambda: len(notes.engine.documents))
        reviews = ReviewsBehind(sessions, clock)  # a click's card is written behind its reply
        practice = build_practice(sessions, clock, reviews=reviews)
        app = App(
            settings=settings,
            db=db,
            sessions=sessions,
            notes=notes,
            answers=AnswerLog(sessions, clock),
            guilds=GuildSettings(sessions, clock),
            syncs=CommandSyncState(sessions, clock),
            practice=practice,
            quiz=QuizService(sessions, lambda: notes.engine, clock=clock, review=reviews,
                             settings=quiz_settings(settings)),
            filler=PoolFiller(sessions, lambda: (notes.engine, notes.version), clock=clock, rng=random.Random()),
            clock=clock,
            metrics=metrics,
        )
        stop = asyncio.Event()
        filling = asyncio.create_task(app.filler.run(stop), name="question-pool-fill") if fill_pool else None
        try:
            yield app
        finally:
            try:
                if filling is not None:
                    await _stop_filling(filling, stop)
                await app.quiz.aclose()  # quiz answers being stored,
                await reviews.aclose()  # the review cards they changed,
                await app.answers.aclose()  # and answers still waiting to be written
            finally:
                await app.notes.aclose()
    finally:
        await db.dispose()


async def _stop_filling(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Let the fill finish its batch (a few tens of milliseconds), so no transaction is cut."""
    stop.set()
    try:
        await asyncio.wait_for(task, 10)
    except asyncio.TimeoutError:
        log.warning("the question pool's background fill did not stop in time")
    except Exception:  # noqa: BLE001 - shutting down: the pool resumes at the next start
        log.debug("the question pool's background fill ended with an error", exc_info=True)
