"""Writing the reader's tree out: one writer, a flavour per front-end.

`Writer` writes Markdown; a flavour says how text is made inert (escaped) and which marks it
shows. Matched words are marked only in prose: never in code, in a link's target, in a bare URL,
or inside strong emphasis (whose marks they would close). `PlainWriter` is the text a pipe gets:
no emphasis marks, matches as `**word**`, code indented. `CommonMarkWriter` is what rich's
Markdown renders on a terminal. Discord's flavour lives in the adapter (it escapes as Discord
reads, and breaks mentions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.core.reading.model import (
    Block, Break, Code, CodeBlock, Doc, Image, Inline, ListBlock, Paragraph, Quote, Span, Table, Text, plain_text,
)
from bot.core.search.reader import PLACEHOLDER
from bot.core.search.whole_words import WordIndex, word_index, word_spans

_URL = r"(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]"  # as discord.utils.escape_markdown finds them
BARE_URL = re.compile(_URL)
_UNMARKED = re.compile(rf"({_URL}|{PLACEHOLDER.pattern})")  # no match is marked in a URL or a file's name
_ABSOLUTE = re.compile(r"https?://[^\s/]", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")


class Writer:
    """Markdown with every mark closed; subclasses change escaping and marks."""

    emphasis = "*"
    strong = "**"
    strike = "~~"
    match = ("**", "**")
    quote_prefix = "> "
    rule = "———"
    item_separator = "\n"  # between the blocks of one list item

    def __init__(self, matched: Sequence[str] = ()) -> None:
        self.index: WordIndex = word_index(frozenset(matched)) if matched else {}
        self._written: dict[tuple[str, bool], str] = {}  # a cut is written several times while fitted

    # ------------------------------------------------------------------- blocks

    def write(self, doc: Doc | Sequence[Block]) -> str:
        return self.blocks(doc.blocks if isinstance(doc, Doc) else doc, 0)

    def blocks(self, blocks: Sequence[Block], quote: int) -> str:
        return "\n\n".join(text for text in (self.block(b, quote) for b in blocks) if text)

    def block(self, block: Block, quote: int) -> str:
        if isinstance(block, Paragraph):
            if block.heading:
                return self.heading(block.inlines)
            return self.guard(self.inlines(block.inlines))
        if isinstance(block, CodeBlock):
            return self.code_block(block)
        if isinstance(block, Quote):
            return self.quote(self.blocks(block.blocks, quote + 1), quote)
        if isinstance(block, ListBlock):
            return self.list(block, quote)
        if isinstance(block, Table):
            return self.table(block)
        return self.rule

    def heading(self, inlines: Sequence[Inline]) -> str:
        return f"{self.strong}{self.inlines(inlines, in_strong=bool(self.strong))}{self.strong}"

    def list(self, block: ListBlock, quote: int) -> str:
        out: list[str] = []
        for number, item in enumerate(block.items):
            marker = "- " if block.start is None else f"{block.start + number}. "
            body = self.item_separator.join(self.block(b, quote) for b in item).split("\n")
            out.append(marker + body[0])
            out += [(" " * len(marker) + line) if line else line for line in body[1:]]
        return "\n".join(out)

    def quote(self, text: str, quote: int) -> str:
        return "\n".join(self.quote_prefix + line if line else self.quote_prefix.rstrip() for line in text.split("\n"))

    def table(self, block: Table) -> str:
        rows = []
        for number, row in enumerate(block.rows):
            head = number == 0 and block.header
            cells = [self.heading(cell) if head and self.strong else self.inlines(cell) for cell in row]
            rows.append(self.guard(" | ".join(cells)))
        return "\n".join(rows)

    def code_block(self, block: CodeBlock) -> str:
        code = "\n".join(block.lines)
        fence = "`" * max(3, max((len(m) for m in _BACKTICKS.findall(code)), default=0) + 1)
        return self.around_code(block, f"{fence}{block.lang}\n{self.code(code)}\n{fence}")

    def around_code(self, block: CodeBlock, text: str) -> str:
        """A code block with how many of its lines are left out above and below."""
        if block.hidden_before:
            text = self.note(f"({_lines(block.hidden_before)} of code above)") + "\n" + text
        if block.hidden_after:
            text += "\n" + self.note(f"(… {_lines(block.hidden_after, 'more ')} of code in the notes)")
        return text

    def note(self, text: str) -> str:
        return f"{self.emphasis}{self.escape(text)}{self.emphasis}"

    def guard(self, text: str) -> str:
        """Text that must not start a line with what would read as a list, quote or heading."""
        return text

    # ------------------------------------------------------------------- inline

    def inlines(self, items: Sequence[Inline], *, in_strong: bool = False) -> str:
        out: list[str] = [""]
        for number, item in enumerate(items):
            if isinstance(item, Text):
                out.append(self.text(item.text, mark=not in_strong))
            elif isinstance(item, Code):
                out.append(self.code_span(item.text))
            elif isinstance(item, Break):
                out.append("\n")
            elif isinstance(item, Image):
                out.append(self.escape(f"[image: {item.alt}]"))
            elif item.kind == "link":
                out.append(self.link(self.inlines(item.children, in_strong=in_strong), item))
            elif item.kind == "strong" and in_strong:  # already bold: its marks would close the bold
                out.append(self.inlines(item.children, in_strong=True))
            else:
                strong = item.kind == "strong" and bool(self.strong)
                inner = self.inlines(item.children, in_strong=in_strong or strong)
                before = next((piece[-1] for piece in reversed(out) if piece), "")
                after = items[number + 1].text[:1] if number + 1 < len(items) and isinstance(items[number + 1], Text) else ""
                out.append(self.styled(item.kind, inner, before, after))
        return "".join(out)

    def styled(self, kind: str, inner: str, before: str, after: str) -> str:
        """Emphasis marks around `inner`, its edge spaces kept outside (a mark must touch text)."""
        core = inner.strip()
        if not core:
            return inner
        mark = {"em": self.emphasis_mark(before, after), "strong": self.strong, "strike": self.strike}[kind]
        return inner[:len(inner) - len(inner.lstrip())] + mark + core + mark + inner[len(inner.rstrip()):]

    def emphasis_mark(self, before: str, after: str) -> str:
        return self.emphasis

    def text(self, text: str, *, mark: bool = True) -> str:
        """Prose: escaped, with the matched words marked (not inside bare URLs or placeholders)."""
        written = self._written.get((text, mark))
        if written is None:
            written = self._written[(text, mark)] = self._text(text, mark)
        return written

    def _text(self, text: str, mark: bool) -> str:
        out: list[str] = []
        for number, part in enumerate(_UNMARKED.split(text)):
            if number % 2:
                out.append(self.url(part) if BARE_URL.fullmatch(part) else self.escape(part))
            elif not (mark and self.index):
                out.append(self.escape(part))
            else:
                last = 0
                for start, end in word_spans(part, self.index):
                    out += (self.escape(part[last:start]), self.match[0], self.escape(part[start:end]), self.match[1])
                    last = end
                out.append(self.escape(part[last:]))
        return "".join(out)

    def link(self, inner: str, span: Span) -> str:
        """A link to a page on the web shows where it leads; one within the notes is its text."""
        if not _ABSOLUTE.match(span.url):
            return inner
        if plain_text(span.children).strip() == span.url:
            return self.url(span.url)
        return f"[{inner}]({quoted_url(span.url)})"

    def escape(self, text: str) -> str:
        return text

    def url(self, url: str) -> str:
        return self.escape(url)

    def code(self, text: str) -> str:
        """Code as shown in a code span or block."""
        return text

    def code_span(self, text: str) -> str:
        text = self.code(text)
        ticks = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{ticks}{pad}{text}{pad}{ticks}"


class PlainWriter(Writer):
    """Plain text for a pipe: matches as `**word**`, code spans in backticks, code blocks indented,
    links as `text (url)`; no other mark."""

    emphasis = strong = strike = ""

    def heading(self, inlines: Sequence[Inline]) -> str:
        return self.inlines(inlines)

    def code_block(self, block: CodeBlock) -> str:
        return self.around_code(block, "\n".join(("    " + line).rstrip() for line in block.lines))

    def note(self, text: str) -> str:
        return text

    def link(self, inner: str, span: Span) -> str:
        if not _ABSOLUTE.match(span.url) or plain_text(span.children).strip() == span.url:
            return inner
        return f"{inner} ({span.url})"


class CommonMarkWriter(Writer):
    """CommonMark for rich's Markdown renderer: every ASCII punctuation character of the notes'
    text escaped, so only the marks written here are read."""

    _PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
    item_separator = "\n\n"  # a line right after a paragraph would continue it

    def escape(self, text: str) -> str:
        return self._PUNCTUATION.sub(r"\\\1", text)

    def link(self, inner: str, span: Span) -> str:
        if not _ABSOLUTE.match(span.url) or plain_text(span.children).strip() == span.url:
            return inner if not _ABSOLUTE.match(span.url) else self.escape(span.url)
        return f"[{inner}]({quoted_url(span.url)})"


def quoted_url(url: str) -> str:
    """A URL that cannot end a Markdown link early: spaces, brackets and quotes percent-encoded."""
    return re.sub(r"[\s()<>\[\]\"'`]", lambda m: f"%{ord(m.group(0)):02X}", url)


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


def _lines(count: int, more: str = "") -> str:
    return f"{count} {more}line" if count == 1 else f"{count} {more}lines"
