"""Quiz posts and the answers to them, in `quiz_posts` and `quiz_answers`: the one place that
reads and writes those tables.

One answer per member per post is the database's rule (the unique constraint on
(post_id, user_id)), not a check made before inserting: two clicks arriving at once on two shards
both try to insert, the insert skips the second (`ON CONFLICT DO NOTHING`), and its refusal is
`AlreadyAnswered` carrying the answer that won. A closed post is refused the same way, by the
insert (it only takes answers whose post is open), so a click needs no read before it. Every answer keeps guild, channel, user, question, post, choice or
text, right, near miss and time, which is what scores and spaced review are computed from.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import (BigInteger, Boolean, ColumnElement, Integer, String, Table, Text, bindparam, case, func, select,
                        tuple_, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import AlreadyAnswered, QuizClosed, QuizError, UnknownPost
from bot.core.storage.models import QuizAnswerRow, QuizPostRow, UTCDateTime

PostKind = Literal["quiz", "daily"]
MAX_STORED_TEXT = 500  # characters of a typed answer kept (the checker refuses longer ones anyway)
INSERT_ROWS = 100  # answers per INSERT (11 parameters each: far below every backend's limit)
GONE = "That quiz is no longer stored; start a new one with /quiz."
CLOSED = "This quiz is closed."
ALREADY = "You already answered this quiz."
ANSWERS: Table = QuizAnswerRow.__table__  # type: ignore[assignment]
POSTS: Table = QuizPostRow.__table__  # type: ignore[assignment]


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


@dataclass(frozen=True)
class NewAnswer:
    """An answer to store: who, to which post, what, judged how, when."""

    post: QuizPost
    user_id: int
    guild_id: int | None
    channel_id: int | None
    choice_index: int | None
    text: str | None
    correct: bool
    near_miss: bool
    answered_at: datetime


def post_from_row(row: QuizPostRow) -> QuizPost:
    return QuizPost(id=row.id, question_id=row.question_id, kind=row.kind,  # type: ignore[arg-type]
                    guild_id=row.guild_id, channel_id=row.channel_id, message_id=row.message_id,
                    user_id=row.user_id, posted_at=row.posted_at, closed_at=row.closed_at)


def _answer(row: QuizAnswerRow) -> StoredAnswer:
    return StoredAnswer(id=row.id, post_id=row.post_id, question_id=row.question_id, guild_id=row.guild_id,
                        channel_id=row.channel_id, user_id=row.user_id, choice_index=row.choice_index,
                        text=row.text, correct=row.correct, near_miss=row.near_miss, answered_at=row.answered_at)


def _stored(answer_id: int, new: NewAnswer) -> StoredAnswer:
    return StoredAnswer(id=answer_id, post_id=new.post.id, question_id=new.post.question_id, guild_id=new.guild_id,
                        channel_id=new.channel_id, user_id=new.user_id, choice_index=new.choice_index,
                        text=_kept_text(new.text), correct=new.correct, near_miss=new.near_miss,
                        answered_at=new.answered_at)


def _again(first: StoredAnswer | QuizError) -> QuizError:
    """The outcome of a member's second answer to a post within one batch: refused like any
    second answer, or refused for the same reason as the first."""
    return AlreadyAnswered(ALREADY, first) if isinstance(first, StoredAnswer) else first


def _kept_text(text: str | None) -> str | None:
    """A typed answer as stored: bounded, and without NUL characters (PostgreSQL refuses them)."""
    return None if text is None else text.replace("\x00", "")[:MAX_STORED_TEXT]


_COLUMNS = ("post_id", "question_id", "guild_id", "channel_id", "user_id", "choice_index", "text", "correct",
            "near_miss", "answered_at")
_TYPES: dict[str, Any] = {"post_id": Integer(), "question_id": String(32), "guild_id": BigInteger(),
                          "channel_id": BigInteger(), "user_id": BigInteger(), "choice_index": Integer(),
                          "text": Text(), "correct": Boolean(), "near_miss": Boolean(),
                          "answered_at": UTCDateTime()}


def _insert_open(batch: Sequence[NewAnswer], dialect: str) -> tuple[Any, dict[str, Any]]:
    """`INSERT INTO quiz_answers … SELECT the answers JOIN their open posts ON CONFLICT (post_id,
    user_id) DO NOTHING RETURNING id, post_id, user_id`, on SQLite and PostgreSQL alike, and its
    parameters. The statement is made and compiled once per size (building and compiling it cost a
    third of a millisecond per row), so the rows are padded to the next size with rows for post 0,
    which never exists (ids start at 1): the join drops them."""
    size = next(n for n in _SIZES if n >= len(batch))
    params: dict[str, Any] = {}
    for i in range(size):
        new = batch[i] if i < len(batch) else None
        values = (_NO_POST if new is None else
                  (new.post.id, new.post.question_id, new.guild_id, new.channel_id, new.user_id, new.choice_index,
                   _kept_text(new.text), new.correct, new.near_miss, new.answered_at))
        for name, value in zip(_COLUMNS, values):
            params[f"{name}_{i}"] = value
    return _insert_statement(size, dialect), params


_SIZES = (1, 2, 4, 8, 16, 32, 64, INSERT_ROWS)
_NO_POST = (0, "", None, None, 0, None, None, False, False, datetime(2000, 1, 1, tzinfo=timezone.utc))


@functools.lru_cache(maxsize=4 * len(_SIZES))
def _insert_statement(rows: int, dialect: str) -> Any:
    selects = [select(*(bindparam(f"{name}_{i}", type_=_TYPES[name]).label(name) for name in _COLUMNS))
               for i in range(rows)]
    given = (selects[0] if rows == 1 else selects[0].union_all(*selects[1:])).subquery("given")
    open_posts = (select(*(given.c[name] for name in _COLUMNS))
                  .join_from(given, POSTS, POSTS.c.id == given.c.post_id)
                  .where(POSTS.c.closed_at.is_(None)))  # a WHERE also keeps SQLite's upsert parse unambiguous
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(ANSWERS).from_select(list(_COLUMNS), open_posts)
            .on_conflict_do_nothing(index_elements=["post_id", "user_id"])
            .returning(ANSWERS.c.id, ANSWERS.c.post_id, ANSWERS.c.user_id))


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
        (result,) = await self.add_answers([NewAnswer(post, user_id, guild_id, channel_id, choice_index, text,
                                                      correct, near_miss, now)])
        if isinstance(result, QuizError):
            raise result
        return result

    async def add_answers(self, batch: Sequence[NewAnswer]) -> list[StoredAnswer | QuizError]:
        """Store several answers in one transaction: for each, the stored answer, or the refusal
        (`AlreadyAnswered` with the answer that won, `QuizClosed`, `UnknownPost`) to raise.

        The rules are checked by the insert itself, not by reading first: one statement inserts
        the answers whose post exists and is open, skipping those that would break the unique
        (post_id, user_id) constraint, and returns the ids of the rows it wrote. So two shards
        still store one answer each, and a burst of clicks is one round trip and one commit; the
        refused ones (rare) are explained by a second read. Within the batch, a member's first
        answer to a post wins."""
        if not batch:
            return []
        firsts: dict[tuple[int, int], int] = {}
        for index, new in enumerate(batch):
            firsts.setdefault((new.post.id, new.user_id), index)
        unique = [batch[i] for i in sorted(firsts.values())]
        results: dict[tuple[int, int], StoredAnswer | QuizError] = {}
        async with self.sessions() as session, session.begin():
            written: dict[tuple[int, int], int] = {}
            for start in range(0, len(unique), INSERT_ROWS):
                statement, params = _insert_open(unique[start:start + INSERT_ROWS], session.bind.dialect.name)
                rows = await session.execute(statement, params)
                written.update({(post_id, user_id): answer_id for answer_id, post_id, user_id in rows.all()})
            for new in unique:
                key = (new.post.id, new.user_id)
                if key in written:
                    results[key] = _stored(written[key], new)
            refused = [new for new in unique if (new.post.id, new.user_id) not in written]
            if refused:
                results.update(await self._refusals(session, refused))
        return [results[(new.post.id, new.user_id)] if firsts[(new.post.id, new.user_id)] == index
                else _again(results[(new.post.id, new.user_id)])
                for index, new in enumerate(batch)]

    @staticmethod
    async def _refusals(session: AsyncSession, refused: Sequence[NewAnswer]) -> dict[tuple[int, int], QuizError]:
        """Why each of these answers was not written: its post is closed or gone, or the member
        had answered (the answer that won, in the same transaction)."""
        post_ids = sorted({new.post.id for new in refused})
        closed = dict((await session.execute(
            select(QuizPostRow.id, QuizPostRow.closed_at).where(QuizPostRow.id.in_(post_ids)))).all())
        previous = {(row.post_id, row.user_id): _answer(row) for row in await session.scalars(
            select(QuizAnswerRow).where(tuple_(QuizAnswerRow.post_id, QuizAnswerRow.user_id).in_(
                [(new.post.id, new.user_id) for new in refused])))}
        reasons: dict[tuple[int, int], QuizError] = {}
        for new in refused:
            key = (new.post.id, new.user_id)
            if new.post.id not in closed:
                reasons[key] = UnknownPost(GONE)
            elif closed[new.post.id] is not None:
                reasons[key] = QuizClosed(CLOSED)
            elif key in previous:
                reasons[key] = AlreadyAnswered(ALREADY, previous[key])
            else:  # nothing explains it (deleted meanwhile): never silently claim it was stored
                reasons[key] = UnknownPost(GONE)
        return reasons

    async def answer_of(self, post_id: int, user_id: int) -> StoredAnswer | None:
        async with self.sessions() as session:
            row = await session.scalar(select(QuizAnswerRow).where(QuizAnswerRow.post_id == post_id,
                                                                   QuizAnswerRow.user_id == user_id))
            return None if row is None else _answer(row)

    async def tally(self, post_id: int) -> Tally:
        async with self.sessions() as session:
            return await self._count(session, post_id)

    async def open_counts(self, post_ids: Sequence[int]) -> dict[int, int]:
        """How many members answered each of these posts that is still open (closed and unknown
        posts are left out), in one query: the counts on the quiz messages a burst touched."""
        if not post_ids:
            return {}
        async with self.sessions() as session:
            rows = await session.execute(
                select(QuizPostRow.id, func.count(QuizAnswerRow.id))
                .outerjoin(QuizAnswerRow, QuizAnswerRow.post_id == QuizPostRow.id)
                .where(QuizPostRow.id.in_(sorted(set(post_ids))), QuizPostRow.closed_at.is_(None))
                .group_by(QuizPostRow.id))
            return {post_id: int(count) for post_id, count in rows.all()}

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

