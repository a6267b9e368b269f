"""Quiz posts and answers in the database: one answer per member per post (the constraint
decides, even for answers arriving at once), closed posts, tallies, recently seen questions."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import AlreadyAnswered, QuizClosed, UnknownPost
from bot.core.quiz.posts import QuizPosts
from bot.core.quiz.questions import Question
from bot.core.storage.models import QuizAnswerRow
from tests.core.quiz.conftest import FakeClock

GUILD, CHANNEL = 10, 20


async def _post(posts: QuizPosts, question: Question, clock: FakeClock, user_id: int | None = 1):
    return await posts.create(question.id, kind="quiz", guild_id=GUILD, channel_id=CHANNEL, user_id=user_id,
                              now=clock())


async def _answer(posts: QuizPosts, post, user_id: int, clock: FakeClock, *, correct: bool = True,
                  choice: int | None = 0):
    return await posts.add_answer(post, user_id=user_id, guild_id=GUILD, channel_id=CHANNEL, choice_index=choice,
                                  text=None, correct=correct, near_miss=False, now=clock())


async def test_one_answer_per_member_per_post(sessions: async_sessionmaker[AsyncSession],
                                              questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock)
    first = await _answer(posts, post, 7, clock, choice=2)
    assert (first.post_id, first.user_id, first.choice_index, first.question_id, first.guild_id) == \
        (post.id, 7, 2, questions["base64"].id, GUILD)
    with pytest.raises(AlreadyAnswered) as refused:
        await _answer(posts, post, 7, clock, correct=False, choice=1)
    assert refused.value.previous == first
    await _answer(posts, post, 8, clock, correct=False, choice=1)  # another member may
    assert (await posts.tally(post.id)).answered == 2


async def test_the_database_itself_refuses_a_second_answer(sessions: async_sessionmaker[AsyncSession],
                                                          questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock)
    await _answer(posts, post, 7, clock)
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(QuizAnswerRow(post_id=post.id, question_id=post.question_id, guild_id=GUILD, channel_id=CHANNEL,
                                      user_id=7, choice_index=1, text=None, correct=False, near_miss=False,
                                      answered_at=clock()))


async def test_concurrent_answers_by_one_member_store_exactly_one(
        sessions: async_sessionmaker[AsyncSession], questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock)
    results = await asyncio.gather(*(_answer(posts, post, 7, clock, choice=i) for i in range(4)),
                                   return_exceptions=True)
    stored = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, AlreadyAnswered)]
    assert len(stored) == 1 and len(refused) == 3, results
    assert all(r.previous == stored[0] for r in refused)
    async with sessions() as session:
        assert len((await session.scalars(select(QuizAnswerRow))).all()) == 1


async def test_a_closed_post_refuses_answers(sessions: async_sessionmaker[AsyncSession],
                                             questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock)
    await _answer(posts, post, 7, clock)
    clock.advance(hours=1)
    closed = await posts.close(post.id, clock())
    assert closed.closed and closed.closed_at == clock()
    clock.advance(hours=1)
    assert (await posts.close(post.id, clock())).closed_at == closed.closed_at  # the first close counts
    with pytest.raises(QuizClosed, match="This quiz is closed"):
        await _answer(posts, post, 8, clock)
    assert (await posts.tally(post.id)).answered == 1


async def test_unknown_post(sessions: async_sessionmaker[AsyncSession], questions: dict[str, Question]) -> None:
    with pytest.raises(UnknownPost):
        await QuizPosts(sessions).require(12345)


async def test_tally_counts_answers_and_right_ones(sessions: async_sessionmaker[AsyncSession],
                                                   questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock)
    assert (await posts.tally(post.id)).answered == 0
    for user, correct in ((1, True), (2, False), (3, True), (4, False), (5, False)):
        await _answer(posts, post, user, clock, correct=correct)
    tally = await posts.tally(post.id)
    assert (tally.answered, tally.right) == (5, 2)


async def test_message_id_is_kept(sessions: async_sessionmaker[AsyncSession], questions: dict[str, Question],
                                  clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    post = await _post(posts, questions["base64"], clock, user_id=None)
    await posts.set_message(post.id, 987654321098765432)
    assert (await posts.require(post.id)).message_id == 987654321098765432


async def test_recently_seen_covers_own_posts_and_answers_in_this_guild(
        sessions: async_sessionmaker[AsyncSession], questions: dict[str, Question], clock: FakeClock) -> None:
    posts = QuizPosts(sessions)
    start = clock()
    shown = await _post(posts, questions["base64"], clock, user_id=7)  # asked for by 7
    daily = await posts.create(questions["virtualbox"].id, kind="daily", guild_id=GUILD, channel_id=CHANNEL,
                               user_id=None, now=clock())
    clock.advance(hours=2)
    await _answer(posts, daily, 7, clock)  # answered by 7
    await posts.create(questions["landscape"].id, kind="quiz", guild_id=GUILD + 1, channel_id=CHANNEL, user_id=7,
                       now=clock())  # another guild
    await _post(posts, questions["hypervizor"], clock, user_id=8)  # someone else's
    seen = await posts.recently_seen(GUILD, 7, start)
    assert seen == {questions["base64"].id: shown.posted_at, questions["virtualbox"].id: clock()}
    assert all(at.tzinfo is not None for at in seen.values())
    assert await posts.recently_seen(GUILD, 7, clock() + timedelta(seconds=1)) == {}
    assert await posts.recently_seen(None, 7, start) == {}
