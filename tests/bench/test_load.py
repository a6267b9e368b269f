"""bench/load.py keeps working: a tiny burst against both bots over the seed notes.

Only that it runs, answers every question and loses no stored answer is checked here; how fast
is the script's own business (timings on a shared machine are noise)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_small_burst_runs_and_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load.py"), "--notes", str(REPO / "corpus"), "--databases", "sqlite",
         "--requests", "12", "--members", "4", "--concurrency", "4", "--rounds", "1", "--json-out", str(out),
         "--work-dir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert {b["bot"] for b in report["bursts"]} == {"trivial", "notesbot/sqlite"}
    assert all(b["answered"] == 12 and b["unanswered"] == 0 for b in report["bursts"])
    assert report["stored"] == {"notesbot/sqlite": "16/16"} and not report["problems"]  # 4 warm-up + 12
