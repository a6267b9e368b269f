"""Plain data model of the fake Discord "world" served by :class:`DiscordDouble`.

Nothing here imports discord.py: the double must describe the wire protocol on its
own, otherwise a bug in the library under test could hide itself.

Every object knows how to render itself as a Discord API v10 payload.  Ids are real
snowflakes (timestamp based, monotonically increasing), rendered as strings on the
wire like Discord does.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

DISCORD_EPOCH_MS = 1420070400000


class _SnowflakeGenerator:
    """Monotonic, process-wide snowflake generator (worker 1, process 1)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def __call__(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            candidate = (ms << 22) | (1 << 17) | (1 << 12)
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
            return candidate


snowflake = _SnowflakeGenerator()


def iso_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


# --------------------------------------------------------------------------- permissions


class Perm:
    """Discord permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40

    ALL = (1 << 53) - 1

    #: what Discord gives @everyone in a freshly created guild (roughly)
    DEFAULT_EVERYONE = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | STREAM
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | MENTION_EVERYONE
        | USE_EXTERNAL_EMOJIS
        | CONNECT
        | SPEAK
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | SEND_MESSAGES_IN_THREADS
    )

    #: what a typical invite link grants a notes bot
    DEFAULT_BOT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | SEND_MESSAGES_IN_THREADS
        | USE_APPLICATION_COMMANDS
    )


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15

    PRIVILEGED = {"members": GUILD_MEMBERS, "presences": GUILD_PRESENCES, "message_content": MESSAGE_CONTENT}


class ChannelType:
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    PUBLIC_THREAD = 11
    GUILD_FORUM = 15


# --------------------------------------------------------------------------- entities


@dataclass(eq=False)
class User:
    username: str
    id: int = field(default_factory=snowflake)
    global_name: str | None = None
    bot: bool = False
    discriminator: str = "0"
    avatar: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": self.discriminator,
            "global_name": self.global_name,
            "avatar": self.avatar,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    name: str
    permissions: int = 0
    id: int = field(default_factory=snowflake)
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    tags: dict[str, Any] | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = self.tags
        return data


@dataclass
class Overwrite:
    """A channel permission overwrite; ``type`` 0 = role, 1 = member."""

    id: int
    type: int = 0
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass(eq=False)
class Channel:
    name: str
    type: int = ChannelType.GUILD_TEXT
    id: int = field(default_factory=snowflake)
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    rate_limit_per_user: int = 0
    guild_id: int | None = None  # filled in by Guild
    recipients: list[User] = field(default_factory=list)  # DMs only

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    def payload(self, *, with_guild_id: bool = True) -> dict[str, Any]:
        if self.is_dm:
            return {
                "id": str(self.id),
                "type": self.type,
                "last_message_id": None,
                "flags": 0,
                "recipients": [u.payload() for u in self.recipients],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "flags": 0,
        }
        if self.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT, ChannelType.GUILD_FORUM):
            data.update(
                topic=self.topic,
                nsfw=self.nsfw,
                last_message_id=None,
                rate_limit_per_user=self.rate_limit_per_user,
                default_auto_archive_duration=1440,
                default_thread_rate_limit_per_user=0,
            )
        if self.type == ChannelType.GUILD_VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None, nsfw=self.nsfw, rate_limit_per_user=0)
        if with_guild_id and self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass(eq=False)
class Member:
    user: User
    roles: list[int] = field(default_factory=list)  # role ids, without @everyone
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)
    pending: bool = False
    communication_disabled_until: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": self.pending,
            "communication_disabled_until": self.communication_disabled_until,
            "unusual_dm_activity_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class Guild:
    name: str
    owner_id: int
    id: int = field(default_factory=snowflake)
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)
    description: str | None = None

    def __post_init__(self) -> None:
        if not any(r.id == self.id for r in self.roles):
            self.roles.insert(0, Role("@everyone", Perm.DEFAULT_EVERYONE, id=self.id))
        for ch in self.channels:
            ch.guild_id = self.id

    # -- lookups
    @property
    def everyone(self) -> Role:
        return next(r for r in self.roles if r.id == self.id)

    def get_role(self, role_id: int) -> Role | None:
        return next((r for r in self.roles if r.id == int(role_id)), None)

    def get_channel(self, channel_id: int) -> Channel | None:
        return next((c for c in self.channels if c.id == int(channel_id)), None)

    def get_member(self, user_id: int) -> Member | None:
        return next((m for m in self.members if m.user.id == int(user_id)), None)

    @property
    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels if c.type == ChannelType.GUILD_TEXT]

    def add_role(self, role: Role) -> Role:
        if not role.position:
            role.position = max((r.position for r in self.roles), default=0) + 1
        self.roles.append(role)
        return role

    def add_channel(self, channel: Channel) -> Channel:
        channel.guild_id = self.id
        if not channel.position:
            channel.position = len(self.channels)
        self.channels.append(channel)
        return channel

    def add_member(self, member: Member) -> Member:
        self.members.append(member)
        return member

    # -- permissions (the documented algorithm)
    def base_permissions(self, member: Member) -> int:
        if member.user.id == self.owner_id:
            return Perm.ALL
        perms = self.everyone.permissions
        for role_id in member.roles:
            role = self.get_role(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        return perms

    def channel_permissions(self, member: Member, channel: Channel | None) -> int:
        base = self.base_permissions(member)
        if base & Perm.ADMINISTRATOR or base == Perm.ALL or channel is None:
            return base
        perms = base
        ows = {(o.type, o.id): o for o in channel.overwrites}
        everyone = ows.get((0, self.id))
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles:
            ow = ows.get((0, role_id))
            if ow:
                allow |= ow.allow
                deny |= ow.deny
        perms = (perms & ~deny) | allow
        ow = ows.get((1, member.user.id))
        if ow:
            perms = (perms & ~ow.deny) | ow.allow
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        return perms

    # -- payloads
    def _common(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": self.description,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": list(self.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.text_channels[0].id) if self.text_channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }

    def rest_payload(self) -> dict[str, Any]:
        """``GET /guilds/{id}`` shape."""
        data = self._common()
        data.update(approximate_member_count=len(self.members), approximate_presence_count=0)
        return data

    def gateway_payload(self, joined_at: str | None = None) -> dict[str, Any]:
        """``GUILD_CREATE`` shape (all members included, so discord.py sees it as chunked)."""
        data = self._common()
        data.update(
            joined_at=joined_at or iso_now(),
            large=False,
            lazy=True,
            unavailable=False,
            member_count=len(self.members),
            members=[m.payload() for m in self.members],
            channels=[c.payload(with_guild_id=False) for c in self.channels],
            threads=[],
            presences=[],
            voice_states=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
            embedded_activities=[],
            activity_instances=[],
            version=int(time.time() * 1000),
        )
        return data


# --------------------------------------------------------------------------- world


@dataclass(eq=False)
class World:
    """Everything the double knows about: the bot, its application and the guilds.

    ``World.default()`` builds one guild "Study Group" with a ``#general`` and a ``#notes``
    text channel, an @everyone role with Discord's default permissions, a "Moderator" role
    (Manage Guild), an "Admin" role (Administrator), the bot's managed role and five members:
    ``member`` (no extra permissions), ``moderator``, ``admin``, ``owner`` (guild owner) and
    the bot itself.
    """

    bot_user: User
    app_owner: User
    guilds: list[Guild] = field(default_factory=list)
    application_name: str = "NotesBot"
    #: named shortcuts filled by ``default()``: member, moderator, admin, owner (Members)
    people: dict[str, Member] = field(default_factory=dict)
    _dm_channels: dict[int, Channel] = field(default_factory=dict)
    _users: dict[int, User] = field(default_factory=dict)

    @classmethod
    def default(cls, *, bot_name: str = "NotesBot", guild_name: str = "Study Group") -> "World":
        bot = User(bot_name, bot=True, discriminator="4242")
        owner = User("owner", global_name="Guild Owner")
        app_owner = owner
        guild_id = snowflake()
        everyone = Role("@everyone", Perm.DEFAULT_EVERYONE, id=guild_id, position=0)
        bot_role = Role(bot_name, Perm.DEFAULT_BOT, position=1, managed=True, tags={"bot_id": str(bot.id)})
        mod_role = Role("Moderator", Perm.MANAGE_GUILD, position=2, hoist=True, mentionable=True)
        admin_role = Role("Admin", Perm.ADMINISTRATOR, position=3, hoist=True)
        general = Channel("general", position=0, topic="General chat")
        notes = Channel("notes", position=1, topic="Ask the notes bot")
        member = Member(User("alice", global_name="Alice"))
        moderator = Member(User("mod", global_name="Moderator Mo"), roles=[mod_role.id])
        admin = Member(User("admin", global_name="Admin Ada"), roles=[admin_role.id])
        owner_m = Member(owner)
        bot_m = Member(bot, roles=[bot_role.id])
        guild = Guild(
            guild_name,
            owner_id=owner.id,
            id=guild_id,
            roles=[everyone, bot_role, mod_role, admin_role],
            channels=[general, notes],
            members=[bot_m, member, moderator, admin, owner_m],
        )
        world = cls(bot_user=bot, app_owner=app_owner, guilds=[guild], application_name=bot_name)
        world.people.update(member=member, moderator=moderator, admin=admin, owner=owner_m, bot=bot_m)
        return world

    # -- lookups
    def all_users(self) -> Iterable[User]:
        seen: set[int] = set()
        for u in itertools.chain(
            [self.bot_user, self.app_owner],
            (m.user for g in self.guilds for m in g.members),
            self._users.values(),
        ):
            if u.id not in seen:
                seen.add(u.id)
                yield u

    def get_user(self, user_id: int) -> User | None:
        return next((u for u in self.all_users() if u.id == int(user_id)), None)

    def add_user(self, user: User) -> User:
        self._users[user.id] = user
        return user

    def get_guild(self, guild_id: int) -> Guild | None:
        return next((g for g in self.guilds if g.id == int(guild_id)), None)

    def find_channel(self, channel_id: int) -> tuple[Channel | None, Guild | None]:
        for g in self.guilds:
            ch = g.get_channel(channel_id)
            if ch is not None:
                return ch, g
        for ch in self._dm_channels.values():
            if ch.id == int(channel_id):
                return ch, None
        return None, None

    def dm_channel(self, user: User) -> Channel:
        """The (lazily created) DM channel between the bot and ``user``."""
        ch = self._dm_channels.get(user.id)
        if ch is None:
            ch = Channel("", type=ChannelType.DM, recipients=[user])
            self._dm_channels[user.id] = ch
        return ch
