"""The daily question of the one member outside any server: the terminal chat's `/daily`.

A server's daily prompt is posted by a schedule (`daily`); a member with no server asks for theirs.
It is chosen by the same rules (`selection`) over the answers stored with no guild, once per UTC
day (the day the streaks of answers with no guild are counted in), and stored as a daily post with
no guild, so answering it scores daily points and counts towards the streak. The day is claimed in
`daily_claims` under guild 0 (no Discord id is 0): two processes asking at once get one question.
The claim is the day's, not a member's: members in DMs would each need a claim of their own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.errors import PracticeError
from bot.core.practice.daily import NO_QUESTIONS, daily_history
from bot.core.practice.selection import choose_daily_question
from bot.core.quiz.posts import QuizPost, post_from_row
from bot.core.quiz.questions import Question
from bot.core.quiz.store import QuestionStore
from bot.core.storage.models import DailyClaimRow, QuizPostRow

NO_GUILD_DAY = 0  # daily_claims' guild for the day of the members outside any server
GONE_TODAY = "today's question is no longer in the notes; a new one comes tomorrow (UTC)"


@dataclass(frozen=True)
class OwnDay:
    """Today's daily question and its post (answered like any post)."""

    post: QuizPost
    question: Question


class OwnDaily:
    """Today's daily question for the member outside any server."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], questions: QuestionStore, clock: Clock,
                 rng: random.Random) -> None:
        self.sessions = sessions
        self.questions = questions
        self.clock = clock
        self.rng = rng

    async def today(self, user_id: int) -> OwnDay:
        """The day's question, chosen at the first ask of the day; `PracticeError` with no questions."""
        day = self.clock().astimezone(timezone.utc).date()
        found = await self._claimed(day)
        if found is not None:
            return found
        active = await self.questions.active()
        try:
            async with self.sessions() as session, session.begin():
                posted, records = await daily_history(session, None)
                question = choose_daily_question(active, posted, records, self.rng)
                if question is None:
                    raise PracticeError(NO_QUESTIONS)
                now = self.clock()
                row = QuizPostRow(question_id=question.id, kind="daily", guild_id=None, channel_id=None,
                                  user_id=user_id, posted_at=now)
                session.add(row)
                await session.flush()
                session.add(DailyClaimRow(guild_id=NO_GUILD_DAY, local_date=day, status="posted", claimed_at=now,
                                          claimed_by="own daily", post_id=row.id))
                await session.flush()
                return OwnDay(post_from_row(row), question)
        except IntegrityError:  # another process chose the day's question first: that one it is
            found = await self._claimed(day)
            if found is None:  # chosen, then taken out of the notes
                raise PracticeError(GONE_TODAY) from None
            return found

    async def _claimed(self, day: date) -> OwnDay | None:
        async with self.sessions() as session:
            claim = await session.scalar(select(DailyClaimRow).where(DailyClaimRow.guild_id == NO_GUILD_DAY,
                                                                     DailyClaimRow.local_date == day))
            row = await session.get(QuizPostRow, claim.post_id) if claim is not None and claim.post_id else None
        if row is None:
            return None
        question = await self.questions.get(row.question_id)
        return OwnDay(post_from_row(row), question) if question is not None else None
