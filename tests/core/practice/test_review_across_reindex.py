"""Review cards over the real question pool: a reindex that changes another note keeps a member's
card (and its schedule), a reindex that changes the question's own passage retires it."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from bot.app import open_app
from bot.config import SHIPPED_CORPUS, load_settings
from bot.core.storage.models import ReviewCardRow
from tests.core.practice.conftest import FakeClock, T0

NOTE = "k8s-colearning-lesson-1.md"


def settings_for(tmp_path: Path, database_url: str):
    notes = tmp_path / "notes"
    if not notes.exists():
        shutil.copytree(SHIPPED_CORPUS, notes)
    return load_settings(_env_file=None, notes_dir=notes, data_dir=tmp_path / "data", database_url=database_url)


async def test_cards_survive_another_note_changing_and_retire_with_their_passage(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock(T0)
    settings = settings_for(tmp_path, database_url)
    async with open_app(settings, clock=clock) as app:
        await app.notes.start()
        generated = [q for q in await app.quiz.questions.active() if q.kind != "written" and q.source == NOTE]
        assert generated, "the seed notes give generated questions"
        question = generated[0]
        post = await app.quiz.post(question, guild_id=7, channel_id=8, user_id=9)
        wrong = next(i for i in range(len(question.choices)) if i != question.answer_index)
        await app.quiz.answer_choice(post.id, wrong, user_id=9, guild_id=7, channel_id=8)
        clock.set(T0 + timedelta(hours=1))
        due = await app.practice.reviews.due_review(7, 9, clock())
        assert due is not None and due.question_id == question.id and due.last_correct is False

        (settings.notes_dir / "other.md").write_text("# Other\n\nA note about Helm charts and releases.\n")
        await app.notes.reindex()
        assert await app.quiz.questions.get(question.id) in await app.quiz.questions.active()
        again = await app.practice.reviews.due_review(7, 9, clock())
        assert again == due  # same card, same schedule

        source = settings.notes_dir / NOTE
        lines = source.read_text().splitlines()
        lines[question.start_line - 1] += " (edited)"  # the question's own passage changes
        source.write_text("\n".join(lines) + "\n")
        await app.notes.reindex()
        assert question.id not in {q.id for q in await app.quiz.questions.active()}
        assert await app.practice.reviews.due_review(7, 9, clock()) is None
        assert await app.practice.reviews.retire_stale() == 0  # already retired by the reindex
        async with app.sessions() as session:
            card = await session.get(ReviewCardRow, (7, 9, question.id))
        assert card is not None and card.retired_at is not None  # kept for history
