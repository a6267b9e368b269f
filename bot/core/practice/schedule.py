"""Daily-quiz times: parsing `HH:MM` and IANA zone names, and turning a local time into instants.

Every rule here is about the server's local calendar, because that is what members see:
- a day is a local date in the schedule's zone (zoneinfo, with `tzdata` where the system has none);
- a local time that does not exist on a spring-forward day (02:30 in Berlin on the last Sunday of
  March) is read with the offset from before the change, so the post goes out at 03:30 local, when
  that much time has passed; a local time that happens twice on a fall-back day is its first
  occurrence (fold 0), so the day still gets exactly one moment;
- a schedule set after today's time has passed starts tomorrow (`starts_on`), so setting it is
  never an instant post.
Pure functions only: callers pass the current time in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.errors import PracticeError

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
MAX_ZONE_LENGTH = 64  # the column's width; no IANA name comes close


def parse_post_time(text: str) -> time:
    """`HH:MM` on a 24-hour clock (`9:05` is accepted too)."""
    match = _TIME.match(text or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise PracticeError(f"{text.strip()[:20]!r} is not a time: use HH:MM on a 24-hour clock, e.g. 09:30 or 18:00.")
    return time(int(match.group(1)), int(match.group(2)))


def format_post_time(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name known here, sorted (for autocomplete and validation)."""
    return tuple(sorted(available_timezones()))


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone such as `Europe/Berlin`; anything else (paths, offsets, typos) is refused."""
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > MAX_ZONE_LENGTH or cleaned not in zone_names():
        raise PracticeError(f"{cleaned[:40]!r} is not a time zone: pick an IANA name such as Europe/Berlin "
                            "or America/New_York (the option suggests them as you type).")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise PracticeError(f"{cleaned!r} is not a time zone this system knows.") from None


def stored_zone(name: str) -> ZoneInfo:
    """The zone of a saved schedule, which `parse_zone` accepted when it was set. Raises
    `PracticeError` when this machine does not know it (a name from a newer tzdata, one since
    removed, a row edited by hand): one schedule's problem, never every server's."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory such as "Europe"
        raise PracticeError(f"the time zone {name[:MAX_ZONE_LENGTH]!r} is not one this machine knows "
                            "(its tzdata may be older or newer): set the schedule again with a known zone") from None


def matching_zones(current: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those starting with the text first, then those containing it."""
    needle = current.strip().lower().replace(" ", "_")
    names = zone_names()
    if not needle:
        return list(names[:limit])
    starts = [n for n in names if n.lower().startswith(needle)]
    contains = [n for n in names if needle in n.lower() and n not in starts]
    return (starts + contains)[:limit]


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def post_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local time `at` on local `day` (see the module docstring for DST)."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(timezone.utc)


def starts_on_for(now: datetime, at: time, zone: ZoneInfo) -> date:
    """The first local day a schedule set at `now` may post: today if its time is still to come."""
    today = local_today(now, zone)
    return today if now < post_moment(today, at, zone) else today + timedelta(days=1)


def due_day(now: datetime, at: time, zone: ZoneInfo, starts_on: date) -> date | None:
    """Today's local date when today's post time has come (and the schedule has started), else None.

    A bot that was down at the time sees the day as due until local midnight, so it posts late
    rather than skip the day."""
    today = local_today(now, zone)
    if today < starts_on or now < post_moment(today, at, zone):
        return None
    return today


def next_post_at(now: datetime, at: time, zone: ZoneInfo, starts_on: date, *, today_done: bool) -> datetime:
    """When the next post goes out: `now` itself when today's is due and not yet done (it will go
    out at the next due-check), else the post moment of the first day still to come."""
    today = local_today(now, zone)
    day = max(today, starts_on)
    if day == today:
        if not today_done and now >= post_moment(today, at, zone):
            return now
        if today_done or now >= post_moment(today, at, zone):
            day = today + timedelta(days=1)
    return post_moment(day, at, zone)
