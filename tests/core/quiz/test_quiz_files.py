"""Hostile quiz files: no value, size, link or escape sequence in a file of the `quiz/` folder stops
the bot, leaves the folder, echoes a file's text or reaches a terminal raw; files are bounded and
parsed again only when they change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.core.quiz import quiz_files
from bot.core.quiz.handwritten import load_handwritten
from bot.core.quiz.pool import QuestionPool
from bot.core.quiz.quiz_files import MAX_FILE_BYTES, QuizFiles
from bot.core.quiz.store import QuestionStore
from bot.core.search.service import NotesService, ServiceConfig
from tests.core.quiz.conftest import FIXTURE_NOTES

GOOD = "- question: Which tool backs up cluster resources?\n  answer: Velero\n  source: storage.md\n"
DIGITS = "9" * 5000
DEEP = "[" * 5000 + "]" * 5000


def _quiz(tmp_path: Path, **files: str) -> Path:
    quiz = tmp_path / "notes" / "quiz"
    quiz.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (quiz / name.replace("_", ".")).write_text(text)
    return quiz


def _entry(**fields: str) -> str:
    values = {"question": "Which tool backs up cluster resources?", "answer": "Velero", "source": "storage.md",
              **fields}
    return "- " + "\n  ".join(f"{name}: {value}" for name, value in values.items()) + "\n"


# --------------------------------------------------------------------------- unusual values


@pytest.mark.parametrize(("entry", "problem"), [
    (_entry(answer="2024-13-45"), None),  # YAML 1.1 reads a date here, and fails on month 13
    (_entry(explanation="2024-02-30 12:00:00"), None),
    (_entry(answer=DIGITS), "entry 1: `answer` is longer than 200 characters"),  # int() refuses 5,000 digits
    (_entry(lines=DIGITS), "entry 1: `lines` must be START-END or one line number, like 118-120 (found '999999"),
    (_entry(choices=DEEP), "not valid YAML: line 4, column 14: nested too deeply (at most 4 levels)"),
    (_entry(answer="!!timestamp 2024-01-01"), "not valid YAML: line 2, column 11: YAML tags (!!…) are not allowed"),
    (_entry(answer="Vel\x01ero"), "not valid YAML: line 2, column 14: special characters are not allowed (character #x0001)"),
])
def test_an_unusual_value_is_text_or_one_problem_never_a_crash(tmp_path: Path, entry: str, problem: str | None) -> None:
    quiz = _quiz(tmp_path, a_yaml=entry, b_yaml=GOOD)
    questions, problems = load_handwritten(quiz)
    if problem is None:
        assert problems == [] and len(questions) == 2
        assert questions[0].answer in ("2024-13-45", "Velero") and questions[1].answer == "Velero"
        assert questions[0].explanation in (None, "2024-02-30 12:00:00")
    else:
        assert [q.answer for q in questions] == ["Velero"]  # the other file still loads
        assert len(problems) == 1 and problems[0].startswith(f"quiz/a.yaml: {problem}"), problems
        assert len(problems[0]) < 300 and "\n" not in problems[0]


async def test_a_reindex_reports_a_hostile_file_and_keeps_going(sessions, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(FIXTURE_NOTES, notes)
    _quiz(tmp_path, a_yaml=_entry(choices=DEEP), b_yaml=_entry(lines=DIGITS), c_yaml=_entry(answer="2024-13-45"),
          d_yaml=GOOD)
    (notes / "synonyms.yaml").write_text("groups: [[2024-13-45, pod]]\n")
    service = NotesService(ServiceConfig(notes, notes / "synonyms.yaml"), sessions,
                           on_reindex=QuestionPool().on_reindex)
    summary = await service.start()  # raised ValueError, RecursionError before: nothing was indexed
    assert summary is not None and summary.files == 4
    assert [w.path for w in summary.warnings] == ["quiz/a.yaml", "quiz/b.yaml"]
    written = [q.answer for q in await QuestionStore(sessions).active() if q.kind == "written"]
    assert sorted(written) == ["2024-13-45", "Velero"]


# --------------------------------------------------------------------------- limits


def test_a_file_over_the_size_limit_is_reported_and_skipped(tmp_path: Path) -> None:
    big = "questions:\n" + GOOD.replace("- ", "  - ").replace("\n  a", "\n    a").replace("\n  s", "\n    s") * 3000
    assert len(big) > MAX_FILE_BYTES
    questions, problems = load_handwritten(_quiz(tmp_path, big_yaml=big, small_yaml=GOOD))
    assert problems == [f"quiz/big.yaml: larger than {MAX_FILE_BYTES} bytes"]
    assert len(questions) == 1


def test_entries_past_the_limit_are_reported_and_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quiz_files, "MAX_ENTRIES", 3)
    entries = "".join(_entry(question=f"Which tool backs up cluster resources, {n}?") for n in range(5))
    questions, problems = load_handwritten(_quiz(tmp_path, q_yaml=entries))
    assert len(questions) == 3
    assert problems == ["quiz/q.yaml: more than 3 entries: those after entry 3 are ignored"]


def test_files_past_the_total_size_or_count_are_reported_and_not_read(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    quiz = _quiz(tmp_path, a_yaml=GOOD, b_yaml=GOOD, c_yaml=GOOD, d_yaml=GOOD)
    monkeypatch.setattr(quiz_files, "MAX_TOTAL_BYTES", 2 * len(GOOD))
    questions, problems = load_handwritten(quiz)
    assert len(questions) == 2
    assert problems == [f"quiz/{n}.yaml: not read: the quiz files together may hold at most {2 * len(GOOD)} bytes"
                        for n in "cd"]
    monkeypatch.setattr(quiz_files, "MAX_FILES", 1)
    assert load_handwritten(quiz)[1] == [
        "quiz/b.yaml: not read, nor the 2 files after it: at most 1 quiz files are read"]


def test_too_many_accepted_answers_are_a_problem(tmp_path: Path) -> None:
    entry = _entry(accepted="[" + ", ".join(f"velero {n}" for n in range(21)) + "]")
    assert load_handwritten(_quiz(tmp_path, q_yaml=entry))[1] == [
        "quiz/q.yaml: entry 1: `accepted` lists more than 20 answers"]


def test_an_unchanged_file_is_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = quiz_files.load_text_yaml
    monkeypatch.setattr(quiz_files, "load_text_yaml", lambda text, **kw: parsed.append(text) or real(text, **kw))
    quiz = _quiz(tmp_path, a_yaml=GOOD, b_yaml="questions: [")
    files = QuizFiles()
    first = load_handwritten(quiz, (), files)
    assert load_handwritten(quiz, (), files) == first and len(parsed) == 2  # a broken file is not parsed again either
    (quiz / "a.yaml").write_text(GOOD.replace("Velero", "Restic or Velero"))
    questions, _ = load_handwritten(quiz, (), files)
    assert [q.answer for q in questions] == ["Restic or Velero"] and len(parsed) == 3
    (quiz / "b.yaml").unlink()
    assert load_handwritten(quiz, (), files)[1] == []


async def test_a_reindex_parses_only_the_quiz_files_that_changed(sessions, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(FIXTURE_NOTES, notes)
    _quiz(tmp_path, a_yaml=GOOD)
    parsed: list[str] = []
    real = quiz_files.load_text_yaml
    monkeypatch.setattr(quiz_files, "load_text_yaml", lambda text, **kw: parsed.append(text) or real(text, **kw))
    service = NotesService(ServiceConfig(notes, None), sessions, on_reindex=QuestionPool().on_reindex)
    await service.start()
    (notes / "storage.md").write_text((notes / "storage.md").read_text() + "\nOne more line.\n")
    await service.reindex()
    assert len(parsed) == 1


# --------------------------------------------------------------------------- links and echoes


def test_a_link_out_of_the_notes_folder_is_refused_without_reading_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secrets.yaml").write_text(GOOD.replace("Velero", "s3cr3t"))
    (outside / "broken.yaml").write_text('db_password: "s3cr3t\n')
    quiz = _quiz(tmp_path)
    (tmp_path / "notes" / "shared.yaml").write_text(GOOD)
    for name, target in [("a.yaml", outside / "secrets.yaml"), ("b.yaml", outside / "broken.yaml"),
                         ("c.yaml", Path("/proc/self/environ")), ("d.yaml", Path("../shared.yaml"))]:
        os.symlink(target, quiz / name)
    questions, problems = load_handwritten(quiz)
    assert [q.answer for q in questions] == ["Velero"]  # a link inside the folder is followed, as for notes
    assert problems == [f"quiz/{n}.yaml: symlink points outside the notes folder" for n in "abc"]


def test_a_file_that_fails_to_parse_is_never_quoted(tmp_path: Path) -> None:
    quiz = _quiz(tmp_path, a_yaml="db_password: *hunter2\n", b_yaml='token: "hunter2\n',
                 c_yaml="questions:\n  - !hunter2 x\n")
    problems = load_handwritten(quiz)[1]
    assert problems == [
        "quiz/a.yaml: not valid YAML: line 1, column 14: found undefined alias (not shown)",
        "quiz/b.yaml: not valid YAML: line 2, column 1: found unexpected end of stream "
        "(while scanning a quoted scalar from line 1, column 8)",
        "quiz/c.yaml: not valid YAML: line 2, column 5: YAML tags (!!…) are not allowed",
    ]


# --------------------------------------------------------------------------- escape sequences

ESCAPES = "\x1b\x07\x9b\u202e\x00"


def test_escape_sequences_are_removed_from_every_field(tmp_path: Path) -> None:
    entry = ('- question: "\\e[31mWhich\\e[0m tool \\e]8;;https://evil.example\\aclick\\e]8;;\\a backs up?"\n'
             '  answer: Velero\n'
             '  choices: [Velero, "\\e]0;pwned\\aTrivy", "Falco\\u202e", "Cali\\x9bco"]\n'
             '  accepted: ["velero\\e[8m"]\n'
             '  explanation: "Backs up \\e[2Jto object storage\\e\\\\."\n'
             "  source: storage.md\n")
    questions, problems = load_handwritten(_quiz(tmp_path, q_yaml=entry))
    assert problems == []
    q = questions[0]
    shown = [q.prompt, q.answer, q.explanation or "", *q.choices, *q.accepted]
    assert not [text for text in shown if set(text) & set(ESCAPES)]
    assert q.prompt == "Which tool click backs up?" and q.explanation == "Backs up to object storage."
    assert sorted(q.choices) == ["Calico", "Falco", "Trivy", "Velero"] and q.answer == "Velero"
