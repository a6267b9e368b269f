"""Leaving DISCORD_TEST_GUILD_ID for global commands: the test server's own copy of the commands is
removed (else its members see every command twice), at the next global sync or by hand with
`python -m bot sync --clear-guild ID`, against the Discord double."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.adapter.client import NotesBot
from bot.app import App, open_app
from bot.core.command_sync import scope_of
from tests.adapter.conftest import connected, make_settings
from tests.adapter.test_bot_startup import COMMANDS, bot_env, run
from tests.discord_double import DiscordDouble


def names(double: DiscordDouble, guild_id: int | None = None) -> set[tuple[str, int]]:
    return {(c["name"], c["type"]) for c in double.registered_commands(guild_id)}


async def test_going_global_removes_the_test_servers_copy(double: DiscordDouble, app: App) -> None:
    guild = double.guild.id
    app.settings.discord_test_guild_id = guild
    async with connected(NotesBot(app), double):
        pass
    assert names(double, guild) == COMMANDS and names(double) == set()

    app.settings.discord_test_guild_id = None
    async with connected(NotesBot(app), double):
        pass
    assert names(double) == COMMANDS
    assert names(double, guild) == set()  # each command listed once, the global one
    assert await app.syncs.synced_guilds() == []

    async with connected(NotesBot(app), double):  # nothing left to remove: no request at all
        pass
    assert (double.command_sync_count(), double.command_sync_count(guild)) == (1, 2)


async def test_an_unchanged_global_tree_still_removes_the_copy(double: DiscordDouble, app: App) -> None:
    """Global first, then a while on a test server, then global again: the global sync is skipped
    (nothing changed since), the test server's copy is removed all the same."""
    guild = double.guild.id
    async with connected(NotesBot(app), double):
        pass
    app.settings.discord_test_guild_id = guild
    async with connected(NotesBot(app), double):
        pass
    app.settings.discord_test_guild_id = None
    async with connected(NotesBot(app), double):
        pass
    assert double.command_sync_count() == 1
    assert names(double) == COMMANDS and names(double, guild) == set()


async def test_a_server_discord_refuses_is_forgotten_with_a_warning(
    double: DiscordDouble, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    gone = double.guild.id + 12345  # the bot was removed from it: Discord answers 403
    await app.syncs.mark_synced(scope_of(gone), "a tree synced there once")
    with caplog.at_level(logging.WARNING, "bot.adapter.guild_copies"):
        async with connected(NotesBot(app), double):
            pass
    assert names(double) == COMMANDS
    assert await app.syncs.synced_guilds() == []
    assert f"cannot remove the commands synced to server {gone}" in caplog.text


async def test_a_guild_sync_leaves_other_servers_alone(double: DiscordDouble, app: App) -> None:
    """Moving the test server from one server to another shows no command twice: nothing removed."""
    guild, former = double.guild.id, double.guild.id + 1
    await app.syncs.mark_synced(scope_of(former), "the former test server's tree")
    app.settings.discord_test_guild_id = guild
    async with connected(NotesBot(app), double):
        pass
    assert await app.syncs.synced_guilds() == [guild, former]
    assert double.command_sync_count(former) == 0


async def test_python_m_bot_sync_clear_guild(double: DiscordDouble, notes_dir: Path, tmp_path: Path) -> None:
    guild = double.guild.id
    env = bot_env(double, notes_dir, tmp_path / "data")
    assert (await run(env, tmp_path, "sync", "--guild", str(guild)))[0] == 0
    assert (await run(env, tmp_path, "sync"))[0] == 0  # global, which also removes the copy...
    assert names(double) == COMMANDS and names(double, guild) == set()

    double.guild_commands[guild] = list(double.global_commands)  # ...unless synced from elsewhere
    code, out, err = await run(env, tmp_path, "sync", "--clear-guild", str(guild))
    assert code == 0, err
    assert out.strip() == f"removed the commands synced to server {guild} alone (global ones stay)"
    assert names(double, guild) == set() and names(double) == COMMANDS
    assert not double.connections  # REST only

    code, out, err = await run(env, tmp_path, "sync", "--clear-guild", str(guild + 12345))
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith(
        f"notesbot: error: cannot remove the commands of server {guild + 12345}: 403 Forbidden")

    settings = make_settings(notes_dir, tmp_path / "data")
    async with open_app(settings) as app:
        assert await app.syncs.synced_guilds() == []
