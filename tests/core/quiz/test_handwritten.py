"""Hand-written questions: the shipped files are valid; bad entries are reported one by one; a
question cites the passage that holds its answer, or the lines its entry pins."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.quiz.handwritten import WRITTEN_QUALITY, load_handwritten
from bot.core.quiz.questions import Question
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
        "explanation, source, heading, lines)",
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
    assert [(q.heading, q.start_line, q.end_line) for q in questions] == [("Storage > Backups", 19, 21)]
    assert problems == ["quiz/q.yaml: entry 2: `heading` 'Restores' is not a heading of storage.md "
                        "(its headings: Backups, CSI, PersistentVolume, PersistentVolumeClaim, Secrets, Storage)"]


def test_without_the_index_only_the_shape_is_checked(seed_engine) -> None:
    questions, problems = load_handwritten(SHIPPED_CORPUS / "quiz")
    assert problems == [] and len(questions) >= 15


def test_a_missing_folder_has_no_questions(tmp_path: Path) -> None:
    assert load_handwritten(tmp_path / "quiz") == ([], [])


# --------------------------------------------------------------------------- the lines cited

SHIPPED_ETCD_ID = "128a4397d4"  # as before placement by answer: review cards point at it


def _shipped(seed_engine, start: str) -> Question:
    questions, _ = load_handwritten(SHIPPED_CORPUS / "quiz", seed_engine)
    return next(q for q in questions if q.prompt.startswith(start))


def test_no_shipped_question_cites_the_whole_note(seed_engine) -> None:
    questions, _ = load_handwritten(SHIPPED_CORPUS / "quiz", seed_engine)
    assert [q.prompt for q in questions if (q.start_line, q.end_line) == (1, 122)] == []


def test_a_shipped_answer_in_other_words_cites_its_passage(seed_engine) -> None:
    q = _shipped(seed_engine, "Why are containers called ephemeral?")  # "you don't save stuff inside of em", line 14
    assert (q.start_line, q.end_line) == (1, 21)


def test_a_shipped_yes_no_question_cites_the_passage_of_its_words(seed_engine) -> None:
    q = _shipped(seed_engine, "Is a node's local disk available")  # line 109, not "no shell" on line 61
    assert (q.start_line, q.end_line) == (100, 109)


def test_the_cited_passage_is_the_questions_chunk(seed_engine) -> None:
    q = _shipped(seed_engine, "By default, how does etcd")
    chunk = next(d.chunk for d in seed_engine.documents if d.chunk.chunk_id == q.chunk_id)
    assert (chunk.start_line, chunk.end_line, chunk.heading) == (q.start_line, q.end_line, q.heading) == (111, 122, None)


def test_passages_loaded_without_their_words_are_placed_alike(seed_engine) -> None:
    """A restart loads the passages from the index snapshot without their words: each question
    still cites the passage that holds its answer, not the whole note."""
    bare = [replace(d, body_words=(), heading_words=()) for d in seed_engine.documents]
    placed = {q.id: (q.start_line, q.end_line) for q in load_handwritten(SHIPPED_CORPUS / "quiz", seed_engine)[0]}
    assert {q.id: (q.start_line, q.end_line) for q in load_handwritten(SHIPPED_CORPUS / "quiz", bare)[0]} == placed


def test_placement_leaves_the_ids_as_they_were(seed_engine) -> None:
    assert _shipped(seed_engine, "By default, how does etcd").id.startswith(SHIPPED_ETCD_ID)


NOTE = """\
# Cluster

Notes on the cluster, its storage and its network.

## Encoding

Base64 is an encoding, not encryption: anyone who can read it can decode it.

## Secrets

By default etcd stores Secrets base64 encoded on disk; encryption at rest must be turned on.

## Volumes

A PersistentVolumeClaim asks for storage; the cluster binds it to a PersistentVolume.

## Networking

Pods talk to each other across nodes without NAT; a NetworkPolicy limits which may.
"""
LINES = {"Cluster": (1, 3), "Encoding": (5, 7), "Secrets": (9, 11), "Volumes": (13, 15), "Networking": (17, 19)}


def _load(tmp_path: Path, entries: str) -> tuple[list[Question], list[str]]:
    notes = tmp_path / "notes"
    (notes / "quiz").mkdir(parents=True)
    (notes / "cluster.md").write_text(NOTE)
    (notes / "quiz" / "q.yaml").write_text(entries)
    return load_handwritten(notes / "quiz", engine_over(notes)[0])


def _cited(tmp_path: Path, entry: str) -> tuple[int, int]:
    questions, problems = _load(tmp_path, entry)
    assert problems == []
    return questions[0].start_line, questions[0].end_line


def test_the_passage_that_states_the_answer_is_cited(tmp_path: Path) -> None:
    entry = "- question: What binds a claim for storage?\n  answer: a persistentvolume\n  source: cluster.md\n"
    assert _cited(tmp_path, entry) == LINES["Volumes"]


def test_an_accepted_form_places_an_answer_the_notes_do_not_state(tmp_path: Path) -> None:
    entry = ("- question: What may limit which pods talk?\n  answer: a network policy object\n"
             "  accepted: [NetworkPolicy]\n  source: cluster.md\n")
    assert _cited(tmp_path, entry) == LINES["Networking"]


def test_the_passage_with_more_of_the_questions_words_wins_a_tie(tmp_path: Path) -> None:
    entry = "- question: How does etcd keep Secrets on disk by default?\n  answer: base64\n  source: cluster.md\n"
    assert _cited(tmp_path, entry) == LINES["Secrets"]  # "Encoding", before it, states base64 too


def test_a_yes_no_answer_is_placed_by_the_questions_words(tmp_path: Path) -> None:
    entry = "- question: Do pods need NAT to talk across nodes?\n  answer: \"No\"\n  source: cluster.md\n"
    assert _cited(tmp_path, entry) == LINES["Networking"]  # not "Notes" on line 3, which holds "no" in no word


def test_an_answer_no_passage_holds_cites_the_whole_note(tmp_path: Path) -> None:
    entry = "- question: Which company wrote the notes?\n  answer: Initech\n  source: cluster.md\n"
    assert _cited(tmp_path, entry) == (1, 19)


def test_lines_pin_the_citation_and_its_passage(tmp_path: Path) -> None:
    entry = "- question: What is base64?\n  answer: an encoding\n  source: cluster.md\n  lines: 10-11\n"
    questions, problems = _load(tmp_path, entry)
    assert problems == []
    q = questions[0]
    assert (q.start_line, q.end_line, q.heading) == (10, 11, "Cluster > Secrets")


def test_pinned_lines_do_not_change_the_id(tmp_path: Path) -> None:
    entry = "- question: What is base64?\n  answer: an encoding\n  source: cluster.md\n"
    unpinned = _load(tmp_path / "a", entry)[0][0]
    pinned = _load(tmp_path / "b", entry + "  lines: 11\n")[0][0]
    assert pinned.id == unpinned.id and (pinned.start_line, pinned.end_line) == (11, 11)


def test_bad_lines_are_reported(tmp_path: Path) -> None:
    base = "- question: What is base64?\n  answer: an encoding\n  source: cluster.md\n"
    _, problems = _load(tmp_path, base + "  lines: 7-5\n" + base + "  lines: 30-31\n" + base + "  lines: soon\n"
                        + base + "  heading: Volumes\n  lines: 10-11\n")
    assert problems == [
        "quiz/q.yaml: entry 1: `lines` must go from line 1 or later to a line at or after the start (found '7-5')",
        "quiz/q.yaml: entry 2: `lines` 30-31 are not within cluster.md (lines 1-19)",
        "quiz/q.yaml: entry 3: `lines` must be START-END or one line number, like 118-120 (found 'soon')",
        "quiz/q.yaml: entry 4: `lines` 10-11 are not within the section 'Volumes' (lines 13-15)",
    ]


def test_a_yaml_syntax_error_says_its_line_and_column(tmp_path: Path) -> None:
    quiz = tmp_path / "quiz"
    quiz.mkdir()
    (quiz / "q.yml").write_text("questions:\n  - question: Which runtime?\n    answer: [containerd\n")
    questions, problems = load_handwritten(quiz, engine_over(tmp_path)[0])
    assert questions == [] and len(problems) == 1 and "^" not in problems[0]
    assert problems[0].startswith("quiz/q.yml: not valid YAML: line 4, column 1: expected ',' or ']'")
    assert "from line 3, column 13" in problems[0]  # where the list that was never closed began
