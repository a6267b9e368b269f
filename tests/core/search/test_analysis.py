"""Analysis: words, compounds, CamelCase, technical tokens, stemming."""

import pytest

from bot.core.search.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Containers SHARE the Kernel", ["containers", "share", "kernel"]),
        ("what is the difference", ["difference"]),
        ("micro-services", ["microservices", "micro", "services"]),
        ("cri-o", ["crio", "cri"]),
        ("PersistentVolumeClaim", ["persistentvolumeclaim", "persistent", "volume", "claim"]),
        ("spec.containers", ["speccontainers", "spec", "containers"]),
        ("k8s base64 10 etcd", ["k8s", "base64", "10", "etcd"]),
        ("version 1.25.3", ["version", "1.25.3"]),
        ("the pod's label", ["pod", "label"]),
        ("Größe über", ["größe", "über"]),
        ("IPv4 address", ["ipv4", "address"]),
    ],
)
def test_words(analyzer: Analyzer, text: str, expected: list[str]) -> None:
    assert analyzer.words(text) == expected


def test_technical_tokens_are_not_stemmed(analyzer: Analyzer) -> None:
    assert analyzer.stems(["k8s", "base64", "10", "containers"]) == ["k8s", "base64", "10", "contain"]


def test_stems_join_inflections(analyzer: Analyzer) -> None:
    assert analyzer.stem("deployment") == analyzer.stem("deploy") == analyzer.stem("deploying")


def test_stopwords_are_dropped_but_not_inside_compounds(analyzer: Analyzer) -> None:
    assert analyzer.words("the it-is") == ["itis"]

