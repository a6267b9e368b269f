"""Notes → chunks → analysed documents → a search engine: the pipeline shared by reindex,
start-up and the evaluation scripts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.search.analysis import Analyzer
from bot.core.search.answering import SearchEngine
from bot.core.search.documents import Document
from bot.core.search.index import SearchIndex
from bot.core.search.markup import visible_text
from bot.core.search.notes import NoteFile
from bot.core.search.query import QueryParams
from bot.core.search.ranking import RankParams
from bot.core.search.scoring import Bm25Params
from bot.core.search.synonyms import SynonymTable

if TYPE_CHECKING:
    from bot.core.search.chunking import ChunkedNote


@dataclass(frozen=True)
class ChunkingParams:
    min_words: int = 40
    max_words: int = 200


@dataclass(frozen=True)
class AnalysedNote:
    note: NoteFile
    chunked: "ChunkedNote"
    documents: list[Document]


def analyse_note(note: NoteFile, analyzer: Analyzer, chunking: ChunkingParams) -> AnalysedNote:
    """Chunk a note and analyse what a reader sees of each chunk's text (`markup`) and of its own
    heading (the innermost of its path; the ranking gives names a bonus, see `ranking`)."""
    from bot.core.search.chunking import chunk_note  # the Markdown parser loads only when notes change

    chunked = chunk_note(note.path, note.text, min_words=chunking.min_words, max_words=chunking.max_words)
    title = " ".join(visible_text(chunked.title).split()) or None if chunked.title else None
    documents = [
        Document(
            chunk=chunk,
            title=title,
            body_words=tuple(analyzer.words(visible_text(chunk.text))),  # as `analysed_words` reads them
            heading_words=tuple(analyzer.words(chunk.heading_path[-1])) if chunk.heading_path else (),
            category=chunked.category,
            unpublished=chunked.unpublished,
        )
        for chunk in chunked.chunks
    ]
    return AnalysedNote(note, chunked, documents)


def analysed_words(doc: Document, analyzer: Analyzer) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(body words, heading words) as `analyse_note` made them, also for a passage loaded from an
    index snapshot without them (`load_documents(words=False)`): what reads a passage's words must
    not see fewer after a restart."""
    if doc.body_words or not doc.chunk.text.strip():
        return doc.body_words, doc.heading_words
    heading = doc.chunk.heading_path[-1] if doc.chunk.heading_path else ""
    return tuple(analyzer.words(visible_text(doc.chunk.text))), tuple(analyzer.words(heading)) if heading else ()


def build_engine(
    documents: Iterable[Document],
    analyzer: Analyzer,
    synonyms: SynonymTable,
    bm25: Bm25Params | None = None,
    query: QueryParams | None = None,
    rank: RankParams | None = None,
) -> SearchEngine:
    """Index the documents and wrap the index in an engine ready for questions."""
    index = SearchIndex(list(documents), analyzer.stems, bm25 or Bm25Params())
    return SearchEngine(index, analyzer, synonyms, query, rank)
