"""What a reader sees of a passage, before any front-end: the tree read from the notes' Markdown,
narrowed to an excerpt's lines or cut to a length, and written as plain text or CommonMark."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.core.reading import CommonMarkWriter, PlainWriter, fit, read_inline, read_passage
from bot.core.reading.model import CodeBlock, Doc, Paragraph, Span
from bot.core.reading.passages import passage_doc
from bot.core.reading.shape import between, cut
from bot.core.search.analysis import Analyzer
from bot.core.search.markup import visible_text
from tests.reader_note import HIDDEN, NOTE

MATCHED = ("poem", "ferris", "reads")


def plain(text: str, matched: tuple[str, ...] = ()) -> str:
    return PlainWriter(matched).write(read_passage(text))


def test_the_reader_sees_each_kind_of_markup_as_rendered() -> None:
    out = plain(NOTE, MATCHED)
    for hidden in HIDDEN:
        assert hidden not in out, hidden
    assert out.splitlines() == [
        "**Ferris** **reads** a **poem**",
        "",
        "Reading the **poem**",  # `{#anchor}` gone
        "",
        "**Ferris** opens the **poem** with `File::open` and **reads** it whole; see the Rust book "
        "(https://doc.rust-lang.org/book/) or the std docs (https://doc.rust-lang.org/std/fs/struct.File.html).",
        "",
        "Listing 12-3: A **poem** by Emily Dickinson",  # the tag's caption
        "",
        '    let poem = fs::read_to_string("poem.txt")?; // ferris reads the poem',  # no mark in code
        "",
        "    [listing: poem.txt]",  # the mdBook include
        "",
        "Hugo shows a tortoise beside the **poem**.",  # the shortcode's text
        "",
        "Ask @everyone or <@123> about the **poem**.",
    ]


def test_commonmark_for_rich_keeps_the_notes_marks_and_escapes_their_text() -> None:
    out = CommonMarkWriter(MATCHED).write(read_passage(NOTE))
    assert "***poem***" in out and "`File::open`" in out and "**whole**" in out
    assert "[the Rust book](https://doc.rust-lang.org/book/)" in out
    assert "```rust\nlet poem" in out and "```text\n[listing: poem.txt]\n```" in out
    assert "*Listing 12\\-3\\: A **poem** by Emily Dickinson*" in out
    rendered = MarkdownIt("commonmark").render(out)
    assert "<em>Listing 12-3: A <strong>poem</strong> by Emily Dickinson</em>" in rendered
    assert "Ask @everyone or &lt;@123&gt; about" in rendered


def test_what_is_shown_is_what_is_indexed() -> None:
    """The renderer and the index read the same words: the index's visible text is the reader's
    Markdown with links reduced to their words (and a code block's fence, whose language the
    index reads too, is the one line shown differently)."""

    class WordsOnly(PlainWriter):  # without the URLs the pipe shows after a link
        def link(self, inner, span):  # type: ignore[no-untyped-def]
            return inner

    analyzer = Analyzer()
    shown = WordsOnly().write(read_passage(NOTE))
    indexed = "\n".join(line for line in visible_text(NOTE).split("\n") if not line.startswith("```"))
    assert analyzer.words(shown) == analyzer.words(indexed)


@pytest.mark.parametrize(("source", "seen"), [
    ("Use `<!-- x -->` to hide text.", "Use `<!-- x -->` to hide text."),  # a comment in code is shown
    ("```html\n<p>Hi <!-- c --></p>\n```", "    <p>Hi <!-- c --></p>"),
    ("```rust\nprintln!(\"{:#?}\", x); // {#not-an-anchor}\n```", '    println!("{:#?}", x); // {#not-an-anchor}'),
    ("a <!-- hidden `code` --> b", "a b"),  # code in a comment is hidden with it
    ("<!--\n```\nold example\n```\n-->\nkept", "kept"),
    ("Vec<String> and Option<T> are types", "Vec<String> and Option<T> are types"),
    ("kubectl logs <pod-name>", "kubectl logs <pod-name>"),
    ("<table>\n  <tr>\n    <td>cell one</td>\n    <td>cell two</td>\n  </tr>\n</table>", "cell one cell two"),
    ("<tr><td>\"pods\"</td><td>Pod</td></tr>", '"pods" Pod'),
    ('Read {{< code_sample file="pods/simple-pod.yaml" >}} now', "Read [listing: simple-pod.yaml] now"),
    ("{{#rustdoc_include ../listings/ch02/src/main.rs:print}}", "[listing: main.rs]"),
    ("See [ch 10][traits]<!-- ignore --> for traits.", "See ch 10 for traits."),  # defined elsewhere
    ("See [the docs](/docs/concepts/) and [api](/api/{{< param \"version\" >}}/x).", "See the docs and api."),
    ("![a diagram](images/x.svg)", "[image: a diagram]"),
])
def test_markup_a_reader_never_sees(source: str, seen: str) -> None:
    assert " ".join(plain(source).split()) == " ".join(seen.split())


def test_a_heading_with_an_anchor_and_emphasis_in_a_tight_list() -> None:
    doc = read_passage("## Title {#title}\n\n- one *a*\n- two `b`\n  1. three\n\n> quoted\n> > deeper\n")
    assert CommonMarkWriter().write(doc) == "**Title**\n\n- one *a*\n- two `b`\n\n  1. three\n\n> quoted\n>\n> > deeper"


def test_an_excerpt_that_starts_inside_a_code_block_shows_code() -> None:
    text = "# Code\n\nSome prose.\n\n```rust\nfn a() {}\nfn b() {}\nfn c() {}\n```\n\nAfter."
    doc = between(read_passage(text, 10), 16, 17)  # lines `fn b() {}` and `fn c() {}`
    (block,) = doc.blocks
    assert isinstance(block, CodeBlock) and block.lines == ("fn b() {}", "fn c() {}")
    assert CommonMarkWriter().write(doc) == "*\\(1 line of code above\\)*\n```rust\nfn b() {}\nfn c() {}\n```"


def test_an_excerpt_of_part_of_a_paragraph_says_so() -> None:
    doc = between(read_passage("one\ntwo *three\nfour* five\nsix"), 2, 3)
    assert PlainWriter().write(doc) == "… two three four five …"


def test_a_passage_of_one_long_line_is_shown_from_near_its_match() -> None:
    line = " ".join(f"word{i}" for i in range(600)) + " tortoise " + " ".join(f"more{i}" for i in range(600))
    doc = passage_doc(line, 1, 1, 1, ("tortoise",), 400)
    out = fit(doc, 400, PlainWriter(("tortoise",)).write)
    assert out.startswith("…") and out.endswith("…") and "**tortoise**" in out and len(out) <= 400


def test_a_code_block_cut_short_says_so_and_is_closed() -> None:
    doc = read_passage("Intro.\n\n```python\n" + "\n".join(f"x{i} = {i}" for i in range(50)) + "\n```\n")
    out = fit(doc, 120, CommonMarkWriter().write)
    assert len(out) <= 120
    assert out.startswith("Intro\\.\n\n```python\nx0 = 0\n") and "\n```\n" in out
    assert re.search(r"\\\(… \d+ more lines of code in the notes\\\)\*$", out)


def test_a_cut_closes_emphasis_and_links_and_ends_with_an_ellipsis() -> None:
    doc = read_passage("*" + ("emphasised words " * 20).strip() + "* and [a link text that is long](https://e.org/x)")
    for limit in range(5, 200, 7):
        out = fit(doc, limit, CommonMarkWriter().write)
        assert len(out) <= limit and out.endswith("…")
        assert out.count("*") % 2 == 0 and out.count("[") == out.count("](")


def test_inline_note_text_keeps_code() -> None:
    assert PlainWriter().inlines(read_inline("Which of these describes `--force`?  *now*")) == \
        "Which of these describes `--force`? now"


PIECES = ["word", "poem", "*em*", "**strong**", "`code`", "``co`de``", "[link](https://e.org/a_b)",
          "[rel](/docs/x)", "<!-- c -->", "<a id=\"x\"></a>", "{#id}", "@everyone", "<@1>", "\n\n", "\n",
          "\n```rust\nfn main() {}\n// more\n```\n", "\n- item\n", "\n> quote\n", "_u_", "\\*", "~~s~~",
          "{{< note >}}", "{{#include a/b.rs}}", "<Listing caption=\"cap\">", "</Listing>"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40), limit=st.integers(min_value=0, max_value=400))
def test_any_cut_is_whole_commonmark(pieces: list[str], limit: int) -> None:
    """Whatever the notes and the room, what is written parses back with every mark closed: the
    text markdown-it reads from it is the text the tree holds (no stray `*`, `` ` `` or `[`)."""
    doc = read_passage(" ".join(pieces))
    out = fit(doc, limit, CommonMarkWriter(("poem",)).write)
    assert len(out) <= max(limit, 0)
    reader = MarkdownIt("commonmark").enable("strikethrough")
    reader.core.ruler.disable("text_join")  # an escaped character stays a token of its own
    for token in reader.parse(out):
        for child in token.children or []:
            if child.type == "text":
                assert not re.search(r"[*`_~\[\]]", child.content), (out, child.content)
    assert out.count("```") % 2 == 0


def test_cut_keeps_spans_whole() -> None:
    doc = Doc((Paragraph((Span("em", (read_inline("a b c d")[0],)),)),))
    assert CommonMarkWriter().write(cut(doc, 3)) == "*a b*…"
