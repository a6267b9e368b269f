"""Reindex time with and without the question pool, side by side in one run; the background fill's
time; the pool's size.

    python bench/quiz_pool.py [--notes ../shared/corpora/k8s-docs] [--rounds 2]

For each round, in alternating order, a fresh SQLite database is indexed from a copy of the notes
by a `NotesService` without the pool hook and one with it (full reindex), then one note is
appended to and reindexed three times (one-file reindex, the median). The ratios of the medians
are what the issue bounds (<= 1.5x); absolute times vary with the machine's load, so the pool's
own time inside each reindex is printed too (less noisy than a difference of two wall times).
With the pool, the background fill (`PoolFiller.fill`) then runs to the end after the full
reindex: its wall time, the longest the event loop waited meanwhile (a ticker every 5 ms: what an
`/ask` arriving during the fill could wait for), and the pool it leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loop_ticker import timed  # noqa: E402
from bot.core.quiz.fill import PoolFiller  # noqa: E402
from bot.core.quiz.pool import QuestionPool  # noqa: E402
from bot.core.quiz.store import QuestionStore  # noqa: E402
from bot.core.search.service import NotesService, ServiceConfig  # noqa: E402
from bot.core.storage.database import open_database, session_factory  # noqa: E402

DEFAULT_NOTES = ROOT.parent / "shared" / "corpora" / "k8s-docs"


async def one_run(notes: Path, with_pool: bool, workdir: Path) -> dict[str, object]:
    db = await open_database(f"sqlite+aiosqlite:///{workdir / ('pool' if with_pool else 'plain')}.sqlite3")
    try:
        sessions = session_factory(db)
        pool = QuestionPool() if with_pool else None
        config = ServiceConfig(notes_dir=notes, synonyms_file=ROOT / "corpus" / "synonyms.yaml")
        service = NotesService(config, sessions, on_reindex=pool.on_reindex if pool else None,
                               after_reindex=pool.after_reindex_hook(sessions) if pool else None)
        started = time.perf_counter()
        await service.start()
        full = time.perf_counter() - started
        pool_full = pool.last_report.seconds if pool and pool.last_report else 0.0
        await service.aclose()  # the index snapshot written after the reindex: not inside what follows
        fill: dict[str, float] = {}
        if with_pool:
            gc.collect()
            gc.freeze()  # as the bot does after start-up: a full collection over the index would stall the loop
            fill = await timed_fill(PoolFiller(sessions, lambda: (service.engine, service.version),
                                               clock=service.clock, rng=random.Random(1)))
        target = sorted(p for p in notes.rglob("*.md"))[len(list(notes.rglob("*.md"))) // 2]
        one_file, pool_one = [], []
        for i in range(3):
            with target.open("a", encoding="utf-8") as f:
                f.write(f"\nThe kubelet restarts failed containers with an exponential back-off, edit {i}.\n")
            started = time.perf_counter()
            await service.reindex()
            one_file.append(time.perf_counter() - started)
            pool_one.append(pool.last_report.seconds if pool and pool.last_report else 0.0)
        await service.aclose()
        gc.unfreeze()
        kinds: Counter[str] = Counter()
        if with_pool:
            kinds = Counter(q.kind for q in await QuestionStore(sessions).active())
        return {"full": full, "one_file": statistics.median(one_file), "kinds": kinds,
                "pool_full": pool_full, "pool_one": statistics.median(pool_one), **fill,
                "passages": len(service.engine.documents)}
    finally:
        await db.dispose()


async def timed_fill(filler: PoolFiller) -> dict[str, float]:
    """Run the fill to the end while a ticker measures how long the event loop was held."""
    report, timing = await timed(filler.fill())
    return {"fill": timing.seconds, "fill_complete": float(report.complete), "lag_max": timing.held_max,
            "lag_p99": timing.held_p99}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[bool, list[dict[str, object]]] = {False: [], True: []}
    for round_ in range(args.rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        for with_pool in order:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                notes = work / "notes"
                shutil.copytree(args.notes, notes)
                result = await one_run(notes, with_pool, work)
                results[with_pool].append(result)
                fill = (f", then the fill {result['fill']:.1f} s (loop held at most {result['lag_max'] * 1000:.0f} ms, "
                        f"p99 {result['lag_p99'] * 1000:.0f} ms)") if with_pool else ""
                print(f"round {round_ + 1} {'with' if with_pool else 'without'} pool: full {result['full']:.2f} s "
                      f"(pool {result['pool_full']:.2f} s){fill}, one file {result['one_file']:.3f} s "
                      f"(pool {result['pool_one']:.3f} s)", file=sys.stderr, flush=True)
    full = {k: statistics.median(r["full"] for r in v) for k, v in results.items()}  # type: ignore[misc]
    one = {k: statistics.median(r["one_file"] for r in v) for k, v in results.items()}  # type: ignore[misc]
    kinds = results[True][-1]["kinds"]
    pool_full = statistics.median(r["pool_full"] for r in results[True])  # type: ignore[misc]
    pool_one = statistics.median(r["pool_one"] for r in results[True])  # type: ignore[misc]
    print(f"| measure | without pool | with pool | ratio |\n| --- | --- | --- | --- |\n"
          f"| full reindex (median of {args.rounds}) | {full[False]:.2f} s | {full[True]:.2f} s | "
          f"{full[True] / full[False]:.2f}x |\n"
          f"| one-file reindex (median) | {one[False]:.3f} s | {one[True]:.3f} s | {one[True] / one[False]:.2f}x |")
    print(f"| the pool's own time inside the reindex (median) | - | full {pool_full:.2f} s, one file "
          f"{pool_one:.3f} s | {(full[False] + pool_full) / full[False]:.2f}x, "
          f"{(one[False] + pool_one) / one[False]:.2f}x of the runs without |")
    fill = statistics.median(r["fill"] for r in results[True])  # type: ignore[misc]
    lag = max(r["lag_max"] for r in results[True])  # type: ignore[type-var]
    print(f"| background fill to the end (median) | - | {fill:.1f} s ({fill / full[False]:.1f}x a full reindex; "
          f"event loop held at most {lag * 1000:.0f} ms) | - |")
    print(f"pool: {sum(kinds.values())} questions from {results[True][-1]['passages']} passages: "  # type: ignore[union-attr]
          f"{dict(sorted(kinds.items()))}")  # type: ignore[union-attr]


if __name__ == "__main__":
    asyncio.run(main())
