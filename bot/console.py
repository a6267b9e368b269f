"""Rendering answers and reindex summaries for a terminal, with rich.

Everything that comes from the notes, their file names or a question passes through
`strip_control` first: a note must not be able to send escape sequences to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from bot.core.search.answering import Answer, Passage
from bot.core.search.excerpt import fit_passage
from bot.core.search.service import Progress as ProgressFn
from bot.core.search.service import ReindexSummary
from bot.core.terminal_text import strip_control as clean


PASSAGE_ROOM = 1500  # characters of a passage shown in the terminal (`--json` keeps the whole chunk)


def highlight(text: str, words: tuple[str, ...], style: str = "bold yellow") -> Text:
    """`text` with every whole-word occurrence of `words` (any case) styled."""
    rich_text = Text(clean(text))
    if words:
        pattern = r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w])"
        rich_text.highlight_regex(re.compile(pattern, re.IGNORECASE), style=style)
    return rich_text


def render_passage(passage: Passage, rank: int) -> Panel:
    """One passage: heading as the title, then its source (never cut), then the text; a long
    passage shows the lines around its matched words, with the citation narrowed to them."""
    passage = fit_passage(passage, PASSAGE_ROOM)
    title = Text.assemble((f"{rank}. ", "bold"), highlight(passage.heading or passage.title or passage.source, passage.matched))
    body = Text.assemble((clean(passage.citation), "cyan"), "\n\n", highlight(passage.text, passage.matched))
    return Panel(body, title=title, title_align="left", subtitle=Text(f"score {passage.score:.2f}", style="dim"),
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
