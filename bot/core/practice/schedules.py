"""Reading and writing the guilds' daily-quiz settings (`daily_schedules`), and what `show` reports.

Setting validates everything before anything is saved (bad time or zone: one `PracticeError`
line, nothing changes). Turning it off keeps the row (and so the settings) with `enabled` false.

A saved row this machine cannot read (a zone its tzdata lacks, a hand-edited time) is one
server's problem: it is shown with its `problem`, logged once, and never posted, while the other
servers go on (`enabled` leaves it out).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.errors import PracticeError
from bot.core.practice.schedule import (
    format_post_time,
    next_post_at,
    parse_post_time,
    parse_zone,
    starts_on_for,
    stored_zone,
)
from bot.core.storage.models import DailyClaimRow, DailyScheduleRow, QuizPostRow

log = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Schedule:
    """One guild's daily quiz settings. With a `problem` (the saved zone or time cannot be read
    here) `zone` is UTC and `post_time` midnight, standing in for reading; it is never posted."""

    guild_id: int
    channel_id: int
    post_time: time
    zone: ZoneInfo
    role_id: int | None
    enabled: bool
    starts_on: date
    updated_by: int | None
    updated_at: datetime
    last_error: str | None
    last_error_at: datetime | None
    time_text: str  # as saved, for showing
    zone_name: str  # as saved, for showing
    problem: str | None = None


@dataclass(frozen=True)
class ScheduleStatus:
    """What `/daily-quiz show` and `daily show` report for one guild."""

    schedule: Schedule
    next_post_at: datetime | None  # None when off
    last_post_at: datetime | None
    last_post_channel_id: int | None

    def as_json(self) -> dict[str, object]:
        s = self.schedule
        next_local = self.next_post_at.astimezone(s.zone) if self.next_post_at else None
        return {
            "guild_id": s.guild_id, "channel_id": s.channel_id, "time": s.time_text, "timezone": s.zone_name,
            "role_id": s.role_id, "enabled": s.enabled, "starts_on": s.starts_on.isoformat(),
            "next_post_at": self.next_post_at.isoformat() if self.next_post_at else None,
            "next_post_local": next_local.isoformat() if next_local else None,
            "last_post_at": self.last_post_at.isoformat() if self.last_post_at else None,
            "last_error": s.problem or s.last_error,
            "last_error_at": s.last_error_at.isoformat() if s.last_error_at and not s.problem else None,
        }


def schedule_from_row(row: DailyScheduleRow) -> Schedule:
    """The row as a `Schedule`; one that cannot be read here gets its `problem` instead of raising."""
    problems = []
    try:
        zone = stored_zone(row.timezone)
    except PracticeError as exc:
        zone = UTC_ZONE
        problems.append(str(exc))
    try:
        at = parse_post_time(row.post_time)
    except PracticeError:
        at = time(0, 0)
        problems.append(f"the saved time {row.post_time[:20]!r} is not a time: set the schedule again")
    return Schedule(
        guild_id=row.guild_id, channel_id=row.channel_id, post_time=at, zone=zone, role_id=row.role_id,
        enabled=row.enabled, starts_on=row.starts_on, updated_by=row.updated_by, updated_at=row.updated_at,
        last_error=row.last_error, last_error_at=row.last_error_at,
        time_text=row.post_time if problems else format_post_time(at), zone_name=row.timezone,
        problem="; ".join(problems) or None,
    )


class DailySchedules:
    """The guilds' schedules: set, off, show."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._reported: set[tuple[int, str]] = set()  # (guild, problem) already logged

    async def set(self, guild_id: int, *, channel_id: int, time_text: str, zone_name: str,
                  role_id: int | None, set_by: int | None) -> Schedule:
        """Validate and save a guild's schedule; it starts today if today's time is still to come."""
        at, zone = parse_post_time(time_text), parse_zone(zone_name)
        now = self.clock()
        async with self.sessions() as session, session.begin():
            row = await session.get(DailyScheduleRow, guild_id, with_for_update=True)
            if row is None:
                row = DailyScheduleRow(guild_id=guild_id)
                session.add(row)
            row.channel_id, row.post_time, row.timezone, row.role_id = channel_id, format_post_time(at), zone.key, role_id
            row.enabled, row.starts_on = True, starts_on_for(now, at, zone)
            row.updated_by, row.updated_at = set_by, now
            row.last_error, row.last_error_at = None, None
            await session.flush()
            return schedule_from_row(row)

    async def off(self, guild_id: int, *, set_by: int | None) -> bool:
        """Stop the daily quiz (settings kept); False when it was not on."""
        async with self.sessions() as session, session.begin():
            row = await session.get(DailyScheduleRow, guild_id, with_for_update=True)
            if row is None or not row.enabled:
                return False
            row.enabled, row.updated_by, row.updated_at = False, set_by, self.clock()
            return True

    async def get(self, guild_id: int) -> Schedule | None:
        async with self.sessions() as session:
            row = await session.get(DailyScheduleRow, guild_id)
            return None if row is None else schedule_from_row(row)

    async def enabled(self) -> list[Schedule]:
        """The schedules to post; one that cannot be read here is left out, and logged once."""
        async with self.sessions() as session:
            rows = await session.scalars(select(DailyScheduleRow).where(DailyScheduleRow.enabled.is_(True))
                                         .order_by(DailyScheduleRow.guild_id))
            schedules = [schedule_from_row(r) for r in rows]
        for s in schedules:
            if s.problem is not None and (s.guild_id, s.problem) not in self._reported:
                self._reported.add((s.guild_id, s.problem))
                log.warning("the daily quiz of guild %s is not posted: %s", s.guild_id, s.problem)
        return [s for s in schedules if s.problem is None]

    async def status(self, guild_id: int) -> ScheduleStatus | None:
        found = await self._statuses(guild_id)
        return found[0] if found else None

    async def all_statuses(self) -> list[ScheduleStatus]:
        return await self._statuses(None)

    async def _statuses(self, guild_id: int | None) -> list[ScheduleStatus]:
        now = self.clock()
        async with self.sessions() as session:
            query = select(DailyScheduleRow).order_by(DailyScheduleRow.guild_id)
            if guild_id is not None:
                query = query.where(DailyScheduleRow.guild_id == guild_id)
            schedules = [schedule_from_row(r) for r in await session.scalars(query)]
            statuses = []
            for s in schedules:
                last = (await session.execute(
                    select(QuizPostRow.posted_at, QuizPostRow.channel_id)
                    .where(QuizPostRow.guild_id == s.guild_id, QuizPostRow.kind == "daily")
                    .order_by(QuizPostRow.posted_at.desc(), QuizPostRow.id.desc()).limit(1)
                )).first()
                nxt = None
                if s.enabled and s.problem is None:
                    today = now.astimezone(s.zone).date()
                    done = await session.scalar(select(DailyClaimRow.status).where(
                        DailyClaimRow.guild_id == s.guild_id, DailyClaimRow.local_date == today)) == "posted"
                    nxt = next_post_at(now, s.post_time, s.zone, s.starts_on, today_done=done)
                statuses.append(ScheduleStatus(s, nxt, last[0] if last else None, last[1] if last else None))
            return statuses
