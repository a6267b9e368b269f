"""Break each of the quiz generator's checks on purpose, once, and show that a test fails.

    python bench/quiz_mutants.py

Each mutant replaces one line of the generator (the check itself) and runs the tests that should
catch it (`bench/mutants.py`); a line "MISSED" means the check is not tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import Mutant, run_mutants  # noqa: E402


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
    ("bot/core/quiz/catalogue.py",
     "            found = self._words[doc.chunk.chunk_id] = frozenset(analysed_words(doc, self.wording.analyzer)[0])",
     "            found = self._words[doc.chunk.chunk_id] = frozenset(doc.body_words)", "tests/core/quiz/test_structural.py"),
    ("bot/core/quiz/placement.py", "            body, heading = analysed_words(doc, analyzer)",
     "            body, heading = doc.body_words, doc.heading_words", "tests/core/quiz/test_handwritten.py"),
]


def main() -> int:
    return run_mutants([Mutant(f"{path}: {broken.strip()[:60]}", path, line, broken, tests)
                        for path, line, broken, tests in MUTANTS])


if __name__ == "__main__":
    sys.exit(main())
