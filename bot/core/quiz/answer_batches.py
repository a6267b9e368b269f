"""Answers to quiz posts stored in batches: the clicks of a burst share one transaction.

A daily quiz post brings a server's members clicking within seconds. Each click still waits for its
own answer to be stored (the member must be told "already answered" or "closed" truthfully), but
the clicks that arrive while a batch is being written (or within `gather_for` seconds of the first)
go into the database together: one INSERT and one commit for all of them (`QuizPosts.add_answers`,
which also enforces one answer per member per post and refuses closed posts), instead of one
transaction each queueing for the connection pool and, on SQLite, for the write lock.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DataError, IntegrityError

from bot.core.errors import QuizError
from bot.core.quiz.posts import NewAnswer, QuizPosts, StoredAnswer

log = logging.getLogger(__name__)

# seconds the first answer of a batch waits for others: none beyond the clicks already dispatched
# (a group commit: the clicks arriving while a batch is written form the next one). Waiting 10 ms
# made a burst slower (bench/load.py, SQLite, 3 rounds: 642 clicks/s against 849 without the wait)
GATHER_FOR = 0.0


class AnswerBatches:
    """Stores answers through `posts.add_answers`, several at a time; each caller gets its own outcome."""

    def __init__(self, posts: QuizPosts, *, gather_for: float = GATHER_FOR) -> None:
        self.posts = posts
        self.gather_for = gather_for
        self._waiting: list[tuple[NewAnswer, asyncio.Future[StoredAnswer]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, new: NewAnswer) -> StoredAnswer:
        """Store `new` with whatever else is waiting; raises its refusal (`AlreadyAnswered`,
        `QuizClosed`, `UnknownPost`) or the database's error. If the caller is cancelled, the
        answer is still written (or refused) with its batch."""
        future: asyncio.Future[StoredAnswer] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_seen)  # a cancelled caller's refusal is not an unretrieved error
        self._waiting.append((new, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_all(), name="quiz-answer-writer")
        return await asyncio.shield(future)

    async def _write_all(self) -> None:
        """Write batches until nothing waits; the answers arriving during a write form the next."""
        await asyncio.sleep(self.gather_for)
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._write(batch)
            except BaseException as exc:  # the database failed: every caller of the batch is told
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
                if not isinstance(exc, Exception):
                    raise
                log.warning("storing %d quiz answers failed: %s", len(batch), exc)

    async def _write(self, batch: list[tuple[NewAnswer, asyncio.Future[StoredAnswer]]]) -> None:
        try:
            results = await self.posts.add_answers([new for new, _ in batch])
        except (IntegrityError, DataError):
            if len(batch) == 1:
                raise
            for one in batch:  # one bad row (say, text the database refuses) must not fail the others
                try:
                    await self._write([one])
                except (IntegrityError, DataError) as exc:
                    if not one[1].done():
                        one[1].set_exception(exc)
            return
        for (_, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, QuizError):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def aclose(self) -> None:
        """Wait for the answers being written (nothing is left waiting: every caller awaits its own)."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


def _seen(future: asyncio.Future[StoredAnswer]) -> None:
    if not future.cancelled():
        future.exception()
