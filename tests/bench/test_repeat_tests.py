"""bench/repeat_tests.py names a test that fails only sometimes, and passes a suite that never fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

ALTERNATING = """
from pathlib import Path

def test_steady():
    assert True

def test_every_other_run():
    seen = Path(__file__).with_suffix(".runs")
    runs = int(seen.read_text()) + 1 if seen.exists() else 1
    seen.write_text(str(runs))
    assert runs % 2 == 1
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "bench" / "repeat_tests.py"), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def test_a_test_that_fails_one_round_in_two_is_named_with_its_count(tmp_path: Path) -> None:
    target = tmp_path / "test_flaky_example.py"
    target.write_text(ALTERNATING)
    result = run("--rounds", "4", str(target))
    assert result.returncode == 1
    assert "rounds that failed: 2" in result.stdout
    assert "2/4" in result.stdout and "test_every_other_run" in result.stdout
    assert "test_steady" not in result.stdout


def test_rounds_that_all_pass_exit_zero(tmp_path: Path) -> None:
    target = tmp_path / "test_steady_example.py"
    target.write_text("def test_steady():\n    assert True\n")
    result = run("--rounds", "2", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rounds that failed: 0" in result.stdout
