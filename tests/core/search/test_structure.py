"""What `structure_of` reads from a passage: headings and their opening sentence, marked terms,
entries (term: meaning), lists and tables; never code blocks; any text without an error."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.search.chunking import chunk_note
from bot.core.search.structure import StructureCache, structure_of


def passages(text: str):
    return chunk_note("note.md", text, min_words=1000, max_words=5000).chunks


def test_a_heading_and_the_sentence_that_opens_its_section() -> None:
    chunk = passages("# Metrics\n\n## Counter\n\nA _counter_ is a cumulative metric. It only goes up.\n")[1]
    structure = structure_of(chunk)
    assert structure.heading == "Counter"
    assert structure.opening is not None and structure.opening.text == "A counter is a cumulative metric."
    assert structure.heading_line == chunk.start_line


def test_marked_terms_keep_their_mark_and_their_place_in_the_sentence() -> None:
    structure = structure_of(passages("A `trait` is a **collection** of methods, *defined* for a type.\n")[0])
    found = [(span.text, span.mark, sentence.text[span.start:span.end]) for sentence, span in structure.marked()]
    assert found == [("trait", "code", "trait"), ("collection", "strong", "collection"), ("defined", "em", "defined")]


def test_code_blocks_give_no_sentences_and_no_terms() -> None:
    structure = structure_of(passages("Run this:\n\n```sh\nkubectl get `pods` **now**\n```\n")[0])
    assert [s.text for s in structure.sentences] == ["Run this:"]
    assert list(structure.marked()) == []


def test_term_meaning_list_items_are_entries_of_one_group() -> None:
    text = "Flags:\n\n- `--force`: delete without asking\n- `--dry-run`: print what would be sent\n"
    structure = structure_of(passages(text)[0])
    assert [(e.term, e.meaning, e.term_mark) for e in structure.entries] == [
        ("--force", "delete without asking", "code"), ("--dry-run", "print what would be sent", "code")]
    assert len({e.group for e in structure.entries}) == 1
    assert list(structure.groups.values()) == [("--force", "--dry-run")]


def test_a_two_column_table_gives_entries_and_its_first_column_a_group() -> None:
    text = "| Type | Meaning |\n| --- | --- |\n| Counter | only goes up |\n| Gauge | goes up and down |\n"
    structure = structure_of(passages(text)[0])
    assert [(e.term, e.meaning) for e in structure.entries] == [("Counter", "only goes up"), ("Gauge", "goes up and down")]
    assert list(structure.groups.values()) == [("Counter", "Gauge")]


def test_a_definition_list_gives_an_entry() -> None:
    structure = structure_of(passages("Sharding\n: splitting data across many machines\n")[0])
    assert [(e.term, e.meaning) for e in structure.entries] == [("Sharding", "splitting data across many machines")]


def test_list_items_lead_terms_form_a_group_and_know_their_lead_in() -> None:
    text = "Runtimes you may meet:\n\n- **containerd** is the default.\n- **CRI-O** is built for Kubernetes.\n"
    structure = structure_of(passages(text)[0])
    assert list(structure.groups.values()) == [("containerd", "CRI-O")]
    items = [s for s in structure.sentences if s.group != -1]
    assert [s.lead_in for s in items] == ["Runtimes you may meet:"] * 2


def test_a_list_item_opening_with_a_marked_term_and_what_it_does_is_an_entry() -> None:
    text = ("Tools:\n\n- **RBAC** decides which users may call which verbs.\n- **Falco** watches system calls on nodes.\n"
            "- **Trivy**, a scanner for images\n")
    structure = structure_of(passages(text)[0])
    assert [(e.term, e.meaning, e.term_mark) for e in structure.entries] == [
        ("RBAC", "decides which users may call which verbs.", "strong"), ("Falco", "watches system calls on nodes.", "strong")]
    assert list(structure.groups.values()) == [("RBAC", "Falco", "Trivy")]  # all three are of one kind


def test_markup_a_reader_never_sees_is_not_read() -> None:
    text = 'A [Pod](/docs/pod/) runs {{< glossary_tooltip text="containers" term_id="container" >}} <!-- x -->.\n'
    structure = structure_of(passages(text)[0])
    assert structure.sentences[0].text.startswith("A Pod runs")
    assert "term_id" not in structure.sentences[0].text and "/docs/" not in structure.sentences[0].text


def test_the_cache_reads_a_passage_once_and_forgets_retired_ones() -> None:
    chunk = passages("# T\n\nA *thing* is here.\n")[0]
    cache = StructureCache()
    assert cache.get(chunk) is cache.get(chunk)
    cache.keep_only(set())
    assert cache._by_id == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["# H\n", "## Sub\n", "- ", "1. ", "**", "*", "_", "`", "|", " | ", "---",
                                 "\n", "\n\n", ": ", " - ", "word", "Term", ".", "```\n", "<b>", "[x](y)", "{{< a >}}"]),
                max_size=60))
def test_any_text_is_read_without_an_error(pieces: list[str]) -> None:
    for chunk in passages("".join(pieces)):
        structure = structure_of(chunk)
        for sentence, span in structure.marked():
            assert sentence.text[span.start:span.end] == span.text.strip() or span.text in sentence.text
