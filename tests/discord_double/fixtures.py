"""Pytest fixtures for the Discord double.

Register them with ``pytest_plugins = ["tests.discord_double.fixtures"]`` in the
top-level ``tests/conftest.py`` (or import the fixture names into a conftest/test module).

* ``discord_double`` - a started :class:`DiscordDouble` (default world), stopped after the
  test; the test fails if the double hit an internal error.
* ``patched_discord`` - the same double with discord.py pointed at it for the test.
"""

from __future__ import annotations

from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from .patch import patch_discord
from .server import DiscordDouble


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    double = DiscordDouble()
    await double.start()
    try:
        yield double
    finally:
        await double.stop()
    if double.errors:
        pytest.fail("DiscordDouble internal errors:\n" + "\n".join(double.errors), pytrace=False)


@pytest.fixture
def patched_discord(discord_double: DiscordDouble) -> Iterator[DiscordDouble]:
    with patch_discord(discord_double):
        yield discord_double
