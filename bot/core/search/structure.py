"""What the author of a passage marked: the structure that quizzes (and definitions) are made from.

An author says what the concepts are and which things belong together without being asked:

* a **heading** names a concept, and the sentence that opens its section usually says what it is
  ("## Counter" / "A *counter* is a cumulative metric ...");
* **marked terms**: bold, italic and `code` spans, each in the sentence it stands in;
* **entries**: a term and its meaning side by side: `Term: meaning` and `**Term** - meaning` list
  items, a list item that opens with a marked term and goes on with what it does (`**RBAC**
  decides ...`), definition lists (`Term` then `: meaning`), rows of a two-column table;
* **groups**: the items of one list and the rows of one table are things of one kind.

`structure_of` reads one passage (a chunk: whole source lines, headings included) with
markdown-it, after `markup.visible_text` has removed what a reader never sees (HTML, shortcodes,
link targets), so the structure and the index agree on what the text says. Code blocks are never
read for prose. The result depends only on the passage's text and heading path, so it is computed
once per passage content (`StructureCache`, keyed by the content-derived chunk id): an edit to one
note recomputes only that note's passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.core.search.documents import Chunk
from bot.core.search.markup import visible_text

Mark = str  # "strong", "em" or "code"

_md = MarkdownIt("commonmark").enable("table")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bcf)([.!?])\s+(?=[A-Z0-9\"'(`*_\[])")
_ENTRY_SEPARATOR = re.compile(r"^(?P<term>[^:–—]{1,60}?)\s*(?::|\s[-–—])\s+(?P<meaning>\S.{7,})$")
_SAYS_WHAT = re.compile(r"(?:is|are|[a-z]+[^s\W]s)\s+\S.{7,}$")  # "decides which ...", "is the ..."
_DEFINITION_LIST = re.compile(r"^:\s+(?P<meaning>\S.{7,})$")
MAX_MARKED_CHARS = 60
MAX_PASSAGE_CHARS = 20_000  # a longer passage (one huge table or paragraph) is read up to here


@dataclass(frozen=True, slots=True)
class Span:
    """A marked term inside a sentence: `sentence[start:end] == text`."""

    text: str
    mark: Mark
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of prose (a paragraph's or a list item's), marks removed, with its marked terms."""

    text: str
    spans: tuple[Span, ...]
    block: int  # the prose block it belongs to (sentences of one block are neighbours)
    group: int  # the list it is an item of, else -1
    line: int  # 1-based source line of its block
    first_in_block: bool
    lead_in: str = ""  # for a list item: the paragraph just before its list


@dataclass(frozen=True, slots=True)
class Entry:
    """A term and its meaning, side by side (list item, definition list, two-column table row)."""

    term: str
    meaning: str
    group: int  # entries of one list or table share it
    line: int
    term_mark: Mark | None = None  # how the term was marked, if it was


@dataclass(frozen=True)
class PassageStructure:
    """Everything `structure_of` found in one passage."""

    heading: str | None = None  # the heading this passage opens with, as shown
    heading_line: int = 0
    opening: Sentence | None = None  # the first sentence of prose after that heading
    sentences: tuple[Sentence, ...] = ()
    entries: tuple[Entry, ...] = ()
    groups: dict[int, tuple[str, ...]] = field(default_factory=dict)  # group → its items' lead terms

    def marked(self) -> Iterator[tuple[Sentence, Span]]:
        for sentence in self.sentences:
            for span in sentence.spans:
                yield sentence, span


class StructureCache:
    """Passage structures by content id: a passage is read once whatever reads it, and an unchanged
    passage keeps its structure across reindexes."""

    def __init__(self) -> None:
        self._by_id: dict[str, PassageStructure] = {}

    def get(self, chunk: Chunk) -> PassageStructure:
        found = self._by_id.get(chunk.chunk_id)
        if found is None:
            found = self._by_id[chunk.chunk_id] = structure_of(chunk)
        return found

    def keep_only(self, chunk_ids: set[str]) -> None:
        """Forget passages no longer indexed."""
        for chunk_id in [c for c in list(self._by_id) if c not in chunk_ids]:  # (the fill may add meanwhile)
            del self._by_id[chunk_id]


def structure_of(chunk: Chunk) -> PassageStructure:
    """The structure of one passage: see the module docstring."""
    return _Reader(chunk).read()


class _Reader:
    """One walk over a passage's block tokens."""

    def __init__(self, chunk: Chunk) -> None:
        self.chunk = chunk
        self.tokens = _md.parse(visible_text(chunk.text[:MAX_PASSAGE_CHARS]))
        self.heading: str | None = None
        self.heading_line = 0
        self.opening: Sentence | None = None
        self.sentences: list[Sentence] = []
        self.entries: list[Entry] = []
        self.groups: dict[int, list[str]] = {}
        self.blocks = 0
        self.lists = 0
        self.last_paragraph = ""

    def read(self) -> PassageStructure:
        list_stack: list[int] = []
        item_depth = 0
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "heading_open":
                inline = tokens[i + 1]
                if i == 0 and self.heading is None:
                    self.heading = _plain(inline.children or [])[0].strip() or None
                    self.heading_line = self._line(token)
                i += 3
                continue
            if token.type in ("bullet_list_open", "ordered_list_open"):
                self.lists += 1
                list_stack.append(self.lists)
                self.groups.setdefault(self.lists, [])
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                list_stack.pop()
            elif token.type == "list_item_open":
                item_depth += 1
            elif token.type == "list_item_close":
                item_depth -= 1
            elif token.type == "table_open":
                i = self._table(i)
                continue
            elif token.type == "paragraph_open":
                inline = tokens[i + 1]
                group = list_stack[-1] if item_depth and list_stack else -1
                first_of_item = group != -1 and tokens[i - 1].type == "list_item_open"
                self._prose(inline, self._line(token), group, first_of_item)
                i += 3
                continue
            i += 1
        return PassageStructure(
            heading=self.heading, heading_line=self.heading_line, opening=self.opening,
            sentences=tuple(self.sentences), entries=tuple(self.entries),
            groups={g: tuple(items) for g, items in self.groups.items() if items})

    def _line(self, token: Token) -> int:
        return self.chunk.start_line + (token.map[0] if token.map else 0)

    def _prose(self, inline: Token, line: int, group: int, first_of_item: bool) -> None:
        text, spans = _plain(inline.children or [])
        if not text.strip():
            return
        self.blocks += 1
        block = self.blocks
        if group != -1 and first_of_item:
            self._item(text, spans, group, line)
        elif group == -1:
            lines = inline.content.split("\n")
            if len(lines) == 2 and (found := _DEFINITION_LIST.match(lines[1].strip())):  # "Term\n: meaning"
                self._add_entry(lines[0], found.group("meaning"), -block, line, None)
            elif (found := _DEFINITION_LIST.match(text)) and self.last_paragraph:
                self._add_entry(self.last_paragraph, found.group("meaning"), -block, line, None)
        lead_in = self.last_paragraph if group != -1 else ""
        for n, (sentence, sentence_spans) in enumerate(_sentences(text, spans)):
            made = Sentence(sentence, sentence_spans, block, group, line, n == 0, lead_in)
            self.sentences.append(made)
            if self.opening is None and self.heading is not None and group == -1:
                self.opening = made
        if group == -1:
            self.last_paragraph = text.strip()

    def _item(self, text: str, spans: tuple[Span, ...], group: int, line: int) -> None:
        """A list item's lead term (its leading marked term, or the part before `:` / ` - `)."""
        stripped = text.strip()
        lead = spans[0] if spans and spans[0].start == len(text) - len(text.lstrip()) else None
        found = _ENTRY_SEPARATOR.match(stripped)
        if found:
            term = found.group("term").strip()
            mark = lead.mark if lead and lead.text.strip() == term.strip("*_` ") else None
            self._add_entry(term, found.group("meaning"), group, line, mark)
            self.groups[group].append(term)
        elif lead is not None:
            self.groups[group].append(lead.text)
            rest = stripped[lead.end - (len(text) - len(text.lstrip())):].strip()
            if _SAYS_WHAT.match(rest):  # "**RBAC** decides which users ...": the term, then what it does
                self._add_entry(lead.text, rest, group, line, lead.mark)
        elif len(stripped.split()) <= 4:
            self.groups[group].append(stripped.rstrip(".;,"))

    def _table(self, i: int) -> int:
        """Rows of a table: two columns give entries (term | meaning); the first column a group."""
        self.lists += 1
        group = self.lists
        self.groups.setdefault(group, [])
        rows: list[tuple[list[tuple[str, tuple[Span, ...]]], int]] = []
        row: list[tuple[str, tuple[Span, ...]]] = []
        in_body = False
        line = 0
        while i < len(self.tokens) and self.tokens[i].type != "table_close":
            token = self.tokens[i]
            if token.type == "tbody_open":
                in_body = True
            elif token.type == "tr_open":
                row, line = [], self._line(token)
            elif token.type == "inline" and in_body:
                row.append(_plain(token.children or []))
            elif token.type == "tr_close" and in_body:
                rows.append((row, line))
            i += 1
        for cells, line in rows:
            if not cells or not cells[0][0].strip():
                continue
            term, spans = cells[0][0].strip(), cells[0][1]
            self.groups[group].append(term)
            if len(cells) == 2 and cells[1][0].strip():
                mark = spans[0].mark if spans and spans[0].text == term else None
                self._add_entry(term, cells[1][0].strip(), group, line, mark)
        return i + 1

    def _add_entry(self, term: str, meaning: str, group: int, line: int, mark: Mark | None) -> None:
        term = term.strip().strip("*_`").strip()
        if term and len(term) <= MAX_MARKED_CHARS:
            self.entries.append(Entry(term, " ".join(meaning.split()), group, line, mark))


def _plain(children: list[Token]) -> tuple[str, tuple[Span, ...]]:
    """Inline tokens as the text a reader sees, with where each marked term stands in it."""
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    open_marks: list[tuple[Mark, int]] = []
    for token in children:
        kind = token.type
        if kind == "text":
            piece = token.content
        elif kind == "code_inline":
            piece = token.content
            if piece.strip() and len(piece) <= MAX_MARKED_CHARS:
                spans.append(Span(piece, "code", length, length + len(piece)))
        elif kind in ("softbreak", "hardbreak"):
            piece = " "
        elif kind in ("strong_open", "em_open"):
            open_marks.append((kind[:-5], length))
            continue
        elif kind in ("strong_close", "em_close"):
            if open_marks:
                mark, start = open_marks.pop()
                text = "".join(out)[start:]
                if text.strip() and len(text) <= MAX_MARKED_CHARS and not open_marks:
                    spans.append(Span(text, mark, start, length))
            continue
        elif kind == "image":
            piece = token.content
        else:  # link_open/close, html_inline: nothing shown
            continue
        out.append(piece)
        length += len(piece)
    text = "".join(out)
    # a term marked inside a marked term (`**the `x` flag**`) keeps the outer one only
    spans.sort(key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return text, tuple(kept)


def _sentences(text: str, spans: tuple[Span, ...]) -> Iterator[tuple[str, tuple[Span, ...]]]:
    """Split prose at sentence ends (never inside a marked term); each sentence's spans re-based."""
    cuts = [0]
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        if not any(s.start < end < s.end for s in spans):
            cuts.append(match.end())
    cuts.append(len(text))
    for start, stop in zip(cuts, cuts[1:]):
        raw = text[start:stop]
        lead = len(raw) - len(raw.lstrip())
        sentence = raw.strip()
        if not sentence:
            continue
        offset = start + lead
        inside = tuple(Span(s.text, s.mark, s.start - offset, s.end - offset)
                       for s in spans if s.start >= offset and s.end <= offset + len(sentence))
        # runs of whitespace (soft breaks) collapsed, spans kept in step
        yield _collapse(sentence, inside)


def _collapse(sentence: str, spans: tuple[Span, ...]) -> tuple[str, tuple[Span, ...]]:
    if "  " not in sentence and "\n" not in sentence and "\t" not in sentence:
        return sentence, spans
    mapping: list[int] = []
    out: list[str] = []
    previous_space = False
    for ch in sentence:
        space = ch.isspace()
        if space and previous_space:
            mapping.append(len(out))
            continue
        mapping.append(len(out))
        out.append(" " if space else ch)
        previous_space = space
    mapping.append(len(out))
    text = "".join(out)
    moved = tuple(Span(text[mapping[s.start]:mapping[s.end]], s.mark, mapping[s.start], mapping[s.end]) for s in spans)
    return text, moved
