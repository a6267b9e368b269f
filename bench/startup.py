"""Start-up cost of "notes always current": process start → first answer, before and after.

    python bench/startup.py [--corpus PATH] [--runs N] [--baseline REF] [--json-out FILE]

Since every start brings the index up to date with the notes folder (a stat of every note, only
changed files read), a start costs a folder scan more than it did. This measures, in one run and
on the same stored index, `python -m bot ask QUESTION --json` of:

* baseline: the code at `--baseline` (default: the commit this work started from), which loads
  the stored index and answers without looking at the folder;
* current: this tree, with nothing changed in the folder (the common case: a scan, no write);
* current, one note changed: the same after touching one note (read, analysed, written).

Runs alternate between the variants so machine noise hits them alike; medians are reported,
with the ratio current / baseline (target: under 1.5x). The corpus is copied to a temporary
folder first (the shared corpus is never modified); the baseline is extracted with
`git archive` into a temporary folder and runs from there with the same interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent.parent / "shared" / "corpora" / "k8s-docs"
DEFAULT_BASELINE = "f05f8b8"  # the branch point before every start reindexed
QUESTION = "what is a pod"


def run_ask(code: Path, env: dict[str, str]) -> float:
    """Wall time of one `ask --json` from process start to exit, checking it answered."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "ask", QUESTION, "--json"], cwd=code,
                          env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not json.loads(done.stdout)["results"]:
        raise SystemExit(f"ask failed in {code}: {done.stderr.strip()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=7, help="runs of each variant (default 7)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help="git ref of the code to compare with")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="notesbot-startup-") as tmp:
        work = Path(tmp)
        notes = work / "notes"
        shutil.copytree(args.corpus, notes)
        baseline = work / "baseline"
        baseline.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "NOTES_", "DATABASE_"))}
        env.update(NOTES_DIR=str(notes), DATA_DIR=str(work / "data"), DISCORD_TOKEN="", LOG_LEVEL="WARNING")

        print(f"indexing {args.corpus} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "bot", "reindex", "--json"], cwd=REPO, env={**env, "PYTHONPATH": str(REPO)},
                       capture_output=True, check=True, timeout=600)
        files = sorted(notes.rglob("*.md"))
        run_ask(REPO, env), run_ask(baseline, env)  # warm the page cache for both

        times: dict[str, list[float]] = {"baseline": [], "current": [], "current, one note changed": []}
        for i in range(args.runs):
            order = ["baseline", "current"] if i % 2 == 0 else ["current", "baseline"]
            for variant in order:
                times[variant].append(run_ask(baseline if variant == "baseline" else REPO, env))
            note = files[i % len(files)]
            note.write_text(note.read_text() + f"\nedited for run {i}\n")
            times["current, one note changed"].append(run_ask(REPO, env))
            print(f"run {i + 1}/{args.runs}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()),
                  file=sys.stderr)

    medians = {variant: statistics.median(values) for variant, values in times.items()}
    base = medians["baseline"]
    print(f"\nprocess start → first answer (`ask --json`), {len(files)} notes, median of {args.runs}:")
    print("| variant | median | ratio to baseline |\n| --- | --- | --- |")
    for variant, value in medians.items():
        print(f"| {variant} | {value:.2f} s | {value / base:.2f}x |")
    ratio = medians["current"] / base
    print(f"\nnothing changed: {ratio:.2f}x the baseline (target < 1.5x): {'ok' if ratio < 1.5 else 'MISSED'}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"notes": len(files), "runs": args.runs, "baseline": args.baseline,
                                             "times": times, "medians": medians, "ratio": ratio}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
