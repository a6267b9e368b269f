"""`acks.in_time`: work that never waits runs at once in the handler; work that waits is a task."""

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


async def test_work_that_never_waits_runs_in_the_handlers_own_task() -> None:
    async def work() -> asyncio.Task[Any] | None:
        return asyncio.current_task()

    interaction = Interaction()
    assert await acks.in_time(interaction, work(), ephemeral=False) is asyncio.current_task()  # type: ignore[arg-type]
    assert not interaction.response.deferred


async def test_work_that_waits_goes_on_in_a_task_and_its_result_or_error_comes_back() -> None:
    ran_in: list[asyncio.Task[Any] | None] = []

    async def work(fail: bool) -> int:
        ran_in.append(asyncio.current_task())
        await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        ran_in.append(asyncio.current_task())
        if fail:
            raise LookupError("gone")
        return 42

    interaction = Interaction()
    assert await acks.in_time(interaction, work(False), ephemeral=False) == 42  # type: ignore[arg-type]
    assert ran_in[0] is asyncio.current_task() and ran_in[1] is not ran_in[0]  # first step here, the rest a task
    with pytest.raises(LookupError):
        await acks.in_time(interaction, work(True), ephemeral=False)  # type: ignore[arg-type]
    assert not interaction.response.deferred


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


async def test_cancelling_the_task_of_waiting_work_reaches_the_work() -> None:
    started, seen = asyncio.Event(), []
    tasks: list[asyncio.Task[Any] | None] = []

    async def work() -> None:
        await asyncio.sleep(0)
        tasks.append(asyncio.current_task())
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    waiting = asyncio.ensure_future(acks.in_time(Interaction(), work(), ephemeral=False))  # type: ignore[arg-type]
    await started.wait()
    assert tasks[0] is not None
    tasks[0].cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert seen == ["cancelled"]
