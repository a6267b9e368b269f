"""/ask, the "Search the notes" message menu, and answering mentions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import asking, checks

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot

MENU_NAME = "Search the notes"


class AskCog(commands.Cog, name="Ask"):
    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot
        # Context menus cannot be declared with a decorator inside a cog: build it here.
        self.menu = app_commands.ContextMenu(name=MENU_NAME, callback=self.search_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ask", description="Ask the notes a question and get the best-matching passages")
    @app_commands.describe(question="Your question, in your own words",
                           private="Show the answer only to you (default: everyone in the channel)")
    @checks.ask_cooldown()
    async def ask(self, interaction: discord.Interaction, question: str, private: bool = False) -> None:
        await asking.ask(interaction, question, private=private)

    @ask.autocomplete("question")
    async def ask_autocomplete(self, interaction: discord.Interaction,
                               current: str) -> list[app_commands.Choice[str]]:
        return asking.completions(self.bot.app, current)

    @checks.ask_cooldown()
    async def search_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await asking.search_message(interaction, message)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        await asking.answer_mention(self.bot, message)
