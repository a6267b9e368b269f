"""Asking: /ask, its buttons and autocomplete, mentions, the message menu, limits and safety,
the cooldown and unexpected errors; asserted on what the bot sends over the wire."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from sqlalchemy.exc import OperationalError

from bot.adapter import acks, limits
from bot.adapter.client import NotesBot
from bot.app import App
from tests.adapter.conftest import (
    CONTAINER_SECTIONS,
    NOTES,
    ask,
    assert_balanced_markdown,
    assert_no_pings,
    button,
    connected,
    custom_ids,
    embed_of,
    embed_text,
)
from tests import reader_note
from tests.discord_double import DiscordDouble, Overwrite, Perm

EPHEMERAL = 64
CONTAINER_QUESTION = "what does a container do"
NO_MATCH_QUESTION = "bread flour yeast oven glaciar"


def answer_id_of(body: dict) -> int:
    return int(re.fullmatch(r"notes:more:(\d+):0", custom_ids(body)[0]).group(1))


# --------------------------------------------------------------------------- /ask


async def test_ask_answers_with_cited_passages_and_buttons(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    assert (cb.status, cb.json["type"]) == (200, 4)
    body = cb.json["data"]
    assert not body.get("flags", 0) & EPHEMERAL
    assert body["allowed_mentions"] == {"parse": []}
    embed = embed_of(body)
    assert embed["title"] == CONTAINER_QUESTION
    assert len(embed["fields"]) == 3
    # results show distinct notes first (issue 8): the pods note's passage may come third
    headings = {f"Containers > {h}" for h, _ in CONTAINER_SECTIONS} | {"Pods"}
    for rank, field in enumerate(embed["fields"], 1):
        number, _, heading = field["name"].partition(". ")
        assert number == str(rank) and heading in headings
        citation, text = field["value"].split("\n", 1)
        assert re.fullmatch(r"`(containers|pods)\.md:\d+-\d+`", citation)
        assert re.search(r"\*\*containers?\*\*", text)
    assert embed["footer"]["text"] == "Passages 1–3 from the notes"
    assert [c["label"] for c in body["components"][0]["components"]] == ["More", "Helpful", "Not helpful"]
    assert button(body, "More")["disabled"] is False
    record = await app.answers.get(answer_id_of(body))
    assert (record.question, record.user_id, record.guild_id) == (CONTAINER_QUESTION, double.member.id, double.guild.id)


async def test_ask_links_sources_when_notes_base_url_is_set(double: DiscordDouble, app: App) -> None:
    app.settings.notes_base_url = "https://github.com/study/notes/blob/main/"
    async with connected(NotesBot(app), double):
        _, cb = await ask(double, "restart policy")
    citation = embed_of(cb.json["data"])["fields"][0]["value"].split("\n")[0]
    assert citation == "[`pods.md:5-7`](https://github.com/study/notes/blob/main/pods.md#L5-L7)"


async def test_private_ask_is_ephemeral(bot: NotesBot, double: DiscordDouble) -> None:
    _, cb = await ask(double, CONTAINER_QUESTION, private=True)
    assert cb.json["data"]["flags"] == EPHEMERAL
    assert len(embed_of(cb.json["data"])["fields"]) == 3


async def test_ask_without_match_says_so_and_suggests(bot: NotesBot, double: DiscordDouble) -> None:
    _, cb = await ask(double, NO_MATCH_QUESTION)
    body = cb.json["data"]
    embed = embed_of(body)
    assert "fields" not in embed
    assert embed["description"].startswith("Nothing in the notes matches that question.")
    assert "Did you mean: **floor**?" in embed["description"]
    assert not body.get("components")


async def test_more_shows_the_next_passages_in_place(bot: NotesBot, double: DiscordDouble) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id = answer_id_of(cb.json["data"])
    first_page = {f["name"] for f in embed_of(cb.json["data"])["fields"]}

    click = await double.send_component_click(f"notes:more:{answer_id}:0", message=it)
    update = await double.wait_for_callback(click)
    assert update.json["type"] == 7  # UPDATE_MESSAGE: the same message, edited
    body = update.json["data"]
    assert body["allowed_mentions"] == {"parse": []}
    embed = embed_of(body)
    assert [f["name"].split(".")[0] for f in embed["fields"]] == ["4", "5", "6"]
    assert not first_page & {f["name"] for f in embed["fields"]}
    assert embed["footer"]["text"] == "Passages 4–6 from the notes"
    assert custom_ids(body) == [f"notes:more:{answer_id}:3", f"notes:helpful:{answer_id}:3",
                                f"notes:not_helpful:{answer_id}:3"]
    message = double.get_message(it.original_message_id)
    assert message["embeds"][0]["fields"][0]["name"].startswith("4. ")


async def test_more_stops_when_the_passages_run_out(bot: NotesBot, double: DiscordDouble) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id, offset = answer_id_of(cb.json["data"]), 0
    while True:
        click = await double.send_component_click(f"notes:more:{answer_id}:{offset}", message=it)
        body = (await double.wait_for_callback(click)).json["data"]
        offset += 3
        if button(body, "More")["disabled"]:
            break
        assert offset < 30
    with pytest.raises(ValueError, match="disabled"):
        await double.send_component_click(f"notes:more:{answer_id}:{offset}", message=it)


async def test_more_is_only_for_the_member_who_asked(bot: NotesBot, double: DiscordDouble) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    click = await double.send_component_click(custom_ids(cb.json["data"])[0], message=it, user="moderator")
    reply = await double.wait_for_callback(click)
    assert reply.json["data"]["flags"] == EPHEMERAL
    assert "Only the member who asked" in reply.json["data"]["content"]
    assert double.get_message(it.original_message_id)["embeds"][0]["fields"][0]["name"].startswith("1. ")


async def test_feedback_is_stored_with_the_passages_shown(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id = answer_id_of(cb.json["data"])
    shown = [f["value"].split("\n")[0].strip("`") for f in embed_of(cb.json["data"])["fields"]]

    for verdict, user in (("helpful", "member"), ("not_helpful", "moderator")):
        click = await double.send_component_click(f"notes:{verdict}:{answer_id}:0", message=it, user=user)
        ack = (await double.wait_for_callback(click)).json
        assert ack["type"] == 4 and ack["data"]["flags"] == EPHEMERAL
        assert ack["data"]["content"] == "Thanks for the feedback!"

    feedback = await app.answers.feedback(answer_id)
    assert [(user, verdict) for user, verdict, _ in feedback] == [
        (double.member.id, "helpful"), (double.moderator.id, "not_helpful")]
    assert [r["citation"] for r in feedback[0][2]] == shown


def citations(body: dict) -> list[str]:
    return [f["value"].split("\n")[0].strip("`") for f in embed_of(body)["fields"]]


@pytest.mark.parametrize("page", [2, 3])
async def test_feedback_on_a_later_page_is_stored_with_that_page(
    page: int, bot: NotesBot, double: DiscordDouble, app: App
) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id, offset, body = answer_id_of(cb.json["data"]), 0, cb.json["data"]
    for _ in range(page - 1):
        click = await double.send_component_click(f"notes:more:{answer_id}:{offset}", message=it)
        body = (await double.wait_for_callback(click)).json["data"]
        offset += 3
    shown = citations(body)
    assert embed_of(body)["footer"]["text"] == f"Passages {offset + 1}–{offset + 3} from the notes"

    vote = await double.send_component_click(f"notes:helpful:{answer_id}:{offset}", message=it)
    assert (await double.wait_for_callback(vote)).json["data"]["content"] == "Thanks for the feedback!"
    ((_, verdict, results),) = await app.answers.feedback(answer_id)
    assert verdict == "helpful" and [r["citation"] for r in results] == shown


async def test_feedback_after_a_reindex_keeps_the_passages_that_were_shown(
    bot: NotesBot, double: DiscordDouble, app: App, notes_dir
) -> None:
    it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id, shown = answer_id_of(cb.json["data"]), citations(cb.json["data"])
    (notes_dir / "containers.md").unlink()  # searching again now would find other passages
    await app.notes.reindex()
    vote = await double.send_component_click(f"notes:not_helpful:{answer_id}:0", message=it)
    await double.wait_for_callback(vote)
    ((_, verdict, results),) = await app.answers.feedback(answer_id)
    assert verdict == "not_helpful" and [r["citation"] for r in results] == shown


async def test_buttons_keep_working_after_a_restart(double: DiscordDouble, app: App) -> None:
    async with connected(NotesBot(app), double):
        it, cb = await ask(double, CONTAINER_QUESTION)
    answer_id = answer_id_of(cb.json["data"])
    async with connected(NotesBot(app), double):  # a new process would see only the message
        click = await double.send_component_click(f"notes:more:{answer_id}:0", message=it)
        update = await double.wait_for_callback(click)
        vote = await double.send_component_click(f"notes:helpful:{answer_id}:3", message=it)
        await double.wait_for_callback(vote)
    assert embed_of(update.json["data"])["footer"]["text"] == "Passages 4–6 from the notes"
    assert [verdict for _, verdict, _ in await app.answers.feedback(answer_id)] == ["helpful"]


async def test_ask_autocompletes_from_headings(bot: NotesBot, double: DiscordDouble) -> None:
    it = await double.send_autocomplete("ask", {"question": "Contai"})
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 8
    names = [c["name"] for c in cb.json["data"]["choices"]]
    assert "Container images" in names and "Container probes" in names
    assert len(names) <= limits.CHOICES and all(1 <= len(n) <= limits.CHOICE_LENGTH for n in names)


# --------------------------------------------------------------------------- mentions and DMs


async def test_mention_gets_a_reply_to_the_message(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    sent = await double.send_message(f"<@{double.bot_user.id}> what is a pod?")
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert rec.json["message_reference"]["message_id"] == sent.id
    assert rec.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    embed = embed_of(rec.json)
    assert embed["title"] == "what is a pod?"
    assert embed["fields"][0]["value"].startswith("`pods.md:")
    assert [c["label"] for c in rec.json["components"][0]["components"]] == ["More", "Helpful", "Not helpful"]
    reply = double.get_message(int(rec.response["id"]))
    assert reply["mentions"] == [] and reply["referenced_message"]["id"] == str(sent.id)
    record = await app.answers.get(answer_id_of(rec.json))
    assert (record.question, record.user_id) == ("what is a pod?", double.member.id)


async def test_a_mention_of_the_bots_own_role_is_a_mention(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    """Members often pick the bot's managed role from the @-menu instead of the bot itself. (The
    double withholds the content of messages that mention no user; this one's is delivered.)"""
    bot_role = next(r for r in double.guild.roles if r.managed)
    double.enforce_message_content = False
    sent = await double.send_message(f"<@&{bot_role.id}> what is a pod?", mention_roles=[bot_role])
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert rec.json["message_reference"]["message_id"] == sent.id
    assert embed_of(rec.json)["title"] == "what is a pod?"  # the role mention is not part of the question


async def test_a_mention_of_another_role_is_not_a_question(bot: NotesBot, double: DiscordDouble) -> None:
    other = next(r for r in double.guild.roles if r.name == "Moderator")
    double.enforce_message_content = False
    await double.send_message(f"<@&{other.id}> what is a pod?", mention_roles=[other])
    await double.send_message(f"<@{double.bot_user.id}> restart policy")  # a later message that is one
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert embed_of(rec.json)["title"] == "restart policy"
    assert len(double.find("POST", r"/channels/\d+/messages")) == 1


async def test_bare_mention_gets_short_help(bot: NotesBot, double: DiscordDouble) -> None:
    sent = await double.send_message(f"<@{double.bot_user.id}>")
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert rec.json["message_reference"]["message_id"] == sent.id
    assert "/ask" in rec.json["content"] and "/help" in rec.json["content"]
    assert not rec.json.get("embeds")


async def test_messages_without_mention_and_from_bots_are_ignored(bot: NotesBot, double: DiscordDouble) -> None:
    other_bot = double.add_member("otherbot")
    other_bot.user.bot = True
    await double.send_message("what is a pod?")
    await double.send_message("@everyone what is a pod?")
    await double.send_message(f"<@{double.bot_user.id}> what is a pod?", author=other_bot)
    last = await double.send_message(f"<@{double.bot_user.id}> restart policy")
    rec = await double.wait_for("POST", r"/channels/\d+/messages")
    assert rec.json["message_reference"]["message_id"] == last.id
    assert len(double.find("POST", r"/channels/\d+/messages")) == 1


async def test_the_bots_own_messages_are_not_parsed(bot: NotesBot, double: DiscordDouble) -> None:
    """The gateway echoes every message the bot sends; only members' messages become `Message`s
    (an answer's embed and buttons are not parsed for nothing)."""
    seen: list[int] = []

    async def on_message(message: object) -> None:
        seen.append(message.id)  # type: ignore[attr-defined]

    bot.add_listener(on_message)
    asked = await double.send_message(f"<@{double.bot_user.id}> what is a pod?")
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    later = await double.send_message("thanks")  # delivered after the echo of the answer
    await double.wait_until(lambda: later.id in seen, timeout=10, what="the member's next message")
    assert asked.id in seen and int(rec.response["id"]) not in seen


async def test_direct_message_is_answered_without_mention(bot: NotesBot, double: DiscordDouble) -> None:
    sent = await double.send_message("restart policy", dm=True)
    rec = await double.wait_for("POST", rf"/channels/{sent.channel_id}/messages")
    assert rec.json["message_reference"]["message_id"] == sent.id
    assert embed_of(rec.json)["fields"][0]["value"].startswith("`pods.md:5-7`")


# --------------------------------------------------------------------------- the message menu


async def test_menu_replies_to_the_target_message(bot: NotesBot, double: DiscordDouble) -> None:
    target = await double.send_message("what is the restart policy of a pod", author="admin")
    it = await double.send_context_menu("Search the notes", target_message=target, user="member")
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert rec.json["message_reference"]["message_id"] == target.id
    assert rec.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert embed_of(rec.json)["title"] == "what is the restart policy of a pod"
    assert embed_of(rec.json)["fields"][0]["value"].startswith("`pods.md:5-7`")
    await double.wait_until(lambda: len(double.interaction_responses(it)) == 2)
    callback, delete = double.interaction_responses(it)
    assert callback.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # acknowledged privately at once
    assert delete.method == "DELETE" and delete.status == 204  # then the "thinking…" goes away


async def test_menu_answers_privately_where_the_bot_cannot_post(bot: NotesBot, double: DiscordDouble) -> None:
    target = await double.send_message("what is the restart policy of a pod", author="admin")
    bot_role = next(r for r in double.guild.roles if r.managed)
    double.channel.overwrites.append(Overwrite(bot_role.id, type=0, deny=Perm.SEND_MESSAGES))
    it = await double.send_context_menu("Search the notes", target_message=target, user="member")
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 4 and cb.json["data"]["flags"] == EPHEMERAL
    assert embed_of(cb.json["data"])["fields"][0]["value"].startswith("`pods.md:5-7`")
    assert not double.find("POST", r"/channels/\d+/messages")


async def test_menu_answers_privately_where_the_bot_may_not_embed(bot: NotesBot, double: DiscordDouble) -> None:
    """Without Embed Links Discord would drop the answer's embed: reply privately instead."""
    target = await double.send_message("what is the restart policy of a pod", author="admin")
    bot_role = next(r for r in double.guild.roles if r.managed)
    double.channel.overwrites.append(Overwrite(bot_role.id, type=0, deny=Perm.EMBED_LINKS))
    it = await double.send_context_menu("Search the notes", target_message=target, user="member")
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 4 and cb.json["data"]["flags"] == EPHEMERAL
    assert embed_of(cb.json["data"])["fields"][0]["value"].startswith("`pods.md:5-7`")
    assert not double.find("POST", r"/channels/\d+/messages")


async def test_menu_on_a_message_without_text(bot: NotesBot, double: DiscordDouble) -> None:
    target = await double.send_message("", author="admin", embeds=[{"title": "just an embed"}])
    it = await double.send_context_menu("Search the notes", target_message=target)
    cb = await double.wait_for_callback(it)
    assert cb.json["data"] == {**cb.json["data"], "content": "That message has no text to search the notes for.",
                               "flags": EPHEMERAL}


# --------------------------------------------------------------------------- safety and limits


async def test_mentions_in_a_note_ping_no_one(bot: NotesBot, double: DiscordDouble) -> None:
    it, cb = await ask(double, "exam timetable")
    body = cb.json["data"]
    assert_no_pings(body)
    value = embed_of(body)["fields"][0]["value"]
    assert "@\u200beveryone" in value and "<@\u200b123>" in value and "<@\u200b&456>" in value
    message = double.get_message(it.original_message_id)
    assert (message["mentions"], message["mention_roles"], message["mention_everyone"]) == ([], [], False)


async def test_an_answer_shows_the_notes_markdown_rendered(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    """Over the wire, a passage is the notes' Markdown for Discord to render: code spans unescaped,
    code blocks with their language, nothing a reader never sees (a comment, an anchor, a tag, a
    directive), and still no mention that could ping."""
    (app.settings.notes_dir / reader_note.NAME).write_text(reader_note.NOTE, encoding="utf-8")
    await app.notes.reindex()
    it, cb = await ask(double, reader_note.QUESTION)
    assert cb.status == 200
    body = cb.json["data"]
    assert_no_pings(body)
    values = [f["value"] for f in embed_of(body)["fields"] if f["value"].startswith(f"`{reader_note.NAME}:")]
    text = "\n".join(values)
    assert "`File::open`" in text and "\\`" not in text  # inline code, not escaped backticks
    assert "<!--" not in text
    for hidden in reader_note.HIDDEN:
        assert hidden not in text, hidden
    assert '```rust\nlet poem = fs::read_to_string("poem.txt")?;' in text
    assert "_Listing 12-3: A **poem** by Emily Dickinson_" in text
    for value in values:
        assert_balanced_markdown(value)
    message = double.get_message(it.original_message_id)
    assert (message["mentions"], message["mention_roles"], message["mention_everyone"]) == ([], [], False)


async def test_mentions_in_a_question_ping_no_one(bot: NotesBot, double: DiscordDouble) -> None:
    role = double.guild.get_role(next(r.id for r in double.guild.roles if r.name == "Moderator"))
    question = f"@everyone @here <@{double.member.id}> <@123> <@&{role.id}> <@&456> exam timetable"
    _, cb = await ask(double, question)
    assert_no_pings(cb.json["data"])

    await double.send_message(f"<@{double.bot_user.id}> {question}", author="admin")
    rec = await double.wait_for("POST", r"/channels/\d+/messages")
    assert_no_pings(rec.json)
    reply = double.get_message(int(rec.response["id"]))
    assert (reply["mentions"], reply["mention_roles"], reply["mention_everyone"]) == ([], [], False)


async def test_a_very_long_passage_is_cut_at_a_word_within_limits(bot: NotesBot, double: DiscordDouble) -> None:
    _, cb = await ask(double, "glacier valley")
    assert cb.status == 200  # the double rejects (400) anything over Discord's limits
    (field,) = [f for f in embed_of(cb.json["data"])["fields"] if f["value"].startswith("`glacier.md")]
    value = field["value"]
    assert len(value) <= limits.FIELD_VALUE
    assert value.endswith(limits.ELLIPSIS) and not value[:-1].endswith(" ")
    assert_balanced_markdown(value)
    assert "**glacier**" in value
    last_word = re.sub(r"\\(.)", r"\1", value[:-1].rsplit(" ", 1)[1]).replace("*", "").replace("`", "")
    assert last_word in set(re.findall(r"[\w,]+", NOTES["glacier.md"]))  # a whole word of the note


async def test_a_very_long_question_stays_within_limits(bot: NotesBot, double: DiscordDouble, app: App) -> None:
    question = "what is the restart policy of a pod " + " ".join(f"word{i}" for i in range(900))
    _, cb = await ask(double, question)
    assert cb.status == 200
    embed = embed_of(cb.json["data"])
    assert len(embed["title"]) <= 200 and embed["title"].endswith(limits.ELLIPSIS)
    assert len(embed_text(embed)) <= limits.EMBED_TOTAL

    await double.send_message(f"<@{double.bot_user.id}> {question}")
    rec = await double.wait_for("POST", r"/channels/\d+/messages")
    assert rec.status == 200 and len(embed_of(rec.json)["title"]) <= 200


# --------------------------------------------------------------------------- cooldown and errors


async def test_cooldown_refuses_the_sixth_question_without_searching(
    bot: NotesBot, double: DiscordDouble, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[str] = []
    search = app.notes.search
    monkeypatch.setattr(app.notes, "search", lambda q, **kw: searches.append(q) or search(q, **kw))
    for i in range(5):
        _, cb = await ask(double, f"restart policy {i}")
        assert embed_of(cb.json["data"])
    _, cb = await ask(double, "restart policy 6")
    assert cb.json["data"]["flags"] == EPHEMERAL
    assert re.fullmatch(r"You're asking quickly: try again in (2\d|30) s\.", cb.json["data"]["content"])
    assert len(searches) == 5
    # mentions and the menu share the member's cooldown: one short notice, then silence
    first = await double.send_message(f"<@{double.bot_user.id}> restart policy")
    rec = await double.wait_for("POST", r"/channels/\d+/messages")
    assert rec.json["message_reference"]["message_id"] == first.id
    assert rec.json["content"].startswith("You're asking quickly")
    await double.send_message(f"<@{double.bot_user.id}> restart policy again")
    it = await double.send_context_menu("Search the notes", target_message=first)
    assert (await double.wait_for_callback(it)).json["data"]["content"].startswith("You're asking quickly")
    assert len(double.find("POST", r"/channels/\d+/messages")) == 1
    assert len(searches) == 5
    # another member is not affected
    _, cb = await ask(double, "restart policy", user="moderator")
    assert embed_of(cb.json["data"])["fields"]


async def test_a_slow_database_is_acknowledged_in_time(
    bot: NotesBot, double: DiscordDouble, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(acks, "ACK_AFTER", 0.05)
    record = app.answers.record_answer

    async def slow_record(**kwargs: object) -> int:
        await asyncio.sleep(0.5)  # e.g. SQLite's write lock, held by a reindex in another process
        return await record(**kwargs)

    monkeypatch.setattr(app.answers, "record_answer", slow_record)
    monkeypatch.setattr(app.answers, "record_answer_now", lambda **kwargs: None)  # a new block of ids is due
    it, cb = await ask(double, "restart policy", private=True)
    assert cb.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…", within Discord's 3 s
    followup = (await double.wait_for_followup(it)).json
    assert embed_of(followup)["fields"][0]["value"].startswith("`pods.md:5-7`")
    assert custom_ids(followup)[0].startswith("notes:more:")
    assert followup["allowed_mentions"] == {"parse": []}


async def test_an_answer_whose_id_is_in_memory_never_waits_for_the_database(
    bot: NotesBot, double: DiscordDouble, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first answer has reserved a block of ids, the next ones take theirs from memory:
    a locked database (say, a reindex in another process) does not touch their reply."""
    _, first = await ask(double, "restart policy")

    async def locked(**kwargs: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(app.answers, "record_answer", locked)
    _, cb = await ask(double, "what is a pod")
    assert cb.json["type"] == 4  # answered at once, not deferred
    assert answer_id_of(cb.json["data"]) == answer_id_of(first.json["data"]) + 1
    assert (await app.answers.get(answer_id_of(cb.json["data"]))).question == "what is a pod"  # type: ignore[union-attr]


async def test_an_answer_that_cannot_be_stored_is_sent_without_buttons(
    bot: NotesBot, double: DiscordDouble, app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def locked(**kwargs: object) -> int:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(app.answers, "record_answer", locked)
    monkeypatch.setattr(app.answers, "record_answer_now", lambda **kwargs: None)  # a new block of ids is due
    _, cb = await ask(double, "restart policy")
    assert embed_of(cb.json["data"])["fields"][0]["value"].startswith("`pods.md:5-7`")
    assert not cb.json["data"].get("components")
    assert "sending it without buttons" in caplog.records[-1].getMessage()


@pytest.mark.expect_error_log
async def test_an_unexpected_error_is_reported_and_logged(
    bot: NotesBot, double: DiscordDouble, app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(question: str, **kwargs: object) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(app.notes, "search", broken)
    _, cb = await ask(double, "what is a pod")
    assert cb.json["data"]["flags"] == EPHEMERAL
    assert cb.json["data"]["content"].startswith("Something went wrong")
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = record.getMessage()
    assert "/ask" in message and str(double.guild.id) in message and str(double.member.id) in message
    assert record.exc_info and "index on fire" in str(record.exc_info[1])

    await double.send_message(f"<@{double.bot_user.id}> what is a pod")
    rec = await double.wait_for("POST", r"/channels/\d+/messages")
    assert rec.json["content"].startswith("Something went wrong")
    assert "answering a mention failed" in caplog.records[-1].getMessage()
