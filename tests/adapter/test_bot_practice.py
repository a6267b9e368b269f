"""Practice end to end: the real bot against the Discord double, with a clock the test moves and a
short DAILY_TICK_SECONDS, so the due-check loop really runs.

Answers are inserted as rows and handed to the review cards as the quiz would (the A–D buttons are
the quiz's part); everything else goes through Discord: commands, the daily post, its reveal,
the leaderboard and progress messages and their buttons."""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import pytest_asyncio
from PIL import Image
from sqlalchemy import func, select, update

from bot.adapter.client import NotesBot
from bot.adapter.cogs.practice import daily_nonce
from bot.adapter.quiz_views import render_quiz_message
from bot.app import App, open_app
from bot.core.practice.daily import STALE_AFTER
from bot.core.storage.models import DailyScheduleRow, QuizPostRow, ReviewCardRow
from tests.adapter.conftest import connected, embed_of, make_settings
from tests.core.practice.conftest import FakeClock, add_answer, add_post, add_question, crash_once
from tests.discord_double import DiscordDouble, Overwrite, Perm

EPHEMERAL = 64
UTC = timezone.utc
BEFORE = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 08:00 in Berlin
NINE = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
NEXT_NINE = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)
MESSAGES = r"/channels/\d+/messages"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(BEFORE)


@pytest_asyncio.fixture
async def practice_app(notes_dir: Path, tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = make_settings(notes_dir, tmp_path / "data", daily_tick_seconds=0.05)
    async with open_app(settings, clock=clock) as app:
        await app.notes.start()
        app.practice.daily.rng = random.Random(3)
        for q in ("q1", "q2"):
            await add_question(app.sessions, q)
        yield app


@pytest.fixture
def quiet_channel(double: DiscordDouble):
    """A channel where the bot may read but not post (added before the bot connects)."""
    return double.add_text_channel("announcements", overwrites=[
        Overwrite(id=double.bot_user.id, type=1, allow=0, deny=Perm.SEND_MESSAGES)])


async def final_response(double: DiscordDouble, it) -> dict:
    """The message answering `it`: the callback's, or after a deferral (thinking, or the update a
    quiz click's first one defers) the followup."""
    callback = await double.wait_for_callback(it)
    if callback.json["type"] in (5, 6):
        return (await double.wait_for_followup(it, timeout=10)).json
    return callback.json["data"]


def daily_messages(double: DiscordDouble, after: int = 0) -> list:
    return double.find("POST", MESSAGES, lambda r: r.status == 200, after=after)


async def ticks(n: int = 5) -> None:
    await asyncio.sleep(0.05 * n)


async def configure(double: DiscordDouble, *, user: str = "moderator", role=None, time: str = "09:00",
                    channel=None) -> dict:
    options = {"channel": channel or double.channel, "time": time, "timezone": "Europe/Berlin"}
    if role is not None:
        options["role"] = role
    return await final_response(double, await double.send_slash_command("daily-quiz set", options, user=user))


async def test_members_are_refused_and_moderators_configure(practice_app: App, double: DiscordDouble,
                                                           quiet_channel) -> None:
    async with connected(NotesBot(practice_app), double):
        refused = await configure(double, user="member")
        assert refused["flags"] == EPHEMERAL and refused["content"].startswith("Only moderators")
        for command in ("daily-quiz off", "daily-quiz show"):
            body = await final_response(double, await double.send_slash_command(command, user="member"))
            assert body["content"].startswith("Only moderators")
        assert await practice_app.practice.schedules.get(double.guild.id) is None

        bad = await configure(double, time="25:00")
        assert bad["flags"] == EPHEMERAL and "HH:MM" in bad["content"]
        bad = await final_response(double, await double.send_slash_command(
            "daily-quiz set", {"channel": double.channel, "time": "09:00", "timezone": "Mars/Olympus"},
            user="moderator"))
        assert "not a time zone" in bad["content"]
        cannot = await configure(double, channel=quiet_channel)
        assert "I cannot post there" in cannot["content"] and "send messages" in cannot["content"]
        everyone = await configure(double, role=double.guild.everyone)
        assert "never mentions @everyone" in everyone["content"]
        assert await practice_app.practice.schedules.get(double.guild.id) is None

        saved = await configure(double)
        assert saved["flags"] == EPHEMERAL and saved["content"].startswith("Saved.")
        assert "Next post: 2026-05-04 09:00 CEST" in saved["content"] and f"<t:{int(NINE.timestamp())}:F>" in saved["content"]
        assert saved["allowed_mentions"] == {"parse": []}

        it = await double.send_autocomplete("daily-quiz set", {"channel": double.channel, "time": "09:00",
                                                               "timezone": "berl"}, focused="timezone")
        choices = (await double.wait_for_callback(it)).json["data"]["choices"]
        assert choices[0]["value"] == "Europe/Berlin"

        off = await final_response(double, await double.send_slash_command("daily-quiz off", user="moderator"))
        assert off["content"].startswith("The daily quiz is off")
        shown = await final_response(double, await double.send_slash_command("daily-quiz show", user="moderator"))
        assert "Daily quiz: **off**" in shown["content"]


async def test_the_daily_post_appears_at_the_time_and_the_next_reveals_it(
    practice_app: App, double: DiscordDouble, clock: FakeClock
) -> None:
    role = double.add_role("Quizzers")
    async with connected(NotesBot(practice_app), double):
        await configure(double, role=role)
        await ticks()
        assert daily_messages(double) == []

        clock.set(NINE)
        first = await double.wait_for("POST", MESSAGES, lambda r: r.status == 200, timeout=5)
        body = first.json
        assert body["content"] == f"<@&{role.id}> the question of the day is here!"
        assert body["allowed_mentions"]["parse"] == [] and [int(r) for r in body["allowed_mentions"]["roles"]] == [role.id]
        embed = body["embeds"][0]
        assert embed["title"] == "Question of the day" and embed["footer"]["text"].startswith("Nobody has answered")
        assert "**A.**" in embed["description"] and "**D.**" in embed["description"]
        await ticks()
        assert len(daily_messages(double)) == 1  # once a day, however many ticks

        async with practice_app.sessions() as session:
            (post,) = list(await session.scalars(select(QuizPostRow).where(QuizPostRow.kind == "daily")))
        assert post.message_id == int(first.response["id"]) and post.guild_id == double.guild.id
        # members answer with the quiz's own buttons: A is right, B is wrong
        for user, choice, verdict in (("member", 0, "✅"), ("moderator", 1, "❌")):
            it = await double.send_component_click(f"quiz:choice:{post.id}:{choice}", message=post.message_id,
                                                   user=user)
            assert (await final_response(double, it))["content"].startswith(verdict)

        mark = double.mark()
        clock.set(NEXT_NINE)
        await double.wait_for("POST", MESSAGES, lambda r: r.status == 200, after=mark, timeout=5)
        edit = await double.wait_for("PATCH", rf"/channels/\d+/messages/{post.message_id}", after=mark, timeout=5)
        revealed = edit.json["embeds"][0]
        assert revealed["title"] == "Question of the day (closed)"
        assert revealed["footer"]["text"] == "2 answered · 1 right"
        assert "Answer: **A." in revealed["description"] and "pods.md:1-3" in revealed["description"]
        buttons = [c for row in edit.json["components"] for c in row["components"]]
        assert buttons and all(c.get("disabled") for c in buttons)
        assert edit.json["allowed_mentions"]["parse"] == []

        board = await final_response(double, await double.send_slash_command("leaderboard", {"period": "all"},
                                                                             user="moderator"))
        text = embed_of(board)["description"]
        assert text.splitlines()[0] == f"**1.** <@{double.member.id}> — 3 pts (1/1 right)"
        assert text.splitlines()[1] == f"**2.** <@{double.moderator.id}> — 0 pts (0/1 right)"
        assert embed_of(board)["fields"][0]["value"].startswith("#2 of 2")
        assert board["allowed_mentions"] == {"parse": []}

        it = await double.send_slash_command("progress", user="member")
        callback = await double.wait_for_callback(it)
        shown = callback.json["data"]
        fields = {f["name"]: f["value"] for f in embed_of(shown)["fields"]}
        assert fields["Points"] == "3" and fields["Streak"] == "1 days (best 1)"
        assert fields["Accuracy"].startswith("100%") and fields["Reviews due"] == "0"
        (png,) = callback.files
        assert png.filename == "progress.png" and Image.open(io.BytesIO(png.data)).format == "PNG"

        it = await double.send_slash_command("progress", {"member": double.moderator}, user="member")
        fields = {f["name"]: f["value"] for f in embed_of((await double.wait_for_callback(it)).json["data"])["fields"]}
        assert fields["Points"] == "0" and fields["Reviews due"] == "1"  # missed yesterday: due again now


def daily_posts_in(double: DiscordDouble) -> list[dict]:
    """The daily prompts the channel shows (however many requests sent them)."""
    return [m for m in double.channel_messages() if m["embeds"] and m["embeds"][0]["title"].startswith("Question of")]


async def recorded_daily_posts(app: App) -> list[QuizPostRow]:
    async with app.sessions() as session:
        return list(await session.scalars(select(QuizPostRow).where(QuizPostRow.kind == "daily")
                                          .order_by(QuizPostRow.id)))


async def test_a_crash_between_sending_and_recording_posts_the_day_once_and_reveals_it(
    practice_app: App, double: DiscordDouble, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with connected(NotesBot(practice_app), double):
        await configure(double)
        crash_once(monkeypatch, "_posted")  # Discord accepted the post; recording it fails, as in a crash
        clock.set(NINE)
        first = await double.wait_for("POST", MESSAGES, lambda r: r.status == 200, timeout=5)
        assert first.json["nonce"] == daily_nonce(double.guild.id, date(2026, 5, 4)) and first.json["enforce_nonce"]
        await ticks()
        clock.set(NINE + STALE_AFTER)  # the claim is stale: another process (or this one) takes it over
        double.advance_time(STALE_AFTER.total_seconds())  # past Discord's nonce window too
        await double.wait_for("GET", MESSAGES, timeout=5)  # the channel's latest messages, looked through
        for _ in range(100):
            if (posts := await recorded_daily_posts(practice_app)) and posts[-1].message_id is not None:
                break
            await ticks(1)
        (post,) = posts  # adopted, not posted again
        assert post.message_id == int(first.response["id"])
        await ticks()
        assert [int(m["id"]) for m in daily_posts_in(double)] == [post.message_id]

        mark = double.mark()
        clock.set(NEXT_NINE)
        edit = await double.wait_for("PATCH", rf"/channels/\d+/messages/{post.message_id}", after=mark, timeout=5)
        assert edit.json["embeds"][0]["title"] == "Question of the day (closed)"  # revealed like any other
        await double.wait_until(lambda: len(daily_posts_in(double)) == 2, what="the next day's post")


async def test_show_reports_a_zone_this_machine_does_not_know(practice_app: App, double: DiscordDouble) -> None:
    async with connected(NotesBot(practice_app), double):
        await configure(double)
        async with practice_app.sessions() as session, session.begin():
            await session.execute(update(DailyScheduleRow).values(timezone="Mars/Olympus"))
        shown = await final_response(double, await double.send_slash_command("daily-quiz show", user="moderator"))
    assert "(Mars/Olympus)" in shown["content"] and "⚠️ Not posting: the time zone 'Mars/Olympus'" in shown["content"]
    assert "Next post" not in shown["content"]


async def test_a_deleted_channel_is_shown_as_the_problem(practice_app: App, double: DiscordDouble,
                                                         clock: FakeClock) -> None:
    async with connected(NotesBot(practice_app), double):
        await configure(double)
        double.guild.channels.remove(double.channel)  # gone on Discord's side
        clock.set(NINE)
        await double.wait_until(lambda: double.find("POST", MESSAGES, lambda r: r.status == 404),
                                what="the failed post")
        await ticks()
        shown = await final_response(double, await double.send_slash_command("daily-quiz show", user="moderator"))
    assert "Daily quiz: **on**" in shown["content"]
    assert "Problem with the last attempt" in shown["content"] and "is gone" in shown["content"]


async def test_leaderboard_pages_for_its_owner_only(practice_app: App, double: DiscordDouble) -> None:
    post = await add_question(practice_app.sessions, "extra")
    post_id = await add_post(practice_app.sessions, post, guild_id=double.guild.id)
    for user in range(1, 13):
        await add_answer(practice_app.sessions, post_id, post, user, True, BEFORE, guild_id=double.guild.id)
    async with connected(NotesBot(practice_app), double):
        it = await double.send_slash_command("leaderboard", {"period": "all"}, user="member")
        body = await final_response(double, it)
        assert len(embed_of(body)["description"].splitlines()) == 10
        assert embed_of(body)["footer"]["text"].startswith("Page 1 of 2")
        assert embed_of(body)["fields"][0]["value"] == "no answers in this period yet"
        next_id = next(c["custom_id"] for row in body["components"] for c in row["components"] if c["label"] == "Next")
        other = await double.send_component_click(next_id, message=it, user="moderator")
        refused = await double.wait_for_callback(other)
        assert refused.json["data"]["flags"] == EPHEMERAL and "Only the member who asked" in refused.json["data"]["content"]
        mine = await double.send_component_click(next_id, message=it, user="member")
        page = (await double.wait_for_callback(mine)).json
        assert page["type"] == 7 and embed_of(page["data"])["footer"]["text"].startswith("Page 2 of 2")
        assert len(embed_of(page["data"])["description"].splitlines()) == 2


async def test_forget_me_needs_a_confirmation_and_leaves_others(practice_app: App, double: DiscordDouble) -> None:
    post_id = await add_post(practice_app.sessions, "q1", guild_id=double.guild.id)
    for user in (double.member.id, double.moderator.id):
        await add_answer(practice_app.sessions, post_id, "q1", user, True, BEFORE, guild_id=double.guild.id)
    async with connected(NotesBot(practice_app), double):
        it = await double.send_slash_command("forget-me", user="member")
        prompt = await final_response(double, it)
        assert prompt["flags"] == EPHEMERAL and "cannot be undone" in prompt["content"]
        yes = next(c["custom_id"] for row in prompt["components"] for c in row["components"]
                   if c["label"] == "Delete my data")
        done = await double.wait_for_callback(await double.send_component_click(yes, message=it, user="member"))
        assert done.json["data"]["content"].startswith("Done: deleted 1 answers and 0 review cards")
    mine = await practice_app.practice.standings.progress(double.guild.id, double.member.id)
    theirs = await practice_app.practice.standings.progress(double.guild.id, double.moderator.id)
    assert (mine.answered, theirs.answered) == (0, 1)


async def test_forget_me_while_card_updates_are_queued_leaves_no_card(practice_app: App, double: DiscordDouble) -> None:
    reviews = practice_app.practice.reviews
    reviews.flush_after = 3600  # the card's update waits behind the reply until something asks for it
    question = await practice_app.quiz.questions.get("q1")
    post = await practice_app.quiz.post(question, guild_id=double.guild.id, channel_id=double.channel.id,
                                        user_id=double.member.id)
    async with connected(NotesBot(practice_app), double) as bot:
        sent = await bot.get_channel(double.channel.id).send(**render_quiz_message(question, post.id, "quiz", 0))
        it = await double.send_component_click(f"quiz:choice:{post.id}:0", message=sent.id, user="member")
        assert (await final_response(double, it))["content"].startswith("✅")
        assert reviews.waiting == 1
        it = await double.send_slash_command("forget-me", user="member")
        prompt = await final_response(double, it)
        yes = next(c["custom_id"] for row in prompt["components"] for c in row["components"]
                   if c["label"] == "Delete my data")
        done = await double.wait_for_callback(await double.send_component_click(yes, message=it, user="member"))
        assert done.json["data"]["content"].startswith("Done: deleted 1 answers and 1 review cards")
    await reviews.flush()  # anything still queued would bring the card back now
    async with practice_app.sessions() as session:
        cards = await session.scalar(select(func.count()).select_from(ReviewCardRow)
                                     .where(ReviewCardRow.user_id == double.member.id))
    assert cards == 0


async def test_help_states_the_scoring_rules(practice_app: App, double: DiscordDouble) -> None:
    async with connected(NotesBot(practice_app), double):
        body = await final_response(double, await double.send_slash_command("help"))
    fields = {f["name"]: f["value"] for f in embed_of(body)["fields"]}
    assert "3 points on the daily prompt, 1 on `/quiz`" in fields["Points and streaks"]
    assert "/daily-quiz set channel time timezone [role]" in fields["Commands"]
