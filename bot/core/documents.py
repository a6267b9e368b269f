"""The unit the index ranks: a chunk with its note's title and its analysed words."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.chunking import Chunk


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
    heading_words: tuple[str, ...]  # words of the heading path and the note's title
