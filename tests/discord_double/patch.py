"""Point discord.py at a :class:`DiscordDouble` (and put it back afterwards).

Only two class attributes are involved (discord.py 2.7.1):

* ``discord.http.Route.BASE`` - every REST call, *including* webhook / interaction-response
  calls: ``discord/webhook/async_.py`` and ``sync.py`` import this same ``Route`` class.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` - ``Client.connect()`` connects here
  without asking ``GET /gateway/bot`` (only ``AutoShardedClient`` asks; the double answers
  that too).  Reconnects use READY's ``resume_gateway_url``, which points at the double.

A subprocess bot must do the same two assignments itself, e.g. from hidden settings
``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL`` (see :meth:`DiscordDouble.endpoint_env`)::

    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Union

import discord.gateway
import discord.http
import yarl

from .server import DiscordDouble


def apply_endpoints(api_base: str, gateway_url: str) -> tuple[str, yarl.URL]:
    """Set both endpoints; returns the previous values (for restoring)."""
    previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return previous


@contextlib.contextmanager
def patch_discord(target: Union[DiscordDouble, str], gateway_url: str | None = None) -> Iterator[None]:
    """``with patch_discord(double): ...`` - or ``patch_discord(api_base, gateway_url)``."""
    if isinstance(target, DiscordDouble):
        api_base, gw = target.rest_base, target.gateway_url
    else:
        if gateway_url is None:
            raise TypeError("gateway_url is required when passing an API base URL")
        api_base, gw = target, gateway_url
    old_base, old_gateway = apply_endpoints(api_base, gw)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
