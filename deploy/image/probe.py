"""Checks run in the container with its own Python and environment, no shell:
`python /app/deploy/image/probe.py CHECK`. Each exits 0 when the check passes, and otherwise 1
with one line on standard error (which `kubectl describe pod` and `docker inspect` show).

The bot serves its own HTTP endpoint on HEALTH_PORT (bot/health.py): /healthz, /readyz and
/metrics. The Kubernetes probes are httpGet on it (deploy/base/statefulset.yaml); this file keeps
what cannot be an HTTP request to the running bot:

    http-ready           GET http://127.0.0.1:$HEALTH_PORT/readyz from inside the container (the
                         image's HEALTHCHECK; Docker has no httpGet and the image has no curl).
                         HEALTH_HOST is used instead of 127.0.0.1 when it names one address.
    database             the database in DATABASE_URL (or SQLite in DATA_DIR) answers SELECT 1,
                         opened with the bot's own settings, without the bot: for troubleshooting
                         (`kubectl exec ... -- python /app/deploy/image/probe.py database`).
    schema [--wait S]    the database schema is the one this image's code expects (at the newest
                         migration); with --wait, retry for up to S seconds first. The sharded
                         StatefulSet's init container waits like this for the migration Job,
                         before the bot (and its endpoint) starts.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

CHECK_TIMEOUT = 8.0  # seconds; the HEALTHCHECK's --timeout is 10
HTTP_TIMEOUT = 8.0  # seconds: /readyz itself gives up on the database after 3
RETRY_SECONDS = 3.0
WILDCARDS = {"", "0.0.0.0", "::", "*"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="probe.py", description=__doc__.splitlines()[0])
    checks = parser.add_subparsers(dest="check", required=True)
    checks.add_parser("http-ready", help="the running bot's /readyz answers 200 (HEALTH_PORT)")
    checks.add_parser("database", help="the database answers (without the bot)")
    schema = checks.add_parser("schema", help="the schema is at this image's newest migration")
    schema.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="retry for this long before failing (default: check once)")
    args = parser.parse_args(argv)

    if args.check == "http-ready":  # the standard library only: no need to load the bot's code
        problem = _http_ready()
        if problem:
            print(f"probe: http-ready: {problem}", file=sys.stderr)
            return 1
        return 0

    from bot.config import load_settings
    from bot.core.errors import NotesBotError

    try:
        settings = load_settings()
        if args.check == "database":
            asyncio.run(_database_answers(settings.database_url))
            return 0
        return _wait_for_schema(settings.database_url, args.wait)
    except NotesBotError as exc:  # one line, never the password (the storage layer hides it)
        print(f"probe: {args.check}: {exc}", file=sys.stderr)
        return 1


def _http_ready() -> str | None:
    """None when /readyz answers 200, else why not (one line)."""
    import os
    import urllib.error
    import urllib.request

    port = os.environ.get("HEALTH_PORT", "").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"HEALTH_PORT is {port or 'not set'}: set it to the port the bot serves /readyz on"
    host = os.environ.get("HEALTH_HOST", "").strip()
    host = "127.0.0.1" if host in WILDCARDS else host
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (http only)
            response.read()
            return None
    except urllib.error.HTTPError as error:  # 503: the body says what is not ready
        body = error.read(500).decode("utf-8", "replace").strip().splitlines()
        return f"{url}: {error.code} {body[0] if body else error.reason}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"{url}: no answer ({reason}): is the bot running?"


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
