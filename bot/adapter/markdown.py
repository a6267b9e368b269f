"""The notes' Markdown as Discord reads it: the core's reader's tree written in Discord's flavour.

Only the notes' own marks are written as Markdown (code, emphasis, lists, quotes, code blocks with
their language); every character of their text is escaped as Discord reads it, and every mention
(`@everyone`, `<@123>`, ...) is broken with a zero-width space, in code too: the message is sent with
`AllowedMentions.none()` as well. What members typed never comes here (`rendering.safe`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.reading import Writer, fit, read_inline
from bot.core.reading.model import CodeBlock, Doc, Paragraph, Quote, Span
from bot.core.reading.writer import host_of

# `@` followed by what would make Discord render (or ping) a mention; numeric ids of any length,
# because discord.utils.escape_mentions only breaks 17-20 digit ones.
MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")
_SPECIAL = re.compile(r"([\\*_~|`\[<])")  # each read by Discord as markup
_LINE_START = re.compile(r"^([ \t]*)(-#|[#>+-]|\d+(?=[.)]))(?=[ \t.)])", re.MULTILINE)
_FENCE = re.compile(r"```")


class DiscordWriter(Writer):
    """Discord's Markdown: `_emphasis_`, `**strong**`, code spans and blocks, one level of quote,
    masked links followed by where they lead."""

    emphasis = "_"

    def escape(self, text: str) -> str:
        return MENTION.sub("@\u200b", _SPECIAL.sub(r"\\\1", text))

    def url(self, url: str) -> str:
        return MENTION.sub("@\u200b", url)  # Discord makes it a link; escaping would change it

    def code(self, text: str) -> str:
        return MENTION.sub("@\u200b", text)

    def code_span(self, text: str) -> str:
        if "``" in text:  # Discord has no longer code-span fences
            text = text.replace("`", "ˋ")
        return super().code_span(text)

    def code_block(self, block: CodeBlock) -> str:
        code = _FENCE.sub("`\u200b``", self.code("\n".join(block.lines)))
        return self.around_code(block, f"```{block.lang}\n{code}\n```")

    def emphasis_mark(self, before: str, after: str) -> str:
        """`_x_` unless inside a word, where Discord reads only `*x*`."""
        return "*" if (before.isalnum() or before == "_" or after.isalnum() or after == "_") else "_"

    def link(self, inner: str, span: Span) -> str:
        text = super().link(inner, span)
        if text.startswith("[") and text.endswith(")"):  # masked: say where it leads
            text += f" ({self.escape(host_of(span.url))})"
        return text

    def quote(self, text: str, quote: int) -> str:
        """Discord quotes one level deep, and a line of only `>` is not part of the quote."""
        if quote:
            return text
        return "\n".join("> " + line for line in text.split("\n") if line.strip())

    def guard(self, text: str) -> str:
        return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                               else m.group(1) + m.group(2) + "\\", text)


def note_markdown(doc: Doc, limit: int, matched: Sequence[str] = ()) -> str:
    """Notes' text within `limit` characters of Discord Markdown, matched words in bold."""
    return fit(doc, limit, DiscordWriter(matched).write)


def note_line(text: str, limit: int, *, bold: bool = False) -> str:
    """One line of note text (a quiz's question, choice, answer or explanation) within `limit`
    characters; `bold` when it goes between `**` marks (its own strong marks are then left out)."""
    writer = DiscordWriter()
    doc = Doc((Paragraph(read_inline(text)),))
    if bold:
        return fit(doc, limit, lambda d: writer.inlines(d.blocks[0].inlines if d.blocks else (), in_strong=True))
    return fit(doc, limit, writer.write)


def quoted_notes(doc: Doc, limit: int) -> str:
    """Notes' text as a Discord quote within `limit` characters."""
    writer = DiscordWriter()
    return fit(doc, limit, lambda d: writer.write(Doc((Quote(d.blocks),))) if d.blocks else "")
