"""Round-3 rules of the generator, each checked on the case it was written for: siblings the
notes enumerate with the answer, a blank that is one item of a list, and a blank subject of a
vague statement (these failed before the rule)."""

from __future__ import annotations


import pytest

from bot.core.quiz.generate import QuestionGenerator, _in_enumeration
from tests.core.quiz.conftest import cloze, every_distractor, generator_over_templates

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
    beta = ("# Beta\n\nWhile in beta, DaemonSet is still disabled by default.\n\n"
            "Storage metrics are reported for GCE, AWS, Vsphere and OpenStack volumes.\n\n"
            "While in alpha, DaemonSet is still disabled by default for kubeconfig files.\n")
    return generator_over_templates(tmp_path_factory.mktemp("workload-notes"), _TEMPLATES, 60, extra={"beta.md": beta})






def test_a_sibling_the_notes_say_it_of_is_no_wrong_answer(workloads: QuestionGenerator) -> None:
    candidate = cloze("The ReplicaSet picks its pods through spec.selector at every sync.", "ReplicaSet")
    assert workloads._siblings("ReplicaSet", "StatefulSet")  # "Deployments, StatefulSets, DaemonSets and ReplicaSets"
    found = every_distractor(workloads, candidate, len(_TEMPLATES))
    assert "StatefulSet" not in found  # the notes say spec.selector of StatefulSets too
    assert "DaemonSet" in found  # a sibling too, but never said to have spec.selector


def test_a_word_beside_the_blank_tells_its_kind_not_what_it_does(workloads: QuestionGenerator) -> None:
    # "a(n) ____ plugin": every sibling fits the slot, so the slot's word makes none of them right
    assert workloads._technical_words(cloze("The apiserver reads every ReplicaSet at start.", "ReplicaSet")) == {"apiserver"}
    assert workloads._technical_words(cloze("Each ReplicaSet apiserver reads it at start.", "ReplicaSet")) == set()


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
    assert workloads._vague_subject(cloze("While in beta, StatefulSet is still disabled by default.", "StatefulSet"))
    assert workloads._vague_subject(cloze("Remove the fields and StatefulSet will try to default them.", "StatefulSet"))
    assert not workloads._vague_subject(cloze("While in beta, StatefulSet is disabled unless spec.selector is set.",
                                                "StatefulSet"))  # an identifier says which
    assert not workloads._vague_subject(cloze("The data in the StatefulSet is deleted when the pods go.",
                                                "StatefulSet"))  # not the subject


def _clozes_of(generator: QuestionGenerator, text: str) -> list[str]:
    beta = next(d for d in generator.index.documents if d.chunk.source == "beta.md")
    sentence = next(s for s in generator.passage_terms(beta).sentences if s.text == text)
    return [c.answer for c in generator._clozes(sentence)]


def test_the_notes_ask_neither_an_enumeration_item_nor_a_vague_subject(workloads: QuestionGenerator) -> None:
    assert _clozes_of(workloads, "Storage metrics are reported for GCE, AWS, Vsphere and OpenStack volumes.") == []
    assert _clozes_of(workloads, "While in beta, DaemonSet is still disabled by default.") == []
    assert _clozes_of(workloads, "While in alpha, DaemonSet is still disabled by default for kubeconfig files.")
