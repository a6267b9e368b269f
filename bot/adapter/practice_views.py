"""Practice as Discord messages: the leaderboard with its page buttons, the progress card with its
calendar picture, the daily-quiz settings, and the `/forget-me` confirmation.

Buttons are `DynamicItem`s with their state in the custom id (period, page, owner), so they work
after a restart and on any shard. Names in the leaderboard are `<@id>` inside an embed: Discord
shows them as names and an embed never pings, and every message goes out with no mentions allowed.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from typing import Any

import discord

from bot.adapter import events
from bot.adapter.checks import bot_of
from bot.adapter.errors import report, reply_ephemeral
from bot.adapter.rendering import COLOUR, NO_MENTIONS, safe
from bot.core.practice.calendar_image import render_calendar
from bot.core.practice.schedules import ScheduleStatus
from bot.core.practice.scores import DAILY_POINTS, QUIZ_POINTS, SCORING_RULES, Leaderboard, Period
from bot.core.practice.standings import Progress

log = logging.getLogger(__name__)

PERIOD_TITLES = {"week": "this week", "month": "this month", "all": "all time"}
NOT_YOUR_BOARD = "Only the member who asked can page through this leaderboard; use `/leaderboard` for your own."
NOT_YOURS = "This confirmation belongs to another member; use `/forget-me` for your own data."
FORGET_PROMPT = ("Delete **all your quiz answers, points, streaks and review cards in this server**? "
                 "This cannot be undone. Other members' data is not touched.")
IMAGE_NAME = "progress.png"


def timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: every member sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


# --------------------------------------------------------------------------- leaderboard


def leaderboard_embed(board: Leaderboard) -> discord.Embed:
    embed = discord.Embed(title=f"Leaderboard, {PERIOD_TITLES[board.period]}", colour=COLOUR)
    if not board.rows:
        embed.description = "Nobody has answered a quiz question in this period yet."
    else:
        embed.description = "\n".join(
            f"**{r.rank}.** <@{r.user_id}> — {r.points} pts ({r.correct}/{r.answered} right)" for r in board.rows)
    if board.own is not None:
        mine = f"#{board.own.rank} of {board.total} · {board.own.points} pts ({board.own.correct}/{board.own.answered} right)"
    else:
        mine = "no answers in this period yet"
    embed.add_field(name="You", value=mine, inline=False)
    embed.set_footer(text=f"Page {board.page + 1} of {board.pages} · {DAILY_POINTS} pts per first right daily "
                          f"answer, {QUIZ_POINTS} per first right /quiz answer")
    return embed


def leaderboard_view(board: Leaderboard, owner_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(board.period, board.page - 1, owner_id, "Previous", disabled=board.page == 0))
    view.add_item(PageButton(board.period, board.page + 1, owner_id, "Next", disabled=board.page >= board.pages - 1))
    view.stop()  # the dynamic items answer clicks; nothing is kept in memory
    return view


async def leaderboard_message(interaction: discord.Interaction, period: Period, page: int) -> dict[str, Any]:
    practice = bot_of(interaction).app.practice
    board = await practice.standings.leaderboard(interaction.guild_id, period, page=page,
                                                 caller_id=interaction.user.id)
    return {"embed": leaderboard_embed(board), "view": leaderboard_view(board, interaction.user.id)}


class PageButton(discord.ui.DynamicItem[discord.ui.Button],
                 template=r"practice:lb:(?P<period>week|month|all):(?P<page>-?\d+):(?P<owner>\d+):(?P<label>[PN])"):
    """Show another page of the leaderboard, for the member who asked for it."""

    def __init__(self, period: Period, page: int, owner_id: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
            custom_id=f"practice:lb:{period}:{page}:{owner_id}:{label[0]}"))
        self.period: Period = period
        self.page = page
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> PageButton:
        label = "Previous" if match["label"] == "P" else "Next"
        return cls(match["period"], int(match["page"]), int(match["owner"]), label)  # type: ignore[arg-type]

    @events.logged("leaderboard button")
    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            if interaction.user.id != self.owner_id:
                return await reply_ephemeral(interaction, NOT_YOUR_BOARD)
            message = await leaderboard_message(interaction, self.period, max(self.page, 0))
            await interaction.response.edit_message(**message, allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, "leaderboard page button")


# --------------------------------------------------------------------------- progress


def progress_embed(progress: Progress, name: str) -> discord.Embed:
    accuracy = f"{progress.accuracy:.0%}" if progress.accuracy is not None else "—"
    embed = discord.Embed(title=f"Progress of {safe(name)}", colour=COLOUR)
    embed.add_field(name="Points", value=str(progress.points))
    embed.add_field(name="Accuracy", value=f"{accuracy} ({progress.correct}/{progress.answered} right)")
    embed.add_field(name="Answered", value=str(progress.answered))
    embed.add_field(name="Streak", value=f"{progress.current_streak} days (best {progress.best_streak})")
    embed.add_field(name="Reviews due", value=str(progress.reviews_due))
    embed.set_image(url=f"attachment://{IMAGE_NAME}")
    embed.set_footer(text=f"Last 12 weeks ({progress.zone}): green right · red wrong · grey no answer")
    return embed


def progress_file(progress: Progress) -> discord.File:
    return discord.File(io.BytesIO(render_calendar(progress.calendar)), filename=IMAGE_NAME)


# --------------------------------------------------------------------------- settings


def schedule_text(status: ScheduleStatus | None) -> str:
    """`/daily-quiz show`: settings, next post (local and as a Discord timestamp), last post, problems."""
    if status is None:
        return "The daily quiz is not set up here. A moderator can start it with `/daily-quiz set`."
    s = status.schedule
    role = f" and mentions <@&{s.role_id}>" if s.role_id else ""
    lines = [f"Daily quiz: **{'on' if s.enabled else 'off'}** — posts in <#{s.channel_id}> at {safe(s.time_text)} "
             f"({safe(s.zone_name)}){role}."]
    if s.problem:
        lines.append(f"⚠️ Not posting: {safe(s.problem)}.")
    if status.next_post_at is not None:
        local = status.next_post_at.astimezone(s.zone).strftime("%Y-%m-%d %H:%M %Z")
        lines.append(f"Next post: {local} · {timestamp(status.next_post_at)} ({timestamp(status.next_post_at, 'R')}).")
    if status.last_post_at is not None:
        lines.append(f"Last post: {timestamp(status.last_post_at)} in <#{status.last_post_channel_id}>.")
    else:
        lines.append("Last post: none yet.")
    if s.last_error:
        when = f" ({timestamp(s.last_error_at)})" if s.last_error_at else ""
        lines.append(f"⚠️ Problem with the last attempt{when}: {safe(s.last_error)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- forget me


def forget_view(user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(user_id, True))
    view.add_item(ForgetButton(user_id, False))
    view.stop()
    return view


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=r"practice:forget:(?P<user>\d+):(?P<confirm>yes|no)"):
    """Confirm (or cancel) `/forget-me`; only the member it was shown to may click."""

    def __init__(self, user_id: int, confirm: bool) -> None:
        super().__init__(discord.ui.Button(
            label="Delete my data" if confirm else "Cancel",
            style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
            custom_id=f"practice:forget:{user_id}:{'yes' if confirm else 'no'}"))
        self.user_id = user_id
        self.confirm = confirm

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> ForgetButton:
        return cls(int(match["user"]), match["confirm"] == "yes")

    @events.logged("forget-me button")
    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            if interaction.user.id != self.user_id:
                return await reply_ephemeral(interaction, NOT_YOURS)
            if not self.confirm:
                return await interaction.response.edit_message(content="Cancelled: nothing was deleted.", view=None,
                                                               allowed_mentions=NO_MENTIONS)
            forgotten = await bot_of(interaction).app.practice.forget(interaction.guild_id, self.user_id)
            await interaction.response.edit_message(
                content=f"Done: deleted {forgotten.answers} answers and {forgotten.cards} review cards. "
                        "Your points and streaks here start from zero.", view=None, allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, "forget-me button")


HELP_FIELD = ("Points and streaks", SCORING_RULES)
DYNAMIC_ITEMS = (PageButton, ForgetButton)
__all__ = ["DYNAMIC_ITEMS", "HELP_FIELD", "forget_view", "leaderboard_message", "progress_embed",
           "progress_file", "schedule_text", "FORGET_PROMPT"]
