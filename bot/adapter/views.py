"""The buttons under an answer: "More", "Helpful", "Not helpful".

They are `DynamicItem`s (discord.py's examples/views/dynamic_counter.py): the custom_id carries
only the stored answer's id and the offset of the passages on show, so a click works after a
restart and on any shard, with no view kept in memory. "More" reads the question back from the
answer log, searches for the next page and has the log remember that page; a verdict is stored by
the log against the page as it was shown (the buttons never search again to guess it).
"""

from __future__ import annotations

import re
from typing import Any, Literal

import discord

from bot.adapter import acks, rendering
from bot.adapter.checks import bot_of
from bot.adapter.errors import report, reply_ephemeral
from bot.adapter.rendering import NO_MENTIONS

GONE = "That answer is no longer stored; please ask again."
NOT_YOURS = "Only the member who asked can page through this answer; ask your own with `/ask`."
THANKS = "Thanks for the feedback!"

Verdict = Literal["helpful", "not_helpful"]


def answer_view(answer_id: int, offset: int, has_more: bool) -> discord.ui.View:
    """The buttons for passages `offset`.. of answer `answer_id`.

    The view is returned *stopped*: clicks reach the items registered with
    `bot.add_dynamic_items`, so discord.py need not keep the view per message (it would, with a
    15-minute timeout task for every ephemeral answer).
    """
    view = discord.ui.View(timeout=None)
    view.add_item(MoreButton(answer_id, offset, disabled=not has_more))
    view.add_item(FeedbackButton(answer_id, offset, "helpful"))
    view.add_item(FeedbackButton(answer_id, offset, "not_helpful"))
    view.stop()
    return view


class MoreButton(discord.ui.DynamicItem[discord.ui.Button], template=r"notes:more:(?P<answer>\d+):(?P<offset>\d+)"):
    """Replace the passages on show with the next ones, editing the message in place."""

    def __init__(self, answer_id: int, offset: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label="More", style=discord.ButtonStyle.primary, disabled=disabled,
                                           custom_id=f"notes:more:{answer_id}:{offset}"))
        self.answer_id = answer_id
        self.offset = offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> MoreButton:
        return cls(int(match["answer"]), int(match["offset"]))

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await self._more(interaction)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, "button 'More'")

    async def _more(self, interaction: discord.Interaction) -> None:
        app = bot_of(interaction).app
        record = await app.answers.get(self.answer_id)
        if record is None:
            return await reply_ephemeral(interaction, GONE)
        if record.user_id != interaction.user.id:
            return await reply_ephemeral(interaction, NOT_YOURS)
        k = app.settings.top_k
        offset = self.offset + k
        answer = app.notes.search(record.question, k=k, offset=offset)
        if not answer.passages:  # the index changed since: nothing further to show
            return await interaction.response.edit_message(view=answer_view(self.answer_id, self.offset, False),
                                                           allowed_mentions=NO_MENTIONS)
        await acks.in_time(interaction, app.answers.record_page(self.answer_id, offset, answer.passages),
                           ephemeral=False, update=True)
        embed = rendering.answer_embed(answer, base_url=app.settings.notes_base_url, first_rank=offset + 1)
        await acks.edit(interaction, embed=embed, view=answer_view(self.answer_id, offset, answer.has_more))


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button],
                     template=r"notes:(?P<verdict>helpful|not_helpful):(?P<answer>\d+):(?P<offset>\d+)"):
    """Record whether the passages on show helped; any member may say so, once per answer."""

    def __init__(self, answer_id: int, offset: int, verdict: Verdict) -> None:
        helpful = verdict == "helpful"
        super().__init__(discord.ui.Button(
            label="Helpful" if helpful else "Not helpful",
            style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
            custom_id=f"notes:{verdict}:{answer_id}:{offset}",
        ))
        self.answer_id = answer_id
        self.offset = offset
        self.verdict: Verdict = verdict

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> FeedbackButton:
        return cls(int(match["answer"]), int(match["offset"]), match["verdict"])  # type: ignore[arg-type]

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await self._record(interaction)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, f"button {self.item.label!r}")

    async def _record(self, interaction: discord.Interaction) -> None:
        app = bot_of(interaction).app
        stored = await acks.in_time(interaction, app.answers.record_feedback(
            answer_id=self.answer_id, user_id=interaction.user.id, guild_id=interaction.guild_id,
            verdict=self.verdict, offset=self.offset), ephemeral=True)
        await reply_ephemeral(interaction, THANKS if stored else GONE)


DYNAMIC_ITEMS = (MoreButton, FeedbackButton)
