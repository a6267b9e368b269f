"""The terminal chat while its database goes away and comes back (PostgreSQL through a proxy the
test stops, SQLite whose folder is moved away): it says so and goes on; an answer that could not
be stored is not counted; questions are still answered from memory."""

from __future__ import annotations

import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.console import Console

from bot.app import open_app
from bot.terminal.chat import Chat
from bot.config import SHIPPED_CORPUS, load_settings
from tests.outages import DatabaseSwitch


@pytest.fixture
async def switch(database_url: str) -> AsyncIterator[DatabaseSwitch]:
    async with DatabaseSwitch(database_url) as switch:
        yield switch


async def said(chat: Chat, out: io.StringIO, line: str) -> str:
    """What the chat printed in answer to `line`."""
    out.seek(0)
    out.truncate()
    assert await chat.handle(line)
    return " ".join(out.getvalue().split())


async def test_the_chat_says_the_database_is_unavailable_and_goes_on(switch: DatabaseSwitch, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, notes)
    settings = load_settings(_env_file=None, notes_dir=notes, data_dir=tmp_path / "data", database_url=switch.url)
    out = io.StringIO()
    async with open_app(settings, fill_pool=True) as app:
        await app.notes.start()
        chat = Chat(app, Console(file=out, width=200))
        await said(chat, out, "/quiz")
        assert chat.quiz.pending is not None

        await switch.off(app)
        answered = await said(chat, out, chat.quiz.pending.question.answer)
        assert "Your answer was not counted: the database is unavailable" in answered
        assert chat.quiz.pending is None  # the next line is a question again
        for command in ("/quiz", "/progress", "/leaderboard"):
            assert "The database is unavailable" in await said(chat, out, command)
        assert "hypervizor" in await said(chat, out, "what is a hypervisor")  # from memory

        await switch.on()
        await said(chat, out, "/quiz")
        assert chat.quiz.pending is not None
        assert "Right!" in await said(chat, out, chat.quiz.pending.question.answer)  # stored and judged again
        assert "/1 right" in await said(chat, out, "/progress")  # the one stored answer, not the lost one
