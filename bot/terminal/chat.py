"""The terminal chat: the bot's conversation without Discord, over the same services.

Plain text is a question (or, right after /quiz or /daily, the quiz answer). Commands: /ask QUESTION,
/more, /quiz [TOPIC], /daily, /reindex, /progress, /leaderboard, /help, /quit.
Text from the notes is printed through `bot.terminal.console`, which strips terminal escape sequences.
A database that becomes unavailable costs the line that needed it (an answer is not counted),
never the chat: questions are answered from the index in memory.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot.app import App, open_app
from bot.config import Settings
from bot.terminal.console import indexing_progress, render_answer, render_summary
from bot.core.errors import DatabaseUnavailable, NotesBotError
from bot.core.search.notes import printable_path
from bot.core.search.watch import watching
from bot.core.terminal_text import strip_control
from bot.log_lines import ExpectedErrorsInOneLine
from bot.terminal.practice import LOCAL_USER_ID, PRACTICE_HELP, SCORING_HELP, render_leaderboard, render_progress
from bot.terminal.quiz import TerminalQuiz

HELP = """[bold]Ask the notes anything.[/bold] Type a question, or:
  /ask QUESTION   the passages that answer QUESTION
  /more           the next passages for the last question
  /quiz [TOPIC]   a question from the notes; answer A–D or in your own words
  /daily          today's daily question: one a day, for points and your streak
  /reindex        re-read the notes folder (only changed files are re-analysed)
""" + PRACTICE_HELP + """
  /help           this help
  /quit           leave (Ctrl-D works too)

""" + escape(SCORING_HELP)  # what members use first, leaving last, then how points are counted


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
        answering = self.quiz.pending is not None and not line.startswith("/")
        try:
            return await self._handle(line)
        except DatabaseUnavailable as exc:
            self._unavailable(exc, answering=answering)
            return True

    def _unavailable(self, exc: DatabaseUnavailable, *, answering: bool) -> None:
        """Say what the database's outage cost: this answer (not counted), or this command."""
        problem = escape(strip_control(exc.problem))
        if answering:
            self.console.print(f"[yellow]Your answer was not counted: the database is unavailable "
                               f"({problem}).[/yellow]")
            self.quiz.cancel()
            return
        self.console.print(f"[yellow]The database is unavailable ({problem}):[/yellow] /quiz, /daily, /progress "
                           "and /leaderboard need it; questions are still answered from the notes.")

    async def _handle(self, line: str) -> bool:
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
        elif command == "/daily":
            await self.quiz.daily()
        elif command == "/reindex":
            await self._reindex()
        elif command in ("/progress", "/leaderboard"):
            await self._practice(command, rest.strip())
        else:
            self.console.print(f"Unknown command {escape(strip_control(command))}. Type /help for the commands.")
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

    async def _practice(self, command: str, rest: str) -> None:
        """Practice numbers for the chat's one user (no server: guild None, like a DM)."""
        standings = self.app.practice.standings
        if command == "/progress":
            self.console.print(render_progress(await standings.progress(None, LOCAL_USER_ID)))
            return
        period = rest or "week"
        if period not in ("week", "month", "all"):
            self.console.print(escape("Usage: /leaderboard [week|month|all]"))
            return
        board = await standings.leaderboard(None, period, page=0, caller_id=LOCAL_USER_ID)  # type: ignore[arg-type]
        self.console.print(render_leaderboard(board))

    async def _reindex(self) -> None:
        try:
            with indexing_progress(self.console) as progress:
                summary = await self.app.notes.reindex(progress=progress)
        except NotesBotError as exc:
            self.console.print(f"[red]Reindex failed:[/red] {escape(strip_control(str(exc)))} "
                               "The previous index is still answering.")
            return
        self.console.print(render_summary(summary))
        pool = await self.app.filler.status()
        self.console.print(escape(pool.sentence("being generated in the background")))


LOG_FILE = "notesbot.log"


@contextmanager
def logs_in_a_file(path: Path) -> Iterator[None]:
    """While a member types, the log's lines go to `path`: written to the terminal, they would land
    inside the prompt ("you> … INFO …"). Warnings and errors still show on standard error."""
    root = logging.getLogger()
    streams = [h for h in root.handlers if type(h) is logging.StreamHandler]
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ExpectedErrorsInOneLine())
    levels = [h.level for h in streams]
    for stream in streams:
        stream.setLevel(max(stream.level, logging.WARNING))
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        for stream, level in zip(streams, levels):
            stream.setLevel(level)


async def run_chat(settings: Settings, console: Console | None = None) -> int:
    """Open the services, bring the index up to date with the notes folder, and converse until
    /quit or end of input (watching the folder meanwhile when NOTES_WATCH is on)."""
    console = console or Console()
    if console.is_terminal:
        log = settings.data_dir / LOG_FILE
        with logs_in_a_file(log):
            console.print(f"[dim]The log is in {escape(strip_control(printable_path(str(log))))}.[/dim]")
            return await _converse(settings, console)
    return await _converse(settings, console)


async def _converse(settings: Settings, console: Console) -> int:
    async with open_app(settings, fill_pool=True) as app, watching(app.notes, enabled=settings.notes_watch):
        try:
            with indexing_progress(console) as progress:
                await app.notes.start(progress)
        except DatabaseUnavailable as exc:  # the index as last stored answers
            console.print(f"[yellow]The notes' changes were not indexed:[/yellow] {escape(strip_control(str(exc)))}; "
                          "answering from the index as last stored.")
        chat = Chat(app, console)
        docs = len(app.notes.engine.documents)
        folder = escape(strip_control(printable_path(str(settings.notes_dir))))
        console.print(f"[bold]notesbot[/bold] · {docs} passages from {folder}. "
                      "Type a question, /help for commands, /quit to leave.")
        piped_in_echoed = sys.stdin.isatty()
        while True:
            try:
                line = await asyncio.to_thread(console.input, "[bold green]you>[/bold green] ")
            except EOFError:
                console.print()
                return 0
            if not piped_in_echoed:  # a pipe is not echoed by a terminal: show what was asked
                console.print(escape(strip_control(line.strip())), highlight=False)
            if not await chat.handle(line):
                return 0
