"""Answer checking: a table of typed answers, and clicked choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS, SYNONYMS_FILENAME
from bot.core.quiz.checking import (
    MAX_TYPED_LENGTH,
    AnswerChecker,
    Verdict,
    choice_from_letter,
    normalise,
)
from bot.core.quiz.questions import Question
from bot.core.search.analysis import Analyzer
from bot.core.search.synonyms import load_synonyms

ANALYZER = Analyzer()
CHECKER = AnswerChecker(ANALYZER, load_synonyms(Path(SHIPPED_CORPUS) / SYNONYMS_FILENAME, ANALYZER),
                        typo_threshold=85, near_miss_threshold=70)


def question(answer: str, choices: tuple[str, ...] = (), accepted: tuple[str, ...] = (), **kw: object) -> Question:
    index = choices.index(answer) if answer in choices else None
    return Question(id="q", kind="cloze" if choices else "written", prompt="____?", choices=choices,
                    answer_index=index, answer=answer, source="notes.md", heading=None, start_line=1,
                    end_line=2, accepted=accepted, **kw)  # type: ignore[arg-type]


BASE64 = question("base64", ("base64", "AES-256", "plain YAML", "gzip"))
HYPERVIZOR = question("hypervizor", ("hypervizor", "container runtime", "kernel module", "bootloader"))
OCI = question("open container initiative", accepted=("OCI",))
KUBERNETES = question("Kubernetes")
VIRTUALBOX = question("VirtualBox", ("VirtualBox", "VMWare", "Hyper-V", "QEMU"))
K3S = question("k3s", ("k3s", "k8s", "minikube", "kind"))
TEN = question("10", ("10", "64", "1", "2"))
PVC = question("persistent volume claim")
REPLICASET = question("replicaset", ("replicaset", "replicasets", "daemonset", "statefulset"))  # one stem, two choices
REPLICASETS = question("replicasets", ("replicaset", "replicasets", "daemonset", "statefulset"))
NO = question("No")
NOT_BY_DEFAULT = question("No", accepted=("not by default",))
YES = question("Yes")

CASES = [
    # (name, question, typed, correct, near_miss, how)
    ("exact", BASE64, "base64", True, False, "exact"),
    ("case", BASE64, "BASE64", True, False, "exact"),
    ("punctuation and spaces", BASE64, "  base64 !!  ", True, False, "exact"),
    ("article", VIRTUALBOX, "the VirtualBox", True, False, "exact"),
    ("joined words", PVC, "PersistentVolumeClaim", True, False, "exact"),
    ("plural stem", PVC, "persistent volume claims", True, False, "stem"),
    ("typo", VIRTUALBOX, "virtualbx", True, False, "typo"),
    ("the notes' own typo", HYPERVIZOR, "hypervizor", True, False, "exact"),
    ("the correct spelling of the notes' typo", HYPERVIZOR, "Hypervisor", True, False, "typo"),
    ("accepted alternative", OCI, "oci", True, False, "exact"),
    ("synonym", KUBERNETES, "k8s", True, False, "synonym"),
    ("synonym phrase", question("vm"), "virtual machine", True, False, "synonym"),
    ("wrong", BASE64, "md5", False, False, "wrong"),
    ("a wrong choice typed out", BASE64, "gzip", False, False, "wrong"),
    ("short answers need the exact word", K3S, "k8s", False, False, "wrong"),
    ("numbers are exact", TEN, "100", False, False, "wrong"),
    ("digits swapped are not a typo", BASE64, "base46", False, True, "near_miss"),
    ("a typo closer to a wrong choice", REPLICASET, "replicsets", False, False, "wrong"),
    ("the same typo closer to the answer", REPLICASETS, "replicsets", True, False, "typo"),
    ("a wrong choice with the answer's stems", REPLICASET, "replicasets", False, False, "wrong"),
    ("a wrong choice with the answer's stems in a sentence", REPLICASET, "it uses replicasets", False, False, "wrong"),
    ("the answer whose stems a wrong choice shares", REPLICASET, "ReplicaSet", True, False, "exact"),
    ("a typo of the answer whose stems a wrong choice shares", REPLICASET, "replicaste", True, False, "typo"),
    ("near miss", VIRTUALBOX, "virtbox", False, True, "near_miss"),
    ("part of the answer", OCI, "open container", False, True, "near_miss"),
    ("the answer inside a sentence", BASE64, "it stores them as base64 strings", True, False, "sentence"),
    ("a sentence that says the answer", BASE64, "it stores them base64 encoded", True, False, "sentence"),
    ("a sentence that says the answer's stems", PVC, "you make persistent volume claims", True, False, "sentence"),
    ("a sentence that says a synonym", KUBERNETES, "it all runs on k8s", True, False, "sentence"),
    ("a sentence that names a wrong choice too", BASE64, "base64 or gzip", False, True, "near_miss"),
    ("a sentence that names a word of a wrong choice", BASE64, "base64, maybe AES", False, True, "near_miss"),
    ("a sentence that negates the answer", BASE64, "it is not base64", False, True, "near_miss"),
    ("a sentence that adds a number", BASE64, "base64 since 2019", False, True, "near_miss"),
    ("a long list that holds the answer", KUBERNETES,
     "docker swarm nomad mesos openshift rancher kubernetes podman lxc lxd", False, True, "near_miss"),
    ("nope for no", NO, "nope", True, False, "yes_no"),
    ("false for no", NO, "false", True, False, "yes_no"),
    ("not by default for no", NO, "not by default", True, False, "yes_no"),
    ("no it doesn't for no", NO, "no it doesn't", True, False, "yes_no"),
    ("a negation for no", NO, "it is not available by default", True, False, "yes_no"),
    ("no and a sentence for no", NO, "No, it doesn't.", True, False, "yes_no"),
    ("yes for no", NO, "yes", False, False, "wrong"),
    ("yes and a negation is not a yes", NO, "yes, but not by default", False, False, "wrong"),
    ("a hedge is not a no", NO, "I don't know", False, False, "wrong"),
    ("an accepted form's words without its negation", NOT_BY_DEFAULT, "by default it is", False, True, "near_miss"),
    ("yep for yes", YES, "yep", True, False, "yes_no"),
    ("true for yes", YES, "True", True, False, "yes_no"),
    ("yes and a sentence for yes", YES, "yes it does", True, False, "stem"),  # its other words are stop words
    ("a negation for yes", YES, "it does not", False, False, "wrong"),
    ("empty", BASE64, "", False, False, "empty"),
    ("only spaces and punctuation", BASE64, "  ?! ", False, False, "empty"),
    ("only an article", BASE64, "the", False, False, "empty"),
    ("very long", BASE64, "base64 " * 40, False, False, "too_long"),
    ("markdown", BASE64, "**base64**", True, False, "exact"),
    ("markdown code", HYPERVIZOR, "`hypervisor`", True, False, "typo"),
    ("mentions", BASE64, "@everyone <@123> base64", False, True, "near_miss"),
    ("only a mention", BASE64, "<@&456>", False, False, "wrong"),
]


@pytest.mark.parametrize(("name", "q", "typed", "correct", "near_miss", "how"), CASES, ids=[c[0] for c in CASES])
def test_typed_answers(name: str, q: Question, typed: str, correct: bool, near_miss: bool, how: str) -> None:
    verdict = CHECKER.check_typed(q, typed)
    assert (verdict.correct, verdict.near_miss, verdict.how) == (correct, near_miss, how), verdict


def test_the_longest_accepted_answer_is_judged() -> None:
    assert CHECKER.check_typed(BASE64, "x" * MAX_TYPED_LENGTH).judged
    assert not CHECKER.check_typed(BASE64, "x" * (MAX_TYPED_LENGTH + 1)).judged


def test_a_typo_closer_to_a_wrong_choice_is_not_forgiven() -> None:
    q = question("replicaset", ("replicaset", "replicasets controller", "daemonset", "statefulset"))
    assert CHECKER.check_typed(q, "statefulsett") == Verdict(False, False, "wrong")


def test_typo_threshold_is_honoured() -> None:
    strict = AnswerChecker(ANALYZER, CHECKER.synonyms, typo_threshold=99, near_miss_threshold=70)
    assert strict.check_typed(VIRTUALBOX, "virtualbx").how == "near_miss"


def test_choices() -> None:
    assert CHECKER.check_choice(BASE64, 0) == Verdict(True, False, "choice")
    assert CHECKER.check_choice(BASE64, 3) == Verdict(False, False, "wrong")
    assert not CHECKER.check_choice(KUBERNETES, 0).correct  # a typed-only question has no right button


@pytest.mark.parametrize(("text", "index"), [("A", 0), ("b", 1), (" c) ", 2), ("(D)", 3), ("D.", 3),
                                             ("e", None), ("ab", None), ("", None), ("base64", None)])
def test_choice_letters(text: str, index: int | None) -> None:
    assert choice_from_letter(text, 4) == index


def test_normalise() -> None:
    assert normalise("  **The** `Base64`,  an  A-Z\u00a0list ") == "base64 z list"
