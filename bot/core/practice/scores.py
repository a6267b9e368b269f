"""Points, streaks and standings, computed from the stored answers every time they are asked for.

Nothing is counted in a column that could drift: a restart, a second process or `/forget-me`
changes the answers, and the numbers follow. The rules (also in the README and `/help`):

- **Points** go to a member's *first* answer to each question, when it is right: `DAILY_POINTS`
  for the daily prompt, `QUIZ_POINTS` for `/quiz`. Later answers to a question they already
  answered (reviews, repeats) score nothing; they still count for accuracy.
- **Streak**: consecutive local days (the server's daily-quiz time zone, else UTC) on which the
  member answered that day's daily prompt right. A day counts by the prompt's date, so answering
  at 00:10 the prompt posted at 23:00 counts for the day it was posted. The current streak is
  still alive until the end of the day after its last day (you have all of today to answer).
- **Leaderboard** periods: `week` since Monday 00:00 local, `month` since the 1st, `all`. Ranked by
  points, then right answers; equal members share a rank (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

DAILY_POINTS = 3
QUIZ_POINTS = 1
PAGE_SIZE = 10
Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "all")
DayMark = Literal["right", "wrong", "none"]

SCORING_RULES = (
    f"Your first answer to each question scores when it is right: {DAILY_POINTS} points on the daily "
    f"prompt, {QUIZ_POINTS} on `/quiz`; repeats and reviews score nothing. A streak counts the days "
    "in a row you answered the daily prompt right."
)


@dataclass(frozen=True)
class AnswerFact:
    """One stored answer with what scoring needs from its post."""

    answer_id: int
    user_id: int
    question_id: str
    kind: str  # the post's kind: "quiz" or "daily"
    correct: bool
    answered_at: datetime
    posted_at: datetime


@dataclass(frozen=True)
class ScoredAnswer:
    fact: AnswerFact
    points: int


def score(facts: Iterable[AnswerFact]) -> list[ScoredAnswer]:
    """Points for every answer: only a member's first answer to a question can score."""
    seen: set[tuple[int, str]] = set()
    scored = []
    for fact in sorted(facts, key=lambda f: (f.answered_at, f.answer_id)):
        key = (fact.user_id, fact.question_id)
        first = key not in seen
        seen.add(key)
        points = (DAILY_POINTS if fact.kind == "daily" else QUIZ_POINTS) if first and fact.correct else 0
        scored.append(ScoredAnswer(fact, points))
    return scored


def streak_days(facts: Iterable[AnswerFact], zone: ZoneInfo) -> set[date]:
    """Local days (by the prompt's date) with a right daily answer."""
    return {f.posted_at.astimezone(zone).date() for f in facts if f.kind == "daily" and f.correct}


def streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current, best): the current run ends today, or yesterday while today is still open."""
    best = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    end = today if today in days else today - timedelta(days=1)
    current = 0
    while end in days:
        current += 1
        end -= timedelta(days=1)
    return current, best


def period_start(period: Period, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant a period starts at (local midnight of Monday / the 1st); None for `all`."""
    today = now.astimezone(zone).date()
    if period == "all":
        return None
    first = today - timedelta(days=today.weekday()) if period == "week" else today.replace(day=1)
    return datetime.combine(first, time(0), tzinfo=zone).astimezone(timezone.utc)


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    points: int
    correct: int
    answered: int


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    since: datetime | None
    page: int  # 0-based, clamped to the pages there are
    pages: int
    rows: list[Standing]  # this page
    own: Standing | None  # the caller's, wherever it is; None when they scored nothing in the period
    total: int


def standings(scored: Iterable[ScoredAnswer], since: datetime | None) -> list[Standing]:
    """Everyone who answered in the period, best first, with shared ranks for equal scores."""
    totals: dict[int, tuple[int, int, int]] = {}
    for s in scored:
        if since is not None and s.fact.answered_at < since:
            continue
        points, correct, answered = totals.get(s.fact.user_id, (0, 0, 0))
        totals[s.fact.user_id] = (points + s.points, correct + int(s.fact.correct), answered + 1)
    return ranked(totals)


def ranked(totals: dict[int, tuple[int, int, int]]) -> list[Standing]:
    """(points, right, answered) per member, ordered by points then right answers; equal members
    share a rank (1, 1, 3)."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    rows: list[Standing] = []
    for i, (user_id, (points, correct, answered)) in enumerate(ordered):
        same = rows and (rows[-1].points, rows[-1].correct) == (points, correct)
        rows.append(Standing(rows[-1].rank if same else i + 1, user_id, points, correct, answered))
    return rows


def leaderboard_page(rows: Sequence[Standing], period: Period, since: datetime | None, page: int,
                     caller_id: int) -> Leaderboard:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    own = next((r for r in rows if r.user_id == caller_id), None)
    return Leaderboard(period, since, page, pages, list(rows[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]), own, len(rows))


def calendar_days(facts: Iterable[AnswerFact], zone: ZoneInfo, today: date, weeks: int = 12) -> list[tuple[date, DayMark]]:
    """The last `weeks` whole weeks (Monday first) up to today: each day right (at least one right
    answer), wrong (answered, none right) or none. Days after today are left out."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    marks: dict[date, DayMark] = {}
    for f in facts:
        day = f.answered_at.astimezone(zone).date()
        if first <= day <= today and marks.get(day) != "right":
            marks[day] = "right" if f.correct else "wrong"
    return [(first + timedelta(days=i), marks.get(first + timedelta(days=i), "none"))
            for i in range((today - first).days + 1)]
