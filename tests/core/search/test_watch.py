"""NOTES_WATCH: the running service reindexes by itself after the notes folder changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.search.watch import watch_notes, watching


async def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    root.mkdir()
    (root / "pods.md").write_text("# Pods\n\nA pod groups containers.\n")
    return root


async def test_a_new_note_is_answered_after_the_changes_settle(sessions, notes: Path, caplog) -> None:
    service = NotesService(ServiceConfig(notes_dir=notes, synonyms_file=SHIPPED_CORPUS / "synonyms.yaml"), sessions)
    await service.start()
    caplog.set_level("INFO", logger="bot.core.search.watch")
    task = asyncio.create_task(watch_notes(service, settle_ms=200, max_wait_ms=2000))
    try:
        await asyncio.sleep(0.5)  # the watcher is listening
        (notes / "okapis.md").write_text("# Okapis\n\nOkapis live in the Ituri rainforest.\n")
        (notes / ".okapis.md.swp").write_text("editor swap file")
        assert await wait_for(lambda: bool(service.search("where do okapis live").passages))
        assert service.search("where do okapis live").passages[0].source == "okapis.md"
        (notes / "pods.md").unlink()
        assert await wait_for(lambda: not service.search("pod groups containers").passages)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert "reindexed after a change: notes: 1 added (okapis.md)" in caplog.text


async def test_a_vanished_folder_is_logged_and_the_index_keeps_answering(sessions, notes: Path, caplog) -> None:
    service = NotesService(ServiceConfig(notes_dir=notes, synonyms_file=None), sessions)
    await service.start()
    task = asyncio.create_task(watch_notes(service, settle_ms=200, max_wait_ms=2000))
    try:
        await asyncio.sleep(0.5)
        for path in notes.iterdir():
            path.unlink()
        notes.rmdir()
        assert await wait_for(lambda: "notes folder not found" in caplog.text or "cannot watch" in caplog.text)
        assert not task.done()  # still watching (it retries), and still answering
        assert service.search("pod groups containers").passages
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_watching_off_starts_nothing(sessions, notes: Path) -> None:
    service = NotesService(ServiceConfig(notes_dir=notes, synonyms_file=None), sessions)
    before = asyncio.all_tasks()
    async with watching(service, enabled=False):
        assert asyncio.all_tasks() == before
    async with watching(service, enabled=True):
        assert any(t.get_name() == "notes-watch" for t in asyncio.all_tasks())
    assert not any(t.get_name() == "notes-watch" for t in asyncio.all_tasks())
