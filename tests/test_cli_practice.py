"""Practice from the command line and the terminal chat, through a real subprocess."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.app import open_app
from bot.config import load_settings
from bot.core.practice.schedule import local_today
from tests.cli import cli_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "pods.md").write_text("# Pods\n\nA pod groups containers.\n")
    return cli_env(notes, tmp_path / "data")


async def _configure(env: dict[str, str]) -> None:
    settings = load_settings(_env_file=None, notes_dir=env["NOTES_DIR"], data_dir=env["DATA_DIR"],
                             database_url="", discord_token=None)
    async with open_app(settings) as app:
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


def test_chat_progress_and_leaderboard(env: dict[str, str]) -> None:
    done = run(env, "chat", stdin="/progress\n/leaderboard all\n/leaderboard year\n/help\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "Points 0" in done.stdout and "Reviews due 0" in done.stdout and "last 12 weeks" in done.stdout
    assert "Nobody has answered a quiz question in this period (all) yet." in done.stdout
    assert "Usage: /leaderboard [week|month|all]" in done.stdout
    assert "/progress" in done.stdout and "3 points on the" in done.stdout
    assert "· no answer" in done.stdout  # each day's mark is told apart without colour
    assert all(len(line) <= 80 for line in done.stdout.splitlines() if "Reviews due" in line or "Points" in line)
