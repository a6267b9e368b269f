"""Moderation: /reindex (who may, what it reports, one at a time, failures), /config, /help, and
the background refresh that picks up another process's reindex."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.adapter import acks
from bot.adapter.client import NotesBot
from bot.app import App, open_app
from bot.config import Settings
from bot.core.search import service as core_service
from bot.core.storage.models import ReindexRunRow
from tests.adapter.conftest import ask, connected, embed_of, make_settings
from tests.discord_double import DiscordDouble, Member

EPHEMERAL = 64
NEW_NOTE = "# Volcanoes\n\nA stratovolcano is built from layers of hardened lava and ash.\n"


async def final_response(double: DiscordDouble, it) -> dict:
    """The body the member ends up seeing: the followup after a defer, else the callback's data."""
    callback = await double.wait_for_callback(it)
    if callback.json["type"] == 5:
        return (await double.wait_for_followup(it, timeout=10)).json
    return callback.json["data"]


async def runs(app: App) -> int:
    async with app.sessions() as session:
        return await session.scalar(select(func.count()).select_from(ReindexRunRow))


def volcano_found(answer_body: dict) -> bool:
    return any(f["value"].startswith("`volcano.md") for f in embed_of(answer_body).get("fields", []))


@pytest.fixture
def helpers_role(double: DiscordDouble):
    """A role without permissions, held by a new member "helen" (added before the bot connects)."""
    role = double.add_role("Helpers")
    double.add_member("helen", roles=[role])
    return role


def helen(double: DiscordDouble) -> Member:
    return next(m for m in double.guild.members if m.user.username == "helen")


# --------------------------------------------------------------------------- who may reindex


async def test_reindex_is_refused_to_a_plain_member(bot: NotesBot, double: DiscordDouble, app: App,
                                                     notes_dir: Path) -> None:
    (notes_dir / "volcano.md").write_text(NEW_NOTE)
    version, stored_runs, last = app.notes.version, await runs(app), await app.notes.last_reindex()
    it = await double.send_slash_command("reindex", user="member")
    body = await final_response(double, it)
    assert body["flags"] == EPHEMERAL and body["content"].startswith("Only moderators can do that")
    assert (await double.wait_for_callback(it)).json["type"] == 4  # refused at once, never deferred
    assert (app.notes.version, await runs(app), await app.notes.last_reindex()) == (version, stored_runs, last)
    _, cb = await ask(double, "stratovolcano lava")
    assert not volcano_found(cb.json["data"])


async def test_moderator_reindex_reports_the_summary_and_the_next_ask_sees_the_change(
    bot: NotesBot, double: DiscordDouble, app: App, notes_dir: Path
) -> None:
    (notes_dir / "volcano.md").write_text(NEW_NOTE)
    (notes_dir / "pods.md").write_text("# Pods\n\nA pod runs containers together.\n")
    (notes_dir / "glacier.md").unlink()
    (notes_dir / "broken.md").write_bytes(b"\x00\x01binary")
    version = app.notes.version
    it = await double.send_slash_command("reindex", user="moderator")
    callback = await double.wait_for_callback(it)
    assert callback.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # deferred, privately
    body = await final_response(double, it)
    embed = embed_of(body)
    assert embed["title"] == "Notes reindexed"
    assert "Added 1 · changed 1 · removed 1 · unchanged 2 · skipped 1" in embed["description"]
    assert "Last indexed <t:" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Added"] == "volcano.md" and fields["Changed"] == "pods.md" and fields["Removed"] == "glacier.md"
    assert fields["Skipped"].startswith("broken.md: ")
    assert re.fullmatch(r"question pool: (\d+) of \1 passages visited, \d+ questions", fields["Quiz questions"])
    assert body["allowed_mentions"] == {"parse": []}
    assert app.notes.version == version + 1
    last = await app.notes.last_reindex()
    assert (last.requested_by, last.guild_id) == (double.moderator.id, double.guild.id)

    _, cb = await ask(double, "stratovolcano lava")
    assert volcano_found(cb.json["data"])


async def test_a_member_with_the_configured_moderator_role_may_reindex(
    helpers_role, bot: NotesBot, double: DiscordDouble, app: App
) -> None:
    refused = await final_response(double, await double.send_slash_command("reindex", user=helen(double)))
    assert refused["content"].startswith("Only moderators")

    it = await double.send_slash_command("config moderator-role", {"role": helpers_role}, user="admin")
    body = await final_response(double, it)
    assert body["flags"] == EPHEMERAL and f"<@&{helpers_role.id}>" in body["content"]
    assert body["allowed_mentions"] == {"parse": []}
    assert await app.guilds.moderator_role(double.guild.id) == helpers_role.id

    allowed = await final_response(double, await double.send_slash_command("reindex", user=helen(double)))
    assert embed_of(allowed)["title"] == "Notes reindexed"

    await final_response(double, await double.send_slash_command("config clear-moderator-role", user="admin"))
    assert await app.guilds.moderator_role(double.guild.id) is None
    refused = await final_response(double, await double.send_slash_command("reindex", user=helen(double)))
    assert refused["content"].startswith("Only moderators")


async def test_with_a_moderator_role_set_members_without_it_are_still_refused(
    helpers_role, bot: NotesBot, double: DiscordDouble, app: App, notes_dir: Path
) -> None:
    await final_response(double, await double.send_slash_command("config moderator-role", {"role": helpers_role},
                                                                 user="admin"))
    assert await app.guilds.moderator_role(double.guild.id) == helpers_role.id
    (notes_dir / "volcano.md").write_text(NEW_NOTE)
    version, stored_runs = app.notes.version, await runs(app)
    refused = await final_response(double, await double.send_slash_command("reindex", user="member"))
    assert refused["flags"] == EPHEMERAL and refused["content"].startswith("Only moderators")
    assert (app.notes.version, await runs(app)) == (version, stored_runs)


async def test_config_is_for_administrators_only(helpers_role, bot: NotesBot, double: DiscordDouble, app: App) -> None:
    it = await double.send_slash_command("config moderator-role", {"role": helpers_role}, user="moderator")
    body = await final_response(double, it)
    assert body["flags"] == EPHEMERAL and body["content"].startswith("Only administrators")
    assert await app.guilds.moderator_role(double.guild.id) is None

    shown = await final_response(double, await double.send_slash_command("config show", user="admin"))
    assert "none (only members with Manage Server)" in shown["content"]


# --------------------------------------------------------------------------- one at a time, failures


class SlowScan:
    """The next reindex's scan of the notes folder waits (in its worker thread) for `release()`."""

    def __init__(self) -> None:
        self.entered, self.released = threading.Event(), threading.Event()

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def slow_scan(app: App, monkeypatch: pytest.MonkeyPatch):
    """Patched after the app indexed the notes, so only reindexes from Discord wait."""
    slow, scan = SlowScan(), core_service.scan_notes

    def waiting_scan(*args, **kwargs):
        slow.entered.set()
        slow.released.wait(10)
        return scan(*args, **kwargs)

    monkeypatch.setattr(core_service, "scan_notes", waiting_scan)
    yield slow
    slow.release()


async def test_a_second_reindex_while_one_runs_is_told_so(
    slow_scan: SlowScan, bot: NotesBot, double: DiscordDouble, app: App, notes_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(acks, "ACK_AFTER", 0.2)
    (notes_dir / "volcano.md").write_text(NEW_NOTE)
    first = await double.send_slash_command("reindex", user="moderator")
    await double.wait_for_callback(first)
    await double.wait_until(slow_scan.entered.is_set, what="the first reindex to scan the notes")

    second = await double.send_slash_command("reindex", user="admin")
    body = await final_response(double, second)
    assert body["flags"] == EPHEMERAL and body["content"].startswith("A reindex is already running")

    # Questions meanwhile are answered from the previous index (on SQLite, storing them may wait
    # for the reindex's write lock; they are then acknowledged in time and answered after).
    policy = await double.send_slash_command("ask", {"question": "restart policy"})
    volcano = await double.send_slash_command("ask", {"question": "stratovolcano lava"})
    await double.wait_for_callback(policy)
    await double.wait_for_callback(volcano)
    slow_scan.release()
    assert embed_of(await final_response(double, first))["title"] == "Notes reindexed"
    assert embed_of(await final_response(double, policy))["fields"][0]["value"].startswith("`pods.md:5-7`")
    assert not volcano_found(await final_response(double, volcano))
    assert volcano_found((await ask(double, "stratovolcano lava"))[1].json["data"])


async def test_closing_the_bot_cancels_a_running_reindex(
    slow_scan: SlowScan, double: DiscordDouble, app: App, notes_dir: Path
) -> None:
    (notes_dir / "volcano.md").write_text(NEW_NOTE)
    version, last = app.notes.version, await app.notes.last_reindex()
    async with connected(NotesBot(app), double):
        it = await double.send_slash_command("reindex", user="moderator")
        await double.wait_for_callback(it)
        await double.wait_until(slow_scan.entered.is_set, what="the reindex to scan the notes")
    assert not app.notes.reindexing  # cancelled by close(), its transaction rolled back
    assert (app.notes.version, await app.notes.last_reindex()) == (version, last)
    assert not any(p.source == "volcano.md" for p in app.notes.search("stratovolcano lava").passages)


@pytest.mark.expect_error_log
async def test_a_failed_reindex_keeps_the_previous_index_answering(
    bot: NotesBot, double: DiscordDouble, app: App, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_scan(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(core_service, "scan_notes", failing_scan)
    version, last = app.notes.version, await app.notes.last_reindex()
    body = await final_response(double, await double.send_slash_command("reindex", user="moderator"))
    assert body["flags"] == EPHEMERAL and body["content"].startswith("Something went wrong")
    assert (app.notes.version, await app.notes.last_reindex()) == (version, last)
    _, cb = await ask(double, "restart policy")
    assert embed_of(cb.json["data"])["fields"][0]["value"].startswith("`pods.md:5-7`")


async def test_a_missing_notes_folder_is_explained(bot: NotesBot, double: DiscordDouble, app: App,
                                                   notes_dir: Path) -> None:
    for note in notes_dir.iterdir():
        note.unlink()
    notes_dir.rmdir()
    body = await final_response(double, await double.send_slash_command("reindex", user="moderator"))
    assert body["flags"] == EPHEMERAL and body["content"].startswith("Sorry: ")
    _, cb = await ask(double, "restart policy")
    assert embed_of(cb.json["data"])["fields"]


# --------------------------------------------------------------------------- help and refresh


async def test_help_lists_the_commands(bot: NotesBot, double: DiscordDouble) -> None:
    body = await final_response(double, await double.send_slash_command("help"))
    assert body["flags"] == EPHEMERAL
    text = "\n".join(f["value"] for f in embed_of(body)["fields"])
    for usage in ("/ask question [private]", "/reindex", "/config moderator-role role", "/config clear-moderator-role",
                  "/help", "Search the notes", "@NotesBot"):
        assert usage in text


async def test_the_bot_reloads_an_index_written_by_another_process(
    double: DiscordDouble, notes_dir: Path, tmp_path: Path
) -> None:
    settings: Settings = make_settings(notes_dir, tmp_path / "data", index_refresh_seconds=0.05)
    async with open_app(settings) as app, open_app(settings) as other:
        await app.notes.start()
        async with connected(NotesBot(app), double):
            (notes_dir / "volcano.md").write_text(NEW_NOTE)
            await other.notes.start()
            summary = await other.notes.reindex()
            await double.wait_until(lambda: app.notes.version == summary.version, what="the refresh")
            _, cb = await ask(double, "stratovolcano lava")
    assert volcano_found(cb.json["data"])
