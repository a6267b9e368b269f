"""The units of the index: a chunk of a note, and the chunk with its analysed words.

They live apart from `chunking` so that loading a stored index needs no Markdown parser.
"""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class Document:
    """A chunk as stored and indexed.

    The words are analysed but not stemmed (lower-case, stop words removed, compounds expanded):
    stemming happens once per vocabulary word when the index is built, so the surface words stay
    available for typo matching and "did you mean" suggestions. Words never contain spaces.
    """

    chunk: Chunk
    title: str | None
    body_words: tuple[str, ...]
    heading_words: tuple[str, ...]  # words of the chunk's own heading (the last of its path)
    category: str | None = None  # the note's front matter `category`, lower case
    unpublished: bool = False  # the note's front matter marks it a draft or deprecated
