"""Points, streaks and standings over tables of answer histories (pure arithmetic)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.practice.scores import (
    DAILY_POINTS,
    QUIZ_POINTS,
    AnswerFact,
    calendar_days,
    leaderboard_page,
    period_start,
    score,
    standings,
    streak_days,
    streaks,
)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
_ids = iter(range(1, 10_000))


def fact(user: int, question: str, kind: str, correct: bool, answered: datetime,
         posted: datetime | None = None) -> AnswerFact:
    return AnswerFact(next(_ids), user, question, kind, correct, answered, posted or answered)


def at(day: int, hour: int = 12, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_only_a_first_right_answer_scores_and_daily_is_worth_more() -> None:
    history = [
        fact(1, "a", "daily", True, at(4)),      # first, right, daily: 3
        fact(1, "b", "quiz", True, at(4, 13)),   # first, right, quiz: 1
        fact(1, "b", "quiz", True, at(5)),       # a repeat: 0
        fact(1, "c", "quiz", False, at(5)),      # wrong: 0
        fact(1, "c", "quiz", True, at(6)),       # right after a wrong first answer: 0
        fact(2, "a", "quiz", True, at(4)),       # another member's first answer to "a": 1
        fact(2, "d", "daily", False, at(4)),
    ]
    by_id = {s.fact.answer_id: s.points for s in score(history)}
    points = [by_id[f.answer_id] for f in history]
    assert points == [DAILY_POINTS, QUIZ_POINTS, 0, 0, 0, QUIZ_POINTS, 0]
    assert DAILY_POINTS > QUIZ_POINTS


def test_first_is_decided_by_time_not_by_the_order_given() -> None:
    later, earlier = fact(1, "a", "daily", True, at(5)), fact(1, "a", "quiz", False, at(4))
    by_id = {s.fact.answer_id: s.points for s in score([later, earlier])}
    assert by_id == {later.answer_id: 0, earlier.answer_id: 0}


@pytest.mark.parametrize("days, today, expected", [
    ([], date(2026, 5, 10), (0, 0)),
    ([4, 5, 6], date(2026, 5, 6), (3, 3)),
    ([4, 5, 6], date(2026, 5, 7), (3, 3)),       # today still open: the streak lives
    ([4, 5, 6], date(2026, 5, 8), (0, 3)),       # a whole day missed
    ([1, 2, 3, 4, 7, 8], date(2026, 5, 8), (2, 4)),
    ([1, 3, 5], date(2026, 5, 5), (1, 1)),
])
def test_streaks(days: list[int], today: date, expected: tuple[int, int]) -> None:
    assert streaks({date(2026, 5, d) for d in days}, today) == expected


def test_streak_days_count_right_daily_answers_by_the_prompts_local_date() -> None:
    history = [
        fact(1, "a", "daily", True, at(5, 0), posted=at(4, 21)),   # posted 23:00 Berlin on the 4th
        fact(1, "b", "daily", False, at(6, 8)),                     # wrong: no day
        fact(1, "c", "quiz", True, at(7, 8)),                       # /quiz: no day
        fact(1, "d", "daily", True, at(8, 8)),
    ]
    assert streak_days(history, BERLIN) == {date(2026, 5, 4), date(2026, 5, 8)}


def test_period_starts_at_local_midnight() -> None:
    now = datetime(2026, 5, 6, 12, tzinfo=UTC)  # a Wednesday
    assert period_start("week", now, BERLIN) == datetime(2026, 5, 3, 22, tzinfo=UTC)  # Monday 00:00 CEST
    assert period_start("month", now, BERLIN) == datetime(2026, 4, 30, 22, tzinfo=UTC)
    assert period_start("all", now, BERLIN) is None


def test_standings_rank_by_points_then_right_answers_and_share_ranks() -> None:
    history = [
        fact(1, "a", "daily", True, at(4)), fact(2, "a", "daily", True, at(4)),
        fact(3, "a", "quiz", True, at(4)), fact(3, "b", "quiz", True, at(4)), fact(3, "c", "quiz", True, at(4)),
        fact(4, "a", "quiz", True, at(4)), fact(4, "a", "quiz", True, at(5)),  # 1 point, 2 right
        fact(5, "x", "quiz", False, at(4)),
        fact(6, "old", "daily", True, at(20, month=4)),  # before the period
    ]
    rows = standings(score(history), since=at(1))
    assert [(r.rank, r.user_id, r.points, r.correct, r.answered) for r in rows] == [
        (1, 3, 3, 3, 3), (2, 1, 3, 1, 1), (2, 2, 3, 1, 1), (4, 4, 1, 2, 2), (5, 5, 0, 0, 1),
    ]
    assert all(r.user_id != 6 for r in rows)
    assert [r.user_id for r in standings(score(history), since=None)][-1] == 5


def test_pages_of_ten_with_the_callers_own_rank_off_the_page() -> None:
    history = [fact(u, f"q{i}", "quiz", True, at(4)) for u in range(1, 26) for i in range(30 - u)]
    rows = standings(score(history), None)
    first = leaderboard_page(rows, "all", None, 0, caller_id=23)
    assert first.pages == 3 and len(first.rows) == 10 and first.total == 25
    assert [r.user_id for r in first.rows] == list(range(1, 11))
    assert first.own is not None and (first.own.rank, first.own.points) == (23, 7)
    last = leaderboard_page(rows, "all", None, 9, caller_id=999)
    assert last.page == 2 and [r.user_id for r in last.rows] == list(range(21, 26)) and last.own is None


def test_calendar_covers_twelve_weeks_from_a_monday() -> None:
    today = date(2026, 5, 6)  # Wednesday
    history = [fact(1, "a", "quiz", False, at(4)), fact(1, "b", "quiz", True, at(4, 13)),
               fact(1, "c", "quiz", False, at(5)), fact(1, "d", "quiz", True, at(1, month=1))]
    days = calendar_days(history, BERLIN, today)
    assert days[0][0] == date(2026, 2, 16) and days[0][0].weekday() == 0
    assert days[-1][0] == today and len(days) == 11 * 7 + 3
    marks = dict(days)
    assert marks[date(2026, 5, 4)] == "right" and marks[date(2026, 5, 5)] == "wrong"
    assert marks[date(2026, 5, 6)] == "none"
    assert sum(1 for _, m in days if m != "none") == 2
    assert days[1][0] - days[0][0] == timedelta(days=1)
