"""Run the tests most exposed to timing many times over, and name every one that ever failed.

    python bench/repeat_tests.py                    # the timing-prone files, 20 rounds
    python bench/repeat_tests.py --rounds 5 tests/adapter/test_bot_ask.py
    NOTESBOT_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test python bench/repeat_tests.py

A test that passes only sometimes hides real failures, so the suite must pass every time. The
default files are those whose tests start processes, wait on timers, threads or file watches, or
run the bot against the Discord double (see DEFAULT_TARGETS); each round is a fresh pytest
process, as `make test` is. The table lists each test that failed at least once with its count of
failures; the script exits 1 when any test failed, 0 when every round passed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGETS = (
    "tests/adapter/test_bot_startup.py",  # `python -m bot run` in a subprocess, signals, stderr's last line
    "tests/adapter/test_bot_notes_watch.py",  # a file saved while the bot runs
    "tests/adapter/test_acks.py",  # interaction deadlines against the Discord double
    "tests/core/search/test_watch.py",  # file-system watches settling
    "tests/core/search/test_workers.py",  # worker threads
    "tests/core/storage/test_write_behind.py",  # writes queued behind the answer
    "tests/core/practice/test_reviews_behind.py",
    "tests/test_event_loop.py",  # how long the loop is held
    "tests/test_cli_quiz_fill.py",  # the background fill of the question pool
)


def failures_of(report: Path) -> tuple[int, list[str]]:
    """(tests run, ids of those that failed or errored) from a JUnit XML report."""
    if not report.exists():
        return 0, ["<pytest wrote no report>"]
    root = ET.parse(report).getroot()
    cases = list(root.iter("testcase"))
    failed = [f"{case.get('classname')}::{case.get('name')}" for case in cases
              if case.find("failure") is not None or case.find("error") is not None]
    return len(cases), failed


def run_round(targets: list[str], report: Path) -> tuple[int, list[str], int]:
    """One fresh pytest process over the targets: (tests run, failed ids, exit status)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *targets]
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    ran, failed = failures_of(report)
    return ran, failed, completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=list(DEFAULT_TARGETS), help="pytest paths or node ids")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    failures: Counter[str] = Counter()
    bad_rounds = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        for number in range(1, args.rounds + 1):
            ran, failed, status = run_round(args.targets, Path(work) / f"round-{number}.xml")
            failures.update(failed)
            bad_rounds += status != 0
            print(f"round {number}/{args.rounds}: {ran} tests, {len(failed)} failed, exit {status}", file=sys.stderr)
    print(f"{args.rounds} rounds of {len(args.targets)} targets in {time.perf_counter() - started:.0f} s; "
          f"rounds that failed: {bad_rounds}")
    for test, count in failures.most_common():
        print(f"  {count}/{args.rounds}  {test}")
    return 1 if bad_rounds else 0


if __name__ == "__main__":
    sys.exit(main())
