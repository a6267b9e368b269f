"""The Discord bot: `NotesBot`, built from an `App`, and the two ways to run it.

`run_bot(app)` is `python -m bot run`: log in, sync the slash commands if they changed, answer until
SIGINT/SIGTERM, then close cleanly; with HEALTH_PORT set it serves the probes and metrics
(bot/health.py) from before logging in until it has closed. `sync_commands(app, guild_id)` is
`python -m bot sync`: log in (REST only, no gateway), sync, exit.

Intents: guilds, guild messages and direct messages, none of them privileged. Without the message
content intent Discord still delivers the text of messages that mention the bot and of DMs, which
is all the bot reads. Every message is sent with no mentions allowed (the bot's default, and passed
again on each send), since it repeats text written by others.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from bot.adapter import cogs, guild_copies, practice_views, quiz_views, views
from bot.adapter.quiz_counts import AnswerCounts
from bot.adapter.errors import NotesTree
from bot.adapter.redact import install_redactor
from bot.adapter.rendering import NO_MENTIONS
from bot.app import App
from bot.config import Settings
from bot.core.command_sync import scope_of, tree_hash
from bot.core.cooldown import Cooldown
from bot.core.errors import ConfigError, NotesBotError
from bot.core.storage.database import connection_errors
from bot.health import serve_health

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_TOKEN = "DISCORD_TOKEN is not set: put the bot token in the environment or in .env (see README, Discord)"
BAD_TOKEN = "Discord rejected DISCORD_TOKEN: copy the bot's token again from the Developer Portal (Bot → Reset Token)"


# What the invite asks for (README, Discord → Permissions explains each one).
INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, send_messages_in_threads=True,
                                         embed_links=True, read_message_history=True)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS,
                                   scopes=("bot", "applications.commands"))


def intents() -> discord.Intents:
    """The gateway events the bot needs, and no privileged intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # guilds, channels and roles: permissions and the moderator role
    wanted.guild_messages = True  # mentions in server channels
    wanted.dm_messages = True  # questions in DMs
    return wanted


class NotesBot(commands.Bot):
    """The bot over one `App`. It has no text commands: slash commands, a menu and mentions."""

    def __init__(self, app: App, *, sync_on_start: bool = True) -> None:
        # The bot never joins a voice channel: discord.py's warnings that voice's libraries are
        # missing (PyNaCl, davey) would greet every start with a problem that is none.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        # No message cache: the bot never looks a message up (its buttons carry their state), and
        # keeping each of its own answers only fed the garbage collector during bursts.
        super().__init__(command_prefix=commands.when_mentioned, intents=intents(), help_command=None,
                         allowed_mentions=NO_MENTIONS, tree_cls=NotesTree, max_messages=None)
        self.app = app
        self.sync_on_start = sync_on_start
        settings = app.settings
        self.ask_cooldown = Cooldown(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)
        self.cooldown_notices = Cooldown(1, settings.ask_cooldown_seconds)  # one "slow down" per window
        self._work: set[asyncio.Task[object]] = set()
        self.quiz_counts = AnswerCounts(app.quiz.posts.open_counts,
                                        lambda question, kind, answered: quiz_views.quiz_embed(question, kind, answered))
        self._skip_own_messages()
        app.metrics.watch_gateway(self.gateway_latencies)

    def gateway_latencies(self) -> list[tuple[int, float]]:
        """(shard id, last heartbeat round trip) of each gateway connection, for /metrics."""
        if isinstance(self, discord.AutoShardedClient):
            return self.latencies
        return [] if self.ws is None else [(self.shard_id or 0, self.ws.latency)]

    def gateway_problem(self) -> str | None:
        """Why the bot is not connected to the gateway, in one line, or None when it is (/readyz)."""
        if self.is_closed():
            return "the gateway connection is closed (shutting down)"
        if not self.is_ready():
            return "not connected to the Discord gateway yet"
        if isinstance(self, discord.AutoShardedClient):
            down = sorted(shard_id for shard_id, shard in self.shards.items() if shard.is_closed())
            return f"gateway shards {down} are reconnecting" if down else None
        if self.ws is None or not self.ws.open:
            return "the gateway connection was lost; reconnecting"
        return None

    def _skip_own_messages(self) -> None:
        """Drop the gateway's copy of each message the bot sends before discord.py builds a
        `Message` of it: every answer comes back that way (an embed of passages and buttons, parsed
        for nothing), and the bot only reads members' messages."""
        parsers = self._connection.parsers
        parse = parsers["MESSAGE_CREATE"]

        def message_create(data: dict[str, Any]) -> None:
            if self.user is not None and data.get("author", {}).get("id") == str(self.user.id):
                return
            parse(data)

        parsers["MESSAGE_CREATE"] = message_create

    async def setup_hook(self) -> None:
        await cogs.add_all(self)
        self.add_dynamic_items(*views.DYNAMIC_ITEMS, *practice_views.DYNAMIC_ITEMS)
        if self.sync_on_start:
            try:
                await self.sync_commands()
            except (discord.HTTPException, *connection_errors()):  # keep the commands Discord has
                log.exception("syncing the application commands failed")

    async def on_message(self, message: discord.Message, /) -> None:
        """Not `process_commands`: there are no text commands (AskCog answers mentions)."""

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected as %s (id %s) to %d servers; invite it with %s",
                 self.user, self.user.id, len(self.guilds), invite_url(self.application_id or self.user.id))

    def command_scope(self, guild_id: int | None = None) -> discord.Object | None:
        """Where commands are synced: `guild_id`, else DISCORD_TEST_GUILD_ID, else everywhere
        (None). A guild scope gets a copy of the global commands, which show up there at once."""
        guild_id = guild_id or self.app.settings.discord_test_guild_id
        if guild_id is None:
            return None
        guild = discord.Object(guild_id)
        self.tree.copy_global_to(guild=guild)
        return guild

    async def sync_commands(self, guild_id: int | None = None, *, force: bool = False) -> int | None:
        """Sync the command tree when it changed since the last sync of its scope (or `force`).

        Returns how many commands were synced, None when nothing changed. The hash is stored in
        the database, so restarts and other shards skip a sync Discord would rate-limit. A global
        sync also empties the servers synced to alone before (else they list every command twice).
        """
        guild = self.command_scope(guild_id)
        commands_ = sorted((c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)),
                           key=lambda c: (c["type"], c["name"]))
        payload = {"application_id": self.application_id, "commands": commands_}
        scope, digest = scope_of(guild.id if guild else None), tree_hash(payload)
        count = None
        if force or await self.app.syncs.needs_sync(scope, digest):
            count = len(await self.tree.sync(guild=guild))
            await self.app.syncs.mark_synced(scope, digest)
            log.info("synced %d application commands (%s)", count, scope)
        else:
            log.info("application commands unchanged since the last sync (%s)", scope)
        if guild is None:
            await guild_copies.clear_synced_guilds(self, self.app.syncs)
        return count

    async def run_work(self, work: Awaitable[T]) -> T:
        """Await `work` as a task that `close()` cancels, so a reindex is rolled back on shutdown
        before the database closes."""
        task: asyncio.Task[T] = asyncio.ensure_future(work)
        self._work.add(task)  # type: ignore[arg-type]
        try:
            return await task
        finally:
            self._work.discard(task)  # type: ignore[arg-type]

    async def close(self) -> None:
        for task in list(self._work):
            task.cancel()
        if self._work:
            await asyncio.gather(*self._work, return_exceptions=True)
        await self.quiz_counts.aclose()  # the last counts, while Discord can still be reached
        self.app.metrics.unwatch_gateway(self.gateway_latencies)
        await super().close()


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL when set (a test double);
    process-wide, as discord.py keeps them on classes."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise ConfigError(NO_TOKEN)
    return settings.discord_token.get_secret_value().strip()


async def run_bot(app: App) -> int:
    """Run the bot until SIGINT/SIGTERM; 0 after a clean shutdown.

    Raises `ConfigError` for a missing or rejected token and `NotesBotError` when Discord cannot
    be reached: one line for the command line to print.
    """
    token = _token(app.settings)
    uninstall = install_redactor(token)
    apply_endpoints(app.settings)
    stop = asyncio.Event()
    restore = _on_signals(stop.set)
    try:
        async with NotesBot(app) as bot, serve_health(app, bot.gateway_problem):
            runner = asyncio.create_task(_serve(app, bot, token), name="notesbot")
            stopper = asyncio.create_task(stop.wait(), name="notesbot-stop")
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not stop.is_set():
                await runner  # it ended by itself: re-raise its error, if any
                return 0
            log.info("shutting down")
            await bot.close()  # cancels running work (a reindex rolls back), closes the gateway
            runner.cancel()  # in case it was still logging in or loading the notes
            for outcome in await asyncio.gather(runner, stopper, return_exceptions=True):
                if isinstance(outcome, Exception):  # caused by the shutdown itself
                    log.debug("while shutting down: %r", outcome)
    finally:
        restore()
        uninstall()
    return 0


async def _serve(app: App, bot: NotesBot, token: str) -> None:
    """Log in first (a bad token is reported at once, the commands are synced), then load or build
    the index, and only then connect to the gateway and receive questions."""
    with _discord_errors("cannot reach Discord"):
        await bot.login(token)
    await app.notes.start()
    _freeze_long_lived()
    with _discord_errors("lost the connection to Discord"):
        await bot.connect()  # reconnects by itself after network trouble


def _freeze_long_lived() -> None:
    """Exempt what start-up built (the index: ~100,000 objects for 1,400 notes) from Python's
    cyclic garbage collector. A full collection walks every object, and during a burst one came
    every few seconds and stalled every reply for a quarter of a second; the index lives as long
    as the process (or until a reindex replaces it, and reference counting frees that one)."""
    gc.collect()
    gc.freeze()


@contextmanager
def _discord_errors(what: str) -> Iterator[None]:
    """Discord's refusals as the one-line errors the command line prints."""
    try:
        yield
    except discord.LoginFailure:
        raise ConfigError(BAD_TOKEN) from None
    except (aiohttp.ClientError, discord.GatewayNotFound, discord.HTTPException, OSError) as exc:
        raise NotesBotError(f"{what}: {exc}") from None


async def sync_commands(app: App, guild_id: int | None = None, *, clear_guild: int | None = None) -> int:
    """Log in, sync the commands to `guild_id` (or DISCORD_TEST_GUILD_ID, or globally), exit; with
    `clear_guild`, only remove the commands synced to that server alone."""
    token = _token(app.settings)
    uninstall = install_redactor(token)
    apply_endpoints(app.settings)
    try:
        async with NotesBot(app, sync_on_start=False) as bot:
            with _discord_errors("cannot reach Discord"):
                await bot.login(token)
            if clear_guild is not None:
                with _discord_errors(f"cannot remove the commands of server {clear_guild}"):
                    await guild_copies.clear_guild(bot, app.syncs, clear_guild)
                print(f"removed the commands synced to server {clear_guild} alone (global ones stay)")
                return 0
            with _discord_errors("cannot sync the commands"):
                count = await bot.sync_commands(guild_id, force=True)
    finally:
        uninstall()
    where = guild_id or app.settings.discord_test_guild_id
    print(f"synced {count} commands to " + (f"server {where}" if where else "every server (global)"))
    return 0


def _on_signals(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` on SIGINT and SIGTERM instead of dying; returns the undo."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, callback)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            pass

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore

