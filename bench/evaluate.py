"""Print answer quality (hit@1, hit@3, MRR@10, off-topic answers, misses) on an evaluation set.

    python bench/evaluate.py                      # the seed notes' set, default parameters
    python bench/evaluate.py --sweep              # compare BM25 variants, k1, b and boosts
    python bench/evaluate.py --set bench/eval/k8s-docs.yaml --json
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from pathlib import Path

from bot.config import load_settings
from bot.core.search.analysis import Analyzer
from bot.core.search.evaluation import EvalReport, evaluate, load_eval_set
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.query import QueryParams
from bot.core.search.scoring import Bm25Params
from bot.core.search.synonyms import load_synonyms

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=HERE / "eval" / "seed-notes.yaml")
    parser.add_argument("--variant", choices=["okapi", "l", "plus"])
    parser.add_argument("--k1", type=float)
    parser.add_argument("--b", type=float)
    parser.add_argument("--boost", type=int, help="heading/title field boost")
    parser.add_argument("--sweep", action="store_true", help="grid over variant, k1, b, boost")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    settings = load_settings()
    eval_set = load_eval_set(args.set)
    analyzer = Analyzer()
    synonyms = load_synonyms(settings.synonyms_file, analyzer)
    scan = scan_notes(eval_set.notes, max_bytes=settings.max_file_bytes)
    chunking = ChunkingParams(settings.chunk_min_words, settings.chunk_max_words)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, chunking).documents]

    base = Bm25Params()
    overrides = {k: v for k, v in (("variant", args.variant), ("k1", args.k1), ("b", args.b),
                                   ("heading_boost", args.boost)) if v is not None}
    base = replace(base, **overrides)
    grid = [base]
    if args.sweep:
        grid = [replace(base, variant=v, k1=k1, b=b, heading_boost=h)
                for v, k1, b, h in itertools.product(["okapi", "l", "plus"], [0.9, 1.2, 1.5],
                                                     [0.5, 0.75, 0.9], [1, 2, 3, 5])]
    rows = []
    for params in grid:
        engine = build_engine(documents, analyzer, synonyms, params, QueryParams())
        rows.append((params, evaluate(engine, eval_set)))
    rows.sort(key=lambda r: (-r[1].mrr_at_10, -r[1].hit_at_1, len(r[1].off_topic_answered)))
    if args.json:
        print(json.dumps([{"params": p.as_dict(), **r.as_json()} for p, r in rows], indent=2))
        return
    for params, report in rows[:15]:
        _print_summary(params, report, len(documents))
    if not args.sweep:
        _print_misses(rows[0][1])


def _print_summary(params: Bm25Params, report: EvalReport, chunks: int) -> None:
    print(f"{params.variant:5} k1={params.k1:<4} b={params.b:<4} boost={params.heading_boost}  "
          f"chunks={chunks}  questions={report.total}  hit@1={report.hit_at_1:.3f}  "
          f"hit@3={report.hit_at_3:.3f}  MRR@10={report.mrr_at_10:.3f}  "
          f"off-topic answered={len(report.off_topic_answered)}")


def _print_misses(report: EvalReport) -> None:
    for item, rank in report.misses:
        print(f"  miss (rank {rank if rank else '>10'}): {item.question}  [{item.source}:{item.line}]")
    for question in report.off_topic_answered:
        print(f"  off-topic answered: {question}")


if __name__ == "__main__":
    main()
