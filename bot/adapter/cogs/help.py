"""/help: what the bot does and its commands, read from the command tree so it never goes stale."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import practice_views, rendering
from bot.adapter.rendering import NO_MENTIONS

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot


class HelpCog(commands.Cog, name="Help"):
    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What this bot does and how to use it")
    async def help(self, interaction: discord.Interaction) -> None:
        usages = rendering.command_usages(self.bot.tree.get_commands(type=discord.AppCommandType.chat_input))
        name = self.bot.user.display_name if self.bot.user else "the bot"
        embed = rendering.help_embed(usages, name)
        embed.add_field(name=practice_views.HELP_FIELD[0], value=practice_views.HELP_FIELD[1], inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
