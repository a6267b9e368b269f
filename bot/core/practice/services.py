"""The practice services, built once per process by `bot.app.open_app`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.practice.daily import DailyService
from bot.core.practice.own_daily import OwnDaily
from bot.core.practice.privacy import Forgotten, forget_member
from bot.core.practice.review import ReviewCards
from bot.core.practice.schedules import DailySchedules
from bot.core.practice.standings import Standings
from bot.core.quiz.store import QuestionStore


@dataclass
class Practice:
    """Daily prompts, review cards, scores; `reviews` is the quiz's `ReviewSource`."""

    sessions: async_sessionmaker[AsyncSession]
    schedules: DailySchedules
    daily: DailyService
    own_daily: OwnDaily  # the terminal chat's `/daily`: members outside any server
    reviews: ReviewCards
    standings: Standings

    async def forget(self, guild_id: int | None, user_id: int) -> Forgotten:
        await self.reviews.caught_up()  # card updates still queued would bring the cards back
        return await forget_member(self.sessions, guild_id, user_id)


def build_practice(sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime],
                   rng: random.Random | None = None, *, owner: str | None = None,
                   reviews: ReviewCards | None = None) -> Practice:
    """The practice services; `reviews` defaults to cards written at once (the bot passes cards
    written behind the reply, `ReviewsBehind`)."""
    schedules = DailySchedules(sessions, clock)
    reviews = reviews or ReviewCards(sessions, clock)
    rng = rng or random.Random()
    questions = QuestionStore(sessions)
    return Practice(
        sessions=sessions, schedules=schedules,
        daily=DailyService(sessions, schedules, questions, clock, rng, owner=owner),
        own_daily=OwnDaily(sessions, questions, clock, rng),
        reviews=reviews, standings=Standings(sessions, schedules, reviews, clock),
    )
