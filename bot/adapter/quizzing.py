"""/quiz: pick a question for the member, store the post, send the question message.

The cog only calls `quiz()`; the message and its buttons come from quiz_views, which the daily
prompt shares. Choosing and storing happen before Discord is answered (the buttons carry the post
id), within `acks.in_time` so a slow database defers instead of missing the 3 s.
"""

from __future__ import annotations

import logging

import discord

from bot.adapter import acks
from bot.adapter.checks import bot_of
from bot.adapter.errors import reply_ephemeral
from bot.adapter.quiz_views import render_quiz_message
from bot.adapter.rendering import safe
from bot.core.errors import NoQuestion
from bot.core.quiz.posts import QuizPost
from bot.core.quiz.service import Pick

log = logging.getLogger(__name__)


async def quiz(interaction: discord.Interaction, topic: str | None, *, private: bool) -> None:
    """/quiz [topic] [private]: a question for the caller, in the channel or only for them."""
    app = bot_of(interaction).app
    try:
        pick, post = await acks.in_time(interaction, _pick_and_post(interaction, topic), ephemeral=private)
    except NoQuestion as none:
        return await reply_ephemeral(interaction, no_question_text(none))
    message = render_quiz_message(pick.question, post.id, post.kind, 0, note=pick.note)
    if interaction.response.is_done():
        sent = await interaction.followup.send(ephemeral=private, wait=True, **message)
        message_id: int | None = sent.id
    else:
        callback = await interaction.response.send_message(ephemeral=private, **message)
        message_id = callback.message_id
    if message_id is not None:
        await app.quiz.set_message(post.id, message_id)


async def _pick_and_post(interaction: discord.Interaction, topic: str | None) -> tuple[Pick, QuizPost]:
    app = bot_of(interaction).app
    pick = await app.quiz.pick(guild_id=interaction.guild_id, user_id=interaction.user.id, topic=topic)
    post = await app.quiz.post(pick.question, kind="quiz", guild_id=interaction.guild_id,
                               channel_id=interaction.channel_id, user_id=interaction.user.id)
    return pick, post


def no_question_text(none: NoQuestion) -> str:
    """Why there is no question, with "did you mean" topics, made inert (the topic is echoed)."""
    text = safe(str(none))
    return text if not none.suggestions else text + "\nTry `/quiz topic:` with one of those words."


