"""Keeping this shard's index current when another process (shard, CLI) reindexed the notes.

Several shards share one database; each checks the stored index version every
INDEX_REFRESH_SECONDS and reloads when it changed. A failed check is logged and retried on the next
tick, never fatal (a `tasks.loop` stops for good on an unhandled error). A check in flight when
the bot closes is allowed to finish: a query cancelled halfway can leave its SQLite connection
holding a lock that later writers then wait on.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot

log = logging.getLogger(__name__)


class IndexRefresh(commands.Cog, name="Index refresh"):
    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot
        self.loop = tasks.loop(seconds=bot.app.settings.index_refresh_seconds)(self.refresh)
        self.loop.before_loop(self._wait_until_ready)
        self._check: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()
        if self._check is not None:
            await asyncio.wait({self._check})

    async def refresh(self) -> None:
        self._check = asyncio.ensure_future(self._refresh())
        await asyncio.shield(self._check)

    async def _refresh(self) -> None:
        try:
            if await self.bot.app.notes.refresh_if_stale():
                log.info("loaded index version %s written by another process", self.bot.app.notes.version)
        except Exception:  # noqa: BLE001 - try again next tick
            log.warning("checking for a newer index failed", exc_info=True)

    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
