"""Bursts of interactions: the real bot process beside a trivial bot, same double, same run.

    .venv/bin/python bench/load.py                          # /ask and quiz clicks, SQLite and PostgreSQL
    .venv/bin/python bench/load.py --databases sqlite --scenarios quiz --rounds 3 --json-out load.json

What runs (issue 9, "Bursts"):
- one Discord double (tests/discord_double) per bot, in this process, with `--members` members;
- `python -m bot run` with the Kubernetes docs as notes, once per database: SQLite in a temporary
  folder, PostgreSQL at `--postgres-url` (default the `h_burst` database; its schema `public` is
  WIPED first, and the docs are indexed at start);
- `bench/trivial_bot.py`: discord.py answering `/ask` with a fixed embed and a quiz button click
  with a fixed private message, nothing else.
All bots run at once (idle ones cost nothing); each round bursts each bot in turn, so the bots are
compared under the same machine load. The bursts wait until each notesbot has finished the
background fill of its question pool (every chunk has its row in `quiz_sources`; about half a
minute after the first index of the docs): a worker thread generating questions would
otherwise be measured too, as a third of the bot's CPU (`--during-fill` bursts at once). A burst is `--requests` interactions from `--members`
members, `--concurrency` at a time (each member sends its next one when the previous is answered).
A reply is the moment the double receives the interaction's answer: the callback with a message,
or, after a deferral ("thinking…"), the followup. Every reply is checked (an embed came back).
After the run the bots are stopped with SIGTERM and the answers stored by notesbot are counted:
a clean shutdown must lose none.

The questions are the notes' own second-level headings, shuffled: all different, as a burst of
members' questions would be (a fixed handful would flatter anything cached). `--baseline TREE`
adds notesbot run from another source tree (`git archive` of an older commit) on SQLite, for a
before/after comparison in the same run.

The cooldown is raised for the run (`ASK_COOLDOWN_RATE`), since 40 members ask 10 questions each
within seconds; everything else is the bot's defaults.

Scenarios are a table (`SCENARIOS`): a name, what a trivial bot must do for it, a `prepare` run
once per bot, an `act` that sends one member's interaction, which request is its reply and how a
good reply looks:
- `ask`: `/ask` with a question, answered by an embed (the first answer: the message, or after
  "thinking…" the followup).
- `quiz`: button clicks on quiz posts. `prepare` has the first member post `--quiz-posts` quizzes
  (`/quiz`, no topic; by default as many as every member needs for each of its clicks of the whole
  run to be a first answer, with room to spare); `act` clicks a choice A–D on the member's next
  post, in turn, so each member answers each post once — until it runs out of posts: with
  `--quiz-posts 1` every click after a member's first is a second answer, which the database
  refuses (a reply too, measured the same way). notesbot stores the answer and answers the click
  with the member's private feedback (the first click on a post it sees defers an update of the
  question message first, and sends the feedback as a followup); the question message's count is
  edited separately, coalesced; the reply measured is the private feedback. The trivial bot
  (`bench/trivial_bot.py`) posts a fixed question with buttons of the same custom ids and answers a
  click with a fixed private message. After SIGTERM the answers stored in `quiz_answers` must be
  exactly the first answers sent, and every one of them must have its member's review card.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.discord_double import DiscordDouble, Member, SentInteraction  # noqa: E402
from tests.discord_double.server import Recorded  # noqa: E402

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/h_burst"
REPLY_TIMEOUT = 30.0  # seconds; far beyond Discord's 3 s, so a slow reply is measured, not lost
READY_TIMEOUT = 600.0  # the first start indexes the whole corpus
TARGET_RATE_SHARE = 0.5  # of the trivial bot's answers/s
TARGET_MAX_SECONDS = 1.0
FILL_TIMEOUT = 900.0  # seconds for the question pool's background fill after the first index

FALLBACK_QUESTIONS = [
    "what is a pod", "how do I restart a deployment", "persistent volume claim access modes",
    "how does a service find its pods", "what is a daemonset for", "configmap vs secret",
    "how do I drain a node", "what does the kubelet do", "horizontal pod autoscaler metrics",
    "network policy default deny", "init containers order", "how are container logs rotated",
    "what is a statefulset", "taints and tolerations", "readiness probe failing",
    "resource requests and limits", "how do I roll back a rollout", "ingress controller tls",
    "what is etcd", "cron job schedule syntax",
]


def questions_from(notes: Path, seed: int = 9) -> list[str]:
    """Distinct questions: the notes' second-level headings, shuffled (a burst of members asks
    about many things, and repeats would flatter anything cached)."""
    headings: set[str] = set()
    for path in notes.rglob("*.md"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("## "):
                text = re.sub(r"\{#[^}]*\}|[`*_]", "", line[3:]).strip()
                if len(text) > 3:
                    headings.add(text)
    questions = sorted(headings)
    random.Random(seed).shuffle(questions)
    return questions or FALLBACK_QUESTIONS


def find_corpus() -> Path:
    """The Kubernetes docs: `shared/corpora/k8s-docs` beside the repository or one level up."""
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "corpora" / "k8s-docs"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "corpora" / "k8s-docs"


# --------------------------------------------------------------------------- the double, timed


class TimedDouble(DiscordDouble):
    """The Discord double, noting when each interaction got its answer (by token)."""

    CALLBACK = re.compile(r"/interactions/\d+/([^/]+)/callback")
    FOLLOWUP = re.compile(r"/webhooks/\d+/([^/]+)(?:/messages/@original)?")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replies: dict[str, list[tuple[float, Recorded]]] = {}
        self.waiting: dict[str, list[tuple[Callable[[Recorded], bool], asyncio.Future[tuple[float, Recorded]]]]] = {}

    async def _rest_handler(self, request: Any, outside: bool = False) -> Any:
        response = await super()._rest_handler(request, outside)
        self._observe(self.requests[-1])  # appended by the handler just before it returned
        return response

    def _observe(self, rec: Recorded) -> None:
        if rec.method == "POST" and (m := self.CALLBACK.fullmatch(rec.path)):
            if (rec.json or {}).get("type") in (5, 6):  # deferred: the answer is the followup
                return
        elif not (rec.method in ("POST", "PATCH") and (m := self.FOLLOWUP.fullmatch(rec.path))):
            return
        token = m[1]
        reply = (asyncio.get_running_loop().time(), rec)
        self.replies.setdefault(token, []).append(reply)
        for accept, future in self.waiting.get(token, ()):
            if not future.done() and accept(rec):
                future.set_result(reply)

    async def reply_to(self, it: SentInteraction, accept: Callable[[Recorded], bool] = lambda _rec: True,
                       timeout: float = REPLY_TIMEOUT) -> tuple[float, Recorded]:
        """(when, request) of the interaction's first answer that `accept` takes (any, by default)."""
        for reply in self.replies.get(it.token, ()):
            if accept(reply[1]):
                return reply
        waiter = (accept, asyncio.get_running_loop().create_future())
        self.waiting.setdefault(it.token, []).append(waiter)
        try:
            return await asyncio.wait_for(waiter[1], timeout)
        finally:
            self.waiting[it.token].remove(waiter)
            if not self.waiting[it.token]:
                del self.waiting[it.token]


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """One kind of burst. `prepare` runs once per bot; `act` sends member's `i`-th interaction."""

    name: str
    trivial_bot_does: str
    prepare: Callable[[TimedDouble, Member, list[str], int], Awaitable[Any]]  # (double, poster, questions, posts)
    act: Callable[[TimedDouble, Any, Member, int], Awaitable[SentInteraction]]
    answered: Callable[[Recorded], bool]
    is_reply: Callable[[Recorded], bool] = lambda _rec: True  # which answer to the interaction is the reply


async def _no_setup(_double: TimedDouble, _poster: Member, questions: list[str], _posts: int) -> list[str]:
    return questions


async def _ask(double: TimedDouble, questions: list[str], member: Member, i: int) -> SentInteraction:
    return await double.send_slash_command("ask", {"question": questions[i % len(questions)]}, user=member)


def _has_embed(rec: Recorded) -> bool:
    body = rec.json or {}
    body = body.get("data", body) if "type" in body else body
    return rec.status < 300 and bool(body.get("embeds"))


CHOICE = re.compile(r"quiz:choice:\d+:[0-3]")


@dataclass
class QuizPosts:
    """The quiz messages posted for a burst, and how far each member got through them."""

    messages: list[tuple[dict[str, Any], list[str]]]  # (message, custom ids of its choices A–D)
    clicks: dict[int, int] = field(default_factory=dict)  # member id → clicks sent

    def first_answers(self) -> int:
        """Clicks that were a member's first on their post (the answers that must be stored)."""
        return sum(min(n, len(self.messages)) for n in self.clicks.values())


async def _post_quizzes(double: TimedDouble, poster: Member, _questions: list[str], posts: int) -> QuizPosts:
    """`posts` quiz messages with choices A–D, posted by `poster` with `/quiz` (no topic); a question
    to be answered in one's own words (no choices) is posted again."""
    messages: list[tuple[dict[str, Any], list[str]]] = []
    for _ in range(10 * posts):
        known = {int(m["id"]) for m in double.bot_messages()}
        it = await double.send_slash_command("quiz", {}, user=poster)
        await double.reply_to(it)
        new = [m for m in double.bot_messages() if int(m["id"]) not in known]
        if not new:
            raise SystemExit(f"/quiz posted nothing: {double.replies.get(it.token)}")
        if choices := _choices(new[-1]):
            messages.append((new[-1], choices))
        if len(messages) == posts:
            return QuizPosts(messages)
    raise SystemExit(f"/quiz posted {len(messages)} questions with choices in {10 * posts} tries, not {posts}")


def _choices(message: dict[str, Any]) -> list[str]:
    ids = [c.get("custom_id", "") for row in message.get("components", []) for c in row.get("components", [])]
    return [i for i in ids if CHOICE.fullmatch(i)]


async def _click(double: TimedDouble, state: QuizPosts, member: Member, i: int) -> SentInteraction:
    """The member's next post, in turn (a second round of them is refused: one answer each)."""
    n = state.clicks.get(member.id, 0)
    state.clicks[member.id] = n + 1
    message, choices = state.messages[n % len(state.messages)]
    return await double.send_component_click(choices[i % len(choices)], message=message, user=member)


def _private_message(rec: Recorded) -> bool:
    """A message only the member sees: the interaction's message or a followup, flagged ephemeral."""
    body = rec.json or {}
    if rec.method != "POST" or (body.get("type", 4) != 4):
        return False  # PATCH of the original: the post's count, not the member's feedback
    body = body.get("data", body) if "type" in body else body
    return bool(int(body.get("flags") or 0) & 64)


FEEDBACK = ("✅", "❌", "You already answered")  # a verdict, or the refusal of a second answer


def _feedback(rec: Recorded) -> bool:
    body = rec.json or {}
    body = body.get("data", body) if "type" in body else body
    return rec.status < 300 and str(body.get("content") or "").startswith(FEEDBACK)


SCENARIOS: dict[str, Scenario] = {
    "ask": Scenario("ask", "answers /ask with a fixed embed", _no_setup, _ask, _has_embed),
    "quiz": Scenario("quiz", "answers a button click with a fixed private message", _post_quizzes, _click,
                     _feedback, _private_message),
}


# --------------------------------------------------------------------------- bots


@dataclass
class Bot:
    """A bot process and its own double."""

    name: str
    argv: list[str]
    env: dict[str, str]
    folder: Path
    double: TimedDouble = field(default_factory=lambda: TimedDouble(privileged_intents=(),
                                                                     enforce_message_content=True))
    database_url: str | None = None
    process: asyncio.subprocess.Process | None = None
    members: list[Member] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # interactions sent, by scenario
    fills_pool: bool = False  # generates quiz questions in the background after its first index

    async def start(self, members: int) -> None:
        self.members = [self.double.add_member(f"learner{i}") for i in range(members)]
        await self.double.start()
        env = {**self.env, **self.double.endpoint_env()}
        with (self.folder / "stdout.txt").open("wb") as out, (self.folder / "stderr.txt").open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(*self.argv, env=env, cwd=self.folder,
                                                                stdout=out, stderr=err)
        waiting = asyncio.ensure_future(self.double.wait_until_connected(timeout=READY_TIMEOUT))
        exited = asyncio.ensure_future(self.process.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            waiting.cancel()
            raise SystemExit(f"{self.name} exited with {exited.result()}:\n{self.log_tail()}")
        exited.cancel()
        waiting.result()
        for command in ("ask", "quiz"):
            await self.double.wait_until(lambda: self.double._find_command(command, 1, None), timeout=60,
                                         what=f"the /{command} command")
        await asyncio.sleep(3)  # discord.py fires on_ready ~2 s after the last GUILD_CREATE

    async def pool_filled(self, timeout: float = FILL_TIMEOUT) -> bool:
        """Wait until the background fill of the question pool has visited every passage of the
        index (no chunk left without its row in `quiz_sources`): until then a worker thread
        generates questions, and the bursts would measure that work too. False if not in time."""
        if not self.fills_pool or self.database_url is None:
            return True
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self.process is not None and self.process.returncode is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if await stored_rows(self.database_url, "unvisited") == 0:
                    return True
            except Exception:  # noqa: BLE001 - not created yet, or busy: look again
                pass
            await asyncio.sleep(1)
        return False

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        await self.double.stop()
        return code

    def log_tail(self, lines: int = 30) -> str:
        text = (self.folder / "stderr.txt").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _plain_env() -> dict[str, str]:
    """This environment minus every setting of the bot (no `.env` either: cwd is a temp folder)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "NOTES_", "DATABASE_", "DATA_DIR", "ASK_", "INDEX_", "LOG_", "TOP_K"))}


def notesbot(folder: Path, corpus: Path, database: str, postgres_url: str, profile: bool = False) -> Bot:
    folder.mkdir(parents=True)
    argv = [sys.executable, "-m", "bot", "run"]
    if profile:  # `python -m bot` leaves with os._exit, before cProfile could write: call main()
        argv = [sys.executable, "-c", "import cProfile, sys; from bot.cli import main; "
                f"cProfile.run('main([\"run\"])', {str(folder / 'profile.out')!r})"]
    env = {**_plain_env(), "NOTES_DIR": str(corpus), "DATA_DIR": str(folder / "data"), "ASK_COOLDOWN_RATE": "1000000"}
    url = f"sqlite+aiosqlite:///{folder / 'data' / 'notesbot.sqlite3'}"
    if database == "postgresql":
        url = postgres_url
        env["DATABASE_URL"] = url
    return Bot(f"notesbot/{database}", argv, env, folder, database_url=url, fills_pool=True)


def baseline(folder: Path, corpus: Path, tree: Path) -> Bot:
    """notesbot from another source tree (say, `git archive` of an older commit), on SQLite."""
    bot = notesbot(folder, corpus, "sqlite", "")
    bot.name, bot.env["PYTHONPATH"] = "baseline/sqlite", str(tree)
    return bot


def trivial(folder: Path, uvloop: bool = False) -> Bot:
    """The trivial bot on asyncio's loop (as any discord.py bot: the baseline), or on uvloop's (as notesbot)."""
    folder.mkdir(parents=True)
    argv = [sys.executable, str(REPO / "bench" / "trivial_bot.py"), *(["--uvloop"] if uvloop else [])]
    return Bot("trivial/uvloop" if uvloop else "trivial", argv, _plain_env(), folder)


async def wipe_postgres(url: str) -> None:
    from bot.core.storage.database import reset_postgres_schema

    await reset_postgres_schema(url)


COUNTS = {
    "answers": "SELECT count(*) FROM answers",
    "quiz_answers": "SELECT count(*) FROM quiz_answers",
    "review_cards": "SELECT count(*) FROM review_cards",
    # a card per member, server and question answered (DMs are guild 0 on cards; none here)
    "cards_wanted": "SELECT count(*) FROM (SELECT DISTINCT guild_id, user_id, question_id FROM quiz_answers) AS d",
    # passages the question pool's fill has not visited yet (none indexed counts as one)
    "unvisited": "SELECT count(*) + CASE WHEN (SELECT count(*) FROM chunks) = 0 THEN 1 ELSE 0 END FROM chunks c "
                 "WHERE NOT EXISTS (SELECT 1 FROM quiz_sources s WHERE s.chunk_id = c.chunk_id)",
}


async def stored_rows(url: str, what: str) -> int:
    """Rows of `answers` (asks), `quiz_answers` (clicks) or `review_cards` in the bot's database,
    or `cards_wanted`: the review cards its stored quiz answers call for."""
    from bot.core.storage.database import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.exec_driver_sql(COUNTS[what])).scalar_one())
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- bursts


@dataclass
class Burst:
    scenario: str
    bot: str
    round: int
    requests: int
    seconds: float
    latencies: list[float]
    unanswered: int
    bot_cpu: float  # CPU seconds the bot process used during the burst (all its threads)
    double_cpu: float  # the same for this process: the double and the members

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def row(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "bot": self.bot, "round": self.round, "requests": self.requests,
                "answered": len(self.latencies), "unanswered": self.unanswered, "per_second": round(self.rate, 1),
                "p50_ms": round(1000 * self.percentile(0.5), 1), "p95_ms": round(1000 * self.percentile(0.95), 1),
                "max_ms": round(1000 * max(self.latencies, default=float("nan")), 1),
                "bot_cpu_ms_per_request": round(1000 * self.bot_cpu / self.requests, 2),
                "double_cpu_ms_per_request": round(1000 * self.double_cpu / self.requests, 2)}


async def burst(bot: Bot, scenario: Scenario, state: Any, *, requests: int, concurrency: int,
                round_: int) -> Burst:
    """`requests` interactions, `concurrency` members at a time; each waits for its answer."""
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    latencies: list[float] = []
    unanswered = 0
    sent_before = bot.sent.get(scenario.name, 0)

    async def member_loop(member: Member) -> None:
        nonlocal unanswered
        while (i := next(counter)) < requests:
            sent = loop.time()
            it = await scenario.act(bot.double, state, member, sent_before + i)
            try:
                when, rec = await bot.double.reply_to(it, scenario.is_reply)
            except TimeoutError:
                unanswered += 1
                continue
            if scenario.answered(rec):
                latencies.append(when - sent)
            else:
                unanswered += 1

    assert bot.process is not None
    started, cpu, own_cpu = loop.time(), process_cpu(bot.process.pid), time.process_time()
    await asyncio.gather(*(member_loop(bot.members[j % len(bot.members)]) for j in range(concurrency)))
    seconds = loop.time() - started
    bot_cpu, own_cpu = process_cpu(bot.process.pid) - cpu, time.process_time() - own_cpu
    bot.sent[scenario.name] = sent_before + requests
    return Burst(scenario.name, bot.name, round_, requests, seconds, latencies, unanswered, bot_cpu, own_cpu)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table(bursts: Sequence[Burst]) -> str:
    """Medians over the rounds per (scenario, bot), with the targets against the trivial bot."""
    lines = [f"{'scenario':<10} {'bot':<20} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
             f"{'lost':>5} {'CPU ms/req':>10}  {'vs trivial':>10}  target (≥ {TARGET_RATE_SHARE:.0%} rate, max ≤ "
             f"{TARGET_MAX_SECONDS * 1000:.0f} ms)"]
    groups: dict[tuple[str, str], list[Burst]] = {}
    for b in bursts:
        groups.setdefault((b.scenario, b.bot), []).append(b)
    for (scenario, name), runs in groups.items():
        base = groups.get((scenario, "trivial"))
        rate = statistics.median(b.rate for b in runs)
        p50 = statistics.median(b.percentile(0.5) for b in runs)
        p95 = statistics.median(b.percentile(0.95) for b in runs)
        worst = max(max(b.latencies, default=float("inf")) for b in runs)
        lost = sum(b.unanswered for b in runs)
        verdict, share = "", ""
        if base and not name.startswith("trivial"):
            ratio = rate / statistics.median(b.rate for b in base)
            share = f"{ratio:.2f}×"
            met = ratio >= TARGET_RATE_SHARE and worst <= TARGET_MAX_SECONDS and not lost
            verdict = "met" if met else "MISSED"
        cpu = statistics.median(b.bot_cpu / b.requests for b in runs)
        lines.append(f"{scenario:<10} {name:<20} {rate:>10.0f} {1000 * p50:>8.0f} {1000 * p95:>8.0f} "
                     f"{1000 * worst:>8.0f} {lost:>5} {1000 * cpu:>10.2f}  {share:>10}  {verdict}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    corpus: Path = args.notes
    if not corpus.is_dir():
        print(f"notes folder not found: {corpus} (pass --notes)", file=sys.stderr)
        return 2
    scenarios = [SCENARIOS[name] for name in args.scenarios]
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="notesbot-load-"))
    bots = [trivial(work / "trivial")]
    if args.trivial_uvloop:
        bots.append(trivial(work / "trivial-uvloop", uvloop=True))
    for database in args.databases:
        if database == "postgresql":
            await wipe_postgres(args.postgres_url)
        bots.append(notesbot(work / database, corpus, database, args.postgres_url, args.profile))
    if args.baseline:
        bots.append(baseline(work / "baseline", corpus, args.baseline))
    bursts: list[Burst] = []
    codes: dict[str, int | None] = {}
    states: dict[tuple[str, str], Any] = {}
    try:
        for bot in bots:
            print(f"starting {bot.name} …", file=sys.stderr, flush=True)
            await bot.start(args.members)
        if not args.during_fill:
            for bot in bots:
                print(f"waiting for {bot.name}'s question pool fill …", file=sys.stderr, flush=True)
                if not await bot.pool_filled():
                    print(f"{bot.name}: the fill did not end within {FILL_TIMEOUT:.0f} s; measuring anyway",
                          file=sys.stderr, flush=True)
        questions = questions_from(corpus)
        # every click of the run a first answer, with room for members that click more than their share
        posts = args.quiz_posts or math.ceil(1.5 * (args.concurrency + args.rounds * args.requests) / args.members) + 1
        states = {(s.name, b.name): await s.prepare(b.double, b.members[0], questions, posts) for s in scenarios for b in bots}
        for scenario in scenarios:
            for bot in bots:  # warm-up: first-use imports and caches, not measured
                await burst(bot, scenario, states[scenario.name, bot.name], requests=args.concurrency,
                            concurrency=args.concurrency, round_=0)
        for round_ in range(1, args.rounds + 1):
            for scenario in scenarios:
                for bot in bots:
                    result = await burst(bot, scenario, states[scenario.name, bot.name], requests=args.requests,
                                         concurrency=args.concurrency, round_=round_)
                    bursts.append(result)
                    print(json.dumps(result.row()), file=sys.stderr, flush=True)
    finally:
        for bot in bots:
            codes[bot.name] = await bot.stop()
    print(table(bursts))
    problems = [f"{name} exited with {code}" for name, code in codes.items() if code != 0]
    stored: dict[str, str] = {}
    for bot in bots:
        if bot.database_url is None:
            continue
        expected = {"answers": bot.sent.get("ask", 0) if "ask" in args.scenarios else None,
                    "quiz_answers": states["quiz", bot.name].first_answers() if "quiz" in args.scenarios else None}
        for table_name, wanted in expected.items():
            if wanted is None:
                continue
            count = await stored_rows(bot.database_url, table_name)
            stored[f"{bot.name} {table_name}"] = f"{count}/{wanted}"
            if count != wanted:
                problems.append(f"{bot.name} stored {count} rows of {table_name}, not {wanted}")
        if "quiz" in args.scenarios:  # the review cards are written behind the replies: none lost either
            cards, wanted = await stored_rows(bot.database_url, "review_cards"), await stored_rows(
                bot.database_url, "cards_wanted")
            stored[f"{bot.name} review_cards"] = f"{cards}/{wanted}"
            if cards != wanted:
                problems.append(f"{bot.name} stored {cards} review cards, not {wanted}")
    print("answers stored after SIGTERM: " + ", ".join(f"{k} {v}" for k, v in stored.items()))
    for problem in problems:
        print("PROBLEM: " + problem)
    if args.json_out:
        args.json_out.write_text(json.dumps({"bursts": [b.row() for b in bursts], "stored": stored,
                                             "problems": problems}, indent=2))
    print(f"logs in {work}", file=sys.stderr)
    return 1 if problems else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=Path, default=find_corpus(), help="notes folder (the Kubernetes docs)")
    parser.add_argument("--databases", type=lambda s: s.split(","), default=["sqlite", "postgresql"],
                        help="comma-separated: sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("NOTESBOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="PostgreSQL database for the run; its schema is WIPED (default %(default)s)")
    parser.add_argument("--scenarios", type=lambda s: s.split(","), default=list(SCENARIOS),
                        help=f"comma-separated, of: {', '.join(SCENARIOS)}")
    parser.add_argument("--requests", type=int, default=400, help="interactions per burst (default 400)")
    parser.add_argument("--members", type=int, default=40, help="members in the server (default 40)")
    parser.add_argument("--concurrency", type=int, default=40, help="interactions in flight (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per bot, medians reported (default 3)")
    parser.add_argument("--quiz-posts", type=int, default=0, metavar="N",
                        help="quiz posts per bot for the quiz scenario (default: enough for every click of the "
                             "run to be a first answer; 1 makes nearly all of them refused second answers)")
    parser.add_argument("--baseline", type=Path, metavar="TREE",
                        help="also burst notesbot run from this source tree (on SQLite), e.g. an older commit's")
    parser.add_argument("--trivial-uvloop", action="store_true",
                        help="also burst the trivial bot on uvloop's event loop, as notesbot runs (the baseline, "
                             "`trivial`, runs on asyncio's, as a plain discord.py bot does)")
    parser.add_argument("--during-fill", action="store_true",
                        help="burst at once, while the question pool's background fill still runs (by default "
                             "the bursts wait for it: it follows only a first index or a large change)")
    parser.add_argument("--profile", action="store_true",
                        help="run notesbot under cProfile (profile.out beside its logs; slows it down)")
    parser.add_argument("--work-dir", type=Path,
                        help="empty folder for the bots' databases and logs (default: a new temporary one, kept)")
    parser.add_argument("--json-out", type=Path, help="write every burst's figures to this file")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown or not set(args.databases) <= {"sqlite", "postgresql"}:
        parser.error(f"unknown scenario or database: {unknown or args.databases}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
