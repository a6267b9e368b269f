"""`acks.in_time`: slow work defers the interaction in time, then is awaited to the end."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.adapter import acks


class Response:
    def __init__(self) -> None:
        self.deferred: list[dict[str, Any]] = []

    def is_done(self) -> bool:
        return bool(self.deferred)

    async def defer(self, **kwargs: Any) -> None:
        self.deferred.append(kwargs)


class Interaction:
    def __init__(self) -> None:
        self.response = Response()


async def test_slow_work_is_deferred_then_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(acks, "ACK_AFTER", 0.01)
    release = asyncio.Event()

    async def work() -> str:
        await release.wait()
        return "stored"

    interaction = Interaction()
    slow = acks.in_time(interaction, work(), ephemeral=True, update=True)  # type: ignore[arg-type]
    waiting = asyncio.ensure_future(slow)
    while not interaction.response.deferred:
        await asyncio.sleep(0.005)
    assert interaction.response.deferred == [{"ephemeral": True, "thinking": False}] and not waiting.done()
    release.set()
    assert await waiting == "stored"
