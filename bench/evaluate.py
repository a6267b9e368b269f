"""Answer quality on an evaluation set, beside a plain rank-bm25 baseline.

    python bench/evaluate.py                                   # the seed notes (passage set)
    python bench/evaluate.py --set bench/eval/k8s-notes.yaml   # Kubernetes docs (note set):
                                                               # tuning half, held-out half, all
    python bench/evaluate.py --set bench/eval/k8s-notes.yaml --code ../notesbot-before   # "before"
    python bench/evaluate.py --set bench/eval/k8s-notes.yaml --sweep             # tune (tuning half only)

Passage sets report hit@1, hit@3 and MRR@10 and list the misses. Note sets report note-level
MRR@10, Recall@10, distinct notes in ten results, unanswered on-topic questions and the share of
off-topic questions answered, for the bot and for the plain baseline (`bench/plain_bm25.py`:
BM25Okapi over paragraph chunks with stemming) in the same run. `--code DIR` scores the bot of
another checkout (e.g. the `main` branch) with this script's metrics.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    """A module of this checkout by file, so `--code` can point `bot` at another checkout."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=HERE / "eval" / "seed-notes.yaml")
    parser.add_argument("--code", type=Path, help="checkout whose bot to score (default: this one)")
    parser.add_argument("--variant", choices=["okapi", "l", "plus"])
    parser.add_argument("--k1", type=float)
    parser.add_argument("--b", type=float)
    parser.add_argument("--boost", type=int, help="heading/title words repeated into every chunk (the old field boost)")
    parser.add_argument("--title-bonus", type=float, help="the bounded note-level title/heading bonus (0: none)")
    parser.add_argument("--half", choices=["tune", "held", "all"], help="note sets: only this half")
    parser.add_argument("--sweep", action="store_true", help="grid over ranking parameters (note sets: tuning half)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--misses", action="store_true", help="note sets: list the questions ranked below 1")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    evaluation = _load("notesbot_evaluation", HERE.parent / "bot" / "core" / "search" / "evaluation.py")
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    import bot  # noqa: F401  (from --code when given)
    from bot.config import load_settings
    from bot.core.search.analysis import Analyzer
    from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
    from bot.core.search.notes import scan_notes
    from bot.core.search.scoring import Bm25Params
    from bot.core.search.synonyms import load_synonyms

    note_set = "relevant:" in args.set.read_text(encoding="utf-8")
    eval_set = (evaluation.load_note_eval_set if note_set else evaluation.load_eval_set)(args.set)
    settings = load_settings()
    analyzer = Analyzer()
    synonyms = load_synonyms(settings.synonyms_file, analyzer)
    scan = scan_notes(eval_set.notes, max_bytes=settings.max_file_bytes)
    chunking = ChunkingParams(settings.chunk_min_words, settings.chunk_max_words)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, chunking).documents]

    overrides = {k: v for k, v in (("variant", args.variant), ("k1", args.k1), ("b", args.b),
                                   ("heading_boost", args.boost)) if v is not None}
    base = replace(Bm25Params(), **overrides)
    rank_params = _rank_params(args)

    def engine(bm25, rank=rank_params):
        if rank is None:
            return build_engine(documents, analyzer, synonyms, bm25)
        return build_engine(documents, analyzer, synonyms, bm25, rank=rank)

    if not note_set:
        grid = [base]
        if args.sweep:
            grid = [replace(base, variant=v, k1=k1, b=b)
                    for v, k1, b in itertools.product(["okapi", "l", "plus"], [0.9, 1.2, 1.5, 2.0], [0.5, 0.75, 0.9])]
        rows = [(p, evaluation.evaluate(engine(p), eval_set)) for p in grid]
        rows.sort(key=lambda r: (-r[1].mrr_at_10, -r[1].hit_at_1, len(r[1].off_topic_answered)))
        if args.json:
            print(json.dumps([{"params": p.as_dict(), **r.as_json()} for p, r in rows], indent=2))
            return
        for params, report in rows[:15]:
            print(f"{params.variant:5} k1={params.k1:<4} b={params.b:<4}  chunks={len(documents)}  "
                  f"questions={report.total}  hit@1={report.hit_at_1:.3f}  hit@3={report.hit_at_3:.3f}  "
                  f"MRR@10={report.mrr_at_10:.3f}  off-topic answered={len(report.off_topic_answered)}")
        if not args.sweep:
            for item, rank in rows[0][1].misses:
                print(f"  miss (rank {rank if rank else '>10'}): {item.question}  [{item.source}:{item.line}]")
            for question in rows[0][1].off_topic_answered:
                print(f"  off-topic answered: {question}")
        return

    halves = [args.half] if args.half else ["tune", "held", "all"]
    if args.sweep:
        _sweep(evaluation, engine, base, eval_set.half("tune"))
        return
    rankers = {"bot": evaluation.engine_ranker(engine(base))}
    if not args.no_baseline:
        plain = _load("notesbot_plain_bm25", HERE / "plain_bm25.py").PlainBm25([(n.path, n.text) for n in scan.files])
        rankers["plain rank-bm25"] = plain.rank
    results = {(name, half): evaluation.evaluate_notes(ranker, eval_set.half(half))
               for name, ranker in rankers.items() for half in halves}
    if args.json:
        print(json.dumps({f"{name}/{half}": r.as_json() for (name, half), r in results.items()}, indent=2))
        return
    print(f"{len(scan.files)} notes, {len(documents)} chunks; bot from {args.code or 'this checkout'}")
    print(f"{'ranker':16} {'half':5} {'n':>4} {'MRR@10':>7} {'R@10':>6} {'notes@10':>8} {'unanswered':>10} {'off-topic answered':>19}")
    for (name, half), r in results.items():
        print(f"{name:16} {half:5} {r.total:4} {r.mrr_at_10:7.3f} {r.recall_at_10:6.3f} {r.distinct_notes_at_10:8.2f} "
              f"{len(r.unanswered):10} {len(r.off_topic_answered):>8}/{r.off_topic_total} ({r.off_topic_share:.3f})")
    if args.misses:
        report = results["bot", halves[-1]]
        for item, rank in report.ranks:
            if rank != 1:
                print(f"  rank {rank if rank else '>10'}: {item.question}")
        for question in report.unanswered:
            print(f"  unanswered: {question}")
        for question in report.off_topic_answered:
            print(f"  off-topic answered: {question}")


def _rank_params(args):
    """Ranking parameters of this checkout's bot, or None for one that has none (`--code`)."""
    try:
        from bot.core.search.ranking import RankParams
    except ImportError:
        return None
    params = RankParams()
    if args.title_bonus is not None:
        params = replace(params, title_bonus=args.title_bonus)
    return params


def _sweep(evaluation, engine, base, tune_set) -> None:
    from bot.core.search.ranking import RankParams

    rows = []
    for k1, bonus, dominance in itertools.product([1.2, 1.5, 2.0], [0.0, 0.5, 1.0, 1.5, 2.0], [1.0, 1.5, 3.0]):
        rank = replace(RankParams(), title_bonus=bonus, dominance=dominance)
        report = evaluation.evaluate_notes(evaluation.engine_ranker(engine(replace(base, k1=k1), rank)), tune_set)
        rows.append((k1, bonus, dominance, report))
    rows.sort(key=lambda r: -r[3].mrr_at_10)
    for k1, bonus, dominance, r in rows[:20]:
        print(f"k1={k1:<4} title_bonus={bonus:<4} dominance={dominance:<4} MRR@10={r.mrr_at_10:.3f} "
              f"R@10={r.recall_at_10:.3f} notes@10={r.distinct_notes_at_10:.2f} unanswered={len(r.unanswered)} "
              f"off-topic={len(r.off_topic_answered)}/{r.off_topic_total}")


if __name__ == "__main__":
    main()
