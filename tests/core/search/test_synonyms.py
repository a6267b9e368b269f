"""Synonym file loading and phrase expansion."""

from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.search.analysis import Analyzer
from bot.core.errors import ConfigError
from bot.core.search.synonyms import SynonymTable, load_synonyms

A = Analyzer()


def stems(text: str) -> list[str]:
    return A.stems(A.words(text))


@pytest.fixture(scope="module")
def shipped() -> SynonymTable:
    return load_synonyms(SHIPPED_CORPUS / "synonyms.yaml", A)


@pytest.mark.parametrize(
    ("question", "also"),
    [
        ("k8s", ("kubernet",)),
        ("kubernetes", ("k8s",)),
        ("vm", ("virtual", "machin")),
        ("virtual machines", ("vm",)),
        ("pvc", ("persist", "volum", "claim")),
        ("persistent volume claim", ("pvc",)),
        ("po", ("pod",)),
        ("svc", ("servic",)),
        ("sts", ("statefulset",)),
        ("ns", ("namespac",)),
        ("cm", ("configmap",)),
    ],
)
def test_shipped_file_expands_both_ways(shipped: SynonymTable, question: str, also: tuple[str, ...]) -> None:
    assert also in [other for _, other in shipped.expansions(stems(question))]


def test_no_expansion_without_a_match(shipped: SynonymTable) -> None:
    assert shipped.expansions(stems("bread and butter")) == []


def test_missing_file_means_no_synonyms(tmp_path: Path) -> None:
    assert load_synonyms(tmp_path / "none.yaml", A).groups == ()


@pytest.mark.parametrize("content", ["groups: 3", "- [a, b]", "groups: [[a, b], c]", "groups: [[a, b]"])
def test_malformed_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError, match="synonyms"):
        load_synonyms(path, A)
