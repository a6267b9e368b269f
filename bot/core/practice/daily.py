"""The daily due-check: post each guild's question once per local day, whatever restarts and how
many processes share the database.

`DailyService.tick()` runs every DAILY_TICK_SECONDS. For each enabled schedule whose local time has
come today (`schedule.due_day`):

1. **Claim** the day: INSERT into `daily_claims` (guild, local date). The unique constraint makes
   exactly one process win; the others get an integrity error and leave the day alone. A claim is
   taken before posting, so a restart after posting never posts again.
2. **Choose** the question (`selection`) and create its `quiz_posts` row (`kind='daily'`), whose id
   the message's buttons carry.
3. **Post** through the injected `Poster` (the Discord adapter). On success the claim becomes
   `posted`, the guild's previous daily post is closed (`closed_at`) and handed to `Poster.reveal`.
4. On failure (channel deleted, permission lost, no question yet) nothing is swallowed: the post
   row is removed (kept when the send may have gone out, see 5), the claim becomes `failed` with
   the reason, the schedule shows the problem
   (`last_error`), it is logged, and the same day is retried every RETRY_AFTER until local
   midnight. A claim left `claimed` by a process that died mid-post is taken over after STALE_AFTER.
5. Before a taken-over claim (or one whose send failed in an unexpected way) is posted again,
   `Poster.find` looks for the post the earlier attempt may have sent (Discord accepted it, the
   process died before step 3 recorded it): found, it is **adopted** (recorded as in step 3, so it
   is closed and revealed like any other) instead of posting the day twice. Posting is idempotent
   besides (the adapter sends a nonce per guild and day). When the lookup itself fails, nothing
   is posted and the claim is looked at again after STALE_AFTER.

A bot that was down at post time posts at its first tick back, the same local day. One server's
trouble (an unreadable schedule, a database error mid-post) is logged and skipped; the others post.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.errors import PracticeError
from bot.core.practice.schedule import due_day
from bot.core.practice.schedules import DailySchedules, Schedule
from bot.core.practice.selection import Record, choose_daily_question, due_daily_questions
from bot.core.quiz.posts import same_guild
from bot.core.quiz.questions import Question
from bot.core.quiz.store import QuestionStore
from bot.core.storage.models import DailyClaimRow, DailyScheduleRow, QuizAnswerRow, QuizPostRow

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=5)  # a failed day is tried again this often, until local midnight
STALE_AFTER = timedelta(minutes=10)  # a claim still 'claimed' this long belongs to a dead process
NO_QUESTIONS = "no quiz questions yet: reindex the notes; if they give none, add hand-written ones under quiz/"


class PostFailed(PracticeError):
    """The poster could not post (channel gone, permission lost); the message says why."""


@dataclass(frozen=True)
class DailyPost:
    """A daily prompt to send: `post_id` goes into the message's buttons."""

    post_id: int
    guild_id: int
    channel_id: int
    role_id: int | None  # the only mention the bot ever makes
    question: Question
    local_date: date


@dataclass(frozen=True)
class DailyReveal:
    """A closed daily prompt to edit in place: the answer, and how the guild did."""

    post_id: int
    guild_id: int
    channel_id: int
    message_id: int
    question: Question
    answered: int
    correct: int


class Poster(Protocol):
    """Where daily prompts go (Discord, or a test's list)."""

    async def post(self, post: DailyPost) -> int:
        """Send the prompt; return the message id. Raise `PostFailed` when it cannot be sent."""

    async def find(self, post: DailyPost) -> int | None:
        """The id of `post`'s message if it was already sent (by a process that died before
        recording it), else None. Raise `PostFailed` when it cannot be looked for."""

    async def reveal(self, reveal: DailyReveal) -> None:
        """Edit a closed prompt to show its answer; failures are only logged."""


@dataclass(frozen=True)
class TickOutcome:
    """What one due-check did for one guild: 'posted', 'failed' or 'busy' (another process has it)."""

    guild_id: int
    local_date: date
    status: str
    post_id: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Claim:
    """A day this process may post now; `unrecorded_post_id` is the post of an earlier attempt
    that may have been sent without being recorded (its process died, or the send's outcome is
    unknown), which Discord may have (`Poster.find`)."""

    id: int
    unrecorded_post_id: int | None = None


def default_owner() -> str:
    """Who holds a claim, for people reading the table: host, process, and this service."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DailyService:
    """The due-check. One per process; any number of processes may share the database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], schedules: DailySchedules,
                 questions: QuestionStore, clock: Clock, rng: random.Random, *, owner: str | None = None) -> None:
        self.sessions = sessions
        self.schedules = schedules
        self.questions = questions
        self.clock = clock
        self.rng = rng
        self.owner = owner or default_owner()

    async def tick(self, poster: Poster) -> list[TickOutcome]:
        """Post every guild whose time has come today and has no post yet."""
        outcomes = []
        for schedule in await self.schedules.enabled():
            try:
                day = due_day(self.clock(), schedule.post_time, schedule.zone, schedule.starts_on)
                outcome = None if day is None else await self._run(schedule, day, poster)
            except Exception:  # noqa: BLE001 - one server's trouble must not stop the others' posts
                log.warning("the daily quiz of guild %s failed; the other servers go on", schedule.guild_id,
                            exc_info=True)
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def _run(self, schedule: Schedule, day: date, poster: Poster) -> TickOutcome | None:
        claim = await self._claim(schedule.guild_id, day)
        if claim is None:
            return None
        if claim.unrecorded_post_id is not None:
            adopted = await self._adopt(schedule, day, claim.id, claim.unrecorded_post_id, poster)
            if adopted is not None:
                return adopted
        try:
            post = await self._prepare(schedule, day, claim.id)
        except PracticeError as exc:
            await self._fail(schedule, claim.id, None, str(exc))
            return TickOutcome(schedule.guild_id, day, "failed", error=str(exc))
        try:
            message_id = await poster.post(post)
        except PostFailed as exc:
            await self._fail(schedule, claim.id, post.post_id, str(exc))
            return TickOutcome(schedule.guild_id, day, "failed", error=str(exc))
        except Exception as exc:  # noqa: BLE001 - an unexpected failure must not swallow the day either
            log.exception("posting the daily quiz of guild %s failed", schedule.guild_id)
            reason = f"unexpected error: {type(exc).__name__}"  # sent or not: the retry looks first
            await self._fail(schedule, claim.id, post.post_id, reason, maybe_sent=True)
            return TickOutcome(schedule.guild_id, day, "failed", error=reason)
        return await self._record(schedule, day, claim.id, post, message_id, poster)

    async def _record(self, schedule: Schedule, day: date, claim_id: int, post: DailyPost, message_id: int,
                      poster: Poster) -> TickOutcome:
        """The day is posted: record it, then reveal the guild's previous prompts."""
        reveals = await self._posted(schedule, claim_id, post.post_id, message_id)
        log.info("posted the daily quiz of guild %s for %s (post %s)", schedule.guild_id, day, post.post_id)
        for reveal in reveals:
            try:
                await poster.reveal(reveal)
            except Exception:  # noqa: BLE001 - the new post is out; an old message we cannot edit stays as it is
                log.warning("revealing daily post %s of guild %s failed", reveal.post_id, reveal.guild_id,
                            exc_info=True)
        return TickOutcome(schedule.guild_id, day, "posted", post_id=post.post_id)

    async def _adopt(self, schedule: Schedule, day: date, claim_id: int, post_id: int,
                     poster: Poster) -> TickOutcome | None:
        """Record the post an earlier attempt sent but never recorded, found in its channel; None
        when it was never sent (post the day as usual). A lookup that fails posts nothing: the claim
        stays taken and is looked at again after STALE_AFTER."""
        post = await self._unrecorded(schedule, day, post_id)
        if post is None:
            return None
        try:
            message_id = await poster.find(post)
        except Exception as exc:  # noqa: BLE001 - posting now could post the day twice
            reason = str(exc) if isinstance(exc, PostFailed) else f"unexpected error: {type(exc).__name__}"
            log.warning("could not check whether daily post %s of guild %s went out: %s", post.post_id,
                        schedule.guild_id, reason, exc_info=not isinstance(exc, PostFailed))
            await self._show_problem(schedule, f"could not check whether the last attempt was posted: {reason}")
            return TickOutcome(schedule.guild_id, day, "failed", post_id=post.post_id, error=reason)
        if message_id is None:
            return None
        log.info("found daily post %s of guild %s in its channel: recording it, not posting again",
                 post.post_id, schedule.guild_id)
        return await self._record(schedule, day, claim_id, post, message_id, poster)

    async def _unrecorded(self, schedule: Schedule, day: date, post_id: int) -> DailyPost | None:
        """The post an earlier attempt was sending, as it was sent (its question and channel)."""
        async with self.sessions() as session:
            row = await session.get(QuizPostRow, post_id)
            if row is None or row.message_id is not None or row.channel_id is None:
                return None
            question_id, channel_id = row.question_id, row.channel_id
        question = await self.questions.get(question_id)
        if question is None:
            return None
        return DailyPost(post_id, schedule.guild_id, channel_id, schedule.role_id, question, day)

    # ------------------------------------------------------------------ the claim

    async def _claim(self, guild_id: int, day: date) -> _Claim | None:
        """The claim when this process may post the day now; None when it is taken or done."""
        now = self.clock()
        async with self.sessions() as session:
            existing = (await session.execute(
                select(DailyClaimRow.id, DailyClaimRow.status, DailyClaimRow.claimed_at, DailyClaimRow.post_id)
                .where(DailyClaimRow.guild_id == guild_id, DailyClaimRow.local_date == day)
            )).first()
        if existing is None:
            try:
                async with self.sessions() as session, session.begin():
                    row = DailyClaimRow(guild_id=guild_id, local_date=day, status="claimed", claimed_at=now,
                                        claimed_by=self.owner)
                    session.add(row)
                    await session.flush()
                    return _Claim(row.id)
            except IntegrityError:  # another process claimed it between our read and our insert
                return None
        claim_id, status, claimed_at, post_id = existing
        retry = (status == "failed" and claimed_at <= now - RETRY_AFTER) or (
            status == "claimed" and claimed_at <= now - STALE_AFTER)
        if not retry:
            return None
        async with self.sessions() as session, session.begin():  # take it over only if still as we saw it
            result = await session.execute(
                update(DailyClaimRow).where(
                    DailyClaimRow.id == claim_id, DailyClaimRow.status == status,
                    DailyClaimRow.claimed_at == claimed_at,
                ).values(status="claimed", claimed_at=now, claimed_by=self.owner, error=None)
            )
            return _Claim(claim_id, post_id) if result.rowcount == 1 else None

    async def preview(self, guild_id: int | None) -> list[Question]:
        """What the guild's next daily prompt would be drawn from, as things stand (the pool and
        the guild's answers may change before it posts): one question, or several equally due."""
        active = await self.questions.active()
        async with self.sessions() as session:
            posted, records = await daily_history(session, guild_id)
        return due_daily_questions(active, posted, records)

    async def _prepare(self, schedule: Schedule, day: date, claim_id: int) -> DailyPost:
        """Choose the question and create its post row, linked to the claim."""
        active = await self.questions.active()
        async with self.sessions() as session, session.begin():
            posted, records = await daily_history(session, schedule.guild_id)
            question = choose_daily_question(active, posted, records, self.rng)
            if question is None:
                raise PracticeError(NO_QUESTIONS)
            row = QuizPostRow(question_id=question.id, kind="daily", guild_id=schedule.guild_id,
                              channel_id=schedule.channel_id, posted_at=self.clock())
            session.add(row)
            await session.flush()
            await session.execute(update(DailyClaimRow).where(DailyClaimRow.id == claim_id).values(post_id=row.id))
            return DailyPost(row.id, schedule.guild_id, schedule.channel_id, schedule.role_id, question, day)

    async def _posted(self, schedule: Schedule, claim_id: int, post_id: int, message_id: int) -> list[DailyReveal]:
        """Mark the day posted, clear the schedule's problem, close the previous prompts."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            await session.execute(update(QuizPostRow).where(QuizPostRow.id == post_id)
                                  .values(message_id=message_id, posted_at=now))
            await session.execute(update(DailyClaimRow).where(DailyClaimRow.id == claim_id)
                                  .values(status="posted", error=None))
            await session.execute(update(DailyScheduleRow).where(DailyScheduleRow.guild_id == schedule.guild_id)
                                  .values(last_error=None, last_error_at=None))
            previous = list(await session.scalars(
                select(QuizPostRow).where(QuizPostRow.guild_id == schedule.guild_id, QuizPostRow.kind == "daily",
                                          QuizPostRow.closed_at.is_(None), QuizPostRow.id != post_id)))
            counts = await _answer_counts(session, [p.id for p in previous])
            for p in previous:
                p.closed_at = now
        reveals = []
        for p in previous:
            question = await self.questions.get(p.question_id)
            if p.message_id is None or p.channel_id is None or question is None:
                continue
            answered, correct = counts.get(p.id, (0, 0))
            reveals.append(DailyReveal(p.id, schedule.guild_id, p.channel_id, p.message_id, question, answered, correct))
        return reveals

    async def _fail(self, schedule: Schedule, claim_id: int, post_id: int | None, reason: str, *,
                    maybe_sent: bool = False) -> None:
        """Record the failure where moderators see it; the claim stays for a retry after RETRY_AFTER.
        A post Discord refused is deleted; one that `maybe_sent` stays on the claim for the retry
        to look for (`_adopt`)."""
        log.warning("the daily quiz of guild %s could not be posted: %s", schedule.guild_id, reason)
        kept = post_id if maybe_sent else None
        async with self.sessions() as session, session.begin():
            await session.execute(update(DailyClaimRow).where(DailyClaimRow.id == claim_id)
                                  .values(status="failed", error=reason[:500], post_id=kept))
            if post_id is not None and kept is None:
                await session.execute(delete(QuizPostRow).where(QuizPostRow.id == post_id))
            await self._show_problem(schedule, reason, session)

    async def _show_problem(self, schedule: Schedule, reason: str, session: AsyncSession | None = None) -> None:
        """The schedule's `last_error`, which `/daily-quiz show` and `daily show` report."""
        change = (update(DailyScheduleRow).where(DailyScheduleRow.guild_id == schedule.guild_id)
                  .values(last_error=reason[:500], last_error_at=self.clock()))
        if session is not None:
            await session.execute(change)
            return
        async with self.sessions() as own, own.begin():
            await own.execute(change)


async def daily_history(session: AsyncSession, guild_id: int | None) -> tuple[list[str], dict[str, Record]]:
    """The guild's earlier daily questions (oldest first) and how it answered each question: what
    the next daily question is chosen by (`selection`)."""
    posted = list(await session.scalars(
        select(QuizPostRow.question_id).where(same_guild(QuizPostRow.guild_id, guild_id), QuizPostRow.kind == "daily")
        .order_by(QuizPostRow.posted_at, QuizPostRow.id)))
    records: dict[str, Record] = {}
    for qid, correct, n in await session.execute(
            select(QuizAnswerRow.question_id, QuizAnswerRow.correct, func.count())
            .where(same_guild(QuizAnswerRow.guild_id, guild_id))
            .group_by(QuizAnswerRow.question_id, QuizAnswerRow.correct)):
        seen = records.get(qid, Record(0, 0))
        records[qid] = Record(seen.answered + n, seen.correct + (n if correct else 0))
    return posted, records


async def _answer_counts(session: AsyncSession, post_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not post_ids:
        return {}
    rows = await session.execute(
        select(QuizAnswerRow.post_id, QuizAnswerRow.correct, func.count())
        .where(QuizAnswerRow.post_id.in_(post_ids)).group_by(QuizAnswerRow.post_id, QuizAnswerRow.correct))
    counts: dict[int, tuple[int, int]] = {}
    for post_id, correct, n in rows:
        answered, right = counts.get(post_id, (0, 0))
        counts[post_id] = (answered + n, right + (n if correct else 0))
    return counts
