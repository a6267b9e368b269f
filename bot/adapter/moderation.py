"""The moderators' commands: /reindex and /config. Permission checks run before these (checks.py).

A reindex can take a while, so it defers first (Discord wants an acknowledgement within 3 s), runs
as work the bot cancels on shutdown (its transaction then rolls back), and reports privately.
Questions keep being answered from the previous index meanwhile, and after a failure.
"""

from __future__ import annotations

import discord

from bot.adapter import acks, rendering
from bot.adapter.checks import bot_of
from bot.adapter.errors import reply_ephemeral
from bot.adapter.rendering import NO_MENTIONS
from bot.core.errors import ReindexInProgress

BUSY = "A reindex is already running; try again when it finishes."


async def reindex(interaction: discord.Interaction) -> None:
    """Bring the index up to date with the notes folder and show what changed."""
    bot = bot_of(interaction)
    notes = bot.app.notes
    if notes.reindexing:  # answer at once rather than defer for nothing
        return await reply_ephemeral(interaction, f"{BUSY} {rendering.last_indexed_line(await notes.last_reindex())}")
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        summary = await bot.run_work(notes.reindex(requested_by=interaction.user.id, guild_id=interaction.guild_id))
    except ReindexInProgress:  # another member's reindex won the race
        return await reply_ephemeral(interaction, f"{BUSY} {rendering.last_indexed_line(await notes.last_reindex())}")
    embed = rendering.summary_embed(summary, await notes.last_reindex())
    pool = await bot.app.filler.status()
    embed.add_field(name="Quiz questions", value=pool.sentence("being generated in the background"), inline=False)
    await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def set_moderator_role(interaction: discord.Interaction, role: discord.Role | None) -> None:
    """Set (or with None, clear) the role whose members may use the moderator commands."""
    assert interaction.guild_id is not None  # the commands are guild-only and checked
    await acks.in_time(interaction, bot_of(interaction).app.guilds.set_moderator_role(
        interaction.guild_id, role.id if role else None, set_by=interaction.user.id), ephemeral=True)
    if role is None:
        text = "Moderator role cleared: only members with Manage Server can use `/reindex` now."
    else:
        text = f"Members with {role.mention} can now use `/reindex` (as can members with Manage Server)."
    await reply_ephemeral(interaction, text)


async def show_settings(interaction: discord.Interaction) -> None:
    """This server's bot settings."""
    assert interaction.guild_id is not None
    role_id = await bot_of(interaction).app.guilds.moderator_role(interaction.guild_id)
    role = f"<@&{role_id}>" if role_id else "none (only members with Manage Server)"
    await reply_ephemeral(interaction, f"Moderator role: {role}.")
