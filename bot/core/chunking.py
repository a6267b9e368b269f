"""Markdown-aware chunking with exact source line ranges."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chunk:
    """A passage of a note: never crosses a heading, and knows exactly where it came from."""

    source: str  # note path relative to the notes folder
    ordinal: int  # 0-based position within its note
    heading_path: tuple[str, ...]  # e.g. ("Storage", "PVC"); empty before the first heading
    start_line: int  # 1-based, inclusive, in the source file (front matter counted)
    end_line: int  # 1-based, inclusive
    text: str  # the exact source lines start_line..end_line joined with "\n"
    chunk_id: str  # stable id from source, heading path and text (see `chunk_id_for`)

    @property
    def heading(self) -> str | None:
        return " > ".join(self.heading_path) or None


@dataclass(frozen=True)
class ChunkedNote:
    """A note split into chunks, with its front matter's title and tags."""

    title: str | None
    tags: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)


def chunk_note(source: str, text: str, *, min_words: int = 40, max_words: int = 200) -> ChunkedNote:
    """Split one note's text into chunks."""
    raise NotImplementedError
