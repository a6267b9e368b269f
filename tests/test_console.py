"""The terminal front-end's rendering of notes' text, in-process: rich's Markdown on a terminal,
plain text in a pipe, and the quiz's notes' text likewise."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from rich.console import Console

from bot.terminal.console import render_answer
from bot.core.search.answering import Answer, Passage
from bot.terminal.quiz import render_question
from tests import reader_note
from tests.core.quiz.fixtures import PVC

MATCHED = ("poem", "ferris", "reads")


def note_answer(text: str = reader_note.NOTE) -> Answer:
    passage = Passage(source=reader_note.NAME, heading="Ferris reads a poem", start_line=1,
                      end_line=text.rstrip("\n").count("\n") + 1, score=3.5, text=text, matched=MATCHED, chunk_id="c")
    return Answer(reader_note.QUESTION, (passage,))


def test_on_a_terminal_the_notes_are_rendered_by_rich() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=100, record=True)
    console.print(render_answer(note_answer()))
    shown = console.export_text(styles=False, clear=False)
    for hidden in reader_note.HIDDEN + ["**", "`File", "```"]:  # rich draws the marks: none is left
        assert hidden not in shown, hidden
    assert "Ferris opens the poem with File::open and reads it whole;" in shown
    assert "Listing 12-3: A poem by Emily Dickinson" in shown
    assert 'let poem = fs::read_to_string("poem.txt")?;' in shown and "[listing: poem.txt]" in shown
    assert "the Rust book (https://doc.rust-lang.org/book/)" in re.sub(r"[│\s]+", " ", shown)  # where it leads
    styled = console.export_text(styles=True)
    assert "\x1b[1m" in styled  # bold: the matched words and the notes' own


def test_in_a_pipe_the_notes_are_plain_text_with_the_matches_marked() -> None:
    console = Console(file=io.StringIO(), width=100)
    console.print(render_answer(note_answer("# Ferris\n\nThe \x1b]0;owned\x07poem \x1b[31mreads *well*.\n")))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert out.splitlines()[:4] == ["1. Ferris reads a poem", "ferris.md:1-3 (score 3.50)", "",
                                    "The **poem** **reads** well."]
    assert "\x1b" not in out and "owned" not in out


def test_the_terminal_quiz_shows_code_in_questions_and_choices() -> None:
    question = replace(PVC, prompt="Which flag of `kubectl delete` skips the *grace* period?",
                       choices=("`--force`", "`--now`", "`--all`", "`--wait`"), answer_index=0, answer="`--force`")
    console = Console(file=io.StringIO(), width=100)
    console.print(render_question(question))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Which flag of `kubectl delete` skips the grace period?" in out
    assert "A. `--force`" in out and "\\`" not in out
