"""Who may do what: the moderator and administrator checks, and the per-member question cooldown.

`default_permissions` on a command only sets what Discord *shows* by default, and server admins
can change it in the integration settings; these checks run in the bot for every invocation, so
they are the real gate. A refused check raises a `CheckFailure` that `errors.NotesTree` turns into
an ephemeral refusal, before the command's body (and so any change) runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.adapter.errors import NotModerator, OnCooldown

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot

T = TypeVar("T")

MODERATORS_ONLY = "Only moderators can do that: members with Manage Server, or the moderator role set with `/config moderator-role`."
ADMINISTRATORS_ONLY = "Only administrators can change the bot's settings for this server."


def bot_of(interaction: discord.Interaction) -> NotesBot:
    return interaction.client  # type: ignore[return-value]


async def is_moderator(bot: NotesBot, interaction: discord.Interaction) -> bool:
    """Manage Server (administrators have it too), or the guild's configured moderator role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild:
        return True
    role_id = await bot.app.guilds.moderator_role(interaction.guild_id)
    return role_id is not None and any(role.id == role_id for role in interaction.user.roles)


def moderator_only() -> Callable[[T], T]:
    """Refuse members who are neither Manage Server holders nor in the moderator role."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not await is_moderator(bot_of(interaction), interaction):
            raise NotModerator(MODERATORS_ONLY)
        return True

    return app_commands.check(predicate)


def administrator_only() -> Callable[[T], T]:
    """Refuse members without Administrator: moderators cannot choose who else is one."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.administrator:
            raise NotModerator(ADMINISTRATORS_ONLY)
        return True

    return app_commands.check(predicate)


def ask_cooldown() -> Callable[[T], T]:
    """Count a question against the member's cooldown; refuse it when they are over the rate.

    Shared by /ask, the context menu and mentions (`NotesBot.ask_cooldown`), so switching between
    them does not get around it.
    """

    async def predicate(interaction: discord.Interaction) -> bool:
        bot = bot_of(interaction)
        retry_after = bot.ask_cooldown.retry_after(interaction.user.id)
        if retry_after:
            bot.app.metrics.questions.labels("refused").inc()
            raise OnCooldown(retry_after)
        return True

    return app_commands.check(predicate)
