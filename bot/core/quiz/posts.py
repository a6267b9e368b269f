"""Quiz posts and the answers to them, in `quiz_posts` and `quiz_answers`: the one place that
reads and writes those tables.

One answer per member per post is the database's rule (the unique constraint on
(post_id, user_id)), not a check made before inserting: two clicks arriving at once on two shards
both try to insert, and the loser gets the constraint's error, turned here into `AlreadyAnswered`
carrying the answer that won. Every answer keeps guild, channel, user, question, post, choice or
text, right, near miss and time, which is what scores and spaced review are computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import AlreadyAnswered, QuizClosed, UnknownPost
from bot.core.storage.models import QuizAnswerRow, QuizPostRow

PostKind = Literal["quiz", "daily"]
MAX_STORED_TEXT = 500  # characters of a typed answer kept (the checker refuses longer ones anyway)


@dataclass(frozen=True)
class QuizPost:
    """A question shown somewhere: on demand (`quiz`, for `user_id`) or a guild's daily prompt."""

    id: int
    question_id: str
    kind: PostKind
    guild_id: int | None
    channel_id: int | None
    message_id: int | None
    user_id: int | None
    posted_at: datetime
    closed_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class StoredAnswer:
    """One member's answer to one post, as stored."""

    id: int
    post_id: int
    question_id: str
    guild_id: int | None
    channel_id: int | None
    user_id: int
    choice_index: int | None
    text: str | None
    correct: bool
    near_miss: bool
    answered_at: datetime


@dataclass(frozen=True)
class Tally:
    """How many members answered a post, and how many of them were right."""

    answered: int
    right: int


def post_from_row(row: QuizPostRow) -> QuizPost:
    return QuizPost(id=row.id, question_id=row.question_id, kind=row.kind,  # type: ignore[arg-type]
                    guild_id=row.guild_id, channel_id=row.channel_id, message_id=row.message_id,
                    user_id=row.user_id, posted_at=row.posted_at, closed_at=row.closed_at)


def _answer(row: QuizAnswerRow) -> StoredAnswer:
    return StoredAnswer(id=row.id, post_id=row.post_id, question_id=row.question_id, guild_id=row.guild_id,
                        channel_id=row.channel_id, user_id=row.user_id, choice_index=row.choice_index,
                        text=row.text, correct=row.correct, near_miss=row.near_miss, answered_at=row.answered_at)


def same_guild(column: ColumnElement[int | None], guild_id: int | None) -> ColumnElement[bool]:
    """`column = guild_id`, where None (DMs, the terminal) matches NULL."""
    return column.is_(None) if guild_id is None else column == guild_id


class QuizPosts:
    """Reading and writing quiz posts and answers."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def create(self, question_id: str, *, kind: PostKind, guild_id: int | None, channel_id: int | None,
                     user_id: int | None, now: datetime) -> QuizPost:
        async with self.sessions() as session, session.begin():
            row = QuizPostRow(question_id=question_id, kind=kind, guild_id=guild_id, channel_id=channel_id,
                              message_id=None, user_id=user_id, posted_at=now, closed_at=None)
            session.add(row)
            await session.flush()
            return post_from_row(row)

    async def get(self, post_id: int) -> QuizPost | None:
        async with self.sessions() as session:
            row = await session.get(QuizPostRow, post_id)
            return None if row is None else post_from_row(row)

    async def require(self, post_id: int) -> QuizPost:
        post = await self.get(post_id)
        if post is None:
            raise UnknownPost("That quiz is no longer stored; start a new one with /quiz.")
        return post

    async def set_message(self, post_id: int, message_id: int) -> None:
        """Remember the message that shows the post (known only once it is sent)."""
        async with self.sessions() as session, session.begin():
            await session.execute(update(QuizPostRow).where(QuizPostRow.id == post_id).values(message_id=message_id))

    async def close(self, post_id: int, now: datetime) -> QuizPost:
        """Close a post: later answers are refused. Closing twice keeps the first time."""
        async with self.sessions() as session, session.begin():
            await session.execute(update(QuizPostRow)
                                  .where(QuizPostRow.id == post_id, QuizPostRow.closed_at.is_(None))
                                  .values(closed_at=now))
        return await self.require(post_id)

    async def add_answer(self, post: QuizPost, *, user_id: int, guild_id: int | None, channel_id: int | None,
                         choice_index: int | None, text: str | None, correct: bool, near_miss: bool,
                         now: datetime) -> StoredAnswer:
        """Store a member's answer; `AlreadyAnswered` (with the stored one) when they had answered,
        `QuizClosed` when the post is closed."""
        stored, _ = await self.add_answer_counted(post, user_id=user_id, guild_id=guild_id, channel_id=channel_id,
                                                  choice_index=choice_index, text=text, correct=correct,
                                                  near_miss=near_miss, now=now)
        return stored

    async def add_answer_counted(self, post: QuizPost, *, user_id: int, guild_id: int | None,
                                 channel_id: int | None, choice_index: int | None, text: str | None, correct: bool,
                                 near_miss: bool, now: datetime) -> tuple[StoredAnswer, Tally]:
        """`add_answer`, and the post's tally counted in the same transaction (this answer included):
        a click then costs one session and one commit for storing and counting, not two sessions."""
        async with self.sessions() as session:
            try:
                async with session.begin():
                    fresh = await session.get(QuizPostRow, post.id)
                    if fresh is None:
                        raise UnknownPost("That quiz is no longer stored; start a new one with /quiz.")
                    if fresh.closed_at is not None:
                        raise QuizClosed("This quiz is closed.")
                    row = QuizAnswerRow(post_id=post.id, question_id=post.question_id, guild_id=guild_id,
                                        channel_id=channel_id, user_id=user_id, choice_index=choice_index,
                                        text=None if text is None else text[:MAX_STORED_TEXT], correct=correct,
                                        near_miss=near_miss, answered_at=now)
                    session.add(row)
                    await session.flush()
                    stored = _answer(row)
                    tally = await self._count(session, post.id)
                return stored, tally
            except IntegrityError:
                pass  # the unique (post_id, user_id) constraint: read the answer that won
        previous = await self.answer_of(post.id, user_id)
        if previous is None:  # not the unique constraint after all (e.g. the post was deleted)
            raise UnknownPost("That quiz is no longer stored; start a new one with /quiz.")
        raise AlreadyAnswered("You already answered this quiz.", previous)

    async def answer_of(self, post_id: int, user_id: int) -> StoredAnswer | None:
        async with self.sessions() as session:
            row = await session.scalar(select(QuizAnswerRow).where(QuizAnswerRow.post_id == post_id,
                                                                   QuizAnswerRow.user_id == user_id))
            return None if row is None else _answer(row)

    async def tally(self, post_id: int) -> Tally:
        async with self.sessions() as session:
            return await self._count(session, post_id)

    @staticmethod
    async def _count(session: AsyncSession, post_id: int) -> Tally:
        answered, right = (await session.execute(
            select(func.count(QuizAnswerRow.id),
                   func.coalesce(func.sum(case((QuizAnswerRow.correct, 1), else_=0)), 0))
            .where(QuizAnswerRow.post_id == post_id)
        )).one()
        return Tally(int(answered), int(right))

    async def recently_seen(self, guild_id: int | None, user_id: int, since: datetime) -> dict[str, datetime]:
        """Questions the member was shown (their own `/quiz` posts) or answered since `since`, in
        this guild, with when they last saw each."""
        seen: dict[str, datetime] = {}
        async with self.sessions() as session:
            shown = await session.execute(
                select(QuizPostRow.question_id, func.max(QuizPostRow.posted_at))
                .where(QuizPostRow.user_id == user_id, same_guild(QuizPostRow.guild_id, guild_id),
                       QuizPostRow.posted_at >= since)
                .group_by(QuizPostRow.question_id))
            answered = await session.execute(
                select(QuizAnswerRow.question_id, func.max(QuizAnswerRow.answered_at))
                .where(QuizAnswerRow.user_id == user_id, same_guild(QuizAnswerRow.guild_id, guild_id),
                       QuizAnswerRow.answered_at >= since)
                .group_by(QuizAnswerRow.question_id))
            for question_id, at in [*shown.all(), *answered.all()]:  # max() keeps the column's UTC type
                if question_id not in seen or at > seen[question_id]:
                    seen[question_id] = at
        return seen

