"""The bot's cogs: each receives Discord's events for one feature and hands them to a helper
module (asking.py, quizzing.py, moderation.py), so no logic lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.adapter.cogs.admin import AdminCog
from bot.adapter.cogs.ask import AskCog
from bot.adapter.cogs.help import HelpCog
from bot.adapter.cogs.practice import PracticeCog
from bot.adapter.cogs.quiz import QuizCog
from bot.adapter.cogs.refresh import IndexRefresh

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot


async def add_all(bot: NotesBot) -> None:
    """Add every cog, in a fixed order (the synced command tree, and so its hash, is stable)."""
    for cog in (AskCog(bot), QuizCog(bot), AdminCog(bot), HelpCog(bot), IndexRefresh(bot), PracticeCog(bot)):
        await bot.add_cog(cog)
