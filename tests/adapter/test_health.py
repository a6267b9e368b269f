"""The health endpoint (bot/health.py) of the real bot against the Discord double: /metrics after
an /ask, a quiz answer and a reindex shows each counter moved; /readyz is 503 with one line until
the index is loaded and the gateway connected, 200 then, and 503 again when the database goes or
the bot closes; `python -m bot run` serves it with HEALTH_PORT and the settings it needs."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.adapter.client import NotesBot
from bot.app import App, open_app
from bot.config import Settings
from bot.core.errors import ConfigError
from bot.health import HealthServer, serve_health
from tests.adapter.conftest import ask, connected, make_settings, seed_notes_without_hand_written
from tests.adapter.test_bot_admin import final_response
from tests.adapter.test_bot_quiz import click, post_id_of, start_quiz
from tests.adapter.test_bot_startup import BotProcess, bot_env
from tests.discord_double import DiscordDouble
from tests.outages import DatabaseSwitch

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    return seed_notes_without_hand_written(tmp_path)


@pytest.fixture
def settings(notes_dir: Path, tmp_path: Path, database_url: str) -> Settings:
    return make_settings(notes_dir, tmp_path / "data", database_url=database_url,
                         health_port=0, health_host="127.0.0.1")


class Scraper:
    """GETs on one running health server."""

    def __init__(self, server: HealthServer, session: aiohttp.ClientSession) -> None:
        self.base, self.session = f"http://127.0.0.1:{server.port}", session

    async def get(self, path: str, **headers: str) -> tuple[int, str]:
        async with self.session.get(self.base + path, headers=headers) as response:
            return response.status, await response.text()

    async def metrics(self) -> Samples:
        status, body = await self.get("/metrics")
        assert status == 200, body
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(body) for s in family.samples}


@asynccontextmanager
async def serving(app: App, bot: NotesBot) -> AsyncIterator[Scraper]:
    async with serve_health(app, bot.gateway_problem) as server, aiohttp.ClientSession() as session:
        assert server is not None
        yield Scraper(server, session)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# --------------------------------------------------------------------------- /metrics


async def test_metrics_count_an_ask_a_quiz_answer_and_a_reindex(bot: NotesBot, double: DiscordDouble,
                                                               app: App) -> None:
    async with serving(app, bot) as scraper:
        before = await scraper.metrics()
        await ask(double, "how is etcd storing secrets")
        await ask(double, "qwxzv jjkpq")  # matches no passage
        await ask(double, "   ")  # refused: no question
        message, response = await start_quiz(double)
        await click(double, f"quiz:choice:{post_id_of(response['data'])}:0", message, double.member)
        reindexed = await final_response(double, await double.send_slash_command("reindex", user="moderator"))
        assert reindexed["embeds"][0]["title"] == "Notes reindexed"
        after = await scraper.metrics()
        status, body = await scraper.get("/metrics", Accept="application/openmetrics-text; version=1.0.0")

    assert moved(before, after, "notesbot_questions_total", outcome="answered") == 1
    assert moved(before, after, "notesbot_questions_total", outcome="no_result") == 1
    assert moved(before, after, "notesbot_questions_total", outcome="refused") == 1
    assert moved(before, after, "notesbot_answer_seconds_count") == 2  # the refusal is no answer
    assert 0 < moved(before, after, "notesbot_answer_seconds_sum") < 2 * 10
    assert moved(before, after, "notesbot_quiz_answers_total", result="right") \
        + moved(before, after, "notesbot_quiz_answers_total", result="wrong") == 1
    assert moved(before, after, "notesbot_reindex_runs_total", outcome="ok") == 1
    assert moved(before, after, "notesbot_reindex_runs_total", outcome="failed") == 0
    assert moved(before, after, "notesbot_reindex_seconds_count") == 1
    assert value(after, "notesbot_index_chunks") == len(app.notes.engine.documents) > 0
    assert 0 <= value(after, "notesbot_gateway_latency_seconds", shard="0") < 5  # the double acks at once
    assert value(after, "notesbot_database_errors_total") == 0
    assert status == 200 and body.rstrip().endswith("# EOF")  # OpenMetrics when the scraper asks


async def test_each_app_counts_in_its_own_registry(settings: Settings, tmp_path: Path) -> None:
    """Two apps in one process (tests, or a chat beside a bot) never share a count, and nothing is
    registered in prometheus-client's global registry."""
    from prometheus_client import REGISTRY

    other = make_settings(settings.notes_dir, tmp_path / "other", health_port=0)
    async with open_app(settings) as first, open_app(other) as second:
        await first.notes.start()
        first.metrics.questions.labels("answered").inc()
        assert first.metrics.registry.get_sample_value("notesbot_questions_total", {"outcome": "answered"}) == 1
        assert second.metrics.registry.get_sample_value("notesbot_questions_total", {"outcome": "answered"}) == 0
        assert second.metrics.registry.get_sample_value("notesbot_reindex_runs_total", {"outcome": "ok"}) == 0
        assert first.metrics.registry.get_sample_value("notesbot_reindex_runs_total", {"outcome": "ok"}) == 1
    assert REGISTRY.get_sample_value("notesbot_questions_total", {"outcome": "answered"}) is None


async def test_a_failed_reindex_is_counted_as_failed(app: App, notes_dir: Path) -> None:
    shutil.rmtree(notes_dir)
    with pytest.raises(Exception):
        await app.notes.reindex()
    registry = app.metrics.registry
    assert registry.get_sample_value("notesbot_reindex_runs_total", {"outcome": "failed"}) == 1
    assert registry.get_sample_value("notesbot_reindex_runs_total", {"outcome": "ok"}) == 1  # the start's


# --------------------------------------------------------------------------- /healthz and /readyz


async def test_readyz_waits_for_the_index_and_the_gateway(settings: Settings, double: DiscordDouble) -> None:
    async with open_app(settings) as app:
        bot = NotesBot(app)
        async with serving(app, bot) as scraper:
            assert await scraper.get("/healthz") == (200, "ok\n")
            assert await scraper.get("/readyz") == (503, "not ready: the index is not loaded yet\n")
            await app.notes.start()
            assert await scraper.get("/readyz") == (503, "not ready: not connected to the Discord gateway yet\n")
            async with connected(bot, double):
                assert await scraper.get("/readyz") == (200, "ready\n")
                assert await scraper.get("/healthz") == (200, "ok\n")
            assert await scraper.get("/readyz") == (503, "not ready: the gateway connection is closed (shutting down)\n")
            assert await scraper.get("/healthz") == (200, "ok\n")
            assert (await scraper.metrics()).get(("notesbot_gateway_latency_seconds", (("shard", "0"),))) is None


async def test_readyz_says_the_database_is_gone_and_it_is_counted(settings: Settings, double: DiscordDouble) -> None:
    async with DatabaseSwitch(settings.database_url) as switch:
        settings.database_url = switch.url
        async with open_app(settings) as app:
            await app.notes.start()
            async with connected(NotesBot(app), double) as bot, serving(app, bot) as scraper:
                assert await scraper.get("/readyz") == (200, "ready\n")
                await switch.off(app)
                status, reason = await scraper.get("/readyz")
                assert status == 503
                assert re.fullmatch(r"not ready: the database is unavailable: [^\n]+\n", reason), reason
                assert value(await scraper.metrics(), "notesbot_database_errors_total") >= 1
                await switch.on()
                assert await scraper.get("/readyz") == (200, "ready\n")


async def test_a_port_in_use_is_one_line(app: App) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app.settings.health_port = port
        with pytest.raises(ConfigError, match=rf"^cannot serve HEALTH_PORT on 127\.0\.0\.1:{port}: "):
            async with serve_health(app, lambda: None):
                pass


async def test_python_m_bot_run_serves_the_endpoint_and_logs_json(double: DiscordDouble, notes_dir: Path,
                                                                 tmp_path: Path) -> None:
    env = bot_env(double, notes_dir, tmp_path / "data", HEALTH_PORT="0", HEALTH_HOST="127.0.0.1", LOG_FORMAT="json")
    bot = await BotProcess(env, tmp_path, "run").start()
    try:
        port = await _logged_port(bot)
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                async with session.get(base + "/readyz") as response:
                    readyz = response.status, await response.text()
                if readyz[0] == 200:
                    break
                await asyncio.sleep(0.1)
            assert readyz == (200, "ready\n")
            await ask(double, "how is etcd storing secrets")
            async with session.get(base + "/metrics") as response:
                assert response.status == 200 and response.content_type == "text/plain"
                assert 'notesbot_reindex_runs_total{outcome="ok"} 1.0' in await response.text()
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        code, _, err = await bot.finish()
    finally:
        await bot.kill()
    assert code == 0, err
    assert "Traceback" not in err and "GET /" not in err  # no access log line per probe
    # JSON from run_bot's start on (what open_app logged before is text until the CLI applies it)
    lines = err[err.index('{"time"'):].splitlines()
    records = [json.loads(line) for line in lines]
    assert any(r["logger"] == "bot.health" and r["message"].startswith("serving /healthz") for r in records)
    (event,) = [r["event"] for r in records if r["logger"] == "bot.events"]
    assert (event["command"], event["guild"], event["outcome"]) == ("command /ask", double.guild.id, "ok")


async def _logged_port(bot: BotProcess) -> int:
    for _ in range(600):
        found = re.search(r"serving /healthz, /readyz and /metrics on http://127\.0\.0\.1:(\d+)",
                          bot.err_path.read_text())
        if found:
            return int(found.group(1))
        assert bot.process is not None and bot.process.returncode is None, bot.err_path.read_text()
        await asyncio.sleep(0.1)
    raise AssertionError("the bot never said where it serves the health endpoint")
