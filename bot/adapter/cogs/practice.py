"""Practice in Discord: `/daily-quiz set|off|show` (moderators), `/leaderboard`, `/progress`,
`/forget-me`, and the due-check loop that posts the daily prompt.

The cog only translates: the core decides when to post, what, and who scored what. The daily
prompt is the quiz's own message and A–D buttons (`daily_post_message`), and its reveal the quiz's
closed state (`daily_reveal_message`), so answering works as for `/quiz`; `DiscordPoster` sends them for
the core and turns Discord's refusals into `PostFailed`, which the core records for `/daily-quiz show`.

Sending is idempotent: each post carries a nonce of its server and local day (`daily_nonce`), and
discord.py sends every nonce with `enforce_nonce`, so Discord answers a repeated send within a few
minutes with the message it already made. Beyond that window, `DiscordPoster.find` recognises a
post the core never recorded in the channel's latest messages (Discord keeps no nonce there, so by
the post's own buttons), and the core adopts it instead of posting the day again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.adapter import acks, checks, practice_views
from bot.adapter.errors import reply_ephemeral
from bot.adapter.quiz_views import post_of, render_closed_message, render_quiz_message
from bot.adapter.rendering import NO_MENTIONS
from bot.core.quiz.posts import Tally
from bot.core.search.answering import Passage
from bot.core.practice.daily import DailyPost, DailyReveal, PostFailed
from bot.core.practice.schedule import matching_zones

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot

log = logging.getLogger(__name__)

NEEDED = ("view_channel", "send_messages", "embed_links")
LOOK_BACK = 100  # the channel's latest messages searched for an unrecorded daily post (one request)


# --------------------------------------------------------------------------- the daily message


def daily_post_message(post: DailyPost, answered: int = 0) -> dict[str, Any]:
    """The daily prompt: the quiz's own message and A–D buttons; the role is its only mention."""
    message = render_quiz_message(post.question, post.post_id, "daily", answered)
    if post.role_id is None:
        return message
    return {**message, "content": f"<@&{post.role_id}> the question of the day is here!",
            "allowed_mentions": discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                                        roles=[discord.Object(post.role_id)])}


def daily_nonce(guild_id: int, day: date) -> str:
    """The nonce of a server's post for one local day: the same for every attempt at that day,
    and within Discord's 25 characters."""
    return "daily" + hashlib.sha256(f"{guild_id}:{day.isoformat()}".encode()).hexdigest()[:20]


def daily_reveal_message(reveal: DailyReveal, passage: Passage | None, base_url: str | None) -> dict[str, Any]:
    """The closed prompt, edited in place: the answer, its source, how the server did; buttons disabled."""
    message = render_closed_message(reveal.question, reveal.post_id, "daily", Tally(reveal.answered, reveal.correct),
                                    passage, base_url=base_url)
    return {**message, "content": None}


class DiscordPoster:
    """The core's `Poster`: sends the prompt where the schedule says, or explains why it cannot."""

    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                raise PostFailed(f"the channel <#{channel_id}> is gone (deleted, or the bot cannot see it)") from None
        if not isinstance(channel, discord.abc.Messageable):
            raise PostFailed(f"<#{channel_id}> is not a channel the bot can post in")
        if isinstance(channel, discord.abc.GuildChannel):
            missing = [p for p in NEEDED if not getattr(channel.permissions_for(channel.guild.me), p)]
            if missing:
                raise PostFailed(f"the bot lacks {', '.join(m.replace('_', ' ') for m in missing)} in <#{channel_id}>")
        return channel

    async def post(self, post: DailyPost) -> int:
        channel = await self._channel(post.channel_id)
        try:  # discord.py 2.x sends `enforce_nonce: true` with a nonce
            message = await channel.send(nonce=daily_nonce(post.guild_id, post.local_date), **daily_post_message(post))
        except discord.NotFound:
            raise PostFailed(f"the channel <#{post.channel_id}> is gone (deleted)") from None
        except discord.Forbidden:
            raise PostFailed(f"Discord refused the post in <#{post.channel_id}> (missing permission)") from None
        except discord.HTTPException as exc:
            raise PostFailed(f"Discord refused the post ({exc.status})") from None
        return message.id

    async def find(self, post: DailyPost) -> int | None:
        """The bot's message carrying `post`'s buttons among the channel's latest, if any."""
        channel = await self._channel(post.channel_id)
        me = self.bot.user
        if isinstance(channel, discord.abc.GuildChannel) and \
                not channel.permissions_for(channel.guild.me).read_message_history:
            log.warning("cannot check whether daily post %s went out: no read message history in channel %s; "
                        "posting it again", post.post_id, post.channel_id)
            return None
        try:  # by the post's buttons: Discord keeps a nonce only minutes, and never in the history
            async for message in channel.history(limit=LOOK_BACK):
                if me is not None and message.author.id == me.id and post_of(message) == post.post_id:
                    return message.id
        except discord.NotFound:
            raise PostFailed(f"the channel <#{post.channel_id}> is gone (deleted)") from None
        except discord.HTTPException as exc:
            raise PostFailed(f"Discord refused to list the messages of <#{post.channel_id}> ({exc.status})") from None
        return None

    async def reveal(self, reveal: DailyReveal) -> None:
        channel = await self._channel(reveal.channel_id)
        partial = channel.get_partial_message(reveal.message_id)  # type: ignore[attr-defined]
        quiz = self.bot.app.quiz
        passage = quiz.source_passage(reveal.question)
        await partial.edit(**daily_reveal_message(reveal, passage, self.bot.app.settings.notes_base_url))


# --------------------------------------------------------------------------- the cog


class PracticeCog(commands.Cog, name="Practice"):
    daily = app_commands.Group(
        name="daily-quiz", description="The daily quiz question for this server (moderators)",
        guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: NotesBot) -> None:
        self.bot = bot
        self.poster = DiscordPoster(bot)
        self.loop = tasks.loop(seconds=bot.app.settings.daily_tick_seconds)(self.tick)
        self.loop.before_loop(self._wait_until_ready)
        self._tick: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()
        if self._tick is not None:  # let a due-check in flight finish its writes (see refresh.py)
            await asyncio.wait({self._tick})

    async def tick(self) -> None:
        self._tick = asyncio.ensure_future(self._due_check())
        await asyncio.shield(self._tick)

    async def _due_check(self) -> None:
        practice = self.bot.app.practice
        try:
            await practice.daily.tick(self.poster)
            await practice.reviews.retire_stale()
        except Exception:  # noqa: BLE001 - a tasks.loop stops for good on an error; try again next tick
            log.warning("the daily quiz due-check failed", exc_info=True)

    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    # ------------------------------------------------------------------ moderators

    @daily.command(name="set", description="Post a quiz question every day at this time (moderators)")
    @app_commands.describe(channel="Where to post", time="Local time, HH:MM on a 24-hour clock",
                           timezone="Your time zone, e.g. Europe/Berlin", role="A role to mention in each post")
    @checks.moderator_only()
    async def set_schedule(self, interaction: discord.Interaction, channel: discord.TextChannel, time: str,
                           timezone: str, role: discord.Role | None = None) -> None:
        assert interaction.guild is not None
        target = interaction.guild.get_channel(channel.id)
        me = interaction.guild.me
        if not isinstance(target, discord.TextChannel) or me is None:
            return await reply_ephemeral(interaction, "I cannot see that channel; pick a text channel I can read.")
        missing = [p.replace("_", " ") for p in NEEDED if not getattr(target.permissions_for(me), p)]
        if missing:
            return await reply_ephemeral(interaction, f"I cannot post there: I lack {', '.join(missing)} in "
                                                      f"{target.mention}. Nothing was saved.")
        if role is not None and role.is_default():
            return await reply_ephemeral(interaction, "The bot never mentions @everyone: pick a role members can "
                                                      "join for the daily question, or none. Nothing was saved.")
        practice = self.bot.app.practice
        await acks.in_time(interaction, practice.schedules.set(
            interaction.guild.id, channel_id=target.id, time_text=time, zone_name=timezone,
            role_id=role.id if role else None, set_by=interaction.user.id), ephemeral=True)
        status = await practice.schedules.status(interaction.guild.id)
        await reply_ephemeral(interaction, "Saved.\n" + practice_views.schedule_text(status))

    @set_schedule.autocomplete("timezone")
    async def timezone_autocomplete(self, interaction: discord.Interaction,
                                    current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in matching_zones(current)]

    @daily.command(name="off", description="Stop the daily quiz question (moderators)")
    @checks.moderator_only()
    async def off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        was_on = await self.bot.app.practice.schedules.off(interaction.guild_id, set_by=interaction.user.id)
        await reply_ephemeral(interaction, "The daily quiz is off; `/daily-quiz set` starts it again."
                              if was_on else "The daily quiz was not on.")

    @daily.command(name="show", description="Show the daily quiz settings and the next post time (moderators)")
    @checks.moderator_only()
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        status = await self.bot.app.practice.schedules.status(interaction.guild_id)
        await reply_ephemeral(interaction, practice_views.schedule_text(status))

    # ------------------------------------------------------------------ everyone

    @app_commands.command(name="leaderboard", description="Who scored the most quiz points in this server")
    @app_commands.describe(period="week (since Monday), month (since the 1st) or all time")
    async def leaderboard(self, interaction: discord.Interaction,
                          period: Literal["week", "month", "all"] = "week") -> None:
        message = await acks.in_time(interaction, practice_views.leaderboard_message(interaction, period, 0),
                                     ephemeral=False)
        await acks.respond(interaction, ephemeral=False, **message)

    @app_commands.command(name="progress", description="Your quiz progress: points, streak, reviews, a calendar")
    @app_commands.describe(member="Whose progress (default: yours)")
    async def progress(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        who = member or interaction.user
        practice = self.bot.app.practice
        progress = await acks.in_time(interaction, practice.standings.progress(interaction.guild_id, who.id),
                                      ephemeral=False)
        await acks.respond(interaction, ephemeral=False, embed=practice_views.progress_embed(progress, who.display_name),
                           file=practice_views.progress_file(progress))

    @app_commands.command(name="forget-me", description="Delete your quiz answers, points and review cards here")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(practice_views.FORGET_PROMPT, ephemeral=True,
                                                view=practice_views.forget_view(interaction.user.id),
                                                allowed_mentions=NO_MENTIONS)
