"""Review cards written behind the reply (`ReviewsBehind`): queued, written in one transaction per
batch, read only after what is queued is written, and written at shutdown (SIGTERM loses none)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import open_app
from bot.core.practice.review import ReviewCards, ReviewsBehind
from bot.core.storage.models import ReviewCardRow
from tests.core.practice.conftest import FakeClock, T0, add_question
from tests.core.practice.test_review import T, answer
from tests.core.practice.test_review_across_reindex import settings_for


async def _cards(sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ReviewCardRow)) or 0)


async def test_updates_wait_and_go_in_one_batch_with_the_same_schedule(sessions, clock: FakeClock) -> None:
    for q in ("q1", "q2"):
        await add_question(sessions, q)
    behind = ReviewsBehind(sessions, clock, flush_after=3600)  # never by itself within this test
    batches: list[int] = []
    on_answers = behind.on_answers

    async def counted(answers):  # type: ignore[no-untyped-def]
        batches.append(len(answers))
        await on_answers(answers)

    behind.on_answers = counted  # type: ignore[method-assign]
    for user in range(5):
        await behind.on_answer(answer("q1", user % 2 == 0, T, user=user))
    await behind.on_answer(answer("q2", False, T, user=0))
    await behind.on_answer(answer("q2", True, T + timedelta(minutes=11), user=0))  # the same card twice
    assert behind.waiting == 7 and await _cards(sessions) == 0  # nothing written yet
    await behind.aclose()
    assert batches == [7] and behind.waiting == 0 and await _cards(sessions) == 6
    # the same cards as written one by one
    direct = ReviewCards(sessions, clock)
    async with sessions() as session:
        stored = {(r.user_id, r.question_id): r.card for r in await session.scalars(select(ReviewCardRow))}
        await session.execute(ReviewCardRow.__table__.delete())
        await session.commit()
    for user in range(5):
        await direct.on_answer(answer("q1", user % 2 == 0, T, user=user))
    await direct.on_answer(answer("q2", False, T, user=0))
    await direct.on_answer(answer("q2", True, T + timedelta(minutes=11), user=0))
    async with sessions() as session:
        assert {(r.user_id, r.question_id): r.card for r in await session.scalars(select(ReviewCardRow))} == stored


async def test_reads_see_the_queued_updates(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    behind = ReviewsBehind(sessions, clock, flush_after=3600)
    await behind.on_answer(answer("q1", False, T))
    assert (await behind.due_review(1, 7, T + timedelta(hours=1))).question_id == "q1"
    await behind.on_answer(answer("q1", True, T + timedelta(hours=1)))
    assert await behind.due_count(1, 7, T + timedelta(hours=2)) == 0
    await behind.aclose()


async def test_the_writer_writes_by_itself(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    behind = ReviewsBehind(sessions, clock, flush_after=0.01)
    await behind.on_answer(answer("q1", False, T))
    for _ in range(200):
        if await _cards(sessions) == 1:
            break
        await asyncio.sleep(0.01)
    assert await _cards(sessions) == 1 and behind.waiting == 0
    await behind.aclose()


async def test_closing_the_app_writes_the_queued_cards(tmp_path: Path, database_url: str) -> None:
    """What SIGTERM does to the bot: `open_app` closes, and a card still queued is written."""
    clock = FakeClock(T0)
    async with open_app(settings_for(tmp_path, database_url), clock=clock) as app:
        await app.notes.start()
        question = next(q for q in await app.quiz.questions.active() if q.choices)
        post = await app.quiz.post(question, guild_id=7, channel_id=8, user_id=9)
        await app.quiz.answer_choice(post.id, 0, user_id=9, guild_id=7, channel_id=8, count=False)
        assert app.practice.reviews.waiting == 1  # queued behind the reply, not written yet
    async with open_app(settings_for(tmp_path, database_url), clock=clock) as app:
        assert await _cards(app.sessions) == 1
