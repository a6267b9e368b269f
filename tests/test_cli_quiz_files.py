"""Hostile files in the notes folder through the real commands: an unusual value in a quiz file or
in synonyms.yaml stops no command, and escape sequences in quiz text never reach the terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import open_app
from bot.terminal.chat import Chat
from bot.config import load_settings
from tests.cli import cli_env, run
from tests.core.quiz.conftest import FIXTURE_NOTES
from tests.test_cli_quiz import ScriptedConsole

RAW = ("\x1b", "\x07", "\x9b", "\u202e")
ENTRY = "- question: {question}\n  answer: {answer}\n  source: storage.md\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    shutil.copytree(FIXTURE_NOTES, notes)
    (notes / "quiz").mkdir()
    return cli_env(notes, tmp_path / "data")


def test_unusual_values_in_quiz_and_synonyms_files_stop_no_command(env: dict[str, str]) -> None:
    notes = Path(env["NOTES_DIR"])
    (notes / "synonyms.yaml").write_text("groups: [[2024-13-45, pod]]\n")
    (notes / "quiz" / "a.yaml").write_text(ENTRY.format(question="Which date was it?", answer="2024-13-45"))
    (notes / "quiz" / "b.yaml").write_text(ENTRY.format(question="Which tool?", answer="Velero")
                                           + "  choices: " + "[" * 5000 + "]" * 5000 + "\n")
    (notes / "quiz" / "c.yaml").write_text(ENTRY.format(question="Which tool?", answer="9" * 5000))
    reindex = run(env, "reindex")
    assert reindex.returncode == 0, reindex.stderr
    check = run(env, "quiz", "--check")
    assert check.returncode == 2 and check.stdout.strip() == "1 hand-written questions valid, 2 problems"
    assert check.stderr.splitlines() == [
        "notesbot: quiz/b.yaml: not valid YAML: line 4, column 14: nested too deeply (at most 4 levels)",
        "notesbot: quiz/c.yaml: entry 1: `answer` is longer than 200 characters",
    ]
    ask = run(env, "ask", "which tool backs up cluster resources", "--json")
    assert ask.returncode == 0, ask.stderr
    every = run(env, "quiz", "--all")
    assert every.returncode == 0 and "Which date was it?" in every.stdout
    assert "Traceback" not in reindex.stderr + check.stderr + ask.stderr + every.stderr


async def test_escape_sequences_in_quiz_text_never_reach_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    bare = tmp_path / "bare"  # nothing to generate from: the hand-written question is the whole pool
    (bare / "quiz").mkdir(parents=True)
    (bare / "note.md").write_text("# Hello\n\nNothing to ask about here.\n")
    (bare / "quiz" / "q.yaml").write_text(
        '- question: "\\e]8;;https://evil.example\\e\\\\Which\\e]8;;\\e\\\\ \\e[2Jgreeting\\x9b is it?\\e]0;pwned\\a"\n'
        "  answer: hello\n"
        '  choices: [hello, "\\e[31mbye", "hi\\u202e", hey]\n'
        '  explanation: "\\e[8mThe note says hello.\\a"\n'
        "  source: note.md\n")
    env = {**env, "NOTES_DIR": str(bare)}
    every = run(env, "quiz", "--all")
    one = run(env, "quiz", "--seed", "3")
    assert every.returncode == one.returncode == 0, every.stderr + one.stderr
    assert "Which greeting is it?" in every.stdout and "Which greeting is it?" in one.stdout
    assert "bye" in one.stdout and "hi" in one.stdout
    assert not [c for c in RAW if c in every.stdout + one.stdout]
    settings = load_settings(_env_file=None, notes_dir=bare, data_dir=Path(env["DATA_DIR"]), database_url="")
    async with open_app(settings) as app:
        await app.notes.start()
        console = ScriptedConsole([])
        chat = Chat(app, console)
        assert await chat.handle("/quiz")
        assert await chat.handle("hello")
    assert "Which greeting is it?" in console.text and "The note says hello." in console.text
    assert not [c for c in RAW if c in console.text]
