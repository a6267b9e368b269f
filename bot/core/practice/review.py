"""Spaced review: one `fsrs` card per member and question, rescheduled on every answer.

`ReviewCards` implements `bot.core.quiz.questions.ReviewSource`: the quiz calls `on_answer` for
every recorded answer and asks `due_review` before drawing a fresh question for `/quiz` without a
topic. A right answer rates Good, a wrong one Again, a near miss (a typed answer that was close)
Hard. The scheduler has one 10-minute (re)learning step and no fuzzing: a missed question comes
back soon, a known one after days, and the same answers always give the same schedule (fuzzing
would draw from the global `random`).

Cards are stored as fsrs's own JSON (`Card.to_dict`) with our stable card id (from guild, member
and question), keyed by (guild, user, question): question ids come from content, so an unchanged
question keeps its schedule across reindexes. Cards of a retired question are never due and are
marked retired (`retire_stale`). DMs and the terminal chat use guild 0.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler
from sqlalchemy import Table, bindparam, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.quiz.questions import DueReview, RecordedAnswer
from bot.core.storage.models import QuizAnswerRow, QuizQuestionRow, ReviewCardRow
from bot.core.storage.write_behind import stop_and_flush, write_until_empty

log = logging.getLogger(__name__)

CARDS: Table = ReviewCardRow.__table__  # type: ignore[assignment]
_UPDATE_CARD = (update(CARDS)
                .where(CARDS.c.guild_id == bindparam("k_guild"), CARDS.c.user_id == bindparam("k_user"),
                       CARDS.c.question_id == bindparam("k_question"))
                .values(card=bindparam("card"), due_at=bindparam("due_at"), last_review_at=bindparam("last_review_at"),
                        updated_at=bindparam("updated_at")))

FLUSH_AFTER = 0.05  # seconds a card update waits behind the reply, so a burst's share one transaction
BATCH = 500  # answers per transaction
MAX_WAITING = 20_000  # card updates kept while the database is down; the oldest go first
NO_GUILD = 0
LEARNING_STEP = timedelta(minutes=10)


def new_scheduler() -> Scheduler:
    return Scheduler(learning_steps=(LEARNING_STEP,), relearning_steps=(LEARNING_STEP,), enable_fuzzing=False)


def rating_for(correct: bool, near_miss: bool) -> Rating:
    if correct:
        return Rating.Good
    return Rating.Hard if near_miss else Rating.Again


def card_id_for(guild_id: int, user_id: int, question_id: str) -> int:
    """Our stable card id (fsrs defaults to the creation time in ms, which two processes can share)."""
    digest = hashlib.sha256(f"{guild_id}\x1e{user_id}\x1e{question_id}".encode()).digest()
    return int.from_bytes(digest[:7], "big")


def _guild_key(guild_id: int | None) -> int:
    return NO_GUILD if guild_id is None else guild_id


def _answers_in(guild_id: int | None):  # the answers table keeps NULL for DMs, the cards 0
    return QuizAnswerRow.guild_id.is_(None) if guild_id in (None, NO_GUILD) else QuizAnswerRow.guild_id == guild_id


class ReviewCards:
    """The review cards of every member; implements `ReviewSource`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 scheduler: Scheduler | None = None) -> None:
        self.sessions = sessions
        self.clock = clock
        self.scheduler = scheduler or new_scheduler()

    async def on_answer(self, answer: RecordedAnswer) -> None:
        """Reschedule the member's card for this question (creating it on a first answer)."""
        await self.on_answers([answer])

    async def on_answers(self, answers: Sequence[RecordedAnswer]) -> None:
        """Reschedule the cards of several answers, in order, in one transaction (a burst's): one
        read of the cards, one INSERT of the new ones and one UPDATE of the others (Core
        statements: the ORM's bookkeeping cost several times the scheduling)."""
        if not answers:
            return
        keys = sorted({(_guild_key(a.guild_id), a.user_id, a.question_id) for a in answers})
        for attempt in range(3):  # a concurrent first answer may insert a card between our read and write
            try:
                async with self.sessions() as session, session.begin():
                    stored = {(g, u, q): card for g, u, q, card in (await session.execute(
                        select(CARDS.c.guild_id, CARDS.c.user_id, CARDS.c.question_id, CARDS.c.card)
                        .where(tuple_(CARDS.c.guild_id, CARDS.c.user_id, CARDS.c.question_id).in_(keys))
                        .order_by(CARDS.c.guild_id, CARDS.c.user_id, CARDS.c.question_id)
                        .with_for_update())).all()}
                    cards: dict[tuple[int, int, str], tuple[Card, datetime]] = {}
                    for answer in answers:
                        key = (_guild_key(answer.guild_id), answer.user_id, answer.question_id)
                        when = answer.answered_at.astimezone(timezone.utc)
                        card = cards[key][0] if key in cards else (
                            Card.from_dict(stored[key]) if key in stored  # type: ignore[arg-type]
                            else Card(card_id=card_id_for(*key), due=when))
                        card, _log = self.scheduler.review_card(card, rating_for(answer.correct, answer.near_miss),
                                                                when)
                        cards[key] = (card, when)
                    now = self.clock()
                    rows = [{"k_guild": g, "k_user": u, "k_question": q, "card": dict(card.to_dict()),
                             "due_at": card.due, "last_review_at": when, "updated_at": now}
                            for (g, u, q), (card, when) in cards.items()]
                    new = [row for row in rows if (row["k_guild"], row["k_user"], row["k_question"]) not in stored]
                    old = [row for row in rows if (row["k_guild"], row["k_user"], row["k_question"]) in stored]
                    if new:
                        await session.execute(insert(CARDS), [
                            {"guild_id": r["k_guild"], "user_id": r["k_user"], "question_id": r["k_question"],
                             "card": r["card"], "due_at": r["due_at"], "last_review_at": r["last_review_at"],
                             "updated_at": r["updated_at"], "retired_at": None} for r in new])
                    if old:
                        await session.execute(_UPDATE_CARD, old)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    async def caught_up(self) -> None:
        """Nothing to do: every update is written when it is made (see `ReviewsBehind`)."""

    def _due(self, guild_id: int | None, user_id: int, now: datetime):
        return (select(ReviewCardRow)
                .join(QuizQuestionRow, QuizQuestionRow.id == ReviewCardRow.question_id)
                .where(ReviewCardRow.guild_id == _guild_key(guild_id), ReviewCardRow.user_id == user_id,
                       ReviewCardRow.retired_at.is_(None), QuizQuestionRow.retired_at.is_(None),
                       ReviewCardRow.due_at <= now))

    async def due_review(self, guild_id: int | None, user_id: int, now: datetime) -> DueReview | None:
        """The member's most overdue card, with when they last answered it and whether rightly."""
        async with self.sessions() as session:
            card = await session.scalar(self._due(guild_id, user_id, now)
                                        .order_by(ReviewCardRow.due_at, ReviewCardRow.question_id).limit(1))
            if card is None:
                return None
            last = (await session.execute(
                select(QuizAnswerRow.answered_at, QuizAnswerRow.correct)
                .where(_answers_in(guild_id), QuizAnswerRow.user_id == user_id,
                       QuizAnswerRow.question_id == card.question_id)
                .order_by(QuizAnswerRow.answered_at.desc(), QuizAnswerRow.id.desc()).limit(1))).first()
            return DueReview(card.question_id, last[0] if last else card.last_review_at, last[1] if last else None)

    async def due_in_order(self, guild_id: int | None, user_id: int, now: datetime) -> list[str]:
        """Question ids of every due card, most overdue first."""
        async with self.sessions() as session:
            rows = await session.scalars(self._due(guild_id, user_id, now)
                                         .order_by(ReviewCardRow.due_at, ReviewCardRow.question_id))
            return [r.question_id for r in rows]

    async def due_count(self, guild_id: int | None, user_id: int, now: datetime) -> int:
        async with self.sessions() as session:
            sub = self._due(guild_id, user_id, now).subquery()
            return int(await session.scalar(select(func.count()).select_from(sub)) or 0)

    async def retire_stale(self) -> int:
        """Mark the cards of retired questions retired; returns how many."""
        async with self.sessions() as session, session.begin():
            return await retire_stale_cards(session, self.clock())


async def retire_stale_cards(session: AsyncSession, now: datetime) -> int:
    """Mark the cards of retired questions retired, in the caller's transaction (the reindex's,
    so a card retires with its question); returns how many. Looked for first: with none to
    retire (a start with nothing changed) no write statement runs, which a read-only database
    would refuse."""
    retired = select(QuizQuestionRow.id).where(QuizQuestionRow.retired_at.is_not(None))
    stale = (ReviewCardRow.retired_at.is_(None), ReviewCardRow.question_id.in_(retired))
    if (await session.execute(select(ReviewCardRow.question_id).where(*stale).limit(1))).first() is None:
        return 0
    result = await session.execute(update(ReviewCardRow).where(*stale).values(retired_at=now))
    return result.rowcount or 0


class ReviewsBehind(ReviewCards):
    """Review cards whose updates are written behind the reply: what the bot uses.

    A click's reply does not need the member's card: `on_answer` only queues the update, and one
    background task writes the queued ones in batches (`on_answers`, one transaction each) within
    `flush_after` seconds. Every read (`due_review`, `due_in_order`, `due_count`) and forgetting a
    member (`caught_up`) write what is queued first, so nothing reads a stale card or brings a
    forgotten one back; `aclose()` writes the rest at shutdown (SIGTERM loses none), and while the
    database is down the updates are kept and retried (up to `MAX_WAITING`).
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                 scheduler: Scheduler | None = None, *, flush_after: float = FLUSH_AFTER) -> None:
        super().__init__(sessions, clock, scheduler)
        self.flush_after = flush_after
        self._waiting: list[RecordedAnswer] = []
        self._lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def waiting(self) -> int:
        """Card updates queued, not written yet."""
        return len(self._waiting)

    async def on_answer(self, answer: RecordedAnswer) -> None:
        """Queue the card's update; it is written within `flush_after` seconds."""
        self._waiting.append(answer)
        if len(self._waiting) > MAX_WAITING:
            dropped = self._waiting.pop(0)
            log.warning("dropped the review update of user %s (question %s): %d are waiting for the database",
                        dropped.user_id, dropped.question_id, MAX_WAITING)
        if self._closed:  # shutting down: nothing would write it later
            await self.flush()
        elif self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_soon(), name="review-card-writer")

    async def caught_up(self) -> None:
        if self._waiting:
            await self.flush()

    async def due_review(self, guild_id: int | None, user_id: int, now: datetime) -> DueReview | None:
        await self.caught_up()
        return await super().due_review(guild_id, user_id, now)

    async def due_in_order(self, guild_id: int | None, user_id: int, now: datetime) -> list[str]:
        await self.caught_up()
        return await super().due_in_order(guild_id, user_id, now)

    async def due_count(self, guild_id: int | None, user_id: int, now: datetime) -> int:
        await self.caught_up()
        return await super().due_count(guild_id, user_id, now)

    async def flush(self) -> None:
        """Write every queued update now; raises the database's error if that fails (they stay queued)."""
        async with self._lock:
            while self._waiting:
                batch = self._waiting[:BATCH]
                await self.on_answers(batch)
                del self._waiting[:len(batch)]

    async def _write_soon(self) -> None:
        await write_until_empty(self.flush, lambda: len(self._waiting), every=self.flush_after, what="review cards")

    async def aclose(self) -> None:
        """Stop the background writer and write what is still queued (a clean shutdown)."""
        self._closed = True
        await stop_and_flush(self._writer, self.flush, lambda: len(self._waiting), what="review cards")


def review_note(due: DueReview, now: datetime) -> str:
    """What `/quiz` says above a review question: "review: you missed this 3 days ago"."""
    if due.last_answered_at is None:
        return "review: this one is due again"
    seconds = max(0, int((now - due.last_answered_at).total_seconds()))
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        ago = "yesterday" if days == 1 else f"{days} days ago"
    elif hours:
        ago = f"{hours} hour{'s' if hours > 1 else ''} ago"
    else:
        ago = f"{max(minutes, 1)} minute{'s' if minutes > 1 else ''} ago"
    what = "you missed this" if due.last_correct is False else "you answered this"
    return f"review: {what} {ago}"
