"""Practice from the command line and the terminal chat, through a real subprocess."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import open_app
from bot.config import Settings, load_settings
from bot.core.practice.schedule import local_today
from bot.core.storage.models import DailyScheduleRow
from tests.cli import cli_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "pods.md").write_text("# Pods\n\nA pod groups containers.\n")
    return cli_env(notes, tmp_path / "data")


def _settings(env: dict[str, str]) -> Settings:
    return load_settings(_env_file=None, notes_dir=env["NOTES_DIR"], data_dir=env["DATA_DIR"], database_url="",
                         discord_token=None)


async def _configure(env: dict[str, str]) -> None:
    async with open_app(_settings(env)) as app:
        await app.practice.schedules.set(42, channel_id=7, time_text="23:59", zone_name="Asia/Tokyo", role_id=None,
                                         set_by=1)
        await app.practice.schedules.set(43, channel_id=8, time_text="06:00", zone_name="Europe/Berlin",
                                         role_id=None, set_by=1)
        await app.practice.schedules.off(43, set_by=1)


def test_daily_show_json_lists_every_schedule_with_its_next_post(env: dict[str, str]) -> None:
    assert run(env, "daily", "show", "--json").stdout.strip() == "[]"
    asyncio.run(_configure(env))
    done = run(env, "daily", "show", "--json")
    assert done.returncode == 0, done.stderr
    tokyo, berlin = json.loads(done.stdout)
    assert (tokyo["guild_id"], tokyo["time"], tokyo["timezone"], tokyo["enabled"]) == (42, "23:59", "Asia/Tokyo", True)
    next_post = datetime.fromisoformat(tokyo["next_post_at"])
    assert next_post > datetime.now(timezone.utc) - timedelta(minutes=5)
    local = datetime.fromisoformat(tokyo["next_post_local"])
    assert (local.hour, local.minute, local.utcoffset()) == (23, 59, timedelta(hours=9))
    assert local.date() >= local_today(datetime.now(timezone.utc), local.tzinfo)  # type: ignore[arg-type]
    assert berlin["enabled"] is False and berlin["next_post_at"] is None
    human = run(env, "daily", "show").stdout
    assert "server 42: channel 7 at 23:59 Asia/Tokyo, next post" in human and "server 43" in human and "off" in human


def test_daily_show_reports_a_zone_this_machine_does_not_know(env: dict[str, str]) -> None:
    asyncio.run(_configure(env))
    asyncio.run(_store_zone(env, 42, "Mars/Olympus"))  # saved elsewhere, or removed from tzdata since
    done = run(env, "daily", "show", "--json")
    assert done.returncode == 0, done.stderr
    mars, berlin = json.loads(done.stdout)
    assert (mars["guild_id"], mars["timezone"], mars["next_post_at"]) == (42, "Mars/Olympus", None)
    assert "'Mars/Olympus' is not one this machine knows" in mars["last_error"]
    assert berlin["timezone"] == "Europe/Berlin"
    human = run(env, "daily", "show")
    assert human.returncode == 0 and "Traceback" not in human.stderr
    assert "server 42: channel 7 at 23:59 Mars/Olympus, not posting" in human.stdout
    assert "not one this machine knows" in human.stdout
    assert "server 43: channel 8 at 06:00 Europe/Berlin, off" in human.stdout


async def _store_zone(env: dict[str, str], guild: int, zone: str) -> None:
    async with open_app(_settings(env)) as app, app.sessions() as session, session.begin():
        await session.execute(update(DailyScheduleRow).where(DailyScheduleRow.guild_id == guild).values(timezone=zone))


def test_daily_set_and_off_from_the_command_line(env: dict[str, str]) -> None:
    done = run(env, "daily", "set", "42", "--channel", "7", "--time", "09:30", "--timezone", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("server 42: channel 7 at 09:30 Europe/Berlin, next post ")
    refused = run(env, "daily", "set", "42", "--channel", "8", "--time", "25:00", "--timezone", "Europe/Berlin")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "is not a time" in refused.stderr
    shown = json.loads(run(env, "daily", "show", "--json").stdout)
    assert [(s["guild_id"], s["channel_id"], s["enabled"]) for s in shown] == [(42, 7, True)]  # the refusal changed nothing
    assert run(env, "daily", "off", "42").stdout.strip() == "server 42: channel 7 at 09:30 Europe/Berlin, off"
    again = run(env, "daily", "off", "42")
    assert again.returncode == 2 and "has no daily quiz on" in again.stderr


QUESTIONS = """questions:
  - question: How many containers can a pod group?
    answer: several
    choices: [several, exactly one, none, only two]
    source: pods.md
  - question: Which object groups containers?
    answer: a pod
    source: pods.md
"""


def test_daily_preview_shows_the_next_question_with_its_answer(env: dict[str, str]) -> None:
    nothing = run(env, "daily", "preview", "42")
    assert nothing.returncode == 2 and "no quiz questions yet" in nothing.stderr
    quiz = Path(env["NOTES_DIR"]) / "quiz"
    quiz.mkdir()
    (quiz / "pods.yaml").write_text(QUESTIONS)
    assert run(env, "reindex").returncode == 0
    shown = run(env, "daily", "preview", "42")
    assert shown.returncode == 0, shown.stderr
    assert "Server 42's next daily question is one of 2 equally due" in shown.stdout
    first = json.loads(run(env, "daily", "preview", "42", "--json").stdout)
    assert sorted(q["question"] for q in first) == ["How many containers can a pod group?", "Which object groups containers?"]
    assert first[0]["question"] in shown.stdout and f"answer: {first[0]['answer']}  source: pods.md:" in shown.stdout
    assert "also due: " + first[1]["question"] in shown.stdout


def test_chat_progress_and_leaderboard(env: dict[str, str]) -> None:
    done = run(env, "chat", stdin="/progress\n/leaderboard all\n/leaderboard year\n/help\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "Points 0" in done.stdout and "Reviews due 0" in done.stdout and "last 12 weeks" in done.stdout
    assert "Nobody has answered a quiz question in this period (all) yet." in done.stdout
    assert "Usage: /leaderboard [week|month|all]" in done.stdout
    assert "/progress" in done.stdout and "3 points on the" in done.stdout
    assert "· no answer" in done.stdout  # each day's mark is told apart without colour
    assert all(len(line) <= 80 for line in done.stdout.splitlines() if "Reviews due" in line or "Points" in line)


def test_chat_daily_is_one_question_a_day_scored_as_a_daily(env: dict[str, str]) -> None:
    quiz = Path(env["NOTES_DIR"]) / "quiz"
    quiz.mkdir()
    (quiz / "pods.yaml").write_text(QUESTIONS.split("  - question: Which")[0])  # the first question alone
    done = run(env, "chat", stdin="/daily\nseveral\n/daily\n/progress\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "Today's daily question" in done.stdout
    assert done.stdout.count("How many containers can a pod group?") == 1  # asked once, then said to be answered
    assert "You answered today's question (right). The next one comes tomorrow (UTC)." in done.stdout
    assert "Points 3" in done.stdout  # a daily prompt's points, not /quiz's 1
