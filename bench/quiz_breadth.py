"""Breadth of the generated question pool (issue 15): per collection of notes, how many passages
end up with at least one generated question, the questions by kind, and what the fill cost.

    python bench/quiz_breadth.py                      # the four shared corpora and the seed notes
    python bench/quiz_breadth.py --notes corpus --notes ../shared/corpora/cncf-glossary
    python bench/quiz_breadth.py --corpora /elsewhere/corpora --json-out breadth.json

Default folders: k8s-docs, cncf-glossary, prometheus-docs and rust-by-example of the corpora
folder (`--corpora`, default `../shared/corpora` beside the repository), then the seed notes
(`corpus`); `--notes DIR` (repeatable) gives the folders instead. The Kubernetes docs take long.

For each folder, in a fresh SQLite database in a temporary folder, the app is opened as the bot
opens it (`open_app`, the settings' defaults apart from the folders); the notes are indexed (the
start-up reindex, which also generates from the first passages itself, see `QuestionPool`), and
then the background fill (`PoolFiller.fill`) runs to the end, after `gc.freeze()` as the bot does
after start-up. Measured:

* passages: the passages (chunks) of the index, and the chunks stored for it (the same number);
* questions: active generated questions (`quiz_questions` rows with `retired_at` NULL and a kind
  other than "written"), by kind; hand-written ones (NOTES_DIR/quiz/*.yaml) are counted apart and
  never as generated;
* passages with a question: passages of the index with at least one such question, and their
  share of the passages;
* release answers: the questions whose answer is a release version ("v1.35"), with the bot's own
  check (`bot.core.quiz.questions.asks_a_release`);
* fill seconds: wall time of the fill to the end, with the passages it had left to visit (the
  reindex generates from the first passages itself, `PoolParams.inline_budget`, so a small folder
  leaves the fill little or nothing: its generation time is then inside "reindex s"), and the
  longest the event loop was held meanwhile (a ticker task sleeping 5 ms: what an `/ask` arriving
  during the fill could wait for), with its 99th percentile.

Issue 15's target, per collection: passages with a generated question >= 10 % of the passages,
and >= 30 generated questions. PASS/FAIL is printed against it; `--strict` exits 1 on any FAIL.
`--json-out FILE` writes every figure as JSON. The table goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.loop_ticker import timed  # noqa: E402
from bot.app import open_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.quiz.questions import asks_a_release  # noqa: E402
from bot.core.storage.models import ChunkRow, QuizQuestionRow  # noqa: E402

DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
CORPORA = ("k8s-docs", "cncf-glossary", "prometheus-docs", "rust-by-example")
SEED_NOTES = ROOT / "corpus"

# Issue 15's target for each collection.
MIN_PASSAGE_SHARE = 0.10  # passages with at least one generated question / passages
MIN_QUESTIONS = 30  # active generated questions
TARGET = (f"issue 15: passages with a generated question >= {MIN_PASSAGE_SHARE:.0%} of passages "
          f"and >= {MIN_QUESTIONS} generated questions")


ReleaseCheck = Callable[[str, str], bool]  # (kind, answer) -> the answer is a release version


def default_folders(corpora: Path) -> list[Path]:
    folders = []
    for name in CORPORA:
        folder = corpora / name
        if folder.is_dir():
            folders.append(folder)
        else:
            print(f"quiz_breadth: {folder} is not a folder: skipped", file=sys.stderr)
    return folders + [SEED_NOTES]


async def timed_fill(filler: Any) -> dict[str, Any]:
    """Run the fill to the end while a ticker measures how long the event loop was held."""
    report, timing = await timed(filler.fill())
    return {
        "fill_seconds": timing.seconds,
        "fill_complete": bool(getattr(report, "complete", False)),
        "loop_held_max_ms": timing.held_max * 1000,
        "loop_held_p99_ms": timing.held_p99 * 1000,
    }


async def measure(notes: Path, work: Path, seed: int, release: ReleaseCheck | None) -> dict[str, Any]:
    """Index `notes` into a fresh database under `work`, fill the pool to the end, count."""
    settings = load_settings(_env_file=None, notes_dir=notes, data_dir=work, database_url="")
    async with open_app(settings) as app:
        started = time.perf_counter()
        summary = await app.notes.start()
        reindex_seconds = time.perf_counter() - started
        await app.notes.aclose()  # the index snapshot is written before the fill, not during it
        passages = len(app.notes.engine.documents)
        print(f"  {notes.name}: {passages:,} passages indexed in {reindex_seconds:.1f} s; filling ...",
              file=sys.stderr, flush=True)
        before = await app.filler.status()  # the reindex generated from the first passages itself
        app.filler.rng = random.Random(seed)  # where the fill starts: the same every run
        gc.collect()
        gc.freeze()  # as the bot does after start-up: a full collection over the index would stall the loop
        try:
            fill = await timed_fill(app.filler)
        finally:
            gc.unfreeze()
        current = {d.chunk.chunk_id for d in app.notes.engine.documents}
        async with app.sessions() as session:
            chunks = int(await session.scalar(select(func.count()).select_from(ChunkRow)) or 0)
            rows = list(await session.execute(
                select(QuizQuestionRow.kind, QuizQuestionRow.answer, QuizQuestionRow.chunk_id)
                .where(QuizQuestionRow.retired_at.is_(None))))
    generated = [row for row in rows if row.kind != "written"]
    by_kind = Counter(row.kind for row in generated)
    bearing = {row.chunk_id for row in generated if row.chunk_id in current}
    questions = len(generated)
    share = len(bearing) / passages if passages else 0.0
    figures: dict[str, Any] = {
        "collection": notes.name,
        "notes_dir": str(notes),
        "files": summary.files,
        "passages": passages,
        "index_chunks": chunks,
        "questions": questions,
        "questions_by_kind": dict(sorted(by_kind.items())),
        "passages_with_question": len(bearing),
        "passage_share": share,
        "questions_off_index": sum(1 for row in generated if row.chunk_id not in current),
        "handwritten": len(rows) - questions,
        "release_questions": None,
        "release_share": None,
        "reindex_seconds": reindex_seconds,
        "visited_by_reindex": before.visited,  # passages the reindex generated from (its inline budget)
        "left_to_fill": passages - before.visited,
        **fill,
        "target_met": share >= MIN_PASSAGE_SHARE and questions >= MIN_QUESTIONS,
    }
    if release is not None:
        releases = sum(1 for row in generated if release(row.kind, row.answer))
        figures["release_questions"] = releases
        figures["release_share"] = releases / questions if questions else 0.0
    return figures


def table(results: list[dict[str, Any]], release_rule: str | None) -> str:
    """A Markdown table (plain text, pasteable into the issue)."""
    head = ["collection", "passages", "questions", "passages with a question", "by kind"]
    if release_rule:
        head.append("release answers")
    head += ["reindex s", "fill s (passages)", "loop held max ms (p99)", "issue 15 target"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in results:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in r["questions_by_kind"].items()) or "-"
        cells = [r["collection"], f"{r['passages']:,}", f"{r['questions']:,}",
                 f"{r['passages_with_question']:,} ({r['passage_share']:.1%})", kinds]
        if release_rule:
            cells.append(f"{r['release_questions']:,} ({r['release_share']:.1%})")
        fill = (f"{r['fill_seconds']:.1f} ({r['left_to_fill']:,})"
                + ("" if r["fill_complete"] else " incomplete"))
        cells += [f"{r['reindex_seconds']:.1f}", fill,
                  f"{r['loop_held_max_ms']:.0f} ({r['loop_held_p99_ms']:.0f})",
                  "PASS" if r["target_met"] else "FAIL"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    folders = [p.expanduser().resolve() for p in args.notes] if args.notes else default_folders(args.corpora)
    for folder in folders:
        if not folder.is_dir():
            print(f"quiz_breadth: error: {folder} is not a folder", file=sys.stderr)
            return 2
    release, release_rule = asks_a_release, "bot.core.quiz.questions.asks_a_release"
    results = []
    for folder in folders:
        with tempfile.TemporaryDirectory(prefix="quiz-breadth-") as tmp:
            results.append(await measure(folder, Path(tmp), args.seed, release))
        r = results[-1]
        print(f"  {r['collection']}: fill {r['fill_seconds']:.1f} s, {r['questions']:,} questions on "
              f"{r['passages_with_question']:,} of {r['passages']:,} passages", file=sys.stderr, flush=True)
    print(table(results, release_rule))
    print(f"target: {TARGET}; hand-written questions are not counted"
          + (f"; release answers: {release_rule}" if release_rule else ""))
    if args.json_out:
        report = {
            "target": {"issue": 15, "min_passage_share": MIN_PASSAGE_SHARE, "min_questions": MIN_QUESTIONS,
                       "rule": TARGET},
            "release_rule": release_rule,
            "seed": args.seed,
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "collections": results,
        }
        args.json_out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and not all(r["target_met"] for r in results) else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=Path, action="append", metavar="DIR",
                        help="a notes folder to measure (repeatable); default: the corpora and the seed notes")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, metavar="DIR",
                        help=f"folder holding {', '.join(CORPORA)} (default: ../shared/corpora beside the repo)")
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=1, help="where the fill starts in the passages (default 1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a collection misses the target")
    parser.add_argument("--verbose", action="store_true", help="the bot's INFO log lines on stderr")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    logging.basicConfig(level=logging.INFO if arguments.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(arguments)))
