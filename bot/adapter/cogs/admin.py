"""/reindex and /config: moderators' and administrators' commands, in servers only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import checks, moderation

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot


class AdminCog(commands.Cog, name="Admin"):
    config = app_commands.Group(
        name="config", description="The bot's settings for this server (administrators)",
        guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(administrator=True),
    )

    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot

    @app_commands.command(name="reindex", description="Re-read the notes folder and update the index (moderators)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @checks.moderator_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        await moderation.reindex(interaction)

    @config.command(name="moderator-role", description="Let members with this role use /reindex")
    @app_commands.describe(role="Members with this role count as moderators")
    @checks.administrator_only()
    async def moderator_role(self, interaction: discord.Interaction, role: discord.Role) -> None:
        await moderation.set_moderator_role(interaction, role)

    @config.command(name="clear-moderator-role", description="Only members with Manage Server may use /reindex")
    @checks.administrator_only()
    async def clear_moderator_role(self, interaction: discord.Interaction) -> None:
        await moderation.set_moderator_role(interaction, None)

    @config.command(name="show", description="Show the bot's settings for this server")
    @checks.administrator_only()
    async def show(self, interaction: discord.Interaction) -> None:
        await moderation.show_settings(interaction)
