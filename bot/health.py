"""The bot's HTTP endpoint for Kubernetes and Prometheus, on HEALTH_HOST:HEALTH_PORT (off unless
HEALTH_PORT is set; 0 picks a free port, logged).

- `/healthz`: 200 while the process serves HTTP at all (liveness: the event loop is not stuck).
- `/readyz`: 200 when the index is loaded, the Discord gateway connected and the database answers
  `SELECT 1`; otherwise 503 with one line saying the first thing that is not (readiness).
- `/metrics`: the app's own registry (bot/metrics.py) in Prometheus' text format, or OpenMetrics
  when the scraper asks for it.

aiohttp serves it: discord.py's HTTP client already, so nothing new runs in the process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from prometheus_client.exposition import choose_encoder
from sqlalchemy import text

from bot.app import App
from bot.core.errors import ConfigError
from bot.core.storage.database import connection_errors
from bot.core.errors import DatabaseUnavailable
from bot.metrics import Metrics

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[str | None]]  # None when ready, else why not, in one line
GatewayProblem = Callable[[], str | None]

DATABASE_TIMEOUT = 3.0  # seconds: within a probe's usual timeout, and far above a healthy SELECT 1


class Readiness:
    """The readiness check of one app and its gateway: cheap checks first, then the database."""

    def __init__(self, app: App, gateway: GatewayProblem) -> None:
        self.app = app
        self.gateway = gateway
        self._query: asyncio.Task[str | None] | None = None

    async def __call__(self) -> str | None:
        if self.app.notes.version is None:
            return "the index is not loaded yet"
        problem = self.gateway()
        if problem is not None:
            return problem
        return await self.database()

    async def database(self) -> str | None:
        """SELECT 1, never cancelled halfway (a cut query can leave an SQLite lock held): a slow
        one is reported and left to finish, and the next probe waits for that same query."""
        if self._query is None or self._query.done():
            self._query = asyncio.ensure_future(self._select_one())
        done, _ = await asyncio.wait({self._query}, timeout=DATABASE_TIMEOUT)
        if not done:
            return f"the database did not answer within {DATABASE_TIMEOUT:g} s"
        return self._query.result()

    async def _select_one(self) -> str | None:
        try:
            async with self.app.db.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except DatabaseUnavailable as exc:
            return f"the database is unavailable: {exc.problem}"
        except connection_errors() as exc:
            return f"the database is unavailable: {' '.join(str(exc).split())[:200]}"
        return None

    async def aclose(self) -> None:
        if self._query is not None:
            await asyncio.wait({self._query})


class HealthServer:
    """/healthz, /readyz and /metrics over aiohttp; `port` is the bound one once started."""

    def __init__(self, ready: Check, metrics: Metrics, host: str, port: int) -> None:
        self.ready, self.metrics, self.host, self.port = ready, metrics, host, port
        application = web.Application()
        application.router.add_get("/healthz", self._healthz)
        application.router.add_get("/readyz", self._readyz)
        application.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(application, access_log=None)  # a probe every few seconds: no log

    async def start(self) -> None:
        """Bind and serve; `ConfigError` (one line) when the address cannot be bound."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise ConfigError(f"cannot serve HEALTH_PORT on {self.host}:{self.port}: {exc.strerror or exc}") from None
        self.port = self._runner.addresses[0][1]
        log.info("serving /healthz, /readyz and /metrics on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        problem = await self.ready()
        if problem is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {problem}\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(body=encode(self.metrics.registry), headers={"Content-Type": content_type})


@asynccontextmanager
async def serve_health(app: App, gateway: GatewayProblem) -> AsyncIterator[HealthServer | None]:
    """Serve the endpoint for `app` while the block runs; None (nothing served) without HEALTH_PORT."""
    settings = app.settings
    if settings.health_port is None:
        yield None
        return
    ready = Readiness(app, gateway)
    server = HealthServer(ready, app.metrics, settings.health_host, settings.health_port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        await ready.aclose()
