"""The Discord test double, exercised with the real discord.py client over loopback.

These tests pin down the double's protocol behaviour (what discord.py sends, what the
double answers) using a small test-only bot; the project's own end-to-end tests build on
the same fixtures.
"""

from __future__ import annotations

import asyncio
import io

import discord
import discord.gateway
import discord.http
import discord.utils
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.discord_double import (
    DiscordDouble,
    Overwrite,
    Perm,
    WaitTimeout,
    patch_discord,
    running_client,
)
from tests.discord_double.fixtures import discord_double, patched_discord  # noqa: F401  (fixtures)

PONG_MENTIONS = {"parse": []}


# --------------------------------------------------------------------------- the test-only bot


class ConfirmView(discord.ui.View):
    def __init__(self, log: list[str]) -> None:
        super().__init__(timeout=30)
        self.log = log

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.green, custom_id="confirm")
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.log.append(f"confirm:{interaction.user.name}")
        button.disabled = True
        await interaction.response.edit_message(content=f"Confirmed by {interaction.user.name}", view=self)
        self.stop()


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="Your feedback", custom_id="feedback_text")

    def __init__(self, log: list[str]) -> None:
        super().__init__(custom_id="feedback_modal")
        self.log = log

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.log.append(f"feedback:{self.text.value}")
        await interaction.response.send_message("Thanks!", ephemeral=True)


class DoubleTestBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(), help_command=None)
        self.log: list[str] = []
        self.ready_count = 0
        self.seen_messages: list[discord.Message] = []
        self.add_app_commands()

    async def on_ready(self) -> None:
        self.ready_count += 1

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)
        if message.author.bot:
            return
        if isinstance(message.channel, discord.DMChannel) or self.user.mentioned_in(message):
            await message.reply(f"you said: {message.clean_content}", mention_author=False)

    def add_app_commands(self) -> None:
        tree = self.tree
        log = self.log

        @tree.command(name="ping", description="Check that the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "pong", ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )

        @tree.command(name="slow", description="Think, then answer")
        @app_commands.describe(topic="What to look up")
        async def slow(interaction: discord.Interaction, topic: str, limit: int = 3) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"{limit} notes about {topic}")

        @tree.command(name="confirm", description="Ask for confirmation")
        async def confirm(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Are you sure?", view=ConfirmView(log))

        @tree.command(name="feedback", description="Send feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(log))

        @tree.command(name="export", description="Export notes as a file")
        async def export(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                "here you go", file=discord.File(io.BytesIO(b"# Notes\n"), filename="notes.md")
            )

        @tree.command(name="whoami", description="Show your permissions")
        async def whoami(interaction: discord.Interaction) -> None:
            perms = interaction.permissions
            await interaction.response.send_message(
                f"{interaction.user.name} manage_guild={perms.manage_guild} admin={perms.administrator}",
                ephemeral=True,
            )

        @tree.command(name="search", description="Search the notes")
        async def search(interaction: discord.Interaction, query: str) -> None:
            await interaction.response.send_message(f"results for {query}")

        @search.autocomplete("query")
        async def search_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            topics = ["graphs", "greedy", "dynamic programming"]
            return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

        @tree.context_menu(name="Quote note")
        async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"> {message.content}", ephemeral=True)


# --------------------------------------------------------------------------- fixtures


# The autouse `no_leaks` guard (leaked tasks, heartbeat threads, ERROR logs) is in conftest.py.


@pytest_asyncio.fixture
async def bot(patched_discord: DiscordDouble):  # noqa: F811
    client = DoubleTestBot()
    async with running_client(client, patched_discord):
        yield client


# --------------------------------------------------------------------------- connection


async def test_client_connects_and_fires_ready(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    assert bot.ready_count == 1
    assert bot.user.id == double.bot_user.id
    assert bot.application_id == double.application_id
    guild = bot.get_guild(double.guild.id)
    assert guild is not None and not guild.unavailable
    assert guild.name == "Study Group"
    assert guild.get_channel(double.channel.id).name == "general"
    assert guild.me.guild_permissions.send_messages
    # default intents: no members intent -> Discord only sends the bot's own member
    assert [m.id for m in guild.members] == [double.bot_user.id]
    assert guild.member_count == 5

    conn = double.connections[-1]
    assert conn.identify["token"] == double.token
    assert conn.identify["intents"] == discord.Intents.default().value
    assert conn.query["v"] == "10" and conn.query["encoding"] == "json"
    assert conn.query["compress"] == discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert conn.heartbeats >= 1  # discord.py heartbeats right after HELLO
    dispatched = [p for p in conn.sent if p["op"] == 0]
    assert [p["t"] for p in dispatched][:2] == ["READY", "GUILD_CREATE"]
    assert [p["s"] for p in dispatched] == list(range(1, len(dispatched) + 1))
    assert [r.path for r in double.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert all(r.authorized for r in double.requests[:2])
    assert "Authorization" not in double.requests[0].headers


async def test_patch_discord_restores_endpoints(discord_double: DiscordDouble) -> None:  # noqa: F811
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    with patch_discord(discord_double):
        assert discord.http.Route("GET", "/users/@me").url == discord_double.rest_base + "/users/@me"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == discord_double.gateway_url
    assert discord.http.Route.BASE == base
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == gateway
    assert discord_double.endpoint_env()["DISCORD_API_BASE"] == discord_double.rest_base


async def test_bad_token_raises_login_failure(patched_discord: DiscordDouble) -> None:  # noqa: F811
    client = DoubleTestBot()
    try:
        with pytest.raises(discord.LoginFailure):
            await client.start("not-the-token")
    finally:
        await client.close()
    rec = patched_discord.requests[-1]
    assert (rec.method, rec.path, rec.status) == ("GET", "/users/@me", 401)
    assert rec.response == {"message": "401: Unauthorized", "code": 0}
    assert rec.authorized is False
    assert not patched_discord.connections


async def test_disallowed_privileged_intent_is_rejected() -> None:
    async with DiscordDouble(privileged_intents=()) as double:
        with patch_discord(double):
            intents = discord.Intents.default()
            intents.message_content = True
            client = discord.Client(intents=intents)
            try:
                with pytest.raises(discord.PrivilegedIntentsRequired):
                    await asyncio.wait_for(client.start(double.token), 5)
            finally:
                await client.close()
            assert double.connections[-1].close_code == 4014


async def test_uncompressed_text_frames_fallback(patched_discord: DiscordDouble, monkeypatch) -> None:  # noqa: F811
    # a client asking for a compression the double can't produce gets plain text frames
    monkeypatch.setattr(discord.utils._ActiveDecompressionContext, "COMPRESSION_TYPE", "zstd-stream")
    client = DoubleTestBot()
    async with running_client(client, patched_discord):
        assert patched_discord.connections[-1].query["compress"] == "zstd-stream"
        it = await patched_discord.send_slash_command("ping")
        assert (await patched_discord.wait_for_callback(it)).json["data"]["content"] == "pong"


async def test_reconnect_resumes_session(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    first = double.connections[-1]
    await double.request_reconnect()
    await double.wait_until(lambda: len(double.connections) == 2 and double.connections[1].ready.is_set())
    second = double.connections[1]
    assert second.resume is not None and second.resume["session_id"] == first.session.id
    assert second.session is first.session
    assert second.sent[-1]["t"] == "RESUMED"
    # still works after the resume
    it = await double.send_slash_command("ping")
    assert (await double.wait_for_callback(it)).json["data"]["content"] == "pong"


# --------------------------------------------------------------------------- app commands


async def test_tree_sync_puts_commands(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    synced = await bot.tree.sync()
    rec = double.find("PUT", rf"/applications/{double.application_id}/commands")[-1]
    sent = {c["name"]: c for c in rec.json}
    assert sent["ping"]["description"] == "Check that the bot is alive"
    assert sent["ping"]["type"] == 1
    assert sent["slow"]["options"][0] == {
        **sent["slow"]["options"][0],
        "name": "topic",
        "description": "What to look up",
        "type": 3,
        "required": True,
    }
    assert sent["Quote note"]["type"] == 3 and not sent["Quote note"].get("description")
    assert double.command_sync_count() == 1
    assert {c.name for c in synced} == set(sent)
    assert {c.id for c in synced} == {int(c["id"]) for c in double.registered_commands()}

    # guild sync is a separate scope
    bot.tree.copy_global_to(guild=discord.Object(double.guild.id))
    await bot.tree.sync(guild=discord.Object(double.guild.id))
    assert double.command_sync_count(double.guild.id) == 1
    assert len(double.registered_commands(double.guild.id)) == len(sent)


async def test_invalid_command_payload_is_rejected(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    with pytest.raises(discord.HTTPException) as exc_info:
        await bot.http.bulk_upsert_global_commands(bot.application_id, [{"name": "Bad Name", "description": "x", "type": 1}])
    assert exc_info.value.status == 400 and exc_info.value.code == 50035


async def test_slash_command_replies_ephemeral_pong(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    await bot.tree.sync()
    it = await double.send_slash_command("ping")
    ping_cmd = next(c for c in double.registered_commands() if c["name"] == "ping")
    assert it.payload["data"] == {"name": "ping", "type": 1, "id": ping_cmd["id"]}
    assert it.payload["member"]["user"]["id"] == str(double.member.id)
    cb = await double.wait_for_callback(it)
    assert cb.query == {"with_response": "1"}
    assert cb.status == 200
    assert cb.json["type"] == 4
    assert cb.json["data"]["content"] == "pong"
    assert cb.json["data"]["flags"] == 64
    assert cb.json["data"]["allowed_mentions"] == PONG_MENTIONS
    msg = double.get_message(it.original_message_id)
    assert msg["flags"] & 64 and msg["type"] == 20
    assert msg["interaction_metadata"]["id"] == str(it.id)
    assert double.interaction_responses(it) == [cb]


async def test_permissions_are_computed_from_roles(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    answers = {}
    for who in ("member", "moderator", "admin"):
        it = await double.send_slash_command("whoami", user=who)
        answers[who] = (await double.wait_for_callback(it)).json["data"]["content"]
    assert answers == {
        "member": "alice manage_guild=False admin=False",
        "moderator": "mod manage_guild=True admin=False",
        "admin": "admin manage_guild=True admin=True",
    }


async def test_defer_then_followup(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_slash_command("slow", {"topic": "graphs", "limit": 2})
    follow = await double.wait_for_followup(it)
    callback, followup = double.interaction_responses(it)
    assert callback.json == {"type": 5}
    assert followup is follow
    assert follow.path == f"/webhooks/{double.application_id}/{it.token}"
    assert follow.query["wait"] == "1"
    assert follow.json["content"] == "2 notes about graphs"
    # the first followup after a "thinking" defer completes the loading message
    assert follow.response["id"] == str(it.original_message_id)
    msg = double.get_message(it.original_message_id)
    assert msg["content"] == "2 notes about graphs" and not msg["flags"] & 128


async def test_button_click_dispatches_to_view(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_slash_command("confirm")
    cb = await double.wait_for_callback(it)
    assert cb.json["data"]["components"][0]["components"][0]["custom_id"] == "confirm"

    click = await double.send_component_click("confirm", message=it, user="moderator")
    upd = await double.wait_for_callback(click)
    assert upd.json["type"] == 7
    assert upd.json["data"]["content"] == "Confirmed by mod"
    assert bot.log == ["confirm:mod"]
    msg = double.get_message(it.original_message_id)
    assert msg["content"] == "Confirmed by mod"
    assert msg["components"][0]["components"][0]["disabled"] is True
    with pytest.raises(ValueError, match="disabled"):
        await double.send_component_click("confirm", message=it)


async def test_message_context_menu(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    note = await double.send_message("Dijkstra needs non-negative weights", author="admin")
    it = await double.send_context_menu("Quote note", target_message=note)
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 4
    assert cb.json["data"]["content"] == "> Dijkstra needs non-negative weights"
    assert double.get_message(it.original_message_id)["type"] == 23


async def test_autocomplete(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_autocomplete("search", {"query": "gr"})
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 8
    assert [c["value"] for c in cb.json["data"]["choices"]] == ["graphs", "greedy"]
    assert it.autocomplete_choices == cb.json["data"]["choices"]


async def test_modal_roundtrip(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_slash_command("feedback")
    cb = await double.wait_for_callback(it)
    assert cb.json["type"] == 9 and cb.json["data"]["custom_id"] == "feedback_modal"
    sub = await double.send_modal_submit("feedback_modal", {"feedback_text": "more graphs please"})
    done = await double.wait_for_callback(sub)
    assert done.json["data"]["content"] == "Thanks!"
    assert bot.log == ["feedback:more graphs please"]


async def test_file_upload_is_multipart(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_slash_command("export")
    cb = await double.wait_for_callback(it)
    assert cb.json["data"]["content"] == "here you go"  # payload_json parsed
    assert [(f.field, f.filename, f.data) for f in cb.files] == [("files[0]", "notes.md", b"# Notes\n")]
    att = double.get_message(it.original_message_id)["attachments"][0]
    assert att["filename"] == "notes.md" and att["size"] == 8
    original = await bot.get_partial_messageable(double.channel.id).fetch_message(it.original_message_id)
    assert await original.attachments[0].read() == b"# Notes\n"


async def test_responding_twice_is_rejected(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    it = await double.send_slash_command("ping")
    await double.wait_for_callback(it)
    adapter = discord.webhook.async_.async_context.get()
    params = discord.webhook.async_.interaction_response_params(type=4, data={"content": "again"})
    with pytest.raises(discord.HTTPException) as exc_info:
        await adapter.create_interaction_response(it.id, it.token, session=bot.http._HTTPClient__session, params=params)
    assert exc_info.value.code == 40060


# --------------------------------------------------------------------------- messages


async def test_mention_gets_a_reply(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    sent = await double.send_message(f"<@{double.bot_user.id}> what is a heap?")
    assert sent.delivered
    rec = await double.wait_for("POST", rf"/channels/{double.channel.id}/messages")
    assert rec.json["message_reference"]["message_id"] == sent.id
    assert rec.json["allowed_mentions"]["replied_user"] is False
    assert rec.json["content"] == "you said: @NotesBot what is a heap?"
    reply = double.get_message(int(rec.response["id"]))
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == str(sent.id)
    assert reply["mentions"] == []  # mention_author=False -> nobody pinged
    # Discord echoes the bot's own message back; the bot must not answer itself
    await double.wait_until(lambda: any(m.id == int(reply["id"]) for m in bot.seen_messages))
    assert len(double.bot_messages()) == 1


async def test_message_without_mention_is_ignored(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    sent = await double.send_message("just chatting")
    await double.wait_until(lambda: any(m.id == sent.id for m in bot.seen_messages))
    assert bot.seen_messages[-1].content == "just chatting"
    assert not double.find("POST", r"/channels/\d+/messages")


async def test_dm_gets_a_reply(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    sent = await double.send_message("hello in private", dm=True)
    rec = await double.wait_for("POST", rf"/channels/{sent.channel_id}/messages")
    assert rec.json["content"] == "you said: hello in private"
    assert isinstance(bot.seen_messages[0].channel, discord.DMChannel)


async def test_missing_channel_permission_is_forbidden(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    bot_role = next(r for r in double.guild.roles if r.managed)
    double.channel.overwrites.append(Overwrite(bot_role.id, type=0, deny=Perm.SEND_MESSAGES))
    with pytest.raises(discord.Forbidden) as exc_info:
        await bot.get_channel(double.channel.id).send("hello")
    assert exc_info.value.code == 50013


async def test_injected_error_and_unknown_route(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    double.inject_error("POST", r"/channels/\d+/messages", 403, code=50007, message="Cannot send messages to this user")
    with pytest.raises(discord.Forbidden):
        await bot.get_channel(double.channel.id).send("hello")
    await bot.get_channel(double.channel.id).send("hello again")  # injection was one-shot

    double.inject_error("POST", r"/channels/\d+/messages", 429)  # discord.py sleeps retry_after, retries
    mark = double.mark()
    await bot.get_channel(double.channel.id).send("rate limited once")
    assert [r.status for r in double.find("POST", r"/channels/\d+/messages", after=mark)] == [429, 200]

    with pytest.raises(discord.NotFound) as exc_info:
        await bot.http.request(discord.http.Route("GET", "/sticker-packs/{pack_id}", pack_id=1))
    assert exc_info.value.text == "404: Not Found"
    assert [(r.method, r.path) for r in double.unknown_requests] == [("GET", "/sticker-packs/1")]


async def test_rest_fetches_and_edits(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    channel = await bot.fetch_channel(double.channel.id)
    assert isinstance(channel, discord.TextChannel) and channel.name == "general"
    guild = await bot.fetch_guild(double.guild.id)
    assert guild.name == "Study Group" and guild.owner_id == double.owner.id
    member = await guild.fetch_member(double.moderator.id)
    assert [r.name for r in member.roles if not r.is_default()] == ["Moderator"]
    user = await bot.fetch_user(double.member.id)
    assert user.name == "alice"

    first = await double.send_message("first note", author="admin")
    async with channel.typing():
        msg = await channel.send("second note", embed=discord.Embed(title="Graphs", description="BFS/DFS"))
    assert double.typing == [channel.id]
    assert [m.content async for m in channel.history(limit=10)] == ["second note", "first note"]
    await msg.add_reaction("\N{WHITE HEAVY CHECK MARK}")
    assert double.reactions == [(msg.id, "\N{WHITE HEAVY CHECK MARK}")]
    edited = await msg.edit(content="second note (edited)")
    assert edited.edited_at is not None
    assert double.get_message(msg.id)["embeds"][0]["title"] == "Graphs"
    await msg.delete()
    assert double.get_message(msg.id) is None and msg.id in double.deleted_messages
    fetched = await channel.fetch_message(first.id)
    assert fetched.author.id == double.admin.id

    sent = await user.send("private hello")
    assert isinstance(sent.channel, discord.DMChannel)
    assert double.find("POST", r"/users/@me/channels")[0].json == {"recipient_id": double.member.id}


async def test_a_nonce_with_enforce_nonce_gives_back_the_message_already_made(
        bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    double = patched_discord
    channel = bot.get_channel(double.channel.id)
    first = await channel.send("question of the day", nonce="daily-1")
    again = await channel.send("question of the day, sent again", nonce="daily-1")
    assert again.id == first.id and first.nonce == "daily-1"
    assert [m["content"] for m in double.bot_messages()] == ["question of the day"]
    assert [r.json["enforce_nonce"] for r in double.find("POST", r"/channels/\d+/messages")] == [True, True]
    other = await channel.send("another message")  # discord.py's own random nonce
    assert other.id != first.id
    assert all(m.nonce is None for m in [m async for m in channel.history(limit=10)])  # not kept by Discord
    assert (await channel.fetch_message(first.id)).nonce is None
    double.advance_time(double.nonce_window + 1)  # Discord checks "the past few minutes" only
    later = await channel.send("question of the day", nonce="daily-1")
    assert later.id != first.id
    with pytest.raises(discord.HTTPException) as refused:
        await channel.send("x", nonce="n" * 26)
    assert refused.value.status == 400 and "nonce" in str(refused.value)


async def test_wait_for_timeout_lists_what_was_recorded(bot: DoubleTestBot, patched_discord: DiscordDouble) -> None:
    with pytest.raises(WaitTimeout) as exc_info:
        await patched_discord.wait_for("POST", r"/channels/\d+/messages", timeout=0.05)
    assert "GET /users/@me" in str(exc_info.value)


async def test_message_content_is_withheld_without_the_intent() -> None:
    async with DiscordDouble(enforce_message_content=True) as double:
        with patch_discord(double):
            client = DoubleTestBot()
            async with running_client(client, double):
                plain = await double.send_message("not for bots")
                await double.wait_until(lambda: any(m.id == plain.id for m in client.seen_messages))
                mention = await double.send_message(f"<@{double.bot_user.id}> for the bot")
                rec = await double.wait_for("POST", r"/channels/\d+/messages")
    seen = {m.id: m.content for m in client.seen_messages}
    assert seen[plain.id] == ""
    assert seen[mention.id] == f"<@{double.bot_user.id}> for the bot"
    assert rec.json["content"] == "you said: @NotesBot for the bot"
