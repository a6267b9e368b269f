"""Builders for practice tests: a clock tests move by hand, questions/posts/answers as rows, a
poster that records what it was asked to send, and a due-check step that crashes once."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.practice.daily import DailyPost, DailyReveal, DailyService, PostFailed
from bot.core.storage.models import QuizAnswerRow, QuizPostRow, QuizQuestionRow

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


@dataclass
class RecordingPoster:
    """Records posts and reveals; `fail_with` makes the next posts (and lookups) fail with that
    reason. `find` knows what was posted, as a channel's history would."""

    posts: list[DailyPost] = field(default_factory=list)
    reveals: list[DailyReveal] = field(default_factory=list)
    fail_with: str | None = None
    ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    sent: dict[int, int] = field(default_factory=dict)  # post id -> message id
    lookups: list[int] = field(default_factory=list)  # post ids looked for

    async def post(self, post: DailyPost) -> int:
        if self.fail_with:
            raise PostFailed(self.fail_with)
        self.posts.append(post)
        self.sent[post.post_id] = next(self.ids)
        return self.sent[post.post_id]

    async def find(self, post: DailyPost) -> int | None:
        self.lookups.append(post.post_id)
        if self.fail_with:
            raise PostFailed(self.fail_with)
        return self.sent.get(post.post_id)

    async def reveal(self, reveal: DailyReveal) -> None:
        self.reveals.append(reveal)


def crash_once(monkeypatch: pytest.MonkeyPatch, method: str, *, after_it: bool = False) -> None:
    """`DailyService.<method>` raises once, as if the process died just before it (or after it)."""
    original = getattr(DailyService, method)
    crashes = [RuntimeError(f"the process died at {method}")]

    async def crashing(self, *args):  # type: ignore[no-untyped-def]
        if crashes and not after_it:
            raise crashes.pop()
        result = await original(self, *args)
        if crashes:
            raise crashes.pop()
        return result

    monkeypatch.setattr(DailyService, method, crashing)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def add_question(sessions: async_sessionmaker[AsyncSession], qid: str, *, written: bool = False,
                       quality: float = 0.5, retired: bool = False) -> str:
    async with sessions() as session, session.begin():
        session.add(QuizQuestionRow(
            id=qid, kind="written" if written else "cloze", prompt=f"What is {qid}?",
            choices=[] if written else [qid, "b", "c", "d"], answer_index=None if written else 0, answer=qid,
            accepted=[], explanation=None, source="pods.md", heading="Pods", start_line=1, end_line=3,
            chunk_id=None if written else f"chunk-{qid}", quality=10.0 if written else quality, created_at=T0,
            retired_at=T0 if retired else None,
        ))
    return qid


async def add_post(sessions: async_sessionmaker[AsyncSession], qid: str, *, kind: str = "quiz",
                   guild_id: int | None = 1, posted_at: datetime = T0, user_id: int | None = None) -> int:
    async with sessions() as session, session.begin():
        row = QuizPostRow(question_id=qid, kind=kind, guild_id=guild_id, channel_id=10, message_id=None,
                          user_id=user_id, posted_at=posted_at)
        session.add(row)
        await session.flush()
        return row.id


async def add_answer(sessions: async_sessionmaker[AsyncSession], post_id: int, qid: str, user_id: int,
                     correct: bool, answered_at: datetime, *, guild_id: int | None = 1,
                     near_miss: bool = False) -> int:
    async with sessions() as session, session.begin():
        row = QuizAnswerRow(post_id=post_id, question_id=qid, guild_id=guild_id, channel_id=10, user_id=user_id,
                            choice_index=0 if correct else 1, text=None, correct=correct, near_miss=near_miss,
                            answered_at=answered_at)
        session.add(row)
        await session.flush()
        return row.id
