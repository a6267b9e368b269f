"""A/B of the in-process search costs: this checkout against another source tree, alternating.

    python bench/search_ab.py --baseline TREE [--corpus PATH] [--rounds N] [--work-dir DIR]

TREE is a source tree of an older version (`git archive f05f8b8 | tar -x -C /tmp/base`). The
shared machine's load changes from minute to minute, so one run of each says little; this runs
the two trees one after the other, `--rounds` times (which goes first alternates), each round in
fresh processes, and prints the medians and the after/before ratio of every round.

Each process imports `bot` from its tree, loads the corpus's documents (analysed once per tree
with that tree's own code and cached in the work folder), builds the engine, then measures:

- `search`: the whole `SearchEngine.search(question)` (k = 3) over the evaluation questions
  (`bench/eval/k8s-notes.yaml`, on-topic and off-topic), `PASSES` passes after a warm-up: p50, p95;
- `update`: what a one-file reindex does in memory: one note's documents replaced (new objects,
  same content), the index updated (`SearchIndex.updated`) and a new engine built over it, then
  the first question answered (lazy per-engine work included): median of `UPDATES`.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "k8s-docs"
QUESTIONS = HERE / "eval" / "k8s-notes.yaml"
PASSES = 3
UPDATES = 5
EDITED_NOTE = "concepts/workloads/controllers/job.md"


def child(tree: str, corpus: str, cache: str) -> None:
    """In a fresh process: the figures of one tree, as JSON on standard output."""
    sys.path.insert(0, tree)
    import dataclasses

    import yaml

    from bot.config import load_settings
    from bot.core.search.analysis import Analyzer
    from bot.core.search.index import SearchIndex
    from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
    from bot.core.search.notes import scan_notes
    from bot.core.search.scoring import Bm25Params
    from bot.core.search.synonyms import load_synonyms

    settings, analyzer = load_settings(), Analyzer()
    synonyms = load_synonyms(settings.synonyms_file, analyzer)
    cached = Path(cache)
    if cached.exists():
        documents = pickle.loads(cached.read_bytes())
    else:
        scan = scan_notes(Path(corpus), max_bytes=settings.max_file_bytes)
        chunking = ChunkingParams(settings.chunk_min_words, settings.chunk_max_words)
        documents = [d for note in scan.files for d in analyse_note(note, analyzer, chunking).documents]
        cached.write_bytes(pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL))
    engine = build_engine(documents, analyzer, synonyms, Bm25Params())
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    questions = [q["q"] for q in data["questions"]] + [q if isinstance(q, str) else q["q"] for q in data["off_topic"]]
    for question in questions:  # warm-up: lazy tables and caches
        engine.search(question)
    times = []
    for _ in range(PASSES):
        for question in questions:
            started = time.perf_counter()
            engine.search(question)
            times.append(time.perf_counter() - started)
    edited = [i for i, d in enumerate(documents) if d.chunk.source == EDITED_NOTE] or [len(documents) // 2]
    updates = []
    for _ in range(UPDATES):
        changed = list(documents)
        for i in edited:
            changed[i] = dataclasses.replace(changed[i])
        started = time.perf_counter()
        index = SearchIndex.updated(engine.index, changed, analyzer.stems)
        updated = type(engine)(index, analyzer, synonyms)
        updated.search(questions[0])
        updates.append(time.perf_counter() - started)
    ms = sorted(t * 1000 for t in times)
    print(json.dumps({"search_p50_ms": statistics.median(ms), "search_p95_ms": ms[int(0.95 * (len(ms) - 1))],
                      "update_s": statistics.median(updates), "questions": len(questions),
                      "documents": len(documents)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="source tree of the version to compare with (required)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work-dir", type=Path, help="where the analysed documents are cached (default: a temporary folder)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if args.baseline is None:
        parser.error("--baseline TREE is required")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="search-ab-"))
    work.mkdir(parents=True, exist_ok=True)
    trees = {"before": args.baseline.resolve(), "after": REPO}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for round_ in range(args.rounds):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            done = subprocess.run([sys.executable, __file__, "--child", str(trees[name]), str(args.corpus.resolve()),
                                   str(work / f"{name}-documents.pickle")],
                                  capture_output=True, text=True, cwd=trees[name])
            if done.returncode:
                sys.exit(f"{name} ({trees[name]}) failed:\n{done.stderr}")
            results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
        b, a = results["before"][-1], results["after"][-1]
        print(f"round {round_ + 1}: search p50 {b['search_p50_ms']:.3f} → {a['search_p50_ms']:.3f} ms "
              f"({a['search_p50_ms'] / b['search_p50_ms']:.2f}×), update {b['update_s']:.3f} → {a['update_s']:.3f} s "
              f"({a['update_s'] / b['update_s']:.2f}×)", flush=True)
    print(f"{results['after'][0]['questions']} questions; documents before / after: "
          f"{results['before'][0]['documents']} / {results['after'][0]['documents']}")
    for key, unit in (("search_p50_ms", "ms"), ("search_p95_ms", "ms"), ("update_s", "s")):
        before = statistics.median(r[key] for r in results["before"])
        after = statistics.median(r[key] for r in results["after"])
        ratios = [a[key] / b[key] for a, b in zip(results["after"], results["before"])]
        print(f"{key:14} before {before:8.3f} {unit:2}  after {after:8.3f} {unit:2}  "
              f"median ratio of rounds {statistics.median(ratios):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
