"""Reading the stored question pool: the one place that turns `quiz_questions` rows into `Question`s.

The pool is written by the reindex (see `pool`); everything that asks questions reads it here.
Retired questions are never returned by the "active" reads, but `get` still finds them, because
old posts, answers and review cards point at them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.quiz.questions import Question
from bot.core.storage.models import QuizQuestionRow

_IN_BATCH = 500  # ids per IN (...) list; far below SQLite's and asyncpg's parameter limits


class QuestionText(NamedTuple):
    """What a topic is matched against, without loading the whole question."""

    id: str
    kind: str
    answer: str
    prompt: str
    choices: list[str]


def question_from_row(row: QuizQuestionRow) -> Question:
    return Question(
        id=row.id, kind=row.kind,  # type: ignore[arg-type]  # the CHECK constraint keeps it a QuestionKind
        prompt=row.prompt, choices=tuple(row.choices), answer_index=row.answer_index, answer=row.answer,
        source=row.source, heading=row.heading, start_line=row.start_line, end_line=row.end_line,
        chunk_id=row.chunk_id, accepted=tuple(row.accepted), explanation=row.explanation, quality=row.quality,
    )


class QuestionStore:
    """Read access to the question pool."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def get(self, question_id: str) -> Question | None:
        """Any question, retired or not (answers and review cards refer to old ones too)."""
        async with self.sessions() as session:
            row = await session.get(QuizQuestionRow, question_id)
            return None if row is None else question_from_row(row)

    async def active(self) -> list[Question]:
        """Every question that may be asked, best first (hand-written, then by quality), then by id."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(QuizQuestionRow).where(QuizQuestionRow.retired_at.is_(None))
                .order_by(QuizQuestionRow.quality.desc(), QuizQuestionRow.id)
            )
            return [question_from_row(r) for r in rows]

    async def active_for_chunks(self, chunk_ids: Sequence[str]) -> list[Question]:
        """Active questions drawn from these passages (for a `/quiz` topic), best first."""
        found: list[Question] = []
        async with self.sessions() as session:
            for start in range(0, len(chunk_ids), _IN_BATCH):
                batch = list(chunk_ids[start:start + _IN_BATCH])
                rows = await session.scalars(
                    select(QuizQuestionRow).where(QuizQuestionRow.retired_at.is_(None),
                                                  QuizQuestionRow.chunk_id.in_(batch))
                )
                found.extend(question_from_row(r) for r in rows)
        return sorted(found, key=lambda q: (-q.quality, q.id))

    async def active_containing(self, fragments: Sequence[str]) -> list[QuestionText]:
        """The active questions whose prompt, answer or choices contain every fragment, ignoring
        ASCII case: a cheap first cut for a `/quiz` topic (`topic_words`), read column by column
        so a large pool is never loaded as questions. No fragments: no questions."""
        if not fragments:
            return []
        row = QuizQuestionRow
        text = row.prompt + " " + row.answer + " " + cast(row.choices, Text)
        async with self.sessions() as session:
            rows = await session.execute(
                select(row.id, row.kind, row.answer, row.prompt, row.choices)
                .where(row.retired_at.is_(None), *(text.ilike(f"%{f}%") for f in fragments))
                .order_by(row.id))
            return [QuestionText(*r) for r in rows.all()]
