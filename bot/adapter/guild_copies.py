"""Removing a server's own copy of the slash commands.

With DISCORD_TEST_GUILD_ID set, the commands are synced to that server alone (they show at once).
Once the bot syncs globally instead, that server would list every command twice, its copy and
the global one. So every global sync (at start, or `python -m bot sync`) empties the servers the
database remembers syncing to alone (`command_syncs` rows "guild:<id>", written on every shard and
restart), and `python -m bot sync --clear-guild ID` empties one by hand (one synced from another
database, say). A guild sync leaves other servers alone: no global command shows twice there.
"""

from __future__ import annotations

import logging

import discord

from bot.core.command_sync import CommandSyncState, scope_of

log = logging.getLogger(__name__)


async def clear_guild(client: discord.Client, syncs: CommandSyncState, guild_id: int) -> None:
    """Overwrite the server's commands with none, then forget the tree synced there."""
    if client.application_id is None:  # known once logged in
        raise discord.app_commands.MissingApplicationID()
    await client.http.bulk_upsert_guild_commands(client.application_id, guild_id, [])
    await syncs.forget(scope_of(guild_id))


async def clear_synced_guilds(client: discord.Client, syncs: CommandSyncState) -> list[int]:
    """Empty every server the commands were synced to alone; returns those emptied.

    A server Discord refuses (the bot was removed from it, or it is gone) is forgotten with a
    warning: asking again at every start would only be refused again. Other failures (Discord
    unreachable) propagate and the row stays, to try again at the next global sync.
    """
    cleared = []
    for guild_id in await syncs.synced_guilds():
        try:
            await clear_guild(client, syncs, guild_id)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("cannot remove the commands synced to server %s (%s); forgetting them", guild_id, exc)
            await syncs.forget(scope_of(guild_id))
            continue
        log.info("removed server %s's own copy of the commands (they are global now)", guild_id)
        cleared.append(guild_id)
    return cleared
