"""Hand-written questions: the shipped files are valid; bad entries are reported one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.quiz.handwritten import WRITTEN_QUALITY, load_handwritten
from tests.core.quiz.conftest import engine_over


@pytest.fixture(scope="module")
def seed_engine():
    return engine_over(SHIPPED_CORPUS)[0]


def test_every_shipped_file_is_valid(seed_engine) -> None:
    questions, problems = load_handwritten(SHIPPED_CORPUS / "quiz", seed_engine)
    assert problems == []
    assert len(questions) >= 15
    assert len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert q.kind == "written" and q.quality == WRITTEN_QUALITY
        assert q.source == "k8s-colearning-lesson-1.md" and 1 <= q.start_line <= q.end_line
        if q.choices:
            assert len(q.choices) == 4 and q.choices[q.answer_index] == q.answer


def test_shipped_choices_do_not_always_put_the_answer_first(seed_engine) -> None:
    questions, _ = load_handwritten(SHIPPED_CORPUS / "quiz", seed_engine)
    assert len({q.answer_index for q in questions if q.choices}) >= 3


BAD = """\
questions:
  - question: Which encoding does etcd use for secrets by default?
    answer: base64
    choices: [base64, AES, gzip, plain]
    source: k8s-colearning-lesson-1.md
  - question: What is missing here?
    source: k8s-colearning-lesson-1.md
  - question: Too few choices?
    answer: a
    choices: [a, b]
    source: k8s-colearning-lesson-1.md
  - question: Answer not among the choices?
    answer: zebra
    choices: [a, b, c, d]
    source: k8s-colearning-lesson-1.md
  - question: Unknown note?
    answer: maybe
    source: nowhere.md
  - question: Unknown field?
    answer: maybe
    sauce: k8s-colearning-lesson-1.md
  - just a string
  - question: Duplicate choices?
    answer: VM
    choices: [VM, vm, container, pod]
    source: k8s-colearning-lesson-1.md
  - question: Is local disk available to k8s by default?
    answer: no
    source: k8s-colearning-lesson-1.md
  - question: Which tool does the notes name for Kubernetes policies?
    answer: OPA Gatekeeper
    accepted: [gatekeeper]
    source: k8s-colearning-lesson-1.md
"""


def test_bad_entries_are_reported_and_the_good_ones_still_load(tmp_path: Path, seed_engine) -> None:
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    (quiz / "bad.yaml").write_text(BAD)
    questions, problems = load_handwritten(quiz, seed_engine)
    assert [q.answer for q in questions] == ["base64", "OPA Gatekeeper"]
    assert problems == [
        "quiz/bad.yaml: entry 2: `answer` is missing",
        "quiz/bad.yaml: entry 3: `choices` must list exactly 4 answers (found 2)",
        "quiz/bad.yaml: entry 4: `answer` is not one of the `choices`",
        "quiz/bad.yaml: entry 5: `source` 'nowhere.md' is not an indexed note",
        "quiz/bad.yaml: entry 6: unknown field `sauce` (allowed: question, answer, choices, accepted, "
        "explanation, source, heading)",
        "quiz/bad.yaml: entry 7: expected a mapping with `question:`, `answer:` and `source:`",
        "quiz/bad.yaml: entry 8: two `choices` are the same once case and punctuation are ignored",
        "quiz/bad.yaml: entry 9: `answer` reads as false in YAML: put it in quotes, like \"yes\"",
    ]


def test_a_file_that_is_not_yaml_is_one_problem_and_others_still_load(tmp_path: Path, seed_engine) -> None:
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    (quiz / "a-broken.yaml").write_text("questions:\n  - question: [unclosed\n")
    (quiz / "b-good.yml").write_text(BAD.split("  - question: What is missing")[0])
    questions, problems = load_handwritten(quiz, seed_engine)
    assert [q.answer for q in questions] == ["base64"]
    assert len(problems) == 1 and problems[0].startswith("quiz/a-broken.yaml: not valid YAML: ")


def test_an_unknown_heading_names_the_notes_headings(tmp_path: Path) -> None:
    from tests.core.quiz.conftest import FIXTURE_NOTES

    engine = engine_over(FIXTURE_NOTES)[0]
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    (quiz / "q.yaml").write_text(
        "- question: What backs up cluster resources?\n  answer: Velero\n  source: storage.md\n  heading: Backups\n"
        "- question: What backs up cluster resources?\n  answer: Velero\n  source: storage.md\n  heading: Restores\n")
    questions, problems = load_handwritten(quiz, engine)
    assert [(q.heading, q.start_line, q.end_line) for q in questions] == [("Storage > Backups", 8, 10)]
    assert problems == ["quiz/q.yaml: entry 2: `heading` 'Restores' is not a heading of storage.md "
                        "(its headings: Backups, Storage)"]


def test_without_the_index_only_the_shape_is_checked(seed_engine) -> None:
    questions, problems = load_handwritten(SHIPPED_CORPUS / "quiz")
    assert problems == [] and len(questions) >= 15


def test_a_missing_folder_has_no_questions(tmp_path: Path) -> None:
    assert load_handwritten(tmp_path / "quiz") == ([], [])
