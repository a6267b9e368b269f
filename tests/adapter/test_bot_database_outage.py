"""The Discord bot while its database goes away and comes back (PostgreSQL through a proxy the
test stops, SQLite whose folder is moved away): quiz and practice commands say the database is
unavailable, a click that could not be stored is not counted, and the bot goes on."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapter.client import NotesBot
from bot.app import App
from bot.config import SHIPPED_CORPUS, Settings
from tests.adapter.conftest import make_settings
from tests.adapter.test_bot_practice import final_response
from tests.adapter.test_bot_quiz import click, post_id_of, start_quiz
from tests.discord_double import DiscordDouble
from tests.outages import DatabaseSwitch


@pytest.fixture
async def switch(database_url: str) -> AsyncIterator[DatabaseSwitch]:
    async with DatabaseSwitch(database_url) as switch:
        yield switch


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, folder)
    shutil.rmtree(folder / "quiz")  # generated questions only: each has choices A-D
    return folder


@pytest.fixture
def settings(notes_dir: Path, tmp_path: Path, switch: DatabaseSwitch) -> Settings:
    return make_settings(notes_dir, tmp_path / "data", database_url=switch.url)


async def test_quiz_and_practice_say_the_database_is_unavailable_and_the_bot_goes_on(
    bot: NotesBot, double: DiscordDouble, app: App, switch: DatabaseSwitch
) -> None:
    message, response = await start_quiz(double)
    post = post_id_of(response["data"])

    await switch.off(app)
    _, reply = await click(double, f"quiz:choice:{post}:0", message, double.member)
    assert "database is unavailable" in reply["content"] and "your answer was not counted" in reply["content"]
    for command, options in (("quiz", {}), ("progress", {}), ("leaderboard", {"period": "all"})):
        body = await final_response(double, await double.send_slash_command(command, options, user="member"))
        assert "database is unavailable" in body["content"] and "not counted" not in body["content"], command

    await switch.on()
    _, reply = await click(double, f"quiz:choice:{post}:0", message, double.member)
    assert reply["content"].startswith(("✅", "❌"))  # judged and stored: the first click was not
    progress = await final_response(double, await double.send_slash_command("progress", user="member"))
    fields = {f["name"]: f["value"] for f in progress["embeds"][0]["fields"]}
    assert fields["Accuracy"].endswith("/1 right)")  # the one answer stored, not the lost one
