"""A passage's Markdown read into the reader's tree with markdown-it.

First `reader.reader_markdown` removes what a reader never sees (the same decisions the index
makes), then markdown-it parses the rest with raw HTML off: what is left that looks like HTML is a
placeholder such as `<pod-name>` and stays text. A reference link whose definition is in the
passage becomes a link; one whose definition is elsewhere in the note shows its text. Terminal
escape sequences are no reader's text either: they go first (`terminal_text`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.reading.model import (
    Block, Break, Code, CodeBlock, Doc, Image, Inline, ListBlock, Paragraph, Quote, Rule, Span, Table, Text,
)
from bot.core.search.markup import reference_links_as_text
from bot.core.search.reader import reader_markdown
from bot.core.terminal_text import strip_control

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_LANGUAGE = re.compile(r"[\w+#.-]+")
_SPACES = re.compile(r"[ \t]{2,}")
_SPANS = {"em_open": "em", "strong_open": "strong", "s_open": "strike", "link_open": "link"}
_CLOSES = {"em_close", "strong_close", "s_close", "link_close"}


@functools.lru_cache(maxsize=2048)
def read_passage(text: str, first_line: int = 1) -> Doc:
    """The passage `text`, whose first line is line `first_line` of its note, as a reader sees it."""
    source = reader_markdown(strip_control(text.replace("\r\n", "\n").replace("\r", "\n")))
    blocks, _ = _blocks(_md.parse(source), 0, first_line, None)
    return Doc(tuple(blocks))


@functools.lru_cache(maxsize=2048)
def read_inline(text: str) -> tuple[Inline, ...]:
    """One line of note text (a quiz's question, a choice, an answer) as its inline Markdown."""
    tokens = _md.parseInline(reader_markdown(strip_control(" ".join(text.split()))))
    return _inlines(tokens[0].children or [], 1) if tokens else ()


def _blocks(tokens: Sequence[Token], i: int, base: int, close: str | None) -> tuple[list[Block], int]:
    """Blocks from tokens[i] up to the `close` token (or the end); the index after it."""
    out: list[Block] = []
    while i < len(tokens):
        token = tokens[i]
        line = base + (token.map[0] if token.map else 0)
        if token.type == close:
            return out, i + 1
        if token.type in ("paragraph_open", "heading_open"):
            level = int(token.tag[1]) if token.type == "heading_open" else 0
            inlines = _inlines(tokens[i + 1].children or [], line)
            if inlines:
                out.append(Paragraph(inlines, level))
            i += 3
        elif token.type in ("fence", "code_block"):
            match = _LANGUAGE.search(token.info.split(",")[0].strip("{} ")) if token.type == "fence" else None
            lines = token.content.removesuffix("\n").split("\n")
            out.append(CodeBlock(match.group(0).lower() if match else "", tuple(lines),
                                 line + (1 if token.type == "fence" else 0)))
            i += 1
        elif token.type == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, base, "blockquote_close")
            if inner:
                out.append(Quote(tuple(inner)))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            items: list[tuple[Block, ...]] = []
            i += 1
            while i < len(tokens) and tokens[i].type == "list_item_open":
                inner, i = _blocks(tokens, i + 1, base, "list_item_close")
                if inner:
                    items.append(tuple(inner))
            start = int(str(token.attrs.get("start", 1))) if token.type == "ordered_list_open" else None
            if items:
                out.append(ListBlock(tuple(items), start))
            i += 1  # the list's closing token
        elif token.type == "table_open":
            table, i = _table(tokens, i + 1, base)
            if table.rows:
                out.append(table)
        elif token.type == "hr":
            out.append(Rule(line))
            i += 1
        else:
            i += 1
    return out, i


def _table(tokens: Sequence[Token], i: int, base: int) -> tuple[Table, int]:
    rows: list[tuple[tuple[Inline, ...], ...]] = []
    lines: list[int] = []
    cells: list[tuple[Inline, ...]] = []
    line = base
    while i < len(tokens) and tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            cells, line = [], base + (token.map[0] if token.map else 0)
        elif token.type == "inline":
            cells.append(_inlines(token.children or [], line))
        elif token.type == "tr_close":
            rows.append(tuple(cells))
            lines.append(line)
        i += 1
    return Table(tuple(rows), tuple(lines)), i + 1


def _inlines(children: Sequence[Token], line: int) -> tuple[Inline, ...]:
    """An inline token's children as leaves and spans; every leaf knows its source line."""
    stack: list[list[Inline]] = [[]]
    opened: list[tuple[str, str]] = []
    for child in children:
        kind = child.type
        if kind == "text" or kind == "html_inline":
            _add_text(stack[-1], child.content, line)
        elif kind == "softbreak":
            _add_text(stack[-1], " ", line)
            line += 1
        elif kind == "hardbreak":
            stack[-1].append(Break(line))
            line += 1
        elif kind == "code_inline":
            stack[-1].append(Code(child.content, line))
        elif kind == "image":
            stack[-1].append(Image(child.content or "image", line))
        elif kind in _SPANS:
            stack.append([])
            opened.append((_SPANS[kind], str(child.attrs.get("href", ""))))
        elif kind in _CLOSES and opened:
            inner = _finish(stack.pop())
            span_kind, url = opened.pop()
            if inner:
                stack[-1].append(Span(span_kind, inner, url))
    while opened:  # never happens with markdown-it's tokens; kept whole if it did
        inner = _finish(stack.pop())
        stack[-1].extend(inner)
        opened.pop()
    return _finish(stack[0])


def _add_text(items: list[Inline], text: str, line: int) -> None:
    """Adjacent text on one line is one leaf (markdown-it splits it at `[` and the like)."""
    if items and isinstance(items[-1], Text) and items[-1].line == line:
        items[-1] = Text(items[-1].text + text, line)
    else:
        items.append(Text(text, line))


def _finish(items: list[Inline]) -> tuple[Inline, ...]:
    """Reference links left without their definition read as their text; runs of spaces (left by
    removed markup) are one, as a browser shows them."""
    return tuple(Text(_SPACES.sub(" ", reference_links_as_text(item.text)), item.line) if isinstance(item, Text)
                 else item for item in items)
