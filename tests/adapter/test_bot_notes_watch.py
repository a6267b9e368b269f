"""NOTES_WATCH with the real bot: a note saved while the bot runs is answered from, without /reindex."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.adapter.client import NotesBot
from bot.app import App
from bot.core.search.watch import watching
from tests.adapter.conftest import ask, connected, embed_of, embed_text
from tests.discord_double import DiscordDouble


async def test_a_note_saved_while_the_bot_runs_is_answered(app: App, double: DiscordDouble, notes_dir: Path) -> None:
    async with watching(app.notes, enabled=True), connected(NotesBot(app), double):
        _, before = await ask(double, "where do okapis live")
        assert "okapis.md" not in embed_text(embed_of(before.json["data"]))
        await asyncio.sleep(0.5)  # the watcher is listening
        (notes_dir / "okapis.md").write_text("# Okapis\n\nOkapis live in the Ituri rainforest.\n")
        for _ in range(150):
            if app.notes.search("where do okapis live").passages:
                break
            await asyncio.sleep(0.1)
        _, after = await ask(double, "where do okapis live")
    embed = embed_of(after.json["data"])
    assert "okapis.md" in embed_text(embed) and "Ituri" in embed_text(embed)
