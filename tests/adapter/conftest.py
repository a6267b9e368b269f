"""Fixtures for the adapter's end-to-end tests: the real discord.py client over loopback against
the Discord double, a small notes folder and SQLite in tmp_path.

Every test here is guarded (`no_leaks`): it fails if it leaves asyncio tasks or gateway heartbeat
threads behind, or if discord.py or the bot logged an ERROR, unless marked `expect_error_log`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
import shutil
from pathlib import Path
from typing import Any, TypeVar

import discord
import discord.gateway
import pytest
import pytest_asyncio

from bot.app import App, open_app
from bot.config import SHIPPED_CORPUS, Settings, load_settings
from tests.discord_double import DiscordDouble, Recorded, SentInteraction, patch_discord, running_client

ERROR_LOGGERS = ("discord", "bot")
ClientT = TypeVar("ClientT", bound=discord.Client)

# One section per topic: chunks never cross headings, so each section is its own passage.
CONTAINER_SECTIONS = [
    ("Container images", "A container image bundles an application with its libraries; tags name versions."),
    ("Container ports", "A container declares the ports it listens on so services can route traffic to it."),
    ("Container probes", "Liveness and readiness probes tell the kubelet whether a container works."),
    ("Container resources", "Requests and limits reserve and cap the CPU and memory of a container."),
    ("Container logs", "The kubelet keeps the logs a container writes to standard output and error."),
    ("Container security", "A security context runs the container as a non-root user with fewer privileges."),
    ("Container lifecycle", "Hooks run a command in the container right after it starts or before it stops."),
    ("Init containers", "An init container runs to completion before the app container of the pod starts."),
]

NOTES = {
    "pods.md": (
        "# Pods\n\n"
        "A pod is the smallest deployable unit in Kubernetes. It groups containers that share network and storage.\n\n"
        "## Restart policy\n\n"
        "The restart policy of a pod tells the kubelet what to do when a process exits: Always, OnFailure or Never.\n"
    ),
    "containers.md": "# Containers\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in CONTAINER_SECTIONS),
    "announcements.md": (
        "# Exam announcements\n\n"
        "Ping @everyone and <@123> and <@&456> about the exam timetable: the exam is on Friday.\n"
    ),
    "glacier.md": "# Glaciers\n\n" + " ".join(
        f"the **glacier** moves `slowly` across_the valley floor, step {i} of the long walk" for i in range(400)
    ) + "\n",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expect_error_log: the test expects an ERROR log from discord.py or the bot")


@pytest.fixture(autouse=True)
async def no_leaks(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """Fail a test that leaves tasks running or gateway heartbeat threads alive, or where
    discord.py or the bot logged an error (exceptions in event handlers/commands are only logged)."""
    before = {t for t in asyncio.all_tasks() if not t.done()}
    yield
    if request.node.get_closest_marker("expect_error_log") is None:
        errors = [r for r in caplog.get_records("call")
                  if r.levelno >= logging.ERROR and r.name.startswith(ERROR_LOGGERS)]
        assert not errors, "errors were logged:\n" + "\n".join(caplog.text.splitlines()[-40:])
    current = asyncio.current_task()
    for _ in range(100):
        leaked = [t for t in asyncio.all_tasks() if not t.done() and t is not current and t not in before]
        threads = [t for t in threading.enumerate() if isinstance(t, discord.gateway.KeepAliveHandler) and t.is_alive()]
        if not leaked and not threads:
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"leaked tasks: {leaked!r}; live heartbeat threads: {threads!r}")


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def seed_notes_without_hand_written(tmp_path: Path) -> Path:
    """The shipped notes without their quiz/ folder: the pool is the generated questions (each with
    choices A-D), or the fixture questions a test stores."""
    folder = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, folder)
    shutil.rmtree(folder / "quiz")
    return folder


def make_settings(notes_dir: Path, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: no `.env`, and every Discord setting explicit."""
    values: dict[str, Any] = dict(
        _env_file=None, notes_dir=notes_dir, data_dir=data_dir, database_url="", top_k=3,
        discord_token=None, discord_test_guild_id=None, notes_base_url=None, ask_cooldown_rate=5,
        ask_cooldown_seconds=30.0, index_refresh_seconds=60.0, discord_api_base=None, discord_gateway_url=None,
    )
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(notes_dir: Path, tmp_path: Path) -> Settings:
    return make_settings(notes_dir, tmp_path / "data")


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    async with open_app(settings) as app:
        await app.notes.start()
        yield app


@pytest_asyncio.fixture
async def double() -> AsyncIterator[DiscordDouble]:
    """A double that behaves like Discord for a bot without privileged intents: the app has none
    enabled, and message content is withheld unless the message mentions the bot (or is a DM)."""
    fake = DiscordDouble(privileged_intents=(), enforce_message_content=True)
    await fake.start()
    try:
        with patch_discord(fake):
            yield fake
    finally:
        await fake.stop()
    if fake.errors:
        pytest.fail("DiscordDouble internal errors:\n" + "\n".join(fake.errors), pytrace=False)


READY_TIMEOUT = 30.0  # generous: logging in also syncs commands and writes to SQLite


def connected(client: ClientT, double: DiscordDouble) -> AbstractAsyncContextManager[ClientT]:
    """`async with connected(NotesBot(app), double):` the bot, logged in and ready."""
    return running_client(client, double, timeout=READY_TIMEOUT)


@pytest_asyncio.fixture
async def bot(app: App, double: DiscordDouble):
    from bot.adapter.client import NotesBot

    async with connected(NotesBot(app), double) as client:
        yield client


# --------------------------------------------------------------------------- helpers


async def ask(double: DiscordDouble, question: str, **options: Any) -> tuple[SentInteraction, Recorded]:
    """Run /ask as `user` (default "member"); returns the interaction and its callback."""
    user = options.pop("user", "member")
    it = await double.send_slash_command("ask", {"question": question, **options}, user=user)
    return it, await double.wait_for_callback(it)


def embed_of(body: dict[str, Any]) -> dict[str, Any]:
    (embed,) = body["embeds"]
    return embed


def embed_text(embed: dict[str, Any]) -> str:
    parts = [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def custom_ids(body: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"]]


def button(body: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for row in body.get("components", []) for c in row["components"] if c.get("label") == label)


def assert_no_pings(body: dict[str, Any]) -> None:
    """Sent so that nobody can be pinged, and with every mention in the text broken."""
    assert body["allowed_mentions"]["parse"] == []
    assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get("roles")
    assert not body["allowed_mentions"].get("replied_user")
    text = body.get("content") or ""
    text += "\n".join(embed_text(e) for e in body.get("embeds") or [])
    assert not re.search(r"@(everyone|here)|<@[!&]?\d+>", text), text


def assert_balanced_markdown(text: str) -> None:
    """No half-open mark: every code block closed; outside them, after dropping escaped characters,
    URLs and code spans, no backtick is left and bold, emphasis and strikethrough come in pairs, and
    every `[` opens a whole masked link."""
    assert text.count("```") % 2 == 0, text
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    prose = re.sub(r"\\.", "", prose)
    prose = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", prose, flags=re.DOTALL)
    assert "`" not in prose, text
    links = re.findall(r"\[[^\[\]]*\]\(https?://[^\s()]+\)", prose)
    prose = re.sub(r"https?://\S+", "", prose)
    assert prose.count("[") == prose.count("](") == len(links), text
    assert prose.count("**") % 2 == 0, text
    assert prose.replace("**", "").count("*") % 2 == 0, text
    assert prose.count("_") % 2 == 0 and prose.count("~~") % 2 == 0, text
