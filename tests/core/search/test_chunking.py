"""chunk_note: exact line ranges, heading paths, sizes, front matter and stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.core.search.chunking import Chunk, ChunkedNote, chunk_id_for, chunk_note, normalise_newlines

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "k8s-colearning-lesson-1.md"


def spans(note: ChunkedNote) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(c.start_line, c.end_line, c.heading_path) for c in note.chunks]


def words(n: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


def front_matter_end(lines: list[str]) -> int:
    """Number of lines taken by front matter (0 if none), by the documented rule."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index + 1
    return 0


def heading_ranges(lines: list[str], offset: int) -> list[tuple[int, int]]:
    """Top-level heading line ranges, 1-based inclusive, found independently with markdown-it."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse("\n".join(lines[offset:]))
    return [
        (t.map[0] + offset + 1, t.map[1] + offset)
        for t in tokens
        if t.type == "heading_open" and t.level == 0 and t.map
    ]


def check_invariants(text: str, note: ChunkedNote, source: str = "n.md") -> None:
    lines = normalise_newlines(text).split("\n")
    body_start = front_matter_end(lines)
    chunks = note.chunks
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    previous_end = 0
    for chunk in chunks:
        assert chunk.source == source
        assert body_start < chunk.start_line <= chunk.end_line <= len(lines)
        assert chunk.start_line > previous_end, "ranges overlap or are out of order"
        previous_end = chunk.end_line
        assert chunk.text == "\n".join(lines[chunk.start_line - 1 : chunk.end_line])
        assert lines[chunk.start_line - 1].strip() and lines[chunk.end_line - 1].strip()
        assert len(chunk.chunk_id) == 16
    covered = [0] * (len(lines) + 1)
    for chunk in chunks:
        for line in range(chunk.start_line, chunk.end_line + 1):
            covered[line] += 1
    for number, line in enumerate(lines, start=1):
        expected = 1 if number > body_start and line.strip() else 0
        if expected:
            assert covered[number] == 1, f"line {number} {line!r} covered {covered[number]} times"
        elif number <= body_start:
            assert covered[number] == 0, "front matter leaked into a chunk"
    for start, end in heading_ranges(lines, body_start):
        for chunk in chunks:
            if chunk.start_line <= end and start <= chunk.end_line:
                crossing = chunk.start_line != start or chunk.end_line < end
                assert not crossing, "chunk crosses a heading"
    assert len({c.chunk_id for c in chunks}) == len(chunks)


# --- properties ---------------------------------------------------------------------------------

_word = st.text(alphabet="abcdefghij", min_size=1, max_size=6)
_sentence = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(_word, min_size=1, max_size=8),
    st.sampled_from(["", ".", "!", "?", '."', ".)", ",", ":"]),
)
_line = st.one_of(
    _sentence,
    _sentence,
    st.just(""),
    st.just(""),
    st.builds(lambda n, s: "#" * n + " " + s, st.integers(1, 7), _sentence),
    st.sampled_from(["===", "---", "***", "```", "~~~", "```python", "</div>", "<div>", "#", "> "]),
    st.builds(lambda s: "- " + s, _sentence),
    st.builds(lambda s: "  - " + s, _sentence),
    st.builds(lambda s: "1. " + s, _sentence),
    st.builds(lambda s: "    " + s, _sentence),
    st.builds(lambda s: "> " + s, _sentence),
    st.builds(lambda s: "\t" + s, _sentence),
    st.builds(lambda a, b: f"| {a} | {b} |", _word, _word),
    st.just("|---|---|"),
    st.just("[ref]: http://example.com"),
    st.text(max_size=20),
)
_front = st.one_of(
    st.just(""),
    st.builds(lambda t: f"---\ntitle: {t}\ntags: [a, b]\n---\n", _word),
    st.just("---\ntitle: [unclosed\n---\n"),
    st.just("---\n...\n"),
)
_body = st.builds(
    lambda lines, nl: nl.join(lines),
    st.lists(_line, max_size=40),
    st.sampled_from(["\n", "\n", "\r\n", "\r"]),
)
_markdown = st.builds(lambda front, body: front + body, _front, _body)
_sizes = st.integers(1, 12).flatmap(lambda lo: st.tuples(st.just(lo), st.integers(lo, 40)))

_settings = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(text=_markdown, sizes=_sizes)
def test_property_markdownish_text_is_covered_exactly(text: str, sizes: tuple[int, int]) -> None:
    min_words, max_words = sizes
    note = chunk_note("n.md", text, min_words=min_words, max_words=max_words)
    check_invariants(text, note)


@_settings
@given(text=st.text(max_size=300))
def test_property_any_text_never_crashes(text: str) -> None:
    check_invariants(text, chunk_note("n.md", text))


@_settings
@given(text=_body, blanks=st.integers(1, 5))
def test_property_blank_lines_above_keep_ids(text: str, blanks: int) -> None:
    assume(front_matter_end(normalise_newlines(text).split("\n")) == 0)
    before = chunk_note("n.md", text, min_words=5, max_words=20)
    after = chunk_note("n.md", "\n" * blanks + text, min_words=5, max_words=20)
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    assert [c.start_line for c in after.chunks] == [c.start_line + blanks for c in before.chunks]


# --- examples -----------------------------------------------------------------------------------

NESTED = """\
Intro line before any heading.

# Storage

Volumes keep data.

## PVC

A claim asks for storage.

### Access modes

ReadWriteOnce and friends.

## StorageClass
Provisioners live here.

# Networking
### Deep first
Skipped a level.
## Back up
Pops correctly.
"""


def test_nested_headings_exact_ranges_and_paths() -> None:
    note = chunk_note("k8s.md", NESTED)

    assert spans(note) == [
        (1, 1, ()),
        (3, 5, ("Storage",)),
        (7, 9, ("Storage", "PVC")),
        (11, 13, ("Storage", "PVC", "Access modes")),
        (15, 16, ("Storage", "StorageClass")),
        (18, 18, ("Networking",)),
        (19, 20, ("Networking", "Deep first")),
        (21, 22, ("Networking", "Back up")),
    ]
    assert note.chunks[2].text == "## PVC\n\nA claim asks for storage."
    assert note.chunks[2].heading == "Storage > PVC"
    assert note.chunks[0].heading is None
    check_invariants(NESTED, note, "k8s.md")


def test_heading_text_drops_inline_markup() -> None:
    note = chunk_note("n.md", "# Use `kubectl` *now*\n\nbody\n")
    assert note.chunks[0].heading_path == ("Use kubectl now",)


def test_setext_headings() -> None:
    text = "Top Title\n=========\n\nbody one\n\nSub\ntitle\n---\nbody two\n"
    note = chunk_note("n.md", text)

    assert spans(note) == [(1, 4, ("Top Title",)), (6, 9, ("Top Title", "Sub title"))]
    check_invariants(text, note)


def test_heading_without_body_is_its_own_chunk() -> None:
    note = chunk_note("n.md", "# A\n## B\n\n\n## C\ntext\n")
    assert spans(note) == [(1, 1, ("A",)), (2, 2, ("A", "B")), (5, 6, ("A", "C"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("\n\n   \n\t\n", []),
        ("---\ntitle: Only\n---\n", []),
        ("one line", [(1, 1, ())]),
        ("\n\nlate\n\n", [(3, 3, ())]),
    ],
)
def test_degenerate_inputs(text: str, expected: list[tuple[int, int, tuple[str, ...]]]) -> None:
    assert spans(chunk_note("n.md", text)) == expected


def test_paragraphs_grouped_to_target_size() -> None:
    paragraphs = [words(30, f"p{i}_") for i in range(6)]  # 30 words each
    text = "\n\n".join(paragraphs)
    note = chunk_note("n.md", text, min_words=40, max_words=100)

    # 30 < 40 so a second paragraph joins; 60 + 30 <= 100 so a third joins; a fourth would not fit.
    assert spans(note) == [(1, 5, ()), (7, 11, ())]
    check_invariants(text, note)


def test_code_block_kept_whole_even_when_long() -> None:
    code = "\n".join(f"echo {words(10)}" for _ in range(40))  # ~440 words
    text = f"# Script\n\nRun this:\n\n```sh\n{code}\n```\n\nAfter the code.\n"
    note = chunk_note("n.md", text, min_words=5, max_words=50)

    fence_start, fence_end = 5, 5 + 40 + 1
    [holder] = [c for c in note.chunks if c.start_line <= fence_start <= c.end_line]
    assert holder.end_line >= fence_end
    assert "```sh" in holder.text and holder.text.count("echo") == 40
    check_invariants(text, note)


def test_indented_code_block_kept_whole() -> None:
    code = "\n".join(f"    line {words(12)}" for _ in range(20))
    text = f"Intro words here.\n\n{code}\n"
    note = chunk_note("n.md", text, min_words=2, max_words=30)

    assert spans(note) == [(1, 1, ()), (3, 22, ())]


def test_long_paragraph_split_at_sentence_line_ends() -> None:
    lines = [
        "Alpha one two three four five six seven eight nine.",  # 10 words, sentence end
        "Bravo one two three four five six seven eight nine",
        "continues one two three four five six seven eight.",  # sentence end at line 3
        "Charlie one two three four five six seven eight nine",
        "still going one two three four five six seven eight",
        "and ends here one two three four five six seven!",  # sentence end at line 6
        "Delta one two three four five six seven eight nine.",
    ]
    text = "\n".join(lines)
    note = chunk_note("n.md", text, min_words=10, max_words=35)

    # 40 words at line 4 exceed 35: cut after the last sentence end leaving >= 10 words (line 3).
    assert spans(note) == [(1, 3, ()), (4, 6, ()), (7, 7, ())]
    assert note.chunks[0].text.endswith("eight.")
    check_invariants(text, note)


def test_long_paragraph_without_punctuation_split_at_any_line() -> None:
    text = "\n".join(words(10, f"l{i}_") for i in range(10))  # 100 words, no sentence ends
    note = chunk_note("n.md", text, min_words=5, max_words=30)

    assert spans(note) == [(1, 3, ()), (4, 6, ()), (7, 9, ()), (10, 10, ())]


def test_single_long_line_is_never_split() -> None:
    text = words(500)
    note = chunk_note("n.md", text, min_words=5, max_words=30)
    assert spans(note) == [(1, 1, ())]


def test_lists_split_between_top_level_items() -> None:
    items = [f"- item {i} " + words(9) for i in range(10)]  # 11 words each
    items.insert(3, "  - nested under item two " + words(5))
    text = "## Checklist\n\n" + "\n".join(items) + "\n"
    note = chunk_note("n.md", text, min_words=20, max_words=40)

    for chunk in note.chunks:
        first = chunk.text.split("\n")[0]
        assert first.startswith(("- item", "## Checklist")), "a list chunk starts mid-item"
        assert chunk.heading_path == ("Checklist",)
    assert len(note.chunks) > 1
    check_invariants(text, note)


def test_short_list_stays_with_its_paragraph() -> None:
    text = "Steps:\n\n- one\n- two\n- three\n"
    assert spans(chunk_note("n.md", text)) == [(1, 5, ())]


def test_table_blockquote_html_and_link_definitions_are_covered() -> None:
    text = (
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\nlazy\n\n<div>\nhtml\n</div>\n\n"
        "[ref]: http://example.com\n\n***\n"
    )
    note = chunk_note("n.md", text)
    assert spans(note) == [(1, 14, ())]
    check_invariants(text, note)


def test_front_matter_title_and_tags_excluded_from_chunks() -> None:
    text = "---\ntitle: Kubernetes basics\ntags: [k8s, storage]\n---\n# PVC\nClaims.\n"
    note = chunk_note("n.md", text)

    assert note.title == "Kubernetes basics"
    assert note.tags == ("k8s", "storage")
    assert spans(note) == [(5, 6, ("PVC",))]
    assert "title" not in note.chunks[0].text


@pytest.mark.parametrize(
    ("front", "title", "tags"),
    [
        ("title: T\ntags: a, b ,, c", "T", ("a", "b", "c")),
        ("tags:\n  - x\n  - 3\n  - {bad: 1}\n  - x", None, ("x", "3")),
        ("title: [unclosed\ntags: a", None, ()),  # malformed YAML: values ignored
        ("just a string", None, ()),
        ("title: 42", None, ()),
        ("", None, ()),
    ],
)
def test_front_matter_values(front: str, title: str | None, tags: tuple[str, ...]) -> None:
    text = f"---\n{front}\n...\nBody text.\n"
    note = chunk_note("n.md", text)
    body_line = front.count("\n") + 4

    assert (note.title, note.tags) == (title, tags)
    assert spans(note) == [(body_line, body_line, ())]


@pytest.mark.parametrize(
    ("front", "category", "unpublished"),
    [
        ("category: Technology", "technology", False),
        ("categories: [' ', Concept, Property]", "concept", False),
        ("category: 3\ndraft: true", None, True),
        ("status: Deprecated", None, True),
        ("draft: 'false'\nstatus: stable", None, False),  # only a YAML true withdraws a note
        ("category: [unclosed", None, False),  # malformed YAML: values ignored
    ],
)
def test_front_matter_category_and_withdrawal(front: str, category: str | None, unpublished: bool) -> None:
    note = chunk_note("n.md", f"---\n{front}\n---\nBody text.\n")
    assert (note.category, note.unpublished) == (category, unpublished)


def test_unclosed_front_matter_is_ordinary_text() -> None:
    text = "---\ntitle: x\n"
    note = chunk_note("n.md", text)
    assert note.title is None
    check_invariants(text, note)
    assert note.chunks[0].start_line == 1


def test_crlf_input_counts_lines_like_editors() -> None:
    text = "# A\r\n\r\nbody\r\n# B\rmore\r"
    note = chunk_note("n.md", text)
    assert spans(note) == [(1, 3, ("A",)), (4, 5, ("B",))]
    assert note.chunks[0].text == "# A\n\nbody"


def test_seed_corpus_chunks_into_paragraph_groups() -> None:
    text = CORPUS.read_text(encoding="utf-8")
    note = chunk_note(CORPUS.name, text)
    block_starts = {
        t.map[0] + 1 for t in MarkdownIt("commonmark").parse(text) if t.level == 0 and t.map
    }
    sizes = [len(c.text.split()) for c in note.chunks]

    assert len(note.chunks) >= 3
    for chunk in note.chunks:
        assert chunk.heading_path == ()
        assert chunk.start_line in block_starts, "a chunk starts mid-paragraph"
    assert all(40 <= n <= 240 for n in sizes), sizes
    check_invariants(text, note, CORPUS.name)


def test_ids_stable_when_lines_inserted_above() -> None:
    before = chunk_note("n.md", NESTED)
    after = chunk_note("n.md", NESTED.replace("A claim", "New line.\n\nA claim"))

    old = {c.heading_path: c for c in before.chunks}
    new = {c.heading_path: c for c in after.chunks}
    moved = ("Storage", "PVC", "Access modes")
    assert new[moved].start_line == old[moved].start_line + 2
    assert new[moved].chunk_id == old[moved].chunk_id
    assert new[("Storage", "PVC")].chunk_id != old[("Storage", "PVC")].chunk_id


def test_ids_depend_on_source_heading_and_text() -> None:
    base = chunk_id_for("a.md", ("H",), "text")
    assert base == chunk_id_for("a.md", ["H"], "text  ")  # trailing whitespace ignored
    assert len({
        base,
        chunk_id_for("b.md", ("H",), "text"),
        chunk_id_for("a.md", ("H2",), "text"),
        chunk_id_for("a.md", ("H",), "text!"),
        chunk_id_for("a.md", ("H",), "text", occurrence=1),
    }) == 5


def test_repeated_passages_get_distinct_ids() -> None:
    text = "# A\n\nsame\n\n# A\n\nsame\n"
    first, second = chunk_note("n.md", text).chunks
    assert first.text == second.text
    assert first.chunk_id == chunk_id_for("n.md", ("A",), first.text, 0)
    assert second.chunk_id == chunk_id_for("n.md", ("A",), second.text, 1)


def test_chunk_is_frozen() -> None:
    chunk = chunk_note("n.md", "x").chunks[0]
    assert isinstance(chunk, Chunk)
    with pytest.raises(AttributeError):
        chunk.text = "y"  # type: ignore[misc]


# --------------------------------------------------------------------------- hostile notes: linear work


def _tags_of(text: str, expected: int) -> None:
    assert len(chunk_note("n.md", text).tags) == expected


def test_two_hundred_thousand_tags_are_kept_once_each_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.search import chunking
    from tests.core.deadline import finishes_within

    monkeypatch.setattr(chunking, "MAX_FRONT_MATTER_CHARS", 10**8)  # the dedupe itself, past the size limit
    text = "---\ntags: " + ",".join(f"t{i % 150_000}" for i in range(200_000)) + "\n---\nBody.\n"
    assert finishes_within(15, _tags_of, text, 150_000)  # checking each tag against a list took 7 minutes


def test_a_front_matter_too_long_to_parse_is_ignored_with_a_warning() -> None:
    from bot.core.search.chunking import MAX_FRONT_MATTER_CHARS
    from tests.core.deadline import finishes_within

    front = "tags: [" + ", ".join(f"t{i}" for i in range(200_000)) + "]"
    assert len(front) > MAX_FRONT_MATTER_CHARS
    text = f"---\ntitle: Big\n{front}\n---\nBody text.\n"
    assert finishes_within(5, chunk_note, "n.md", text)  # parsing it cost 5 s; before, with the tags, minutes
    note = chunk_note("n.md", text)
    assert (note.title, note.tags) == (None, ())
    assert note.warning == f"front matter longer than {MAX_FRONT_MATTER_CHARS} characters; its title and tags are ignored"
    assert spans(note) == [(5, 5, ())]
