"""Markdown-aware chunking with exact source line ranges.

Why chunks look the way they do:

* Answers cite "file, lines X-Y", so every chunk is a run of whole source lines. ``Chunk.text`` is
  exactly those lines joined with "\\n" (after "\\r\\n"/"\\r" are normalised to "\\n", as editors
  and markdown-it count them). Chunks never start or end with a blank line, never overlap, are in
  file order, and together cover every non-blank line outside the front matter.
* Optional YAML front matter (a first line ``---`` closed by a later ``---`` or ``...``) gives the
  note's ``title`` and ``tags``; its lines are never indexed, even when its YAML is malformed (then
  its values are ignored, and ``ChunkedNote.warning`` says so; so are they when it is longer than
  ``MAX_FRONT_MATTER_CHARS``, as its parsing would cost seconds). Line numbers still count it: they
  are lines of the original file. YAML escapes can put a NUL or a lone surrogate into a title or
  tag, which no database stores: those characters are removed (NUL) or replaced (U+FFFD), with a
  warning.
* A chunk never crosses a top-level heading (ATX or setext); its ``heading_path`` is the stack of
  enclosing heading texts. A heading's own lines open the first chunk of its section, so a heading
  without body becomes a chunk by itself. Headings nested in quotes or lists do not start sections.
* Within a section, top-level blocks are grouped in order towards ``min_words``..``max_words``
  (words are whitespace-separated): blocks are added while the chunk has fewer than ``min_words``;
  otherwise a new chunk starts when the next block would push it past ``max_words``.
* Only blocks longer than ``max_words`` are split, and only at safe line boundaries: lists and
  block quotes between their children (list items, paragraphs inside items), paragraphs at
  sentence ends (a line ending in ``. ! ?``, optionally followed by closing quotes or brackets),
  else at any line. Code blocks, tables, HTML blocks and single lines are never split, so a chunk
  may exceed ``max_words`` when one of them is long.
* ``chunk_id`` hashes the source, heading path and text (not the line numbers), so an edit above
  a chunk does not change the chunk's id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.search.documents import Chunk
from bot.core.search.markup import visible_text


@dataclass(frozen=True)
class ChunkedNote:
    """A note split into chunks, with its front matter's title, tags, category and status."""

    title: str | None
    tags: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)
    warning: str | None = None  # a problem with the front matter, for the reindex summary
    category: str | None = None  # `category:` (or the first of `categories:`): the author's class of the note
    unpublished: bool = False  # `draft: true` or `status: deprecated/draft/archived`: the author withdrew it


_FRONT_MATTER_OPEN = "---"
MAX_FRONT_MATTER_CHARS = 64 * 1024
_FRONT_MATTER_CLOSE = ("---", "...")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]}*_]*\s*$")
_UNSPLITTABLE = {"fence", "code_block", "table", "html_block", "hr", "heading"}
_CONTAINERS = {"bullet_list", "ordered_list", "list_item", "blockquote"}

# Block structure only: inline parsing is most of markdown-it's time and only headings need it.
_md_blocks = MarkdownIt("commonmark").enable("table").disable("inline")
_md_inline = MarkdownIt("commonmark")


@dataclass(frozen=True)
class _Block:
    """A block token with its children: enough of the syntax tree to know where we may cut."""

    type: str
    start: int  # 0-based line in the body, inclusive
    end: int  # exclusive
    children: tuple[_Block, ...] = ()
    heading_level: int = 0
    heading_text: str = ""


@dataclass(frozen=True)
class _Section:
    """Lines between two top-level headings; `head_end` > `start` when it opens with a heading."""

    heading_path: tuple[str, ...]
    start: int
    head_end: int
    end: int
    blocks: tuple[_Block, ...]


def chunk_note(source: str, text: str, *, min_words: int = 40, max_words: int = 200) -> ChunkedNote:
    """Split one note's text into chunks of whole lines that cite back to the file exactly."""
    lines = normalise_newlines(text).split("\n")
    front = _front_matter(lines)
    body_start = front.body_start
    sections = _sections(lines, body_start)
    ranges: list[tuple[tuple[str, ...], int, int]] = []
    for section in sections:
        for start, end in _section_ranges(section, lines, min_words, max_words):
            trimmed = _trim_blank(lines, start, end)
            if trimmed is not None:
                ranges.append((section.heading_path, *trimmed))
    return ChunkedNote(title=front.title, tags=front.tags, chunks=_make_chunks(source, lines, ranges),
                       warning=front.warning, category=front.category, unpublished=front.unpublished)


def chunk_id_for(source: str, heading_path: Sequence[str], text: str, occurrence: int = 0) -> str:
    """A content-derived id, so the same passage keeps its id when lines move above it."""
    key = _id_key(source, heading_path, text)
    if occurrence:
        key += f"\x1e{occurrence}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _id_key(source: str, heading_path: Sequence[str], text: str) -> str:
    """What the id hashes: trailing whitespace is not content, so it does not change the id."""
    normalised = "\n".join(line.rstrip() for line in normalise_newlines(text).split("\n"))
    return "\x1e".join([source, "\x1f".join(heading_path), normalised])


def normalise_newlines(text: str) -> str:
    """Turn "\\r\\n" and lone "\\r" into "\\n", as markdown-it and editors count lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def count_words(text: str) -> int:
    """Whitespace-separated words: simple, language-neutral, and what the size limits mean."""
    return len(text.split())


# --- front matter -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FrontMatter:
    body_start: int = 0
    title: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    unpublished: bool = False
    warning: str | None = None


def _front_matter(lines: list[str]) -> _FrontMatter:
    """The first body line and what the front matter says; its lines never reach the index."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != _FRONT_MATTER_OPEN:
        return _FrontMatter()
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _FRONT_MATTER_CLOSE:
            meta, warning = _load_yaml("\n".join(lines[1:index]))
            title, tags = _title_from(meta), _tags_from(meta)
            clean_title, clean_tags = _storable(title), tuple(dict.fromkeys(t for t in map(_storable, tags) if t))
            if (clean_title, clean_tags) != (title, tags):
                warning = "front matter title or tags held NUL or invalid characters; removed"
            return _FrontMatter(index + 1, clean_title or None, clean_tags, _category_from(meta),
                                _unpublished(meta), warning)
    return _FrontMatter()


def _load_yaml(text: str) -> tuple[dict[Any, Any], str | None]:
    """Parse front matter; anything malformed or not a mapping counts as empty (with a warning
    when it is not YAML at all). Parsing costs about 3 s a megabyte: a longer one is ignored."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return {}, f"front matter longer than {MAX_FRONT_MATTER_CHARS} characters; its title and tags are ignored"
    try:
        data = yaml.safe_load(text)
    except Exception:  # yaml raises YAMLError, but also ValueError etc. for odd scalars
        return {}, "front matter is not valid YAML; its title and tags are ignored"
    return (data if isinstance(data, dict) else {}), None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(text: str | None) -> str | None:
    """`text` without NUL characters, lone surrogates replaced by U+FFFD (pairs are joined)."""
    if text is None or not _UNSTORABLE.search(text):
        return text
    joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return joined.replace("\x00", "").strip()


def _title_from(meta: dict[Any, Any]) -> str | None:
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return None


def _category_from(meta: dict[Any, Any]) -> str | None:
    """`category: Technology` or `categories: [Technology, ...]`, in lower case; None if absent."""
    raw = meta.get("category", meta.get("categories"))
    if isinstance(raw, list):
        raw = next((item for item in raw if isinstance(item, str) and item.strip()), None)
    if not isinstance(raw, str) or not raw.strip():
        return None
    return _storable(" ".join(raw.split()).lower()[:80]) or None


_WITHDRAWN = frozenset({"deprecated", "draft", "archived", "obsolete"})


def _unpublished(meta: dict[Any, Any]) -> bool:
    """The author marked the note a draft or deprecated (Hugo's `draft: true`, a `status:`)."""
    status = meta.get("status")
    return meta.get("draft") is True or (isinstance(status, str) and status.strip().lower() in _WITHDRAWN)


def _tags_from(meta: dict[Any, Any]) -> tuple[str, ...]:
    """Accept a YAML list or a comma-separated string; drop empties and duplicates."""
    raw = meta.get("tags")
    if isinstance(raw, str):
        items: list[Any] = raw.split(",")
    elif isinstance(raw, list):
        items = raw
    else:
        return ()
    tags: dict[str, None] = {}  # ordered and a set: 200,000 tags took minutes with a list
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            continue
        tag = str(item).strip()
        if tag:
            tags[tag] = None
    return tuple(tags)


# --- parsing into sections ----------------------------------------------------------------------


def _sections(lines: list[str], body_start: int) -> list[_Section]:
    """Cut the body at top-level headings; line numbers are absolute (0-based)."""
    body = lines[body_start:]
    blocks = [_shift(block, body_start) for block in _parse_blocks(body)]
    sections: list[_Section] = []
    stack: list[tuple[int, str]] = []
    current = _Section((), body_start, body_start, len(lines), ())
    pending: list[_Block] = []
    for block in blocks:
        if block.type != "heading":
            pending.append(block)
            continue
        sections.append(_close(current, block.start, pending))
        while stack and stack[-1][0] >= block.heading_level:
            stack.pop()
        stack.append((block.heading_level, block.heading_text))
        path = tuple(text for _, text in stack)
        current = _Section(path, block.start, block.end, len(lines), ())
        pending = []
    sections.append(_close(current, len(lines), pending))
    return [s for s in sections if s.end > s.start]


def _close(section: _Section, end: int, blocks: list[_Block]) -> _Section:
    return _Section(section.heading_path, section.start, section.head_end, end, tuple(blocks))


def _shift(block: _Block, offset: int) -> _Block:
    children = tuple(_shift(child, offset) for child in block.children)
    return _Block(
        block.type,
        block.start + offset,
        block.end + offset,
        children,
        block.heading_level,
        block.heading_text,
    )


def _parse_blocks(body: list[str]) -> list[_Block]:
    """Top-level blocks from markdown-it; if it ever fails, fall back to blank-line paragraphs."""
    try:
        tokens = _md_blocks.parse("\n".join(body))
        return _blocks_from_tokens(tokens, len(body))
    except Exception:
        return _plain_paragraphs(body)


def _blocks_from_tokens(tokens: list[Token], line_count: int) -> list[_Block]:
    """Rebuild the block tree (type, line range, children) from markdown-it's flat token stream."""
    root: list[_Block] = []
    stack: list[tuple[Token, list[_Block], str]] = []  # (open token, children, heading text)
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            text = ""
            if token.type == "heading_open" and index + 1 < len(tokens):
                text = _inline_text(tokens[index + 1])
            stack.append((token, [], text))
        elif token.nesting == -1 and stack:
            opener, children, text = stack.pop()
            block = _block_from(opener, children, text, line_count)
            if block is not None:
                (stack[-1][1] if stack else root).append(block)
        elif token.nesting == 0 and token.type != "inline":
            block = _block_from(token, [], "", line_count)
            if block is not None:
                (stack[-1][1] if stack else root).append(block)
    return root


def _block_from(token: Token, children: list[_Block], text: str, line_count: int) -> _Block | None:
    if not token.map:
        return None
    start = max(0, min(token.map[0], line_count))
    end = max(start, min(token.map[1], line_count))
    kind = token.type.removesuffix("_open")
    level = int(token.tag[1:]) if kind == "heading" and token.tag[1:].isdigit() else 0
    return _Block(kind, start, end, tuple(children), level, text)


def _inline_text(token: Token) -> str:
    """A heading's visible text: markup, shortcodes and `{#anchor}` ids dropped, line breaks as
    spaces."""
    if token.type != "inline":
        return ""
    parts: list[str] = []
    for inline in _md_inline.parseInline(token.content):
        for child in inline.children or []:
            if child.type in ("text", "code_inline", "html_inline", "image"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    text = visible_text("".join(parts) or token.content)
    return " ".join(text.split())


def _plain_paragraphs(body: list[str]) -> list[_Block]:
    """Runs of non-blank lines: the safe reading of any text when Markdown parsing fails."""
    blocks: list[_Block] = []
    start: int | None = None
    for index, line in enumerate([*body, ""]):
        if line.strip() and start is None:
            start = index
        elif not line.strip() and start is not None:
            blocks.append(_Block("paragraph", start, index))
            start = None
    return blocks


# --- grouping blocks into chunks ----------------------------------------------------------------


def _section_ranges(
    section: _Section, lines: list[str], min_words: int, max_words: int
) -> list[tuple[int, int]]:
    """Partition a section into [start, end) line ranges of about min..max words."""
    cuts: set[int] = set()
    for block in section.blocks:
        cuts.add(block.start)
        cuts.update(_cuts_inside(block, lines, min_words, max_words))
    body_start = section.head_end
    starts = sorted(c for c in cuts if body_start < c < section.end)
    atoms = _atoms(body_start, section.end, starts)
    sticky_head = section.head_end > section.start
    if sticky_head:
        atoms.insert(0, (section.start, section.head_end))
    return _group(atoms, lines, min_words, max_words, sticky_head)


def _atoms(start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    """Split [start, end) at the cut lines; gaps (blank lines, link definitions) stay attached."""
    bounds = [start, *cuts, end]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _group(
    atoms: list[tuple[int, int]],
    lines: list[str],
    min_words: int,
    max_words: int,
    sticky_head: bool,
) -> list[tuple[int, int]]:
    """Greedy grouping: fill to min_words, then stop before exceeding max_words.

    With `sticky_head` the first atom is the section's heading, which always shares the first
    chunk with what follows, so a heading is never separated from its own text.
    """
    ranges: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    words = 0
    may_flush = not sticky_head
    for start, end in atoms:
        atom_words = _words(lines, start, end)
        flush = may_flush and _should_flush(words, atom_words, min_words, max_words)
        if current is not None and flush:
            ranges.append(current)
            current, words = None, 0
        current = (start, end) if current is None else (current[0], end)
        words += atom_words
        may_flush = True
    if current is not None:
        ranges.append(current)
    return ranges


def _should_flush(words: int, next_words: int, min_words: int, max_words: int) -> bool:
    return words >= min_words and words + next_words > max_words


def _cuts_inside(block: _Block, lines: list[str], min_words: int, max_words: int) -> list[int]:
    """Where an over-long block may be split; short blocks and code stay whole."""
    if block.type in _UNSPLITTABLE or _words(lines, block.start, block.end) <= max_words:
        return []
    if block.type == "paragraph":
        return _paragraph_cuts(lines, block.start, block.end, min_words, max_words)
    if block.type not in _CONTAINERS:
        return []
    cuts: list[int] = []
    for child in block.children:
        if child.start > block.start:
            cuts.append(child.start)
        cuts.extend(_cuts_inside(child, lines, min_words, max_words))
    return cuts


def _paragraph_cuts(
    lines: list[str], start: int, end: int, min_words: int, max_words: int
) -> list[int]:
    """Cut a long paragraph into pieces of at most max_words, preferring sentence ends."""
    cuts: list[int] = []
    piece_start, words = start, 0
    for index in range(start, end):
        line_words = count_words(lines[index])
        if index > piece_start and words + line_words > max_words:
            cut = _best_cut(lines, piece_start, index, min_words)
            cuts.append(cut)
            piece_start = cut
            words = _words(lines, piece_start, index)
        words += line_words
    return cuts


def _best_cut(lines: list[str], start: int, stop: int, min_words: int) -> int:
    """The latest sentence end in (start, stop] leaving >= min_words before it, else `stop`."""
    before = _words(lines, start, stop)
    for cut in range(stop, start, -1):
        if before < min_words:
            break
        if _SENTENCE_END.search(lines[cut - 1]):
            return cut
        before -= count_words(lines[cut - 1])
    return stop


def _words(lines: list[str], start: int, end: int) -> int:
    return sum(count_words(line) for line in lines[start:end])


def _trim_blank(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """Drop blank lines at the edges; None if nothing but blank lines remain."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return (start, end) if end > start else None


def _make_chunks(
    source: str, lines: list[str], ranges: list[tuple[tuple[str, ...], int, int]]
) -> list[Chunk]:
    """Build chunks with ids made unique by counting repeats of the same passage."""
    seen: dict[str, int] = {}
    chunks: list[Chunk] = []
    for ordinal, (path, start, end) in enumerate(ranges):
        text = "\n".join(lines[start:end])
        key = _id_key(source, path, text)  # equal keys would hash equal: count them apart
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        chunk_id = chunk_id_for(source, path, text, occurrence)
        chunks.append(Chunk(source, ordinal, path, start + 1, end, text, chunk_id))
    return chunks
