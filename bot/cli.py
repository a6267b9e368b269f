"""The command line: `python -m bot` and the `notesbot` script, a thin shell over the services.

Expected problems (a missing notes folder, an unreachable database, a bad setting) end as one line
on standard error and a non-zero exit status, never a traceback:
2 for settings and notes, 3 for the database, 4 when a reindex is already running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn

from contextlib import AbstractContextManager, nullcontext

from bot import __version__
from bot.app import open_app
from bot.config import Settings, load_settings
from bot.core.errors import NotesBotError, ReindexInProgress, StorageError
from bot.core.search.service import Progress

EXIT_CODES: dict[type[NotesBotError], int] = {StorageError: 3, ReindexInProgress: 4}


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
    ask.add_argument("-k", type=int, default=None, help="how many passages (default: TOP_K, 3)")
    ask.add_argument("--json", action="store_true", help="print JSON (one object per question)")

    reindex = commands.add_parser("reindex", help="bring the index up to date with the notes folder")
    reindex.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    quiz = commands.add_parser("quiz", help="print a quiz question from the notes (and, on a terminal, answer it)")
    quiz.add_argument("--topic", default=None, help="what the question should be about")
    quiz.add_argument("--seed", type=int, default=None, help="pick reproducibly (the same seed, the same question)")
    quiz.add_argument("--json", action="store_true", help="print the question as one JSON object")
    quiz.add_argument("--all", action="store_true", help="print every active question, one a line (with --json: JSON)")

    commands.add_parser("chat", help="ask questions in an interactive terminal chat")

    commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN) until SIGINT/SIGTERM")
    sync = commands.add_parser("sync", help="log in to Discord, sync the slash commands and exit")
    sync.add_argument("--guild", type=int, metavar="ID", default=None,
                      help="sync to this server only (default: DISCORD_TEST_GUILD_ID, else globally)")

    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate the schema up (default: to the latest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db_commands.add_parser("downgrade", help="migrate the schema down to a revision")
    downgrade.add_argument("revision", help='e.g. "base" to remove every table')
    db_commands.add_parser("current", help="print the schema revision of the database")
    return parser


def entry_point() -> NoReturn:
    """`python -m bot` and the `notesbot` script: `main`, then exit without tearing down.

    Everything is closed by then (database, bot, worker pools) and the output is flushed; what
    remains is the interpreter freeing every module and object one by one, which took longer
    than answering a question (about 0.5 s of a 2 s `ask`).
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
        return asyncio.run(_dispatch(args, settings))
    except NotesBotError as exc:
        print(f"notesbot: error: {exc}", file=sys.stderr)
        return EXIT_CODES.get(type(exc), 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `notesbot ask - --json | head`: the reader has gone
        sys.stderr.close()
        return 0


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return await _db(args, settings)
    if args.command == "ask":
        return await _ask(args, settings)
    if args.command == "reindex":
        return await _reindex(args, settings)
    if args.command == "quiz":
        return await _quiz(args, settings)
    if args.command in ("run", "sync") or (args.command is None and settings.discord_token is not None):
        return await _discord(args, settings)
    from bot.chat import run_chat

    return await run_chat(settings)


async def _discord(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapter.client import run_bot, sync_commands  # discord.py is imported only when needed

    async with open_app(settings) as app:
        if args.command == "sync":
            return await sync_commands(app, args.guild)
        return await run_bot(app)


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    k = args.k or settings.top_k
    questions = _stdin_questions() if args.question == "-" else iter([args.question])
    async with open_app(settings) as app:
        with _progress_on_stderr() as progress:
            await app.notes.start(progress)
        for question in questions:
            answer = app.notes.search(question, k=k)
            if args.json:
                print(json.dumps(answer.as_json(), ensure_ascii=False), flush=True)
            else:
                from bot.console import render_answer
                from rich.console import Console

                Console().print(render_answer(answer))
    return 0


async def _quiz(args: argparse.Namespace, settings: Settings) -> int:
    from bot.quiz_terminal import quiz_command
    from rich.console import Console

    async with open_app(settings) as app:
        with _progress_on_stderr() as progress:
            await app.notes.start(progress)
        return await quiz_command(app, topic=args.topic, seed=args.seed, as_json=args.json, every=args.all,
                                  interactive=sys.stdin.isatty() and sys.stdout.isatty(), console=Console())


async def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    async with open_app(settings) as app:
        with _progress_on_stderr() as progress:
            summary = await app.notes.reindex(progress=progress)
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        from bot.console import render_summary
        from rich.console import Console

        Console().print(render_summary(summary))
    if summary.notice:
        print(f"notesbot: warning: {summary.notice}", file=sys.stderr)
    return 0


def _progress_on_stderr() -> AbstractContextManager[Progress | None]:
    """A progress bar on standard error when it is a terminal (rich is loaded only then)."""
    if not sys.stderr.isatty():
        return nullcontext(None)
    from bot.console import indexing_progress
    from rich.console import Console

    return indexing_progress(Console(stderr=True))


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.storage import database

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


def _stdin_questions() -> Iterator[str]:
    """Questions from standard input, one a line, read as they come (for evaluation scripts)."""
    return (line.strip() for line in sys.stdin if line.strip())
