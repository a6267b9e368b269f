"""Generated questions: every one passes the quality checks, on the seed notes and a fixture corpus."""

from __future__ import annotations

import pytest

from bot.core.quiz.generate import GenerationParams, QuestionGenerator
from bot.core.quiz.questions import BLANK, Question
from bot.core.quiz.sentences import standalone
from bot.core.quiz.terms import analyse_passage, clean_inline, normalise, term_kind


def all_questions(generator: QuestionGenerator) -> list[Question]:
    return [q for doc in generator.index.documents for q in generator.generate(doc)]


@pytest.fixture(scope="module")
def questions(generator: QuestionGenerator) -> list[Question]:
    found = all_questions(generator)
    assert len(found) >= 8  # both corpora give a pool worth drawing from
    return found


def passage_of(generator: QuestionGenerator, question: Question):
    return next(d for d in generator.index.documents if d.chunk.chunk_id == question.chunk_id)


def test_every_question_has_four_distinct_choices_and_the_right_index(questions) -> None:
    for q in questions:
        assert len(q.choices) == 4, q
        assert len({normalise(c) for c in q.choices}) == 4, q
        assert q.answer_index is not None and q.choices[q.answer_index] == q.answer


def test_the_answer_is_in_its_source_passage_and_the_citation_matches(generator, questions) -> None:
    for q in questions:
        chunk = passage_of(generator, q).chunk
        assert normalise(q.answer) in normalise(chunk.text), q
        assert (q.source, q.heading, q.start_line, q.end_line) == (chunk.source, chunk.heading, chunk.start_line,
                                                                   chunk.end_line)


def test_no_choice_is_visible_in_the_question_or_a_synonym_of_the_answer(generator, questions) -> None:
    for q in questions:
        for i, choice in enumerate(q.choices):
            if q.kind == "cloze" or i == q.answer_index:
                assert not generator._visible(choice, q.prompt), (choice, q.prompt)
            if i != q.answer_index:
                assert not generator._same_thing(choice, q.answer), (choice, q.answer)


def test_distractors_are_of_the_answers_kind(questions) -> None:
    for q in (q for q in questions if q.kind == "cloze"):
        kinds = {term_kind(c) or term_kind(c, first=True) for c in q.choices}
        assert len(kinds) == 1, (q.prompt, q.choices, kinds)


def test_prompts_read_as_whole_questions(questions) -> None:
    for q in questions:
        assert (20 if q.kind == "cloze" else 10) <= len(q.prompt) <= 320  # "What is PVC?" is whole
        assert not any(mark in q.prompt for mark in ("](", "`", "{{", "<", "**", "http"))
        if q.kind == "cloze":
            assert q.prompt.count(BLANK) == 1
            assert standalone(q.prompt.replace(BLANK, "x"))
        else:
            assert q.prompt.endswith("?") and BLANK not in q.prompt


def test_the_bots_own_search_finds_the_source_in_its_top_3(generator, questions) -> None:
    for q in questions:
        ranked = [p.chunk_id for p in generator.engine.search(q.prompt, k=3).passages]
        assert q.chunk_id in ranked, q.prompt


def test_generation_is_deterministic_and_the_seed_only_moves_choices(corpus) -> None:
    first = all_questions(QuestionGenerator(*corpus))
    again = all_questions(QuestionGenerator(*corpus))
    assert first == again
    other = all_questions(QuestionGenerator(*corpus, GenerationParams(seed=7)))
    assert [q.id for q in other] == [q.id for q in first]


def test_answer_positions_are_spread_by_the_shuffle(questions) -> None:
    positions = {q.answer_index for q in questions}
    assert len(positions) >= 3


def test_the_notes_typo_accepts_the_right_spelling(generator) -> None:
    assert "hypervisor" in generator.corrections("hypervizor")
    assert "enterprises" in generator.corrections("enerprizes")
    assert generator.corrections("gitlab") == []  # a real name is no typo of "github"
    assert generator.corrections("dockerd") == []


@pytest.mark.parametrize(("token", "kind"), [
    ("the", None), ("about", None), ("people", "word"), ("OCI", "acronym"), ("base64", "name"),
    ("etcd", "name"), ("kube-proxy", "name"), ("VirtualBox", "name"), ("cto-s", None),
])
def test_key_terms_by_shape(token: str, kind: str | None) -> None:
    assert term_kind(token) == kind


def test_a_number_is_a_key_term_only_when_it_counts_something() -> None:
    assert term_kind("10", unit=True) == "number"
    assert term_kind("10") is None


@pytest.mark.parametrize("sentence", [
    "What are the options?",
    "It stores secrets in base64 on the disk.",
    "My notes for k8s coloarning with rwxrob and friends",
    "Main virtualization engines and the other ones:",
    "Too short to ask.",
])
def test_sentences_that_cannot_stand_alone_are_refused(sentence: str) -> None:
    assert not standalone(sentence)


@pytest.mark.parametrize(("text", "shown"), [
    ("See [the kubelet](/docs/kubelet/) for **details** on `etcd` today.", "See the kubelet for details on etcd today."),
    ("Run {{< glossary_tooltip text=\"controllers\" term_id=\"controller\" >}} to reconcile state.",
     "Run controllers to reconcile state."),
    ("A link cut in half [like this](http://example", None),
    ("Some <b>HTML</b> inline", None),
    ("An unclosed `code span here", None),
])
def test_markdown_is_flattened_or_refused(text: str, shown: str | None) -> None:
    assert clean_inline(text) == shown


def test_definitions_come_from_the_notes_own_statements() -> None:
    passage = analyse_passage(
        "hypervizor is a virtualization of physical devices\n\n"
        "landscape.cncf.io - the technical landscape of cloud native\n\n"
        "[etcd](/docs/etcd/)\n: Consistent and highly-available key value store for all API server data.\n\n"
        "upsides of containers: CICD with quick rollbacks\n"
    )
    found = {d.term: d.meaning for d in passage.definitions}
    assert found == {
        "hypervizor": "A virtualization of physical devices",
        "landscape.cncf.io": "The technical landscape of cloud native",
        "etcd": "Consistent and highly-available key value store for all API server data",
    }


def test_code_fences_and_tables_give_no_sentences() -> None:
    passage = analyse_passage("```\nkubectl get pods is the command that lists pods\n```\n"
                              "| kubelet | runs pods on every node of the cluster |\n")
    assert passage.sentences == ()


def test_a_question_on_the_notes_typo_accepts_the_correct_spelling() -> None:
    from bot.config import SHIPPED_CORPUS
    from tests.core.quiz.conftest import engine_over

    questions = all_questions(QuestionGenerator(*engine_over(SHIPPED_CORPUS)))
    typo = next(q for q in questions if q.answer == "hypervizor")
    assert typo.prompt == "Which of these is a virtualization of physical devices?"
    assert "hypervisor" in typo.accepted


def test_more_statement_forms_give_definitions() -> None:
    passage = analyse_passage(
        "PVC is k8s own way of managing storage, a persistent volume, you have to map claims\n\n"
        "-storage orchestration - allows you to mount a storage system of your choice\n\n"
        "it should be compliant with OCI open container initiative\n\n"
        "The Container Network Interface (CNI) plugins set up the Pod network.\n\n"
        "containerization is overlapping with package systems - Nyx, influences it\n\n"
        "Verbs: create, get, list, watch, group: certificates.k8s.io\n"
    )
    found = {d.term: d.meaning for d in passage.definitions}
    assert found == {
        "PVC": "K8s own way of managing storage",  # a long meaning: its first clause
        "storage orchestration": "Allows you to mount a storage system of your choice",
        "OCI": "Open container initiative",
        "CNI": "Container Network Interface",
    }


@pytest.mark.parametrize("sentence", [
    "Allows setting ipMode for Services where type is set to LoadBalancer.",
    "Start and configure additional etcd instance.",
    "start and configure additional etcd instance",
    "If you use OIDC validation instead, your clients keep the token.",
    "If you are running into difficulties with kubeadm, please consult our troubleshooting docs.",
])
def test_sentences_without_their_subject_or_context_are_refused(sentence: str) -> None:
    assert not standalone(sentence)


def test_seed_notes_give_several_questions_per_passage_and_definitions_both_ways(generator) -> None:
    from bot.config import SHIPPED_CORPUS
    from tests.core.quiz.conftest import engine_over

    questions = all_questions(QuestionGenerator(*engine_over(SHIPPED_CORPUS)))
    assert len(questions) >= 12  # 9 before one question per sentence; 16 before the small-notes and give-away rules
    prompts = {q.prompt: q for q in questions}
    assert prompts["What is a hypervizor?"].answer == "A virtualization of physical devices"
    assert prompts["Which of these is a virtualization of physical devices?"].answer == "hypervizor"
    assert "VMWare" not in prompts["Which of these is a virtualization of physical devices?"].choices  # the notes call it one
    two_blanks = [q for q in questions if q.prompt.startswith(("Crio vs ____", "____ vs dockerd"))]
    assert {q.answer for q in two_blanks} == {"crio", "dockerd"}
    assert not any(c == "kubernets" for q in questions for c in q.choices)  # the notes' subject, misspelt


def test_an_answer_inside_a_longer_identifier_is_visible(generator) -> None:
    assert generator._visible("IPAddress", "IPAddressList contains a list of ____.")
    assert not generator._visible("IPAddress", "The list contains ____ objects.")


def test_a_version_is_asked_among_versions() -> None:
    from bot.core.quiz.terms import term_of

    assert term_of("v1.35", False, False).shape == "version"
    assert term_of("pod.spec", False, False).shape == "dotted"
