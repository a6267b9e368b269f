"""Row ids known before the row is written, unique across processes sharing the database.

A burst of answers must not wait for the database: the answer's buttons carry its id, so the id
has to exist before the reply is sent, while the row itself is written later, in a batch
(`answer_log.py`). Each process reserves a block of ids in one short transaction
(`id_blocks.next_id` moves on by the block size, atomically on SQLite and PostgreSQL) and hands
them out from memory: one database round trip per `size` ids. Ids stay unique and roughly
increasing; a stopped process leaves a gap (the rest of its block), which nothing relies on.
Every insert into such a table must take its id from here.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.storage.models import IdBlockRow

BLOCK_SIZE = 256


class IdBlocks:
    """Hands out ids for `table` (an integer `id` primary key) from reserved blocks."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table, *, size: int = BLOCK_SIZE) -> None:
        if size < 1:
            raise ValueError("block size must be positive")
        self.sessions = sessions
        self.table = table
        self.size = size
        self._next = self._end = 0  # the current block is [_next, _end)
        self._lock = asyncio.Lock()

    def take(self) -> int | None:
        """The next id if the current block has one left (no await), else None: call `next_id`."""
        if self._next >= self._end:
            return None
        answer, self._next = self._next, self._next + 1
        return answer

    async def next_id(self) -> int:
        """The next id: from memory, or after reserving a new block (one short transaction)."""
        if self._next >= self._end:
            async with self._lock:
                if self._next >= self._end:  # nobody refilled it while we waited
                    self._next = await self._reserve()
                    self._end = self._next + self.size
        answer, self._next = self._next, self._next + 1
        return answer

    async def _reserve(self) -> int:
        """Move the table's counter on by one block; the block's first id."""
        name = self.table.name
        async with self.sessions() as session, session.begin():
            first = await session.scalar(
                update(IdBlockRow).where(IdBlockRow.name == name)
                .values(next_id=IdBlockRow.next_id + self.size).returning(IdBlockRow.next_id - self.size)
            )
            if first is None:  # no counter yet (a table added later): start after its rows
                start = await session.scalar(select(func.coalesce(func.max(self.table.c.id), 0) + 1))
                await session.execute(insert(IdBlockRow).values(name=name, next_id=int(start) + self.size))
                first = start
        return int(first)
