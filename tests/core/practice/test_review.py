"""Spaced review with fsrs: ratings, due order, retirement, and cards outliving other changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, State
from sqlalchemy import select, update

from bot.core.practice.review import ReviewCards, card_id_for, rating_for
from bot.core.quiz.questions import RecordedAnswer
from bot.core.storage.models import QuizQuestionRow, ReviewCardRow
from tests.core.practice.conftest import FakeClock, add_answer, add_post, add_question

UTC = timezone.utc
T = datetime(2026, 5, 4, 12, tzinfo=UTC)


def answer(qid: str, correct: bool, when: datetime, *, user: int = 7, guild: int | None = 1, near: bool = False,
           post_id: int = 1) -> RecordedAnswer:
    return RecordedAnswer(post_id=post_id, post_kind="quiz", question_id=qid, guild_id=guild, channel_id=10,
                          user_id=user, correct=correct, near_miss=near, answered_at=when)


def test_ratings() -> None:
    assert rating_for(True, False) is Rating.Good
    assert rating_for(False, False) is Rating.Again
    assert rating_for(False, True) is Rating.Hard


async def test_a_card_is_stored_as_fsrs_json_with_our_id(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("q1", False, T))
    async with sessions() as session:
        row = await session.get(ReviewCardRow, (1, 7, "q1"))
    card = Card.from_dict(row.card)
    assert card.card_id == card_id_for(1, 7, "q1") and card.state == State.Learning
    assert row.due_at == card.due == T + timedelta(minutes=10) and row.last_review_at == T


async def test_wrong_answers_come_back_before_right_ones_in_due_order(sessions, clock: FakeClock) -> None:
    for q in ("right", "wrong", "close"):
        await add_question(sessions, q)
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("right", True, T))
    await cards.on_answer(answer("wrong", False, T + timedelta(minutes=1)))
    await cards.on_answer(answer("close", False, T, near=True))
    assert await cards.due_in_order(1, 7, T + timedelta(minutes=5)) == []
    assert await cards.due_in_order(1, 7, T + timedelta(minutes=12)) == ["wrong"]
    assert await cards.due_in_order(1, 7, T + timedelta(minutes=16)) == ["wrong", "close"]  # Hard: 15 min
    week = await cards.due_in_order(1, 7, T + timedelta(days=30))
    assert week == ["wrong", "close", "right"]
    assert await cards.due_count(1, 7, T + timedelta(days=30)) == 3
    assert await cards.due_in_order(1, 8, T + timedelta(days=30)) == []  # another member
    assert await cards.due_in_order(2, 7, T + timedelta(days=30)) == []  # another server


async def test_a_right_review_pushes_the_card_out(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("q1", False, T))
    await cards.on_answer(answer("q1", True, T + timedelta(minutes=11)))
    async with sessions() as session:
        row = await session.get(ReviewCardRow, (1, 7, "q1"))
    assert row.due_at > T + timedelta(days=1)
    assert await cards.due_review(1, 7, T + timedelta(hours=2)) is None


async def test_due_review_says_when_it_was_last_answered(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    post = await add_post(sessions, "q1")
    missed = T - timedelta(days=3)
    await add_answer(sessions, post, "q1", 7, False, missed)
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("q1", False, missed, post_id=post))
    due = await cards.due_review(1, 7, T)
    assert (due.question_id, due.last_answered_at, due.last_correct) == ("q1", missed, False)


async def test_terminal_and_dm_answers_use_guild_zero(sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("q1", False, T, guild=None))
    assert (await cards.due_review(None, 7, T + timedelta(hours=1))).question_id == "q1"
    assert (await cards.due_review(0, 7, T + timedelta(hours=1))).question_id == "q1"


async def test_cards_of_retired_questions_retire_and_others_keep_their_schedule(sessions, clock: FakeClock) -> None:
    """A reindex that changes another note retires that note's questions only: this member's card
    for an unchanged question (same content id) keeps its schedule."""
    for q in ("kept", "changed"):
        await add_question(sessions, q)
    cards = ReviewCards(sessions, clock)
    await cards.on_answer(answer("kept", False, T))
    await cards.on_answer(answer("changed", False, T))
    async with sessions() as session:
        before = (await session.get(ReviewCardRow, (1, 7, "kept"))).card
    async with sessions() as session, session.begin():  # what the reindex does to a changed passage
        await session.execute(update(QuizQuestionRow).where(QuizQuestionRow.id == "changed").values(retired_at=T))
    later = T + timedelta(hours=1)
    assert await cards.due_in_order(1, 7, later) == ["kept"]
    assert await cards.retire_stale() == 1 and await cards.retire_stale() == 0
    async with sessions() as session:
        rows = {r.question_id: r for r in await session.scalars(select(ReviewCardRow))}
    assert rows["changed"].retired_at is not None and rows["kept"].retired_at is None
    assert rows["kept"].card == before


def test_review_note_says_when_it_was_missed() -> None:
    from bot.core.practice.review import review_note
    from bot.core.quiz.questions import DueReview

    assert review_note(DueReview("q", T - timedelta(days=3), False), T) == "review: you missed this 3 days ago"
    assert review_note(DueReview("q", T - timedelta(days=1, hours=2), False), T) == "review: you missed this yesterday"
    assert review_note(DueReview("q", T - timedelta(minutes=12), False), T) == "review: you missed this 12 minutes ago"
    assert review_note(DueReview("q", T - timedelta(hours=5), True), T) == "review: you answered this 5 hours ago"
    assert review_note(DueReview("q", None, None), T) == "review: this one is due again"
