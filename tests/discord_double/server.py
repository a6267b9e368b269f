"""A loopback Discord (REST API v10 + gateway) test double for end-to-end tests.

The double is an aiohttp server on ``127.0.0.1:<random port>`` that speaks enough of
Discord's protocol for the *real* discord.py 2.7.1 client to log in, connect to the
gateway, receive guilds, sync application commands, receive interactions/messages and
answer them.  Every REST request is recorded (:attr:`DiscordDouble.requests`) so tests
assert on what the bot actually sent over the wire.

Pointing discord.py at the double
---------------------------------
Exactly two class attributes must be changed (see :func:`tests.discord_double.patch.patch_discord`):

* ``discord.http.Route.BASE = double.rest_base`` (``http://127.0.0.1:PORT/api/v10``).
  Webhook/interaction-response routes (``discord/webhook/async_.py`` and ``sync.py``)
  import and use this *same* ``Route`` class, so this one assignment covers them too.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)``.
  In 2.7.1 ``Client.connect()`` does **not** call ``GET /gateway/bot``; it connects to
  ``DEFAULT_GATEWAY`` directly (only ``AutoShardedClient`` asks ``/gateway/bot``, which
  the double also serves).  After READY, reconnects use READY's ``resume_gateway_url``,
  which the double sets to its own URL.

For a subprocess (``python -m bot run``) the app should honour two hidden settings and do
the same two assignments before ``client.start()``::

    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]           # double.rest_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])  # double.gateway_url

(:meth:`DiscordDouble.endpoint_env` returns exactly that mapping.)  Nothing else is needed:
CDN/asset URLs are never fetched unless the bot downloads attachments (attachment URLs
the double generates point at the double itself).

Protocol notes (what discord.py 2.7.1 asks for, and what the double answers)
----------------------------------------------------------------------------
* Gateway URL query: ``?v=10&encoding=json&compress=zlib-stream`` (``zstd-stream`` when
  ``zstandard``/``compression.zstd`` is importable).  The double honours ``zlib-stream``
  with one shared zlib context per connection and ``Z_SYNC_FLUSH`` per message (binary
  frames), ``zstd-stream`` when it can, and falls back to plain text frames otherwise
  (discord.py accepts text frames in every mode).
* HELLO -> client heartbeats immediately (ACKed) -> IDENTIFY -> READY (guilds unavailable)
  -> one GUILD_CREATE per guild.  Without the GUILD_MEMBERS intent GUILD_CREATE only
  carries the bot's own member, like Discord.  on_ready fires ``guild_ready_timeout``
  (discord.py option, default 2 s!) after the last GUILD_CREATE; see ``running_client``.
* Interaction callbacks are always POSTed with ``?with_response=1``; the double answers
  the ``InteractionCallbackResponse`` shape (``interaction.response_message_id`` is what
  discord.py uses to key views sent in a response).
* ``json_or_text`` in discord.py only parses bodies whose content-type is *exactly*
  ``application/json``, so the double never appends ``; charset=utf-8``.
* Message nonces: discord.py sends ``nonce`` (a string; a random one unless the caller gives
  one) with ``enforce_nonce: true`` on every ``channel.send``.  Like Discord, the double refuses
  a nonce over 25 characters, and answers a create whose nonce the same author used within
  ``nonce_window`` seconds with that message instead of making a second one.  The nonce is in
  the create response and MESSAGE_CREATE only: Discord keeps it ephemerally, so fetched messages
  (history, GET message) carry none.  ``advance_time`` lets a test pass the window.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import re
import secrets
import time
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence, Union
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from .models import (
    Channel,
    Guild,
    Intent,
    Member,
    Perm,
    Role,
    User,
    World,
    iso_now,
    snowflake,
)

log = logging.getLogger("discord_double")

try:  # mirror discord.utils' choice of stream compression
    import zstandard as _zstandard  # type: ignore
except ImportError:  # pragma: no cover - depends on environment
    _zstandard = None

API_PREFIX = "/api/v10"
NONCE_WINDOW = 300.0  # seconds; Discord: "checked for uniqueness in the past few minutes"
MAX_NONCE_LENGTH = 25

# message flags
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15
_SENDABLE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2
_INTERACTION_FLAGS = _SENDABLE_FLAGS | FLAG_EPHEMERAL

# interaction (request) types
IT_PING, IT_APP_COMMAND, IT_COMPONENT, IT_AUTOCOMPLETE, IT_MODAL_SUBMIT = 1, 2, 3, 4, 5
# interaction callback (response) types
CB_PONG, CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE = 1, 4, 5, 6, 7
CB_AUTOCOMPLETE, CB_MODAL = 8, 9
_ALLOWED_CALLBACKS = {
    IT_PING: {CB_PONG},
    IT_APP_COMMAND: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_MODAL},
    IT_COMPONENT: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE, CB_MODAL},
    IT_AUTOCOMPLETE: {CB_AUTOCOMPLETE},
    IT_MODAL_SUBMIT: {CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE},
}

_NAME_RE = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)

UserLike = Union[Member, User, int, str, None]
ChannelLike = Union[Channel, int, str, None]
GuildLike = Union[Guild, int, None]


# --------------------------------------------------------------------------- records


class WaitTimeout(AssertionError):
    """Raised by the ``wait_for*`` helpers; the message lists what *was* recorded."""


class ApiError(Exception):
    """Raise from a route handler to answer a Discord-style JSON error."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.payload: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.payload["errors"] = errors


def _form_error(field_path: str, code: str, message: str) -> ApiError:
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field_path.split(".")):
        errors = {part: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Recorded:
    """One REST request the client made, plus what the double answered."""

    index: int
    method: str
    path: str  # relative to /api/v10, e.g. "/channels/1/messages" (full path if outside the API)
    query: dict[str, str]
    json: Any  # parsed JSON body, or the parsed ``payload_json`` of a multipart body
    files: list[RecordedFile]
    headers: dict[str, str]  # request headers minus Authorization
    authorized: bool | None  # None: no Authorization header; else whether the bot token was valid
    status: int = 0
    response: Any = None
    unknown_route: bool = False

    @property
    def data(self) -> Any:
        """``json["data"]`` (interaction callbacks), else the JSON body itself."""
        if isinstance(self.json, dict) and "type" in self.json and "data" in self.json:
            return self.json["data"]
        return self.json

    def __repr__(self) -> str:  # compact, for assertion messages
        body = json.dumps(self.json)[:160] if self.json is not None else ""
        return f"<#{self.index} {self.method} {self.path} -> {self.status} {body}>"


@dataclass
class SentInteraction:
    """An INTERACTION_CREATE the test dispatched, and the bot's answers to it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    application_id: int
    channel_id: int
    guild_id: int | None
    user_id: int
    response_type: int | None = None  # callback type once acknowledged
    callback: dict[str, Any] | None = None  # the callback body
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    loading: bool = False  # deferred (type 5) and not yet completed
    autocomplete_choices: list[dict] | None = None
    modal: dict[str, Any] | None = None

    @property
    def message_ids(self) -> list[int]:
        ids = [self.original_message_id] if self.original_message_id else []
        return ids + self.followup_ids


@dataclass
class SentMessage:
    """A MESSAGE_CREATE the test dispatched (a user talking)."""

    id: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    delivered: bool  # False when the bot's intents mean Discord would not have sent it


@dataclass
class _Injection:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int


@dataclass
class _Session:
    id: str
    token: str
    intents: int
    shard: list[int] | None
    seq: int = 0


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    raw: web.Request


# --------------------------------------------------------------------------- gateway


class GatewayConnection:
    """One websocket connection from the client."""

    def __init__(self, double: "DiscordDouble", ws: web.WebSocketResponse, query: dict[str, str]):
        self.double = double
        self.ws = ws
        self.query = query
        self.compress = query.get("compress")
        self.identify: dict[str, Any] | None = None
        self.resume: dict[str, Any] | None = None
        self.session: _Session | None = None
        self.received: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.presence: dict[str, Any] | None = None
        self.ready = asyncio.Event()  # set once READY + GUILD_CREATEs (or RESUMED) were sent
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self._lock = asyncio.Lock()
        self._zlib = zlib.compressobj() if self.compress == "zlib-stream" else None
        self._zstd = None
        if self.compress == "zstd-stream" and _zstandard is not None:
            self._zstd = _zstandard.ZstdCompressor().compressobj()

    @property
    def intents(self) -> int:
        return self.session.intents if self.session else 0

    @property
    def token(self) -> str | None:
        return (self.identify or self.resume or {}).get("token")

    @property
    def open(self) -> bool:
        return not self.ws.closed and not self.closed.is_set()

    async def send(self, payload: dict[str, Any], *, dispatch: bool = False) -> None:
        async with self._lock:
            if dispatch:
                assert self.session is not None
                self.session.seq += 1
                payload["s"] = self.session.seq
            self.sent.append(payload)
            raw = json.dumps(payload, separators=(",", ":")).encode()
            if self._zlib is not None:
                await self.ws.send_bytes(self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH))
            elif self._zstd is not None:
                await self.ws.send_bytes(self._zstd.compress(raw) + self._zstd.flush(_zstandard.COMPRESSOBJ_FLUSH_BLOCK))
            else:
                await self.ws.send_str(raw.decode())

    async def dispatch(self, event: str, data: Any) -> None:
        await self.send({"op": 0, "t": event, "s": None, "d": data}, dispatch=True)

    async def close(self, code: int = 1000, message: str = "") -> None:
        self.close_code = code
        await self.ws.close(code=code, message=message.encode())


# --------------------------------------------------------------------------- the double


RouteHandler = Callable[..., Any]


class DiscordDouble:
    """Fake Discord.  Use as ``async with DiscordDouble() as d:`` or ``start()``/``stop()``.

    Configuration (all optional):

    * ``world``: a :class:`~tests.discord_double.models.World` (default ``World.default()``).
    * ``token``: the only bot token that is accepted (REST ``Authorization: Bot <token>``
      and gateway IDENTIFY).  Any other token gets ``401 {"message": "401: Unauthorized",
      "code": 0}`` (so ``Client.login`` raises ``LoginFailure``) / gateway close 4004.
    * ``privileged_intents``: names of privileged intents enabled for the app in the
      "developer portal" (default all three).  IDENTIFY asking for others -> close 4014
      (discord.py raises ``PrivilegedIntentsRequired``).
    * ``enforce_message_content``: blank ``content``/``embeds``/``attachments``/``components``
      of user messages delivered without the MESSAGE_CONTENT intent, except DMs and
      messages mentioning the bot - what Discord does.  Off by default.
    * ``echo_own_messages``: also deliver the bot's own (non-ephemeral) messages back as
      MESSAGE_CREATE/UPDATE/DELETE, like Discord does (default True).
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        token: str = "test-bot-token",
        application_id: int | None = None,
        privileged_intents: Iterable[str] = ("members", "presences", "message_content"),
        enforce_message_content: bool = False,
        echo_own_messages: bool = True,
        heartbeat_interval_ms: int = 41250,
        host: str = "127.0.0.1",
    ) -> None:
        self.world = world or World.default()
        self.token = token
        self.application_id = application_id or self.world.bot_user.id
        self.privileged_intents = set(privileged_intents)
        self.enforce_message_content = enforce_message_content
        self.echo_own_messages = echo_own_messages
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.host = host
        self.port: int | None = None

        # observable state
        self.requests: list[Recorded] = []
        self.unknown_requests: list[Recorded] = []
        self.errors: list[str] = []  # internal errors of the double itself (bugs)
        self.connections: list[GatewayConnection] = []
        self.messages: dict[int, dict[str, Any]] = {}  # live messages, REST shape
        self.deleted_messages: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, SentInteraction] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs: list[tuple[int | None, list[str]]] = []  # (guild_id or None, names) per PUT
        self.reactions: list[tuple[int, str]] = []  # (message_id, emoji) added by the bot
        self.typing: list[int] = []  # channel ids the bot triggered typing in
        self.attachments: dict[int, bytes] = {}
        self.nonce_window = NONCE_WINDOW

        self._msg_guild: dict[int, int | None] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}  # (author, nonce) -> (message, when)
        self._time_offset = 0.0
        self._by_token: dict[str, SentInteraction] = {}
        self._sessions: dict[str, _Session] = {}
        self._injections: list[_Injection] = []
        self._changed: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._routes: list[tuple[str, re.Pattern[str], RouteHandler, bool]] = []
        self._install_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> "DiscordDouble":
        if self._runner is not None:
            return self
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/attachments/{channel}/{id}/{filename}", self._attachment_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        app.router.add_route("*", "/{tail:.*}", self._outside_api_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for conn in list(self.connections):
            if conn.open:
                with contextlib.suppress(Exception):
                    await conn.close(1001, "double stopping")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "DiscordDouble":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def http_base(self) -> str:
        if self.port is None:
            raise RuntimeError("DiscordDouble is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def rest_base(self) -> str:
        return self.http_base + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    def endpoint_env(self) -> dict[str, str]:
        """Environment for a subprocess bot: DISCORD_API_BASE / DISCORD_GATEWAY_URL / DISCORD_TOKEN."""
        return {"DISCORD_API_BASE": self.rest_base, "DISCORD_GATEWAY_URL": self.gateway_url, "DISCORD_TOKEN": self.token}

    # ------------------------------------------------------------------ world shortcuts

    @property
    def bot_user(self) -> User:
        return self.world.bot_user

    @property
    def guild(self) -> Guild:
        return self.world.guilds[0]

    @property
    def channel(self) -> Channel:
        return self.guild.text_channels[0]

    def _person(self, key: str) -> Member:
        try:
            return self.world.people[key]
        except KeyError:
            raise AttributeError(f"world has no {key!r} (not a World.default() world?)") from None

    member = property(lambda self: self._person("member"), doc="Plain member, no extra permissions.")
    moderator = property(lambda self: self._person("moderator"), doc="Member with the Moderator role (Manage Guild).")
    admin = property(lambda self: self._person("admin"), doc="Member with the Admin role (Administrator).")
    owner = property(lambda self: self._person("owner"), doc="The guild owner.")

    def add_member(
        self, username: str, *, roles: Sequence[Role | int] = (), guild: GuildLike = None, nick: str | None = None
    ) -> Member:
        """Add a member to a guild (before the bot connects, or dispatch GUILD_MEMBER_ADD yourself)."""
        g = self._guild(guild)
        m = Member(User(username), roles=[r.id if isinstance(r, Role) else int(r) for r in roles], nick=nick)
        return g.add_member(m)

    def add_role(self, name: str, permissions: int = 0, *, guild: GuildLike = None) -> Role:
        return self._guild(guild).add_role(Role(name, permissions))

    def add_text_channel(self, name: str, *, guild: GuildLike = None, **kwargs: Any) -> Channel:
        return self._guild(guild).add_channel(Channel(name, **kwargs))

    def add_outsider(self, username: str) -> User:
        """A user who shares no guild with the bot (for DMs)."""
        return self.world.add_user(User(username))

    # ------------------------------------------------------------------ waiting

    def advance_time(self, seconds: float) -> None:
        """Let ``seconds`` pass for the double's clock (the ``enforce_nonce`` window only)."""
        self._time_offset += seconds

    def _now(self) -> float:
        return time.monotonic() + self._time_offset

    def mark(self) -> int:
        """Index to pass as ``after=`` to only consider requests made from now on."""
        return len(self.requests)

    def _notify(self) -> None:
        if self._changed is not None:
            ev, self._changed = self._changed, asyncio.Event()
            ev.set()

    async def wait_until(self, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = "condition") -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the double sees traffic)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(f"timed out after {timeout}s waiting for {what}\n{self.describe()}")
            assert self._changed is not None, "DiscordDouble is not started"
            ev = self._changed
            with contextlib.suppress(asyncio.TimeoutError):
                # woken by any double traffic; the short poll covers client-side state
                await asyncio.wait_for(ev.wait(), min(remaining, 0.02))

    def find(
        self,
        method: str | None = None,
        path_regex: str | None = None,
        predicate: Callable[[Recorded], bool] | None = None,
        *,
        after: int = 0,
    ) -> list[Recorded]:
        """Recorded requests matching method (case-insensitive), ``re.fullmatch(path_regex, path)``
        and ``predicate``, starting at request index ``after``."""
        out = []
        pattern = re.compile(path_regex) if path_regex is not None else None
        for rec in self.requests[after:]:
            if method is not None and rec.method != method.upper():
                continue
            if pattern is not None and not pattern.fullmatch(rec.path):
                continue
            if predicate is not None and not predicate(rec):
                continue
            out.append(rec)
        return out

    async def wait_for(
        self,
        method: str | None,
        path_regex: str | None,
        predicate: Callable[[Recorded], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> Recorded:
        """First request (index >= ``after``) matching; waits up to ``timeout`` seconds.

        ``path_regex`` must match the *whole* path relative to ``/api/v10``, e.g.
        ``r"/channels/\\d+/messages"``."""
        found = await self.wait_until(
            lambda: self.find(method, path_regex, predicate, after=after),
            timeout=timeout,
            what=f"{method} {path_regex}",
        )
        return found[0]

    def interaction_responses(self, interaction: SentInteraction | int) -> list[Recorded]:
        """Callback + followups + edits/deletes/fetches made with this interaction's token, in order."""
        it = self._interaction(interaction)
        return [r for r in self.requests if f"/{it.token}/" in r.path + "/"]

    async def wait_for_callback(self, interaction: SentInteraction | int, *, timeout: float = 5.0) -> Recorded:
        """The (successful or not) ``POST /interactions/{id}/{token}/callback`` for this interaction."""
        it = self._interaction(interaction)
        return await self.wait_for("POST", rf"/interactions/{it.id}/{re.escape(it.token)}/callback", timeout=timeout)

    async def wait_for_followup(
        self, interaction: SentInteraction | int, *, timeout: float = 5.0, after: int = 0
    ) -> Recorded:
        """A ``POST /webhooks/{app}/{token}`` (followup message) for this interaction."""
        it = self._interaction(interaction)
        return await self.wait_for("POST", rf"/webhooks/\d+/{re.escape(it.token)}", timeout=timeout, after=after)

    async def wait_until_connected(self, *, timeout: float = 5.0) -> GatewayConnection:
        """Wait for a gateway connection that got READY + all GUILD_CREATEs (or RESUMED)."""
        return await self.wait_until(self._ready_connection, timeout=timeout, what="a ready gateway connection")

    def describe(self, last: int = 25) -> str:
        lines = [f"recorded requests (last {last} of {len(self.requests)}):"]
        lines += [f"  {r!r}" for r in self.requests[-last:]]
        if self.unknown_requests:
            lines.append("UNKNOWN ROUTES: " + ", ".join(f"{r.method} {r.path}" for r in self.unknown_requests))
        if self.errors:
            lines.append("DOUBLE INTERNAL ERRORS:\n" + "\n".join(self.errors))
        conns = ", ".join(f"[open={c.open} ready={c.ready.is_set()} close={c.close_code}]" for c in self.connections)
        lines.append(f"gateway connections: {conns or 'none'}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ fault injection

    def inject_error(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        *,
        code: int = 0,
        message: str | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching REST requests with an error instead of handling them.

        For ``status=429`` a ``Via`` header and ``retry_after`` are added automatically
        (discord.py treats 429s without ``Via`` as a Cloudflare ban and raises)."""
        body = json_body
        hdrs = dict(headers or {})
        if body is None:
            if status == 429:
                body = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False, "code": code}
            else:
                body = {"message": message or f"{status}: injected error", "code": code}
        if status == 429:
            hdrs.setdefault("Via", "1.1 google")
        self._injections.append(_Injection(method.upper(), re.compile(path_regex), status, body, hdrs, times))

    # ------------------------------------------------------------------ gateway API

    def _ready_connection(self) -> GatewayConnection | None:
        for conn in reversed(self.connections):
            if conn.open and conn.ready.is_set():
                return conn
        return None

    async def dispatch(self, event: str, data: Any, *, timeout: float = 5.0) -> None:
        """Send a DISPATCH (op 0) event to the (waited for) ready gateway connection."""
        conn = await self.wait_until_connected(timeout=timeout)
        await conn.dispatch(event, data)
        self._notify()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py reconnects to resume_gateway_url and RESUMEs."""
        conn = await self.wait_until_connected()
        await conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION."""
        conn = await self.wait_until_connected()
        await conn.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def drop_connection(self, code: int = 4000, message: str = "dropped by double") -> None:
        """Close the current gateway connection from the server side."""
        conn = await self.wait_until_connected()
        await conn.close(code, message)

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(self, ws, dict(request.query))
        self.connections.append(conn)
        self._notify()
        try:
            if conn.query.get("encoding", "json") != "json":
                await conn.close(4002, "Error while decoding payload.")  # only JSON is supported
                return ws
            if conn.query.get("v", "10") not in ("9", "10"):
                await conn.close(4012, "Invalid API version.")
                return ws
            await conn.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ['["discord-double",{"micros":0}]']},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await conn.close(4002, "Error while decoding payload.")
                        break
                    conn.received.append(payload)
                    try:
                        await self._on_gateway_payload(conn, payload)
                    except ConnectionResetError:
                        break
                    except Exception:
                        self.errors.append(traceback.format_exc())
                        log.exception("gateway handler failed")
                    self._notify()
                elif msg.type == WSMsgType.BINARY:
                    await conn.close(4002, "Error while decoding payload.")
                    break
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if conn.close_code is None:
                conn.close_code = ws.close_code
            conn.closed.set()
            self._notify()
        return ws

    async def _on_gateway_payload(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == 1:  # HEARTBEAT
            conn.heartbeats += 1
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:  # IDENTIFY
            await self._identify(conn, d or {})
        elif op == 6:  # RESUME
            await self._resume(conn, d or {})
        elif op == 3:  # PRESENCE UPDATE
            conn.presence = d
        elif op == 8:  # REQUEST GUILD MEMBERS
            await self._request_members(conn, d or {})
        elif op in (4, 31, 36, 37):  # voice state / soundboard / channel info: ignore
            pass
        else:
            await conn.close(4001, "Unknown opcode.")

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return
        conn.identify = d
        if d.get("token") != self.token:
            await conn.close(4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await conn.close(4013, "Invalid intent(s).")
            return
        disallowed = [n for n, bit in Intent.PRIVILEGED.items() if intents & bit and n not in self.privileged_intents]
        if disallowed:
            await conn.close(4014, "Disallowed intent(s).")
            return
        session = _Session(id=secrets.token_hex(16), token=self.token, intents=intents, shard=d.get("shard"))
        self._sessions[session.id] = session
        conn.session = session
        guilds = self._guilds_for_shard(session.shard)
        ready = {
            "v": 10,
            "user_settings": {},
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None, "bot": True},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "auth": {},
            "_trace": ['["discord-double",{"micros":0}]'],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        await conn.dispatch("READY", ready)
        for g in guilds:
            await conn.dispatch("GUILD_CREATE", self._guild_create_payload(g, intents))
        conn.ready.set()

    async def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        conn.resume = d
        session = self._sessions.get(d.get("session_id") or "")
        if session is None or d.get("token") != session.token:
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        conn.session = session
        await conn.dispatch("RESUMED", {"_trace": ['["discord-double",{"micros":0}]']})
        conn.ready.set()

    async def _request_members(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        guild = self.world.get_guild(int(d.get("guild_id", 0)))
        if guild is None:
            return
        members = guild.members
        user_ids = d.get("user_ids")
        not_found: list[str] = []
        if user_ids:
            ids = {int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m.id in ids]
            not_found = [str(i) for i in ids - {m.id for m in members}]
        elif d.get("query"):
            q = d["query"].lower()
            members = [m for m in members if m.user.username.lower().startswith(q)]
        if d.get("limit"):
            members = members[: d["limit"]]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if not_found:
            chunk["not_found"] = not_found
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        await conn.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _guilds_for_shard(self, shard: list[int] | None) -> list[Guild]:
        if not shard:
            return list(self.world.guilds)
        shard_id, count = shard
        return [g for g in self.world.guilds if (g.id >> 22) % count == shard_id]

    def _guild_create_payload(self, guild: Guild, intents: int) -> dict[str, Any]:
        bot_member = guild.get_member(self.bot_user.id)
        data = guild.gateway_payload(joined_at=bot_member.joined_at if bot_member else None)
        if not intents & Intent.GUILD_MEMBERS:  # like Discord: only yourself
            data["members"] = [bot_member.payload()] if bot_member else []
        return data

    @property
    def application_flags(self) -> int:
        flags = 1 << 23  # APPLICATION_COMMAND_BADGE
        if "presences" in self.privileged_intents:
            flags |= 1 << 13  # GATEWAY_PRESENCE_LIMITED
        if "members" in self.privileged_intents:
            flags |= 1 << 15  # GATEWAY_GUILD_MEMBERS_LIMITED
        if "message_content" in self.privileged_intents:
            flags |= 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED
        return flags

    def _bot_intents(self) -> int:
        conn = self._ready_connection()
        return conn.intents if conn else 0

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _echo(self, event: str, data: dict[str, Any], guild_id: int | None) -> None:
        """Deliver an event about the bot's own message if Discord would."""
        conn = self._ready_connection()
        if conn is None:
            return
        needed = Intent.GUILD_MESSAGES if guild_id else Intent.DIRECT_MESSAGES
        if not conn.intents & needed:
            return
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await conn.dispatch(event, data)
        self._notify()

    def _echo_message(self, event: str, msg: dict[str, Any]) -> None:
        if not self.echo_own_messages or msg.get("flags", 0) & FLAG_EPHEMERAL:
            return
        guild_id = self._msg_guild.get(int(msg["id"]))
        if event == "MESSAGE_DELETE":
            data: dict[str, Any] = {"id": msg["id"], "channel_id": msg["channel_id"]}
            if guild_id:
                data["guild_id"] = str(guild_id)
        else:
            data = self._gateway_message(msg, guild_id)
        self._spawn(self._echo(event, data, guild_id))

    def _gateway_message(self, msg: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        data = dict(msg)
        if guild_id:
            data["guild_id"] = str(guild_id)
            guild = self.world.get_guild(guild_id)
            member = guild.get_member(int(msg["author"]["id"])) if guild else None
            if member is not None and not msg.get("webhook_id"):
                data["member"] = member.payload(with_user=False)
        return data

    # ------------------------------------------------------------------ test-side events

    def _guild(self, guild: GuildLike) -> Guild:
        if guild is None:
            return self.guild
        if isinstance(guild, Guild):
            return guild
        g = self.world.get_guild(int(guild))
        if g is None:
            raise ValueError(f"unknown guild {guild}")
        return g

    def _user(self, user: UserLike) -> User:
        if user is None:
            return self.member.user
        if isinstance(user, Member):
            return user.user
        if isinstance(user, User):
            return user
        if isinstance(user, str):
            return self._person(user).user
        u = self.world.get_user(int(user))
        if u is None:
            raise ValueError(f"unknown user {user}")
        return u

    def _channel(self, channel: ChannelLike, guild: Guild | None) -> Channel:
        if isinstance(channel, Channel):
            return channel
        if channel is None:
            if guild is None:
                raise ValueError("no channel given")
            return guild.text_channels[0]
        if isinstance(channel, str):
            g = guild or self.guild
            ch = next((c for c in g.channels if c.name == channel.lstrip("#")), None)
        else:
            ch, _ = self.world.find_channel(int(channel))
        if ch is None:
            raise ValueError(f"unknown channel {channel!r}")
        return ch

    def _context(
        self, user: UserLike, guild: GuildLike, channel: ChannelLike, dm: bool
    ) -> tuple[User, Guild | None, Channel, Member | None]:
        u = self._user(user)
        if dm:
            return u, None, self.world.dm_channel(u), None
        ch = self._channel(channel, self._guild(guild))
        if ch.is_dm:
            return u, None, ch, None
        g = self.world.get_guild(ch.guild_id) if ch.guild_id else self._guild(guild)
        assert g is not None
        m = g.get_member(u.id)
        if m is None:
            raise ValueError(f"user {u.username} is not a member of guild {g.name}")
        return u, g, ch, m

    def _interaction(self, interaction: SentInteraction | int) -> SentInteraction:
        if isinstance(interaction, SentInteraction):
            return interaction
        return self.interactions[int(interaction)]

    async def _send_interaction(
        self,
        itype: int,
        data: dict[str, Any] | None,
        ctx: tuple[User, Guild | None, Channel, Member | None],
        *,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> SentInteraction:
        u, g, ch, m = ctx
        iid = snowflake()
        token = "aW50ZXJhY3Rpb246" + base64.urlsafe_b64encode(f"{iid}:{secrets.token_hex(24)}".encode()).decode().rstrip("=")
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(ch.id),
        }
        if data is not None:
            payload["data"] = data
        if g is not None and m is not None:
            perms = g.channel_permissions(m, ch)
            bot_member = g.get_member(self.bot_user.id)
            app_perms = g.channel_permissions(bot_member, ch) if bot_member else Perm.DEFAULT_BOT
            payload.update(
                guild_id=str(g.id),
                guild={"id": str(g.id), "locale": g.preferred_locale, "features": list(g.features)},
                guild_locale=g.preferred_locale,
                member=m.payload(permissions=perms),
                channel={**ch.payload(), "permissions": str(perms)},
                app_permissions=str(app_perms),
                authorizing_integration_owners={"0": str(g.id)},
                context=0,
            )
        else:
            payload.update(
                user=u.payload(),
                channel=ch.payload(),
                app_permissions=str(Perm.DEFAULT_BOT),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        it = SentInteraction(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            application_id=self.application_id,
            channel_id=ch.id,
            guild_id=g.id if g else None,
            user_id=u.id,
        )
        self.interactions[iid] = it
        self._by_token[token] = it
        await self.dispatch("INTERACTION_CREATE", payload)
        return it

    # -- application commands

    def _find_command(self, name: str, ctype: int, guild_id: int | None) -> dict[str, Any] | None:
        pools = []
        if guild_id is not None:
            pools.append(self.guild_commands.get(guild_id, []))
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd
        return None

    def _command_data(self, name: str, ctype: int, guild_id: int | None, command_id: int | None) -> dict[str, Any]:
        cmd = self._find_command(name, ctype, guild_id)
        data: dict[str, Any] = {"name": name, "type": ctype}
        if cmd is not None:
            data["id"] = cmd["id"]
            if cmd.get("guild_id"):
                data["guild_id"] = cmd["guild_id"]
        else:  # not synced: discord.py's tree dispatches by name anyway
            data["id"] = str(command_id or snowflake())
        return data

    def _option_value(
        self, opt_type: int | None, value: Any, resolved: dict[str, dict[str, Any]], guild: Guild | None
    ) -> tuple[int, Any]:
        def add_user(u: User) -> None:
            resolved.setdefault("users", {})[str(u.id)] = u.payload()
            m = guild.get_member(u.id) if guild else None
            if m is not None:
                perms = guild.base_permissions(m) if guild else 0
                resolved.setdefault("members", {})[str(u.id)] = m.payload(with_user=False, permissions=perms)

        if isinstance(value, (Member, User)):
            add_user(value.user if isinstance(value, Member) else value)
            return (opt_type or 6), str(value.id)
        if isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return (opt_type or 8), str(value.id)
        if isinstance(value, Channel):
            perms = Perm.ALL
            resolved.setdefault("channels", {})[str(value.id)] = {
                "id": str(value.id),
                "name": value.name,
                "type": value.type,
                "permissions": str(perms),
                "parent_id": str(value.parent_id) if value.parent_id else None,
                "flags": 0,
            }
            return (opt_type or 7), str(value.id)
        if opt_type is None:
            if isinstance(value, bool):
                opt_type = 5
            elif isinstance(value, int):
                opt_type = 4
            elif isinstance(value, float):
                opt_type = 10
            else:
                opt_type = 3
        if opt_type == 3:
            value = str(value)
        elif opt_type == 4 and not isinstance(value, bool):
            value = int(value)
        elif opt_type == 10:
            value = float(value)
        elif opt_type == 5:
            value = bool(value)
        return opt_type, value

    def _build_options(
        self,
        values: dict[str, Any] | list[dict[str, Any]] | None,
        schema: list[dict[str, Any]] | None,
        resolved: dict[str, dict[str, Any]],
        guild: Guild | None,
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        if values is None:
            return []
        if isinstance(values, list):  # raw option payloads, passed through
            return values
        by_name = {o["name"]: o for o in (schema or [])}
        out = []
        for name, value in values.items():
            schema_type = by_name.get(name, {}).get("type")
            if name == focused:  # Discord sends what the user typed so far, as a string
                out.append({"name": name, "type": schema_type or 3, "value": str(value), "focused": True})
                continue
            opt_type, wire_value = self._option_value(schema_type, value, resolved, guild)
            out.append({"name": name, "type": opt_type, "value": wire_value})
        return out

    def _chat_input_data(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None,
        guild: Guild | None,
        command_id: int | None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        parts = name.split()
        data = self._command_data(parts[0], 1, guild.id if guild else None, command_id)
        cmd = self._find_command(parts[0], 1, guild.id if guild else None)
        schema = cmd.get("options") if cmd else None
        resolved: dict[str, dict[str, Any]] = {}
        # walk subcommand groups / subcommands
        containers: list[dict[str, Any]] = []
        for i, sub in enumerate(parts[1:]):
            sub_schema = next((o for o in (schema or []) if o["name"] == sub), None)
            sub_type = sub_schema["type"] if sub_schema else (2 if i < len(parts) - 2 else 1)
            containers.append({"name": sub, "type": sub_type, "options": []})
            schema = sub_schema.get("options") if sub_schema else None
        leaf = self._build_options(options, schema, resolved, guild, focused)
        if containers:
            containers[-1]["options"] = leaf
            for parent, child in zip(reversed(containers[:-1]), reversed(containers[1:])):
                parent["options"] = [child]
            data["options"] = [containers[0]]
        elif leaf:
            data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    async def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user: UserLike = None,
        guild: GuildLike = None,
        channel: ChannelLike = None,
        dm: bool = False,
        locale: str = "en-US",
        command_id: int | None = None,
    ) -> SentInteraction:
        """Dispatch a CHAT_INPUT command (INTERACTION_CREATE type 2, data.type 1).

        ``name`` may contain subcommands (``"notes search"``).  ``options`` is either
        ``{name: value}`` (types taken from the synced command when available, else
        inferred: str/int/float/bool; Member/User/Role/Channel objects become
        resolved snowflake options) or a list of raw option payloads.
        ``user`` is a Member/User/id or one of ``"member"``, ``"moderator"``, ``"admin"``,
        ``"owner"`` (default ``"member"``)."""
        ctx = self._context(user, guild, channel, dm)
        data = self._chat_input_data(name, options, ctx[1], command_id)
        return await self._send_interaction(IT_APP_COMMAND, data, ctx, locale=locale)

    async def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        *,
        focused: str | None = None,
        user: UserLike = None,
        guild: GuildLike = None,
        channel: ChannelLike = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Dispatch an autocomplete request (type 4).  ``focused`` defaults to the last option."""
        focused = focused or list(options)[-1]
        ctx = self._context(user, guild, channel, dm)
        data = self._chat_input_data(name, options, ctx[1], None, focused=focused)
        return await self._send_interaction(IT_AUTOCOMPLETE, data, ctx, locale=locale)

    async def send_context_menu(
        self,
        name: str,
        *,
        target_message: SentMessage | int | dict[str, Any] | None = None,
        target_user: UserLike = None,
        user: UserLike = None,
        guild: GuildLike = None,
        channel: ChannelLike = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Dispatch a MESSAGE (data.type 3) or USER (data.type 2) context-menu command.

        With ``target_message`` the channel defaults to the target message's channel."""
        if (target_message is None) == (target_user is None):
            raise ValueError("give exactly one of target_message / target_user")
        if target_message is not None:
            msg = self._message_payload(target_message)
            if channel is None and not dm:
                channel = int(msg["channel_id"])
            ctx = self._context(user, guild, channel, dm)
            g = ctx[1]
            data = self._command_data(name, 3, g.id if g else None, None)
            data["target_id"] = msg["id"]
            data["resolved"] = {"messages": {msg["id"]: self._rest_message(msg)}}
        else:
            target = self._user(target_user)
            ctx = self._context(user, guild, channel, dm)
            g = ctx[1]
            data = self._command_data(name, 2, g.id if g else None, None)
            resolved: dict[str, dict[str, Any]] = {}
            self._option_value(6, target, resolved, g)
            data["target_id"] = str(target.id)
            data["resolved"] = resolved
        return await self._send_interaction(IT_APP_COMMAND, data, ctx, locale=locale)

    async def send_component_click(
        self,
        custom_id: str,
        *,
        message: SentMessage | SentInteraction | int | dict[str, Any],
        user: UserLike = None,
        values: list[str] | None = None,
        component_type: int | None = None,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Click a button (component_type 2) or pick select values (``values=``, type 3) on a
        message the double knows (pass the SentInteraction to use its original response).

        Raises ValueError when the message has no such (enabled) component."""
        msg = self._message_payload(message)
        comp = _find_component(msg.get("components", []), custom_id)
        if comp is None:
            raise ValueError(f"message {msg['id']} has no component {custom_id!r}: {msg.get('components')}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        ctype = component_type or comp.get("type", 2)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if values is not None or ctype in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        ch, _ = self.world.find_channel(int(msg["channel_id"]))
        if ch is None:
            raise ValueError(f"message {msg['id']} is in an unknown channel")
        ctx = self._context(user, None, ch, False)
        return await self._send_interaction(IT_COMPONENT, data, ctx, locale=locale, message=self._rest_message(msg))

    async def send_modal_submit(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: UserLike = None,
        channel: ChannelLike = None,
        guild: GuildLike = None,
        dm: bool = False,
        message: SentMessage | SentInteraction | int | dict[str, Any] | None = None,
        locale: str = "en-US",
    ) -> SentInteraction:
        """Submit a modal (type 5).  If the bot opened a modal with this custom_id, its layout
        (action rows or labels) is mirrored; ``values`` maps text-input custom_ids to text."""
        modal = next(
            (it.modal for it in reversed(list(self.interactions.values())) if it.modal and it.modal.get("custom_id") == custom_id),
            None,
        )
        if modal is not None:
            components = _fill_modal(modal.get("components", []), values)
        else:
            components = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]
        data = {"custom_id": custom_id, "components": components}
        msg = self._rest_message(self._message_payload(message)) if message is not None else None
        if msg is not None and channel is None and not dm:
            channel = int(msg["channel_id"])
        ctx = self._context(user, guild, channel, dm)
        return await self._send_interaction(IT_MODAL_SUBMIT, data, ctx, locale=locale, message=msg)

    async def send_message(
        self,
        content: str,
        *,
        author: UserLike = None,
        mentions: Sequence[UserLike] | None = None,
        channel: ChannelLike = None,
        guild: GuildLike = None,
        dm: bool = False,
        reply_to: SentMessage | int | dict[str, Any] | None = None,
        embeds: list[dict[str, Any]] | None = None,
        mention_roles: Sequence[Role | int] = (),
    ) -> SentMessage:
        """A user posts a message: dispatch MESSAGE_CREATE (if the bot's intents allow).

        ``mentions`` defaults to the users mentioned as ``<@id>`` in ``content``.  Content
        is delivered as-is unless ``enforce_message_content`` is on."""
        u, g, ch, m = self._context(author, guild, channel, dm)
        ids: list[int] = []
        if mentions is None:
            ids = [int(x) for x in re.findall(r"<@!?(\d+)>", content)]
        else:
            ids = [self._user(x).id for x in mentions]
        mention_payloads = []
        for uid in dict.fromkeys(ids):
            mu = self.world.get_user(uid)
            if mu is None:
                continue
            p = mu.payload()
            mm = g.get_member(uid) if g else None
            if mm is not None:
                p["member"] = mm.payload(with_user=False)
            mention_payloads.append(p)
        reference = referenced = None
        if reply_to is not None:
            referenced = self._message_payload(reply_to)
            reference = {"type": 0, "message_id": referenced["id"], "channel_id": referenced["channel_id"]}
            if g:
                reference["guild_id"] = str(g.id)
        msg = self._new_message(
            channel=ch,
            guild=g,
            author=u,
            content=content,
            embeds=embeds or [],
            mentions=mention_payloads,
            mention_roles=[str(r.id if isinstance(r, Role) else r) for r in mention_roles],
            reference=reference,
            referenced=referenced,
        )
        intents = self._bot_intents()
        needed = Intent.GUILD_MESSAGES if g else Intent.DIRECT_MESSAGES
        delivered = bool(intents & needed)
        if delivered:
            data = self._gateway_message(msg, g.id if g else None)
            if m is not None:
                data["member"] = m.payload(with_user=False)
            mentions_bot = any(int(p["id"]) == self.bot_user.id for p in mention_payloads)
            if self.enforce_message_content and not intents & Intent.MESSAGE_CONTENT and g and not mentions_bot:
                data.update(content="", embeds=[], attachments=[], components=[])
            await self.dispatch("MESSAGE_CREATE", data)
        return SentMessage(id=int(msg["id"]), channel_id=ch.id, guild_id=g.id if g else None, payload=msg, delivered=delivered)

    # ------------------------------------------------------------------ messages

    def _message_payload(self, ref: SentMessage | SentInteraction | int | dict[str, Any]) -> dict[str, Any]:
        if isinstance(ref, dict):
            mid = int(ref["id"])
            return self.messages.get(mid, ref)
        if isinstance(ref, SentMessage):
            mid = ref.id
        elif isinstance(ref, SentInteraction):
            if ref.original_message_id is None:
                raise ValueError(f"interaction {ref.id} has no response message")
            mid = ref.original_message_id
        else:
            mid = int(ref)
        try:
            return self.messages[mid]
        except KeyError:
            raise ValueError(f"unknown message {mid}") from None

    def get_message(self, message_id: int) -> dict[str, Any] | None:
        """Current state (REST shape) of a live message."""
        return self.messages.get(int(message_id))

    def channel_messages(self, channel: ChannelLike = None) -> list[dict[str, Any]]:
        """Live messages of a channel, oldest first."""
        ch = self._channel(channel, self.guild)
        return [m for m in self.messages.values() if int(m["channel_id"]) == ch.id]

    def bot_messages(self, channel: ChannelLike | None = None) -> list[dict[str, Any]]:
        out = [m for m in self.messages.values() if int(m["author"]["id"]) == self.bot_user.id]
        if channel is not None:
            ch = self._channel(channel, self.guild)
            out = [m for m in out if int(m["channel_id"]) == ch.id]
        return out

    def _rest_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if k not in ("guild_id", "member")}

    def _fetched_message(self, msg: dict[str, Any]) -> dict[str, Any]:
        """A message as GET returns it: without the nonce, which Discord keeps only ephemerally."""
        return {k: v for k, v in self._rest_message(msg).items() if k != "nonce"}

    def _check_nonce(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Validate the body's nonce; with ``enforce_nonce``, the bot's recent message that used it."""
        nonce = body.get("nonce")
        if nonce is None:
            return None
        if not isinstance(nonce, (str, int)) or isinstance(nonce, bool):
            raise _form_error("nonce", "BASE_TYPE_REQUIRED", "Must be a string or an integer.")
        if isinstance(nonce, str) and len(nonce) > MAX_NONCE_LENGTH:
            raise _form_error("nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_NONCE_LENGTH} or fewer in length.")
        if not body.get("enforce_nonce"):
            return None
        seen = self._nonces.get((self.bot_user.id, str(nonce)))
        if seen is None or self._now() - seen[1] > self.nonce_window:
            return None
        return self.messages.get(seen[0])

    def _remember_nonce(self, msg: dict[str, Any]) -> None:
        if msg.get("nonce") is not None:
            self._nonces[(int(msg["author"]["id"]), str(msg["nonce"]))] = (int(msg["id"]), self._now())

    def _new_message(
        self,
        *,
        channel: Channel,
        guild: Guild | None,
        author: User,
        content: str = "",
        embeds: list[dict[str, Any]] | None = None,
        components: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        flags: int = 0,
        tts: bool = False,
        mentions: list[dict[str, Any]] | None = None,
        mention_roles: list[str] | None = None,
        mention_everyone: bool = False,
        reference: dict[str, Any] | None = None,
        referenced: dict[str, Any] | None = None,
        mtype: int | None = None,
        webhook_id: int | None = None,
        interaction: SentInteraction | None = None,
        nonce: Any = None,
        poll: Any = None,
    ) -> dict[str, Any]:
        mid = snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": mtype if mtype is not None else (19 if reference else 0),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": tts,
            "mention_everyone": mention_everyone,
            "mentions": mentions or [],
            "mention_roles": mention_roles or [],
            "attachments": attachments or [],
            "embeds": [_normalize_embed(e) for e in (embeds or [])],
            "components": _number_components(components or []),
            "pinned": False,
            "flags": flags,
        }
        if nonce is not None:
            msg["nonce"] = nonce
        if poll is not None:
            msg["poll"] = poll
        if reference is not None:
            msg["message_reference"] = reference
            msg["referenced_message"] = self._rest_message(referenced) if referenced else None
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
            msg["application_id"] = str(self.application_id)
        if interaction is not None:
            data = interaction.payload.get("data", {})
            user = interaction.payload.get("member", {}).get("user") or interaction.payload.get("user")
            meta: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": user,
                "authorizing_integration_owners": interaction.payload.get("authorizing_integration_owners", {}),
            }
            if interaction.type == IT_APP_COMMAND:
                meta["name"] = data.get("name")
                meta["command_type"] = data.get("type", 1)
                if data.get("type") in (2, 3) and data.get("target_id"):
                    key = "target_message_id" if data["type"] == 3 else "target_user"
                    meta[key] = data["target_id"] if key == "target_message_id" else data["resolved"]["users"][data["target_id"]]
            elif interaction.type == IT_COMPONENT:
                meta["interacted_message_id"] = interaction.payload["message"]["id"]
            if interaction.original_message_id and interaction.original_message_id != mid:
                meta["original_response_message_id"] = str(interaction.original_message_id)
            msg["interaction_metadata"] = meta
            if interaction.type == IT_APP_COMMAND:
                msg["interaction"] = {"id": str(interaction.id), "type": interaction.type, "name": data.get("name"), "user": user}
        self.messages[mid] = msg
        self._msg_guild[mid] = guild.id if guild else None
        return msg

    def _delete_message(self, mid: int) -> None:
        msg = self.messages.pop(mid, None)
        if msg is not None:
            self.deleted_messages[mid] = msg
            self._echo_message("MESSAGE_DELETE", msg)

    def _mentions(
        self, body: dict[str, Any], content: str, guild: Guild | None, referenced: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], list[str], bool]:
        allowed = body.get("allowed_mentions")
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        allowed_users = {int(x) for x in (allowed or {}).get("users") or []}
        allowed_roles = {int(x) for x in (allowed or {}).get("roles") or []}
        users: list[dict[str, Any]] = []
        seen: set[int] = set()

        def add(uid: int) -> None:
            u = self.world.get_user(uid)
            if u is None or uid in seen:
                return
            seen.add(uid)
            p = u.payload()
            m = guild.get_member(uid) if guild else None
            if m is not None:
                p["member"] = m.payload(with_user=False)
            users.append(p)

        for raw in re.findall(r"<@!?(\d+)>", content):
            uid = int(raw)
            if "users" in parse or uid in allowed_users:
                add(uid)
        if referenced is not None and (allowed is None or allowed.get("replied_user")):
            add(int(referenced["author"]["id"]))
        roles = []
        for raw in re.findall(r"<@&(\d+)>", content):
            rid = int(raw)
            if guild and guild.get_role(rid) and ("roles" in parse or rid in allowed_roles) and str(rid) not in roles:
                roles.append(str(rid))
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return users, roles, everyone

    def _attachments_from(
        self, body: dict[str, Any], files: list[RecordedFile], channel_id: int, existing: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        by_index = {}
        for f in files:
            m = re.fullmatch(r"files\[(\d+)\]", f.field)
            if m:
                by_index[int(m.group(1))] = f
        existing_by_id = {str(a["id"]): a for a in existing or []}
        out = []
        meta = body.get("attachments")
        if meta is None:
            meta = [{"id": i} for i in sorted(by_index)] if by_index else [{"id": k} for k in existing_by_id]
        for a in meta:
            aid = a.get("id")
            if str(aid) in existing_by_id:
                out.append(existing_by_id[str(aid)])
                continue
            f = by_index.get(int(aid)) if aid is not None and str(aid).isdigit() and int(aid) < 10000 else None
            if f is None:
                raise _form_error("attachments", "ATTACHMENT_NOT_FOUND", f"Unknown attachment {aid}")
            new_id = snowflake()
            filename = a.get("filename") or f.filename
            self.attachments[new_id] = f.data
            url = f"{self.http_base}/attachments/{channel_id}/{new_id}/{filename}"
            item = {
                "id": str(new_id),
                "filename": filename,
                "size": len(f.data),
                "url": url,
                "proxy_url": url,
                "content_type": f.content_type,
            }
            if a.get("description"):
                item["description"] = a["description"]
            out.append(item)
        return out

    def _validate_message_body(self, body: dict[str, Any], files: list[RecordedFile], *, edit: bool = False) -> None:
        content = body.get("content")
        if content is not None and not isinstance(content, str):
            raise _form_error("content", "BASE_TYPE_STRING", "Must be a string.")
        flags = body.get("flags") or 0
        v2 = bool(flags & FLAG_IS_COMPONENTS_V2)
        if content and len(content) > 2000:
            raise _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        if v2 and (content or body.get("embeds")):
            raise _form_error("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                              "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        for i, e in enumerate(embeds):
            total += _check_embed(e, f"embeds.{i}")
        if total > 6000:
            raise _form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        components = body.get("components") or []
        if not v2 and len(components) > 5:
            raise _form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        seen: set[str] = set()
        for comp in _walk_components(components):
            cid = comp.get("custom_id")
            if cid is not None:
                if len(cid) > 100:
                    raise _form_error("components", "BASE_TYPE_MAX_LENGTH", "custom_id must be 100 or fewer in length.")
                if cid in seen:
                    raise _form_error("components", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
                seen.add(cid)
            if comp.get("type") == 2 and comp.get("label") and len(comp["label"]) > 80:
                raise _form_error("components", "BASE_TYPE_MAX_LENGTH", "label must be 80 or fewer in length.")
        if not edit:
            has_any = content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
            if not has_any:
                raise ApiError(400, 50006, "Cannot send an empty message")

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any], files: list[RecordedFile], guild: Guild | None) -> None:
        self._validate_message_body(body, files, edit=True)
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = [_normalize_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = _number_components(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = msg.get("flags", 0) & (FLAG_EPHEMERAL | FLAG_LOADING)
            msg["flags"] = keep | (int(body["flags"]) & _SENDABLE_FLAGS)
        if "attachments" in body or files:
            msg["attachments"] = self._attachments_from(body, files, int(msg["channel_id"]), msg.get("attachments"))
        if "content" in body or "allowed_mentions" in body:
            users, roles, everyone = self._mentions(body, msg["content"], guild, msg.get("referenced_message"))
            msg.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
        if msg.get("flags", 0) & FLAG_LOADING:
            msg["flags"] &= ~FLAG_LOADING
        else:
            msg["edited_timestamp"] = iso_now()

    def _create_from_body(
        self,
        body: dict[str, Any],
        files: list[RecordedFile],
        *,
        channel: Channel,
        guild: Guild | None,
        allowed_flags: int,
        webhook_id: int | None = None,
        interaction: SentInteraction | None = None,
        mtype: int | None = None,
        extra_flags: int = 0,
        check_empty: bool = True,
    ) -> dict[str, Any]:
        if check_empty:
            self._validate_message_body(body, files)
        else:
            self._validate_message_body(body, files, edit=True)
        reference = referenced = None
        ref = body.get("message_reference")
        if ref:
            target = self.messages.get(int(ref.get("message_id", 0)))
            if target is None:
                if ref.get("fail_if_not_exists", True):
                    raise _form_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
            else:
                referenced = target
                reference = {"type": ref.get("type", 0), "message_id": target["id"], "channel_id": target["channel_id"]}
                gid = self._msg_guild.get(int(target["id"]))
                if gid:
                    reference["guild_id"] = str(gid)
        content = body.get("content") or ""
        users, roles, everyone = self._mentions(body, content, guild, referenced)
        msg = self._new_message(
            channel=channel,
            guild=guild,
            author=self.bot_user,
            content=content,
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=self._attachments_from(body, files, channel.id),
            flags=(int(body.get("flags") or 0) & allowed_flags) | extra_flags,
            tts=bool(body.get("tts")),
            mentions=users,
            mention_roles=roles,
            mention_everyone=everyone,
            reference=reference,
            referenced=referenced,
            mtype=mtype,
            webhook_id=webhook_id,
            interaction=interaction,
            nonce=body.get("nonce"),
            poll=body.get("poll"),
        )
        return msg

    # ------------------------------------------------------------------ HTTP plumbing

    def _install_routes(self) -> None:
        r = self._route
        # identity / gateway
        r("GET", r"/users/@me", self._h_me)
        r("GET", r"/oauth2/applications/@me", self._h_application)
        r("GET", r"/applications/@me", self._h_application)
        r("GET", r"/gateway", self._h_gateway, auth=False)
        r("GET", r"/gateway/bot", self._h_gateway_bot)
        r("GET", r"/users/(?P<user_id>\d+)", self._h_get_user)
        r("POST", r"/users/@me/channels", self._h_create_dm)
        # application commands
        app = r"/applications/(?P<app_id>\d+)"
        gcmd = app + r"/guilds/(?P<guild_id>\d+)/commands"
        r("GET", app + r"/commands", self._h_list_commands)
        r("PUT", app + r"/commands", self._h_put_commands)
        r("POST", app + r"/commands", self._h_upsert_command)
        r("GET", app + r"/commands/(?P<command_id>\d+)", self._h_get_command)
        r("PATCH", app + r"/commands/(?P<command_id>\d+)", self._h_patch_command)
        r("DELETE", app + r"/commands/(?P<command_id>\d+)", self._h_delete_command)
        r("GET", gcmd + r"/permissions", self._h_command_permissions)
        r("GET", gcmd, self._h_list_commands)
        r("PUT", gcmd, self._h_put_commands)
        r("POST", gcmd, self._h_upsert_command)
        r("GET", gcmd + r"/(?P<command_id>\d+)", self._h_get_command)
        r("PATCH", gcmd + r"/(?P<command_id>\d+)", self._h_patch_command)
        r("DELETE", gcmd + r"/(?P<command_id>\d+)", self._h_delete_command)
        r("GET", app + r"/emojis", lambda req, app_id: (200, {"items": []}))
        r("GET", app + r"/entitlements", lambda req, app_id: (200, []))
        # interactions / webhooks (token-authenticated, no bot auth needed)
        r("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._h_callback, auth=False)
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        r("POST", hook, self._h_followup, auth=False)
        r("GET", hook + r"/messages/(?P<message_id>@original|\d+)", self._h_webhook_get, auth=False)
        r("PATCH", hook + r"/messages/(?P<message_id>@original|\d+)", self._h_webhook_patch, auth=False)
        r("DELETE", hook + r"/messages/(?P<message_id>@original|\d+)", self._h_webhook_delete, auth=False)
        # channels / messages
        ch = r"/channels/(?P<channel_id>\d+)"
        msg = ch + r"/messages/(?P<message_id>\d+)"
        r("GET", ch, self._h_get_channel)
        r("GET", ch + r"/messages", self._h_history)
        r("POST", ch + r"/messages", self._h_create_message)
        r("GET", msg, self._h_get_message)
        r("PATCH", msg, self._h_edit_message)
        r("DELETE", msg, self._h_delete_message)
        r("PUT", msg + r"/reactions/(?P<emoji>[^/]+)/@me", self._h_add_reaction)
        r("DELETE", msg + r"/reactions/(?P<emoji>[^/]+)/@me", self._h_remove_reaction)
        r("POST", ch + r"/typing", self._h_typing)
        # guilds
        g = r"/guilds/(?P<guild_id>\d+)"
        r("GET", g, self._h_get_guild)
        r("GET", g + r"/channels", self._h_guild_channels)
        r("GET", g + r"/roles", self._h_guild_roles)
        r("GET", g + r"/members", self._h_guild_members)
        r("GET", g + r"/members/(?P<user_id>\d+)", self._h_guild_member)
        r("GET", r"/users/@me/guilds", self._h_my_guilds)

    def _route(self, method: str, pattern: str, handler: RouteHandler, *, auth: bool = True) -> None:
        self._routes.append((method, re.compile(pattern), handler, auth))

    def _check_auth(self, request: web.Request) -> bool | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        return header == f"Bot {self.token}"

    async def _read_body(self, request: web.Request) -> tuple[Any, list[RecordedFile]]:
        ctype = request.headers.get("Content-Type", "")
        if not request.body_exists:
            return None, []
        if ctype.startswith("multipart/"):
            form = await request.post()
            payload: Any = None
            files: list[RecordedFile] = []
            for name, value in form.items():
                if name == "payload_json":
                    payload = json.loads(value if isinstance(value, str) else value.file.read())
                elif isinstance(value, web.FileField):
                    files.append(
                        RecordedFile(name, value.filename, value.content_type or "application/octet-stream", value.file.read())
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode("utf-8", "replace"), []

    @staticmethod
    def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        if status == 204 or body is None:
            return web.Response(status=204 if status < 300 else status, headers=headers)
        # exactly "application/json": discord.py's json_or_text compares the header verbatim
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)

    async def _outside_api_handler(self, request: web.Request) -> web.StreamResponse:
        return await self._rest_handler(request, outside=True)

    async def _rest_handler(self, request: web.Request, outside: bool = False) -> web.StreamResponse:
        path = request.path[len(API_PREFIX):] if not outside else request.path
        method = request.method.upper()
        try:
            body, files = await self._read_body(request)
        except Exception:
            body, files = None, []
            self.errors.append(traceback.format_exc())
        rec = Recorded(
            index=-1,
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
            authorized=self._check_auth(request),
        )
        headers: dict[str, str] = {}
        try:
            status, resp = await self._handle(rec, request, outside, headers)
        except ApiError as e:
            status, resp = e.status, e.payload
        except Exception as e:  # a bug in the double: make it loud but don't trigger 5xx retries
            self.errors.append(traceback.format_exc())
            log.exception("DiscordDouble route failed")
            status, resp = 400, {"message": f"DiscordDouble internal error: {e!r}", "code": 0}
        rec.status, rec.response = status, resp
        rec.index = len(self.requests)
        self.requests.append(rec)
        self._notify()
        return self._json_response(status, resp, headers)

    async def _handle(
        self, rec: Recorded, request: web.Request, outside: bool, headers: dict[str, str]
    ) -> tuple[int, Any]:
        for inj in self._injections:
            if inj.remaining > 0 and inj.method == rec.method and inj.pattern.fullmatch(rec.path):
                inj.remaining -= 1
                headers.update(inj.headers)
                return inj.status, inj.body
        if not outside:
            for method, pattern, handler, needs_auth in self._routes:
                if method != rec.method:
                    continue
                m = pattern.fullmatch(rec.path)
                if m is None:
                    continue
                if needs_auth and rec.authorized is not True:
                    return 401, {"message": "401: Unauthorized", "code": 0}
                req = _Request(rec.method, rec.path, rec.query, rec.json, rec.files, request)
                result = handler(req, **m.groupdict())
                if asyncio.iscoroutine(result):
                    result = await result
                return result
        rec.unknown_route = True
        self.unknown_requests.append(rec)
        log.warning("DiscordDouble: unknown route %s %s", rec.method, rec.path)
        return 404, {"message": "404: Not Found", "code": 0}

    async def _attachment_handler(self, request: web.Request) -> web.StreamResponse:
        data = self.attachments.get(int(request.match_info["id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    # ------------------------------------------------------------------ handlers: identity

    def _h_me(self, req: _Request) -> tuple[int, Any]:
        u = self.bot_user.payload()
        u.update(bot=True, verified=True, mfa_enabled=False, flags=0, email=None, locale="en-US", bio="", premium_type=0)
        return 200, u

    def _h_application(self, req: _Request) -> tuple[int, Any]:
        return 200, {
            "id": str(self.application_id),
            "name": self.world.application_name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "owner": self.world.app_owner.payload(),
            "team": None,
            "bot": self.bot_user.payload(),
            "rpc_origins": [],
            "redirect_uris": [],
            "tags": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self.world.guilds),
            "approximate_user_install_count": 0,
            "integration_types_config": {"0": {}},
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": str(Perm.DEFAULT_BOT)},
        }

    def _h_gateway(self, req: _Request) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url}

    def _h_gateway_bot(self, req: _Request) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
        }

    def _h_get_user(self, req: _Request, user_id: str) -> tuple[int, Any]:
        u = self.world.get_user(int(user_id))
        if u is None:
            raise ApiError(404, 10013, "Unknown User")
        return 200, u.payload()

    def _h_create_dm(self, req: _Request) -> tuple[int, Any]:
        rid = (req.json or {}).get("recipient_id")
        u = self.world.get_user(int(rid)) if rid else None
        if u is None:
            raise _form_error("recipient_id", "USER_NOT_FOUND", "Unknown User")
        return 200, self.world.dm_channel(u).payload()

    def _h_my_guilds(self, req: _Request) -> tuple[int, Any]:
        return 200, [
            {"id": str(g.id), "name": g.name, "icon": None, "owner": False, "permissions": str(Perm.DEFAULT_BOT), "features": g.features}
            for g in self.world.guilds
        ]

    # ------------------------------------------------------------------ handlers: app commands

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise ApiError(403, 20012, "You are not authorized to perform this action on this application")

    def _command_pool(self, guild_id: str | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        if self.world.get_guild(int(guild_id)) is None:
            raise ApiError(403, 50001, "Missing Access")
        return self.guild_commands.setdefault(int(guild_id), [])

    def _validate_command(self, cmd: dict[str, Any], where: str) -> None:
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        if ctype == 1:
            valid = isinstance(name, str) and bool(_NAME_RE.match(name)) and name == name.lower()
        else:  # context menus: 1-32 chars, spaces and capitals allowed
            valid = isinstance(name, str) and 1 <= len(name) <= 32
        if not valid:
            raise _form_error(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        desc = cmd.get("description", "")
        if ctype == 1 and not 1 <= len(desc or "") <= 100:
            raise _form_error(f"{where}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if ctype != 1 and desc:
            raise _form_error(f"{where}.description", "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                              "Context menu commands cannot have description")
        self._validate_options(cmd.get("options") or [], f"{where}.options")

    def _validate_options(self, options: list[dict[str, Any]], where: str) -> None:
        if len(options) > 25:
            raise _form_error(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        seen_optional = False
        names: set[str] = set()
        for i, opt in enumerate(options):
            name = opt.get("name", "")
            if not _NAME_RE.match(name) or name != name.lower():
                raise _form_error(f"{where}.{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            if name in names:
                raise _form_error(f"{where}.{i}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option name already exists")
            names.add(name)
            if not 1 <= len(opt.get("description") or "") <= 100:
                raise _form_error(f"{where}.{i}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            if opt.get("type") in (1, 2):
                self._validate_options(opt.get("options") or [], f"{where}.{i}.options")
                continue
            if opt.get("required"):
                if seen_optional:
                    raise _form_error(where, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
            else:
                seen_optional = True
            choices = opt.get("choices") or []
            if len(choices) > 25:
                raise _form_error(f"{where}.{i}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            if choices and opt.get("autocomplete"):
                raise _form_error(f"{where}.{i}.autocomplete", "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES", "Autocomplete cannot be set with choices")

    def _store_command(self, pool: list[dict[str, Any]], cmd: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        ctype = cmd.get("type", 1)
        old = next((c for c in pool if c["name"] == cmd.get("name") and c.get("type", 1) == ctype), None)
        stored: dict[str, Any] = {
            "name_localizations": None,
            "description_localizations": None,
            "default_member_permissions": None,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **cmd,
        }
        stored.update(
            id=old["id"] if old else str(snowflake()),
            application_id=str(self.application_id),
            version=str(snowflake()),
            type=ctype,
            description=cmd.get("description", "") if ctype == 1 else "",
        )
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        else:
            stored.setdefault("dm_permission", True)
        return stored

    def _h_list_commands(self, req: _Request, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        self._check_app(app_id)
        return 200, list(self._command_pool(guild_id))

    def _h_put_commands(self, req: _Request, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        self._check_app(app_id)
        pool = self._command_pool(guild_id)
        payload = req.json
        if not isinstance(payload, list):
            raise _form_error("_", "BASE_TYPE_ARRAY", "Must be an array.")
        counts = {1: 0, 2: 0, 3: 0}
        keys: set[tuple[str, int]] = set()
        for i, cmd in enumerate(payload):
            self._validate_command(cmd, str(i))
            key = (cmd.get("name"), cmd.get("type", 1))
            if key in keys:
                raise _form_error(f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({key[0]})")
            keys.add(key)
            counts[key[1]] = counts.get(key[1], 0) + 1
        if counts.get(1, 0) > 100 or counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
            raise ApiError(400, 30032, "Maximum number of application commands reached")
        new = [self._store_command(pool, cmd, guild_id) for cmd in payload]
        pool[:] = new
        self.command_syncs.append((int(guild_id) if guild_id else None, [c["name"] for c in new]))
        return 200, new

    def _h_upsert_command(self, req: _Request, app_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        self._check_app(app_id)
        pool = self._command_pool(guild_id)
        self._validate_command(req.json or {}, "_")
        stored = self._store_command(pool, req.json, guild_id)
        existing = [i for i, c in enumerate(pool) if c["id"] == stored["id"]]
        if existing:
            pool[existing[0]] = stored
            return 200, stored
        pool.append(stored)
        return 201, stored

    def _get_cmd(self, app_id: str, guild_id: str | None, command_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        self._check_app(app_id)
        pool = self._command_pool(guild_id)
        cmd = next((c for c in pool if c["id"] == str(command_id)), None)
        if cmd is None:
            raise ApiError(404, 10063, "Unknown application command")
        return pool, cmd

    def _h_get_command(self, req: _Request, app_id: str, command_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        return 200, self._get_cmd(app_id, guild_id, command_id)[1]

    def _h_patch_command(self, req: _Request, app_id: str, command_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        _, cmd = self._get_cmd(app_id, guild_id, command_id)
        cmd.update({k: v for k, v in (req.json or {}).items() if k not in ("id", "application_id")})
        cmd["version"] = str(snowflake())
        return 200, cmd

    def _h_delete_command(self, req: _Request, app_id: str, command_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        pool, cmd = self._get_cmd(app_id, guild_id, command_id)
        pool.remove(cmd)
        return 204, None

    def _h_command_permissions(self, req: _Request, app_id: str, guild_id: str) -> tuple[int, Any]:
        self._check_app(app_id)
        return 200, []

    def command_sync_count(self, guild_id: int | None = None) -> int:
        """How many bulk overwrites (``tree.sync()``) targeted this scope (None = global)."""
        return sum(1 for g, _ in self.command_syncs if g == guild_id)

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return list(self.global_commands if guild_id is None else self.guild_commands.get(int(guild_id), []))

    # ------------------------------------------------------------------ handlers: interactions

    def _interaction_channel(self, it: SentInteraction) -> tuple[Channel, Guild | None]:
        ch, g = self.world.find_channel(it.channel_id)
        assert ch is not None
        return ch, g

    def _h_callback(self, req: _Request, interaction_id: str, token: str) -> tuple[int, Any]:
        it = self.interactions.get(int(interaction_id))
        if it is None or it.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        if it.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = req.json if isinstance(req.json, dict) else {}
        rtype = body.get("type")
        if rtype not in _ALLOWED_CALLBACKS.get(it.type, set()):
            raise _form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid interaction response type {rtype} for interaction type {it.type}")
        if rtype in (CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE) and "message" not in it.payload:
            raise _form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", "No message to update")
        data = body.get("data") or {}
        ch, g = self._interaction_channel(it)
        message: dict[str, Any] | None = None
        if rtype == CB_MESSAGE:
            message = self._create_from_body(
                data, req.files, channel=ch, guild=g, allowed_flags=_INTERACTION_FLAGS,
                webhook_id=self.application_id, interaction=it, mtype=self._response_mtype(it),
            )
            it.original_message_id = int(message["id"])
        elif rtype == CB_DEFERRED_MESSAGE:
            message = self._new_message(
                channel=ch, guild=g, author=self.bot_user, flags=FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL),
                webhook_id=self.application_id, interaction=it, mtype=self._response_mtype(it),
            )
            it.original_message_id = int(message["id"])
            it.loading = True
        elif rtype in (CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE):
            target_id = int(it.payload["message"]["id"])
            it.original_message_id = target_id
            if rtype == CB_UPDATE_MESSAGE:
                target = self.messages.get(target_id)
                if target is None:
                    raise ApiError(404, 10008, "Unknown Message")
                self._apply_edit(target, data, req.files, g)
                message = target
        elif rtype == CB_AUTOCOMPLETE:
            choices = data.get("choices")
            if not isinstance(choices, list) or len(choices) > 25:
                raise _form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for i, c in enumerate(choices):
                if not 1 <= len(c.get("name", "")) <= 100:
                    raise _form_error(f"data.choices.{i}.name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            it.autocomplete_choices = choices
        elif rtype == CB_MODAL:
            if not data.get("custom_id") or not data.get("title") or len(data["title"]) > 45:
                raise _form_error("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
            if not 1 <= len(data.get("components") or []) <= 5:
                raise _form_error("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            it.modal = data
        it.response_type = rtype
        it.callback = body
        if message is not None:
            self._echo_message("MESSAGE_UPDATE" if rtype == CB_UPDATE_MESSAGE else "MESSAGE_CREATE", message)
        if str(req.query.get("with_response", "")).lower() not in ("1", "true"):
            return 204, None
        inter: dict[str, Any] = {"id": str(it.id), "type": it.type}
        if it.original_message_id and rtype in (CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_UPDATE_MESSAGE):
            inter["response_message_id"] = str(it.original_message_id)
            inter["response_message_loading"] = rtype == CB_DEFERRED_MESSAGE
            inter["response_message_ephemeral"] = bool(message and message.get("flags", 0) & FLAG_EPHEMERAL)
        resource: dict[str, Any] = {"type": rtype}
        if message is not None:
            resource["message"] = self._rest_message(message)
        return 200, {"interaction": inter, "resource": resource}

    @staticmethod
    def _response_mtype(it: SentInteraction) -> int:
        if it.type == IT_APP_COMMAND:
            return 20 if it.payload.get("data", {}).get("type", 1) == 1 else 23
        return 19 if it.type == IT_COMPONENT else 0

    def _webhook_interaction(self, app_id: str, token: str) -> SentInteraction:
        it = self._by_token.get(token)
        if it is None or int(app_id) != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        return it

    def _h_followup(self, req: _Request, app_id: str, token: str) -> tuple[int, Any]:
        it = self._webhook_interaction(app_id, token)
        if it.response_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        body = req.json if isinstance(req.json, dict) else {}
        ch, g = self._interaction_channel(it)
        if it.loading and it.original_message_id in self.messages:
            # the first followup after a "thinking" defer completes the loading message
            msg = self.messages[it.original_message_id]
            self._validate_message_body(body, req.files)
            self._apply_edit(msg, body, req.files, g)
            it.loading = False
            self._echo_message("MESSAGE_UPDATE", msg)
        else:
            msg = self._create_from_body(
                body, req.files, channel=ch, guild=g, allowed_flags=_INTERACTION_FLAGS,
                webhook_id=self.application_id, interaction=it, mtype=self._response_mtype(it),
            )
            it.followup_ids.append(int(msg["id"]))
            self._echo_message("MESSAGE_CREATE", msg)
        if str(req.query.get("wait", "")).lower() in ("1", "true"):
            return 200, self._rest_message(msg)
        return 204, None

    def _webhook_message(self, app_id: str, token: str, message_id: str) -> tuple[SentInteraction, dict[str, Any]]:
        it = self._webhook_interaction(app_id, token)
        mid = it.original_message_id if message_id == "@original" else int(message_id)
        if mid is None or mid not in it.message_ids or mid not in self.messages:
            raise ApiError(404, 10008, "Unknown Message")
        return it, self.messages[mid]

    def _h_webhook_get(self, req: _Request, app_id: str, token: str, message_id: str) -> tuple[int, Any]:
        _, msg = self._webhook_message(app_id, token, message_id)
        return 200, self._rest_message(msg)

    def _h_webhook_patch(self, req: _Request, app_id: str, token: str, message_id: str) -> tuple[int, Any]:
        it, msg = self._webhook_message(app_id, token, message_id)
        _, g = self._interaction_channel(it)
        self._apply_edit(msg, req.json if isinstance(req.json, dict) else {}, req.files, g)
        if int(msg["id"]) == it.original_message_id:
            it.loading = False
        self._echo_message("MESSAGE_UPDATE", msg)
        return 200, self._rest_message(msg)

    def _h_webhook_delete(self, req: _Request, app_id: str, token: str, message_id: str) -> tuple[int, Any]:
        _, msg = self._webhook_message(app_id, token, message_id)
        self._delete_message(int(msg["id"]))
        return 204, None

    # ------------------------------------------------------------------ handlers: channels

    def _channel_or_404(self, channel_id: str) -> tuple[Channel, Guild | None]:
        ch, g = self.world.find_channel(int(channel_id))
        if ch is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return ch, g

    def _bot_perms(self, ch: Channel, g: Guild | None) -> int:
        if g is None:
            return Perm.ALL
        bot_member = g.get_member(self.bot_user.id)
        return g.channel_permissions(bot_member, ch) if bot_member else 0

    def _require(self, ch: Channel, g: Guild | None, perms: int) -> None:
        have = self._bot_perms(ch, g)
        if not have & Perm.VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if have & perms != perms:
            raise ApiError(403, 50013, "Missing Permissions")

    def _h_get_channel(self, req: _Request, channel_id: str) -> tuple[int, Any]:
        ch, g = self._channel_or_404(channel_id)
        if g is not None:
            self._require(ch, g, Perm.VIEW_CHANNEL)
        return 200, ch.payload()

    def _h_history(self, req: _Request, channel_id: str) -> tuple[int, Any]:
        ch, g = self._channel_or_404(channel_id)
        self._require(ch, g, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        msgs = sorted((m for m in self.messages.values() if int(m["channel_id"]) == ch.id), key=lambda m: int(m["id"]))
        before, after = req.query.get("before"), req.query.get("after")
        if before:
            msgs = [m for m in msgs if int(m["id"]) < int(before)]
        if after:
            msgs = [m for m in msgs if int(m["id"]) > int(after)]
        limit = int(req.query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise _form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
        msgs = msgs[:limit] if after else msgs[-limit:]
        return 200, [self._fetched_message(m) for m in reversed(msgs)]  # newest first, like Discord

    def _h_create_message(self, req: _Request, channel_id: str) -> tuple[int, Any]:
        ch, g = self._channel_or_404(channel_id)
        body = req.json if isinstance(req.json, dict) else {}
        needed = Perm.SEND_MESSAGES
        if req.files:
            needed |= Perm.ATTACH_FILES
        if body.get("message_reference"):
            needed |= Perm.READ_MESSAGE_HISTORY
        self._require(ch, g, needed)
        already = self._check_nonce(body)
        if already is not None:  # enforce_nonce: the message made before, and no second one
            return 200, self._rest_message(already)
        msg = self._create_from_body(body, req.files, channel=ch, guild=g, allowed_flags=_SENDABLE_FLAGS)
        self._remember_nonce(msg)
        self._echo_message("MESSAGE_CREATE", msg)
        return 200, self._rest_message(msg)

    def _message_or_404(self, channel_id: str, message_id: str) -> tuple[Channel, Guild | None, dict[str, Any]]:
        ch, g = self._channel_or_404(channel_id)
        msg = self.messages.get(int(message_id))
        if msg is None or int(msg["channel_id"]) != ch.id:
            raise ApiError(404, 10008, "Unknown Message")
        return ch, g, msg

    def _h_get_message(self, req: _Request, channel_id: str, message_id: str) -> tuple[int, Any]:
        ch, g, msg = self._message_or_404(channel_id, message_id)
        self._require(ch, g, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        return 200, self._fetched_message(msg)

    def _h_edit_message(self, req: _Request, channel_id: str, message_id: str) -> tuple[int, Any]:
        ch, g, msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._apply_edit(msg, req.json if isinstance(req.json, dict) else {}, req.files, g)
        self._echo_message("MESSAGE_UPDATE", msg)
        return 200, self._rest_message(msg)

    def _h_delete_message(self, req: _Request, channel_id: str, message_id: str) -> tuple[int, Any]:
        ch, g, msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.bot_user.id:
            self._require(ch, g, Perm.MANAGE_MESSAGES)
        self._delete_message(int(msg["id"]))
        return 204, None

    def _h_add_reaction(self, req: _Request, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        ch, g, msg = self._message_or_404(channel_id, message_id)
        self._require(ch, g, Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        self.reactions.append((int(msg["id"]), unquote(emoji)))
        return 204, None

    def _h_remove_reaction(self, req: _Request, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        _, _, msg = self._message_or_404(channel_id, message_id)
        with contextlib.suppress(ValueError):
            self.reactions.remove((int(msg["id"]), unquote(emoji)))
        return 204, None

    def _h_typing(self, req: _Request, channel_id: str) -> tuple[int, Any]:
        ch, g = self._channel_or_404(channel_id)
        self._require(ch, g, Perm.SEND_MESSAGES)
        self.typing.append(ch.id)
        return 204, None

    # ------------------------------------------------------------------ handlers: guilds

    def _guild_or_404(self, guild_id: str) -> Guild:
        g = self.world.get_guild(int(guild_id))
        if g is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return g

    def _h_get_guild(self, req: _Request, guild_id: str) -> tuple[int, Any]:
        return 200, self._guild_or_404(guild_id).rest_payload()

    def _h_guild_channels(self, req: _Request, guild_id: str) -> tuple[int, Any]:
        return 200, [c.payload() for c in self._guild_or_404(guild_id).channels]

    def _h_guild_roles(self, req: _Request, guild_id: str) -> tuple[int, Any]:
        return 200, [r.payload() for r in self._guild_or_404(guild_id).roles]

    def _h_guild_members(self, req: _Request, guild_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        conn = self._ready_connection()
        if conn is not None and not conn.intents & Intent.GUILD_MEMBERS:
            raise ApiError(403, 50001, "Missing Access")
        members = sorted(g.members, key=lambda m: m.id)
        after = int(req.query.get("after", 0))
        limit = int(req.query.get("limit", 1))
        return 200, [m.payload() for m in members if m.id > after][:limit]

    def _h_guild_member(self, req: _Request, guild_id: str, user_id: str) -> tuple[int, Any]:
        m = self._guild_or_404(guild_id).get_member(int(user_id))
        if m is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, m.payload()


# --------------------------------------------------------------------------- component helpers


def _walk_components(components: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for comp in components:
        yield comp
        for key in ("components",):
            if isinstance(comp.get(key), list):
                yield from _walk_components(comp[key])
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                yield from _walk_components([comp[key]])


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in _walk_components(components) if c.get("custom_id") == custom_id), None)


def _number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy components, giving each an ``id`` like Discord does when the sender didn't."""
    counter = itertools.count(1)
    used = {c["id"] for c in _walk_components(components) if isinstance(c.get("id"), int)}

    def copy(c: dict[str, Any]) -> dict[str, Any]:
        out = dict(c)
        if "id" not in out:
            n = next(counter)
            while n in used:
                n = next(counter)
            out["id"] = n
        if isinstance(out.get("components"), list):
            out["components"] = [copy(x) for x in out["components"]]
        for key in ("accessory", "component"):
            if isinstance(out.get(key), dict):
                out[key] = copy(out[key])
        return out

    return [copy(c) for c in components]


def _fill_modal(components: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for comp in components:
        t = comp.get("type")
        if t == 1:
            out.append({"type": 1, "id": comp.get("id", 0), "components": _fill_modal(comp.get("components", []), values)})
        elif t == 18:
            inner = _fill_modal([comp["component"]], values)
            out.append({"type": 18, "id": comp.get("id", 0), "component": inner[0] if inner else {}})
        elif comp.get("custom_id") is not None:
            cid = comp["custom_id"]
            item: dict[str, Any] = {"type": t, "id": comp.get("id", 0), "custom_id": cid}
            if t == 4:
                item["value"] = str(values.get(cid, comp.get("value") or ""))
            else:
                item["values"] = list(values.get(cid, []))
            out.append(item)
        else:
            out.append(comp)
    return out


def _normalize_embed(embed: dict[str, Any]) -> dict[str, Any]:
    out = dict(embed)
    out.setdefault("type", "rich")
    out.setdefault("content_scan_version", 0)
    return out


def _check_embed(embed: dict[str, Any], where: str) -> int:
    limits = {"title": 256, "description": 4096}
    total = 0
    for key, limit in limits.items():
        value = embed.get(key) or ""
        if len(value) > limit:
            raise _form_error(f"{where}.{key}", "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
        total += len(value)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        raise _form_error(f"{where}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, f in enumerate(fields):
        name, value = f.get("name") or "", f.get("value") or ""
        if not name or not value:
            raise _form_error(f"{where}.fields.{i}", "BASE_TYPE_REQUIRED", "This field is required")
        if len(name) > 256:
            raise _form_error(f"{where}.fields.{i}.name", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
        if len(value) > 1024:
            raise _form_error(f"{where}.fields.{i}.value", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.")
        total += len(name) + len(value)
    footer = (embed.get("footer") or {}).get("text") or ""
    if len(footer) > 2048:
        raise _form_error(f"{where}.footer.text", "BASE_TYPE_MAX_LENGTH", "Must be 2048 or fewer in length.")
    author = (embed.get("author") or {}).get("name") or ""
    if len(author) > 256:
        raise _form_error(f"{where}.author.name", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
    return total + len(footer) + len(author)
