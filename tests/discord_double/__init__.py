"""Loopback Discord test double for end-to-end tests with the real discord.py client.

    from tests.discord_double import DiscordDouble, patch_discord, running_client

See ``server.py`` for the protocol notes and ``patch.py`` for how discord.py is redirected.
"""

from .client import running_client, start_client, stop_client
from .models import Channel, ChannelType, Guild, Intent, Member, Overwrite, Perm, Role, User, World, snowflake
from .patch import apply_endpoints, patch_discord
from .server import (
    ApiError,
    DiscordDouble,
    GatewayConnection,
    Recorded,
    RecordedFile,
    SentInteraction,
    SentMessage,
    WaitTimeout,
)

__all__ = [
    "ApiError",
    "Channel",
    "ChannelType",
    "DiscordDouble",
    "GatewayConnection",
    "Guild",
    "Intent",
    "Member",
    "Overwrite",
    "Perm",
    "Recorded",
    "RecordedFile",
    "Role",
    "SentInteraction",
    "SentMessage",
    "User",
    "WaitTimeout",
    "World",
    "apply_endpoints",
    "patch_discord",
    "running_client",
    "snowflake",
    "start_client",
    "stop_client",
]
