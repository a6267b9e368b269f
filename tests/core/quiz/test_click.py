"""A click's cheap path: concurrent answers stored in one batch whose insert enforces the rules
(one answer per member per post, closed posts refused) even across shards and with the post
remembered in memory; the tally only when asked for; spaced review told of each stored answer."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import AlreadyAnswered, QuizClosed, UnknownPost
from bot.core.quiz.posts import QuizPosts
from bot.core.quiz.questions import Question, RecordedAnswer
from bot.core.quiz.service import QuizService
from bot.core.search.service import NotesService
from bot.core.storage.models import QuizAnswerRow
from tests.core.quiz.conftest import FakeClock
from tests.core.quiz.test_service import CHANNEL, GUILD, USER, WHERE, Review


async def _rows(sessions: async_sessionmaker[AsyncSession], post_id: int) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).where(QuizAnswerRow.post_id == post_id)) or 0)


def _counting(posts: QuizPosts) -> list[int]:
    """Record the size of every batch `posts.add_answers` is given."""
    sizes: list[int] = []
    add_answers = posts.add_answers

    async def counted(batch):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        return await add_answers(batch)

    posts.add_answers = counted  # type: ignore[method-assign]
    return sizes


async def test_a_burst_of_clicks_is_one_batch(quiz: QuizService, questions: dict[str, Question],
                                             sessions: async_sessionmaker[AsyncSession]) -> None:
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    sizes = _counting(quiz.posts)
    await quiz.answer_choice(post.id, 0, user_id=99, **WHERE)  # the post is now known: no read before storing
    outcomes = await asyncio.gather(*(quiz.answer_choice(post.id, user % 4, user_id=user, count=False, **WHERE)
                                      for user in range(100, 130)))
    assert sizes == [1, 30]  # one transaction for the thirty clicks
    assert sorted(o.answer.user_id for o in outcomes) == list(range(100, 130))
    assert len({o.answer.id for o in outcomes}) == 30
    assert [o.verdict.correct for o in outcomes] == [user % 4 == 2 for user in range(100, 130)]
    assert all(o.tally is None for o in outcomes)
    assert await _rows(sessions, post.id) == 31


async def test_a_batch_with_a_duplicate_click_stores_one_and_refuses_the_other(
        quiz: QuizService, questions: dict[str, Question], sessions: async_sessionmaker[AsyncSession]) -> None:
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    await quiz.answer_choice(post.id, 0, user_id=99, **WHERE)  # the post is now known: no read before storing
    sizes = _counting(quiz.posts)
    results = await asyncio.gather(quiz.answer_choice(post.id, 1, user_id=USER, **WHERE),
                                   quiz.answer_choice(post.id, 2, user_id=USER, **WHERE),
                                   quiz.answer_choice(post.id, 2, user_id=USER + 1, **WHERE),
                                   return_exceptions=True)
    assert sizes[0] == 3  # one batch
    first, second, other = results
    assert not isinstance(first, BaseException) and first.answer.choice_index == 1  # the first click wins
    assert isinstance(second, AlreadyAnswered) and second.previous == first.answer
    assert not isinstance(other, BaseException) and other.verdict.correct
    assert await _rows(sessions, post.id) == 3
    # and a later click of the same member, in a batch of its own, is refused with that answer
    with pytest.raises(AlreadyAnswered) as again:
        await quiz.answer_choice(post.id, 0, user_id=USER, **WHERE)
    assert again.value.previous == first.answer


async def test_two_shards_clicking_at_once_store_one_answer(
        quiz: QuizService, questions: dict[str, Question], sessions: async_sessionmaker[AsyncSession],
        notes: NotesService, clock: FakeClock) -> None:
    other_shard = QuizService(sessions, lambda: notes.engine, clock=clock)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    results = await asyncio.gather(*(shard.answer_choice(post.id, choice, user_id=USER, **WHERE)
                                     for shard, choice in ((quiz, 0), (other_shard, 1), (quiz, 2), (other_shard, 3))),
                                   return_exceptions=True)
    stored = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, AlreadyAnswered)]
    assert len(stored) == 1 and len(refused) == 3, results
    assert all(r.previous == stored[0].answer for r in refused)
    assert await _rows(sessions, post.id) == 1


async def test_a_post_closed_by_another_shard_refuses_though_remembered_open(
        quiz: QuizService, questions: dict[str, Question], sessions: async_sessionmaker[AsyncSession],
        notes: NotesService, clock: FakeClock) -> None:
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    await quiz.answer_choice(post.id, 2, user_id=USER, **WHERE)  # this shard now remembers the post, open
    await QuizService(sessions, lambda: notes.engine, clock=clock).close(post.id)
    results = await asyncio.gather(quiz.answer_choice(post.id, 1, user_id=USER + 1, **WHERE),
                                   quiz.answer_choice(post.id, 1, user_id=USER, **WHERE), return_exceptions=True)
    assert all(isinstance(r, QuizClosed) for r in results), results  # closed first, even for a second answer
    assert await _rows(sessions, post.id) == 1


async def test_an_unknown_post_is_refused(quiz: QuizService) -> None:
    with pytest.raises(UnknownPost):
        await quiz.answer_choice(12345, 0, user_id=USER, **WHERE)


async def test_the_tally_is_read_only_when_asked_for(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    wrong = await quiz.answer_choice(post.id, 0, user_id=1, **WHERE)
    right = await quiz.answer_choice(post.id, 2, user_id=2, **WHERE)
    quiet = await quiz.answer_choice(post.id, 2, user_id=3, count=False, **WHERE)
    assert (wrong.tally.answered, wrong.tally.right) == (1, 0)
    assert (right.tally.answered, right.tally.right) == (2, 1)
    assert quiet.tally is None
    empty = await quiz.post(questions["pvc"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    assert await quiz.posts.open_counts([post.id, empty.id, post.id + 1000]) == {post.id: 3, empty.id: 0}
    await quiz.close(empty.id)
    assert await quiz.posts.open_counts([post.id, empty.id]) == {post.id: 3}  # a closed post's count is not shown


async def test_review_is_told_of_stored_answers_only(quiz: QuizService, questions: dict[str, Question],
                                                    clock: FakeClock) -> None:
    quiz.review = review = Review(None)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    await quiz.answer_choice(post.id, 2, user_id=USER, count=False, **WHERE)
    with pytest.raises(AlreadyAnswered):
        await quiz.answer_choice(post.id, 0, user_id=USER, count=False, **WHERE)
    assert review.told == [RecordedAnswer(post.id, "quiz", questions["base64"].id, GUILD, CHANNEL, USER, True,
                                          False, clock())]


async def test_a_failing_review_is_logged_not_raised(quiz: QuizService, questions: dict[str, Question],
                                                     caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Review):
        async def on_answer(self, answer: RecordedAnswer) -> None:
            raise RuntimeError("review store down")

    quiz.review = Broken(None)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    outcome = await quiz.answer_choice(post.id, 2, user_id=USER, **WHERE)
    assert "review source failed" in caplog.text and outcome.tally.answered == 1


async def test_post_and_question_in_one_read(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await quiz.post(questions["pvc"], kind="daily", guild_id=GUILD, channel_id=CHANNEL, user_id=None)
    read_post, question = await quiz.post_and_question(post.id)
    assert read_post == post and question == questions["pvc"]
    with pytest.raises(UnknownPost, match="no longer stored"):
        await quiz.post_and_question(post.id + 1000)


async def test_a_typed_answer_with_a_nul_is_stored_without_it(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await quiz.post(questions["hypervizor"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    outcome = await quiz.answer_text(post.id, "kernel\x00 module", user_id=USER, **WHERE)
    assert outcome.answer.text == "kernel module"
    assert (await quiz.previous_answer(post.id, USER)).text == "kernel module"  # PostgreSQL refuses NUL in text
