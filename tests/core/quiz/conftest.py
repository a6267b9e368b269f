"""Engines over the seed notes and the small fixture corpus, indexed in memory as a reindex would."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.quiz.generate import QuestionGenerator
from bot.core.search.analysis import Analyzer
from bot.core.search.answering import SearchEngine
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.synonyms import SynonymTable, load_synonyms

FIXTURE_NOTES = Path(__file__).parent / "fixture_notes"


def engine_over(notes: Path) -> tuple[SearchEngine, SynonymTable]:
    analyzer = Analyzer()
    synonyms = load_synonyms(SHIPPED_CORPUS / "synonyms.yaml", analyzer)
    scan = scan_notes(notes, max_bytes=5 * 1024 * 1024)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    return build_engine(documents, analyzer, synonyms), synonyms


@pytest.fixture(scope="module", params=["seed", "fixture"])
def corpus(request: pytest.FixtureRequest) -> tuple[SearchEngine, SynonymTable]:
    return engine_over(SHIPPED_CORPUS if request.param == "seed" else FIXTURE_NOTES)


@pytest.fixture(scope="module")
def generator(corpus: tuple[SearchEngine, SynonymTable]) -> QuestionGenerator:
    return QuestionGenerator(*corpus)
