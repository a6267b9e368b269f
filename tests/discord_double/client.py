"""Run a real discord.py client against the double for the duration of a block."""

from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, TypeVar

import discord

from .server import DiscordDouble, WaitTimeout

ClientT = TypeVar("ClientT", bound=discord.Client)


async def start_client(
    client: ClientT,
    double: DiscordDouble,
    *,
    token: str | None = None,
    timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.1,
) -> asyncio.Task[None]:
    """Start ``client.start(token)`` in a task and wait until ``on_ready`` fired with every
    guild of the double available.  Returns the task (see :func:`stop_client`).

    ``guild_ready_timeout``: discord.py waits this long after the last GUILD_CREATE before
    firing on_ready (client option, default 2 s).  We lower it on the client's connection
    state (``client._connection.guild_ready_timeout``) unless you pass ``None``.
    If the client fails (e.g. LoginFailure) the exception is raised here."""
    if guild_ready_timeout is not None:
        client._connection.guild_ready_timeout = guild_ready_timeout
    task: asyncio.Task[None] = asyncio.create_task(client.start(token or double.token), name="discord-double-client")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    expected = {g.id for g in double.world.guilds}
    while True:
        if task.done():
            with contextlib.suppress(Exception):
                await client.close()
            task.result()  # raises the client's exception
            raise RuntimeError("client.start() returned before the client became ready")
        if client.is_ready() and expected <= {g.id for g in client.guilds if not g.unavailable}:
            return task
        if loop.time() > deadline:
            await stop_client(client, task)
            raise WaitTimeout(f"client not ready after {timeout}s\n{double.describe()}")
        await asyncio.sleep(0.01)


async def stop_client(client: discord.Client, task: asyncio.Task[None] | None, *, timeout: float = 5.0) -> None:
    """Close the client and wait for its ``start()`` task to finish (re-raising its errors)."""
    await client.close()
    if task is not None:
        try:
            await asyncio.wait_for(task, timeout)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise


@contextlib.asynccontextmanager
async def running_client(
    client: ClientT,
    double: DiscordDouble,
    *,
    token: str | None = None,
    timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.1,
) -> AsyncIterator[ClientT]:
    """``async with running_client(bot, double) as bot:`` - connected and ready inside."""
    task = await start_client(client, double, token=token, timeout=timeout, guild_ready_timeout=guild_ready_timeout)
    try:
        yield client
    finally:
        await stop_client(client, task)
