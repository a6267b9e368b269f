"""Daily-quiz time arithmetic: parsing, local days, daylight-saving changes, when a schedule starts."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import PracticeError
from bot.core.practice.schedule import (
    due_day,
    matching_zones,
    next_post_at,
    parse_post_time,
    parse_zone,
    post_moment,
    starts_on_for,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [("09:30", time(9, 30)), ("9:05", time(9, 5)), (" 18:00 ", time(18)),
                                            ("00:00", time(0)), ("23:59", time(23, 59))])
def test_valid_times_parse(text: str, expected: time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "12", "12:5", "-1:00", "", "12:00:00", "1230"])
def test_bad_times_are_refused_with_one_line(text: str) -> None:
    with pytest.raises(PracticeError, match="HH:MM") as err:
        parse_post_time(text)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_iana_zones_parse(name: str) -> None:
    assert parse_zone(name).key == name


@pytest.mark.parametrize("name", ["Europe/Berln", "CEST", "+02:00", "../../etc/passwd", "", "x" * 300])
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(PracticeError, match="not a time zone"):
        parse_zone(name)


def test_zone_autocomplete_prefers_prefixes_and_is_bounded() -> None:
    found = matching_zones("berl")
    assert found[0] == "Europe/Berlin"
    assert matching_zones("america/")[:1] == ["America/Adak"] and len(matching_zones("a")) == 25


def test_spring_forward_gap_posts_when_that_much_time_has_passed() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST; 02:30 does not exist that day.
    assert post_moment(date(2026, 3, 29), time(2, 30), BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert post_moment(date(2026, 3, 29), time(9, 0), BERLIN) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert post_moment(date(2026, 3, 28), time(9, 0), BERLIN) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)


def test_fall_back_repeated_hour_takes_its_first_occurrence() -> None:
    # 2026-10-25: 02:00-03:00 happens twice in Berlin (CEST, then CET).
    assert post_moment(date(2026, 10, 25), time(2, 30), BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert post_moment(date(2026, 10, 25), time(9, 0), BERLIN) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert post_moment(date(2026, 10, 24), time(9, 0), BERLIN) == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)


def test_a_schedule_set_after_todays_time_starts_tomorrow() -> None:
    at = time(9, 0)
    assert starts_on_for(datetime(2026, 5, 4, 6, 59, tzinfo=UTC), at, BERLIN) == date(2026, 5, 4)
    assert starts_on_for(datetime(2026, 5, 4, 7, 0, tzinfo=UTC), at, BERLIN) == date(2026, 5, 5)
    # 23:30 UTC is already the next local day in Berlin
    assert starts_on_for(datetime(2026, 5, 4, 23, 30, tzinfo=UTC), at, BERLIN) == date(2026, 5, 5)


def test_due_day_is_today_from_the_post_time_until_local_midnight() -> None:
    at, starts = time(9, 0), date(2026, 5, 1)
    assert due_day(datetime(2026, 5, 4, 6, 59, tzinfo=UTC), at, BERLIN, starts) is None
    assert due_day(datetime(2026, 5, 4, 7, 0, tzinfo=UTC), at, BERLIN, starts) == date(2026, 5, 4)
    assert due_day(datetime(2026, 5, 4, 21, 59, tzinfo=UTC), at, BERLIN, starts) == date(2026, 5, 4)
    assert due_day(datetime(2026, 5, 4, 22, 0, tzinfo=UTC), at, BERLIN, starts) is None  # 00:00 local, next day
    assert due_day(datetime(2026, 5, 4, 12, 0, tzinfo=UTC), at, BERLIN, date(2026, 5, 5)) is None  # not started


def test_next_post_time() -> None:
    at, starts = time(9, 0), date(2026, 5, 1)
    before = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    assert next_post_at(before, at, BERLIN, starts, today_done=False) == datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    late = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    assert next_post_at(late, at, BERLIN, starts, today_done=False) == late  # overdue: at the next check
    assert next_post_at(late, at, BERLIN, starts, today_done=True) == datetime(2026, 5, 5, 7, 0, tzinfo=UTC)
    assert next_post_at(before, at, BERLIN, date(2026, 5, 6), today_done=False) == datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
    # across the March change: the next 09:00 is an hour earlier in UTC
    assert next_post_at(datetime(2026, 3, 28, 9, 0, tzinfo=UTC), at, BERLIN, date(2026, 3, 1), today_done=True) \
        == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
