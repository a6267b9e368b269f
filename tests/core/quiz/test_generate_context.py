"""Round-4 rules of the generator, each checked on the case it was written for (these failed
before the rule): list items that are half of a condition, definite references to what came
before, statements true of any object of the answer's kind, questions that name nothing, dated
versions, and distractors of another kind among tools and acronyms."""

from __future__ import annotations


import pytest

from bot.core.quiz.generate import QuestionGenerator, _Candidate, _everyday_only, _instance_of_kind
from bot.core.quiz.sentences import conditional_lead_in, standalone
from bot.core.quiz.terms import Definition, analyse_passage, term_of
from tests.core.quiz.conftest import cloze, every_distractor, generator_over_templates

# Sentences ------------------------------------------------------------------------------------

_CONDITIONS = """In this case, a pod creation will be allowed if:

1. the Pod's `priorityClassName` is specified to a value other than `cluster-services`.
1. the Pod's `priorityClassName` is set to `cluster-services`, it is to be created
   in the `kube-system` namespace, and it has passed the resource quota check.

A Pod creation request is rejected if its `priorityClassName` is set to `cluster-services`
and it is to be created in a namespace other than `kube-system`.
"""

_NOTES = """When setting the `terminationGracePeriodSeconds`, please note the following:

* The kubelet always honors the probe-level `terminationGracePeriodSeconds` field if
  it is present on a Pod.
"""


def test_an_item_of_a_list_of_conditions_is_no_sentence_of_its_own() -> None:
    texts = [s.text for s in analyse_passage(_CONDITIONS).sentences]
    assert not any("other than cluster-services" in t or "passed the resource quota" in t for t in texts)
    assert any(t.startswith("A Pod creation request is rejected") for t in texts)  # a paragraph, whole
    # a lead-in that only introduces its list ("please note the following:") leaves the items whole
    assert [s.text for s in analyse_passage(_NOTES).sentences] == [
        "The kubelet always honors the probe-level terminationGracePeriodSeconds field if it is present on a Pod."]


@pytest.mark.parametrize(("lead_in", "conditional"), [
    ("In this case, a pod creation will be allowed if:", True),
    ("The node is ready when all of the following are true:", True),
    ("The control plane mirrors Endpoints resources unless:", True),
    ("This happens in the following cases:", True),
    ("When setting the terminationGracePeriodSeconds, please note the following:", False),
    ("The kubelet does the following:", False),
])
def test_a_lead_in_that_announces_conditions(lead_in: str, conditional: bool) -> None:
    assert conditional_lead_in(lead_in) is conditional


@pytest.mark.parametrize("sentence", [
    "Each element of the array defines a downwardAPI volume.",  # which array?
    "The value of the label is the ordinal index of the pod being created.",  # which label?
    "The status.allocatable field is updated automatically with the new resource asynchronously by the kubelet.",
    "To select by name, use the name field to designate a single ClusterTrustBundle object.",  # select what?
    "If labelSelector is not present, then all ClusterTrustBundles for that signer are selected.",  # which signer?
])
def test_definite_references_to_what_came_before_are_refused(sentence: str) -> None:
    assert not standalone(sentence)


@pytest.mark.parametrize("sentence", [
    "The name of the Secret must be a valid DNS subdomain name.",  # "the Secret": a kind, named
    "The goal of the cloud controller manager project is to decouple cloud features from the core.",
    "When a node gains a resource, the kubelet reports the new resource in status.capacity.",  # named before "the new"
    "A Pod which references a ResourceClaim which is not reserved for that Pod will not be started.",  # "that Pod": this one
])
def test_a_part_of_something_named_is_kept(sentence: str) -> None:
    assert standalone(sentence)




def test_an_operation_any_object_undergoes_does_not_ask_which_object() -> None:
    sentence = "If you try to delete the PersistentVolume, it enters a Terminating status while the finalizer exists."
    assert _instance_of_kind(cloze(sentence, "PersistentVolume"), term_of("PersistentVolume", False, False))
    kept = "Before you bind the PersistentVolume to a claim, set its storageClassName."
    assert not _instance_of_kind(cloze(kept, "PersistentVolume"), term_of("PersistentVolume", False, False))


def test_a_question_of_everyday_words_only_names_nothing() -> None:
    assert _everyday_only("The maximum value that you can set for ____ is 1800 (half an hour).")
    assert not _everyday_only("The ____ file must be stored in a safe location and should not be shared with additional users.")
    assert not _everyday_only("The kubelet always honors the probe-level ____ field if it is present on a Pod.")


# Notes large enough to say how the notes use each term ---------------------------------------

_TEMPLATES = [
    "Start a local cluster on your laptop using minikube for app {n}. The minikube tool opens the dashboard addon of the local cluster.",
    "Start a local cluster on your laptop using microkube for app {n}. The microkube tool opens the dashboard addon of the local cluster.",
    "Take a snapshot backup of the etcd member using etcdutl for app {n}. The etcdutl tool restores the snapshot into a new data directory.",
    "Fill the work queue of each worker using redisctl for app {n}. The redisctl tool lists the items left in the queue of each worker.",
    "Clients in zone {n} query the DNS server for names and cache the answer for a minute.",
    "Clients in zone {n} query the NTP server for the time and cache the answer for a minute.",
    "Clients in zone {n} query the SRV records for ports and cache the answer for a minute.",
    "Clients in zone {n} query the AAAA records for addresses and cache the answer for a minute.",
    "Clients in zone {n} query the LDAP server for users and cache the answer for a minute.",
    "The StatefulSet controller keeps replica {n} with a sticky identity; StatefulSets are ordered.",
    "The DaemonSet controller keeps replica {n} on every node; DaemonSets are long-lived and updated with a rolling update.",
    "Workloads such as Deployments, StatefulSets and DaemonSets run the pods of app {n}.",
]


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> QuestionGenerator:
    versions = "# Versions\n\nSupport for the old runtime of the kubelet ends soon in v1.24 on every node of the cluster.\n"
    return generator_over_templates(tmp_path_factory.mktemp("tool-notes"), _TEMPLATES, 72,
                                    extra={"versions.md": versions})




def test_a_tool_is_offered_tools_of_its_topic(tools: QuestionGenerator) -> None:
    # used alike ("using ____ for app", "the ____ tool"), yet about snapshots and queues, not local clusters
    assert tools._used_alike(tools.usage("minikube"), tools.usage("etcdutl"))
    assert tools._topic_similarity("minikube", "etcdutl") < 0.18 < tools._topic_similarity("minikube", "microkube")
    found = every_distractor(tools, cloze("If you are using minikube or a similar tool, you may need extra steps to get DNS.",
                                       "minikube"), len(_TEMPLATES))
    assert found == ["microkube"]


def test_an_acronym_is_offered_acronyms_of_its_class(tools: QuestionGenerator) -> None:
    definition = Definition("DNS", "A resolver of hostnames inside the cluster", "DNS - A resolver of hostnames inside the cluster")
    candidate = _Candidate("definition", "Which of these is a resolver of hostnames inside the cluster?", "DNS", "acronym",
                           1.0, definition.sentence, definition)
    found = every_distractor(tools, candidate, len(_TEMPLATES))
    assert "SRV" not in found and "AAAA" not in found  # records, not servers
    assert {"NTP", "LDAP"} <= set(found)


def test_a_statement_of_any_member_of_a_kind_is_a_vague_subject(tools: QuestionGenerator) -> None:
    # "long-lived" is in the notes, yet prose: it pins nothing down as an identifier would
    assert tools._vague_subject(cloze("A StatefulSet will never terminate on its own, but it is not long-lived.", "StatefulSet"))
    assert not tools._vague_subject(cloze("A StatefulSet will keep its snapshot with etcdutl.", "StatefulSet"))  # an identifier
    assert not tools._vague_subject(cloze("Pods created by a StatefulSet are ordered and sticky.", "StatefulSet"))  # no subject


def test_a_release_version_said_to_come_soon_is_not_asked(tools: QuestionGenerator) -> None:
    doc = next(d for d in tools.index.documents if d.chunk.source == "versions.md")
    sentence = tools.passage_terms(doc).sentences[0]
    assert "v1.24" not in [c.answer for c in tools._clozes(sentence)]
