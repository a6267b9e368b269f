"""The terminal chat: the bot's conversation without Discord, over the same services.

Plain text is a question (or, right after /quiz, the quiz answer). Commands: /ask QUESTION, /more,
/quiz [TOPIC], /reindex, /help, /quit.
"""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape

from bot.app import App, open_app
from bot.config import Settings
from bot.console import indexing_progress, render_answer, render_summary
from bot.core.errors import NotesBotError
from bot.quiz_terminal import TerminalQuiz

HELP = """[bold]Ask the notes anything.[/bold] Type a question, or:
  /ask QUESTION   the passages that answer QUESTION
  /more           the next passages for the last question
  /quiz [TOPIC]   a quiz question from the notes; answer with A–D or in your own words
  /reindex        re-read the notes folder (only changed files are re-analysed)
  /help           this help
  /quit           leave (Ctrl-D works too)"""


class Chat:
    """One terminal conversation: remembers the last question for /more."""

    def __init__(self, app: App, console: Console) -> None:
        self.app = app
        self.console = console
        self.last_question: str | None = None
        self.shown = 0
        self.quiz = TerminalQuiz(app, console)

    async def handle(self, line: str) -> bool:
        """Answer one line of input; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if self.quiz.pending is not None:  # the line after /quiz answers it; a command skips it
            if not line.startswith("/"):
                await self.quiz.answer(line)
                return True
            self.quiz.cancel()
        command, _, rest = line.partition(" ") if line.startswith("/") else ("/ask", "", line)
        if command in ("/quit", "/exit"):
            return False
        if command == "/help":
            self.console.print(HELP)
        elif command == "/ask":
            self._ask(rest.strip())
        elif command == "/more":
            self._more()
        elif command == "/quiz":
            await self.quiz.ask(rest.strip() or None)
        elif command == "/reindex":
            await self._reindex()
        else:
            self.console.print(f"Unknown command {escape(command)}. Type /help for the commands.")
        return True

    def _ask(self, question: str) -> None:
        if not question:
            self.console.print("Usage: /ask QUESTION")
            return
        k = self.app.settings.top_k
        answer = self.app.notes.search(question, k=k)
        self.last_question, self.shown = question, len(answer.passages)
        self.console.print(render_answer(answer))
        if answer.has_more:
            self.console.print("[dim]/more shows the next passages.[/dim]")

    def _more(self) -> None:
        if self.last_question is None:
            self.console.print("Ask a question first.")
            return
        k = self.app.settings.top_k
        answer = self.app.notes.search(self.last_question, k=k, offset=self.shown)
        if not answer.passages:
            self.console.print("No more passages for that question.")
            return
        self.console.print(render_answer(answer, first_rank=self.shown + 1))
        self.shown += len(answer.passages)

    async def _reindex(self) -> None:
        try:
            with indexing_progress(self.console) as progress:
                summary = await self.app.notes.reindex(progress=progress)
        except NotesBotError as exc:
            self.console.print(f"[red]Reindex failed:[/red] {escape(str(exc))} The previous index is still answering.")
            return
        self.console.print(render_summary(summary))


async def run_chat(settings: Settings, console: Console | None = None) -> int:
    """Open the services, index the notes if needed, and converse until /quit or end of input."""
    console = console or Console()
    async with open_app(settings) as app:
        with indexing_progress(console) as progress:
            await app.notes.start(progress)
        chat = Chat(app, console)
        docs = len(app.notes.engine.documents)
        console.print(f"[bold]notesbot[/bold] · {docs} passages from {escape(str(settings.notes_dir))}. "
                      "Type a question, /help for commands, /quit to leave.")
        while True:
            try:
                line = await asyncio.to_thread(console.input, "[bold green]you>[/bold green] ")
            except EOFError:
                console.print()
                return 0
            if not await chat.handle(line):
                return 0
