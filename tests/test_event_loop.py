"""Commands run on uvloop's event loop (a tenth less CPU per answer in a burst), and on asyncio's
where uvloop is missing."""

import asyncio
import sys

import pytest
import uvloop

from bot import cli
from bot.event_loop import loop_factory


def test_the_loop_is_uvloops_where_it_is_installed() -> None:
    # a dependency dropped from pyproject.toml would only show in bench/load.py: it fails here
    assert loop_factory() is uvloop.new_event_loop


def test_without_uvloop_the_standard_loop_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError
    assert loop_factory() is None


def test_commands_run_on_that_loop(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def dispatch(_args: object, _settings: object) -> int:
        loops.append(asyncio.get_running_loop())
        return 0

    monkeypatch.setenv("NOTES_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "_dispatch", dispatch)
    assert cli.main(["ask", "what is a pod"]) == 0
    assert isinstance(loops[0], uvloop.Loop)
