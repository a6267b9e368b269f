"""The baseline of `bench/load.py`: a discord.py bot that answers `/ask` with a fixed embed.

Same library, intents and double as notesbot, and nothing else: no search, no database, no
buttons. Whatever rate it reaches is the ceiling the double, discord.py and the machine allow.

    DISCORD_API_BASE=… DISCORD_GATEWAY_URL=… DISCORD_TOKEN=… python bench/trivial_bot.py
"""

from __future__ import annotations

import asyncio
import os
import signal

import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

FIXED = discord.Embed(title="Pods", description="A pod is the smallest deployable unit in Kubernetes.")
FIXED.add_field(name="`concepts/workloads/pods/_index.md:1-9`", value="A **pod** groups containers.")


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

    async def setup_hook(self) -> None:
        await self.tree.sync()


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = TrivialBot()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
        await asyncio.wait({runner, asyncio.create_task(stop.wait())}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
