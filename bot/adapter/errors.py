"""What a member sees when something fails, and what the log keeps.

Expected refusals (not a moderator, on cooldown, a reindex already running, any `NotesBotError`)
become one short ephemeral sentence. A database that is unavailable (`DatabaseUnavailable`) is
said so without its address, an answer that could not be stored is "not counted", and the log
keeps one line with the reason for the operator. Anything else is a bug: the member gets a short
ephemeral "Something went wrong" and the log gets the traceback with the command, guild, channel
and user ids, so the failure can be found and reproduced. Application-command failures arrive
through `NotesTree.on_error`; buttons and mentions call `report()` themselves, because discord.py
only logs (and swallows) errors raised in dynamic items and event listeners.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.adapter import events
from bot.adapter.rendering import NO_MENTIONS, cooldown_text
from bot.core.errors import DatabaseUnavailable, NotesBotError

log = logging.getLogger(__name__)

SOMETHING_WRONG = "Something went wrong while doing that. The error was logged; please try again later."
DATABASE_UNAVAILABLE = "The database is unavailable right now, so that could not be done. Please try again later."
ANSWER_NOT_COUNTED = "The database is unavailable right now, so your answer was not counted. Please try again later."


class NotModerator(app_commands.CheckFailure):
    """The member may not run a moderator command."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class OnCooldown(app_commands.CheckFailure):
    """The member asked too many questions too quickly."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"on cooldown for {retry_after:.1f}s")
        self.retry_after = retry_after


def user_message(error: BaseException, *, answering: bool = False) -> str | None:
    """The sentence for an expected failure, or None when the failure is a bug. `answering`: the
    failure was storing the member's quiz answer."""
    if isinstance(error, NotModerator):
        return error.text
    if isinstance(error, OnCooldown):
        return cooldown_text(error.retry_after)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, DatabaseUnavailable):
        return ANSWER_NOT_COUNTED if answering else DATABASE_UNAVAILABLE
    if isinstance(error, NotesBotError):
        return f"Sorry: {error}"
    return None


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return error


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Tell the member `text` privately, whether or not the interaction was answered already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:  # expired interaction, Discord outage: nothing more to do
        log.warning("could not send %r to user %s", text, interaction.user.id, exc_info=True)


async def report(interaction: discord.Interaction, error: BaseException, where: str, *,
                 answering: bool = False) -> None:
    """Answer a failed interaction and log it if it was unexpected (or the database's outage,
    in one line). `answering`: it was the member's quiz answer."""
    error = unwrap(error)
    text = user_message(error, answering=answering)
    events.mark(interaction, "refused" if text is not None else "error")
    if isinstance(error, DatabaseUnavailable):
        log.warning("%s failed (guild %s, user %s): %s", where, interaction.guild_id, interaction.user.id, error)
    if text is None:
        log.error("%s failed (guild %s, channel %s, user %s)", where, interaction.guild_id,
                  interaction.channel_id, interaction.user.id, exc_info=error)
        text = SOMETHING_WRONG
    await reply_ephemeral(interaction, text)


def describe(interaction: discord.Interaction) -> str:
    """The command an interaction ran, for logs: "/ask", "/config moderator-role", a menu name."""
    command = interaction.command
    if isinstance(command, app_commands.Command):
        return f"command /{command.qualified_name}"
    if isinstance(command, app_commands.ContextMenu):
        return f"context menu {command.name!r}"
    return "interaction"


class NotesTree(app_commands.CommandTree):
    """The command tree, with one error handler for every application command, and each
    command's log line (events.py), written when the task running it ends, errors handled."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.type is discord.InteractionType.application_command:  # not autocomplete
            events.log_when_done(interaction, lambda: describe(interaction))
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report(interaction, error, describe(interaction))
