"""Print a seeded random sample of the questions generated from a folder of notes.

    python bench/quiz_sample.py --notes corpus --n 30 --seed 1
    python bench/quiz_sample.py --notes ../shared/corpora/k8s-docs --n 30 --seed 1 --json

The notes are indexed in memory exactly as a reindex would (no database), the generator runs over
every passage (as the background fill does), and N questions are drawn with the seed. The last
lines give the pool's size and kinds, for the README.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.quiz.structural import StructuralGenerator, StructuralParams  # noqa: E402
from bot.core.quiz.pool import _wording, generate_for  # noqa: E402
from bot.core.search.analysis import Analyzer  # noqa: E402
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine  # noqa: E402
from bot.core.search.notes import scan_notes  # noqa: E402
from bot.core.search.synonyms import load_synonyms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=Path, default=ROOT / "corpus")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one question per line as JSON")
    args = parser.parse_args()
    analyzer = Analyzer()
    synonyms_file = args.notes / "synonyms.yaml"
    synonyms = load_synonyms(synonyms_file if synonyms_file.exists() else None, analyzer)
    scan = scan_notes(args.notes, max_bytes=5 * 1024 * 1024)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    engine = build_engine(documents, analyzer, synonyms)
    started = time.perf_counter()
    generator = StructuralGenerator(engine, synonyms, StructuralParams(seed=args.seed))
    questions = generate_for(generator, documents)  # every passage, as the background fill does
    wordings: set[tuple[str, str]] = set()
    questions = [q for q in questions if not (_wording(q.prompt, q.answer) in wordings
                                              or wordings.add(_wording(q.prompt, q.answer)))]  # as the pool stores them
    seconds = time.perf_counter() - started
    sample = random.Random(args.seed).sample(questions, min(args.n, len(questions)))
    for number, q in enumerate(sample, start=1):
        if args.json:
            print(json.dumps({**q.as_json(), "accepted": list(q.accepted)}, ensure_ascii=False))
            continue
        print(f"{number}. [{q.kind}] {q.prompt}")
        for i, choice in enumerate(q.choices):
            mark = "*" if i == q.answer_index else " "
            print(f"   {mark} {'ABCD'[i]}. {choice}")
        extra = f"  accepted: {', '.join(q.accepted)}" if q.accepted else ""
        print(f"   source: {q.citation} ({q.heading or '-'}){extra}")
    kinds = Counter(q.kind for q in questions)
    passages = len({q.chunk_id for q in questions})
    print(f"# pool: {len(questions)} questions ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}) "
          f"from {passages} of {len(documents)} passages ({passages / max(1, len(documents)):.0%}); "
          f"generated in {seconds:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
