"""Health checks the container runs as exec probes: `python /app/deploy/image/probe.py CHECK`.

The bot has no HTTP health endpoint yet, so the image's HEALTHCHECK and the Kubernetes probes run
this file with the container's own Python and environment (no shell). Each check exits 0 when
healthy, and otherwise 1 with one line on standard error, which `kubectl describe pod` shows.

    live                 placeholder for liveness: the interpreter starts and the bot's code imports.
                         It cannot see a hung bot; /healthz will (see docs/deploy.md).
    ready                the database in DATABASE_URL (or SQLite in DATA_DIR) answers SELECT 1,
                         read with the bot's own settings; /readyz will also check the gateway
                         and the index.
    schema [--wait S]    the database schema is the one this image's code expects (at the newest
                         migration); with --wait, retry for up to S seconds first. The sharded
                         StatefulSet's init container waits like this for the migration Job.

When the bot serves /healthz and /readyz, the probes switch to httpGet and only `schema` stays.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

CHECK_TIMEOUT = 8.0  # seconds; the probes' timeoutSeconds is 10
RETRY_SECONDS = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="probe.py", description=__doc__.splitlines()[0])
    checks = parser.add_subparsers(dest="check", required=True)
    checks.add_parser("live", help="the interpreter starts and the bot's code imports (placeholder)")
    checks.add_parser("ready", help="the database answers")
    schema = checks.add_parser("schema", help="the schema is at this image's newest migration")
    schema.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="retry for this long before failing (default: check once)")
    args = parser.parse_args(argv)

    if args.check == "live":
        import bot  # noqa: F401  (the package is there and its code loads)

        return 0

    from bot.config import load_settings
    from bot.core.errors import NotesBotError

    try:
        settings = load_settings()
        if args.check == "ready":
            asyncio.run(_database_answers(settings.database_url))
            return 0
        return _wait_for_schema(settings.database_url, args.wait)
    except NotesBotError as exc:  # one line, never the password (the storage layer hides it)
        print(f"probe: {args.check}: {exc}", file=sys.stderr)
        return 1


async def _database_answers(url: str) -> None:
    from bot.core.storage import database

    engine = database.create_engine(url)
    try:
        await database.check_connection(engine, timeout=CHECK_TIMEOUT)
    finally:
        await engine.dispose()


async def _schema_state(url: str) -> tuple[str | None, str | None]:
    """(the database's revision, the newest revision this code knows)."""
    from bot.core.storage import database

    engine = database.create_engine(url)
    try:
        await database.check_connection(engine, timeout=CHECK_TIMEOUT)
        return await database.current_revision(engine), database.head_revision()
    finally:
        await engine.dispose()


def _wait_for_schema(url: str, wait: float) -> int:
    from bot.core.errors import NotesBotError

    deadline = time.monotonic() + wait
    said = ""
    while True:
        try:
            current, head = asyncio.run(_schema_state(url))
            if current == head:
                print(f"probe: schema: the database is at {head}, as this image expects")
                return 0
            problem = (f"the database schema is at {current or 'base (empty)'}, this image needs {head}: "
                       "run `python -m bot db upgrade` (the migration Job)")
        except NotesBotError as exc:
            problem = str(exc)
        if time.monotonic() + RETRY_SECONDS > deadline:
            print(f"probe: schema: {problem}", file=sys.stderr)
            return 1
        if problem != said:  # say each new state once while waiting
            print(f"probe: schema: waiting: {problem}", file=sys.stderr, flush=True)
            said = problem
        time.sleep(RETRY_SECONDS)


if __name__ == "__main__":
    sys.exit(main())
