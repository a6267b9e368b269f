"""A burst of quiz answers written through the app's own code (`QuizPosts.add_answer`) by several
writers at once, remembering when each answer's commit returned: what a backup taken meanwhile must
hold is every answer committed before it began."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.quiz.posts import QuizPost, QuizPosts
from bot.core.storage.models import QuizQuestionRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
GUILD, CHANNEL = 10, 20


async def new_post(sessions: async_sessionmaker[AsyncSession]) -> QuizPost:
    """One open quiz post to answer (and its question)."""
    async with sessions() as session, session.begin():
        session.add(QuizQuestionRow(id="q-backup", kind="cloze", prompt="A ____ groups containers.",
                                    choices=["pod", "node", "service", "volume"], answer_index=0, answer="pod",
                                    accepted=[], explanation=None, source="pods.md", heading="Pods", start_line=1,
                                    end_line=3, chunk_id=None, quality=1.0, created_at=NOW, retired_at=None))
    return await QuizPosts(sessions).create("q-backup", kind="quiz", guild_id=GUILD, channel_id=CHANNEL,
                                            user_id=None, now=NOW)


@dataclass
class AnswerBurst:
    """`async with AnswerBurst(posts, post):` writers answer until the block ends."""

    posts: QuizPosts
    post: QuizPost
    writers: int = 4
    first_user: int = 1  # user ids count up from here: one answer per user
    committed: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, answer id)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._next_user = self.first_user

    async def __aenter__(self) -> AnswerBurst:
        self._tasks = [asyncio.create_task(self._write()) for _ in range(self.writers)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def _write(self) -> None:
        while not self._stop.is_set():
            user, self._next_user = self._next_user, self._next_user + 1
            stored = await self.posts.add_answer(self.post, user_id=user, guild_id=GUILD, channel_id=CHANNEL,
                                                 choice_index=user % 4, text=None, correct=user % 4 == 0,
                                                 near_miss=False, now=NOW)
            self.committed.append((time.monotonic(), stored.id))

    async def until(self, answers: int, timeout: float = 30.0) -> None:
        """Wait until at least `answers` answers are committed."""
        async with asyncio.timeout(timeout):
            while len(self.committed) < answers:
                await asyncio.sleep(0.01)

    def ids_between(self, start: float, end: float = float("inf")) -> set[int]:
        return {answer for at, answer in self.committed if start <= at < end}
