"""Break each of the quiz generator's checks on purpose, once, and show that a test fails.

    python bench/quiz_mutants.py

Each mutant replaces one line of the generator (the check itself) and runs the tests that should
catch it; the file is restored whatever happens. A line "MISSED" means the check is not tested.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file, the line as it is, the line broken, the tests that must fail)
MUTANTS = [
    ("bot/core/quiz/rubric.py", "    return any(sum(word in other for other in others) < 2 for word in answer_words)",
     "    return False", "tests/core/quiz/test_structural.py"),
    ("bot/core/quiz/rubric.py", "    return len(answer) > 1.25 * max(lengths) or len(answer) < 0.8 * min(lengths)",
     "    return False", "tests/core/quiz/test_structural.py"),
    ("bot/core/quiz/rubric.py", "    if wording.visible(answer, prompt) or spells_out(answer, prompt):",
     "    if False:", "tests/core/quiz/test_structural.py"),
    ("bot/core/quiz/catalogue.py", "        return self._names(a.document, b.name) or self._names(b.document, a.name)",
     "        return False", "tests/core/quiz/test_catalogue.py"),
    ("bot/core/quiz/catalogue.py", "            return None  # \"does not check ...\"",
     "            pass  # \"does not check ...\"", "tests/core/quiz/test_catalogue.py"),
    ("bot/core/quiz/catalogue.py", "        if doc.unpublished:", "        if False:", "tests/core/quiz/test_catalogue.py"),
    ("bot/core/search/structure.py", "            if _SAYS_WHAT.match(rest):", "            if False:",
     "tests/core/search/test_structure.py"),
    ("bot/core/quiz/structural.py",
     "            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,",
     "            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line + 2, end_line=chunk.start_line + 2,",
     "tests/core/quiz/test_structural.py"),
    ("bot/core/quiz/candidates.py", "    return genus == other or kind in _BROAD_KINDS and kind == _kind(wording, other)",
     "    return True", "tests/core/quiz/test_structural.py"),
]


def main() -> int:
    missed = 0
    for path, line, broken, tests in MUTANTS:
        file = ROOT / path
        text = file.read_text(encoding="utf-8")
        if line not in text:
            print(f"STALE   {path}: the line is gone; update the mutant")
            missed += 1
            continue
        file.write_text(text.replace(line, broken, 1), encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", tests, "-q", "-x", "-p", "no:randomly"],
                                  cwd=ROOT, capture_output=True, text=True, timeout=900)
        finally:
            file.write_text(text, encoding="utf-8")
        failed = next((row for row in done.stdout.splitlines() if row.startswith("FAILED")), None)
        print(f"{'CAUGHT' if done.returncode else 'MISSED'}  {path}: {broken.strip()[:60]}"
              + (f"\n        {failed}" if failed else ""))
        missed += not done.returncode
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
