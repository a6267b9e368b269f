"""The notes' Markdown as a reader sees it (`reader`), which the index reads with its links reduced
to words (`markup.visible_text`): code is literal, comments hide everything, tags of components
show their captions, pasted files are placeholders; linear time on any note."""

from __future__ import annotations

import time

import pytest

from bot.core.search.literal import literal_regions
from bot.core.search.markup import visible_text
from bot.core.search.reader import reader_markdown


@pytest.mark.parametrize(("text", "regions"), [
    ("a `<p>` b <!-- c `x` --> d", [("`<p>`", True), ("<!-- c `x` -->", False)]),
    ("```html\n<p>x</p>\n```\ntext <!-- open\n```\ncode\n```\n--> after",
     [("```html\n<p>x</p>\n```", True), ("<!-- open\n```\ncode\n```\n-->", False)]),
    ("closed -->\nvisible `a`", [("closed -->", False), ("`a`", True)]),  # a passage cut inside a comment
    ("x ``a` b`` y `z", [("``a` b``", True)]),  # a run closes only a run of its length
    ("a \\`b` c", []),  # an escaped backtick opens nothing
    ("`a\n\nb`", []),  # a code span never crosses a blank line
    ("   ~~~\n<!-- in code -->\n   ~~~~\nz", [("   ~~~\n<!-- in code -->\n   ~~~~", True)]),
    ("```rust\nunclosed <p>", [("```rust\nunclosed <p>", True)]),
])
def test_code_and_comments_whichever_starts_first(text: str, regions: list[tuple[str, bool]]) -> None:
    assert [(text[a:b], code) for a, b, code in literal_regions(text)] == regions


@pytest.mark.parametrize(("source", "seen"), [
    ('<Listing number="12-3" file-name="poem.txt" caption="A poem by *Emily*">', r"*Listing 12-3: A poem by \*Emily\**"),
    ('<Listing file-name="src/main.rs">', "*Filename: src/main.rs*"),
    ("</Listing>", ""),
    ("Vec<String> and <T as Trait>", "Vec<String> and <T as Trait>"),  # types in prose are not tags
    ("{{#include ../listings/ch12/poem.txt:2:4}}", "[listing: poem.txt]"),
    ("{{#title The Book}}", ""),
    ('{{< codenew file="pods/pod.yaml" >}}', "[listing: pod.yaml]"),
    ("[x](/api/{{< param \"version\" >}}/y)", "[x](/api//y)"),  # inside a link's target: no space
    ("`<b>bold</b>` <b>bold</b>", "`<b>bold</b>` bold"),
    ("<td>a</td><td>b</td>", "a b"),
])
def test_reader_markdown(source: str, seen: str) -> None:
    assert " ".join(reader_markdown(source).split()) == seen


def test_an_html_block_loses_its_indentation_not_its_lines() -> None:
    source = "<table>\n  <tr>\n    <td>\n      cell text\n    </td>\n  </tr>\n</table>\n\n    indented code\n"
    shown = reader_markdown(source)
    assert shown.count("\n") == source.count("\n")
    assert "\ncell text\n" in shown and "\n    indented code\n" in shown  # after a blank line: still code


@pytest.mark.parametrize(("source", "words"), [
    ("`<span>` stays in code", "`<span>` stays in code"),
    ("text <!-- note `x` --> more", "text more"),
    ("<Listing caption=\"A poem\">\n```\n{{#include poem.txt}}\n```\n</Listing>", "*A poem* ``` [listing: poem.txt] ```"),
])
def test_the_index_reads_what_the_reader_sees(source: str, words: str) -> None:
    assert " ".join(visible_text(source).split()) == words
    assert visible_text(source).count("\n") == source.count("\n")


@pytest.mark.parametrize(("name", "text"), [
    ("backtick runs", "` a " * 100_000),
    ("runs of many lengths", "``` `` ` " * 50_000),
    ("fences", "```\n" * 100_000),
    ("fences with backticks in their info", "```a`\n" * 100_000),
    ("comments in code spans", "`<!--` " * 100_000),
    ("a comment open over fences", "<!--\n" + "```\nx\n```\n" * 50_000),
    ("backslashes before backticks", "\\" * 100_000 + "`" + "\\`" * 100_000),
    ("components never closed", "<Listing " * 100_000),
    ("components with attributes", '<Listing a="b" ' * 50_000),
    ("includes never closed", "{{#include " * 100_000),
    ("an html block", "<td>\n" * 100_000),
    ("closing tags", "</X" * 100_000),
])
def test_hostile_notes_are_read_in_linear_time(name: str, text: str) -> None:
    started = time.process_time()
    reader_markdown(text)
    visible_text(text)
    assert time.process_time() - started < 10, name  # about a second each; quadratic would be hours
