"""Start-up cost of "notes always current": process start → first answer, before and after.

    python bench/startup.py [--corpus PATH] [--runs N] [--baseline REF] [--json-out FILE]

Since every start brings the index up to date with the notes folder (a stat of every note, only
changed files read), a start costs a folder scan more than it did. This measures, in one run and
on the same stored index, `python -m bot ask QUESTION --json` of:

* baseline: the code at `--baseline` (default: the commit this work started from), which loads
  the stored index and answers without looking at the folder;
* current: this tree, with nothing changed in the folder (the common case: a scan, no write);
* current, one note changed: the same after touching one note (read, analysed, written).

Runs alternate between the variants so machine noise hits them alike; medians of wall time and
of CPU time (user + system of the process, much less sensitive to other load on a shared machine)
are reported, with the ratio current / baseline (target: under 1.5x). The added work itself, a
scan of the folder that reads no note, is also timed in-process. The corpus is copied to a temporary
folder first (the shared corpus is never modified); the baseline is extracted with
`git archive` into a temporary folder and runs from there with the same interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "k8s-docs"
DEFAULT_BASELINE = "f05f8b8"  # the branch point before every start reindexed
QUESTION = "what is a pod"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ask(code: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one `ask --json` from process start to exit, checking it answered."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "ask", QUESTION, "--json"], cwd=code,
                          env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True, timeout=300)
    elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0 or not json.loads(done.stdout)["results"]:
        raise SystemExit(f"ask failed in {code}: {done.stderr.strip()[-500:]}")
    return elapsed, cpu


def scan_seconds(notes: Path, repeat: int = 7) -> float:
    """Median time of the start-up scan when nothing changed: stat every note, read none."""
    sys.path.insert(0, str(REPO))
    from bot.core.search.notes import scan_notes

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        scan = scan_notes(notes, max_bytes=5 * 1024 * 1024, known=lambda *_: "0" * 64)
        times.append(time.perf_counter() - started)
        assert scan.files and all(f.reused for f in scan.files)
    return statistics.median(times)


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

        variants = ["baseline", "current", "current, one note changed"]
        wall: dict[str, list[float]] = {v: [] for v in variants}
        cpu: dict[str, list[float]] = {v: [] for v in variants}

        def measure(variant: str) -> None:
            seconds, cpu_seconds = run_ask(baseline if variant == "baseline" else REPO, env)
            wall[variant].append(seconds)
            cpu[variant].append(cpu_seconds)

        for i in range(args.runs):
            for variant in (["baseline", "current"] if i % 2 == 0 else ["current", "baseline"]):
                measure(variant)
            note = files[i % len(files)]
            note.write_text(note.read_text() + f"\nedited for run {i}\n")
            measure("current, one note changed")
            print(f"run {i + 1}/{args.runs}: " + ", ".join(f"{v} {wall[v][-1]:.2f}s" for v in variants),
                  file=sys.stderr)
        scan = scan_seconds(notes)

    wall_median = {v: statistics.median(wall[v]) for v in variants}
    cpu_median = {v: statistics.median(cpu[v]) for v in variants}
    print(f"\nprocess start → first answer (`ask --json`), {len(files)} notes, median of {args.runs}:")
    print("| variant | wall | ratio | CPU | ratio |\n| --- | --- | --- | --- | --- |")
    for v in variants:
        print(f"| {v} | {wall_median[v]:.2f} s | {wall_median[v] / wall_median['baseline']:.2f}x "
              f"| {cpu_median[v]:.2f} s | {cpu_median[v] / cpu_median['baseline']:.2f}x |")
    print(f"\nthe scan itself (stat {len(files)} notes, read none): {scan * 1000:.0f} ms")
    ratio = wall_median["current"] / wall_median["baseline"]
    cpu_ratio = cpu_median["current"] / cpu_median["baseline"]
    verdict = "ok" if max(ratio, cpu_ratio) < 1.5 else "MISSED"
    print(f"nothing changed: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU of the baseline (target < 1.5x): {verdict}")
    if args.json_out:
        args.json_out.write_text(json.dumps({
            "notes": len(files), "runs": args.runs, "baseline": args.baseline, "wall": wall, "cpu": cpu,
            "wall_median": wall_median, "cpu_median": cpu_median, "scan_seconds": scan,
            "ratio_wall": ratio, "ratio_cpu": cpu_ratio}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
