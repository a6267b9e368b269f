"""The baseline of `bench/load.py`: a discord.py bot that answers `/ask` with a fixed embed, and
a quiz button click with a fixed ephemeral message.

Same library, intents and double as notesbot, and nothing else: no search, no database. `/quiz`
posts a fixed question with buttons A–D whose custom ids have notesbot's shape
(`quiz:choice:POST:CHOICE`, routed the same way, as discord.py `DynamicItem`s); a click is answered
at once with a fixed private message. Whatever rate it reaches is the ceiling the double, discord.py and the machine allow.

    DISCORD_API_BASE=… DISCORD_GATEWAY_URL=… DISCORD_TOKEN=… python bench/trivial_bot.py [--uvloop]
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import sys

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

FIXED = discord.Embed(title="Pods", description="A pod is the smallest deployable unit in Kubernetes.")
FIXED.add_field(name="`concepts/workloads/pods/_index.md:1-9`", value="A **pod** groups containers.")
QUIZ = discord.Embed(title="Quiz", description="**What is the smallest deployable unit in Kubernetes?**\n\n"
                                               "**A.** Pod\n**B.** Node\n**C.** Service\n**D.** Volume")
FEEDBACK = "✅ Right! The answer is **A. Pod**.\nSource: `concepts/workloads/pods/_index.md:1-9`"


class FixedChoice(discord.ui.DynamicItem[discord.ui.Button], template=r"quiz:choice:(?P<post>\d+):(?P<choice>[0-3])"):
    """A quiz button; a click gets the fixed feedback."""

    def __init__(self, post: int, choice: int) -> None:
        super().__init__(discord.ui.Button(label="ABCD"[choice], style=discord.ButtonStyle.primary,
                                           custom_id=f"quiz:choice:{post}:{choice}"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> FixedChoice:
        return cls(int(match["post"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(FEEDBACK, ephemeral=True)


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.dm_messages = True
    return wanted


class TrivialBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="ask", description="Answer with a fixed embed")
        @app_commands.describe(question="anything")
        async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
            await interaction.response.send_message(embed=FIXED, ephemeral=private)

        posts = itertools.count(1)

        @self.tree.command(name="quiz", description="Post a fixed question with buttons A-D")
        async def quiz(interaction: discord.Interaction) -> None:
            post, view = next(posts), discord.ui.View(timeout=None)
            for choice in range(4):
                view.add_item(FixedChoice(post, choice))
            view.stop()  # clicks reach the dynamic items, as in notesbot
            await interaction.response.send_message(embed=QUIZ, view=view)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(FixedChoice)
        await self.tree.sync()


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = TrivialBot()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    print(f"event loop: {type(loop).__module__}.{type(loop).__name__}", file=sys.stderr, flush=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
        await asyncio.wait({runner, asyncio.create_task(stop.wait())}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


if __name__ == "__main__":
    factory = None  # asyncio's loop, as any discord.py bot
    if sys.argv[1:] == ["--uvloop"]:  # bench/load.py --trivial-uvloop: the loop notesbot runs on
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())
