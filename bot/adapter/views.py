"""The buttons under an answer: "More", "Helpful", "Not helpful".

They are `DynamicItem`s (discord.py's examples/views/dynamic_counter.py): the custom_id carries
only the stored answer's id and the offset of the passages on show, so a click works after a
restart and on any shard, with no view kept in memory. "More" reads the question back from the
answer log, searches for the next page and has the log remember that page; a verdict is stored by
the log against the page as it was shown (the buttons never search again to guess it).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

import discord

from bot.adapter import acks, events, rendering
from bot.adapter.checks import bot_of
from bot.adapter.errors import report, reply_ephemeral
from bot.adapter.rendering import NO_MENTIONS

GONE = "That answer is no longer stored; please ask again."
NOT_YOURS = "Only the member who asked can page through this answer; ask your own with `/ask`."
THANKS = "Thanks for the feedback!"

Verdict = Literal["helpful", "not_helpful"]


def answer_view(answer_id: int, offset: int, has_more: bool) -> discord.ui.View:
    """The buttons for passages `offset`.. of answer `answer_id`.

    Every answer carries them, and building them from discord.ui items cost about a tenth of a
    millisecond per answer, so the payload is built once per shape (`has_more`) by `items_view` and
    only the custom ids are filled in (`Components`). Clicks reach the items registered with
    `bot.add_dynamic_items`; nothing is kept per message.
    """
    ids = (MoreButton.custom_id_for(answer_id, offset), FeedbackButton.custom_id_for(answer_id, offset, "helpful"),
           FeedbackButton.custom_id_for(answer_id, offset, "not_helpful"))
    rows = []
    for row in _answer_template(has_more):
        rows.append({**row, "components": [{**button, "custom_id": ids[button["custom_id"]]}
                                           for button in row["components"]]})
    return Components(rows)


def items_view(answer_id: int, offset: int, has_more: bool) -> discord.ui.View:
    """The same buttons as discord.ui items, returned *stopped* (discord.py need not keep the view
    per message; it would, with a 15-minute timeout task for every ephemeral answer)."""
    view = discord.ui.View(timeout=None)
    view.add_item(MoreButton(answer_id, offset, disabled=not has_more))
    view.add_item(FeedbackButton(answer_id, offset, "helpful"))
    view.add_item(FeedbackButton(answer_id, offset, "not_helpful"))
    view.stop()
    return view


@functools.lru_cache(maxsize=2)
def _answer_template(has_more: bool) -> list[dict[str, Any]]:
    """The buttons' payload with each custom id replaced by its button's index."""
    rows = items_view(0, 0, has_more).to_components()
    index = 0
    for row in rows:
        for button in row["components"]:
            button["custom_id"] = index
            index += 1
    return rows  # type: ignore[return-value]


class Components(discord.ui.View):
    """A stopped view that is only its components' payload: what discord.py needs of a view it
    sends and never dispatches (the buttons are dynamic items registered on the bot)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:  # no View state: nothing waits on it
        self._rows = rows

    @property
    def timeout(self) -> float | None:
        return None

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        """Never timed: discord.py only sets a timeout on views it keeps."""

    def __repr__(self) -> str:
        return f"<Components rows={self._rows!r}>"

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows

    def has_components_v2(self) -> bool:
        return False

    def is_finished(self) -> bool:
        return True

    def is_dispatchable(self) -> bool:
        return False


class MoreButton(discord.ui.DynamicItem[discord.ui.Button], template=r"notes:more:(?P<answer>\d+):(?P<offset>\d+)"):
    """Replace the passages on show with the next ones, editing the message in place."""

    def __init__(self, answer_id: int, offset: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label="More", style=discord.ButtonStyle.primary, disabled=disabled,
                                           custom_id=self.custom_id_for(answer_id, offset)))
        self.answer_id = answer_id
        self.offset = offset

    @staticmethod
    def custom_id_for(answer_id: int, offset: int) -> str:
        return f"notes:more:{answer_id}:{offset}"

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> MoreButton:
        return cls(int(match["answer"]), int(match["offset"]))

    @events.logged("button More")
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
            custom_id=self.custom_id_for(answer_id, offset, verdict),
        ))
        self.answer_id = answer_id
        self.offset = offset
        self.verdict: Verdict = verdict

    @staticmethod
    def custom_id_for(answer_id: int, offset: int, verdict: Verdict) -> str:
        return f"notes:{verdict}:{answer_id}:{offset}"

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> FeedbackButton:
        return cls(int(match["answer"]), int(match["offset"]), match["verdict"])  # type: ignore[arg-type]

    @events.logged("button Helpful/Not helpful")
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
