"""`python -m bot quiz` (through a real subprocess: the --json contract, --all, --seed, errors) and
the quiz in a terminal (`quiz` on a terminal, `/quiz` in the chat), over the fixture questions."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from bot.app import App, open_app
from bot.terminal.chat import Chat
from bot.config import SHIPPED_CORPUS, load_settings
from bot.core.quiz.questions import Question
from bot.terminal.quiz import TERMINAL_USER, quiz_command
from tests.cli import cli_env, run
from tests.core.quiz.fixtures import store_only_fixtures

JSON_KEYS = {"id", "kind", "question", "choices", "answer_index", "answer", "source", "heading", "start_line",
             "end_line"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    shutil.copytree(SHIPPED_CORPUS, notes)
    shutil.rmtree(notes / "quiz")  # the fixture questions are the whole pool (see `only_fixtures`)
    return cli_env(notes, tmp_path / "data")


def _settings(env: dict[str, str]):
    return load_settings(_env_file=None, notes_dir=Path(env["NOTES_DIR"]), data_dir=Path(env["DATA_DIR"]),
                         database_url="")


@pytest.fixture
async def app(env: dict[str, str]) -> AsyncIterator[App]:
    async with open_app(_settings(env)) as app:
        await app.notes.start()
        yield app


async def only_fixtures(app: App) -> dict[str, Question]:
    return await store_only_fixtures(app.sessions, app.notes.engine, app.clock())


@pytest.fixture
async def questions(app: App) -> dict[str, Question]:
    return await only_fixtures(app)


@pytest.fixture
async def stored(env: dict[str, str]) -> dict[str, Question]:
    """The notes indexed and the fixture questions stored, with the database closed again (so the
    command under test is the only process using it)."""
    async with open_app(_settings(env)) as app:
        await app.notes.start()
        return await only_fixtures(app)


async def test_quiz_json_contract_and_seed(env: dict[str, str], stored: dict[str, Question]) -> None:
    done = run(env, "quiz", "--json", "--seed", "4")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # exactly one JSON object
    assert set(payload) == JSON_KEYS
    by_id = {q.id: q for q in stored.values()}
    assert payload == by_id[payload["id"]].as_json()
    assert json.loads(run(env, "quiz", "--json", "--seed", "4").stdout) == payload
    several = {json.loads(run(env, "quiz", "--json", "--seed", str(s)).stdout)["id"] for s in (0, 1, 2)}
    assert len(several) > 1


async def test_quiz_topic(env: dict[str, str], stored: dict[str, Question]) -> None:
    payload = json.loads(run(env, "quiz", "--topic", "hypervisor", "--json").stdout)
    assert (payload["id"], payload["kind"], payload["answer"], payload["answer_index"]) == (
        stored["hypervizor"].id, "cloze", "hypervizor", 0)
    assert (payload["source"], payload["start_line"], payload["end_line"]) == ("k8s-colearning-lesson-1.md", 74, 75)


async def test_quiz_unknown_topic_is_one_line(env: dict[str, str], stored: dict[str, Question]) -> None:
    done = run(env, "quiz", "--topic", "baking sourdough bread", "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == "notesbot: error: Nothing in the notes matches 'baking sourdough bread'. Did you mean: break?"


async def test_quiz_all_json_lists_every_active_question(env: dict[str, str]) -> None:
    shutil.copytree(SHIPPED_CORPUS / "quiz", Path(env["NOTES_DIR"]) / "quiz")  # the shipped pool, whole
    done = run(env, "quiz", "--all", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    async with open_app(_settings(env)) as app:
        active = await app.quiz.questions.active()
    assert [p["id"] for p in lines] == [q.id for q in active]  # best first, as stored
    assert [p for p in lines] == [q.as_json() for q in active]
    kinds = {p["kind"] for p in lines}
    assert {"definition", "written"} <= kinds  # generated from the notes, and the shipped hand-written file
    assert all(p["choices"][p["answer_index"]] == p["answer"] for p in lines if p["choices"])


async def test_quiz_without_a_terminal_prints_the_question_only(env: dict[str, str],
                                                                stored: dict[str, Question]) -> None:
    done = run(env, "quiz", "--topic", "hypervisor")
    assert done.returncode == 0, done.stderr
    assert "is a virtualization of physical devices" in done.stdout
    assert "A. hypervizor" in done.stdout and "D. bootloader" in done.stdout
    assert "✅" not in done.stdout and "❌" not in done.stdout


async def test_quiz_with_an_empty_pool(env: dict[str, str], tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "note.md").write_text("# Hello\n\nNothing to ask about here.\n")
    done = run({**env, "NOTES_DIR": str(bare)}, "quiz")
    assert done.returncode == 2
    assert done.stderr.startswith("notesbot: error: There are no quiz questions yet")


class ScriptedConsole(Console):
    """A console whose input comes from a list of lines (then end of input)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(file=io.StringIO(), width=120, force_terminal=False, color_system=None)
        self.lines: Iterator[str] = iter(lines)

    def input(self, prompt: object = "", **kwargs: object) -> str:  # type: ignore[override]
        try:
            return next(self.lines)
        except StopIteration:
            raise EOFError from None

    @property
    def text(self) -> str:
        return self.file.getvalue()  # type: ignore[attr-defined]


async def test_quiz_on_a_terminal_takes_a_letter(app: App, questions: dict[str, Question]) -> None:
    console = ScriptedConsole(["a"])
    code = await quiz_command(app, topic="hypervisor", seed=None, as_json=False, every=False, interactive=True,
                              console=console)
    assert code == 0
    assert "✅ Right! The answer is A. hypervizor." in console.text
    assert "k8s-colearning-lesson-1.md:70-79" in console.text
    post = (await app.quiz.posts.recently_seen(None, TERMINAL_USER, app.clock() - timedelta(days=1)))
    assert questions["hypervizor"].id in post


async def test_quiz_on_a_terminal_asks_again_after_an_empty_answer(app: App, questions: dict[str, Question]) -> None:
    console = ScriptedConsole(["   ...  ", "hypervi"])
    await quiz_command(app, topic="hypervisor", seed=None, as_json=False, every=False, interactive=True,
                       console=console)
    assert "Type an answer first" in console.text
    assert "❌ Almost: you wrote “hypervi”, close but not it. The answer is A. hypervizor." in console.text


async def test_chat_quiz(app: App, questions: dict[str, Question]) -> None:
    console = ScriptedConsole([])
    chat = Chat(app, console)
    assert await chat.handle("/quiz hypervisor")
    assert "is a virtualization of physical devices" in console.text
    assert await chat.handle("Hypervisor")  # the next line is the answer, not a search
    assert "✅ Right! The answer is A. hypervizor." in console.text
    assert chat.quiz.pending is None
    assert await chat.handle("/quiz etcd secrets")
    assert await chat.handle("/help")  # a command skips the question, and says what the answer was
    assert "Quiz skipped (the answer was" in console.text
    assert await chat.handle("/quiz baking sourdough bread")
    assert "Did you mean: break?" in console.text and chat.quiz.pending is None


def test_quiz_check_validates_the_hand_written_files(env: dict[str, str]) -> None:
    quiz_dir = Path(env["NOTES_DIR"]) / "quiz"
    shutil.copytree(SHIPPED_CORPUS / "quiz", quiz_dir)
    good = run(env, "quiz", "--check")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().endswith("valid, 0 problems")
    (quiz_dir / "bad.yaml").write_text(
        "questions:\n"
        "  - question: What stores the cluster state?\n    answer: etcd\n    source: k8s-colearning-lesson-1.md\n"
        "  - question: Who wrote this?\n    source: k8s-colearning-lesson-1.md\n"
        "  - question: Which file?\n    answer: x\n    source: no-such-note.md\n")
    bad = run(env, "quiz", "--check")
    assert bad.returncode == 2
    problems = bad.stderr.strip().splitlines()
    assert len(problems) == 2
    assert problems[0].startswith("notesbot: quiz/bad.yaml: entry 2:") and "answer" in problems[0]
    assert problems[1].startswith("notesbot: quiz/bad.yaml: entry 3:") and "no-such-note.md" in problems[1]
