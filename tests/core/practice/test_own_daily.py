"""`daily preview` (what a server's next daily prompt is drawn from) and the daily question of a
member outside any server (the terminal chat's `/daily`), over a real database."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.core.errors import PracticeError
from bot.core.practice.own_daily import NO_GUILD_DAY
from bot.core.practice.scores import DAILY_POINTS
from bot.core.practice.services import Practice, build_practice
from bot.core.storage.database import create_engine, session_factory
from bot.core.storage.models import DailyClaimRow, QuizPostRow
from tests.core.practice.conftest import FakeClock, RecordingPoster, add_answer, add_post, add_question

UTC = timezone.utc
LOCAL_USER = 0


@pytest.fixture
def practice(sessions, clock: FakeClock) -> Practice:
    return build_practice(sessions, clock, random.Random(3), owner="test")


async def test_preview_shows_what_the_next_daily_post_is_drawn_from(practice: Practice, sessions, clock: FakeClock) -> None:
    for qid in ("q1", "q2", "q3"):
        await add_question(sessions, qid)
    assert [q.id for q in await practice.daily.preview(1)] == ["q1", "q2", "q3"]  # equally due
    post = await add_post(sessions, "q1", kind="daily", guild_id=1)
    await add_answer(sessions, post, "q1", 5, False, clock())
    await add_answer(sessions, await add_post(sessions, "q2", guild_id=1), "q2", 5, True, clock())
    assert [q.id for q in await practice.daily.preview(1)] == ["q3"]  # q1 posted; q2 answered right, q3 not at all
    assert [q.id for q in await practice.daily.preview(2)] == ["q1", "q2", "q3"]  # another server's history is its own

    await practice.schedules.set(1, channel_id=10, time_text="09:00", zone_name="UTC", role_id=None, set_by=5)
    clock.set(datetime(2026, 1, 1, 9, 0, 5, tzinfo=UTC))
    poster = RecordingPoster()
    await practice.daily.tick(poster)
    assert [p.question.id for p in poster.posts] == ["q3"]  # what the preview said


async def test_preview_of_an_empty_pool_is_empty(practice: Practice) -> None:
    assert await practice.daily.preview(1) == []


async def test_the_own_daily_is_one_question_a_utc_day_that_scores_as_a_daily(practice: Practice, sessions,
                                                                              clock: FakeClock) -> None:
    for qid in ("q1", "q2"):
        await add_question(sessions, qid)
    clock.set(datetime(2026, 3, 1, 23, 0, tzinfo=UTC))
    first = await practice.own_daily.today(LOCAL_USER)
    assert (first.post.kind, first.post.guild_id, first.post.user_id) == ("daily", None, LOCAL_USER)
    clock.set(clock.now + timedelta(minutes=59))
    assert (await practice.own_daily.today(LOCAL_USER)).post.id == first.post.id  # asked again the same day

    await add_answer(sessions, first.post.id, first.question.id, LOCAL_USER, True, clock(), guild_id=None)
    mine = await practice.standings.progress(None, LOCAL_USER)
    assert (mine.points, mine.current_streak) == (DAILY_POINTS, 1)

    clock.set(datetime(2026, 3, 2, 0, 1, tzinfo=UTC))  # the next UTC day: another question
    second = await practice.own_daily.today(LOCAL_USER)
    assert second.post.id != first.post.id and second.question.id != first.question.id
    async with sessions() as session:
        days = await session.scalar(select(func.count()).select_from(DailyClaimRow).where(DailyClaimRow.guild_id == NO_GUILD_DAY))
    assert days == 2


async def test_the_own_daily_with_no_questions_says_so_and_stores_nothing(practice: Practice, sessions) -> None:
    with pytest.raises(PracticeError, match="no quiz questions"):
        await practice.own_daily.today(LOCAL_USER)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(QuizPostRow)) == 0
        assert await session.scalar(select(func.count()).select_from(DailyClaimRow)) == 0


async def test_two_processes_asking_at_once_get_one_question(database_url: str, engine, clock: FakeClock) -> None:
    other_engine = create_engine(database_url)
    try:
        first = build_practice(session_factory(engine), clock, random.Random(1))
        second = build_practice(session_factory(other_engine), clock, random.Random(2))
        for qid in ("q1", "q2", "q3", "q4"):
            await add_question(first.sessions, qid)
        days = await asyncio.gather(first.own_daily.today(LOCAL_USER), second.own_daily.today(LOCAL_USER))
        assert days[0].post.id == days[1].post.id
        async with first.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(QuizPostRow)) == 1
    finally:
        await other_engine.dispose()
