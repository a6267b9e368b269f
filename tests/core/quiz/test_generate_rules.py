"""The generator's rules for sentences that cannot stand alone and distractors of another kind,
each checked on the case it was written for (these failed before the rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.quiz.generate import QuestionGenerator, _Candidate
from bot.core.quiz.sentences import standalone
from bot.core.quiz.terms import Definition, Term, analyse_passage, term_kind, units
from tests.core.quiz.conftest import cloze, engine_over, every_distractor, generator_over_templates


@pytest.mark.parametrize("sentence", [
    "kubeadm skips the generation phase for the given certificate on every node.",  # the given what?
    "The metric is then compared to the corresponding threshold on the kubelet.",  # then: after what?
    "The value must be the same as the notAfter value in the leaf certificate.",  # which value?
    "While you can validate earlier, the feature is only GA and supported since v1.23.",
    "By default, only dumps things in the current namespace and kube-system namespace.",  # no subject
    "Enables improved discovery of mounted volumes during kubelet startup.",  # no subject
    "If omitted, kube-apiserver will set the lifetime to 86400 seconds.",  # which field?
    "Kubernetes v1.12 to v1.29 did not enforce that requirement.",  # which requirement?
    "Either option can be selected at kubelet startup by setting a field.",
    "Another important change was made to the Restricted policy in Kubernetes v1.25.",
    "You now have two objects, one of which is at v1beta1, and the other at v1.",
    "glibc) has a limit for the DNS nameserver records to 3 by default.",  # a parenthesis cut off
    "In the example, the default values of other parameters will not be inherited.",
    "The annotation may be deprecated in the future in favor of the trafficDistribution field.",
    "All the required kubeconfig files must be provided by the user, because kubeadm cannot.",  # cannot what?
    "The Pod will be re-created if the total number of restarts is below backoffLimit.",  # which Pod?
    "Follow Getting Started guide to deploy Antrea for kubeadm.",  # a pointer to a page, not a fact
    "If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed.",  # which?
    "If you are using components older than Kubernetes v1.29, please check the equivalent page for your version.",
])
def test_sentences_that_lean_on_the_one_before_are_refused(sentence: str) -> None:
    assert not standalone(sentence)


@pytest.mark.parametrize("sentence", [
    "Use the signerName field to designate the ClusterTrustBundle objects that use the given signer name.",
    "The kubelet sends the probe to the IP address of the Pod unless the host field is set.",
    "If the kubelet restarts, then the static Pods are started again by the kubelet.",
    "Canal unites Flannel and Calico, providing networking and network policy.",
])
def test_sentences_that_name_what_they_speak_of_are_kept(sentence: str) -> None:
    assert standalone(sentence)


def test_html_entities_are_shown_as_text_and_a_sentence_cut_by_markup_is_dropped() -> None:
    passage = analyse_passage('All characters before the first &quot;/&quot; must be a valid subdomain name in Kubernetes.')
    assert passage.sentences[0].text.startswith('All characters before the first "/"')
    cut = units("Ensure the GenericWorkload feature gate and the scheduling API\n<div>an aside</div>\n"
                "are enabled in the cluster.\n\nThe kubelet runs on every node of the cluster.\n")
    assert not any(u.startswith("Ensure") for u in cut)
    assert "The kubelet runs on every node of the cluster." in cut


def test_a_definition_is_not_cut_at_an_abbreviation() -> None:
    passage = analyse_passage("IPFamilies - a list of IP families (e.g. IPv4, IPv6) assigned to a Service.\n")
    assert [d.meaning for d in passage.definitions] == ["A list of IP families (e.g. IPv4, IPv6) assigned to a Service"]


def test_an_adverb_is_no_name() -> None:
    assert term_kind("deterministically") != "name"
    assert term_kind("alphanumerically") != "name"


# Distractors on a corpus large enough to say how the notes use each term ------------------------

_TEMPLATES = [
    "The kubelet runs on node {n} and reports the status of its pods to the control plane.",
    "The apiserver runs on host {n} and reports audit events to the configured webhook backend.",
    "The kube-proxy runs on node {n} and watches Services to program the forwarding rules.",
    "The scheduler runs on host {n} and watches unscheduled pods to bind them to nodes.",
    "Write the manifest for app {n} as a yaml file and apply the yaml file with kubectl.",
    "Each pod of app {n} gets its own IP address from the range of its node.",
    "The network card of host {n} has its own MAC address from the vendor.",
    "The gateway of zone {n} rewrites the source IP address to a NAT address on the way out.",
    "The resolver of zone {n} uses the DNS address given by the cluster DNS service.",
    "Grant the CHOWN capability to container {n} only when it changes file owners; drop SETUID capability.",
    "The StatefulSet controller keeps a sticky identity for replica {n}; StatefulSets are ordered.",
    "The DaemonSet controller keeps replica {n} on every node; DaemonSets are updated with a rolling update.",
    "The Deployment controller keeps replica {n} through ReplicaSets; Deployments roll out new versions.",
    "The OrderedReady controller keeps replica {n} waiting until the one before it is ready.",
    "A ReplicaSet keeps replica {n} running; ReplicaSets are usually owned by Deployments.",
    "The ip-masq-agent configures iptables rules to masquerade traffic from node {n}.",
    "The kube-proxy configures iptables rules for Services on node {n} by default.",
]


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> QuestionGenerator:
    return generator_over_templates(tmp_path_factory.mktemp("large-notes"), _TEMPLATES, 60, per_note=3)






def test_a_component_is_never_offered_a_file_format(large: QuestionGenerator) -> None:
    usage = large.usage
    assert large._used_alike(usage("kubelet"), usage("apiserver"))
    assert not large._used_alike(usage("kubelet"), usage("yaml"))
    found = every_distractor(large, cloze("The kubelet runs on node 7 and reports the status of its pods.", "kubelet"), 8)
    assert "yaml" not in found and "apiserver" in found


def test_the_blanks_slot_picks_distractors_that_fit_it(large: QuestionGenerator) -> None:
    found = every_distractor(large, cloze("Each pod of app 3 gets its own IP address in the cluster.", "IP"), 8)
    assert "MAC" in found and "NAT" in found
    assert "CHOWN" not in found and "SETUID" not in found  # a capability has no address


def test_a_value_is_never_offered_among_kinds(large: QuestionGenerator) -> None:
    assert large._used_alike(large.usage("StatefulSet"), large.usage("OrderedReady"))  # both "... controller"
    found = every_distractor(large, cloze("The StatefulSet controller keeps a sticky identity for each replica.",
                                       "StatefulSet"), 8)
    assert "OrderedReady" not in found  # never in the plural: a value, not a kind
    assert {"DaemonSet", "Deployment"} & set(found)


def test_a_distractor_the_notes_state_in_the_same_role_is_dropped(large: QuestionGenerator) -> None:
    candidate = cloze("The ip-masq-agent configures iptables rules to masquerade traffic from node 5.",
                       "ip-masq-agent")
    kube_proxy = Term("kube-proxy", "name", "kube-proxy")
    kubelet = Term("kubelet", "name", "kubelet")
    assert large._stated_alike(kube_proxy, candidate, [])  # "The kube-proxy configures iptables rules"
    assert not large._stated_alike(kubelet, candidate, [])
    assert "kube-proxy" not in every_distractor(large, candidate, 8)


def test_a_concept_is_asked_among_concepts_not_verbs() -> None:
    from bot.config import SHIPPED_CORPUS

    generator = QuestionGenerator(*engine_over(SHIPPED_CORPUS))
    questions = [q for doc in generator.index.documents for q in generator.generate(doc)]
    concept = next(q for q in questions if q.answer == "observability" and q.kind == "definition")
    assert "distribute" not in concept.choices  # a verb among "virtualization", "deployment"
    assert all(c.lower().endswith(("ity", "tion", "ment")) for c in concept.choices)


# Distractors on notes too small to say how a term is used (the seed note: 7 passages) -------------

_EXPOSE = "Service discovery and load balancing - can expose a container using the DNS name or using their own IP address."


@pytest.fixture(scope="module")
def small() -> QuestionGenerator:
    from bot.config import SHIPPED_CORPUS

    return QuestionGenerator(*engine_over(SHIPPED_CORPUS))


@pytest.fixture(scope="module")
def small_pool(small: QuestionGenerator) -> list:
    return [q for doc in small.index.documents for q in small.generate(doc)]


def test_a_compound_on_small_notes_is_offered_only_what_they_write_before_its_noun(small: QuestionGenerator,
                                                                                    small_pool: list) -> None:
    assert every_distractor(small, cloze(_EXPOSE, "IP"), 8) == []  # no other acronym has an "address"
    assert not any(q.answer == "IP" for q in small_pool)
    assert len(every_distractor(small, cloze(_EXPOSE, "DNS"), 8)) >= 3  # "the ____ name": anything has a name
    assert any(q.answer == "DNS" and q.kind == "cloze" for q in small_pool)


def test_small_notes_never_ask_an_acronym_whose_kind_they_do_not_tell(small: QuestionGenerator,
                                                                     small_pool: list) -> None:
    candidate = cloze("AWS manages the k8s nodes by itself.", "AWS")
    assert every_distractor(small, candidate, 8) == []  # named once, never defined, in no compound: a provider among storages
    assert not any(q.answer == "AWS" for q in small_pool)
    assert any(q.answer == "PVC" for q in small_pool)  # an acronym the notes define is still asked


def _defined(term: str, meaning: str, asked: str) -> _Candidate:
    definition = Definition(term, meaning, f"{term} - {meaning}")
    if asked == "meaning":
        return _Candidate("definition", f"What is {term}?", meaning, "meaning", 1.0, definition.sentence, definition)
    return _Candidate("definition", f"Which of these is described as \u201c{meaning}\u201d?", term, "name", 1.0,
                      definition.sentence, definition)


def test_a_definition_whose_term_shows_only_in_the_right_choice_is_refused(small: QuestionGenerator) -> None:
    ebs = "Checks that AWS EBS volume limits can be satisfied for the node"
    others = ["Checks that the node has free ports for the Pod", "Filters nodes by the Pod's node affinity",
              "Checks that the Pod's volumes fit the zone"]
    assert small._named_in_answer_only(_defined("EBSLimits", ebs, "meaning"), others)  # EBS, limits: the answer only
    assert small._named_in_answer_only(_defined("EBSLimits", ebs, "name"), ["HostPorts", "PodTopologySpread", "TaintToleration"])
    assert small._named_in_answer_only(_defined("NodePorts", others[0], "meaning"), [ebs, *others[1:]])  # "ports"
    assert not small._named_in_answer_only(_defined("PVC", "K8s own way of managing storage", "meaning"), others)
    # every choice echoes the term: nothing stands out
    assert not small._named_in_answer_only(_defined("VolumeZone", others[2], "meaning"),
                                           ["Checks volume limits", "Binds volumes", "Counts volumes per node"])


def test_the_seed_notes_ask_no_definition_that_echoes_its_term(small_pool: list) -> None:
    assert "What is canary deployment?" not in {q.prompt for q in small_pool}  # "Deploy on a small scale and see"
    assert "What is PVC?" in {q.prompt for q in small_pool}


def test_a_note_asks_at_most_one_release_version(tmp_path: Path) -> None:
    (tmp_path / "features.md").write_text(
        "# Features\n\n## Sidecars\n\nSidecar containers became stable in Kubernetes v1.33 after a long beta period for every node.\n\n"
        "## Swap\n\nSwap support on Linux nodes graduated to beta in Kubernetes v1.28 for the kubelet on every node.\n\n"
        "## Cgroups\n\nThe kubelet detects the cgroup driver automatically since Kubernetes v1.31 on every node.\n")
    (tmp_path / "deprecation.md").write_text(
        "# Deprecated APIs\n\n" + "".join(
            f"## {kind}\n\nThe {group} API version of {kind} is no longer served as of {version} in any cluster.\n\n"
            for kind, group, version in [("CronJob", "batch/v1beta1", "v1.25"),
                                         ("EndpointSlice", "discovery.k8s.io/v1beta1", "v1.21"),
                                         ("PodDisruptionBudget", "policy/v1beta1", "v1.29")]))
    generator = QuestionGenerator(*engine_over(tmp_path))
    asked = [(d.chunk.source, q.answer) for d in generator.index.documents for q in generator.generate(d)]
    versions = [(source, answer) for source, answer in asked if answer.startswith("v1.")]
    assert versions == [("features.md", "v1.28")]  # the first passage naming one; "since ____" (v1.31) is not asked


def test_an_acronym_the_question_spells_out_is_no_blank() -> None:
    from bot.core.quiz.generate import _spelt_out

    prompt = "You can use Mirantis Container Runtime with Kubernetes using cri-dockerd, included with ____."
    assert _spelt_out("MCR", prompt)
    assert not _spelt_out("CNI", prompt)
    assert _spelt_out("KMS", "To enable the feature, set --feature-gates=KMSv1=true to configure a(n) ____ v1 provider.")
    assert not _spelt_out("IP", "Kube-proxy programs iptables or IPVS rules for the ____ of a Service.")
    assert _spelt_out("OS", "The leading Open Source one is ____.") and not _spelt_out("IP", "It runs in particular ____.")


def test_a_change_log_line_is_no_definition(small: QuestionGenerator) -> None:
    assert small._definition(Definition("crio", "Support was added in v2.0.0", "crio - Support was added in v2.0.0")) == []
    assert small._definition(Definition("hypervizor", "A virtualization of physical devices", "hypervizor is a virtualization"))
