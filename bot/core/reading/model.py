"""What a reader of a passage sees, as a small tree: blocks of inline text, each leaf on its line.

The front-ends write it out each in its own syntax (Discord's Markdown, CommonMark for rich, plain
text); `shape` narrows it to lines or cuts it to a length. Working on the tree, not on Markdown
text, is what makes a cut unable to leave a fence, an emphasis or a link open. Leaves keep the
source line they come from, so the excerpt's lines (the citation) select what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class Text:
    text: str
    line: int


@dataclass(frozen=True)
class Code:
    """An inline code span."""

    text: str
    line: int


@dataclass(frozen=True)
class Break:
    """A hard line break (a soft one is a space: the notes' line wrapping is not the reader's)."""

    line: int


@dataclass(frozen=True)
class Image:
    alt: str
    line: int


@dataclass(frozen=True)
class Span:
    """Emphasis ("em"), strong emphasis ("strong"), strikethrough ("strike") or a link ("link",
    with its `url`) around inline content."""

    kind: str
    children: tuple[Inline, ...]
    url: str = ""


Inline = Text | Code | Break | Image | Span


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    heading: int = 0  # the heading's level, 0 for a paragraph


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    lines: tuple[str, ...]
    first: int  # the source line of lines[0]
    hidden_before: int = 0  # lines of the block left out above (an excerpt) and below (a cut)
    hidden_after: int = 0


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    items: tuple[tuple[Block, ...], ...]
    start: int | None = None  # the first number of an ordered list; None for bullets


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    lines: tuple[int, ...]  # each row's source line
    header: bool = True  # the first row is the header


@dataclass(frozen=True)
class Rule:
    line: int


Block = Paragraph | CodeBlock | Quote | ListBlock | Table | Rule


@dataclass(frozen=True)
class Doc:
    blocks: tuple[Block, ...] = ()


def leaf_size(leaf: Inline) -> int:
    """Characters a reader sees of a leaf: what cutting counts."""
    if isinstance(leaf, Text | Code):
        return len(leaf.text)
    if isinstance(leaf, Image):
        return len(leaf.alt) + 2
    return 1


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The characters of inline content, without any mark."""
    out: list[str] = []
    for item in inlines:
        if isinstance(item, Span):
            out.append(plain_text(item.children))
        elif isinstance(item, Text | Code):
            out.append(item.text)
        elif isinstance(item, Image):
            out.append(item.alt)
        else:
            out.append("\n")
    return "".join(out)
