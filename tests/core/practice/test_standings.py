"""/leaderboard and /progress numbers from answer rows, and /forget-me leaving others' data."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from bot.core.practice.services import build_practice
from bot.core.quiz.questions import RecordedAnswer
from bot.core.storage.models import QuizAnswerRow, QuizPostRow, ReviewCardRow
from tests.core.practice.conftest import FakeClock, add_answer, add_post, add_question

UTC = timezone.utc


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


async def history(sessions) -> None:
    """Member 1: daily right on 4, 5, 6 May; member 2: daily right on 4, wrong on 5; a /quiz each."""
    for q in ("d4", "d5", "d6", "quiz"):
        await add_question(sessions, q)
    for day, q in ((4, "d4"), (5, "d5"), (6, "d6")):
        post = await add_post(sessions, q, kind="daily", posted_at=at(day, 7))
        await add_answer(sessions, post, q, 1, True, at(day, 8))
        if day < 6:
            await add_answer(sessions, post, q, 2, day == 4, at(day, 9))
    quiz = await add_post(sessions, "quiz", user_id=2, posted_at=at(6))
    await add_answer(sessions, quiz, "quiz", 2, True, at(6, 11))
    await add_answer(sessions, quiz, "quiz", 1, False, at(6, 11))
    other = await add_post(sessions, "quiz", guild_id=99)
    await add_answer(sessions, other, "quiz", 1, True, at(6), guild_id=99)


async def test_progress_and_leaderboard(sessions, clock: FakeClock) -> None:
    await history(sessions)
    clock.set(at(7, 12))
    practice = build_practice(sessions, clock, random.Random(1))
    await practice.reviews.on_answer(RecordedAnswer(1, "quiz", "quiz", 1, 10, 1, False, False, at(6, 11)))
    mine = await practice.standings.progress(1, 1)
    assert (mine.answered, mine.correct, mine.points) == (4, 3, 9)
    assert (mine.current_streak, mine.best_streak, mine.reviews_due) == (3, 3, 1)
    assert mine.accuracy == 0.75
    marks = dict(mine.calendar)
    assert marks[date(2026, 5, 4)] == "right" and marks[date(2026, 5, 6)] == "right" and marks[date(2026, 5, 7)] == "none"
    theirs = await practice.standings.progress(1, 2)
    assert (theirs.answered, theirs.correct, theirs.points, theirs.current_streak, theirs.best_streak) == (3, 2, 4, 0, 1)
    board = await practice.standings.leaderboard(1, "all", page=0, caller_id=2)
    assert [(r.rank, r.user_id, r.points) for r in board.rows] == [(1, 1, 9), (2, 2, 4)]
    assert board.own.rank == 2
    clock.set(at(11, 12))  # Monday 11 May: a new week, nobody answered yet
    assert (await practice.standings.leaderboard(1, "week", page=0, caller_id=2)).rows == []
    assert len((await practice.standings.leaderboard(1, "month", page=0, caller_id=2)).rows) == 2
    assert (await practice.standings.progress(1, 1)).current_streak == 0


async def test_forget_me_deletes_only_the_callers_data_in_that_server(sessions, clock: FakeClock) -> None:
    await history(sessions)
    clock.set(at(7, 12))
    practice = build_practice(sessions, clock, random.Random(1))
    for user in (1, 2):
        await practice.reviews.on_answer(RecordedAnswer(1, "quiz", "quiz", 1, 10, user, False, False, at(6, 11)))
    await practice.reviews.on_answer(RecordedAnswer(1, "quiz", "quiz", 99, 10, 2, False, False, at(6, 11)))
    forgotten = await practice.forget(1, 2)
    assert (forgotten.answers, forgotten.cards) == (3, 1)
    async with sessions() as session:
        left = list(await session.execute(select(QuizAnswerRow.user_id, QuizAnswerRow.guild_id)))
        cards = list(await session.execute(select(ReviewCardRow.user_id, ReviewCardRow.guild_id)))
        asked_by = list(await session.scalars(select(QuizPostRow.user_id).where(QuizPostRow.kind == "quiz")))
        posts = await session.scalar(select(func.count()).select_from(QuizPostRow))
    assert sorted(left) == [(1, 1)] * 4 + [(1, 99)]
    assert sorted(cards) == [(1, 1), (2, 99)]
    assert 2 not in asked_by and posts == 5
    assert (await practice.standings.progress(1, 1)).points == 9
    assert (await practice.standings.progress(1, 2)).answered == 0


async def test_the_sql_leaderboard_matches_the_scoring_rules_on_random_histories(sessions, clock: FakeClock) -> None:
    """The database's sums (window function for first answers) equal `scores` applied in Python."""
    from bot.core.practice.scores import period_start, score, standings

    rng = random.Random(11)
    questions = [await add_question(sessions, f"r{i}") for i in range(8)]
    posts = [(await add_post(sessions, q, kind=rng.choice(["quiz", "daily"]), posted_at=at(1 + i)), q)
             for i, q in enumerate(questions) for _ in range(2)]
    for user in range(1, 9):
        for post, q in rng.sample(posts, 9):
            await add_answer(sessions, post, q, user, rng.random() < 0.6, at(rng.randint(1, 20), rng.randint(0, 23)))
    clock.set(at(20, 23))
    practice = build_practice(sessions, clock, random.Random(1))
    zone = await practice.standings.zone(1)
    for period in ("week", "month", "all"):
        since = period_start(period, clock(), zone)
        expected = standings(score(await practice.standings.facts(1)), since)
        assert await practice.standings.totals(1, since) == expected
        assert expected  # the history is not empty in any period
