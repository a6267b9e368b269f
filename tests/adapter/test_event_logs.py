"""One log line per event (bot/adapter/events.py): a command, a refused command, a quiz click and
a mention each log exactly one line (a keystroke's autocomplete none) on `bot.events` with the guild, what it was, the outcome and
the duration; and LOG_FORMAT=json writes each record as one JSON object (bot/log_format.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import pytest

from bot.adapter.client import NotesBot
from bot.config import Settings
from bot.log_format import JsonFormatter, use_log_format
from tests.adapter.conftest import ask, make_settings
from tests.adapter.test_bot_admin import final_response
from tests.adapter.test_bot_quiz import click, post_id_of, start_quiz
from tests.adapter.test_health import notes_dir  # noqa: F401 - the seed notes, whose questions have A-D
from tests.discord_double import DiscordDouble


@pytest.fixture
def settings(notes_dir: Path, tmp_path: Path) -> Settings:  # noqa: F811
    return make_settings(notes_dir, tmp_path / "data")


async def event_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[dict]:
    """The `event` fields of the first `count` lines of bot.events (each is logged just after the
    reply has gone, so wait a little); fails if more come."""
    for _ in range(200):
        lines = [r.event for r in caplog.records if r.name == "bot.events"]  # type: ignore[attr-defined]
        if len(lines) >= count:
            await asyncio.sleep(0.05)
            lines = [r.event for r in caplog.records if r.name == "bot.events"]  # type: ignore[attr-defined]
            assert len(lines) == count, lines
            return lines
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} event lines: {caplog.text}")


async def test_each_event_logs_one_line_with_guild_command_outcome_and_duration(
    bot: NotesBot, double: DiscordDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.events")
    guild = double.guild.id
    await double.wait_for_callback(await double.send_autocomplete("ask", {"question": "etc"}))  # no line
    await ask(double, "how is etcd storing secrets")
    (line,) = await event_lines(caplog, 1)
    assert line.keys() == {"command", "guild", "outcome", "duration_ms"}
    assert (line["command"], line["guild"], line["outcome"]) == ("command /ask", guild, "ok")
    assert 0 <= line["duration_ms"] < 10_000

    await final_response(double, await double.send_slash_command("reindex", user="member"))  # not a moderator
    message, response = await start_quiz(double)
    await click(double, f"quiz:choice:{post_id_of(response['data'])}:0", message, double.member)
    await double.send_message(f"<@{double.bot_user.id}> what is etcd?")
    await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    lines = await event_lines(caplog, 5)
    assert [(e["command"], e["guild"], e["outcome"]) for e in lines[1:]] == [
        ("command /reindex", guild, "refused"), ("command /quiz", guild, "ok"),
        ("quiz button A-D", guild, "ok"), ("mention", guild, "ok")]
    text = [r.getMessage() for r in caplog.records if r.name == "bot.events"]
    assert text[0].startswith(f"command /ask in guild {guild}: ok in ") and text[0].endswith(" ms")


def test_json_lines_carry_the_event_and_the_traceback_in_one_object() -> None:
    handler = logging.StreamHandler(sys.stderr)
    use_log_format("json", [handler])
    assert isinstance(handler.formatter, JsonFormatter)
    use_log_format("text", [handler])  # "text" leaves the handler as it is
    assert isinstance(handler.formatter, JsonFormatter)
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed: %s", ("ünïcode",), sys.exc_info())
    record.event = {"command": "command /ask", "guild": 1, "outcome": "error", "duration_ms": 2.5}
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed.keys() == {"time", "level", "logger", "message", "event", "error"}
    assert (parsed["level"], parsed["logger"], parsed["message"]) == ("ERROR", "bot.x", "failed: ünïcode")
    assert parsed["event"]["outcome"] == "error" and parsed["time"].endswith("+00:00")
    assert parsed["error"].startswith("Traceback") and "ValueError: bad\nvalue" in parsed["error"]


def test_a_bad_log_format_is_one_line(tmp_path: Path) -> None:
    from bot.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"^bad setting LOG_FORMAT: must be one of text, json$"):
        make_settings(tmp_path, tmp_path / "data", log_format="xml")
    assert make_settings(tmp_path, tmp_path / "data", log_format=" JSON ").log_format == "json"
