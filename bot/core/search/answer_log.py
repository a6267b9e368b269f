"""Answers given to members and their feedback, stored per guild and user.

Each answer gets a row before it is sent, so its buttons can carry just the row id: "More" and the
feedback buttons keep working after a restart and on any shard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.search.answering import Passage
from bot.core.storage.models import AnswerRow, FeedbackRow

Verdict = Literal["helpful", "not_helpful"]
QUESTION_LIMIT = 4000


@dataclass(frozen=True)
class AnswerRecord:
    id: int
    guild_id: int | None
    channel_id: int | None
    user_id: int
    question: str
    created_at: datetime


class AnswerLog:
    """Stores answers and feedback; every row carries its guild (None in DMs) and user."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    async def record_answer(
        self, *, guild_id: int | None, channel_id: int | None, user_id: int, question: str,
        passages: Sequence[Passage],
    ) -> int:
        row = AnswerRow(guild_id=guild_id, channel_id=channel_id, user_id=user_id,
                        question=question[:QUESTION_LIMIT], results=_shown(passages), created_at=self.clock())
        async with self.sessions() as session, session.begin():
            session.add(row)
            await session.flush()
            return row.id

    async def get(self, answer_id: int) -> AnswerRecord | None:
        async with self.sessions() as session:
            row = await session.get(AnswerRow, answer_id)
        if row is None:
            return None
        return AnswerRecord(row.id, row.guild_id, row.channel_id, row.user_id, row.question, row.created_at)

    async def record_feedback(
        self, *, answer_id: int, user_id: int, guild_id: int | None, verdict: Verdict,
        shown: Sequence[Passage],
    ) -> None:
        """One verdict per member and answer: clicking again replaces the earlier one."""
        async with self.sessions() as session, session.begin():
            existing = await session.scalar(
                select(FeedbackRow).where(FeedbackRow.answer_id == answer_id, FeedbackRow.user_id == user_id)
                .with_for_update()
            )
            if existing is None:
                session.add(FeedbackRow(answer_id=answer_id, user_id=user_id, guild_id=guild_id, verdict=verdict,
                                        results=_shown(shown), created_at=self.clock()))
            else:
                existing.verdict, existing.results, existing.created_at = verdict, _shown(shown), self.clock()

    async def feedback(self, answer_id: int) -> list[tuple[int, str, list[dict[str, object]]]]:
        """(user id, verdict, results shown) for one answer, for tests and reports."""
        async with self.sessions() as session:
            rows = await session.scalars(select(FeedbackRow).where(FeedbackRow.answer_id == answer_id)
                                         .order_by(FeedbackRow.id))
            return [(r.user_id, r.verdict, r.results) for r in rows]


def _shown(passages: Sequence[Passage]) -> list[dict[str, object]]:
    return [{"chunk_id": p.chunk_id, "citation": p.citation, "score": round(p.score, 4)} for p in passages]
