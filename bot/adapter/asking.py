"""Answering a question asked in Discord: by /ask, by the "Search the notes" menu, or by a mention.

All three end in the same message (`answer_message`): the answer is searched, recorded in the
answer log *first* (the buttons carry its id), rendered within Discord's limits and sent with no
mentions allowed. The cogs only call the functions here. Each question is counted in the app's
metrics (answered, no result, refused) and its answer's latency, from receipt to sent, observed.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.adapter import acks, events, limits, rendering, views
from bot.adapter.checks import bot_of
from bot.adapter.errors import SOMETHING_WRONG, reply_ephemeral
from bot.adapter.rendering import NO_MENTIONS
from bot.app import App
from bot.core.storage.database import connection_errors

if TYPE_CHECKING:
    from bot.adapter.client import NotesBot

log = logging.getLogger(__name__)

NO_TEXT = "That message has no text to search the notes for."
EMPTY_QUESTION = "Ask a question, for example `/ask question: how do I restart a pod?`"


async def answer_message(app: App, question: str, *, guild_id: int | None, channel_id: int | None,
                         user_id: int, interaction: discord.Interaction | None = None,
                         ephemeral: bool = False) -> dict[str, Any]:
    """The keyword arguments of a message answering `question` (embed, buttons, no mentions).

    With an `interaction`, it is deferred if storing the answer is slow (see acks.py). An answer
    that cannot be stored (database locked or down) is still sent, without buttons.
    """
    answer = app.notes.search(question, k=app.settings.top_k)
    app.metrics.questions.labels("answered" if answer.passages else "no_result").inc()
    asked = dict(guild_id=guild_id, channel_id=channel_id, user_id=user_id, question=question,
                 passages=answer.passages)
    answer_id = app.answers.record_answer_now(**asked)  # nearly always: the id is in memory
    if answer_id is None:  # a new block of ids first: a database write, which may be slow
        record = app.answers.record_answer(**asked)
        try:
            answer_id = await (acks.in_time(interaction, record, ephemeral=ephemeral) if interaction else record)
        except connection_errors() as exc:
            log.warning("could not store the answer to %r (%s); sending it without buttons", question[:100], exc)
            answer_id = None
    message: dict[str, Any] = {
        "embed": rendering.answer_embed(answer, base_url=app.settings.notes_base_url),
        "allowed_mentions": NO_MENTIONS,
    }
    if answer.passages and answer_id is not None:  # nothing matched: nothing to page through or rate
        message["view"] = views.answer_view(answer_id, 0, answer.has_more)
    return message


async def ask(interaction: discord.Interaction, question: str, *, private: bool) -> None:
    """/ask: answer in the channel, or only to the member with `private`."""
    started, app = time.perf_counter(), bot_of(interaction).app
    if not question.strip():
        app.metrics.questions.labels("refused").inc()
        return await reply_ephemeral(interaction, EMPTY_QUESTION)
    message = await answer_message(app, question, guild_id=interaction.guild_id,
                                   channel_id=interaction.channel_id, user_id=interaction.user.id,
                                   interaction=interaction, ephemeral=private)
    await acks.respond(interaction, ephemeral=private, **message)
    _answered(app, started)


def _answered(app: App, started: float) -> None:
    """Observe an answer's latency, from the question's receipt (`perf_counter`) until it was sent."""
    app.metrics.answer_seconds.observe(time.perf_counter() - started)


def completions(app: App, typed: str) -> list[app_commands.Choice[str]]:
    """/ask's autocomplete: headings and key terms that continue what the member typed."""
    try:
        found = app.notes.engine.completions(typed, limit=limits.CHOICES)
    except Exception:  # noqa: BLE001 - a failed suggestion must not disturb typing
        log.warning("autocomplete failed for %r", typed, exc_info=True)
        return []
    choices = [text[: limits.CHOICE_LENGTH] for text in found if text.strip()]
    return [app_commands.Choice(name=c, value=c) for c in dict.fromkeys(choices)][: limits.CHOICES]


async def search_message(interaction: discord.Interaction, message: discord.Message) -> None:
    """The "Search the notes" menu: answer with a reply to that message, or, when the bot cannot
    post there, privately to the member who used the menu."""
    started, bot = time.perf_counter(), bot_of(interaction)
    question = strip_mentions(message.content, bot, interaction.guild)
    if not question:
        bot.app.metrics.questions.labels("refused").inc()
        return await reply_ephemeral(interaction, NO_TEXT)
    ask_where = dict(guild_id=interaction.guild_id, user_id=interaction.user.id)
    if not can_reply_in(interaction):
        reply = await answer_message(bot.app, question, channel_id=interaction.channel_id, **ask_where,
                                     interaction=interaction, ephemeral=True)
        await acks.respond(interaction, ephemeral=True, **reply)
        return _answered(bot.app, started)
    await interaction.response.defer(ephemeral=True, thinking=True)
    reply = await answer_message(bot.app, question, channel_id=message.channel.id, **ask_where)
    try:
        await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                                   mention_author=False, **reply)
    except discord.HTTPException as exc:  # permissions changed, message gone: answer privately
        log.info("could not reply in channel %s (%s); answering privately", message.channel.id, exc)
        await interaction.followup.send(ephemeral=True, **reply)
        return _answered(bot.app, started)
    _answered(bot.app, started)
    await interaction.delete_original_response()  # the reply is the answer; drop the "thinking…"


def can_reply_in(interaction: discord.Interaction) -> bool:
    """Whether the bot may post a reply with an embed in the interaction's channel."""
    if interaction.guild_id is None:
        return isinstance(interaction.channel, discord.DMChannel)
    perms = interaction.app_permissions
    in_thread = isinstance(interaction.channel, discord.Thread)
    can_send = perms.send_messages_in_threads if in_thread else perms.send_messages
    return perms.view_channel and can_send and perms.embed_links and perms.read_message_history


async def answer_mention(bot: NotesBot, message: discord.Message) -> None:
    """`@bot question` in a channel, or any message in a DM: reply with the answer.

    A flooding member gets one short "try again in N s" reply per cooldown window and is then
    ignored until the window has passed, so the bot cannot be made to flood the channel instead.
    """
    if message.author.bot or message.webhook_id is not None or bot.user is None:
        return
    started = time.perf_counter()
    is_dm = message.guild is None
    if not is_dm and not mentions_bot(message, bot):
        return
    outcome = await _answer_mention(bot, message, started)
    events.emit("mention", message.guild.id if message.guild else None, started, outcome)


async def _answer_mention(bot: NotesBot, message: discord.Message, started: float) -> str:
    """Reply to a message that asks the bot; returns the outcome for the event's log line."""
    assert bot.user is not None
    try:
        question = strip_mentions(message.content, bot, message.guild)
        if not question:
            await _reply(message, content=rendering.mention_help(bot.user.display_name))
            return "ok"
        retry_after = bot.ask_cooldown.retry_after(message.author.id)
        if retry_after:
            bot.app.metrics.questions.labels("refused").inc()
            if not bot.cooldown_notices.retry_after(message.author.id):
                await _reply(message, content=rendering.cooldown_text(retry_after))
            return "refused"
        reply = await answer_message(bot.app, question, guild_id=message.guild.id if message.guild else None,
                                     channel_id=message.channel.id, user_id=message.author.id)
        await _reply(message, **reply)
        _answered(bot.app, started)
        return "ok"
    except discord.Forbidden:
        log.info("may not reply in channel %s", message.channel.id)
        return "refused"
    except Exception:  # noqa: BLE001 - listeners' errors are only logged by discord.py
        log.exception("answering a mention failed (guild %s, channel %s, user %s)",
                      message.guild.id if message.guild else None, message.channel.id, message.author.id)
        try:
            await _reply(message, content=SOMETHING_WRONG)
        except discord.HTTPException:
            pass
        return "error"


async def _reply(message: discord.Message, **kwargs: Any) -> None:
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    await message.channel.send(reference=message.to_reference(fail_if_not_exists=False),
                               mention_author=False, **kwargs)


def mentions_bot(message: discord.Message, bot: NotesBot) -> bool:
    """Whether the message addresses the bot by name or by its own role (not via @everyone or by
    replying to one of its messages)."""
    return any(token in message.content for token in _mention_tokens(message.guild, bot))


def strip_mentions(content: str, bot: NotesBot, guild: discord.Guild | None) -> str:
    """The question without the bot's mentions, spaces collapsed, trimmed."""
    for token in _mention_tokens(guild, bot):
        content = content.replace(token, " ")
    return re.sub(r"[ \t]+", " ", content).strip()


def _mention_tokens(guild: discord.Guild | None, bot: NotesBot) -> list[str]:
    assert bot.user is not None
    tokens = [f"<@{bot.user.id}>", f"<@!{bot.user.id}>"]
    if guild is not None and guild.self_role is not None:  # the bot's managed role, picked by mistake
        tokens.append(f"<@&{guild.self_role.id}>")
    return tokens
