"""Remembering which command tree was last synced to Discord, so start-up syncs only changes.

Discord rate-limits command syncs; a hash of the tree per scope ("global" or "guild:<id>") in the
database lets every shard and restart skip a sync that would change nothing. The "guild:<id>"
rows also say which servers hold a copy of the commands, to remove once they are synced globally.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.storage.models import CommandSyncRow


def tree_hash(payload: object) -> str:
    """A stable hash of the JSON payload Discord would receive."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


GUILD_PREFIX = "guild:"


def scope_of(guild_id: int | None) -> str:
    return "global" if guild_id is None else f"{GUILD_PREFIX}{guild_id}"


class CommandSyncState:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    async def needs_sync(self, scope: str, digest: str) -> bool:
        async with self.sessions() as session:
            row = await session.get(CommandSyncRow, scope)
            return row is None or row.tree_hash != digest

    async def mark_synced(self, scope: str, digest: str) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(CommandSyncRow, scope, with_for_update=True)
            if row is None:
                session.add(CommandSyncRow(scope=scope, tree_hash=digest, synced_at=self.clock()))
            else:
                row.tree_hash, row.synced_at = digest, self.clock()

    async def synced_guilds(self) -> list[int]:
        """The servers the commands were synced to alone (a test server), by id."""
        async with self.sessions() as session:
            scopes = (await session.scalars(select(CommandSyncRow.scope)
                                            .where(CommandSyncRow.scope.startswith(GUILD_PREFIX)))).all()
        return sorted(int(scope.removeprefix(GUILD_PREFIX)) for scope in scopes)

    async def forget(self, scope: str) -> None:
        """Forget a scope's tree: its commands were removed (the next sync there is a full one)."""
        async with self.sessions() as session, session.begin():
            await session.execute(delete(CommandSyncRow).where(CommandSyncRow.scope == scope))
