"""Round-3 rules of the generator, each checked on the case it was written for: siblings the
notes enumerate with the answer, a blank that is one item of a list, and a blank subject of a
vague statement (these failed before the rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.quiz.generate import QuestionGenerator, _Candidate, _in_enumeration, _slot
from bot.core.quiz.questions import BLANK
from bot.core.quiz.terms import term_of
from tests.core.quiz.conftest import engine_over

_TEMPLATES = [
    "The StatefulSet controller keeps replica {n} with a sticky identity; StatefulSets are ordered.",
    "The DaemonSet controller keeps replica {n} on every node; DaemonSets are updated with a rolling update.",
    "The Deployment controller keeps replica {n} through ReplicaSets; Deployments roll out new versions.",
    "The ReplicaSet controller keeps replica {n} running; ReplicaSets are usually owned by Deployments.",
    "Workloads such as Deployments, StatefulSets, DaemonSets and ReplicaSets run the pods of app {n}.",
    "In a StatefulSet for app {n}, the template labels must match spec.selector or the API rejects it.",
    "The kubelet on node {n} reads its kubeconfig and reports the status of its pods.",
    "The apiserver on host {n} writes audit events to the configured webhook backend.",
    "Storage metrics for zone {n} are reported for GCE, AWS, Vsphere and OpenStack volumes.",
]


@pytest.fixture(scope="module")
def workloads(tmp_path_factory: pytest.TempPathFactory) -> QuestionGenerator:
    notes: Path = tmp_path_factory.mktemp("workload-notes")
    for n in range(60):
        lines = [f"# Topic {n}", "", _TEMPLATES[n % len(_TEMPLATES)].format(n=n), ""]
        (notes / f"note{n:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    (notes / "beta.md").write_text("# Beta\n\nWhile in beta, DaemonSet is still disabled by default.\n\n"
                                   "Storage metrics are reported for GCE, AWS, Vsphere and OpenStack volumes.\n\n"
                                   "While in alpha, DaemonSet is still disabled by default for kubeconfig files.\n",
                                   encoding="utf-8")
    return QuestionGenerator(*engine_over(notes))


def _cloze(sentence: str, answer: str) -> _Candidate:
    term = term_of(answer, False, False)
    start = sentence.index(answer)
    return _Candidate("cloze", sentence.replace(answer, BLANK, 1), answer, term.kind, 1.0, sentence,
                      slot=_slot(sentence, (start, start + len(answer))))


def _distractors(generator: QuestionGenerator, candidate: _Candidate) -> list[str]:
    """Every distractor the generator would consider (not only the three it picks)."""
    original = generator._pick
    generator._pick = lambda pool, _: [text for _, text in sorted(pool)]  # type: ignore[method-assign]
    try:
        return generator._term_distractors(candidate, generator.index.documents[:len(_TEMPLATES)])
    finally:
        generator._pick = original  # type: ignore[method-assign]


def test_a_sibling_the_notes_say_it_of_is_no_wrong_answer(workloads: QuestionGenerator) -> None:
    candidate = _cloze("The ReplicaSet picks its pods through spec.selector at every sync.", "ReplicaSet")
    assert workloads._siblings("ReplicaSet", "StatefulSet")  # "Deployments, StatefulSets, DaemonSets and ReplicaSets"
    found = _distractors(workloads, candidate)
    assert "StatefulSet" not in found  # the notes say spec.selector of StatefulSets too
    assert "DaemonSet" in found  # a sibling too, but never said to have spec.selector


def test_a_word_beside_the_blank_tells_its_kind_not_what_it_does(workloads: QuestionGenerator) -> None:
    # "a(n) ____ plugin": every sibling fits the slot, so the slot's word makes none of them right
    assert workloads._technical_words(_cloze("The apiserver reads every ReplicaSet at start.", "ReplicaSet")) == {"apiserver"}
    assert workloads._technical_words(_cloze("Each ReplicaSet apiserver reads it at start.", "ReplicaSet")) == set()


def test_a_blank_inside_an_enumeration_is_not_asked(workloads: QuestionGenerator) -> None:
    sentence = "Storage metrics are reported for GCE, AWS, Vsphere and OpenStack volumes."
    for answer in ("GCE", "Vsphere", "OpenStack"):
        start = sentence.index(answer)
        assert _in_enumeration(sentence, (start, start + len(answer)))
    no_list = "In v1.22 and later, kubeadm defaults the cgroup driver to systemd."
    start = no_list.index("kubeadm")
    assert not _in_enumeration(no_list, (start, start + len("kubeadm")))
    asked = [q for doc in workloads.index.documents for q in workloads.generate(doc)]
    assert not any("GCE, AWS" in q.prompt or "AWS, Vsphere" in q.prompt for q in asked)


def test_a_blank_subject_of_a_vague_statement_is_refused(workloads: QuestionGenerator) -> None:
    assert workloads._vague_subject(_cloze("While in beta, StatefulSet is still disabled by default.", "StatefulSet"))
    assert workloads._vague_subject(_cloze("Remove the fields and StatefulSet will try to default them.", "StatefulSet"))
    assert not workloads._vague_subject(_cloze("While in beta, StatefulSet is disabled unless spec.selector is set.",
                                                "StatefulSet"))  # an identifier says which
    assert not workloads._vague_subject(_cloze("The data in the StatefulSet is deleted when the pods go.",
                                                "StatefulSet"))  # not the subject


def _clozes_of(generator: QuestionGenerator, text: str) -> list[str]:
    beta = next(d for d in generator.index.documents if d.chunk.source == "beta.md")
    sentence = next(s for s in generator.passage_terms(beta).sentences if s.text == text)
    return [c.answer for c in generator._clozes(sentence)]


def test_the_notes_ask_neither_an_enumeration_item_nor_a_vague_subject(workloads: QuestionGenerator) -> None:
    assert _clozes_of(workloads, "Storage metrics are reported for GCE, AWS, Vsphere and OpenStack volumes.") == []
    assert _clozes_of(workloads, "While in beta, DaemonSet is still disabled by default.") == []
    assert _clozes_of(workloads, "While in alpha, DaemonSet is still disabled by default for kubeconfig files.")
