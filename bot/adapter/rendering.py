"""Answers and summaries as Discord embeds that always fit Discord's limits.

Passage text is escaped (so notes cannot inject markdown or mentions) and cut at a word boundary
*before* the matched words are bolded, so a cut never breaks markup.
"""

from __future__ import annotations

import re
from datetime import datetime

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.adapter import limits
from bot.core.answering import Answer, Passage
from bot.core.service import ReindexSummary

COLOUR = discord.Colour.blurple()
NOTHING_COLOUR = discord.Colour.orange()
QUESTION_LIMIT = 200  # shown in the title; the search itself uses the whole question


def safe(text: str) -> str:
    """User or note text made inert: no markdown, no mentions (a zero-width space after @)."""
    return escape_mentions(escape_markdown(text))


def source_link(passage: Passage, base_url: str | None) -> str:
    citation = f"`{passage.citation}`"
    if not base_url:
        return citation
    url = f"{base_url.rstrip('/')}/{passage.source}#L{passage.start_line}-L{passage.end_line}"
    return f"[{citation}]({url.replace(' ', '%20').replace(')', '%29')})"


def bold_matches(escaped: str, words: tuple[str, ...]) -> str:
    if not words:
        return escaped
    pattern = r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w])"
    return re.sub(pattern, r"**\1**", escaped, flags=re.IGNORECASE)


def passage_field(passage: Passage, rank: int, base_url: str | None) -> tuple[str, str]:
    """(name, value) of one passage's embed field, each within its limit."""
    heading = passage.heading or passage.title or passage.source
    name = limits.fit(f"{rank}. {heading}", limits.FIELD_NAME, safe)
    link = source_link(passage, base_url)
    budget = limits.FIELD_VALUE - len(link) - 1
    text = limits.fit(_plain(passage.text), budget, lambda s: bold_matches(safe(s), passage.matched))
    return name, f"{link}\n{text}"


def answer_embed(answer: Answer, *, base_url: str | None = None, first_rank: int = 1) -> discord.Embed:
    """The embed for an answer: one field per passage, or a plain "nothing matched"."""
    title = limits.fit(answer.question.strip() or "(empty question)", QUESTION_LIMIT, safe)
    if not answer.passages:
        embed = discord.Embed(title=title, colour=NOTHING_COLOUR,
                              description="Nothing in the notes matches that question.")
        if answer.suggestions:
            embed.description += "\nDid you mean: " + ", ".join(f"**{safe(s)}**" for s in answer.suggestions) + "?"
        return embed
    embed = discord.Embed(title=title, colour=COLOUR)
    for rank, passage in enumerate(answer.passages, first_rank):
        name, value = passage_field(passage, rank, base_url)
        embed.add_field(name=name, value=value, inline=False)
    last = first_rank + len(answer.passages) - 1
    embed.set_footer(text=f"Passages {first_rank}–{last} from the notes" if last > first_rank
                     else f"Passage {first_rank} from the notes")
    return embed


def summary_embed(summary: ReindexSummary) -> discord.Embed:
    """A reindex summary: counts, what changed, and every skipped file with its reason."""
    embed = discord.Embed(
        title="Notes reindexed",
        colour=discord.Colour.red() if summary.notice else discord.Colour.green(),
        description=(f"{summary.files} files, {summary.chunks} passages, in {summary.seconds:.2f} s.\n"
                     f"Added {len(summary.added)} · changed {len(summary.changed)} · "
                     f"removed {len(summary.removed)} · unchanged {summary.unchanged} · "
                     f"skipped {len(summary.skipped)}"),
    )
    if summary.notice:
        embed.description += f"\n**Warning:** {safe(summary.notice)}"
    for label, paths in (("Added", summary.added), ("Changed", summary.changed), ("Removed", summary.removed)):
        if paths:
            embed.add_field(name=label, value=limits.fit(", ".join(paths), limits.FIELD_VALUE, safe), inline=False)
    problems = [f"{s.path}: {s.reason}" for s in summary.skipped] + [f"{w.path}: {w.reason} (indexed)" for w in summary.warnings]
    if problems:
        embed.add_field(name="Skipped", value=limits.fit("\n".join(problems), limits.FIELD_VALUE, safe), inline=False)
    return embed


def last_indexed_line(finished_at: datetime | None) -> str:
    if finished_at is None:
        return "The notes have not been reindexed from Discord yet."
    return f"Last indexed {discord.utils.format_dt(finished_at, 'R')}."


def _plain(text: str) -> str:
    """Collapse blank-line runs so passages stay compact in an embed."""
    return re.sub(r"\n{3,}", "\n\n", text.strip())
