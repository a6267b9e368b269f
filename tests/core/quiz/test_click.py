"""A click's cheaper path: the review card updated after the reply (`review_later` then
`review_answer`), the tally counted with the answer, and the joined post-and-question read."""

from __future__ import annotations

import pytest

from bot.core.errors import AlreadyAnswered, UnknownPost
from bot.core.quiz.questions import Question, RecordedAnswer
from bot.core.quiz.service import QuizService
from tests.core.quiz.conftest import FakeClock
from tests.core.quiz.test_service import CHANNEL, GUILD, USER, WHERE, Review


async def test_review_later_waits_for_review_answer(quiz: QuizService, questions: dict[str, Question],
                                                    clock: FakeClock) -> None:
    quiz.review = review = Review(None)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    outcome = await quiz.answer_choice(post.id, 2, user_id=USER, review_later=True, **WHERE)
    assert review.told == []  # not yet: the caller replies first
    assert (await quiz.previous_answer(post.id, USER)).choice_index == 2  # the answer itself is stored
    await quiz.review_answer(outcome)
    assert review.told == [RecordedAnswer(post.id, "quiz", questions["base64"].id, GUILD, CHANNEL, USER, True,
                                          False, clock())]
    now = await quiz.answer_choice(post.id, 1, user_id=USER + 1, **WHERE)  # without it: told at once
    assert len(review.told) == 2 and now.review_pending is None
    await quiz.review_answer(now)  # nothing pending: not told twice
    assert len(review.told) == 2


async def test_a_refused_click_leaves_no_review_pending(quiz: QuizService, questions: dict[str, Question]) -> None:
    quiz.review = review = Review(None)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    await quiz.review_answer(await quiz.answer_choice(post.id, 2, user_id=USER, review_later=True, **WHERE))
    with pytest.raises(AlreadyAnswered):
        await quiz.answer_choice(post.id, 0, user_id=USER, review_later=True, **WHERE)
    assert len(review.told) == 1


async def test_a_failing_later_review_is_logged_not_raised(quiz: QuizService, questions: dict[str, Question],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Review):
        async def on_answer(self, answer: RecordedAnswer) -> None:
            raise RuntimeError("review store down")

    quiz.review = Broken(None)
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    outcome = await quiz.answer_choice(post.id, 2, user_id=USER, review_later=True, **WHERE)
    await quiz.review_answer(outcome)
    assert "review source failed" in caplog.text and outcome.tally.answered == 1


async def test_the_tally_counts_the_answer_it_came_with(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await quiz.post(questions["base64"], guild_id=GUILD, channel_id=CHANNEL, user_id=USER)
    wrong = await quiz.answer_choice(post.id, 0, user_id=1, **WHERE)
    right = await quiz.answer_choice(post.id, 2, user_id=2, **WHERE)
    assert (wrong.tally.answered, wrong.tally.right) == (1, 0)
    assert (right.tally.answered, right.tally.right) == (2, 1) == tuple(vars(await quiz.tally(post.id)).values())


async def test_post_and_question_in_one_read(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await quiz.post(questions["pvc"], kind="daily", guild_id=GUILD, channel_id=CHANNEL, user_id=None)
    read_post, question = await quiz.post_and_question(post.id)
    assert read_post == post and question == questions["pvc"]
    with pytest.raises(UnknownPost, match="no longer stored"):
        await quiz.post_and_question(post.id + 1000)
