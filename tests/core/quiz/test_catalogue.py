"""Concepts and their definitions as the catalogue reads them from notes made in the test: what
counts as a definition, which concepts are siblings, which are tied, and what never is a concept."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.quiz.candidates import cut_at_clause
from bot.core.quiz.structural import StructuralGenerator
from tests.core.quiz.conftest import engine_over


def catalogue_over(folder: Path, notes: dict[str, str]) -> StructuralGenerator:
    for name, text in notes.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return StructuralGenerator(*engine_over(folder))


def definitions(generator: StructuralGenerator) -> dict[str, tuple[str, str, str]]:
    """concept name → (form, verb, complement) for every defined concept."""
    found = {}
    for doc in generator.engine.documents:
        for concept in generator.catalogue.concepts_in(doc):
            if concept.definition is not None:
                d = concept.definition
                found[concept.name] = (d.form, d.verb, d.complement)
    return found


def test_a_heading_and_a_marked_term_are_defined_by_the_sentence_that_names_them(tmp_path: Path) -> None:
    generator = catalogue_over(tmp_path, {"rust.md": (
        "# Traits\n\nA *trait* is a collection of methods defined for an unknown type.\n\n"
        "## Closures\n\nClosures are functions that can capture the enclosing environment.\n\n"
        "## Enums\n\nThe `enum` keyword allows the creation of a type which may be one of a few variants.\n\n"
        "## Diverging functions\n\nDiverging functions never return to the caller of the function.\n\n"
        "## Use\n\nThe use declaration can be used to bind a full path to a new name.\n\n"
        "## Output\n\nSome text first. A **formatter** is the part that writes values to a buffer.\n")})
    found = definitions(generator)
    assert found["Traits"] == ("is", "is", "a collection of methods defined for an unknown type")
    assert found["Closures"][:2] == ("is", "are")
    assert found["Enums"][0] == "does" and found["Enums"][2].startswith("the creation of a type")
    assert found["Diverging functions"][:2] == ("does", "never")
    assert found["Use"][0] == "does"
    assert "formatter" not in found  # a paragraph's later sentence goes on about something else


def test_a_caveat_a_remark_or_a_plural_noun_is_no_definition(tmp_path: Path) -> None:
    generator = catalogue_over(tmp_path, {"notes.md": (
        "# Notes\n\n## LimitRange\n\nA LimitRange does not check the consistency of the default values.\n\n"
        "## Mount propagation\n\nMount propagation is a low-level feature that does not work on all volumes.\n\n"
        "## Max samples\n\nMax samples can be adjusted depending on the backend in use.\n\n"
        "## Booleans\n\nBoolean values MUST follow the rule that 1 is true and 0 is false.\n")})
    assert definitions(generator) == {}


def test_an_index_page_title_is_no_concept_and_its_list_asks_nothing(tmp_path: Path) -> None:
    generator = catalogue_over(tmp_path, {
        "_index.md": "---\ntitle: Cloud Native Glossary\n---\n\nThe Cloud Native Glossary aims to make the space simpler.\n\n"
                     "- Cargo - Go through some basic features of the package tool\n- Std misc - More custom types for files\n"
                     "- Traits - Learn about the shared behaviour of types here\n- Macros - Learn how code writes code\n",
        "pods.md": "# Pods\n\nPods are the smallest deployable units of computing that you can create.\n"})
    assert "Cloud Native Glossary" not in definitions(generator)
    index = [d for d in generator.engine.documents if d.chunk.source == "_index.md"]
    assert index and all(generator.generate(d) == [] for d in index)


def test_a_draft_or_deprecated_note_asks_nothing_and_is_no_distractor(tmp_path: Path) -> None:
    tools = {"builder": "a tool that builds container images from source code",
             "scheduler": "a tool that runs batch jobs across the nodes of a cluster",
             "rotator": "a tool that renews certificates before they expire",
             "collector": "a tool that gathers the logs of every pod into one store",
             "firewall": "a tool that filters network traffic on the basis of rules"}
    generator = catalogue_over(tmp_path, {
        f"{name}.md": ("---\ndraft: true\nstatus: Deprecated\n---\n" if name == "firewall" else "")
        + f"# {name.title()}\n\nA {name} is {what}.\n" for name, what in tools.items()})
    questions = [q for d in generator.engine.documents for q in generator.generate(d)]
    assert questions and not any(q.source == "firewall.md" for q in questions)
    assert not any("filters network traffic" in c or c == "Firewall" for q in questions for c in q.choices)


def test_tied_concepts_are_never_each_others_distractors(tmp_path: Path) -> None:
    kinds = {"cluster": "a system that groups machines to work together towards a common goal",
             "distributed-system": "a system of machines that coordinate over a network; a cluster is one such system",
             "queue": "a system that stores messages until a consumer reads them from the front",
             "cache": "a system that keeps recent answers in memory so that a repeated request is fast",
             "scheduler": "a system that decides which machine runs each job of a batch",
             "registry": "a system that stores container images and serves them to nodes"}
    generator = catalogue_over(tmp_path, {
        f"{name}.md": f"# {name.replace('-', ' ').title()}\n\nA {name.replace('-', ' ')} is {what}.\n"
        for name, what in kinds.items()})
    questions = [q for d in generator.engine.documents for q in generator.generate(d)]
    for asked, tied in (("What is a cluster?", "coordinate over a network"), ("What is a distributed system?", "groups machines")):
        question = [q for q in questions if q.prompt == asked]
        assert question and not any(tied in c for c in question[0].choices), asked
    assert len([q for q in questions if q.prompt.startswith("What is")]) == 6  # each has three others


def test_a_long_definition_is_cut_at_a_clause_or_not_asked() -> None:
    long = ("a set of practices in which code changes are automatically deployed into an acceptance environment, "
            "which then runs every test of the project before the change reaches production for the users")
    assert cut_at_clause(long) == "a set of practices in which code changes are automatically deployed into an acceptance environment"
    assert cut_at_clause("word " * 30) is None
    assert cut_at_clause("a string and SHOULD be non-empty") == "a string"
    assert cut_at_clause("a form of reuse, e.g. across clouds. It avoids lock-in") == "a form of reuse, e.g. across clouds"


MARKDOWN_PIECES = ["# ", "## ", "Pod", "Pods", "is", "are", "a", "the", "does not", "can be used to", "**", "*", "`",
                   "_", ": ", " - ", "- ", "1. ", "| a | b |\n|---|---|\n", "\n", "\n\n", "(", ")", "e.g.", ";", ".",
                   "values MUST", "é", "\u200b", "\x00", "```\ncode\n```", "[x](y)", "<b>", "{{< note >}}"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=8), max_size=40), min_size=1, max_size=4))
def test_any_notes_are_read_without_an_error(tmp_path_factory, notes: list[list[str]]) -> None:
    """Whatever a moderator writes, generation never raises (it would stop the reindex and the fill),
    and every question it makes has four distinct choices with the answer among them."""
    folder = tmp_path_factory.mktemp("fuzz")
    generator = catalogue_over(folder, {f"n{i}.md": " ".join(pieces) for i, pieces in enumerate(notes)})
    for doc in generator.engine.documents:
        for q in generator.generate(doc):
            assert len(set(q.choices)) == 4 and q.choices[q.answer_index] == q.answer
