"""Synonym file loading and phrase expansion."""

from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.search.analysis import Analyzer
from bot.core.errors import ConfigError, SynonymsError
from bot.core.search import synonyms as synonyms_module
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


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
       f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    + ["groups: [*i]"]
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (BILLION_LAUGHS, "anchors and aliases"),
        ("groups:\n  - &x [a, b]\n  - *x\n", "anchors and aliases"),
        ("groups: [[a, !!python/name:os.system b]]", "tags"),
        ("groups: [[[a, b]]]", "nested too deeply"),
        ("groups: [[a, b]]\nextra: 1\n", "must contain `groups:`"),
        ("groups: [[a, null]]", "group 1: every entry must be a word"),
        ("groups: [[a, b], [yes, no]]", "group 2: every entry must be a word"),
        ("groups: [[a, '" + "x" * 101 + "']]", "entries must have 1 to 100 characters"),
        ("groups: [[a, '  ']]", "entries must have 1 to 100 characters"),
        ("groups: [[" + ", ".join(f"w{i}" for i in range(51)) + "]]", "more than 50 entries"),
    ],
)
def test_hostile_file_is_rejected_with_one_line_naming_it(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(content)
    with pytest.raises(SynonymsError) as caught:
        load_synonyms(path, A)
    message = str(caught.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_too_many_groups_and_too_large_a_file_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("groups:\n" + "".join(f"  - [a{i}, b{i}]\n" for i in range(5001)))
    with pytest.raises(SynonymsError, match="more than 5000 groups"):
        load_synonyms(path, A)
    monkeypatch.setattr(synonyms_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(SynonymsError, match="larger than 100 bytes"):
        load_synonyms(path, A)


def test_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_bytes(b"groups: [[caf\xe9, coffee]]")
    with pytest.raises(SynonymsError, match="synonyms file"):
        load_synonyms(path, A)


def test_valid_file_with_numbers_and_empty_groups_loads(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("# comment\ngroups:\n  - [ipv4, ip 4]\n  - [k8s, kubernetes]\n")
    table = load_synonyms(path, A)
    assert ("kubernet",) in [other for _, other in table.expansions(stems("k8s"))]
    path.write_text("groups:\n")
    assert load_synonyms(path, A).groups == ()


def test_a_date_or_a_long_number_is_a_word_never_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("groups: [[2024-13-45, pod], [1_000, thousand], [0x1F, thirty-one]]\n")  # a date YAML cannot build
    table = load_synonyms(path, A)
    assert ("pod",) in [other for _, other in table.expansions(stems("2024-13-45"))]
    assert len(table.groups) == 3
    path.write_text("groups: [[" + "9" * 5000 + ", pod]]\n")  # int() refuses 5,000 digits
    with pytest.raises(SynonymsError, match="entries must have 1 to 100 characters"):
        load_synonyms(path, A)
    path.write_text("groups: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(SynonymsError, match="nested too deeply"):
        load_synonyms(path, A)


def test_a_rejected_file_is_never_quoted(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("groups: [[a, !hunter2!x b]]\n")  # PyYAML's message quotes the undefined tag handle
    with pytest.raises(SynonymsError) as caught:
        load_synonyms(path, A)
    assert str(caught.value).endswith("rejected: not valid YAML: line 1, column 14: found undefined tag handle "
                                      "(not shown) (while parsing a node from line 1, column 14)")


def test_the_notes_own_file_never_follows_a_link_out_of_the_folder(tmp_path: Path) -> None:
    notes, elsewhere = tmp_path / "notes", tmp_path / "secrets"
    notes.mkdir()
    elsewhere.mkdir()
    (elsewhere / "vars.yaml").write_text('groups: [[db_password, "hunter2"]]\n')
    (notes / "synonyms.yaml").symlink_to(elsewhere / "vars.yaml")
    with pytest.raises(SynonymsError) as caught:
        load_synonyms(notes / "synonyms.yaml", A, notes)
    assert "outside the notes folder" in str(caught.value) and "hunter2" not in str(caught.value)
    (notes / "mine.yaml").write_text("groups: [[pod, po]]\n")
    (notes / "synonyms.yaml").unlink()
    (notes / "synonyms.yaml").symlink_to(notes / "mine.yaml")  # a link inside the folder is a note's
    assert load_synonyms(notes / "synonyms.yaml", A, notes).groups
    assert load_synonyms(elsewhere / "vars.yaml", A, notes).groups  # the operator's own file, set outside
