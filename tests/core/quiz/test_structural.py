"""The generator built from the notes' structure (`bot.core.quiz.structural`) and the rubric's checks,
each with a question it must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.quiz.candidates import Draft
from bot.core.quiz.questions import BLANK, Question, normalise
from bot.core.quiz.rubric import (defines_alone, describes_alone, echoes, gives_away, one_right, plausible,
                                  plausible_description, reads_alone, spells_out, stands_out, worth_knowing)
from bot.core.quiz.structural import StructuralGenerator, StructuralParams
from bot.core.quiz.wording import Wording
from bot.core.search.analysis import Analyzer
from bot.core.search.synonyms import SynonymTable
from tests.core.quiz.conftest import FIXTURE_NOTES, engine_over



@pytest.fixture(scope="module")
def generator() -> StructuralGenerator:
    engine, synonyms = engine_over(FIXTURE_NOTES)
    return StructuralGenerator(engine, synonyms)


@pytest.fixture(scope="module")
def pool(generator: StructuralGenerator) -> list[Question]:
    return [q for doc in generator.engine.documents for q in generator.generate(doc)]


def test_the_notes_give_concept_questions_and_entry_questions_each_fact_asked_once(pool: list[Question]) -> None:
    prompts = {q.prompt: q for q in pool}
    runtimes = {"A runtime that came out of Docker", "A lightweight runtime built only for Kubernetes",
                "A runtime that runs every pod inside a lightweight virtual machine for stronger isolation",
                "A runtime that intercepts system calls in a user-space kernel to sandbox each container"}
    what = prompts["Container runtimes: what is Kata Containers?"]  # the note's title says where
    assert what.answer in runtimes and len(set(what.choices) & runtimes) >= 3  # the likest siblings first
    describes = prompts["Security: which of these describes RBAC?"]  # "- **RBAC** decides which users ..."
    assert describes.answer == "Decides which users and service accounts may call which API verbs"
    assert all(c.split()[0].endswith("s") for c in describes.choices)  # the other tools' meanings
    assert not any(q.answer == "RBAC" for q in pool)  # asked once: the other way round would give it away
    assert len([q for q in pool if q.source == "security.md"]) == 2  # of one list: its choices answer the others
    which = [q for q in pool if q.prompt.startswith("Which of these is a runtime")]
    assert all(set(q.choices) <= {"containerd", "CRI-O", "Kata Containers", "gVisor"} for q in which)


def test_a_definition_is_offered_only_definitions_of_its_kind(generator, pool) -> None:
    """Nothing defined as a request, a piece of storage or an IP ("other" head nouns) is ever a
    choice of a runtime's or an interface's question."""
    for q in (q for q in pool if q.prompt.startswith(("Container runtimes: what", "Storage: what is CSI"))):
        assert not any(c.startswith(("A request", "A piece", "A stable virtual IP")) for c in q.choices), q


def test_every_question_has_four_distinct_choices_and_the_answer_in_its_cited_lines(generator, pool) -> None:
    lines = {}
    for path in FIXTURE_NOTES.glob("*.md"):
        lines[path.name] = path.read_text().splitlines()
    for q in pool:
        assert len(q.choices) == 4 and len({normalise(c) for c in q.choices}) == 4, q
        assert q.answer_index is not None and q.choices[q.answer_index] == q.answer
        cited = normalise("\n".join(lines[q.source][q.start_line - 1:q.end_line]))
        assert normalise(q.answer.rstrip("…")) in cited, (q.answer, q.citation)


def test_no_question_shows_its_answer(generator, pool) -> None:
    for q in pool:
        assert not generator.wording.names(q.answer, q.prompt), (q.answer, q.prompt)


def test_generation_is_deterministic_and_the_seed_only_moves_choices() -> None:
    engine, synonyms = engine_over(FIXTURE_NOTES)
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
    assert questions and not any("How it helps" in q.choices or "how it helps" in q.prompt.lower() for q in questions)
    assert any(q.answer == "Alpha" or "alpha" in q.prompt.lower() for q in questions)


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


@pytest.mark.parametrize(("answer", "prompt"), [
    ("VM", f"VM images boot a guest kernel on {BLANK}."),  # at its start
    ("Go", f"Go programs compile to {BLANK}."),
    ("database", "Which of these keeps each DB table?"),  # through a synonym
    ("namespace", "Which of these scopes objects, shown as ns in kubectl?"),
    ("continuous delivery", f"CI is a prerequisite for {BLANK} (CD)."),  # spelled out
], ids=["at its start", "a word at its start", "through a synonym", "through another synonym", "spelled out"])
def test_rule_5_refuses_a_prompt_that_shows_its_own_answer(answer: str, prompt: str) -> None:
    analyzer = Analyzer()
    w = Wording(analyzer, SynonymTable.from_groups([["db", "database"], ["ns", "namespace"]], analyzer))
    assert gives_away(w, answer, prompt)
    assert not gives_away(w, prompt, answer)  # read one way only: arguments swapped, this test fails


@pytest.mark.parametrize(("answer", "options", "fair", "unfair"), [
    ("VM", ("LXC", "WSL", "CRI", "OCI"), "Which of these boots a guest kernel on a hypervisor?",
     f"VM images boot a guest kernel on {BLANK}."),  # at its start
    ("DaemonSet", ("Deployment", "StatefulSet", "ReplicaSet", "CronJob"), "Which of these runs one pod on every node?",
     "Which of these runs one pod on every node (ds in kubectl output)?"),  # the notes' synonym `ds`
], ids=["at its start", "through a synonym"])
def test_the_generator_refuses_a_draft_whose_prompt_shows_its_answer(generator: StructuralGenerator, answer: str,
                                                                     options: tuple[str, ...], fair: str,
                                                                     unfair: str) -> None:
    def finished(prompt: str) -> Question | None:
        draft = Draft(kind="definition", prompt=prompt, answer=answer, options=options, explanation="", quality=1.0)
        return generator._finish(draft, generator.engine.documents[0])

    assert finished(fair) is not None  # the same draft asked fairly is kept
    assert finished(unfair) is None


def test_rule_1_refuses_a_description_cut_before_its_end() -> None:
    assert not describes_alone("Windows uses an access control list based on")
    assert describes_alone("Get all the elements that are in one set or the other, but not both")


def test_rule_4_refuses_a_description_of_another_length_in_words() -> None:
    assert not plausible_description("A description of a pod", "A list of horizontal pod autoscaler objects in one namespace of the cluster")
    assert plausible_description("A description of a pod", "A list of Pods")


def test_rule_5_refuses_an_answer_spelled_out_by_the_question() -> None:
    assert spells_out("PromQL", "Which of these is the Prometheus Query Language?")
    assert spells_out("continuous delivery", f"CI is a prerequisite for {BLANK} (CD).")
    assert not spells_out("Pods", "Which of these are the smallest deployable units?")
    assert gives_away(wording(), "Impersonate-User", "Which of these is the username to act as?")  # user / username
    assert gives_away(wording(), "k8s", "Which of these schedules Kubernetes pods on nodes?")  # by the notes' synonyms


def test_rule_5_refuses_a_description_that_alone_repeats_the_name_asked_about() -> None:
    w = wording()
    status = "Represents the current status of a replication controller"
    others = ["Represents the current status of a daemon set", "Represents the current state of a StatefulSet",
              "Represents the current status of a ReplicaSet"]
    assert echoes(w, "ReplicationControllerStatus", status, others)  # "replication controller" only there
    assert echoes(w, "min shards", "Configures the minimum number of shards", ["Sets the maximum time", "Controls the queue"])
    assert not echoes(w, "ReplicationControllerStatus", "Represents the current status", others)  # "status" in all
    assert echoes(w, "UID", "Uniquely identifies the object", ["Names the object", "Sets the owner", "Marks deletion"])


def test_rule_5_refuses_a_right_description_that_is_clearly_the_longest() -> None:
    others = ["A tool that runs jobs", "A tool that renews certificates", "A tool that gathers logs"]
    assert stands_out("A tool that builds container images from the source code of every service in the repository", others)
    assert stands_out("A tool", others)
    assert not stands_out("A tool that builds container images", others)


async def test_an_index_loaded_from_its_snapshot_gives_the_same_questions(sessions) -> None:
    """A restart loads the passages without their words (the snapshot has the index): the
    generator, which compares passages by their words, must not make other questions then."""
    from bot.core.search.service import NotesService, ServiceConfig

    first = NotesService(ServiceConfig(FIXTURE_NOTES, None), sessions)
    await first.start()
    await first.aclose()  # the snapshot is written
    restarted = NotesService(ServiceConfig(FIXTURE_NOTES, None), sessions)
    await restarted.start()
    await restarted.aclose()
    assert restarted.engine.documents and not any(d.body_words for d in restarted.engine.documents)
    made = [[q for d in service.engine.documents for q in StructuralGenerator(service.engine, SynonymTable()).generate(d)]
            for service in (first, restarted)]
    assert made[0] and made[0] == made[1]
