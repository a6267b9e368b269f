"""Quiz fixtures: engines over the seed notes and the small fixture corpus, indexed in memory as a
reindex would (for generation); and the quiz service over the seed notes with the fixture questions
stored, on every backend (for posts, answers and selection)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SHIPPED_CORPUS, SYNONYMS_FILENAME
from bot.core.quiz.generate import QuestionGenerator, _Candidate, _slot
from bot.core.quiz.questions import BLANK
from bot.core.quiz.questions import Question
from bot.core.quiz.service import QuizService, QuizSettings
from bot.core.quiz.terms import term_of
from bot.core.search.analysis import Analyzer
from bot.core.search.answering import SearchEngine
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.search.synonyms import SynonymTable, load_synonyms
from tests.core.quiz.fixtures import insert_questions

FIXTURE_NOTES = Path(__file__).parent / "fixture_notes"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def engine_over(notes: Path) -> tuple[SearchEngine, SynonymTable]:
    analyzer = Analyzer()
    synonyms = load_synonyms(SHIPPED_CORPUS / "synonyms.yaml", analyzer)
    scan = scan_notes(notes, max_bytes=5 * 1024 * 1024)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    return build_engine(documents, analyzer, synonyms), synonyms


def generator_over_templates(folder: Path, templates: list[str], notes: int, per_note: int = 1,
                             extra: dict[str, str] | None = None) -> QuestionGenerator:
    """A generator over `notes` made-up notes, note n holding `per_note` of the templates filled
    with n (a large corpus: its usage rules are on), plus the `extra` files as they are."""
    for n in range(notes):
        paragraphs = [templates[(n + 4 * i) % len(templates)].format(n=n) for i in range(per_note)]
        (folder / f"note{n:02d}.md").write_text(f"# Topic {n}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return QuestionGenerator(*engine_over(folder))


def cloze(sentence: str, answer: str) -> _Candidate:
    """The cloze candidate that blanks `answer` in `sentence`, as the generator would make it."""
    term = term_of(answer, False, False)
    assert term is not None
    start = sentence.index(answer)
    return _Candidate("cloze", sentence.replace(answer, BLANK, 1), answer, term.kind, 1.0, sentence,
                      slot=_slot(sentence, (start, start + len(answer))))


def every_distractor(generator: QuestionGenerator, candidate: _Candidate, related: int) -> list[str]:
    """Every distractor the generator would consider from the first `related` passages (not only
    the three it picks), best first."""
    original = generator._pick
    generator._pick = lambda pool, _: [text for _, text in sorted(pool)]  # type: ignore[method-assign]
    try:
        return generator._term_distractors(candidate, generator.index.documents[:related])
    finally:
        generator._pick = original  # type: ignore[method-assign]


@pytest.fixture(scope="module", params=["seed", "fixture"])
def corpus(request: pytest.FixtureRequest) -> tuple[SearchEngine, SynonymTable]:
    return engine_over(SHIPPED_CORPUS if request.param == "seed" else FIXTURE_NOTES)


@pytest.fixture(scope="module")
def generator(corpus: tuple[SearchEngine, SynonymTable]) -> QuestionGenerator:
    return QuestionGenerator(*corpus)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def notes(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> AsyncIterator[NotesService]:
    service = NotesService(ServiceConfig(SHIPPED_CORPUS, SHIPPED_CORPUS / SYNONYMS_FILENAME), sessions, clock=clock)
    await service.start()
    yield service
    await service.aclose()


@pytest.fixture
async def questions(sessions: async_sessionmaker[AsyncSession], notes: NotesService) -> dict[str, Question]:
    return await insert_questions(sessions, notes.engine)


@pytest.fixture
def quiz(sessions: async_sessionmaker[AsyncSession], notes: NotesService, clock: FakeClock,
         questions: dict[str, Question]) -> QuizService:
    return QuizService(sessions, lambda: notes.engine, clock=clock, settings=QuizSettings(recent_days=7))
