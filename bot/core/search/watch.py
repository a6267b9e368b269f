"""`NOTES_WATCH`: reindex by itself when the notes folder changes, while the bot or chat runs.

Why a settle time: an editor saves in several writes (a temporary file, a rename), `git pull`
touches many files at once. Changes are gathered until the folder has been quiet for
`SETTLE_MS` (at most `MAX_WAIT_MS` after the first), then one incremental reindex takes them all.
Any failure is logged and watching goes on: a bad file or a moment without the folder must not
stop the bot. `/reindex` (and `reindex`) keep working beside it; if one is running, the watcher
waits for it and reindexes after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from bot.core.errors import NotesBotError, ReindexInProgress
from bot.core.search.service import NotesService

log = logging.getLogger(__name__)

SETTLE_MS = 500  # quiet time after the last change before reindexing
MAX_WAIT_MS = 5000  # reindex at the latest this long after the first change of a burst
RETRY_SECONDS = 5.0  # after the folder vanished or watching failed
BUSY_RETRY_SECONDS = 1.0  # while another reindex runs


def _visible(_change: object, path: str) -> bool:
    """Hidden files and folders (editor swap files, .git) are not notes: ignore their churn."""
    return not any(part.startswith(".") for part in Path(path).parts)


async def watch_notes(service: NotesService, *, settle_ms: int = SETTLE_MS, max_wait_ms: int = MAX_WAIT_MS) -> None:
    """Watch `service`'s notes folder and reindex after each settled burst of changes; runs
    until cancelled."""
    from watchfiles import awatch  # loaded only when watching is on

    folder = service.config.notes_dir
    while True:
        try:
            log.info("watching %s for changes to the notes", folder)
            async for changes in awatch(folder, watch_filter=_visible, debounce=max_wait_ms, step=settle_ms,
                                        recursive=True):
                log.info("%d changes in the notes folder: reindexing", len(changes))
                await _reindex(service)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the folder may vanish and come back: keep watching
            log.warning("cannot watch %s (%s); trying again in %.0fs", folder, exc, RETRY_SECONDS)
        await asyncio.sleep(RETRY_SECONDS)


async def _reindex(service: NotesService) -> None:
    while True:
        try:
            summary = await service.reindex()
        except ReindexInProgress:
            await asyncio.sleep(BUSY_RETRY_SECONDS)  # its scan may predate these changes: go again
            continue
        except NotesBotError as exc:
            log.warning("reindex after a change failed: %s; the previous index keeps answering", exc)
        except Exception:  # noqa: BLE001 - logged with its traceback; the bot keeps serving
            log.exception("reindex after a change failed; the previous index keeps answering")
        else:
            log.info("reindexed after a change: %s", summary.change_report())
        return


@asynccontextmanager
async def watching(service: NotesService, *, enabled: bool) -> AsyncIterator[None]:
    """Watch the notes folder in the background for the duration of the block, if `enabled`."""
    if not enabled:
        yield
        return
    task = asyncio.create_task(watch_notes(service), name="notes-watch")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
