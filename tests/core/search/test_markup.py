"""Only what a reader sees is indexed: markup, link targets, shortcodes, comments, anchors."""

from datetime import datetime, timezone

import pytest

from bot.core.search.analysis import Analyzer
from bot.core.search.chunking import chunk_note
from bot.core.search.indexing import ChunkingParams, analyse_note
from bot.core.search.markup import visible_text
from bot.core.search.notes import NoteFile

A = Analyzer()


@pytest.mark.parametrize(("source", "seen"), [
    ('A {{< glossary_tooltip text="pods" term_id="pod" >}} runs', "A pods runs"),
    ('see {{< glossary_tooltip term_id="kube-apiserver" >}}', "see kube apiserver"),
    ('{{% heading "whatsnext" %}}', "What's next"),
    ('{{< feature-state for_k8s_version="v1.19" state="stable" >}} text', "text"),
    ("read [the Pods page](/docs/concepts/workloads/pods/) now", "read the Pods page now"),
    ('a [ref]({{< ref "/docs/x" >}}) link', "a ref link"),
    ("![a diagram](images/x.svg)", "a diagram"),
    ("<table><tr><td>cell value</td></tr></table>", "cell value"),
    ('<a href="https://example.com/x" target="_blank">label</a>', "label"),
    ("kubectl logs <pod-name>", "kubectl logs <pod-name>"),  # a placeholder, not HTML
    ("before <!-- hidden words --> after", "before after"),
    ("## Running an example Job {#running-an-example-job}", "## Running an example Job"),
])
def test_visible_text(source: str, seen: str) -> None:
    assert " ".join(visible_text(source).split()) == seen


def test_lines_are_kept() -> None:
    text = "one\n<!-- a\ncomment -->\ntwo [x](\ny) three\n{{< note >}}\nfour"
    assert visible_text(text).count("\n") == text.count("\n")


def test_a_comment_cut_by_a_chunk_boundary_is_dropped_on_both_sides() -> None:
    assert visible_text("text <!-- open to the end").split() == ["text"]
    assert visible_text("closed here -->\nvisible").split() == ["visible"]


def test_link_targets_and_shortcode_ids_are_not_indexed() -> None:
    text = ("---\ntitle: Jobs\n---\n## Running an example Job {#example-job}\n\n"
            'A {{< glossary_tooltip text="Job" term_id="job-object" >}} runs '
            "[Pods](/docs/concepts/workloads/pods-overview/) to completion.\n")
    note = NoteFile("job.md", text, "0" * 64, len(text), datetime.now(timezone.utc))
    analysed = analyse_note(note, A, ChunkingParams(min_words=1, max_words=200))
    doc = analysed.documents[0]
    assert doc.chunk.heading == "Running an example Job"  # shown cleaned
    assert doc.chunk.text.startswith("## Running an example Job {#example-job}")  # the source, exact
    assert (doc.chunk.start_line, doc.chunk.end_line) == (4, 6)
    words = set(doc.body_words)
    assert {"job", "pods", "completion"} <= words
    assert not words & {"docs", "concepts", "workloads", "overview", "glossary", "tooltip", "term", "object"}


def test_headings_are_shown_cleaned() -> None:
    note = chunk_note("a.md", '# Pods {#pods}\n\n## The <code>spec</code> {{< glossary_tooltip text="field" >}}\n\nbody\n')
    assert [c.heading for c in note.chunks] == ["Pods", "Pods > The spec field"]


# --------------------------------------------------------------------------- hostile notes: linear work


@pytest.mark.parametrize(("name", "text"), [
    ("a link target of shortcodes, never closed", "[a](" + "{{<a>}}" * 40),  # exponential: 30 took hours
    ("shortcodes never closed", "{{< " * 100_000),
    ("links into shortcodes never closed", "[a]({{<" * 100_000),
    ("anchors never closed", "{#" * 200_000),
    ("reference definitions never closed", "[a\n" * 200_000),
    ("one long shortcode attribute", "{{< x " + "a" * 200_000 + " >}}"),
    ("emphasis never closed", "*a **a " * 30_000),
    ("links never closed", "[a](" * 200_000),
    ("comments never closed", "<!-- " * 100_000),
])
def test_hostile_markup_is_read_in_linear_time(name: str, text: str) -> None:
    from tests.core.deadline import finishes_within

    assert finishes_within(10, visible_text, text), name  # each took minutes or more before


@pytest.mark.parametrize(("source", "seen"), [
    ('{{< a {{< note text="kept" >}} end', "{{< a kept end"),  # a shortcode ends before the next one opens
    ('[x]({{< ref "a" >}}{{< ref "b" >}}) y', "x y"),
    ("[x]({{<a) y", "x y"),  # a shortcode left open in a link target is just text of the target
    ("{#a{#b} c", "{#a c"),
    ('{{< t x-y="1" name="n" >}}', ""),
])
def test_the_linear_patterns_still_read_markup(source: str, seen: str) -> None:
    assert " ".join(visible_text(source).split()) == seen
