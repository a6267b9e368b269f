"""Rendering answers and reindex summaries for a terminal, with rich.

A passage is the notes' Markdown as a reader sees it (`bot.core.reading`): on a terminal, rendered
by rich's Markdown (code blocks highlighted, matched words in bold); into a pipe, plain text with
the matched words as `**word**` and no escape codes. Everything that comes from the notes, their
file names or a question passes through `strip_control` first: a note must not be able to send
escape sequences to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from bot.core.reading import CommonMarkWriter, Doc, PlainWriter, read_inline, shown_passage
from bot.core.reading.passages import fit_doc
from bot.core.search.answering import Answer, Passage
from bot.core.search.service import Progress as ProgressFn
from bot.core.search.service import ReindexSummary
from bot.core.terminal_text import strip_control as clean


PASSAGE_ROOM = 1500  # characters of a passage shown in the terminal (`--json` keeps the whole chunk)


def one_line(text: str) -> str:
    return " ".join(text.split())


def highlight(text: str, words: tuple[str, ...], style: str = "bold yellow") -> Text:
    """`text` with every whole-word occurrence of `words` (any case) styled."""
    rich_text = Text(clean(text))
    if words:
        pattern = r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w])"
        rich_text.highlight_regex(re.compile(pattern, re.IGNORECASE), style=style)
    return rich_text


class NotesText:
    """Notes' text as a reader sees it: rich's Markdown on a terminal, plain text in a pipe."""

    def __init__(self, doc: Doc, matched: Sequence[str] = ()) -> None:
        self.doc, self.matched = doc, tuple(matched)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield Markdown(clean(CommonMarkWriter(self.matched).write(self.doc)), hyperlinks=False)
        else:
            yield Text(clean(PlainWriter(self.matched).write(self.doc)), overflow="fold")


def note_line(text: str) -> str:
    """One line of note text (a quiz's question or choice) as a reader sees it, in plain text."""
    return clean(PlainWriter().inlines(read_inline(text)))


def render_passage(passage: Passage, rank: int) -> PassageView:
    """One passage: heading as the title, then its source (never cut), then the text; a long
    passage shows the lines around its matched words, with the citation narrowed to them."""
    shown, doc = shown_passage(passage, PASSAGE_ROOM)
    doc = fit_doc(doc, PASSAGE_ROOM, PlainWriter().write)  # one very long line, shown from its match
    return PassageView(shown, rank, NotesText(doc, passage.matched))


class PassageView:
    """A passage in a panel on a terminal; in a pipe, its title, citation and text as plain lines."""

    def __init__(self, passage: Passage, rank: int, text: NotesText) -> None:
        self.passage, self.rank, self.text = passage, rank, text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        passage = self.passage
        heading = passage.heading or passage.title or passage.source
        if not console.is_terminal:
            yield Text(f"{self.rank}. {clean(one_line(heading))}\n{clean(passage.citation)} "
                       f"(score {passage.score:.2f})\n", overflow="fold")
            yield self.text
            yield Text()
            return
        title = Text.assemble((f"{self.rank}. ", "bold"), highlight(heading, passage.matched))
        body = Group(Text(clean(passage.citation), style="cyan"), Text(), self.text)
        yield Panel(body, title=title, title_align="left", subtitle=Text(f"score {passage.score:.2f}", style="dim"),
                    subtitle_align="right", border_style="blue")


def render_question(question: str) -> Text:
    """The question above its answers, when several are answered in a row (`ask -`)."""
    return Text.assemble(("Q: ", "bold magenta"), (clean(question), "bold"))


def render_answer(answer: Answer, first_rank: int = 1) -> RenderableType:
    if answer.passages:
        return Group(*(render_passage(p, i) for i, p in enumerate(answer.passages, first_rank)))
    message = Text("Nothing in the notes matches that question.", style="yellow")
    if answer.suggestions:
        message.append("\nDid you mean: ", style="default")
        message.append(clean(", ".join(answer.suggestions)), style="bold")
        message.append("?")
    return message


def render_summary(summary: ReindexSummary) -> RenderableType:
    lines = Text()
    lines.append(f"Indexed {summary.files} files into {summary.chunks} chunks in {summary.seconds:.2f}s "
                 f"(version {summary.version}).\n", style="bold")
    for label, paths in (("added", summary.added), ("changed", summary.changed), ("removed", summary.removed)):
        lines.append(f"  {label}: {len(paths)}" + (f"  {clean(', '.join(paths[:10]))}" if paths else ""))
        lines.append("  …\n" if len(paths) > 10 else "\n")
    lines.append(f"  unchanged: {summary.unchanged}\n")
    lines.append(f"  skipped: {len(summary.skipped)}\n")
    for item in summary.skipped:
        lines.append(f"    {clean(item.path)}: {clean(item.reason)}\n", style="yellow")
    for item in summary.warnings:
        lines.append(f"  warning: {clean(item.path)}: {clean(item.reason)}\n", style="yellow")
    if summary.notice:
        lines.append(f"  {summary.notice}\n", style="bold red")
    lines.rstrip()
    return lines


@contextmanager
def indexing_progress(console: Console) -> Iterator[ProgressFn]:
    """A progress bar on `console` (shown only on a terminal) fed by the reindex callback."""
    with Progress(TextColumn("Indexing notes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("index", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
