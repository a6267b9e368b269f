"""Taking the database away from a running app and giving it back, for the outage tests.

PostgreSQL is reached through a TCP proxy that the test stops (every connection cut, new ones
refused, as when the server goes down) and starts again on the same port. SQLite's folder is
moved away (a lost mount): open connections are dropped and new ones cannot open the file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import App


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `host`:`target_port` while started."""

    def __init__(self, host: str, target_port: int) -> None:
        self.host, self.target_port = host, target_port
        self.port = 0  # chosen at the first start, kept afterwards
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.WriteTransport] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Refuse new connections and cut the open ones (a reset, not a polite close)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for transport in list(self._transports):
            transport.abort()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            try:
                up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
            except OSError:
                writer.transport.abort()
                return
            pair = {writer.transport, up_writer.transport}
            self._transports |= pair
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
            for transport in pair:
                transport.abort()
            self._transports -= pair
        finally:
            self._handlers.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


class DatabaseSwitch:
    """The database of a test, which the test can take away (`off`) and give back (`on`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._proxy: TcpProxy | None = None
        self._moved: tuple[Path, Path] | None = None

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def __aenter__(self) -> DatabaseSwitch:
        if not self.sqlite:  # the app connects through the proxy
            real = make_url(self.url)
            self._proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
            await self._proxy.start()
            self.url = real.set(host="127.0.0.1", port=self._proxy.port).render_as_string(hide_password=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.on()
        if self._proxy is not None:
            await self._proxy.stop()

    async def off(self, app: App) -> None:
        if self._proxy is not None:
            await self._proxy.stop()
            return
        folder = Path(make_url(self.url).database or "").parent
        away = folder.with_name(folder.name + "-gone")
        folder.rename(away)
        self._moved = (away, folder)
        await app.db.dispose()  # the pool's open files would still work: drop them

    async def on(self) -> None:
        if self._proxy is not None and not self._proxy.running:
            await self._proxy.start()
        if self._moved is not None:
            away, folder = self._moved
            away.rename(folder)
            self._moved = None
