"""Answering interactions in time: Discord drops an interaction not acknowledged within 3 s.

Searching is fast, but storing the answer (or feedback, or a setting) is a database write, and on
SQLite a running reindex holds the write lock until it commits. `in_time` waits for such work a
little, then defers the interaction ("thinking…") and keeps waiting; `respond` then sends through
whichever channel is still open (the first response, or a followup after the defer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.adapter.rendering import NO_MENTIONS

T = TypeVar("T")

ACK_AFTER = 1.5  # seconds of work before deferring; leaves margin within Discord's 3 s


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool,
                  update: bool = False) -> T:
    """Await `work`, deferring the interaction if it takes longer than `ACK_AFTER`.

    With `update` (a button that edits its own message) the deferral is a silent "update later"
    instead of "thinking…"; finish with `edit`.

    The work is never cancelled, even if the handler is (a database write cancelled halfway can
    leave its connection holding a lock); it is short, and finishes on its own.
    """
    task = asyncio.ensure_future(work)
    task.add_done_callback(_retrieve)
    done, _ = await asyncio.wait({task}, timeout=ACK_AFTER)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=not update)
    await asyncio.wait({task})
    return task.result()


def _retrieve(task: asyncio.Future[object]) -> None:
    """Mark an abandoned task's failure as seen (the handler that wanted it is gone)."""
    if not task.cancelled():
        task.exception()


async def respond(interaction: discord.Interaction, *, ephemeral: bool, **message: Any) -> None:
    """Send `message` as the interaction's response, or as the followup completing a defer."""
    message.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **message)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **message)


async def edit(interaction: discord.Interaction, **message: Any) -> None:
    """Edit the message a button is on: as the interaction's response, or after `in_time` deferred."""
    message.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.edit_original_response(**message)
    else:
        await interaction.response.edit_message(**message)
