"""Starting the bot: intents, the command tree and when it is synced, the token (rejected, never
logged), and the real `python -m bot run` / `sync` as subprocesses against the Discord double."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.adapter import rendering
from bot.adapter.client import INVITE_PERMISSIONS, NotesBot, invite_url
from bot.adapter.redact import REDACTED, RedactSecret, install_redactor
from bot.app import App, open_app
from tests.adapter.conftest import connected, embed_of, make_settings
from tests.discord_double import DiscordDouble, Intent

COMMANDS = {("ask", 1), ("quiz", 1), ("reindex", 1), ("config", 1), ("help", 1), ("Search the notes", 3),
            ("daily-quiz", 1), ("leaderboard", 1), ("progress", 1), ("forget-me", 1)}
MANAGE_GUILD, ADMINISTRATOR = 1 << 5, 1 << 3


def registered(double: DiscordDouble, guild_id: int | None = None) -> dict[str, dict]:
    return {c["name"]: c for c in double.registered_commands(guild_id)}


# --------------------------------------------------------------------------- start and sync


async def test_start_syncs_the_commands_once_and_skips_an_unchanged_tree(double: DiscordDouble, app: App) -> None:
    async with connected(NotesBot(app), double):
        assert double.command_sync_count() == 1
        assert {(c["name"], c["type"]) for c in double.registered_commands()} == COMMANDS
    async with connected(NotesBot(app), double):  # a restart with the same tree and database
        pass
    assert double.command_sync_count() == 1
    assert double.command_sync_count(double.guild.id) == 0


async def test_a_changed_tree_is_synced_again(double: DiscordDouble, app: App) -> None:
    async with connected(NotesBot(app), double):
        pass

    class GrownBot(NotesBot):
        async def setup_hook(self) -> None:
            @app_commands.command(name="flashcards", description="A new command")
            async def flashcards(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("?")

            self.tree.add_command(flashcards)
            await super().setup_hook()

    async with connected(GrownBot(app), double):
        pass
    assert double.command_sync_count() == 2
    assert "flashcards" in registered(double)


async def test_the_test_guild_gets_the_commands_alone(double: DiscordDouble, app: App) -> None:
    app.settings.discord_test_guild_id = double.guild.id
    async with connected(NotesBot(app), double):
        assert double.command_sync_count(double.guild.id) == 1
        assert double.command_sync_count() == 0
        assert {(c["name"], c["type"]) for c in double.registered_commands(double.guild.id)} == COMMANDS


async def test_permissions_and_contexts_in_the_synced_payload(bot: NotesBot, double: DiscordDouble) -> None:
    commands = registered(double)
    assert int(commands["reindex"]["default_member_permissions"]) == MANAGE_GUILD
    assert commands["reindex"]["contexts"] == [0]  # guild only
    assert int(commands["config"]["default_member_permissions"]) == ADMINISTRATOR
    assert commands["config"]["contexts"] == [0]
    assert commands["ask"]["default_member_permissions"] is None
    question, private = commands["ask"]["options"]
    assert (question["name"], question["required"], question["autocomplete"]) == ("question", True, True)
    assert (private["name"], private["type"], private.get("required", False)) == ("private", 5, False)


async def test_the_bot_asks_for_no_privileged_intent(bot: NotesBot, double: DiscordDouble) -> None:
    intents = double.connections[-1].identify["intents"]
    assert intents & (Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT) == 0
    assert intents & Intent.GUILD_MESSAGES and intents & Intent.DIRECT_MESSAGES and intents & Intent.GUILDS
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}


async def test_every_command_and_option_is_described_and_no_name_clashes(bot: NotesBot) -> None:
    seen: set[tuple[str, int]] = set()
    for command in bot.tree.get_commands():
        key = (command.name, command.type.value if isinstance(command, app_commands.ContextMenu) else 1)
        assert key not in seen, f"two commands named {command.name!r}"
        seen.add(key)
        if isinstance(command, app_commands.ContextMenu):
            continue
        stack: list[app_commands.Command | app_commands.Group] = [command]
        while stack:
            item = stack.pop()
            assert item.description and item.description != "…", f"/{item.qualified_name} has no description"
            assert len(item.description) <= 100
            if isinstance(item, app_commands.Group):
                names = [c.name for c in item.commands]
                assert len(names) == len(set(names)), f"/{item.qualified_name} has clashing subcommands"
                stack.extend(item.commands)
                continue
            for param in item.parameters:
                assert param.description and param.description != "…", \
                    f"option {param.name!r} of /{item.qualified_name} has no description"
    assert {name for name, _ in seen} == {name for name, _ in COMMANDS}


def test_the_readme_documents_the_invite_and_every_command(bot: NotesBot) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert invite_url(0).split("client_id=0")[1] in readme  # scopes and the permissions integer
    assert f"Permissions: {INVITE_PERMISSIONS.value}" in readme
    for usage, _ in rendering.command_usages(bot.tree.get_commands(type=discord.AppCommandType.chat_input)):
        assert f"`{usage.split(' [')[0]}" in readme, usage
    assert "Search the notes" in readme


# --------------------------------------------------------------------------- the token


def test_the_redaction_filter_hides_the_token_in_messages_and_tracebacks() -> None:
    secret = "MTIzNDU2.secret.token"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    uninstall = install_redactor(secret, [handler])
    try:
        logger.warning("logging in with %s", secret)
        try:
            raise RuntimeError(f"bad header Bot {secret}")
        except RuntimeError:
            logger.exception("request failed")
    finally:
        uninstall()
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert secret not in output
    assert output.count(REDACTED) == 2 and "RuntimeError: bad header Bot [REDACTED]" in output
    assert not any(isinstance(f, RedactSecret) for f in handler.filters)


# --------------------------------------------------------------------------- real processes


def bot_env(double: DiscordDouble, notes_dir: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "NOTES_", "DATABASE_", "DATA_DIR", "ASK_", "INDEX_", "LOG_"))}
    return {**base, **double.endpoint_env(),
            "NOTES_DIR": str(notes_dir), "DATA_DIR": str(data_dir), "LOG_LEVEL": "DEBUG", **extra}


class BotProcess:
    """`python -m bot ARGS` with its output in files (a pipe nobody reads would fill up and block
    a chatty DEBUG-logging bot)."""

    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        self.env, self.cwd, self.args = env, cwd, args
        self.out_path, self.err_path = cwd / "stdout.txt", cwd / "stderr.txt"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args, env=self.env, cwd=self.cwd, stdout=out, stderr=err)
        return self

    async def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Wait for the exit; (status, stdout, stderr)."""
        assert self.process is not None
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        finally:
            await self.kill()
        return code, self.out_path.read_text(), self.err_path.read_text()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def run(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    return await (await BotProcess(env, cwd, *args).start()).finish()


@pytest.mark.parametrize("args", [("run",), ()], ids=["run", "no-command-with-token"])
async def test_python_m_bot_run_answers_and_stops_cleanly_on_sigterm(
    args: tuple[str, ...], double: DiscordDouble, notes_dir: Path, tmp_path: Path
) -> None:
    bot = await BotProcess(bot_env(double, notes_dir, tmp_path / "data"), tmp_path, *args).start()
    try:
        await double.wait_until_connected(timeout=60)
        it = await double.send_slash_command("ask", {"question": "restart policy"})
        callback = await double.wait_for_callback(it, timeout=20)
        assert embed_of(callback.json["data"])["fields"][0]["value"].startswith("`pods.md:5-7`")
        assert double.command_sync_count() == 1
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        code, out, err = await bot.finish()
    finally:
        await bot.kill()
    assert code == 0, err
    assert "Traceback" not in err and "shutting down" in err
    assert double.token not in out + err
    assert "voice will NOT be supported" not in err  # the bot has no voice: no warning about its libraries


async def test_a_rejected_token_is_one_clear_line(double: DiscordDouble, notes_dir: Path, tmp_path: Path) -> None:
    token = "Mzk5.rejected-token.abcdefghijklmnopqrstuvwxyz"
    env = bot_env(double, notes_dir, tmp_path / "data", DISCORD_TOKEN=token)
    code, out, err = await run(env, tmp_path, "run")
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        "notesbot: error: Discord rejected DISCORD_TOKEN: copy the bot's token again from the Developer Portal "
        "(Bot → Reset Token)")
    assert token not in out + err and "Traceback" not in err
    assert not double.connections


async def test_run_without_a_token_says_how_to_set_it(double: DiscordDouble, notes_dir: Path, tmp_path: Path) -> None:
    env = bot_env(double, notes_dir, tmp_path / "data", DISCORD_TOKEN="")
    code, _, err = await run(env, tmp_path, "run")
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("notesbot: error: DISCORD_TOKEN is not set")


async def test_python_m_bot_sync_syncs_to_a_guild_and_exits(double: DiscordDouble, notes_dir: Path,
                                                           tmp_path: Path) -> None:
    env = bot_env(double, notes_dir, tmp_path / "data")
    code, out, err = await run(env, tmp_path, "sync", "--guild", str(double.guild.id))
    assert code == 0, err
    assert out.strip() == f"synced {len(COMMANDS)} commands to server {double.guild.id}"
    assert double.command_sync_count(double.guild.id) == 1 and double.command_sync_count() == 0
    assert not double.connections  # REST only: no gateway session
    settings = make_settings(notes_dir, tmp_path / "data")
    async with open_app(settings) as app:  # and a later start in that guild does not sync again
        app.settings.discord_test_guild_id = double.guild.id
        async with connected(NotesBot(app), double):
            pass
    assert double.command_sync_count(double.guild.id) == 1
