"""The passage a question's feedback quotes comes from the current index, also after a reindex
(the service keeps its passages by chunk id and by note per index: a stale map would quote, or
miss, a passage that has changed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.config import SHIPPED_CORPUS
from bot.core.quiz.questions import Question
from bot.core.quiz.service import QuizService
from bot.core.search.answering import SearchEngine
from tests.core.quiz.conftest import FakeClock, engine_over


def _question(chunk_id: str | None, source: str, start: int, end: int) -> Question:
    return Question(id=f"q-{chunk_id}", kind="cloze", prompt="?", choices=("a", "b", "c", "d"), answer_index=0,
                    answer="a", source=source, heading=None, start_line=start, end_line=end, chunk_id=chunk_id)


def test_source_passage_follows_the_current_index(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, notes)
    current: list[SearchEngine] = [engine_over(notes)[0]]
    quiz = QuizService(None, lambda: current[0], clock=FakeClock())  # type: ignore[arg-type]  # no database read
    doc = next(d for d in current[0].documents if d.chunk.source.endswith(".md") and d.chunk.start_line > 20)
    chunk = doc.chunk
    by_id = _question(chunk.chunk_id, chunk.source, chunk.start_line, chunk.end_line)
    by_lines = _question(None, chunk.source, chunk.start_line, chunk.end_line)  # a hand-written one's citation
    assert quiz.source_passage(by_id).text == chunk.text == quiz.source_passage(by_lines).text
    assert quiz.source_passage(_question("no-such-chunk", chunk.source, 1, 1)) is None
    assert quiz.source_passage(_question(None, "no/such/note.md", 1, 1)) is None

    path = notes / chunk.source  # the passage changes: its chunk id goes, its lines show the new text
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[chunk.end_line - 1] = lines[chunk.end_line - 1].rstrip("\n") + " zebracorn\n"
    path.write_text("".join(lines), encoding="utf-8")
    current[0] = engine_over(notes)[0]
    assert quiz.source_passage(by_id) is None
    changed = quiz.source_passage(by_lines)
    assert changed is not None and "zebracorn" in changed.text and changed.chunk_id != chunk.chunk_id
