"""How long the event loop is held while something runs: a ticker task sleeping 5 ms stands for
an `/ask` arriving meanwhile, and each tick's delay beyond its sleep is what that member waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

TICK = 0.005  # the ticker's sleep (seconds)
T = TypeVar("T")


@dataclass(frozen=True)
class Timed:
    """The wall time of the awaited work and the loop's longest and 99th-percentile waits (seconds)."""

    seconds: float
    held_max: float
    held_p99: float


async def timed(work: Awaitable[T]) -> tuple[T, Timed]:
    """Await `work` while the ticker runs; its result and the timings."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append(time.perf_counter() - before - TICK)

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        result = await work
    finally:
        seconds = time.perf_counter() - started
        done.set()
        await ticking
    lags.sort()
    return result, Timed(seconds, lags[-1] if lags else 0.0, lags[int(len(lags) * 0.99)] if lags else 0.0)
