"""Speed and memory of notesbot's search on a large real corpus, beside rank-bm25 and bm25s.

    python bench/benchmark.py [--corpus PATH] [--queries N] [--json-out FILE] [--skip-cli]

Also: --json prints the JSON report on standard output (the table then goes to standard error),
--seed N changes the generated questions, --scale N the replication factor of the large run.

Everything is measured in one run so the figures are comparable side by side; latencies are
medians over repeated passes because the machine is shared:

1. full index: `python -m bot reindex --json` on a fresh SQLite database (wall time and the
   reindex's own time), and the in-memory `SearchIndex` build alone;
2. one-file reindex: append a line to one note and reindex a running `NotesService`;
3. start to first answer: `python -m bot ask QUESTION --json` with the index already stored;
4. query latency over generated questions: (a) `SearchIndex.top` (scoring and top-k only),
   (b) rank-bm25 `get_scores` + top-k, (c) bm25s with the numba backend, all three on the same
   stemmed chunk tokens and query tokens, and (d) the whole `SearchEngine.search`;
5. the same at `--scale`x the corpus (documents replicated in memory, not through the database);
6. peak memory of our index and rank-bm25's, each built in its own subprocess from the same
   documents, less the RSS once the documents are loaded.

The corpus is copied to a temporary folder first: the shared corpus is never modified. Before
timing, `SearchIndex.scores` is checked against rank-bm25's `get_scores` (to 1e-9), so the race is
between two implementations of the same ranking, not two rankings.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import pickle
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as `python bench/benchmark.py` from anywhere
    sys.path.insert(0, str(REPO))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402
import rank_bm25  # noqa: E402

from bot.app import open_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.core.search.analysis import Analyzer  # noqa: E402
from bot.core.search.answering import SearchEngine  # noqa: E402
from bot.core.search.documents import Document  # noqa: E402
from bot.core.storage.repositories import NotesRepository  # noqa: E402
from bot.core.search.index import SearchIndex  # noqa: E402
from bot.core.search.indexing import build_engine  # noqa: E402
from bot.core.search.notes import is_note_name  # noqa: E402
from bot.core.search.scoring import Bm25Params  # noqa: E402
from bot.core.search.synonyms import load_synonyms  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "k8s-docs"
TOP_K = 3
FIRST_ANSWER_QUESTION = "how do I mount a persistent volume claim in a pod"
FIRST_ANSWER_RUNS = 5
ONE_FILE_REINDEX_RUNS = 3
PARITY_QUERIES = 20
PARITY_TOLERANCE = 1e-9
FAST_PASSES = 5  # passes over the questions for the sub-millisecond methods
SLOW_PASSES = 1  # rank-bm25 takes milliseconds per query: timer noise does not matter

# Targets (the lead's): printed beside the figures with PASS/FAIL.
MIN_SPEEDUP_VS_GET_SCORES = 50.0
MAX_RATIO_VS_BM25S = 2.0
MAX_SEARCH_P50_MS = 0.5
MAX_FULL_INDEX_S = 10.0
MAX_ONE_FILE_REINDEX_S = 0.5
MAX_FIRST_ANSWER_S = 1.5
MAX_MEMORY_RATIO = 2.0

BM25S_METHOD = {"okapi": "robertson", "l": "bm25l", "plus": "bm25+"}


class BenchmarkError(Exception):
    """An expected problem (missing corpus, a failing command): one line, no traceback."""


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    """One line of the table; `passed` is None for figures without a target."""

    section: str
    measure: str
    value: float | None
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""


@dataclass
class Report:
    """The table rows plus the raw figures, so the JSON holds more than the table shows."""

    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, section: str, measure: str, value: float | None, unit: str, note: str = "") -> None:
        self.rows.append(Row(section, measure, value, unit, note=note))

    def check(self, section: str, measure: str, value: float | None, unit: str, limit: float,
              *, at_least: bool = False, note: str = "") -> None:
        """A figure with a target: `value >= limit` when `at_least`, else `value <= limit`."""
        passed = None if value is None else (value >= limit if at_least else value <= limit)
        target = f"{'≥' if at_least else '≤'} {_fmt(limit)} {unit}".strip()
        self.rows.append(Row(section, measure, value, unit, target, passed, note))

    def as_json(self) -> dict[str, Any]:
        return {**self.data, "rows": [asdict(r) for r in self.rows],
                "all_passed": all(r.passed for r in self.rows if r.passed is not None)}


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if value != 0 and abs(value) < 0.001:
        return f"{value:.1e}"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def render(report: Report, stream) -> None:
    """The rows as a rich table, or plain columns when rich is not installed."""
    status = {True: "PASS", False: "FAIL", None: ""}
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        for r in report.rows:
            print(f"{r.section:<18} {r.measure:<46} {_fmt(r.value):>10} {r.unit:<6} "
                  f"{r.target:<12} {status[r.passed]:<4} {r.note}", file=stream)
        return
    table = Table(title="notesbot benchmark", show_lines=False)
    for name, justify in (("section", "left"), ("measure", "left"), ("value", "right"),
                          ("unit", "left"), ("target", "left"), ("result", "left"), ("note", "left")):
        table.add_column(name, justify=justify)
    colour = {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: ""}
    previous = None
    for r in report.rows:
        section = r.section if r.section != previous else ""
        previous = r.section
        table.add_row(section, r.measure, _fmt(r.value), r.unit, r.target, colour[r.passed], r.note)
    Console(file=stream, width=170).print(table)


# --------------------------------------------------------------------------- workspace


@dataclass(frozen=True)
class Workspace:
    """A private copy of the corpus and a fresh data folder: the benchmark may edit and index
    them freely, and the shared corpus and the developer's own database stay untouched."""

    root: Path
    notes: Path
    data: Path

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.data / 'notesbot.sqlite3'}"

    def env(self) -> dict[str, str]:
        """The environment of `python -m bot`: explicit paths, so no `.env` or inherited
        DATABASE_URL can point the benchmark at a real database."""
        env = dict(os.environ)
        env.update(NOTES_DIR=str(self.notes), DATA_DIR=str(self.data), DATABASE_URL=self.database_url,
                   LOG_LEVEL="WARNING", PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
        env.pop("DISCORD_TOKEN", None)
        return env

    def settings(self) -> Settings:
        return load_settings(notes_dir=self.notes, data_dir=self.data, database_url=self.database_url,
                             log_level="WARNING")


def check_corpus(path: Path) -> tuple[Path, int]:
    """The corpus folder and its number of notes; a clear error when it is missing or empty."""
    path = path.expanduser().resolve()
    if not path.is_dir():
        raise BenchmarkError(f"corpus folder not found: {path} (pass --corpus PATH)")
    notes = sum(1 for p in path.rglob("*") if p.is_file() and is_note_name(p.name))
    if notes == 0:
        raise BenchmarkError(f"no notes (*.md, *.markdown, *.txt) under {path}")
    return path, notes


@contextmanager
def workspace(corpus: Path) -> Iterator[Workspace]:
    with tempfile.TemporaryDirectory(prefix="notesbot-bench-") as tmp:
        root = Path(tmp)
        notes, data = root / "notes", root / "data"
        shutil.copytree(corpus, notes, symlinks=True)
        data.mkdir()
        yield Workspace(root, notes, data)


def run_cli(ws: Workspace, *args: str) -> tuple[float, str]:
    """Run `python -m bot ARGS` in the workspace; wall seconds and standard output."""
    return _run([sys.executable, "-m", "bot", *args], ws)


def _run(cmd: list[str], ws: Workspace) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ws.root, env=ws.env(), capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-5:]
        raise BenchmarkError(f"{' '.join(cmd[1:])} exited {proc.returncode}: {' | '.join(tail)}")
    return wall, proc.stdout


def median_wall(cmd: list[str], ws: Workspace, runs: int) -> float:
    return statistics.median(_run(cmd, ws)[0] for _ in range(runs))


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[bench {time.perf_counter() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- 1-3: index and start


def bench_full_index_cli(ws: Workspace, report: Report) -> None:
    """Item 1 as a user runs it: a new process, a fresh database, every note analysed."""
    wall, out = run_cli(ws, "reindex", "--json")
    summary = json.loads(out)
    report.data["full_index_cli"] = {"wall_s": wall, **summary}
    report.check("index", "full reindex, `python -m bot reindex` wall", wall, "s", MAX_FULL_INDEX_S,
                 note=f"{summary['files']} files, {summary['chunks']} chunks, fresh SQLite")
    report.add("index", "  of which the reindex itself", summary["seconds"], "s",
               note="scan+chunk+analyse+store+build")


@dataclass
class ServiceRun:
    """What the in-process phase leaves for the query benchmarks."""

    engine: SearchEngine
    analyzer: Analyzer
    settings: Settings
    edited: str
    documents: list[Document]  # with their words (the engine's may come from a snapshot without)


async def service_phase(ws: Workspace, report: Report, *, fresh: bool) -> ServiceRun:
    """Items 1 (without the CLI) and 2, in one running service as the bot holds it.

    With `fresh`, the service indexes the empty database itself; otherwise it starts from the
    stored index, which also times the load-and-build part of start-up.
    """
    settings = ws.settings()
    async with open_app(settings) as app:
        service = app.notes
        started = time.perf_counter()
        if fresh:
            summary = await service.reindex()
            seconds = time.perf_counter() - started
            report.data["full_index_in_process"] = {"wall_s": seconds, **summary.as_json()}
            report.check("index", "full reindex, in-process NotesService.reindex", seconds, "s",
                         MAX_FULL_INDEX_S, note=f"{summary.files} files, {summary.chunks} chunks, fresh SQLite")
        else:
            await service.start()
            seconds = time.perf_counter() - started
            report.data["service_start_s"] = seconds
            report.add("start", "NotesService.start(), index stored", seconds, "s",
                       note="load chunks from SQLite + build engine")
        edited = pick_note_to_edit(ws.notes)
        await service.aclose()  # the full index's snapshot is written in the background: let it finish
        times, snapshot_writes = [], []
        for run in range(ONE_FILE_REINDEX_RUNS):
            append_line(ws.notes / edited, run)
            started = time.perf_counter()
            summary = await service.reindex()
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await service.aclose()  # the snapshot for the next start, written after the swap
            snapshot_writes.append(time.perf_counter() - started)
            if summary.changed != [edited] or summary.added or summary.removed:
                raise BenchmarkError(f"one-file reindex saw more than {edited}: {summary.as_json()}")
        report.data["one_file_reindex_s"] = times
        report.data["one_file_snapshot_write_s"] = snapshot_writes
        report.check("reindex", "one file changed, running service (median)", statistics.median(times), "s",
                     MAX_ONE_FILE_REINDEX_S, note=f"{ONE_FILE_REINDEX_RUNS} runs, {edited}")
        report.add("reindex", "  then the snapshot, in the background (median)", statistics.median(snapshot_writes),
                   "s", note="questions are answered from the new index meanwhile")
        async with app.sessions() as session:
            documents = await NotesRepository(session).load_documents()
        return ServiceRun(service.engine, service.analyzer, settings, edited, documents)


def pick_note_to_edit(notes: Path) -> str:
    """A note of median size: neither a trivial nor the largest file, the same on every run."""
    files = sorted((p for p in notes.rglob("*") if p.is_file() and is_note_name(p.name)
                    and not any(part.startswith(".") for part in p.relative_to(notes).parts)),
                   key=lambda p: (p.stat().st_size, str(p)))
    return files[len(files) // 2].relative_to(notes).as_posix()


def append_line(path: Path, run: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nBenchmark edit {run}: one appended line to time an incremental reindex.\n")


def bench_one_file_reindex_cli(ws: Workspace, edited: str, report: Report) -> None:
    """For reference: the same edit through the CLI, which is a new process that loads and
    rebuilds the whole index, so it is not what a running bot pays."""
    append_line(ws.notes / edited, ONE_FILE_REINDEX_RUNS)
    wall, out = run_cli(ws, "reindex", "--json")
    summary = json.loads(out)
    report.data["one_file_reindex_cli"] = {"wall_s": wall, **summary}
    report.add("reindex", "one file changed, `python -m bot reindex` wall", wall, "s",
               note=f"reindex itself {summary['seconds']:.2f} s (new process: full load+build)")


def bench_first_answer(ws: Workspace, report: Report) -> None:
    """Item 3, and a split of it: interpreter, imports, and the rest (DB, load, build, answer)."""
    walls = []
    for _ in range(FIRST_ANSWER_RUNS):
        wall, out = run_cli(ws, "ask", FIRST_ANSWER_QUESTION, "--json")
        walls.append(wall)
    answer = json.loads(out.strip().splitlines()[-1])
    if not answer.get("results"):
        raise BenchmarkError(f"`ask` returned no passage for {FIRST_ANSWER_QUESTION!r}")
    python = median_wall([sys.executable, "-c", "pass"], ws, 3)
    imports = median_wall([sys.executable, "-c", "import bot.cli, bot.core.storage.database"], ws, 3)
    report.data["first_answer"] = {"walls_s": walls, "python_s": python, "imports_s": imports,
                                   "question": FIRST_ANSWER_QUESTION, "top": answer["results"][0]["source"]}
    report.check("start", "process start → first answer, `ask --json` (median)", statistics.median(walls), "s",
                 MAX_FIRST_ANSWER_S, note=f"{FIRST_ANSWER_RUNS} runs, min {min(walls):.2f} s")
    report.add("start", "  python -c pass", python, "s")
    report.add("start", "  python -c 'import bot.cli, …storage.database'", imports, "s", note="includes python")


# --------------------------------------------------------------------------- 4-5: queries

_QUESTION_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]{2,}")
_HEADING_ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")  # Hugo's "Title {#id}": nobody types the id
_OFF_TOPIC = ["how do I bake sourdough bread", "best hiking trails near the lake",
              "what is the capital of australia", "recipe for lemon cake"]
_LEADS = ["how do I", "how to", "what is", "why does", "can I", "where is"]


def make_questions(documents: Sequence[Document], n: int, seed: int) -> list[str]:
    """Deterministic questions of the kinds people ask: section headings, two words that occur
    together, typos of a long word, several-word questions, and a few off-topic ones."""
    rng = random.Random(seed)
    headings = sorted({_HEADING_ANCHOR.sub("", h) for d in documents for h in d.chunk.heading_path
                       if 3 <= len(h) <= 80} - {""})
    questions = list(_OFF_TOPIC[: max(0, n // 50)])
    kinds = [_heading_question, _pair_question, _typo_question, _multi_word_question]
    for attempt in range(100 * n):
        if len(questions) == n:
            break
        kind = kinds[attempt % len(kinds)]
        words = _QUESTION_WORD.findall(rng.choice(documents).chunk.text)
        question = kind(rng, headings, words)
        if question:
            questions.append(question)
    return questions


def _heading_question(rng: random.Random, headings: list[str], _words: list[str]) -> str | None:
    if not headings:
        return None
    heading = rng.choice(headings)
    return f"{rng.choice(_LEADS)} {heading}" if rng.random() < 0.5 else heading


def _pair_question(rng: random.Random, _headings: list[str], words: list[str]) -> str | None:
    return " ".join(rng.sample(words, 2)) if len(words) >= 2 else None


def _typo_question(rng: random.Random, _headings: list[str], words: list[str]) -> str | None:
    long = [w for w in words if len(w) >= 7 and w.isalpha()]
    if not long:
        return None
    word = rng.choice(long).lower()
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(["swap", "drop", "double", "replace"])
    if edit == "swap":
        typo = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    elif edit == "drop":
        typo = word[:i] + word[i + 1 :]
    elif edit == "double":
        typo = word[:i] + word[i] + word[i:]
    else:
        typo = word[:i] + rng.choice("aeiourst") + word[i + 1 :]
    other = rng.choice(words) if rng.random() < 0.5 else ""
    return f"{typo} {other}".strip()


def _multi_word_question(rng: random.Random, _headings: list[str], words: list[str]) -> str | None:
    if len(words) < 4:
        return None
    size = rng.randint(3, min(6, len(words)))
    start = rng.randrange(len(words) - size + 1)
    return f"{rng.choice(_LEADS)} {' '.join(words[start : start + size])}"


def chunk_tokens(documents: Sequence[Document], analyzer: Analyzer, heading_boost: int) -> list[list[str]]:
    """Each chunk as rank-bm25 and bm25s see it: stemmed body words, then the heading words
    `heading_boost` times, exactly the token list `SearchIndex` scores (built independently of
    the index, so the parity check below means something)."""
    vocabulary = sorted({w for d in documents for w in (*d.body_words, *d.heading_words)})
    stem = dict(zip(vocabulary, analyzer.stems(vocabulary)))
    return [[stem[w] for w in d.body_words] + [stem[w] for w in d.heading_words] * heading_boost
            for d in documents]


@dataclass
class Contenders:
    """The four ways to answer, over the same documents, and what building them cost."""

    index: SearchIndex
    engine: SearchEngine
    rank: Any  # rank_bm25.BM25*
    bm25s: Any  # bm25s.BM25
    build_s: dict[str, float]


def build_rank_bm25(tokens: list[list[str]], params: Bm25Params):
    if params.variant == "okapi":
        return rank_bm25.BM25Okapi(tokens, k1=params.k1, b=params.b, epsilon=params.epsilon)
    if params.variant == "l":
        return rank_bm25.BM25L(tokens, k1=params.k1, b=params.b, delta=params.delta)
    return rank_bm25.BM25Plus(tokens, k1=params.k1, b=params.b, delta=params.delta)


def build_bm25s(tokens: list[list[str]], params: Bm25Params):
    retriever = bm25s.BM25(method=BM25S_METHOD[params.variant], k1=params.k1, b=params.b,
                           delta=params.delta, backend="numba")
    retriever.index(tokens, show_progress=False)
    return retriever


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def build_contenders(documents: list[Document], engine: SearchEngine | None, analyzer: Analyzer,
                     settings: Settings, params: Bm25Params, index_builds: int) -> Contenders:
    """Build every contender; the `SearchIndex` build is timed `index_builds` times (median)."""
    index_times = []
    for _ in range(index_builds):
        gc.collect()
        index, seconds = timed(lambda: SearchIndex(documents, analyzer.stems, params))
        index_times.append(seconds)
    if engine is None:
        synonyms = load_synonyms(settings.synonyms_file, analyzer)
        engine, engine_s = timed(lambda: build_engine(documents, analyzer, synonyms, params))
    else:
        engine_s = None
    tokens, tokens_s = timed(lambda: chunk_tokens(documents, analyzer, params.heading_boost))
    rank, rank_s = timed(lambda: build_rank_bm25(tokens, params))
    retriever, bm25s_s = timed(lambda: build_bm25s(tokens, params))
    build_s = {"search_index": statistics.median(index_times), "search_engine": engine_s,
               "chunk_tokens": tokens_s, "rank_bm25": rank_s, "bm25s": bm25s_s}
    return Contenders(index, engine, rank, retriever, build_s)


@dataclass
class QuerySet:
    """The questions and, for those with at least one indexed stem, the same query three ways."""

    questions: list[str]
    tokens: list[list[str]]
    weighted: list[list[tuple[int, float]]]
    bm25s_ids: list[list[int]]


def prepare_queries(questions: list[str], c: Contenders, analyzer: Analyzer) -> QuerySet:
    """Analysis happens here, outside the timings of (a)-(c): they time scoring and top-k only.
    Each stem counts once per occurrence, as rank-bm25's `get_scores` counts it."""
    tokens, weighted, ids = [], [], []
    vocab = c.bm25s.vocab_dict
    for question in questions:
        stems = analyzer.stems(analyzer.words(question))
        terms = [(t, 1.0) for t in map(c.index.term, stems) if t is not None]
        if terms:
            tokens.append(stems)
            weighted.append(terms)
            ids.append([vocab[s] for s in stems if s in vocab])
    if not tokens:
        raise BenchmarkError("no generated question shares a word with the corpus")
    return QuerySet(questions, tokens, weighted, ids)


def rank_bm25_top(rank, tokens: list[str]) -> np.ndarray:
    scores = rank.get_scores(tokens)
    best = np.argpartition(-scores, TOP_K - 1)[:TOP_K]
    return best[np.argsort(-scores[best], kind="stable")]


def bm25s_top(retriever, ids: list[int]):
    return retriever.retrieve([ids], k=TOP_K, backend_selection="numba", show_progress=False, n_threads=0)


def check_parity(c: Contenders, queries: QuerySet) -> dict[str, Any]:
    """Same ranking, or the race means nothing: our scores equal rank-bm25's to 1e-9 on every
    chunk, and our top-k scores are its best scores. bm25s (float32, its own IDF for some
    variants) is only compared for information."""
    worst, bm25s_agree = 0.0, 0
    sample = range(min(PARITY_QUERIES, len(queries.tokens)))
    for i in sample:
        ours, theirs = c.index.scores(queries.tokens[i]), c.rank.get_scores(queries.tokens[i])
        diff = float(np.max(np.abs(ours - theirs)))
        worst = max(worst, diff)
        if diff > PARITY_TOLERANCE:
            raise AssertionError(f"scores differ from rank-bm25 by {diff:.3g} for {queries.tokens[i]}")
        top = np.array([h.score for h in c.index.top(queries.weighted[i], TOP_K)])
        expected = np.sort(theirs)[::-1][: len(top)]
        if not np.allclose(top, expected, rtol=0, atol=PARITY_TOLERANCE):
            raise AssertionError(f"top-{TOP_K} {top} differs from rank-bm25's {expected}")
        their_top = np.asarray(bm25s_top(c.bm25s, queries.bm25s_ids[i]).scores[0], dtype=np.float64)
        full = np.sort(theirs)[::-1][:TOP_K]
        bm25s_agree += bool(np.allclose(their_top, full, rtol=1e-4))
    return {"queries": len(sample), "max_abs_diff": worst, "bm25s_top_k_agrees": bm25s_agree}


def latencies_ms(fn: Callable[[Any], Any], items: Sequence[Any], passes: int) -> np.ndarray:
    """Per item, the median over `passes` full passes of the list (not back-to-back repeats of
    one item, which would flatter every method with hot caches)."""
    times = np.empty((passes, len(items)))
    for p in range(passes):
        gc.collect()
        for i, item in enumerate(items):
            started = time.perf_counter_ns()
            fn(item)
            times[p, i] = time.perf_counter_ns() - started
    return np.median(times, axis=0) / 1e6


def warm_up_bm25s(c: Contenders, queries: QuerySet) -> float:
    """numba compiles on the first retrieve: pay that before timing (and report it)."""
    started = time.perf_counter()
    for ids in queries.bm25s_ids[:5]:
        bm25s_top(c.bm25s, ids)
    return time.perf_counter() - started


def bench_queries(label: str, c: Contenders, queries: QuerySet, report: Report, *, note: str) -> None:
    """Items 4 and 5: the four latencies, their ratios and the targets."""
    jit_s = warm_up_bm25s(c, queries)
    parity = check_parity(c, queries)
    for w in queries.weighted[:20]:  # and a little warm-up for everyone else
        c.index.top(w, TOP_K)
    for q in queries.questions[:20]:
        c.engine.search(q, k=TOP_K)
    ours = latencies_ms(lambda w: c.index.top(w, TOP_K), queries.weighted, FAST_PASSES)
    bm25s = latencies_ms(lambda ids: bm25s_top(c.bm25s, ids), queries.bm25s_ids, FAST_PASSES)
    rank = latencies_ms(lambda t: rank_bm25_top(c.rank, t), queries.tokens, SLOW_PASSES)
    search = latencies_ms(lambda q: c.engine.search(q, k=TOP_K), queries.questions, FAST_PASSES)
    stats = {name: _percentiles(v) for name, v in
             (("ours_top", ours), ("bm25s", bm25s), ("rank_bm25", rank), ("search", search))}
    speedup = stats["rank_bm25"]["p50"] / stats["ours_top"]["p50"]
    vs_bm25s = stats["ours_top"]["p50"] / stats["bm25s"]["p50"]
    report.data[f"queries_{label}"] = {"documents": len(c.index), "questions": len(queries.questions),
                                       "scored_queries": len(queries.tokens), "parity": parity,
                                       "bm25s_jit_warmup_s": jit_s, "build_s": c.build_s,
                                       "latency_ms": stats, "get_scores_over_ours": speedup,
                                       "ours_over_bm25s": vs_bm25s}
    section = f"queries {label}"
    report.add(section, "chunks indexed", len(c.index), "", note=note)
    report.add(section, "SearchIndex build (in memory)", c.build_s["search_index"], "s",
               note=f"rank-bm25 {c.build_s['rank_bm25']:.2f} s, bm25s {c.build_s['bm25s']:.2f} s")
    report.add(section, "parity: max |ours − get_scores|", parity["max_abs_diff"], "",
               note=f"{parity['queries']} queries, ≤ 1e-9 asserted; bm25s top-{TOP_K} agrees on "
                    f"{parity['bm25s_top_k_agrees']}/{parity['queries']}")
    for key, name in (("ours_top", "(a) SearchIndex.top"), ("rank_bm25", "(b) rank-bm25 get_scores+top-k"),
                      ("bm25s", "(c) bm25s numba retrieve"), ("search", "(d) SearchEngine.search")):
        s = stats[key]
        report.add(section, f"{name} p50", s["p50"], "ms", note=f"p95 {_fmt(s['p95'])} ms")
    report.check(section, "get_scores p50 / ours p50", speedup, "×", MIN_SPEEDUP_VS_GET_SCORES, at_least=True)
    report.check(section, "ours p50 / bm25s p50", vs_bm25s, "×", MAX_RATIO_VS_BM25S)
    if label == "1x":
        report.check(section, "full search p50", stats["search"]["p50"], "ms", MAX_SEARCH_P50_MS,
                     note=f"{len(queries.questions)} questions")
    else:
        report.add(section, "full search p50 (no target at this size)", stats["search"]["p50"], "ms")


def _percentiles(values: np.ndarray) -> dict[str, float]:
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
            "mean": float(values.mean()), "n": int(len(values))}


def replicate(documents: list[Document], times: int) -> list[Document]:
    """The corpus `times` over, each copy under its own source and chunk ids, as if a team had
    `times` similar doc sets: same vocabulary, `times` the postings."""
    out = list(documents)
    for copy in range(1, times):
        for d in documents:
            chunk = replace(d.chunk, source=f"copy{copy}/{d.chunk.source}", chunk_id=f"{d.chunk.chunk_id}-{copy}")
            out.append(replace(d, chunk=chunk))
    return out


# --------------------------------------------------------------------------- 6: memory


def bench_memory(documents: list[Document], params: Bm25Params, ws: Workspace, report: Report) -> None:
    """Item 6: each index in a fresh subprocess, so neither inherits the other's heap."""
    path = ws.root / "documents.pickle"
    with path.open("wb") as f:
        pickle.dump(documents, f, protocol=pickle.HIGHEST_PROTOCOL)
    results = {}
    for mode in ("ours", "rank-bm25", "bm25s"):
        _, out = _run([sys.executable, str(Path(__file__).resolve()), "--memory-child", mode, str(path),
                       json.dumps(asdict(params))], ws)
        results[mode] = json.loads(out)
    report.data["memory"] = results
    mib = 1024 * 1024
    ours, rank = results["ours"], results["rank-bm25"]
    for mode, name in (("ours", "SearchIndex"), ("rank-bm25", "rank-bm25"), ("bm25s", "bm25s")):
        r = results[mode]
        report.add("memory", f"{name}: peak RSS over loaded documents", r["peak_delta"] / mib, "MiB",
                   note=f"retained {r['retained_delta'] / mib:.0f} MiB, peak via {r['method']}")
    report.check("memory", "ours peak / rank-bm25 peak", ours["peak_delta"] / rank["peak_delta"], "×",
                 MAX_MEMORY_RATIO, note="same Documents; rank-bm25 incl. its token lists")


def memory_child(mode: str, path: str, params_json: str) -> None:
    """Runs in the subprocess: load the documents, reset the peak, build, print the figures.
    Every library is imported (at module level) before the baseline: imports are not the index."""
    with open(path, "rb") as f:
        documents = pickle.load(f)
    params, analyzer = Bm25Params(**json.loads(params_json)), Analyzer()
    gc.collect()
    method = "VmHWM" if _reset_peak_rss() else "ru_maxrss"
    baseline = _rss()
    if mode == "ours":
        built = SearchIndex(documents, analyzer.stems, params)
    else:
        tokens = chunk_tokens(documents, analyzer, params.heading_boost)
        built = build_rank_bm25(tokens, params) if mode == "rank-bm25" else build_bm25s(tokens, params)
        del tokens  # neither keeps the token lists: what stays is the index
    peak = _peak_rss()
    gc.collect()
    retained = _rss()
    print(json.dumps({"mode": mode, "documents": len(documents), "baseline": baseline, "peak": peak,
                      "peak_delta": peak - baseline, "retained_delta": retained - baseline,
                      "method": method, "built": type(built).__name__}))


def _reset_peak_rss() -> bool:
    """Linux ≥ 4.0 resets VmHWM when "5" is written to clear_refs: the peak then excludes
    unpickling the documents. Elsewhere ru_maxrss (peak since start) is the fallback."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _peak_rss() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"notes folder (default {DEFAULT_CORPUS})")
    parser.add_argument("--queries", type=int, default=300, help="generated questions (default 300)")
    parser.add_argument("--seed", type=int, default=1234, help="seed of the generated questions")
    parser.add_argument("--scale", type=int, default=4, help="replication factor of the large run (default 4)")
    parser.add_argument("--json-out", type=Path, help="write the JSON report to this file")
    parser.add_argument("--json", action="store_true", help="print the JSON report on standard output")
    parser.add_argument("--skip-cli", action="store_true", help="no `python -m bot` subprocesses (index in-process)")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.queries < 10 or args.scale < 1:
        parser.error("--queries must be ≥ 10 and --scale ≥ 1")
    return args


def run(args: argparse.Namespace, corpus: Path, notes: int, report: Report) -> None:
    started = time.perf_counter()
    with workspace(corpus) as ws:
        if not args.skip_cli:
            progress("1/6 full index through `python -m bot reindex` …")
            bench_full_index_cli(ws, report)
            progress("3/6 start to first answer (`python -m bot ask`) …")
            bench_first_answer(ws, report)
        progress("2/6 one-file reindex in a running service …")
        service = asyncio.run(service_phase(ws, report, fresh=args.skip_cli))
        if not args.skip_cli:
            bench_one_file_reindex_cli(ws, service.edited, report)
        documents, params = service.documents, service.engine.index.params
        if len(documents) <= TOP_K:
            raise BenchmarkError(f"the corpus has {len(documents)} chunks: too few to rank a top {TOP_K}")
        questions = make_questions(documents, args.queries, args.seed)
        progress(f"4/6 query latency over {len(documents)} chunks, {len(questions)} questions …")
        one = build_contenders(documents, service.engine, service.analyzer, service.settings, params, 3)
        bench_queries("1x", one, prepare_queries(questions, one, service.analyzer), report,
                      note=f"{notes} notes, through SQLite")
        del one
        gc.collect()
        if args.scale > 1:
            progress(f"5/6 the same at {args.scale}× …")
            big = replicate(documents, args.scale)
            many = build_contenders(big, None, service.analyzer, service.settings, params, 1)
            bench_queries(f"{args.scale}x", many, prepare_queries(questions, many, service.analyzer), report,
                          note=f"documents replicated {args.scale}× in memory (not via the DB)")
            del many, big
            gc.collect()
        progress("6/6 peak memory, one subprocess per index …")
        bench_memory(documents, params, ws, report)
    report.data["meta"] = {
        "corpus": str(corpus), "notes": notes, "chunks": len(documents), "bm25": asdict(params),
        "queries": args.queries, "seed": args.seed, "scale": args.scale, "top_k": TOP_K,
        "skip_cli": args.skip_cli, "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "passes": {"fast": FAST_PASSES, "rank_bm25": SLOW_PASSES},
        "benchmark_s": time.perf_counter() - started, "sample_questions": questions[:12],
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    report = Report()
    try:
        corpus, notes = check_corpus(args.corpus)
        run(args, corpus, notes, report)
    except BenchmarkError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    render(report, sys.stderr if args.json else sys.stdout)
    document = json.dumps(report.as_json(), indent=2, ensure_ascii=False)
    if args.json_out:
        args.json_out.write_text(document + "\n", encoding="utf-8")
    if args.json:
        print(document)
    failed = [f"{r.section}: {r.measure}" for r in report.rows if r.passed is False]
    if failed:
        print(f"benchmark: {len(failed)} target(s) missed: {'; '.join(failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
