"""The event loop every command runs on: uvloop's where it is installed, asyncio's otherwise.

A burst of members' questions or quiz clicks is mostly event-loop and socket work (discord.py's
gateway and HTTP, the database drivers), which uvloop does in C: about a tenth less CPU per
/ask in `bench/load.py`. It is a dependency except on Windows, where it does not exist and the
standard loop serves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop constructor, or None (asyncio's default) when uvloop is not installed."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
