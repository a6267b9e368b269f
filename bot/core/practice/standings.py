"""The numbers members ask for: `/leaderboard` and `/progress`, read from the answer history.

This module only reads; the arithmetic is in `scores` (pure, tested with tables of histories).
The leaderboard sums a whole server's answers, so it applies the same rules in SQL (a window
function finds each member's first answer to each question) rather than loading every answer:
over 80,000 answers that is the difference between seconds and a fraction of one (see
`bench/practice.py`); a test checks the SQL against `scores` on random histories. The server's
day boundaries follow its daily-quiz time zone, or UTC without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.practice.review import ReviewCards
from bot.core.practice.schedules import UTC_ZONE, DailySchedules
from bot.core.practice.scores import (
    DAILY_POINTS,
    QUIZ_POINTS,
    AnswerFact,
    DayMark,
    Leaderboard,
    Period,
    Standing,
    calendar_days,
    leaderboard_page,
    period_start,
    ranked,
    score,
    streak_days,
    streaks,
)
from bot.core.storage.models import QuizAnswerRow, QuizPostRow


@dataclass(frozen=True)
class Progress:
    """One member's practice in one server."""

    user_id: int
    answered: int
    correct: int
    points: int
    current_streak: int
    best_streak: int
    reviews_due: int
    calendar: list[tuple[date, DayMark]]
    zone: str

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


class Standings:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], schedules: DailySchedules,
                 reviews: ReviewCards, clock: Clock) -> None:
        self.sessions = sessions
        self.schedules = schedules
        self.reviews = reviews
        self.clock = clock

    async def zone(self, guild_id: int | None) -> ZoneInfo:
        schedule = await self.schedules.get(guild_id) if guild_id else None
        return schedule.zone if schedule else UTC_ZONE

    async def facts(self, guild_id: int | None, user_id: int | None = None) -> list[AnswerFact]:
        """Every answer in the server (None: DMs and the terminal chat), or one member's."""
        query = (select(QuizAnswerRow.id, QuizAnswerRow.user_id, QuizAnswerRow.question_id, QuizPostRow.kind,
                        QuizAnswerRow.correct, QuizAnswerRow.answered_at, QuizPostRow.posted_at)
                 .join(QuizPostRow, QuizPostRow.id == QuizAnswerRow.post_id)
                 .where(QuizAnswerRow.guild_id.is_(None) if not guild_id else QuizAnswerRow.guild_id == guild_id))
        if user_id is not None:
            query = query.where(QuizAnswerRow.user_id == user_id)
        async with self.sessions() as session:
            return [AnswerFact(*row) for row in await session.execute(query)]

    async def leaderboard(self, guild_id: int | None, period: Period, *, page: int, caller_id: int) -> Leaderboard:
        now, zone = self.clock(), await self.zone(guild_id)
        since = period_start(period, now, zone)
        return leaderboard_page(await self.totals(guild_id, since), period, since, page, caller_id)

    async def totals(self, guild_id: int | None, since: datetime | None) -> list[Standing]:
        """`scores.standings(score(facts), since)`, computed by the database."""
        nth = func.row_number().over(partition_by=(QuizAnswerRow.user_id, QuizAnswerRow.question_id),
                                     order_by=(QuizAnswerRow.answered_at, QuizAnswerRow.id))
        history = (select(QuizAnswerRow.user_id, QuizAnswerRow.correct, QuizAnswerRow.answered_at,
                          QuizPostRow.kind, nth.label("nth"))
                   .join(QuizPostRow, QuizPostRow.id == QuizAnswerRow.post_id)
                   .where(QuizAnswerRow.guild_id.is_(None) if not guild_id else QuizAnswerRow.guild_id == guild_id)
                   .subquery())
        points = case((and_(history.c.nth == 1, history.c.correct),
                       case((history.c.kind == "daily", DAILY_POINTS), else_=QUIZ_POINTS)), else_=0)
        query = (select(history.c.user_id, func.sum(points), func.sum(case((history.c.correct, 1), else_=0)),
                        func.count())
                 .group_by(history.c.user_id))
        if since is not None:
            query = query.where(history.c.answered_at >= since)
        async with self.sessions() as session:
            rows = await session.execute(query)
            return ranked({user: (int(p), int(c), int(n)) for user, p, c, n in rows})

    async def progress(self, guild_id: int | None, user_id: int) -> Progress:
        now, zone = self.clock(), await self.zone(guild_id)
        facts = await self.facts(guild_id, user_id)
        today = now.astimezone(zone).date()
        current, best = streaks(streak_days(facts, zone), today)
        return Progress(
            user_id=user_id, answered=len(facts), correct=sum(f.correct for f in facts),
            points=sum(s.points for s in score(facts)), current_streak=current, best_streak=best,
            reviews_due=await self.reviews.due_count(guild_id, user_id, now),
            calendar=calendar_days(facts, zone, today), zone=zone.key,
        )
