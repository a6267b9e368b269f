"""The generator built from the notes' structure (`bot.core.quiz.structural`) and the rubric's checks,
each with a question it must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.quiz.questions import BLANK, Question
from bot.core.quiz.rubric import defines_alone, describes_alone, gives_away, one_right, plausible, reads_alone, worth_knowing
from bot.core.quiz.structural import StructuralGenerator, StructuralParams
from bot.core.quiz.terms import normalise
from bot.core.quiz.wording import Wording
from bot.core.search.analysis import Analyzer
from bot.core.search.synonyms import SynonymTable
from tests.core.quiz.conftest import engine_over

STRUCTURED_NOTES = Path(__file__).parent / "structured_notes"


@pytest.fixture(scope="module")
def generator() -> StructuralGenerator:
    engine, synonyms = engine_over(STRUCTURED_NOTES)
    return StructuralGenerator(engine, synonyms)


@pytest.fixture(scope="module")
def pool(generator: StructuralGenerator) -> list[Question]:
    return [q for doc in generator.engine.documents for q in generator.generate(doc)]


def test_the_structured_notes_give_concept_definition_and_cloze_questions(pool: list[Question]) -> None:
    prompts = {q.prompt: q for q in pool}
    what = prompts["What is Kata Containers?"]
    assert what.answer == "A runtime that runs every pod inside a lightweight virtual machine for stronger isolation"
    assert len(what.choices) == 4 and all(c.startswith("A runtime") or c.startswith("A lightweight") for c in what.choices)
    which = prompts["Which of these is a runtime that came out of Docker and is now the default on most clusters?"]
    assert which.answer == "containerd" and set(which.choices) == {"containerd", "CRI-O", "Kata Containers", "gVisor"}
    cloze = prompts[f"{BLANK} decides which users and service accounts may call which API verbs."]
    assert cloze.answer == "RBAC" and set(cloze.choices) <= {"RBAC", "OPA Gatekeeper", "Falco", "Trivy", "Kyverno"}


def test_every_question_has_four_distinct_choices_and_the_answer_in_its_cited_lines(generator, pool) -> None:
    lines = {}
    for path in STRUCTURED_NOTES.glob("*.md"):
        lines[path.name] = path.read_text().splitlines()
    for q in pool:
        assert len(q.choices) == 4 and len({normalise(c) for c in q.choices}) == 4, q
        assert q.answer_index is not None and q.choices[q.answer_index] == q.answer
        cited = normalise("\n".join(lines[q.source][q.start_line - 1:q.end_line]))
        assert normalise(q.answer.rstrip("…")) in cited, (q.answer, q.citation)


def test_no_cloze_shows_its_answer_or_a_choice(generator, pool) -> None:
    for q in (q for q in pool if q.kind == "cloze"):
        assert q.prompt.count(BLANK) == 1
        for choice in q.choices:
            assert not generator.wording.visible(choice, q.prompt), (choice, q.prompt)


def test_generation_is_deterministic_and_the_seed_only_moves_choices() -> None:
    engine, synonyms = engine_over(STRUCTURED_NOTES)
    first = [q for d in engine.documents for q in StructuralGenerator(engine, synonyms).generate(d)]
    again = [q for d in engine.documents for q in StructuralGenerator(engine, synonyms).generate(d)]
    other = [q for d in engine.documents for q in StructuralGenerator(engine, synonyms, StructuralParams(seed=7)).generate(d)]
    assert first == again
    assert [(q.prompt, set(q.choices)) for q in first] == [(q.prompt, set(q.choices)) for q in other]


def test_a_heading_in_three_notes_is_the_notes_template_not_a_concept(tmp_path: Path) -> None:
    does = {"alpha": "builds container images from source", "beta": "schedules batch jobs across nodes",
            "gamma": "rotates certificates before they expire", "delta": "collects logs from every pod"}
    for name, what in does.items():
        (tmp_path / f"{name}.md").write_text(
            f"# {name.title()}\n\n{name.title()} is a tool that {what}.\n\n"
            f"## How it helps\n\nHow it helps is a section that says why teams pick {name}.\n", encoding="utf-8")
    engine, synonyms = engine_over(tmp_path)
    generator = StructuralGenerator(engine, synonyms)
    questions = [q for d in engine.documents for q in generator.generate(d)]
    assert questions and not any("How it helps" in q.choices for q in questions)
    assert any(q.answer == "Alpha" for q in questions)


def test_a_change_log_asks_nothing(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text("## Fixed\n\n- **pods** now restart faster than before.\n", encoding="utf-8")
    engine, synonyms = engine_over(tmp_path)
    generator = StructuralGenerator(engine, synonyms)
    assert [q for d in engine.documents for q in generator.generate(d)] == []


# --------------------------------------------------------------------------- the rubric, one refusal each

def wording() -> Wording:
    analyzer = Analyzer()
    return Wording(analyzer, SynonymTable.from_groups([["k8s", "kubernetes"]], analyzer))


@pytest.mark.parametrize("sentence", [
    "What are the options?",  # a header, not a sentence
    "It stores them in base64 on the disk of each node.",  # leans on the sentence before
    "The code above prints the value of x to the screen.",  # points at a listing
    "Cloud serviceMaximum volumes per Node Amazon Elastic Block Store",  # a table row, no sentence end
])
def test_rule_1_refuses_what_does_not_read_alone(sentence: str) -> None:
    assert not reads_alone(sentence)
    assert reads_alone("By default etcd stores secrets in base64 on the disk of each node.")


def test_rule_1_for_definitions_and_descriptions() -> None:
    assert defines_alone("is a cumulative metric that only goes up")
    assert not defines_alone("is the former")
    assert describes_alone("Decrement the gauge by one")
    assert not describes_alone("This is covered by services")


def test_rule_2_refuses_emphasis_of_everyday_words_and_grammar_words_in_code() -> None:
    assert not worth_knowing("not", "em") and not worth_knowing("very important", "strong")
    assert not worth_knowing("and", "code")
    assert worth_knowing("gateway policies", "em") and worth_knowing("kube-proxy", "code")


def test_rule_3_refuses_a_synonym_of_the_answer_and_a_choice_named_in_the_question() -> None:
    w = wording()
    assert not one_right(w, "Kubernetes", "k8s", f"{BLANK} manages the nodes.", [])
    assert not one_right(w, "Falco", "Trivy", f"{BLANK} watches calls, unlike Trivy.", [])
    assert not one_right(w, "Falco", "RBAC", f"{BLANK} watches calls.", ["rbac"])
    assert one_right(w, "Falco", "Trivy", f"{BLANK} watches system calls.", [])


def test_rule_4_refuses_a_choice_of_another_length() -> None:
    assert not plausible("base64", "a very long description of an encryption scheme")
    assert plausible("base64", "AES-256")


def test_rule_5_refuses_an_answer_visible_in_another_form() -> None:
    assert gives_away(wording(), "Secrets", f"The {BLANK} object holds a secret value.")
    assert not gives_away(wording(), "base64", f"etcd stores secrets in {BLANK}.")
