"""Answers given to members, the pages of passages they were shown, and their feedback.

Each answer gets its id before it is sent, so its buttons can carry just that id: "More" and the
feedback buttons keep working after a restart and on any shard. The row itself is written
*behind* the reply: answers wait in memory for up to `FLUSH_AFTER` (50 ms) and are inserted in
batches by one background task, so a burst of questions (a quiz post, a busy channel) costs one short
transaction per batch instead of one commit per answer, and no reply waits for the database. Ids
come from reserved blocks (`storage/id_blocks.py`). `aclose()` writes whatever is still waiting;
a clean shutdown loses nothing. Anything that reads or changes an answer first writes the
waiting ones (`get` answers from memory), so a click can never miss its answer.

What was shown is remembered per page: the first page with the answer, each further page when
"More" shows it (`record_page`). A verdict is stored with the page it was given on, as stored —
never by searching again, which would be wrong after a reindex or on another page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.search.answering import Passage
from bot.core.storage.id_blocks import IdBlocks
from bot.core.storage.models import AnswerRow, FeedbackRow
from bot.core.storage.write_behind import stop_and_flush, write_until_empty

log = logging.getLogger(__name__)

ANSWERS = cast(Table, AnswerRow.__table__)

Verdict = Literal["helpful", "not_helpful"]
QUESTION_LIMIT = 4000
FLUSH_AFTER = 0.05  # seconds an answer waits, so that a burst's answers share one transaction
BATCH_ROWS = 200  # rows per INSERT
MAX_WAITING = 20_000  # answers kept in memory while the database is down; the oldest go first


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    guild_id: int | None
    channel_id: int | None
    user_id: int
    question: str
    created_at: datetime


class AnswerLog:
    """Stores answers (written behind the reply) and feedback; rows carry guild (None in DMs) and user."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime], *,
                 flush_after: float = FLUSH_AFTER) -> None:
        self.sessions = sessions
        self.clock = clock
        self.flush_after = flush_after
        self._ids = IdBlocks(sessions, AnswerRow.__table__)
        self._waiting: dict[int, dict[str, Any]] = {}  # id -> row values, not written yet
        self._writing: dict[int, dict[str, Any]] = {}  # being written by the current flush
        self._write_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._closed = False

    async def record_answer(
        self, *, guild_id: int | None, channel_id: int | None, user_id: int, question: str,
        passages: Sequence[Passage],
    ) -> int:
        """The new answer's id, at once; the row is written within `flush_after` seconds."""
        answer_id = await self._ids.next_id()
        self._keep(answer_id, guild_id=guild_id, channel_id=channel_id, user_id=user_id, question=question,
                   passages=passages)
        if self._closed:  # shutting down: nothing would write it later
            await self.flush()
        return answer_id

    def record_answer_now(
        self, *, guild_id: int | None, channel_id: int | None, user_id: int, question: str,
        passages: Sequence[Passage],
    ) -> int | None:
        """`record_answer` without awaiting anything, when it needs no database: its id comes from
        the block in memory (nearly always). None when a new block must be reserved first, or the
        log is closing: then await `record_answer` (a task, a timer and a wait for every answer of
        a burst cost more than the rest of storing it)."""
        if self._closed or (answer_id := self._ids.take()) is None:
            return None
        self._keep(answer_id, guild_id=guild_id, channel_id=channel_id, user_id=user_id, question=question,
                   passages=passages)
        return answer_id

    def _keep(self, answer_id: int, *, guild_id: int | None, channel_id: int | None, user_id: int,
              question: str, passages: Sequence[Passage]) -> None:
        """Queue the answer's row, to be written within `flush_after` (unless closing)."""
        self._waiting[answer_id] = dict(
            id=answer_id, guild_id=guild_id, channel_id=channel_id, user_id=user_id,
            question=question[:QUESTION_LIMIT], results=_shown(0, passages), created_at=self.clock())
        if len(self._waiting) > MAX_WAITING:  # the database has been down for a long while
            dropped = next(iter(self._waiting))
            del self._waiting[dropped]
            log.warning("dropped unwritten answer %s: %d answers are waiting for the database",
                        dropped, MAX_WAITING)
        if not self._closed:
            self._schedule()

    async def get(self, answer_id: int) -> AnswerRecord | None:
        values = self._waiting.get(answer_id) or self._writing.get(answer_id)
        if values is not None:
            return _record(values)
        async with self.sessions() as session:
            row = await session.get(AnswerRow, answer_id)
        if row is None:
            return None
        return AnswerRecord(row.id, row.guild_id, row.channel_id, row.user_id, row.question, row.created_at)

    async def record_page(self, answer_id: int, offset: int, passages: Sequence[Passage]) -> None:
        """Remember the passages shown from rank `offset + 1` on (replacing an earlier showing)."""
        await self._written(answer_id)
        async with self.sessions() as session, session.begin():
            row = await session.get(AnswerRow, answer_id, with_for_update=True)
            if row is None:
                return
            kept = [entry for entry in row.results if _offset(entry) != offset]
            row.results = sorted(kept + _shown(offset, passages), key=_offset)  # a new list: saved

    async def shown(self, answer_id: int, offset: int) -> list[dict[str, Any]]:
        """The page from rank `offset + 1` as it was shown ([] if it never was)."""
        values = self._waiting.get(answer_id) or self._writing.get(answer_id)
        if values is None:
            async with self.sessions() as session:
                values = {"results": await session.scalar(select(AnswerRow.results).where(AnswerRow.id == answer_id))}
        return [entry for entry in values["results"] or () if _offset(entry) == offset]

    async def record_feedback(self, *, answer_id: int, user_id: int, guild_id: int | None, verdict: Verdict,
                              offset: int) -> bool:
        """One verdict per member and answer, stored with the page judged (rank `offset + 1` on);
        clicking again replaces the earlier one. False when the answer is not stored."""
        await self._written(answer_id)
        async with self.sessions() as session, session.begin():
            results = await session.scalar(select(AnswerRow.results).where(AnswerRow.id == answer_id))
            if results is None:
                return False
            page = [entry for entry in results if _offset(entry) == offset]
            existing = await session.scalar(
                select(FeedbackRow).where(FeedbackRow.answer_id == answer_id, FeedbackRow.user_id == user_id)
                .with_for_update()
            )
            if existing is None:
                session.add(FeedbackRow(answer_id=answer_id, user_id=user_id, guild_id=guild_id, verdict=verdict,
                                        results=page, created_at=self.clock()))
            else:
                existing.verdict, existing.results, existing.created_at = verdict, page, self.clock()
        return True

    async def feedback(self, answer_id: int) -> list[tuple[int, str, list[dict[str, object]]]]:
        """(user id, verdict, results shown) for one answer, for tests and reports."""
        async with self.sessions() as session:
            rows = await session.scalars(select(FeedbackRow).where(FeedbackRow.answer_id == answer_id)
                                         .order_by(FeedbackRow.id))
            return [(r.user_id, r.verdict, r.results) for r in rows]

    # ----------------------------------------------------------------------- writing behind

    async def flush(self) -> None:
        """Write every waiting answer now; raises the database's error if that fails."""
        async with self._write_lock:
            while self._waiting:
                batch = dict(list(self._waiting.items())[:BATCH_ROWS])
                for answer_id in batch:
                    del self._waiting[answer_id]
                self._writing = batch
                try:
                    try:
                        await self._insert(list(batch.values()))
                    except (IntegrityError, DataError):  # one bad row must not hold up the rest
                        for values in batch.values():
                            await self._insert_or_drop(values)
                except BaseException:
                    self._waiting = {**batch, **self._waiting}  # put back, in order, for the retry
                    raise
                finally:
                    self._writing = {}

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        # the table's INSERT, not the ORM's bulk insert of the class: the same rows, without the
        # ORM's bookkeeping per row (the answers of a burst are written in batches of up to 200)
        async with self.sessions() as session, session.begin():
            await session.execute(insert(ANSWERS), rows)

    async def _insert_or_drop(self, values: dict[str, Any]) -> None:
        try:
            await self._insert([values])
        except (IntegrityError, DataError) as exc:
            log.error("answer %s cannot be stored and is dropped: %s", values["id"], exc.orig)

    async def aclose(self) -> None:
        """Stop the background writer and write what is still waiting (a clean shutdown)."""
        self._closed = True
        await stop_and_flush(self._flusher, self.flush, lambda: len(self._waiting), what="answers")

    def _schedule(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon(), name="answer-log-writer")

    async def _flush_soon(self) -> None:
        """Wait `flush_after` for more answers, write them all; retry while the database fails."""
        await write_until_empty(self.flush, lambda: len(self._waiting), every=self.flush_after, what="answers")

    async def _written(self, answer_id: int) -> None:
        """Make sure answer `answer_id` is in the database if it is still waiting."""
        if answer_id in self._waiting or answer_id in self._writing:
            await self.flush()


def _record(values: dict[str, Any]) -> AnswerRecord:
    return AnswerRecord(values["id"], values["guild_id"], values["channel_id"], values["user_id"],
                        values["question"], values["created_at"])


def _offset(entry: dict[str, Any]) -> int:
    return int(entry.get("offset", 0))


def _shown(offset: int, passages: Sequence[Passage]) -> list[dict[str, object]]:
    return [{"offset": offset, "chunk_id": p.chunk_id, "citation": p.citation, "score": round(p.score, 4)}
            for p in passages]
