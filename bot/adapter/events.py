"""One log line per event the bot handles (a command, a button, a typed answer, a mention): the
guild, what it was, how it ended and how long it took. An operator follows the traffic in the log,
and with LOG_FORMAT=json a log pipeline gets the same as fields (`event`: command, guild,
outcome, duration_ms). No user id: the log says what the bot did, not who asked.

Outcomes: `ok`; `refused` (an expected refusal the member was told: cooldown, not a moderator, the
database unavailable); `error` (a bug, logged with its traceback by errors.report). The lines are
INFO on the logger `bot.events`, so a busy server can raise that one logger's level alone.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord

log = logging.getLogger("bot.events")

STARTED, OUTCOME = "notesbot.started", "notesbot.outcome"  # keys in `Interaction.extras`
SelfT = TypeVar("SelfT")
Callback = Callable[[SelfT, discord.Interaction], Awaitable[Any]]


def start(interaction: discord.Interaction) -> None:
    """Note when the bot began handling `interaction` (the first call wins)."""
    interaction.extras.setdefault(STARTED, time.perf_counter())


def mark(interaction: discord.Interaction, outcome: str) -> None:
    """Record how the interaction ended, for its line: "refused" or "error"."""
    interaction.extras[OUTCOME] = outcome


def done(interaction: discord.Interaction, command: str) -> None:
    """Log the interaction's line, timed from `start` (or from now, if nothing started it)."""
    started = interaction.extras.get(STARTED, time.perf_counter())
    emit(command, interaction.guild_id, started, interaction.extras.get(OUTCOME, "ok"))


def log_when_done(interaction: discord.Interaction, command: Callable[[], str]) -> None:
    """Start the interaction's line and write it when the current task ends: discord.py runs each
    application command, its checks and its error handler in one task of its own. (Its
    `app_command_completion` event comes too late for a command answered as the bot closes.)"""
    start(interaction)
    task = asyncio.current_task()
    if task is not None:
        task.add_done_callback(lambda _: done(interaction, command()))


def emit(command: str, guild_id: int | None, started: float, outcome: str) -> None:
    """The line itself; `started` is a `time.perf_counter()` reading."""
    ms = round((time.perf_counter() - started) * 1000, 1)
    guild = "a DM" if guild_id is None else f"guild {guild_id}"
    log.info("%s in %s: %s in %.0f ms", command, guild, outcome, ms,
             extra={"event": {"command": command, "guild": guild_id, "outcome": outcome, "duration_ms": ms}})


def logged(command: str) -> Callable[[Callback[SelfT]], Callback[SelfT]]:
    """Decorate a button's `callback` so that each click gets its line."""

    def decorate(callback: Callback[SelfT]) -> Callback[SelfT]:
        @functools.wraps(callback)
        async def wrapper(self: SelfT, interaction: discord.Interaction) -> Any:
            start(interaction)
            try:
                return await callback(self, interaction)
            except Exception:
                mark(interaction, "error")
                raise
            finally:
                done(interaction, command)

        return wrapper

    return decorate
