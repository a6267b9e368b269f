"""Narrowing the reader's tree: to source lines (an excerpt), to a length (a cut), or starting
near a match. Each returns a whole tree, so whatever writes it closes every mark it opens; a cut
ends with an ellipsis and a code block cut short counts the lines it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.reading.model import (
    ELLIPSIS, Block, Break, Code, CodeBlock, Doc, Inline, ListBlock, Paragraph, Quote, Rule, Span, Table, Text,
    leaf_size,
)
from bot.core.search.whole_words import word_index, word_spans

# --------------------------------------------------------------------------- lines


def between(doc: Doc, first: int, last: int) -> Doc:
    """What source lines `first`..`last` show; a paragraph cut by them is marked with ellipses."""
    return Doc(tuple(b for b in (_block_between(b, first, last) for b in doc.blocks) if b is not None))


def _block_between(block: Block, first: int, last: int) -> Block | None:
    if isinstance(block, Paragraph):
        kept, before, after = _inlines_between(block.inlines, first, last)
        kept = _trimmed(kept)
        if not kept:
            return None
        line = _first_line(kept)
        return Paragraph(((Text(ELLIPSIS + " ", line),) if before else ()) + kept
                         + ((Text(" " + ELLIPSIS, line),) if after else ()), block.heading)
    if isinstance(block, CodeBlock):
        a, z = max(0, first - block.first), min(len(block.lines), last - block.first + 1)
        if a >= z:
            return None
        return CodeBlock(block.lang, block.lines[a:z], block.first + a, block.hidden_before + a,
                         block.hidden_after + len(block.lines) - z)
    if isinstance(block, Quote):
        inner = between(Doc(block.blocks), first, last).blocks
        return Quote(inner) if inner else None
    if isinstance(block, ListBlock):
        return _list_between(block, first, last)
    if isinstance(block, Table):
        rows = [(r, n) for r, n in zip(block.rows, block.lines) if first <= n <= last]
        header = block.header and bool(rows) and rows[0][1] == block.lines[0]
        return Table(tuple(r for r, _ in rows), tuple(n for _, n in rows), header) if rows else None
    return block if first <= block.line <= last else None


def _list_between(block: ListBlock, first: int, last: int) -> ListBlock | None:
    items: list[tuple[Block, ...]] = []
    start = block.start
    for number, item in enumerate(block.items):
        kept = between(Doc(item), first, last).blocks
        if kept:
            if not items and block.start is not None:
                start = block.start + number  # numbering goes on from where the excerpt starts
            items.append(kept)
    return ListBlock(tuple(items), start) if items else None


def _inlines_between(items: tuple[Inline, ...], first: int, last: int) -> tuple[tuple[Inline, ...], bool, bool]:
    """The leaves on lines first..last, and whether leaves before / after them were left out
    (leaves come in line order)."""
    kept: list[Inline] = []
    before = after = False
    for item in items:
        if isinstance(item, Span):
            inner, b, a = _inlines_between(item.children, first, last)
            before, after = before or b, after or a
            if inner:
                kept.append(Span(item.kind, inner, item.url))
        elif item.line < first:
            before = True
        elif item.line > last:
            after = True
        else:
            kept.append(item)
    return tuple(kept), before, after


def _trimmed(items: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Without the spaces (soft line breaks) at either end."""
    items = list(items)
    while items and isinstance(items[0], Text) and not items[0].text.strip():
        items.pop(0)
    while items and isinstance(items[-1], Text) and not items[-1].text.strip():
        items.pop()
    if items and isinstance(items[0], Text):
        items[0] = Text(items[0].text.lstrip(), items[0].line)
    if items and isinstance(items[-1], Text):
        items[-1] = Text(items[-1].text.rstrip(), items[-1].line)
    return tuple(items)


def _first_line(items: Sequence[Inline]) -> int:
    for item in items:
        return _first_line(item.children) if isinstance(item, Span) else item.line
    return 0


def without_title(doc: Doc) -> Doc:
    """The tree without its opening heading: the front-end shows it as the passage's title."""
    if doc.blocks and isinstance(doc.blocks[0], Paragraph) and doc.blocks[0].heading:
        return Doc(doc.blocks[1:])
    return doc


# --------------------------------------------------------------------------- length


def size(doc: Doc | Sequence[Block]) -> int:
    """Characters a reader sees (what `cut` and `skip` count)."""
    return sum(_block_size(b) for b in (doc.blocks if isinstance(doc, Doc) else doc))


def _block_size(block: Block) -> int:
    if isinstance(block, Paragraph):
        return _inline_size(block.inlines)
    if isinstance(block, CodeBlock):
        return sum(len(line) + 1 for line in block.lines)
    if isinstance(block, Quote):
        return size(block.blocks)
    if isinstance(block, ListBlock):
        return sum(size(item) for item in block.items)
    if isinstance(block, Table):
        return sum(_inline_size(cell) + 1 for row in block.rows for cell in row)
    return 1


def _inline_size(items: Sequence[Inline]) -> int:
    return sum(_inline_size(i.children) if isinstance(i, Span) else leaf_size(i) for i in items)


def cut(doc: Doc, room: int) -> Doc:
    """The first `room` characters of `doc` (a text cut at a space), then an ellipsis."""
    blocks, _, done = _cut_blocks(doc.blocks, room)
    return Doc(tuple(blocks))


def _cut_blocks(blocks: Sequence[Block], room: int) -> tuple[list[Block], int, bool]:
    kept: list[Block] = []
    for block in blocks:
        piece, room, done = _cut_block(block, room)
        if piece is not None:
            kept.append(piece)
        if done:
            if piece is None or isinstance(piece, Table | Rule):
                kept.append(Paragraph((Text(ELLIPSIS, 0),)))
            return kept, 0, True
    return kept, room, False


def _cut_block(block: Block, room: int) -> tuple[Block | None, int, bool]:
    """The part of `block` within `room`, the room left, and whether it was cut."""
    if isinstance(block, Paragraph):
        inlines, left, done = _cut_inlines(block.inlines, room)
        inlines = _trimmed(inlines)
        if done:
            return (Paragraph(inlines + (Text(ELLIPSIS, 0),), block.heading) if inlines else None), 0, True
        return block, left, False
    if isinstance(block, CodeBlock):
        count, used = 0, 0
        while count < len(block.lines) and used + len(block.lines[count]) + 1 <= room:
            used += len(block.lines[count]) + 1
            count += 1
        if count == len(block.lines):
            return block, room - used, False
        if count == 0:
            return None, 0, True
        return replace(block, lines=block.lines[:count], hidden_after=block.hidden_after + len(block.lines) - count), 0, True
    if isinstance(block, Quote):
        inner, left, done = _cut_blocks(block.blocks, room)
        return (Quote(tuple(inner)) if inner else None), left, done
    if isinstance(block, ListBlock):
        items: list[tuple[Block, ...]] = []
        for item in block.items:
            inner, room, done = _cut_blocks(item, room)
            if inner:
                items.append(tuple(inner))
            if done:
                return (ListBlock(tuple(items), block.start) if items else None), 0, True
        return block, room, False
    if isinstance(block, Table):
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        for row in block.rows:
            need = sum(_inline_size(cell) + 1 for cell in row)
            if need > room:
                return (Table(tuple(rows), block.lines[:len(rows)], block.header) if rows else None), 0, True
            rows.append(row)
            room -= need
        return block, room, False
    return (block, room - 1, False) if room >= 1 else (None, 0, True)


def _cut_inlines(items: Sequence[Inline], room: int) -> tuple[tuple[Inline, ...], int, bool]:
    kept: list[Inline] = []
    for item in items:
        if isinstance(item, Span):
            inner, room, done = _cut_inlines(item.children, room)
            if inner:
                kept.append(Span(item.kind, inner, item.url))
            if done:
                return tuple(kept), 0, True
            continue
        need = leaf_size(item)
        if need <= room:
            kept.append(item)
            room -= need
            continue
        if isinstance(item, Text | Code):
            space = item.text.rfind(" ", 0, room + 1)
            if space > 0 and item.text[:space].strip():
                kept.append(type(item)(item.text[:space].rstrip(), item.line))
        return tuple(kept), 0, True
    return tuple(kept), room, False


# --------------------------------------------------------------------------- start near a match


def first_match(doc: Doc, words: Sequence[str]) -> int | None:
    """How many characters a reader reads before the first of `words` in prose (None if none)."""
    if not words:
        return None
    index = word_index(frozenset(words))
    seen = 0
    for leaf in _leaves(doc.blocks):
        if isinstance(leaf, Text) and (spans := word_spans(leaf.text, index)):
            return seen + spans[0][0]
        seen += leaf_size(leaf) if not isinstance(leaf, str) else len(leaf) + 1
    return None


def _leaves(blocks: Sequence[Block]) -> list[Inline | str]:
    """Every leaf in reading order; a code block's lines as strings."""
    out: list[Inline | str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out += _inline_leaves(block.inlines)
        elif isinstance(block, CodeBlock):
            out += block.lines
        elif isinstance(block, Quote):
            out += _leaves(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                out += _leaves(item)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    out += _inline_leaves(cell) + [Text(" ", 0)]
        else:
            out.append(Break(block.line))
    return out


def _inline_leaves(items: Sequence[Inline]) -> list[Inline | str]:
    out: list[Inline | str] = []
    for item in items:
        out += _inline_leaves(item.children) if isinstance(item, Span) else [item]
    return out


def skip(doc: Doc, count: int) -> Doc:
    """`doc` without about its first `count` characters (whole blocks, then words), marked with an
    ellipsis: a passage of one long line shown from near its match."""
    blocks = list(doc.blocks)
    while blocks and count > 0 and _block_size(blocks[0]) <= count:
        count -= _block_size(blocks.pop(0))
    if not blocks or count <= 0:
        return Doc(tuple(blocks))
    head = blocks[0]
    if isinstance(head, Paragraph):
        inlines = _skip_inlines(head.inlines, count)
        blocks[0] = Paragraph((Text(ELLIPSIS, 0),) + _trimmed(inlines), head.heading)
    elif isinstance(head, CodeBlock):
        lines = 0
        while lines < len(head.lines) - 1 and count > len(head.lines[lines]):
            count -= len(head.lines[lines]) + 1
            lines += 1
        blocks[0] = replace(head, lines=head.lines[lines:], first=head.first + lines,
                            hidden_before=head.hidden_before + lines)
    return Doc(tuple(blocks))


def _skip_inlines(items: Sequence[Inline], count: int) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for index, item in enumerate(items):
        if count <= 0:
            out += items[index:]
            break
        if isinstance(item, Span):
            need = _inline_size(item.children)
            if need <= count:
                count -= need
                continue
            out.append(Span(item.kind, _skip_inlines(item.children, count), item.url))
            out += items[index + 1:]
            break
        need = leaf_size(item)
        if need <= count:
            count -= need
            continue
        if isinstance(item, Text):
            space = item.text.find(" ", count)
            out.append(Text(item.text[space + 1:] if space != -1 else "", item.line))
        else:
            out.append(item)
        out += items[index + 1:]
        break
    return tuple(out)
