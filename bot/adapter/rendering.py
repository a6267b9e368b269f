"""Answers, summaries and short replies as Discord messages that always fit Discord's limits.

What members typed (a question, a name) is made inert: markdown escaped and every mention form
(`@everyone`, `@here`, `<@123>`, `<@!123>`, `<@&456>`) broken with a zero-width space, *in
addition to* sending with `AllowedMentions.none()`. A passage is the notes' own Markdown, rendered
by Discord (`markdown`): the lines around its matched words, read as a reader of the notes sees
them, cut on the reader's tree so that a cut never leaves a mark open.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Sequence
from datetime import timezone
from urllib.parse import quote

import discord
from discord import app_commands

from bot.adapter import limits
from bot.adapter.markdown import MENTION, note_markdown
from bot.core.reading.passages import passage_doc
from bot.core.search.answering import Answer, Passage
from bot.core.search.excerpt import fit_passage
from bot.core.search.service import ReindexSummary
from bot.core.storage.repositories import ReindexRunRecord

COLOUR = discord.Colour.blurple()
NOTHING_COLOUR = discord.Colour.orange()
QUESTION_LIMIT = 200  # shown in the title; the search itself uses the whole question
NO_MENTIONS = discord.AllowedMentions.none()

_SPACES = re.compile(r"\s+")


# discord.utils.escape_markdown's patterns (links kept as they are), compiled once: it builds and
# looks its regex up for every call, and it is called several times per passage shown (a test
# checks both give the same text). Each starts with a lookahead of the characters a match can
# begin with, so most places of the text are passed over at once; and text without a link (no
# ":/") is split at its matches and joined again with a backslash before each, which costs no
# Python call per match (a replacement function or template costs one).
_MARKDOWN = re.compile(
    r"(?=[<hs_\\~|*`\[#>\s-])"
    r"(?:(<[^: >]+:\/[^ >]+>|(?:https?|steam):\/\/[^\s<]+[^<.,:;\"\'\]\s])"
    r"|([_\\~|\*`]|^>(?:>>)?\s|\[.+\]\(.+\)|^#{1,3}|^\s*-))", re.MULTILINE)
_MARKDOWN_NO_LINKS = re.compile(r"(?=[_\\~|*`\[#>\s-])([_\\~|\*`]|^>(?:>>)?\s|\[.+\]\(.+\)|^#{1,3}|^\s*-)",
                                re.MULTILINE)


def _escaped(match: re.Match[str]) -> str:
    return match.group(1) or "\\" + match.group(2)


def escape_markdown(text: str) -> str:
    """What `discord.utils.escape_markdown(text)` returns, faster."""
    if ":/" in text:  # a link may be there: kept as it is
        return _MARKDOWN.sub(_escaped, text)
    parts = _MARKDOWN_NO_LINKS.split(text)  # text, match, text, match, …, text
    return "\\".join([parts[0], *map(operator.add, parts[1::2], parts[2::2])])


def safe(text: str) -> str:
    """User or note text made inert: no markdown, no mentions (a zero-width space after @)."""
    return MENTION.sub("@\u200b", escape_markdown(text))


def one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def source_link(passage: Passage, base_url: str | None) -> str:
    """`file:start-end` in code style; a link to the lines (GitHub style) when a base URL is set."""
    citation = f"`{passage.citation.replace('`', 'ˋ')}`"
    if not base_url:
        return citation
    url = f"{base_url.rstrip('/')}/{quote(passage.source)}#L{passage.start_line}-L{passage.end_line}"
    return f"[{citation}]({url})"


def passage_field(
    passage: Passage, rank: int, base_url: str | None, *,
    name_limit: int = limits.FIELD_NAME, value_limit: int = limits.FIELD_VALUE,
) -> tuple[str, str]:
    """(name, value) of one passage's embed field, each within its limit."""
    heading = passage.heading or passage.title or passage.source
    name = limits.fit(f"{rank}. {one_line(heading)}", name_limit, safe)
    # a passage longer than its room shows the lines around its matched words, cited exactly
    room = value_limit - len(source_link(passage, base_url)) - 1
    shown = fit_passage(passage, room)
    source = source_link(shown, base_url)
    if len(source) > value_limit // 2:  # a long link would crowd out the text: cite without it
        source = source_link(shown, None)
    if len(source) > value_limit // 2:
        source = "`" + limits.fit(shown.citation.replace("`", "ˋ"), value_limit // 2 - 2) + "`"
    budget = value_limit - len(source) - 1
    text = _passage_text(passage.text, passage.start_line, shown.start_line, shown.end_line, passage.matched,
                         room, budget)
    return name, f"{source}\n{text}" if text else source


@functools.lru_cache(maxsize=2048)
def _passage_text(text: str, first_line: int, start: int, end: int, matched: tuple[str, ...], room: int,
                  budget: int) -> str:
    """Lines `start`..`end` of a passage as Discord Markdown within `budget`: most of an answer's
    cost, and in a burst (a quiz post, a busy channel) the same passages come back for many members."""
    return note_markdown(passage_doc(text, first_line, start, end, matched, room), budget, matched)


def answer_embed(answer: Answer, *, base_url: str | None = None, first_rank: int = 1) -> discord.Embed:
    """The embed for an answer: one field per passage, or a plain "nothing matched"."""
    title = limits.fit(one_line(answer.question) or "(empty question)", QUESTION_LIMIT, safe)
    if not answer.passages:
        return nothing_embed(title, answer.suggestions)
    passages = answer.passages[: limits.FIELDS]
    last = first_rank + len(passages) - 1
    footer = (f"Passages {first_rank}–{last} from the notes" if last > first_rank
              else f"Passage {first_rank} from the notes")
    embed = discord.Embed(title=title, colour=COLOUR).set_footer(text=footer)
    # Share the 6,000-character total between the fields, leaving a little slack.
    available = limits.EMBED_TOTAL - len(title) - len(footer) - 10
    name_limit = min(limits.FIELD_NAME, available // len(passages) // 4)
    fields = []
    for rank, passage in enumerate(passages, first_rank):
        fields.append(passage_field(passage, rank, base_url, name_limit=name_limit, value_limit=limits.FIELD_VALUE))
    names = sum(len(name) for name, _ in fields)
    value_limit = min(limits.FIELD_VALUE, (available - names) // len(passages))
    if value_limit < limits.FIELD_VALUE:
        fields = [passage_field(p, r, base_url, name_limit=name_limit, value_limit=value_limit)
                  for r, p in enumerate(passages, first_rank)]
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)
    return embed


def nothing_embed(title: str, suggestions: Sequence[str]) -> discord.Embed:
    """No passage matched: say so plainly, with "did you mean" words when there are some."""
    text = "Nothing in the notes matches that question."
    if suggestions:
        text += "\nDid you mean: " + ", ".join(f"**{safe(s)}**" for s in suggestions) + "?"
    text += "\nTry other words, or `/help`."
    return discord.Embed(title=title, colour=NOTHING_COLOUR,
                         description=limits.fit(text, limits.EMBED_DESCRIPTION))


def summary_embed(summary: ReindexSummary, last: ReindexRunRecord | None = None) -> discord.Embed:
    """A reindex summary: counts, what changed, every skipped file with its reason, and when the
    notes were last indexed."""
    description = (f"{summary.files} files, {summary.chunks} passages, in {summary.seconds:.2f} s.\n"
                   f"Added {len(summary.added)} · changed {len(summary.changed)} · "
                   f"removed {len(summary.removed)} · unchanged {summary.unchanged} · "
                   f"skipped {len(summary.skipped)}")
    if summary.notice:
        description += f"\n**Warning:** {safe(summary.notice)}"
    description += "\n" + last_indexed_line(last)
    embed = discord.Embed(
        title="Notes reindexed",
        colour=discord.Colour.red() if summary.notice else discord.Colour.green(),
        description=limits.fit(description, limits.EMBED_DESCRIPTION),
    )
    for label, paths in (("Added", summary.added), ("Changed", summary.changed), ("Removed", summary.removed)):
        if paths:
            embed.add_field(name=label, value=limits.fit(", ".join(paths), limits.FIELD_VALUE, safe), inline=False)
    problems = [f"{s.path}: {s.reason}" for s in summary.skipped]
    problems += [f"{w.path}: {w.reason} (indexed)" for w in summary.warnings]
    if problems:
        embed.add_field(name="Skipped", value=limits.fit("\n".join(problems), limits.FIELD_VALUE, safe), inline=False)
    return embed


def last_indexed_line(last: ReindexRunRecord | None) -> str:
    """When the notes were last indexed, as a Discord relative timestamp."""
    if last is None:
        return "The notes have not been reindexed yet."
    finished = last.finished_at
    if finished.tzinfo is None:  # SQLite hands back naive datetimes; they are stored as UTC
        finished = finished.replace(tzinfo=timezone.utc)
    return f"Last indexed {discord.utils.format_dt(finished, 'R')} ({discord.utils.format_dt(finished, 'f')})."


def help_embed(commands: Sequence[tuple[str, str]], bot_name: str) -> discord.Embed:
    """What the bot does and how to use it; `commands` are (usage, description) pairs."""
    name = safe(bot_name)
    embed = discord.Embed(
        title=f"{name}: answers from the study group's notes",
        colour=COLOUR,
        description=(
            "Ask a question and I reply with the best-matching passages from the notes, each cited "
            "as `file:lines` with the matching words in bold. **More** shows the next passages; "
            "**Helpful** / **Not helpful** tell the maintainers how the answer did. `/quiz` asks you a "
            "question from the notes: answer with a button or in your own words."
        ),
    )
    lines = [f"`{usage}` — {safe(description)}" for usage, description in commands]
    embed.add_field(name="Commands", value=limits.fit("\n".join(lines), limits.FIELD_VALUE), inline=False)
    embed.add_field(
        name="Other ways to ask",
        value=(f"• Mention me: `@{name} how do I …?` (in any channel I can read, or in a DM)\n"
               "• Right-click a message → **Apps** → **Search the notes**"),
        inline=False,
    )
    return embed


def mention_help(bot_name: str) -> str:
    """The reply to a bare mention."""
    return (f"Ask me about the notes: `@{safe(bot_name)} what is a pod?`, or use `/ask`. "
            "`/help` lists everything I can do.")


def cooldown_text(retry_after: float) -> str:
    return f"You're asking quickly: try again in {max(1, math.ceil(retry_after))} s."


def command_usages(commands: Sequence[app_commands.Command | app_commands.Group]) -> list[tuple[str, str]]:
    """(usage, description) of every slash command, subcommands included: `/ask question [private]`."""
    usages: list[tuple[str, str]] = []
    for command in commands:
        if isinstance(command, app_commands.Group):
            usages += command_usages(command.commands)
            continue
        params = " ".join(p.name if p.required else f"[{p.name}]" for p in command.parameters)
        usages.append((f"/{command.qualified_name} {params}".strip(), command.description))
    return usages
