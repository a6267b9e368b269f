"""Rows written behind the reply: the background writer and the shutdown that the answer log and
the review cards share.

Both keep rows in memory so a reply does not wait for the database, and write them in batches
soon after. What must not differ between them is how that survives trouble: a write is never cut
in half (it is shielded from cancellation), a database that is locked or down keeps the rows and
is retried, and a clean shutdown stops the writer and writes what is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core.storage.database import connection_errors

log = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds before retrying a failed write (database locked or down)

Flush = Callable[[], Awaitable[None]]
Pending = Callable[[], int]


async def write_until_empty(flush: Flush, pending: Pending, *, every: float, what: str) -> None:
    """Every `every` seconds, `flush()` while `pending()` rows wait; on a failure keep them and
    retry after RETRY_AFTER. `what` names the rows in the log ("answers", "review cards")."""
    delay = every
    while pending():
        await asyncio.sleep(delay)
        try:
            await asyncio.shield(flush())  # never cut a write in half
            delay = every
        except connection_errors() as exc:
            log.warning("could not write %d %s yet (%s); retrying in %.0f s", pending(), what, exc, RETRY_AFTER)
            delay = RETRY_AFTER
        except Exception:  # noqa: BLE001 - a bug; keep the rows and keep trying
            log.exception("writing %d %s failed; retrying in %.0f s", pending(), what, RETRY_AFTER)
            delay = RETRY_AFTER


async def stop_and_flush(writer: asyncio.Task[None] | None, flush: Flush, pending: Pending, *, what: str) -> None:
    """Stop the background `writer` and write what is still waiting (a clean shutdown)."""
    if writer is not None:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
    try:  # always: a write the cancelled writer had under way (shielded) is waited for here
        await flush()
    except connection_errors() as exc:
        log.error("could not write %d %s at shutdown: %s", pending(), what, exc)
