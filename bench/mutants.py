"""Break one line of the code at a time and show that a test fails: the runner shared by
`bench/quiz_mutants.py` and `bench/rendering_mutants.py`.

Each mutant replaces one line (a rule, a check) and runs the tests that should catch it; the file
is restored whatever happens. "MISSED" means the rule is not tested; "STALE" that the line is gone
and the mutant needs updating.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    label: str  # what is broken, as the report names it
    path: str  # the file, from the repository root
    line: str  # the line as it is
    broken: str  # the line broken
    tests: str  # the pytest targets that must fail, space-separated


def run_mutants(mutants: Sequence[Mutant]) -> int:
    """Run every mutant; print one line each and a total; 1 when any was missed or stale."""
    missed = 0
    for mutant in mutants:
        file = ROOT / mutant.path
        text = file.read_text(encoding="utf-8")
        if mutant.line not in text:
            print(f"STALE   {mutant.label} ({mutant.path}): the line is gone; update the mutant")
            missed += 1
            continue
        file.write_text(text.replace(mutant.line, mutant.broken, 1), encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", *mutant.tests.split(), "-q", "-x",
                                   "-p", "no:cacheprovider", "-p", "no:randomly"],
                                  cwd=ROOT, capture_output=True, text=True, timeout=900)
        finally:
            file.write_text(text, encoding="utf-8")
        failed = next((row for row in done.stdout.splitlines() if row.startswith("FAILED")), None)
        print(f"{'CAUGHT' if done.returncode else 'MISSED'}  {mutant.label}" + (f"\n        {failed[:150]}" if failed else ""))
        missed += not done.returncode
    print(f"{len(mutants) - missed} of {len(mutants)} caught")
    return 1 if missed else 0
