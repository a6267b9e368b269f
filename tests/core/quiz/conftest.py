"""Quiz fixtures: engines over the seed notes and the small fixture corpus, indexed in memory as a
reindex would (for generation); and the quiz service over the seed notes with the fixture questions
stored, on every backend (for posts, answers and selection)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SHIPPED_CORPUS, SYNONYMS_FILENAME
from bot.core.quiz.questions import Question
from bot.core.quiz.service import QuizService, QuizSettings
from bot.core.search.analysis import Analyzer
from bot.core.search.answering import SearchEngine
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.search.synonyms import SynonymTable, load_synonyms
from tests.core.quiz.fixtures import insert_questions

FIXTURE_NOTES = Path(__file__).parent / "fixture_notes"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def engine_over(notes: Path) -> tuple[SearchEngine, SynonymTable]:
    analyzer = Analyzer()
    synonyms = load_synonyms(SHIPPED_CORPUS / "synonyms.yaml", analyzer)
    scan = scan_notes(notes, max_bytes=5 * 1024 * 1024)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    return build_engine(documents, analyzer, synonyms), synonyms


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def notes(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> AsyncIterator[NotesService]:
    service = NotesService(ServiceConfig(SHIPPED_CORPUS, SHIPPED_CORPUS / SYNONYMS_FILENAME), sessions, clock=clock)
    await service.start()
    yield service
    await service.aclose()


@pytest.fixture
async def questions(sessions: async_sessionmaker[AsyncSession], notes: NotesService) -> dict[str, Question]:
    return await insert_questions(sessions, notes.engine)


@pytest.fixture
def quiz(sessions: async_sessionmaker[AsyncSession], notes: NotesService, clock: FakeClock,
         questions: dict[str, Question]) -> QuizService:
    return QuizService(sessions, lambda: notes.engine, clock=clock, settings=QuizSettings(recent_days=7))
