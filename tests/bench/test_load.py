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
         "--scenarios", "ask", "--requests", "12", "--members", "4", "--concurrency", "4", "--rounds", "1", "--json-out", str(out),
         "--work-dir", str(tmp_path / "work"), "--trivial-uvloop"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert {b["bot"] for b in report["bursts"]} == {"trivial", "trivial/uvloop", "notesbot/sqlite"}
    assert all(b["answered"] == 12 and b["unanswered"] == 0 for b in report["bursts"])
    assert report["stored"] == {"notesbot/sqlite answers": "16/16"} and not report["problems"]  # 4 warm-up + 12
    # --trivial-uvloop: the second trivial bot runs on uvloop's loop, the baseline on asyncio's
    assert "event loop: uvloop.Loop" in (tmp_path / "work" / "trivial-uvloop" / "stderr.txt").read_text()
    assert "event loop: asyncio." in (tmp_path / "work" / "trivial" / "stderr.txt").read_text()


@pytest.mark.slow
def test_a_small_burst_of_quiz_clicks_stores_each_first_answer_once(tmp_path: Path) -> None:
    """Two posts, 12 clicks from 4 members after 4 warm-up clicks: each member's first two clicks
    are first answers (at most 8 stored, each exactly once), the rest are refused second answers;
    every click gets its private reply (a verdict or the refusal), from both bots."""
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load.py"), "--notes", str(REPO / "corpus"), "--databases", "sqlite",
         "--scenarios", "quiz", "--quiz-posts", "2", "--requests", "12", "--members", "4", "--concurrency", "4",
         "--rounds", "1", "--json-out", str(out), "--work-dir", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    assert {(b["scenario"], b["bot"]) for b in report["bursts"]} == {("quiz", "trivial"), ("quiz", "notesbot/sqlite")}
    assert all(b["answered"] == 12 and b["unanswered"] == 0 for b in report["bursts"])
    assert not report["problems"]
    assert set(report["stored"]) == {"notesbot/sqlite quiz_answers", "notesbot/sqlite review_cards"}
    stored, first_answers = map(int, report["stored"]["notesbot/sqlite quiz_answers"].split("/"))
    assert stored == first_answers and 2 <= stored <= 8  # 16 clicks, 8 (member, post) pairs
