"""Answers, summaries and short replies as Discord messages that always fit Discord's limits.

Everything shown comes from notes or members, so it is made inert first: markdown escaped and every
mention form (`@everyone`, `@here`, `<@123>`, `<@!123>`, `<@&456>`) broken with a zero-width space,
*in addition to* sending with `AllowedMentions.none()`. Passage text is cut at a word boundary
*before* it is escaped and the matched words are bolded, so a cut never breaks markup.
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
import re
from collections.abc import Callable, Sequence
from datetime import timezone
from urllib.parse import quote

import discord
from discord import app_commands

from bot.adapter import limits
from bot.core.search.answering import Answer, Passage
from bot.core.search.excerpt import fit_passage
from bot.core.search.service import ReindexSummary
from bot.core.search.whole_words import WordIndex, word_index, word_spans
from bot.core.storage.repositories import ReindexRunRecord

COLOUR = discord.Colour.blurple()
NOTHING_COLOUR = discord.Colour.orange()
QUESTION_LIMIT = 200  # shown in the title; the search itself uses the whole question
NO_MENTIONS = discord.AllowedMentions.none()

# `@` followed by what would make Discord render (or ping) a mention; numeric ids of any length,
# because discord.utils.escape_mentions only breaks 17-20 digit ones.
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")
_SPACES = re.compile(r"\s+")
_HEADING_LINE = re.compile(r"\A#{1,6}[ \t][^\n]*(\n|\Z)")
_URL = re.compile(r"((?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]|<[^: >]+:/[^ >]+>)")  # as escape_markdown


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
    return _MENTION.sub("@\u200b", escape_markdown(text))


def one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def source_link(passage: Passage, base_url: str | None) -> str:
    """`file:start-end` in code style; a link to the lines (GitHub style) when a base URL is set."""
    citation = f"`{passage.citation.replace('`', 'ˋ')}`"
    if not base_url:
        return citation
    url = f"{base_url.rstrip('/')}/{quote(passage.source)}#L{passage.start_line}-L{passage.end_line}"
    return f"[{citation}]({url})"


def bold_matches(escaped: str, words: Sequence[str]) -> str:
    """Bold whole-word occurrences of `words` (any case; the longest word where several start at
    one place) in already escaped text, outside links (a bolded link would break) and never right
    after a backslash (it would escape the asterisk)."""
    if not words:
        return escaped
    index = word_index(frozenset(words))
    parts = _URL.split(escaped)  # odd items are the links
    return "".join(part if i % 2 else _bold_part(part, index) for i, part in enumerate(parts))


def _bold_part(text: str, index: WordIndex) -> str:
    out, last = [], 0
    for start, end in word_spans(text, index, escaped=True):
        out += (text[last:start], "**", text[start:end], "**")
        last = end
    out.append(text[last:])
    return "".join(out)


_ESCAPED = re.compile(r"[_\\~|*`]")  # what escape_markdown escapes one by one


def _rendered_length(raw: str, words: Sequence[str]) -> Callable[[int], int]:
    """A close guess of len(bold_matches(safe(raw[:n]), words)) for any n, from one scan of `raw`:
    a backslash per markdown character, four asterisks per matched word (links, mentions and
    line-start markup are ignored; `limits.fit` only uses it to choose where to look)."""
    marks = [m.start() for m in _ESCAPED.finditer(raw)]
    bolds = [end for _, end in word_spans(raw, word_index(frozenset(words)), escaped=True)] if words else []
    return lambda n: n + bisect.bisect_left(marks, n) + 4 * bisect.bisect_right(bolds, n)


def passage_field(
    passage: Passage, rank: int, base_url: str | None, *,
    name_limit: int = limits.FIELD_NAME, value_limit: int = limits.FIELD_VALUE,
) -> tuple[str, str]:
    """(name, value) of one passage's embed field, each within its limit."""
    heading = passage.heading or passage.title or passage.source
    name = limits.fit(f"{rank}. {one_line(heading)}", name_limit, safe)
    # a passage longer than its room shows the lines around its matched words, cited exactly
    passage = fit_passage(passage, value_limit - len(source_link(passage, base_url)) - 1)
    source = source_link(passage, base_url)
    if len(source) > value_limit // 2:  # a long link would crowd out the text: cite without it
        source = source_link(passage, None)
    if len(source) > value_limit // 2:
        source = "`" + limits.fit(passage.citation.replace("`", "ˋ"), value_limit // 2 - 2) + "`"
    budget = value_limit - len(source) - 1
    text = _passage_text(passage.text, passage.matched, budget)
    return name, f"{source}\n{text}" if text else source


@functools.lru_cache(maxsize=2048)
def _passage_text(text: str, matched: tuple[str, ...], budget: int) -> str:
    """A passage's text, cut to `budget`, escaped and highlighted: most of an answer's cost, and
    in a burst (a quiz post, a busy channel) the same passages come back for many members."""
    return limits.fit(_compact(text), budget, lambda s: bold_matches(safe(s), matched),
                      estimate=lambda raw: _rendered_length(raw, matched))


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


def _compact(text: str) -> str:
    """The passage without its heading line (the field's name shows it) and blank-line runs."""
    text = _HEADING_LINE.sub("", text.strip(), count=1)
    return re.sub(r"\n{3,}", "\n\n", text.strip())


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
