"""The quiz service over the seed notes, with the fixture questions stored, on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SHIPPED_CORPUS, SYNONYMS_FILENAME
from bot.core.quiz.questions import Question
from bot.core.quiz.service import QuizService, QuizSettings
from bot.core.search.service import NotesService, ServiceConfig
from tests.core.quiz.fixtures import insert_questions

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


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
