"""/quiz and the quiz's buttons and typed-answer modal; the work is in quizzing.py and quiz_views.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import asking, quiz_views, quizzing

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot


class QuizCog(commands.Cog, name="Quiz"):
    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*quiz_views.DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*quiz_views.DYNAMIC_ITEMS)

    @app_commands.command(name="quiz", description="Get a quiz question from the notes, answered with a click or in your own words")
    @app_commands.describe(topic="What the question should be about (default: anything you have not seen lately)",
                           private="Show the question only to you (default: everyone in the channel)")
    async def quiz(self, interaction: discord.Interaction, topic: str | None = None, private: bool = False) -> None:
        await quizzing.quiz(interaction, topic, private=private)

    @quiz.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
        return asking.completions(self.bot.app, current)  # the notes' headings and key terms

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await quiz_views.handle_modal_submit(interaction)
