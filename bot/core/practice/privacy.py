"""`/forget-me`: delete one member's practice data in one server, and nobody else's.

Deleted: their answers (and with them their points, streaks and standings, which are computed from
answers) and their review cards. Kept: the posts (other members' answers hang on them); a `/quiz`
post they asked for keeps its question but no longer names them. The log line has ids and counts,
never answer text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.practice.review import NO_GUILD
from bot.core.storage.models import QuizAnswerRow, QuizPostRow, ReviewCardRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    answers: int
    cards: int


async def forget_member(sessions: async_sessionmaker[AsyncSession], guild_id: int | None, user_id: int) -> Forgotten:
    in_guild = QuizAnswerRow.guild_id.is_(None) if not guild_id else QuizAnswerRow.guild_id == guild_id
    posts_in_guild = QuizPostRow.guild_id.is_(None) if not guild_id else QuizPostRow.guild_id == guild_id
    async with sessions() as session, session.begin():
        answers = await session.execute(delete(QuizAnswerRow).where(in_guild, QuizAnswerRow.user_id == user_id))
        cards = await session.execute(delete(ReviewCardRow).where(
            ReviewCardRow.guild_id == (guild_id or NO_GUILD), ReviewCardRow.user_id == user_id))
        await session.execute(update(QuizPostRow).where(posts_in_guild, QuizPostRow.user_id == user_id)
                              .values(user_id=None))
    forgotten = Forgotten(answers.rowcount or 0, cards.rowcount or 0)
    log.info("forget-me: guild %s user %s: deleted %d answers and %d review cards",
             guild_id, user_id, forgotten.answers, forgotten.cards)
    return forgotten
