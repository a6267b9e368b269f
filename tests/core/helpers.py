"""Small builders shared by the core tests."""

from __future__ import annotations

from bot.core.search.analysis import Analyzer
from bot.core.search.chunking import Chunk, chunk_id_for
from bot.core.search.documents import Document
from bot.core.search.markup import visible_text

ANALYZER = Analyzer()


def document(text: str, *, source: str = "note.md", heading: tuple[str, ...] = (), ordinal: int = 0,
             title: str | None = None) -> Document:
    """A one-chunk document analysed exactly as the reindex would (its own heading's words)."""
    lines = text.count("\n") + 1
    chunk = Chunk(source, ordinal, heading, 1, lines, text, chunk_id_for(source, heading, text))
    heading_words = ANALYZER.words(heading[-1]) if heading else []
    return Document(chunk, title, tuple(ANALYZER.words(visible_text(text))), tuple(heading_words))


def documents(*texts: str) -> list[Document]:
    return [document(t, source=f"n{i}.md") for i, t in enumerate(texts)]
