"""The daily due-check over a real database (SQLite and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.practice.daily import RETRY_AFTER, STALE_AFTER
from bot.core.practice.services import Practice, build_practice
from bot.core.storage.database import create_engine, session_factory
from bot.core.storage.models import DailyClaimRow, DailyScheduleRow, QuizPostRow
from tests.core.practice.conftest import FakeClock, RecordingPoster, add_answer, add_post, add_question, crash_once

UTC = timezone.utc
GUILD = 1


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def practice(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> Practice:
    return build_practice(sessions, clock, random.Random(7), owner="first")


async def configure(practice: Practice, clock: FakeClock, now: datetime, time_text: str = "09:00",
                    zone: str = "Europe/Berlin", guild: int = GUILD) -> None:
    clock.set(now)
    await practice.schedules.set(guild, channel_id=10, time_text=time_text, zone_name=zone, role_id=None, set_by=5)


async def daily_posts(sessions: async_sessionmaker[AsyncSession]) -> list[QuizPostRow]:
    async with sessions() as session:
        return list(await session.scalars(select(QuizPostRow).where(QuizPostRow.kind == "daily").order_by(QuizPostRow.id)))


async def test_posts_once_at_the_local_time(practice: Practice, sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))  # 08:00 in Berlin
    poster = RecordingPoster()
    assert await practice.daily.tick(poster) == [] and poster.posts == []
    clock.set(at(2026, 5, 4, 6, 59, 59))
    await practice.daily.tick(poster)
    assert poster.posts == []
    clock.set(at(2026, 5, 4, 7, 0))  # 09:00 local
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and outcome.local_date == date(2026, 5, 4)
    assert [p.question.id for p in poster.posts] == ["q1"]
    clock.set(at(2026, 5, 4, 7, 0, 30))
    assert await practice.daily.tick(poster) == [] and len(poster.posts) == 1
    (row,) = await daily_posts(sessions)
    assert (row.guild_id, row.channel_id, row.message_id, row.posted_at) == (GUILD, 10, 1000, at(2026, 5, 4, 7, 0))


async def test_a_restart_the_same_day_does_not_post_again(practice: Practice, sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    clock.set(at(2026, 5, 4, 7, 0))
    poster = RecordingPoster()
    await practice.daily.tick(poster)
    restarted = build_practice(sessions, clock, random.Random(1), owner="restarted")
    clock.set(at(2026, 5, 4, 15, 0))
    assert await restarted.daily.tick(poster) == []
    assert len(poster.posts) == 1 and len(await daily_posts(sessions)) == 1


async def test_a_bot_down_at_post_time_posts_late_the_same_day_but_not_the_next(practice: Practice, sessions,
                                                                               clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await add_question(sessions, "q2")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    clock.set(at(2026, 5, 4, 21, 30))  # back at 23:30 local: still the same day
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and outcome.local_date == date(2026, 5, 4)
    clock.set(at(2026, 5, 5, 22, 30))  # down all of 5 May; back at 00:30 on the 6th, before 09:00
    assert await practice.daily.tick(poster) == []
    assert len(poster.posts) == 1


async def test_two_processes_on_one_database_post_once_between_them(database_url: str, engine, clock: FakeClock) -> None:
    other_engine = create_engine(database_url)  # a second pool, as a second process would have
    try:
        first = build_practice(session_factory(engine), clock, random.Random(1), owner="one")
        second = build_practice(session_factory(other_engine), clock, random.Random(2), owner="two")
        await add_question(first.sessions, "q1")
        await configure(first, clock, at(2026, 5, 4, 6, 0))
        clock.set(at(2026, 5, 4, 7, 0, 5))
        posters = [RecordingPoster(), RecordingPoster()]
        for _ in range(3):
            results = await asyncio.gather(first.daily.tick(posters[0]), second.daily.tick(posters[1]))
            clock.set(clock.now + timedelta(seconds=30))
        assert sum(len(p.posts) for p in posters) == 1
        assert len(await daily_posts(first.sessions)) == 1
        async with first.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(DailyClaimRow)) == 1
        assert results == [[], []]
    finally:
        await other_engine.dispose()


@pytest.mark.parametrize("day, utc_hour", [((2026, 3, 28), 8), ((2026, 3, 29), 7), ((2026, 3, 30), 7),
                                           ((2026, 10, 24), 7), ((2026, 10, 25), 8), ((2026, 10, 26), 8)])
async def test_berlin_daylight_saving_days_post_at_nine_local(practice: Practice, sessions, clock: FakeClock,
                                                              day: tuple[int, int, int], utc_hour: int) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(*day, 0, 0) - timedelta(hours=3))
    poster = RecordingPoster()
    clock.set(at(*day, utc_hour, 0) - timedelta(seconds=1))
    assert await practice.daily.tick(poster) == []
    clock.set(at(*day, utc_hour, 0))
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.local_date == date(*day)


async def test_a_post_across_both_berlin_changes_happens_once_a_day(practice: Practice, sessions,
                                                                   clock: FakeClock) -> None:
    """Ticking every 30 minutes from 27 March to 1 April and 23 to 28 October: one post a day."""
    for i in range(3):
        await add_question(sessions, f"q{i}")
    poster = RecordingPoster()
    for start, days in ((at(2026, 3, 27, 0, 0), 5), (at(2026, 10, 23, 0, 0), 5)):
        await configure(practice, clock, start, time_text="02:30")
        for step in range(days * 48):
            clock.set(start + timedelta(minutes=30 * step))
            await practice.daily.tick(poster)
    dates = [p.local_date for p in poster.posts]
    assert dates == sorted(set(dates)) and len(dates) == 10
    assert date(2026, 3, 29) in dates and date(2026, 10, 25) in dates


async def test_a_failed_post_is_recorded_and_retried_the_same_day(practice: Practice, sessions,
                                                                 clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster(fail_with="the channel is gone (deleted, or the bot cannot see it)")
    clock.set(at(2026, 5, 4, 7, 0))
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "failed" and "channel is gone" in outcome.error
    status = await practice.schedules.status(GUILD)
    assert status.schedule.last_error.startswith("the channel is gone") and status.schedule.enabled
    assert status.schedule.last_error_at == at(2026, 5, 4, 7, 0)
    assert await daily_posts(sessions) == []  # no post row left behind for a message never sent
    clock.set(at(2026, 5, 4, 7, 1))
    assert await practice.daily.tick(poster) == []  # not hammered every tick
    poster.fail_with = None
    clock.set(at(2026, 5, 4, 7, 0) + RETRY_AFTER)
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and len(poster.posts) == 1
    assert (await practice.schedules.status(GUILD)).schedule.last_error is None


async def test_without_questions_the_day_fails_visibly(practice: Practice, sessions, clock: FakeClock) -> None:
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    clock.set(at(2026, 5, 4, 7, 0))
    (outcome,) = await practice.daily.tick(RecordingPoster())
    assert outcome.status == "failed"
    assert "no quiz questions yet" in (await practice.schedules.get(GUILD)).last_error


async def test_a_schedule_set_after_the_time_starts_tomorrow(practice: Practice, sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 8, 0))  # 10:00 local, after 09:00
    schedule = await practice.schedules.get(GUILD)
    assert schedule.starts_on == date(2026, 5, 5)
    poster = RecordingPoster()
    assert await practice.daily.tick(poster) == []
    status = await practice.schedules.status(GUILD)
    assert status.next_post_at == at(2026, 5, 5, 7, 0)
    clock.set(at(2026, 5, 5, 7, 0))
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.local_date == date(2026, 5, 5)


async def test_off_stops_posting_and_show_reports_it(practice: Practice, sessions, clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    assert await practice.schedules.off(GUILD, set_by=5) is True
    assert await practice.schedules.off(GUILD, set_by=5) is False
    clock.set(at(2026, 5, 4, 7, 0))
    assert await practice.daily.tick(RecordingPoster()) == []
    status = await practice.schedules.status(GUILD)
    assert status.next_post_at is None and status.as_json()["enabled"] is False


async def test_the_next_post_closes_and_reveals_the_previous(practice: Practice, sessions, clock: FakeClock) -> None:
    for q in ("q1", "q2"):
        await add_question(sessions, q)
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    clock.set(at(2026, 5, 4, 7, 0))
    await practice.daily.tick(poster)
    first = poster.posts[0]
    await add_answer(sessions, first.post_id, first.question.id, 100, True, at(2026, 5, 4, 8))
    await add_answer(sessions, first.post_id, first.question.id, 101, False, at(2026, 5, 4, 9))
    await add_answer(sessions, first.post_id, first.question.id, 102, True, at(2026, 5, 4, 9))
    clock.set(at(2026, 5, 5, 7, 0))
    await practice.daily.tick(poster)
    (reveal,) = poster.reveals
    assert (reveal.post_id, reveal.message_id, reveal.answered, reveal.correct) == (first.post_id, 1000, 3, 2)
    assert reveal.question.id == first.question.id != poster.posts[1].question.id
    old, new = await daily_posts(sessions)
    assert old.closed_at == at(2026, 5, 5, 7, 0) and new.closed_at is None


async def test_questions_do_not_repeat_until_the_pool_is_used_up(practice: Practice, sessions,
                                                                 clock: FakeClock) -> None:
    for q in ("q1", "q2", "q3"):
        await add_question(sessions, q)
    await add_question(sessions, "old", retired=True)
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    for day in range(6):
        clock.set(at(2026, 5, 4, 7, 0) + timedelta(days=day))
        await practice.daily.tick(poster)
    asked = [p.question.id for p in poster.posts]
    assert sorted(asked[:3]) == ["q1", "q2", "q3"] and sorted(asked[3:]) == ["q1", "q2", "q3"]
    assert "old" not in asked and asked[2] != asked[3]


async def test_hand_written_first_then_the_worst_answered(practice: Practice, sessions, clock: FakeClock) -> None:
    for q in ("easy", "hard", "fresh"):
        await add_question(sessions, q)
    await add_question(sessions, "mine", written=True)
    easy, hard = await add_post(sessions, "easy"), await add_post(sessions, "hard")
    for user in range(4):
        await add_answer(sessions, easy, "easy", user, True, at(2026, 5, 1, 9))
        await add_answer(sessions, hard, "hard", user, user == 0, at(2026, 5, 1, 9))
    other_guild = await add_post(sessions, "fresh", guild_id=2)  # another server's answers do not count
    await add_answer(sessions, other_guild, "fresh", 9, True, at(2026, 5, 1, 9), guild_id=2)
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    for day in range(4):
        clock.set(at(2026, 5, 4, 7, 0) + timedelta(days=day))
        await practice.daily.tick(poster)
    assert [p.question.id for p in poster.posts] == ["mine", "hard", "fresh", "easy"]


async def test_a_release_version_comes_after_the_other_generated_questions(practice: Practice, sessions,
                                                                          clock: FakeClock) -> None:
    for q in ("v1.31", "easy", "hard"):  # the id is the answer: "v1.31" asks a release
        await add_question(sessions, q)
    easy, hard = await add_post(sessions, "easy"), await add_post(sessions, "hard")
    for user in range(4):
        await add_answer(sessions, easy, "easy", user, True, at(2026, 5, 1, 9))
        await add_answer(sessions, hard, "hard", user, user == 0, at(2026, 5, 1, 9))
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    for day in range(3):
        clock.set(at(2026, 5, 4, 7, 0) + timedelta(days=day))
        await practice.daily.tick(poster)
    assert [p.question.id for p in poster.posts] == ["hard", "easy", "v1.31"]  # even after the one all got right


# --------------------------------------------------------------------------- a post sent but not recorded


async def test_a_crash_between_sending_and_recording_adopts_the_post(practice: Practice, sessions, clock: FakeClock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for q in ("q1", "q2"):
        await add_question(sessions, q)
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    crash_once(monkeypatch, "_posted")  # Discord has the post; this process never records it
    clock.set(at(2026, 5, 4, 7, 0))
    assert await practice.daily.tick(poster) == []  # logged; the other servers would go on
    (sent,) = poster.posts
    restarted = build_practice(sessions, clock, random.Random(1), owner="restarted")
    clock.set(at(2026, 5, 4, 7, 0) + STALE_AFTER - timedelta(seconds=1))
    assert await restarted.daily.tick(poster) == []  # not stale yet
    clock.set(at(2026, 5, 4, 7, 0) + STALE_AFTER)
    (outcome,) = await restarted.daily.tick(poster)
    assert (outcome.status, outcome.post_id) == ("posted", sent.post_id)
    assert poster.posts == [sent] and poster.lookups == [sent.post_id]  # found in the channel, not posted again
    (row,) = await daily_posts(sessions)
    assert (row.id, row.message_id) == (sent.post_id, 1000)
    assert (await restarted.schedules.status(GUILD)).next_post_at == at(2026, 5, 5, 7, 0)  # the day is done
    clock.set(at(2026, 5, 5, 7, 0))
    await restarted.daily.tick(poster)
    (reveal,) = poster.reveals  # closed and revealed like any other
    assert (reveal.post_id, reveal.message_id) == (sent.post_id, 1000)


async def test_a_send_whose_reply_was_lost_is_looked_for_before_the_retry(practice: Practice, sessions,
                                                                          clock: FakeClock) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))

    class LostReply(RecordingPoster):
        async def post(self, post):  # type: ignore[no-untyped-def]
            message_id = await super().post(post)
            if len(self.posts) == 1:
                raise TimeoutError("Discord made the message; its answer never came")
            return message_id

    poster = LostReply()
    clock.set(at(2026, 5, 4, 7, 0))
    (failed,) = await practice.daily.tick(poster)
    assert failed.status == "failed" and failed.error == "unexpected error: TimeoutError"
    clock.set(at(2026, 5, 4, 7, 0) + RETRY_AFTER)
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and len(poster.posts) == 1
    (row,) = await daily_posts(sessions)
    assert row.message_id == 1000 and (await practice.schedules.get(GUILD)).last_error is None


async def test_a_crash_before_sending_posts_the_day_at_the_takeover(practice: Practice, sessions, clock: FakeClock,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    crash_once(monkeypatch, "_prepare", after_it=True)  # chosen and stored, never sent
    clock.set(at(2026, 5, 4, 7, 0))
    assert await practice.daily.tick(poster) == [] and poster.posts == []
    clock.set(at(2026, 5, 4, 7, 0) + STALE_AFTER)
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and len(poster.posts) == 1 and len(poster.lookups) == 1


async def test_a_failed_lookup_posts_nothing_and_looks_again(practice: Practice, sessions, clock: FakeClock,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await add_question(sessions, "q1")
    await configure(practice, clock, at(2026, 5, 4, 6, 0))
    poster = RecordingPoster()
    crash_once(monkeypatch, "_posted")
    clock.set(at(2026, 5, 4, 7, 0))
    await practice.daily.tick(poster)
    poster.fail_with = "Discord refused to list the messages of <#10> (503)"
    clock.set(at(2026, 5, 4, 7, 0) + STALE_AFTER)
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "failed" and len(poster.posts) == 1  # posting now could post the day twice
    assert "could not check whether the last attempt was posted" in (await practice.schedules.get(GUILD)).last_error
    poster.fail_with = None
    clock.set(at(2026, 5, 4, 7, 0) + 2 * STALE_AFTER)
    (outcome,) = await practice.daily.tick(poster)
    assert outcome.status == "posted" and len(poster.posts) == 1 and len(poster.lookups) == 2


# --------------------------------------------------------------------------- a schedule this machine cannot read


@pytest.mark.parametrize("zone", ["Mars/Olympus", "US/Pacific-New", "Europe"])  # unknown, removed in 2020, a folder
async def test_an_unknown_stored_zone_skips_that_server_only(practice: Practice, sessions, clock: FakeClock,
                                                             zone: str, caplog: pytest.LogCaptureFixture) -> None:
    await add_question(sessions, "q1")
    for guild in (1, 2, 3):
        await configure(practice, clock, at(2026, 5, 4, 6, 0), guild=guild)
    async with sessions() as session, session.begin():  # saved by another machine, or tzdata changed since
        await session.execute(update(DailyScheduleRow).where(DailyScheduleRow.guild_id == 2).values(timezone=zone))
    poster = RecordingPoster()
    clock.set(at(2026, 5, 4, 7, 0))
    with caplog.at_level(logging.WARNING, logger="bot.core.practice.schedules"):
        outcomes = await practice.daily.tick(poster)
        clock.set(at(2026, 5, 4, 7, 1))
        await practice.daily.tick(poster)
    assert sorted(o.guild_id for o in outcomes) == [1, 3] and all(o.status == "posted" for o in outcomes)
    reported = [r.getMessage() for r in caplog.records if "guild 2" in r.getMessage()]
    assert len(reported) == 1 and zone in reported[0]  # once, not every tick
    shown = {s.schedule.guild_id: s for s in await practice.schedules.all_statuses()}
    broken = shown[2].as_json()
    assert (broken["timezone"], broken["enabled"], broken["next_post_at"]) == (zone, True, None)
    assert "is not one this machine knows" in broken["last_error"]
    assert shown[1].next_post_at is not None and shown[3].next_post_at is not None
    assert (await practice.standings.progress(2, 5)).zone == "UTC"  # its scores still read
