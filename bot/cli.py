"""The command line: `python -m bot` and the `notesbot` script, a thin shell over the services.

Expected problems (a missing notes folder, an unreachable database, a bad setting) end as one line
on standard error and a non-zero exit status, never a traceback:
2 for settings and notes, 3 for the database (`db restore`: also while it is in use), 4 when a
reindex is already running.
A database that cannot store the notes' changes at start (read-only, full, gone) is one line and
exit 3 too, but the command still answers, from the index as last stored.

Every command that answers (bot, chat, `ask`) first brings the index up to date with the notes
folder (`NotesService.start`, which logs what changed on standard error). Output is always valid
UTF-8 whatever the input: questions on standard input are decoded with replacement characters,
and JSON is written as UTF-8 bytes. A reader that goes away (`ask - --json | head -1`) ends the
command quietly with status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from contextlib import AbstractContextManager, nullcontext

from bot import __version__
from bot.app import App, open_app
from bot.config import Settings, load_settings
from bot.core.practice.daily import NO_QUESTIONS
from bot.core.quiz.fill import FillReport
from bot.core.quiz.questions import Question
from bot.core.errors import DatabaseUnavailable, NotesBotError, ReindexInProgress, StorageError
from bot.core.search.notes import check_notes_folder
from bot.core.search.service import Progress
from bot.core.terminal_text import strip_control
from bot.event_loop import loop_factory
from bot.log_format import use_log_format
from bot.log_lines import ExpectedErrorsInOneLine

PREVIEW_OTHERS = 5  # questions equally due named besides the first, by `daily preview`

EXIT_CODES: dict[type[NotesBotError], int] = {StorageError: 3, ReindexInProgress: 4}


def exit_code(error: NotesBotError) -> int:
    """The status for an expected error: its own class's or its nearest parent's, else 2."""
    return next((EXIT_CODES[cls] for cls in type(error).__mro__ if cls in EXIT_CODES), 2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notesbot",
        description="Answer questions from Markdown notes. With no command: the Discord bot when "
        "DISCORD_TOKEN is set, else the terminal chat.",
    )
    parser.add_argument("--version", action="version", version=f"notesbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", help="print the passages that answer a question")
    ask.add_argument("question", help='the question; "-" reads one question per line from standard input')
    ask.add_argument("-k", type=int, default=None, help="how many passages (default: TOP_K, 3; at most MAX_RESULTS, 100)")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")

    reindex = commands.add_parser("reindex", help="bring the index up to date with the notes folder")
    reindex.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    quiz = commands.add_parser("quiz", help="print a quiz question from the notes (and, on a terminal, answer it)")
    quiz.add_argument("--topic", default=None, help="what the question should be about")
    quiz.add_argument("--seed", type=int, default=None, help="pick reproducibly (the same seed, the same question)")
    quiz.add_argument("--json", action="store_true", help="print the question as one JSON object")
    quiz.add_argument("--all", action="store_true", help="print every active question, one a line (with --json: JSON)")
    quiz.add_argument("--check", action="store_true",
                      help="validate the hand-written questions (NOTES_DIR/quiz/*.yaml); exit 2 on problems")
    quiz.add_argument("--fill", action="store_true",
                      help="generate questions from every passage not yet visited (what the running bot "
                           "does in the background after a reindex), then print the pool's size")

    commands.add_parser("chat", help="ask questions in an interactive terminal chat")

    daily = commands.add_parser("daily", help="the servers' daily quiz schedules")
    daily_commands = daily.add_subparsers(dest="daily_command", metavar="DAILY_COMMAND", required=True)
    daily_show = daily_commands.add_parser("show", help="print every server's schedule and next post time")
    daily_show.add_argument("--json", action="store_true", help="print one JSON array of schedules")
    daily_set = daily_commands.add_parser("set", help="post a server's daily quiz in a channel at a local time")
    daily_set.add_argument("guild", type=int, metavar="GUILD_ID")
    daily_set.add_argument("--channel", type=int, required=True, metavar="CHANNEL_ID")
    daily_set.add_argument("--time", required=True, metavar="HH:MM", help="24-hour clock, the server's local time")
    daily_set.add_argument("--timezone", required=True, metavar="ZONE", help="an IANA name, e.g. Europe/Berlin")
    daily_set.add_argument("--role", type=int, default=None, metavar="ROLE_ID", help="a role to ping with the post")
    daily_off = daily_commands.add_parser("off", help="stop a server's daily quiz (its settings are kept)")
    daily_off.add_argument("guild", type=int, metavar="GUILD_ID")
    daily_preview = daily_commands.add_parser("preview", help="the question a server's next daily quiz is drawn from")
    daily_preview.add_argument("guild", type=int, metavar="GUILD_ID")
    daily_preview.add_argument("--json", action="store_true", help="print one JSON array of the questions")

    commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN) until SIGINT/SIGTERM")
    sync = commands.add_parser("sync", help="log in to Discord, sync the slash commands and exit")
    scope = sync.add_mutually_exclusive_group()
    scope.add_argument("--guild", type=int, metavar="ID", default=None,
                       help="sync to this server only (default: DISCORD_TEST_GUILD_ID, else globally)")
    scope.add_argument("--clear-guild", type=int, metavar="ID", default=None,
                       help="instead, remove the commands synced to this server alone (a former test server)")

    db = commands.add_parser("db", help="database schema, backup and restore commands")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate the schema up (default: to the latest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db_commands.add_parser("downgrade", help="migrate the schema down to a revision")
    downgrade.add_argument("revision", help='e.g. "base" to remove every table')
    db_commands.add_parser("current", help="print the schema revision of the database")
    backup = db_commands.add_parser("backup", help="copy the SQLite database to FILE, safely while the bot runs "
                                                   "(PostgreSQL: use pg_dump)")
    backup.add_argument("file", type=Path, metavar="FILE")
    restore = db_commands.add_parser("restore", help="replace the SQLite database by the backup FILE (refused "
                                                     "while the database is open)")
    restore.add_argument("file", type=Path, metavar="FILE")
    return parser


def entry_point() -> NoReturn:
    """`python -m bot` and the `notesbot` script: `main`, then exit without tearing down.

    Everything is closed by then (database, bot, worker pools) and the output is flushed; what
    remains is the interpreter freeing every module and object one by one, which took longer
    than answering a question (about 0.5 s of a 2 s `ask`).
    """
    code = main()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader has gone, or stdout was replaced and closed
        code = 0
    try:
        sys.stderr.flush()
        logging.shutdown()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(sys.stdin, "reconfigure"):  # the chat reads text: a bad byte costs one character
        sys.stdin.reconfigure(errors="replace")
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            return runner.run(_dispatch(args, settings))
    except NotesBotError as exc:
        print(f"notesbot: error: {exc}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `notesbot ask - --json | head -1`: the reader has gone
        _discard_stdout()
        return 0


def configure_logging(level: str, log_format: str = "text") -> None:
    """Log lines on standard error at `level` (as JSON with LOG_FORMAT=json), less two libraries'
    chatter.

    aiosqlite logs every database call at DEBUG from its own thread, which can outlive the event
    loop: its lines could land after the final error line, and they tell an operator nothing that
    SQLAlchemy's own logging does not. Alembic's INFO lines are one per migration step.
    """
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(ExpectedErrorsInOneLine())
    use_log_format(log_format)
    root = logging.getLogger().level
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root))
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root))


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return await _db(args, settings)
    check_notes_folder(settings.notes_dir)  # before the database or Discord: one line, exit 2
    if args.command == "ask":
        return await _ask(args, settings)
    if args.command == "reindex":
        return await _reindex(args, settings)
    if args.command == "daily":
        return await _daily(args, settings)
    if args.command == "quiz":
        return await _quiz(args, settings)
    if args.command in ("run", "sync") or (args.command is None and settings.discord_token is not None):
        return await _discord(args, settings)
    from bot.terminal.chat import run_chat

    return await run_chat(settings)


async def _discord(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapter.client import run_bot, sync_commands  # discord.py is imported only when needed
    from bot.core.search.watch import watching

    async with open_app(settings, fill_pool=args.command != "sync") as app:
        if args.command == "sync":
            return await sync_commands(app, args.guild, clear_guild=args.clear_guild)
        async with watching(app.notes, enabled=settings.notes_watch):
            return await run_bot(app)


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.k is not None and args.k < 1:
        print(f"notesbot: error: -k must be at least 1 (got {args.k})", file=sys.stderr)
        return 2
    k = min(args.k or settings.top_k, settings.max_results)  # the engine caps it too
    from_stdin = args.question == "-"
    questions = _stdin_questions() if from_stdin else iter([_from_argv(args.question)])
    async with open_app(settings) as app:
        unavailable = await _start(app)
        console = None
        for question in questions:
            answer = app.notes.search(question, k=k)
            if args.json:
                _print_json(answer.as_json())
                continue
            from bot.terminal.console import render_answer, render_question

            if console is None:
                from rich.console import Console

                console = Console()
            if from_stdin:
                console.print(render_question(question))
            console.print(render_answer(answer))
    return 0 if unavailable is None else exit_code(unavailable)


async def _quiz(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal.quiz import quiz_command
    from rich.console import Console

    async with open_app(settings) as app:
        unavailable = await _start(app)
        if args.check:
            code = _check_handwritten(settings, app)
        elif args.fill:  # into a database that just refused the index's changes? Said already.
            code = exit_code(unavailable) if unavailable is not None else await _fill_pool(app)
        else:
            code = await quiz_command(app, topic=args.topic, seed=args.seed, as_json=args.json, every=args.all,
                                      interactive=sys.stdin.isatty() and sys.stdout.isatty(), console=Console())
    return code or (0 if unavailable is None else exit_code(unavailable))


async def _start(app: App) -> DatabaseUnavailable | None:
    """Bring the index up to date with the notes. A database that cannot store the changes
    (read-only, full, gone) is said in one line, and returned for the exit status: the command
    goes on with the index as last stored, which the failed update left in place."""
    try:
        with _progress_on_stderr() as progress:
            await app.notes.start(progress)
    except DatabaseUnavailable as exc:
        print(f"notesbot: error: the notes' changes were not indexed: {exc}; "
              "answering from the index as last stored", file=sys.stderr)
        return exc
    return None


async def _fill_pool(app: App) -> int:
    """`quiz --fill`: the background fill, run to the end in the foreground (resumable: an
    interrupted run carries on where it stopped)."""
    last = [0.0]

    def progress(report: FillReport) -> None:
        if time.monotonic() - last[0] >= 2.0:
            print(report.line(), file=sys.stderr, flush=True)
            last[0] = time.monotonic()

    report = await app.filler.fill(progress=progress)
    while report.stale and await app.notes.refresh_if_stale():  # another process reindexed meanwhile
        report = await app.filler.fill(progress=progress)
    print(report.line() + ("" if report.complete else " (stopped before the end: run it again)"))
    return 0


def _check_handwritten(settings: Settings, app: App) -> int:
    """`quiz --check`: every hand-written entry checked against the notes as indexed now."""
    from bot.core.quiz.handwritten import QUIZ_FOLDER, load_handwritten

    questions, problems = load_handwritten(settings.notes_dir / QUIZ_FOLDER, app.notes.engine)
    for problem in problems:
        print(f"notesbot: {strip_control(problem)}", file=sys.stderr)
    print(f"{len(questions)} hand-written questions valid, {len(problems)} problems")
    return 2 if problems else 0


async def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    async with open_app(settings) as app:
        try:
            with _progress_on_stderr() as progress:
                summary = await app.notes.reindex(progress=progress)
        except DatabaseUnavailable as exc:
            print(f"notesbot: error: {exc}; the previous index is kept", file=sys.stderr)
            return exit_code(exc)
        status = await app.filler.status()
    if args.json:
        _print_json(summary.as_json())
    else:
        from bot.terminal.console import render_summary
        from rich.console import Console

        Console().print(render_summary(summary))
        if status.passages:
            print(status.sentence("generated in the background by the running bot "
                                  "(or now: python -m bot quiz --fill)"))
    if summary.notice:
        print(f"notesbot: warning: {summary.notice}", file=sys.stderr)
    return 0


async def _daily(args: argparse.Namespace, settings: Settings) -> int:
    """`daily show`: every server's schedule, its next post (UTC and local) and last problem;
    `daily set` / `daily off`: what `/daily-quiz set` and `off` do in Discord, validated the same
    way (the channel's permissions are checked when the bot posts: a problem shows in `show`)."""
    async with open_app(settings) as app:
        schedules = app.practice.schedules
        if args.daily_command == "preview":
            return _print_preview(args.guild, await app.practice.daily.preview(args.guild), as_json=args.json)
        if args.daily_command == "set":
            await schedules.set(args.guild, channel_id=args.channel, time_text=args.time, zone_name=args.timezone,
                                role_id=args.role, set_by=None)
        elif args.daily_command == "off" and not await schedules.off(args.guild, set_by=None):
            print(f"notesbot: error: server {args.guild} has no daily quiz on", file=sys.stderr)
            return 2
        if args.daily_command == "show":
            found = await schedules.all_statuses()
        else:
            found = [status] if (status := await schedules.status(args.guild)) is not None else []
        statuses = [s.as_json() for s in found]
    if getattr(args, "json", False):
        print(json.dumps(statuses, ensure_ascii=False))
        return 0
    if not statuses:
        print("No server has a daily quiz schedule.")
    for s in statuses:
        state = f"next post {s['next_post_local']}" if s["next_post_local"] else "not posting" if s["enabled"] else "off"
        problem = f"; last problem: {s['last_error']}" if s["last_error"] else ""
        print(f"server {s['guild_id']}: channel {s['channel_id']} at {s['time']} {s['timezone']}, {state}{problem}")
    return 0


def _print_preview(guild_id: int, due: list[Question], *, as_json: bool) -> int:
    """`daily preview`: the next daily question with its answer and source (a moderator's view), or
    the questions equally due, one of which the post will draw."""
    if as_json:
        print(json.dumps([q.as_json() for q in due], ensure_ascii=False))
        return 0
    if not due:
        print(f"notesbot: error: {NO_QUESTIONS}", file=sys.stderr)
        return 2
    print(f"Server {guild_id}'s next daily question:" if len(due) == 1 else
          f"Server {guild_id}'s next daily question is one of {len(due)} equally due (drawn when it posts); the first:")
    first = due[0]
    print(strip_control(first.prompt))
    for index, choice in enumerate(first.choices):
        mark = "*" if index == first.answer_index else " "
        print(f"  {mark} {'ABCD'[index]}. {strip_control(choice)}")
    print(f"answer: {strip_control(first.answer)}  source: {first.citation}")
    for other in due[1:PREVIEW_OTHERS + 1]:
        print(f"  also due: {strip_control(other.prompt)} ({other.citation})")
    if len(due) > PREVIEW_OTHERS + 1:
        print(f"  and {len(due) - PREVIEW_OTHERS - 1} more")
    return 0


def _progress_on_stderr() -> AbstractContextManager[Progress | None]:
    """A progress bar on standard error when it is a terminal (rich is loaded only then)."""
    if not sys.stderr.isatty():
        return nullcontext(None)
    from bot.terminal.console import indexing_progress
    from rich.console import Console

    return indexing_progress(Console(stderr=True))


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.storage import database

    if args.db_command in ("backup", "restore"):
        return _backup_or_restore(args, settings)
    engine = database.create_engine(settings.database_url)
    try:
        await database.check_connection(engine)
        if args.db_command == "upgrade":
            await database.upgrade(engine, args.revision)
        elif args.db_command == "downgrade":
            await database.downgrade(engine, args.revision)
        print(await database.current_revision(engine) or "base (empty)")
    finally:
        await engine.dispose()
    return 0


def _backup_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    """`db backup FILE` / `db restore FILE`: SQLite only, without opening the app (no migration,
    no engine: a restore must be the only connection to the database)."""
    from bot.core.storage import backup
    from bot.core.storage.database import SCHEMA_HEAD

    if args.db_command == "backup":
        print(backup.back_up(settings.database_url, args.file).line("backed up"))
        return 0
    copied = backup.restore(settings.database_url, args.file)
    print(copied.line("restored"))
    if copied.revision != SCHEMA_HEAD:
        print(f"its schema is older than this version's ({SCHEMA_HEAD}): run python -m bot db upgrade")
    return 0


def _stdin_questions() -> Iterator[str]:
    """Questions from standard input, one a line, read as they come (for evaluation scripts).

    Read as bytes and decoded with replacement: a stray Latin-1 byte costs one character, never
    the run (or, worse, a line of JSON that is not UTF-8).
    """
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", errors="replace").strip()
        if line:
            yield line


def _from_argv(arg: str) -> str:
    """A command-line argument as text: undecodable bytes (kept by Python as surrogate escapes)
    become replacement characters."""
    return os.fsencode(arg).decode("utf-8", errors="replace")


def _print_json(payload: object) -> None:
    """One line of JSON on standard output as UTF-8 bytes, whatever the locale's encoding; a
    lone surrogate (which UTF-8 cannot hold) becomes U+FFFD."""
    line = json.dumps(payload, ensure_ascii=False)
    try:
        data = line.encode("utf-8")
    except UnicodeEncodeError:
        data = line.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")
    sys.stdout.flush()
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so the final flush of what the gone reader left
    unread cannot fail again (Python's documented way to end quietly on a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
