"""/quiz end to end over the Discord double with the real bot, on SQLite and PostgreSQL: the
question, four members clicking A–D, a refused second click, the typed-answer modal (right, near
miss, Markdown and mentions), a click after a restart, topics, privacy, the closed state, and a
burst of clicks answered with one response each while the message's count is edited coalesced."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest

from bot.adapter import acks, quiz_counts, quiz_views
from bot.adapter.client import NotesBot
from bot.app import App
from bot.config import Settings
from bot.core.quiz.questions import Question
from tests.adapter.conftest import (assert_no_pings, connected, custom_ids, embed_of, make_settings,
                                     seed_notes_without_hand_written)
from tests.core.quiz.fixtures import store_only_fixtures
from tests.discord_double import DiscordDouble, SentInteraction

EPHEMERAL = 64
CITATION = "`k8s-colearning-lesson-1.md:70-79`"


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    """The seed notes (the fixture questions are written against them): the fixture questions are
    the whole pool."""
    return seed_notes_without_hand_written(tmp_path)


@pytest.fixture
def settings(notes_dir: Path, tmp_path: Path, database_url: str) -> Settings:
    """The quiz end to end on SQLite and PostgreSQL (the insert that enforces one answer per
    member and open posts is written for each)."""
    return make_settings(notes_dir, tmp_path / "data", database_url=database_url)


@pytest.fixture
async def questions(app: App) -> dict[str, Question]:
    return await store_only_fixtures(app.sessions, app.notes.engine, app.clock())


async def start_quiz(double: DiscordDouble, user: str = "member", **options: Any) -> tuple[SentInteraction, dict]:
    it = await double.send_slash_command("quiz", options, user=user)
    cb = await double.wait_for_callback(it)
    assert cb.status == 204 or cb.status == 200, cb
    return it, cb.json


def post_id_of(body: dict) -> int:
    return int(re.fullmatch(r"quiz:choice:(\d+):0|quiz:typed:(\d+)", custom_ids(body)[0]).group(1))


async def click(double: DiscordDouble, custom_id: str, message: SentInteraction, user: Any) -> tuple[dict, dict]:
    """Click a quiz button; returns the callback and the member's private reply: the callback's
    message, or after a deferral the followup."""
    it = await double.send_component_click(custom_id, message=message, user=user)
    return await reply_of(double, it)


async def reply_of(double: DiscordDouble, it: SentInteraction) -> tuple[dict, dict]:
    callback = (await double.wait_for_callback(it)).json
    if callback["type"] == 4:  # answered at once, with one response
        return callback, callback["data"]
    return callback, (await double.wait_for_followup(it)).json


async def type_answer(double: DiscordDouble, post_id: int, text: str, message: SentInteraction,
                      user: Any) -> tuple[dict, dict]:
    """Open the modal with "Answer in my own words" and submit `text`."""
    opened = await double.send_component_click(f"quiz:typed:{post_id}", message=message, user=user)
    modal = (await double.wait_for_callback(opened)).json
    assert modal["type"] == 9 and modal["data"]["custom_id"] == f"quiz:answer:{post_id}"
    submitted = await double.send_modal_submit(f"quiz:answer:{post_id}", {"answer": text}, user=user, message=message)
    return await reply_of(double, submitted)


def slow(monkeypatch: pytest.MonkeyPatch, owner: Any, method: str, seconds: float = 0.5) -> None:
    """`owner.method` takes `seconds` first (e.g. SQLite's write lock, held by a reindex in another
    process), and the bot defers after 0.05 s instead of acks.ACK_AFTER."""
    original = getattr(owner, method)

    async def slowly(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, method, slowly)
    monkeypatch.setattr(acks, "ACK_AFTER", 0.05)


def footer(double: DiscordDouble, it: SentInteraction) -> str:
    return double.get_message(it.original_message_id)["embeds"][0]["footer"]["text"]


async def test_quiz_round_trip(bot: NotesBot, double: DiscordDouble, app: App,
                               questions: dict[str, Question]) -> None:
    question = questions["hypervizor"]  # the only question of the passages about "hypervisor"
    it, response = await start_quiz(double, topic="hypervisor")
    assert response["type"] == 4
    body = response["data"]
    assert not body.get("flags", 0) & EPHEMERAL
    assert_no_pings(body)
    embed = embed_of(body)
    assert embed["title"] == "Quiz"
    assert r"\_\_\_\_ is a virtualization of physical devices" in embed["description"]
    assert [line for line in embed["description"].splitlines() if line.startswith("**") and line[2] in "ABCD"] == [
        "**A.** hypervizor", "**B.** container runtime", "**C.** kernel module", "**D.** bootloader"]
    assert "✅" not in embed["description"] and "Answer:" not in embed["description"]
    assert embed["footer"]["text"].startswith("Nobody has answered yet")
    labels = [c["label"] for row in body["components"] for c in row["components"]]
    assert labels == ["A", "B", "C", "D", "Answer in my own words"]
    post_id = post_id_of(body)
    for _ in range(250):  # the message id is stored just after the response is sent
        post, stored = await app.quiz.post_and_question(post_id)
        if post.message_id is not None:
            break
        await asyncio.sleep(0.02)
    assert stored.id == question.id
    assert (post.kind, post.user_id, post.guild_id, post.message_id) == (
        "quiz", double.member.id, double.guild.id, it.original_message_id)

    # four members click A, B, C, D: exactly one is right; all learn the answer and its source
    clickers = ["member", "moderator", "admin", "owner"]
    feedback = []
    for choice, user in enumerate(clickers):
        callback, followup = await click(double, f"quiz:choice:{post_id}:{choice}", it, user)
        # the first click acknowledges as an update of the question message (its token edits the
        # count); the others are answered with one response, the private feedback
        assert callback["type"] == (6 if choice == 0 else 4)
        assert followup["flags"] == EPHEMERAL
        assert_no_pings(followup)
        feedback.append(followup["content"])
    assert [text[0] for text in feedback] == ["✅", "❌", "❌", "❌"]
    for text in feedback:
        assert "The answer is **A. hypervizor**." in text
        assert "> hypervizor is a virtualization of physical devices" in text
        assert text.endswith(f"Source: {CITATION}")
    assert "you picked **B. container runtime**" in feedback[1]
    await double.wait_until(lambda: footer(double, it).startswith("4 answered"), what="the answer count")
    assert "hypervizor" not in double.get_message(it.original_message_id)["embeds"][0]["footer"]["text"]
    tally = await app.quiz.tally(post_id)
    assert (tally.answered, tally.right) == (4, 1)

    # a second click is refused, and says what they answered
    callback, again = await click(double, f"quiz:choice:{post_id}:0", it, "moderator")
    assert again["content"] == ("You already answered this quiz: you picked **B. container runtime** (not right). "
                                "One answer each; try `/quiz` for another question.")
    assert (await app.quiz.tally(post_id)).answered == 4
    # ... and so is the modal, before it opens
    opened = await double.send_component_click(f"quiz:typed:{post_id}", message=it, user="member")
    refused = (await double.wait_for_callback(opened)).json
    assert refused["type"] == 4 and refused["data"]["content"].startswith("You already answered this quiz")

    # typed answers: the correct spelling of the notes' typo is right; a near miss is told so
    right_member, near_member, pinger = (double.add_member(n) for n in ("typist", "near", "pinger"))
    callback, right = await type_answer(double, post_id, "  Hypervisor ", it, right_member)
    assert callback["type"] == 4 and right["flags"] == EPHEMERAL
    assert right["content"].startswith("✅ Right! The answer is **A. hypervizor**.")
    _, near = await type_answer(double, post_id, "hypervi", it, near_member)
    assert near["content"].startswith("❌ Almost: you wrote “hypervi”, close but not it. The answer is **A. hypervizor**.")
    _, pinged = await type_answer(double, post_id, "@everyone <@123> **hyper**", it, pinger)
    assert pinged["content"].startswith("❌")
    assert_no_pings(pinged)
    assert r"\*\*hyper\*\*" in pinged["content"]
    await double.wait_until(lambda: footer(double, it).startswith("7 answered"), what="the answer count")
    answers = [await app.quiz.previous_answer(post_id, m.id) for m in (right_member, near_member)]
    assert [(a.text, a.correct, a.near_miss, a.choice_index) for a in answers] == [
        ("Hypervisor", True, False, None), ("hypervi", False, True, None)]


async def test_a_click_after_a_restart_still_works(double: DiscordDouble, app: App,
                                                   questions: dict[str, Question]) -> None:
    async with connected(NotesBot(app), double):
        it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    async with connected(NotesBot(app), double):  # a new process sees only the message
        _, right = await click(double, f"quiz:choice:{post_id}:0", it, "moderator")
        _, typed = await type_answer(double, post_id, "kernel", it, "admin")
    assert right["content"].startswith("✅")
    assert typed["content"].startswith("❌ Not this time: you wrote “kernel”.")
    assert (await app.quiz.tally(post_id)).answered == 2


async def test_a_letter_typed_in_the_form_is_that_choice(bot: NotesBot, double: DiscordDouble, app: App,
                                                         questions: dict[str, Question]) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    _, feedback = await type_answer(double, post_id, "b", it, "moderator")
    assert feedback["content"].startswith("❌ Not this time: you picked **B. container runtime**.")
    assert (await app.quiz.previous_answer(post_id, double.moderator.id)).choice_index == 1


async def test_typed_answer_modal_refuses_an_empty_answer(bot: NotesBot, double: DiscordDouble, app: App,
                                                          questions: dict[str, Question]) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    _, empty = await type_answer(double, post_id, "   ", it, "moderator")
    assert empty["content"].startswith("Sorry: Type an answer first")
    assert (await app.quiz.tally(post_id)).answered == 0


async def test_unknown_topic_suggests_words(bot: NotesBot, double: DiscordDouble,
                                            questions: dict[str, Question]) -> None:
    _, response = await start_quiz(double, topic="baking sourdough bread <@&456>")
    assert response["type"] == 4 and response["data"]["flags"] == EPHEMERAL
    assert "Did you mean: break?" in response["data"]["content"]
    assert_no_pings(response["data"])


async def test_private_quiz_is_ephemeral_and_its_buttons_work(bot: NotesBot, double: DiscordDouble,
                                                              questions: dict[str, Question]) -> None:
    it, response = await start_quiz(double, topic="hypervisor", private=True)
    assert response["data"]["flags"] == EPHEMERAL
    _, feedback = await click(double, f"quiz:choice:{post_id_of(response['data'])}:3", it, "member")
    assert feedback["content"].startswith("❌")
    await double.wait_until(lambda: footer(double, it).startswith("1 answered"), what="the answer count")


async def test_written_question_has_only_the_typed_answer(bot: NotesBot, double: DiscordDouble, app: App,
                                                          questions: dict[str, Question]) -> None:
    post = await app.quiz.post(questions["pvc"], guild_id=double.guild.id, channel_id=double.channel.id,
                               user_id=double.member.id)
    message = quiz_views.render_quiz_message(questions["pvc"], post.id, post.kind, 0)
    assert [item.custom_id for item in message["view"].children] == [f"quiz:typed:{post.id}"]
    assert "Answer in my own words" in message["embed"].description


async def test_a_click_on_a_closed_post_is_refused_and_reveals_it(bot: NotesBot, double: DiscordDouble, app: App,
                                                                 questions: dict[str, Question]) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    await click(double, f"quiz:choice:{post_id}:0", it, "moderator")
    await app.quiz.close(post_id)
    _, refused = await click(double, f"quiz:choice:{post_id}:1", it, "admin")
    assert refused["content"] == "This quiz is closed."
    assert refused["flags"] == EPHEMERAL
    shown = double.get_message(it.original_message_id)
    embed = shown["embeds"][0]
    assert embed["title"] == "Quiz (closed)"
    assert "✅ Answer: **A. hypervizor**" in embed["description"]
    assert f"Source: {CITATION}" in embed["description"]
    assert embed["footer"]["text"] == "1 answered · 1 right"
    assert all(c["disabled"] for row in shown["components"] for c in row["components"])
    assert (await app.quiz.tally(post_id)).answered == 1


async def test_quiz_topic_autocompletes(bot: NotesBot, double: DiscordDouble) -> None:
    it = await double.send_autocomplete("quiz", {"topic": "hyperv"})
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 8
    assert "hypervizor" in [c["name"] for c in cb.json["data"]["choices"]]


async def test_help_lists_quiz(bot: NotesBot, double: DiscordDouble) -> None:
    it = await double.send_slash_command("help")
    embed = embed_of((await double.wait_for_callback(it)).json["data"])
    assert "`/quiz [topic] [private]`" in embed["fields"][0]["value"]


async def test_feedback_links_the_source_when_notes_base_url_is_set(double: DiscordDouble, app: App,
                                                                    questions: dict[str, Question]) -> None:
    app.settings.notes_base_url = "https://github.com/study/notes/blob/main"
    async with connected(NotesBot(app), double):
        it, response = await start_quiz(double, topic="hypervisor")
        _, feedback = await click(double, f"quiz:choice:{post_id_of(response['data'])}:0", it, "member")
    assert feedback["content"].endswith(
        "Source: [`k8s-colearning-lesson-1.md:70-79`]"
        "(https://github.com/study/notes/blob/main/k8s-colearning-lesson-1.md#L70-L79)")


async def test_feedback_on_a_written_question_gives_the_explanation(app: App, questions: dict[str, Question]) -> None:
    question = questions["pvc"]
    post = await app.quiz.post(question, guild_id=None, channel_id=None, user_id=5)
    outcome = await app.quiz.answer_text(post.id, "Persistent volume claims!", user_id=5, guild_id=None, channel_id=None)
    text = quiz_views.feedback_text(outcome, app.quiz.source_passage(question), typed="Persistent volume claims!")
    lines = text.splitlines()
    assert lines[0] == "✅ Right! The answer is **persistent volume claim**."
    assert lines[1] == "A PersistentVolumeClaim asks for storage; Kubernetes binds it to a persistent volume."
    assert "> PVC is k8s own way of managing storage, a persistent volume, you have to map claims" in lines
    assert lines[-1] == "Source: `k8s-colearning-lesson-1.md:111-122`"


def test_feedback_always_fits_and_keeps_its_citation() -> None:
    from dataclasses import replace
    from datetime import datetime, timezone

    from bot.core.quiz.checking import Verdict
    from bot.core.quiz.posts import QuizPost, StoredAnswer, Tally
    from bot.core.quiz.service import Outcome
    from bot.core.search.answering import Passage
    from tests.core.quiz.fixtures import PVC

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    question = replace(PVC, id="q", answer="claim " * 200, explanation="why " * 300, source="deep/" * 150 + "n.md")
    post = QuizPost(1, "q", "quiz", None, None, None, 1, now, None)
    answer = StoredAnswer(1, 1, "q", None, None, 1, None, "x", False, True, now)
    outcome = Outcome(question, post, answer, Verdict(False, True, "near_miss"), Tally(1, 0))
    passage = Passage(source=question.source, heading=None, start_line=1, end_line=900, score=0.0,
                      text="\n\n".join(["- @everyone line"] * 400), matched=(), chunk_id="c")
    text = quiz_views.feedback_text(outcome, passage, typed="<@1> " * 100, base_url="https://example.org/notes")
    assert len(text) <= 2000
    assert text.splitlines()[-1].startswith("Source: `deep/deep/")
    assert "@everyone" not in text.replace("@\u200beveryone", "") and "<@1>" not in text


async def test_a_burst_of_clicks_is_answered_one_response_each_and_the_count_converges(
        bot: NotesBot, double: DiscordDouble, app: App, questions: dict[str, Question]) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    members = [double.add_member(f"clicker{i}") for i in range(12)]
    before, started = len(double.requests), time.monotonic()
    clicks = await asyncio.gather(*(double.send_component_click(f"quiz:choice:{post_id}:{i % 4}", message=it,
                                                                user=member) for i, member in enumerate(members)))
    replies = [await reply_of(double, click_) for click_ in clicks]
    assert [callback["type"] for callback, _ in replies].count(6) == 1  # one click became the count's editor
    assert all(reply["flags"] == EPHEMERAL and reply["content"][0] in "✅❌" for _, reply in replies)
    await double.wait_until(lambda: footer(double, it).startswith("12 answered"), what="the answer count")
    edits = [r for r in double.requests[before:] if r.method == "PATCH"]
    # coalesced: one edit soon after the first click, then at most one per EDIT_EVERY, however slow the machine
    assert 1 <= len(edits) <= 2 + (time.monotonic() - started) / quiz_counts.EDIT_EVERY, [r.path for r in edits]
    requests = [r for r in double.requests[before:] if r.method == "POST"]
    assert len(requests) == 12 + 1  # a response per click, and the editor's followup
    # a later click still updates the count, through the same editor
    _, late = await click(double, f"quiz:choice:{post_id}:0", it, double.add_member("late"))
    assert late["content"].startswith("✅")
    await double.wait_until(lambda: footer(double, it).startswith("13 answered"), what="the answer count")
    assert (await app.quiz.tally(post_id)).answered == 13


async def test_a_click_on_a_slow_database_is_acknowledged_in_time(
        bot: NotesBot, double: DiscordDouble, app: App, questions: dict[str, Question],
        monkeypatch: pytest.MonkeyPatch) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    await click(double, f"quiz:choice:{post_id}:1", it, "moderator")  # the post's first click: the count's editor
    slow(monkeypatch, app.quiz.answers, "store")
    callback, feedback = await click(double, f"quiz:choice:{post_id}:0", it, "member")
    assert callback == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…" privately, within Discord's 3 s
    assert feedback["content"].startswith("✅") and feedback["flags"] == EPHEMERAL
    await double.wait_until(lambda: footer(double, it).startswith("2 answered"), what="the answer count")


async def test_a_first_click_on_a_slow_database_is_deferred_once(
        bot: NotesBot, double: DiscordDouble, app: App, questions: dict[str, Question],
        monkeypatch: pytest.MonkeyPatch) -> None:
    it, response = await start_quiz(double, topic="hypervisor")
    post_id = post_id_of(response["data"])
    slow(monkeypatch, app.quiz.answers, "store")
    clicked = await double.send_component_click(f"quiz:choice:{post_id}:0", message=it, user="member")
    callback, feedback = await reply_of(double, clicked)
    assert callback["type"] == 6  # acknowledged once, as the count's editor: a slow store adds no "thinking…"
    assert feedback["content"].startswith("✅") and feedback["flags"] == EPHEMERAL
    callbacks = [r for r in double.interaction_responses(clicked) if r.path.endswith("/callback")]
    assert len(callbacks) == 1, callbacks
    await double.wait_until(lambda: footer(double, it).startswith("1 answered"), what="the answer count")


async def test_a_private_quiz_on_a_slow_database_defers_privately(
        bot: NotesBot, double: DiscordDouble, app: App, questions: dict[str, Question],
        monkeypatch: pytest.MonkeyPatch) -> None:
    slow(monkeypatch, app.quiz, "post")
    it = await double.send_slash_command("quiz", {"topic": "hypervisor", "private": True}, user="member")
    callback = await double.wait_for_callback(it)
    assert callback.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…" only for them
    await double.wait_for_followup(it, timeout=10)
    shown = double.get_message(it.original_message_id)  # the question completes that private message
    assert shown["flags"] & EPHEMERAL and shown["embeds"][0]["title"] == "Quiz"
    assert custom_ids(shown)[0].startswith("quiz:choice:")


def test_note_text_in_a_quiz_is_rendered_as_the_notes_show_it() -> None:
    """A question, its choices, the answer and the quoted passage are the notes' Markdown (code
    spans unescaped, a code block fenced), in /quiz, the feedback and the closed post (the daily
    reveal); only what the member typed is escaped."""
    from dataclasses import replace
    from datetime import datetime, timezone

    from bot.core.quiz.checking import Verdict
    from bot.core.quiz.posts import QuizPost, StoredAnswer, Tally
    from bot.core.quiz.service import Outcome
    from bot.core.search.answering import Passage
    from tests import reader_note
    from tests.adapter.conftest import assert_balanced_markdown
    from tests.core.quiz.fixtures import PVC

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    question = replace(PVC, id="q", prompt="Which flag of `kubectl delete` skips the *grace* period?",
                       choices=("`--force`", "`--now`", "`--all`", "`--wait` @everyone"), answer_index=0,
                       answer="`--force`", explanation="`--force` with `--grace-period=0`.")
    shown = quiz_views.render_quiz_message(question, 1, "quiz", 0)["embed"].description
    assert "**Which flag of `kubectl delete` skips the _grace_ period?**" in shown
    assert "**A.** `--force`" in shown and "**D.** `--wait` @\u200beveryone" in shown
    closed = quiz_views.render_closed_message(question, 1, "daily", Tally(1, 1), None)["embed"].description
    assert "✅ Answer: **A. `--force`**" in closed and "`--force` with `--grace-period=0`." in closed

    post = QuizPost(1, "q", "quiz", None, None, None, 1, now, None)
    answer = StoredAnswer(1, 1, "q", None, None, 1, None, "`--force` *x*", False, True, now)
    outcome = Outcome(question, post, answer, Verdict(False, True, "near_miss"), Tally(1, 0))
    passage = Passage(source=reader_note.NAME, heading=None, start_line=1, end_line=26, score=0.0,
                      text=reader_note.NOTE, matched=(), chunk_id="c")
    text = quiz_views.feedback_text(outcome, passage, typed="`--force` *x*")
    assert text.startswith("❌ Almost: you wrote “\\`--force\\` \\*x\\*”, close but not it. The answer is **A. `--force`**.")
    assert "> Ferris opens the _poem_ with `File::open` and reads it **whole**;" in text
    assert '> ```rust\n> let poem = fs::read_to_string("poem.txt")?;' in text
    for hidden in reader_note.HIDDEN:
        assert hidden not in text, hidden
    assert "@everyone" not in text.replace("@\u200beveryone", "") and len(text) <= 2000
    assert_balanced_markdown(text)
