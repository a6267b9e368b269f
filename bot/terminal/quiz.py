"""The quiz in a terminal: `python -m bot quiz` and `/quiz` in the terminal chat, over the same
`QuizService` as Discord. The terminal is user 0 with no guild or channel, so its answers are
stored (and its recently seen questions avoided) like anyone's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.app import App
from bot.terminal.console import NotesText, note_line
from bot.core.errors import BadAnswer, NoQuestion, PracticeError, QuizError
from bot.core.quiz.posts import QuizPost
from bot.core.quiz.questions import Question
from bot.core.quiz.service import Outcome, Pick
from bot.core.reading import read_passage
from bot.core.terminal_text import strip_control

TERMINAL_USER = 0
LETTERS = "ABCD"
ANSWER_PROMPT = "[bold green]answer>[/bold green] "


def render_question(question: Question, note: str | None = None) -> RenderableType:
    """The question and its choices A–D; nothing that gives the answer away."""
    body = Text()
    if note:
        body.append(f"{note}\n\n", style="italic magenta")
    body.append(note_line(question.prompt), style="bold")
    if question.choices:
        for letter, choice in zip(LETTERS, question.choices):
            body.append(f"\n  {letter}. ", style="bold cyan")
            body.append(note_line(choice))
        hint = "Answer with A–D, or type the answer in your own words."
    else:
        hint = "Type the answer in your own words."
    return Panel(body, title="Quiz", title_align="left", subtitle=Text(hint, style="dim"), subtitle_align="left",
                 border_style="magenta")


def answer_label(question: Question) -> str:
    if question.answer_index is not None and question.answer_index < len(question.choices):
        return f"{LETTERS[question.answer_index]}. {note_line(question.choices[question.answer_index])}"
    return note_line(question.answer)


def render_feedback(outcome: Outcome, app: App, typed: str | None) -> RenderableType:
    """✅ or ❌, the right answer, the explanation and the source passage with its citation."""
    question, verdict = outcome.question, outcome.verdict
    head = Text()
    if verdict.correct:
        head.append("✅ Right! ", style="bold green")
    elif verdict.near_miss:
        head.append(f"❌ Almost: you wrote “{strip_control(typed or '')}”, close but not it. ", style="bold yellow")
    else:
        head.append("❌ Not this time. ", style="bold red")
    head.append("The answer is ")
    head.append(answer_label(question), style="bold")
    head.append(".")
    parts: list[RenderableType] = [head]
    if question.explanation:
        parts.append(Text(note_line(question.explanation)))
    passage = app.quiz.source_passage(question)
    source = Text(passage.citation if passage else question.citation, style="cyan")
    shown = NotesText(read_passage(passage.text, passage.start_line)) if passage else \
        Text("(the passage is no longer in the notes)", style="dim")
    parts.append(Panel(shown, title=source, title_align="left", border_style="blue"))
    return Group(*parts)


@dataclass
class Pending:
    post: QuizPost
    question: Question


class TerminalQuiz:
    """One terminal's quiz: ask a question, then take the next line as its answer."""

    def __init__(self, app: App, console: Console) -> None:
        self.app = app
        self.console = console
        self.pending: Pending | None = None

    async def ask(self, topic: str | None, seed: int | None = None) -> Pick | None:
        """Pick, store and show a question; None (after saying why) when there is none."""
        try:
            pick = await self.app.quiz.pick(guild_id=None, user_id=TERMINAL_USER, topic=topic, seed=seed)
        except NoQuestion as none:
            self.console.print(Text(str(none), style="yellow"))
            return None
        await self.show(pick)
        return pick

    async def show(self, pick: Pick) -> None:
        """Store the post and show the question; the next `answer` answers it."""
        post = await self.app.quiz.post(pick.question, kind="quiz", guild_id=None, channel_id=None,
                                        user_id=TERMINAL_USER)
        self.pending = Pending(post, pick.question)
        self.console.print(render_question(pick.question, pick.note))

    async def daily(self) -> None:
        """Today's daily question (one a UTC day, scored as a daily prompt: points and the streak);
        once answered, what the answer was and when the next one comes."""
        try:
            today = await self.app.practice.own_daily.today(TERMINAL_USER)
        except PracticeError as none:
            self.console.print(Text(str(none), style="yellow"))
            return
        answered = await self.app.quiz.previous_answer(today.post.id, TERMINAL_USER)
        if answered is not None:
            verdict = "right" if answered.correct else "not right"
            self.console.print(f"You answered today's question ({verdict}). The next one comes tomorrow (UTC).")
            return
        self.pending = Pending(today.post, today.question)
        self.console.print(render_question(today.question, "Today's daily question"))

    async def answer(self, line: str) -> bool:
        """Judge `line` as the answer to the pending question; False if it must be asked again
        (an empty or overlong answer records nothing)."""
        if self.pending is None:
            return True
        pending = self.pending
        try:  # a lone letter A-D is that choice (the service decides)
            outcome = await self.app.quiz.answer_text(pending.post.id, line, user_id=TERMINAL_USER,
                                                      guild_id=None, channel_id=None)
        except BadAnswer as bad:
            self.console.print(Text(str(bad), style="yellow"))
            return False
        except QuizError as refused:  # already answered, closed, gone
            self.console.print(Text(str(refused), style="yellow"))
            self.pending = None
            return True
        self.pending = None
        self.console.print(render_feedback(outcome, self.app, line.strip()))
        return True

    def cancel(self) -> None:
        if self.pending is not None:
            self.console.print(f"[dim]Quiz skipped (the answer was {escape(answer_label(self.pending.question))}).[/dim]")
        self.pending = None


async def quiz_command(app: App, *, topic: str | None, seed: int | None, as_json: bool, every: bool,
                       interactive: bool, console: Console) -> int:
    """`python -m bot quiz`: one question (JSON, or shown and, on a terminal, answered), or with
    `every` the whole active pool, one JSON object per line. `NoQuestion` propagates: the command
    line prints it as one line and exits 2."""
    if every:
        for question in await app.quiz.questions.active():
            line = json.dumps(question.as_json(), ensure_ascii=False) if as_json else \
                f"{question.id} {question.kind} {question.citation} {question.prompt}"
            print(line, flush=True)
        return 0
    if as_json:
        pick = await app.quiz.pick(guild_id=None, user_id=TERMINAL_USER, topic=topic, seed=seed)
        print(json.dumps(pick.question.as_json(), ensure_ascii=False))
        return 0
    if not interactive:  # piped: show the question only, store nothing
        pick = await app.quiz.pick(guild_id=None, user_id=TERMINAL_USER, topic=topic, seed=seed)
        console.print(render_question(pick.question, pick.note))
        return 0
    quiz = TerminalQuiz(app, console)
    pick = await app.quiz.pick(guild_id=None, user_id=TERMINAL_USER, topic=topic, seed=seed)
    await quiz.show(pick)
    while quiz.pending is not None:
        try:
            line = console.input(ANSWER_PROMPT)
        except EOFError:
            console.print()
            return 0
        await quiz.answer(line)
    return 0
