"""Answering interactions in time: Discord drops an interaction not acknowledged within 3 s.

Searching is fast, but storing the answer (or feedback, or a setting) is a database write, and on
SQLite a running reindex holds the write lock until it commits. `in_time` waits for such work a
little, then defers the interaction ("thinking…") and keeps waiting; `respond` then sends through
whichever channel is still open (the first response, or a followup after the defer).
"""

from __future__ import annotations

import asyncio
import functools
import types
from collections.abc import Awaitable, Coroutine, Generator
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

    Work that never waits (storing an answer: its id comes from memory) finishes in its first step,
    run here at once: only work that waits becomes a task with a timer (a task, a timer and a wait
    for every answer of a burst cost more than the work itself).
    """
    if asyncio.iscoroutine(work):
        try:
            pending = work.send(None)
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]
        task = asyncio.ensure_future(_finish(work, pending))
    else:
        task = asyncio.ensure_future(work)
    task.add_done_callback(_retrieve)
    done, _ = await asyncio.wait({task}, timeout=ACK_AFTER)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=not update)
    await asyncio.wait({task})
    return task.result()


async def _finish(work: Coroutine[Any, Any, T], pending: Any) -> T:
    return await _resumed(work, pending)  # a native coroutine: what any asyncio version takes as a task


@types.coroutine
def _resumed(work: Coroutine[Any, Any, T], pending: Any) -> Generator[Any, Any, T]:
    """`work`, which stopped at its first wait (on `pending`), carried on by a task: what
    `yield from work` would do from there (the task's wake-ups and cancellation go to `work`)."""
    waiting_on = pending
    while True:
        try:
            sent = yield waiting_on
        except BaseException as exc:  # noqa: BLE001 - thrown in by the task (a cancellation): work's to handle
            step = functools.partial(work.throw, exc)
        else:
            step = functools.partial(work.send, sent)
        try:
            waiting_on = step()
        except StopIteration as finished:
            return finished.value  # type: ignore[no-any-return]


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
