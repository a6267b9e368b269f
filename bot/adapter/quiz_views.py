"""A quiz question as a Discord message, its buttons and typed-answer modal, and the feedback.

The same message serves `/quiz` and the daily prompt (issue 7, `kind='daily'`):
`render_quiz_message(question, post_id, kind, answered)` gives the keyword arguments of the message (embed,
buttons, no mentions), `quiz_view(post_id, choices)` the buttons alone, and
`render_closed_message(...)` the revealed state once a post closes (answer, citation, how many
answered and were right, buttons disabled).

Buttons are `DynamicItem`s (discord.py's examples/views/dynamic_counter.py) with the post id and
the choice in the custom id, so a click works after a restart and on any shard, with no view kept
in memory. The "Answer in my own words" modal carries the post id in its custom id the same way;
discord.py 2.7 routes modal submissions only to modals it keeps in memory, so the modal is sent
already stopped (never kept) and its submission is taken by the quiz cog's `on_interaction`
listener, which matches `MODAL_ID` (`handle_modal_submit`).

A click is answered with one response: the member's private feedback (a slow database defers it
first, within Discord's 3 s). The question message shows how many answered (never who or what);
that count is edited coalesced, at most once per post every 1.5 s, through the token of the first
click on the post, which acknowledged by deferring an update of the message (`quiz_counts.py`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.adapter import acks, events, limits, rendering
from bot.adapter.checks import bot_of
from bot.adapter.errors import report, reply_ephemeral
from bot.adapter.markdown import note_line, quoted_notes
from bot.adapter.rendering import NO_MENTIONS, one_line, safe
from bot.core.errors import AlreadyAnswered, QuizClosed
from bot.core.quiz.checking import MAX_TYPED_LENGTH
from bot.core.quiz.posts import StoredAnswer, Tally
from bot.core.quiz.questions import Question
from bot.core.quiz.service import Outcome
from bot.core.reading import read_passage
from bot.core.search.answering import Passage

log = logging.getLogger(__name__)

LETTERS = "ABCD"
OWN_WORDS = "Answer in my own words"
MODAL_ID = re.compile(r"quiz:answer:(?P<post>\d+)")
_POST_BUTTON = re.compile(r"quiz:(?:choice|typed):(?P<post>\d+)(?::[0-3])?")  # ChoiceButton, OwnWordsButton
ANSWER_INPUT_ID = "answer"
QUIZ_COLOUR = discord.Colour.teal()
CLOSED_COLOUR = discord.Colour.dark_grey()
PASSAGE_LIMIT = 700  # characters of the source passage quoted in feedback
LABEL_LIMIT = 300  # characters of an answer or choice shown in feedback (the whole fits in 2,000)
PROMPT_LIMIT = 1000  # characters of a question shown
EXPLANATION_LIMIT = 400
SOURCE_LIMIT = 500
TITLES = {"quiz": "Quiz", "daily": "Question of the day"}


# --------------------------------------------------------------------------- messages


def choice_label(question: Question, index: int) -> str:
    return f"{LETTERS[index]}. {question.choices[index]}"


def answer_label(question: Question) -> str:
    """The answer as shown after answering: with its letter when the question has choices."""
    if question.answer_index is not None and question.answer_index < len(question.choices):
        return choice_label(question, question.answer_index)
    return question.answer


def _question_text(question: Question, note: str | None) -> str:
    lines = [f"*{safe(note)}*", ""] if note else []
    lines.append(f"**{note_line(question.prompt, PROMPT_LIMIT, bold=True)}**")
    if question.choices:
        lines.append("")
        lines += [f"**{LETTERS[i]}.** {note_line(c, LABEL_LIMIT)}" for i, c in enumerate(question.choices[:len(LETTERS)])]
    else:
        lines += ["", f"Answer with **{OWN_WORDS}**."]
    return limits.fit("\n".join(lines), limits.EMBED_DESCRIPTION)


def answered_line(count: int) -> str:
    return "Nobody has answered yet" if count == 0 else f"{count} answered" if count != 1 else "1 answered"


def render_quiz_message(question: Question, post_id: int, kind: str, answered: int, *,
                        note: str | None = None) -> dict[str, Any]:
    """The question with its choices A–D and buttons, and how many answered; reveals nothing.
    `kind` is the post's ("quiz" or "daily"): the daily prompt is the same message and buttons."""
    return {"embed": quiz_embed(question, kind, answered, note=note),
            "view": quiz_view(post_id, len(question.choices)), "allowed_mentions": NO_MENTIONS}


def quiz_embed(question: Question, kind: str, answered: int, *, note: str | None = None) -> discord.Embed:
    """The question message's embed alone: what a count update edits."""
    embed = discord.Embed(title=TITLES.get(kind, "Quiz"), colour=QUIZ_COLOUR,
                          description=_question_text(question, note))
    embed.set_footer(text=f"{answered_line(answered)} · one answer each, privately checked")
    return embed


def render_closed_message(question: Question, post_id: int, kind: str, tally: Tally, passage: Passage | None, *,
                          base_url: str | None = None) -> dict[str, Any]:
    """The post once closed: the answer, the explanation and citation, who answered and how many
    were right, and the buttons disabled."""
    lines = [_question_text(question, None), "", f"✅ Answer: **{note_line(answer_label(question), LABEL_LIMIT, bold=True)}**"]
    if question.explanation:
        lines.append(note_line(question.explanation, EXPLANATION_LIMIT))
    lines.append(f"Source: {rendering.source_link(passage or _cited(question), base_url)}")
    embed = discord.Embed(title=f"{TITLES.get(kind, 'Quiz')} (closed)", colour=CLOSED_COLOUR,
                          description=limits.fit("\n".join(lines), limits.EMBED_DESCRIPTION))
    embed.set_footer(text=f"{tally.answered} answered · {tally.right} right")
    return {"embed": embed, "view": quiz_view(post_id, len(question.choices), disabled=True),
            "allowed_mentions": NO_MENTIONS}


def quiz_view(post_id: int, choices: int, *, disabled: bool = False) -> discord.ui.View:
    """Buttons A–D (as many as there are choices) and "Answer in my own words". Returned stopped:
    clicks reach the dynamic items registered on the bot, not this object."""
    view = discord.ui.View(timeout=None)
    for index in range(min(choices, len(LETTERS))):
        view.add_item(ChoiceButton(post_id, index, disabled=disabled))
    view.add_item(OwnWordsButton(post_id, disabled=disabled))
    view.stop()
    return view


def post_of(message: discord.Message) -> int | None:
    """The quiz post whose buttons `message` carries (how the bot knows its own post again)."""
    for row in message.components:
        for item in getattr(row, "children", ()):
            match = _POST_BUTTON.fullmatch(getattr(item, "custom_id", None) or "")
            if match is not None:
                return int(match["post"])
    return None


def feedback_text(outcome: Outcome, passage: Passage | None, *, typed: str | None = None,
                  base_url: str | None = None) -> str:
    """The private feedback: ✅ or ❌ first, the right answer, the explanation, the source passage
    and its citation: the notes' text as Markdown, rendered; whatever the member typed escaped (no
    Markdown, no pings)."""
    question, verdict = outcome.question, outcome.verdict
    if outcome.answer.choice_index is not None:
        typed = None  # a click, or a letter typed in the form: shown as the choice picked
    answer = f"**{note_line(answer_label(question), LABEL_LIMIT, bold=True)}**"
    if verdict.correct:
        head = f"✅ Right! The answer is {answer}."
        if verdict.how == "typo" and typed is not None:
            head += f" (You wrote “{_typed(typed)}”: close enough.)"
    elif verdict.near_miss and typed is not None:
        head = f"❌ Almost: you wrote “{_typed(typed)}”, close but not it. The answer is {answer}."
    elif typed is not None:
        head = f"❌ Not this time: you wrote “{_typed(typed)}”. The answer is {answer}."
    else:
        picked = outcome.answer.choice_index
        mine = note_line(choice_label(question, picked), LABEL_LIMIT, bold=True) if picked is not None else "?"
        head = f"❌ Not this time: you picked **{mine}**. The answer is {answer}."
    return _with_source(head, question, passage, base_url)


@functools.lru_cache(maxsize=1024)
def _with_source(head: str, question: Question, passage: Passage | None, base_url: str | None) -> str:
    """The feedback below its first line. Kept for the next member: every click on a post gets one
    of a few first lines, and quoting the passage (read, cut to fit) was most of a click's
    rendering."""
    return _source_part(head, question, passage, base_url)


def already_text(question: Question, previous: StoredAnswer) -> str:
    """The reply to a second attempt: what they answered the first time, and how it went."""
    if previous.choice_index is not None and previous.choice_index < len(question.choices):
        what = f"you picked **{note_line(choice_label(question, previous.choice_index), LABEL_LIMIT, bold=True)}**"
    else:
        what = f"you wrote “{_typed(previous.text or '')}”"
    how = "right" if previous.correct else "almost right" if previous.near_miss else "not right"
    return f"You already answered this quiz: {what} ({how}). One answer each; try `/quiz` for another question."


def _source_part(head: str, question: Question, passage: Passage | None, base_url: str | None) -> str:
    parts = [head]
    if question.explanation:
        parts.append(note_line(question.explanation, EXPLANATION_LIMIT))
    cited = passage or _cited(question)
    source = rendering.source_link(cited, base_url)
    if len(source) > SOURCE_LIMIT:  # a very long path: cite it without the link, cut if need be
        source = "`" + limits.fit(cited.citation.replace("`", "ˋ"), SOURCE_LIMIT - 2) + "`"
    room = limits.CONTENT - sum(len(p) + 1 for p in parts) - len(source) - 16
    if passage is not None and room > 80:  # quoted within the room left, so the citation is never cut
        parts.append(quoted_notes(read_passage(passage.text, passage.start_line), min(PASSAGE_LIMIT, room)))
    parts.append(f"Source: {source}")
    return "\n".join(parts)


def _cited(question: Question) -> Passage:
    """A citation of the question's own lines when its passage is no longer indexed."""
    return Passage(source=question.source, heading=question.heading, start_line=question.start_line,
                   end_line=question.end_line, score=0.0, text="", matched=(), chunk_id=question.chunk_id or "")


def _typed(text: str) -> str:
    return limits.fit(one_line(text), 100, safe) or "(nothing)"


# --------------------------------------------------------------------------- answering


async def answer_choice(interaction: discord.Interaction, post_id: int, choice: int) -> None:
    """A click on A–D: judged, stored once, the feedback privately, the count updated later."""
    app = bot_of(interaction).app
    await _answer(interaction, post_id, None, lambda: app.quiz.answer_choice(
        post_id, choice, user_id=interaction.user.id, guild_id=interaction.guild_id,
        channel_id=interaction.channel_id, count=False))


async def _answer(interaction: discord.Interaction, post_id: int, typed: str | None,
                  work: Callable[[], Awaitable[Outcome]]) -> None:
    """Answer a click or a typed answer with one response, the member's private feedback, and
    have the question message's count updated, coalesced (`quiz_counts.py`). The first click on a
    post this process sees instead acknowledges by deferring an update of the question message,
    whose token then edits the count, and sends the feedback as a followup. A slow database
    (over `acks.ACK_AFTER`) defers the reply ("thinking…", privately) within Discord's 3 s."""
    bot = bot_of(interaction)
    counts = bot.quiz_counts
    if interaction.message is not None and counts.claim_editor(post_id):
        try:
            await interaction.response.defer()  # an update of the question message, done by `counts`
        except BaseException:
            counts.release(post_id)
            raise
        counts.set_editor(post_id, interaction)
    elif interaction.message is None:
        await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        outcome = await acks.in_time(interaction, work(), ephemeral=True)
    except AlreadyAnswered as refused:
        _, question = await bot.app.quiz.shown(post_id)
        return await reply_ephemeral(interaction, already_text(question, refused.previous))  # type: ignore[arg-type]
    except QuizClosed as closed:
        return await _show_closed(interaction, post_id, closed)
    bot.app.metrics.quiz_answered(outcome.verdict.correct)
    if interaction.message is not None:
        counts.answered(post_id, outcome.question, outcome.post.kind)
    passage = bot.app.quiz.source_passage(outcome.question)
    text = feedback_text(outcome, passage, typed=typed, base_url=bot.app.settings.notes_base_url)
    await acks.respond(interaction, ephemeral=True, content=text)


async def open_answer_modal(interaction: discord.Interaction, post_id: int) -> None:
    """"Answer in my own words": the modal, unless the member may not answer any more."""
    app = bot_of(interaction).app
    post, question = await app.quiz.post_and_question(post_id)
    if post.closed:
        return await reply_ephemeral(interaction, "This quiz is closed.")  # the next A-D click reveals it
    previous = await app.quiz.previous_answer(post_id, interaction.user.id)
    if previous is not None:
        return await reply_ephemeral(interaction, already_text(question, previous))
    await interaction.response.send_modal(answer_modal(post_id, question))


def answer_modal(post_id: int, question: Question) -> discord.ui.Modal:
    """One text input; the question is its placeholder. Stopped, so discord.py does not keep it:
    the submission is handled by `handle_modal_submit` wherever it arrives."""
    modal = discord.ui.Modal(title="Your answer", custom_id=f"quiz:answer:{post_id}", timeout=None)
    modal.add_item(discord.ui.TextInput(
        label="Your answer", custom_id=ANSWER_INPUT_ID, style=discord.TextStyle.short, required=True,
        min_length=1, max_length=MAX_TYPED_LENGTH, placeholder=limits.fit(one_line(question.prompt), 100),
    ))
    modal.stop()
    return modal


async def handle_modal_submit(interaction: discord.Interaction) -> bool:
    """Take a typed answer if this interaction is the submission of a quiz modal; True if it was."""
    if interaction.type is not discord.InteractionType.modal_submit or not isinstance(interaction.data, dict):
        return False
    match = MODAL_ID.fullmatch(str(interaction.data.get("custom_id", "")))
    if match is None:
        return False
    events.start(interaction)
    try:
        await _answer_typed(interaction, int(match["post"]), _submitted_text(interaction.data))
    except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
        await report(interaction, exc, "quiz answer modal", answering=True)
    events.done(interaction, "quiz answer modal")
    return True


async def _answer_typed(interaction: discord.Interaction, post_id: int, text: str) -> None:
    app = bot_of(interaction).app
    await _answer(interaction, post_id, text, lambda: app.quiz.answer_text(
        post_id, text, user_id=interaction.user.id, guild_id=interaction.guild_id,
        channel_id=interaction.channel_id, count=False))


def _submitted_text(data: dict[str, Any]) -> str:
    """The text input's value from a modal submission (in action rows, or in labels)."""
    stack = list(data.get("components") or [])
    while stack:
        component = stack.pop(0)
        if component.get("custom_id") == ANSWER_INPUT_ID:
            return str(component.get("value") or "")
        stack.extend(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return ""


async def _show_closed(interaction: discord.Interaction, post_id: int, closed: QuizClosed) -> None:
    """A click on a closed post: the question message turns into the revealed state (another shard
    may have closed it without editing this message), and the member is told privately."""
    bot = bot_of(interaction)
    app = bot.app
    bot.quiz_counts.closed(post_id)  # never edited back to its open look
    deferred = interaction.response.type
    if interaction.message is not None and deferred in (None, discord.InteractionResponseType.deferred_message_update):
        post, question = await app.quiz.post_and_question(post_id)
        message = render_closed_message(question, post.id, post.kind, await app.quiz.tally(post_id),
                                        app.quiz.source_passage(question), base_url=app.settings.notes_base_url)
        if deferred is None:
            await interaction.response.edit_message(**message)
        else:
            await interaction.edit_original_response(**message)
    await reply_ephemeral(interaction, str(closed))


class ChoiceButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=r"quiz:choice:(?P<post>\d+):(?P<choice>[0-3])"):
    """Choice A–D of a quiz post."""

    def __init__(self, post_id: int, choice: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=LETTERS[choice], style=discord.ButtonStyle.primary,
                                           disabled=disabled, custom_id=f"quiz:choice:{post_id}:{choice}"))
        self.post_id = post_id
        self.choice = choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> ChoiceButton:
        return cls(int(match["post"]), int(match["choice"]))

    @events.logged("quiz button A-D")
    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await answer_choice(interaction, self.post_id, self.choice)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, f"quiz button {LETTERS[self.choice]}", answering=True)


class OwnWordsButton(discord.ui.DynamicItem[discord.ui.Button], template=r"quiz:typed:(?P<post>\d+)"):
    """Opens the typed-answer modal of a quiz post."""

    def __init__(self, post_id: int, *, disabled: bool = False) -> None:
        super().__init__(discord.ui.Button(label=OWN_WORDS, style=discord.ButtonStyle.secondary, disabled=disabled,
                                           custom_id=f"quiz:typed:{post_id}"))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> OwnWordsButton:
        return cls(int(match["post"]))

    @events.logged("quiz button 'Answer in my own words'")
    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            await open_answer_modal(interaction, self.post_id)
        except Exception as exc:  # noqa: BLE001 - discord.py would only log it; tell the member
            await report(interaction, exc, "quiz button 'Answer in my own words'")


DYNAMIC_ITEMS = (ChoiceButton, OwnWordsButton)
