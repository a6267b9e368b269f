"""Per-guild configuration that moderators set from Discord (the moderator role)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.storage.models import GuildSettingsRow


class GuildSettings:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    async def moderator_role(self, guild_id: int) -> int | None:
        async with self.sessions() as session:
            row = await session.get(GuildSettingsRow, guild_id)
            return row.moderator_role_id if row else None

    async def set_moderator_role(self, guild_id: int, role_id: int | None, *, set_by: int) -> None:
        """Set (or with None, clear) the role whose members may reindex, besides Manage Server."""
        async with self.sessions() as session, session.begin():
            row = await session.get(GuildSettingsRow, guild_id, with_for_update=True)
            if row is None:
                row = GuildSettingsRow(guild_id=guild_id)
                session.add(row)
            row.moderator_role_id, row.updated_by, row.updated_at = role_id, set_by, self.clock()
