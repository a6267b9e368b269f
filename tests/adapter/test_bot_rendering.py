"""Rendering without Discord: cutting to limits, escaping, highlighting, links, the notes' own
Markdown as Discord reads it, and the worst cases (25 passages, huge headings, long paths) still
fitting every limit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapter import limits, rendering
from bot.adapter.markdown import DiscordWriter
from bot.core.reading.writer import _UNMARKED, BARE_URL
from bot.core.search.answering import Answer, Passage
from bot.core.search.notes import SkippedFile
from bot.core.search.service import ReindexSummary
from tests import reader_note
from tests.adapter.conftest import assert_balanced_markdown
from tests.reader_note import HIDDEN, NOTE


def passage(text: str, *, source: str = "notes/pods.md", heading: str | None = "Pods", matched: tuple[str, ...] = (),
            start: int = 3, end: int = 9) -> Passage:
    return Passage(source=source, heading=heading, start_line=start, end_line=end, score=1.0, text=text,
                   matched=matched, chunk_id="c1", title=None)


@pytest.mark.parametrize(
    ("raw", "limit", "expected"),
    [
        ("short enough", 20, "short enough"),
        ("one two three four", 14, "one two three…"),
        ("one two three four", 13, "one two…"),
        ("abcdefghijklmnop", 6, "abcde…"),  # a single word longer than the limit: cut inside it
        ("anything", 1, "…"),
        ("anything", 0, ""),
    ],
)
def test_fit_cuts_at_a_word_boundary(raw: str, limit: int, expected: str) -> None:
    assert limits.fit(raw, limit) == expected


def test_fit_renders_after_cutting_so_markup_stays_whole() -> None:
    out = limits.fit("a pod **in** a `pod` " * 50, 100, rendering.safe)
    assert len(out) <= 100 and out.endswith("…")
    assert_balanced_markdown(out)


@pytest.mark.parametrize(
    "text", ["@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<@12345678901234567890>"]
)
def test_safe_breaks_every_mention(text: str) -> None:
    out = rendering.safe(f"hi {text} there")
    assert not re.search(r"@(everyone|here)|<@[!&]?\d+>", out)
    assert out.replace("\u200b", "") == f"hi {text} there"


def test_safe_escapes_markdown() -> None:
    assert rendering.safe("**x** _y_ `z` ~~s~~ ||p|| [l](http://a)") == (
        r"\*\*x\*\* \_y\_ \`z\` \~\~s\~\~ \|\|p\|\| \[l](http://a)")


def test_matches_are_bold_whole_words_outside_links() -> None:
    text = DiscordWriter(("pod", "pods")).text("Pods and pod, see https://k8s.io/pod/docs and C:\\pod_x")
    assert text == r"**Pods** and **pod**, see https://k8s.io/pod/docs and C:\\pod\_x"


def test_source_link_is_a_github_style_line_link() -> None:
    p = passage("text", source="k8s notes/pods (v2).md", start=3, end=9)
    assert rendering.source_link(p, None) == "`k8s notes/pods (v2).md:3-9`"
    assert rendering.source_link(p, "https://github.com/o/r/blob/main/") == (
        "[`k8s notes/pods (v2).md:3-9`](https://github.com/o/r/blob/main/k8s%20notes/pods%20%28v2%29.md#L3-L9)")


def test_the_heading_line_is_not_repeated_in_the_text() -> None:
    name, value = rendering.passage_field(passage("## Pods\n\nA pod runs containers."), 1, None)
    assert name == "1. Pods"
    assert value == "`notes/pods.md:3-9`\nA pod runs containers."


def test_worst_case_answer_fits_every_limit() -> None:
    long_text = ("**word** `code` @everyone <@1> " * 2000).strip()
    passages = tuple(
        passage(long_text, source="d/" * 300 + f"{i}.md", heading="H" * 500, matched=("word", "code"))
        for i in range(30)
    )
    embed = rendering.answer_embed(Answer("q" * 5000, passages, has_more=True),
                                   base_url="https://example.com/" + "x" * 2000)
    assert limits.embed_fits(embed)
    assert len(embed.fields) == limits.FIELDS
    for field in embed.fields:
        assert_balanced_markdown(field.value)


@pytest.mark.parametrize("count", [1, 3, 10, 25])
def test_answers_of_any_size_fit(count: int) -> None:
    passages = tuple(passage("pod " * 400, matched=("pod",)) for _ in range(count))
    embed = rendering.answer_embed(Answer("what is a pod", passages))
    assert limits.embed_fits(embed) and len(embed.fields) == count


def test_nothing_matched_offers_suggestions() -> None:
    embed = rendering.answer_embed(Answer("contaner", (), suggestions=("container", "@everyone")))
    assert embed.description.startswith("Nothing in the notes matches that question.")
    assert "Did you mean: **container**, **@\u200beveryone**?" in embed.description
    assert not embed.fields


def test_summary_of_a_huge_reindex_fits() -> None:
    many = [f"folder/{'n' * 50}{i}.md" for i in range(500)]
    summary = ReindexSummary(added=many, changed=many, removed=many, unchanged=3,
                             skipped=[SkippedFile(p, "binary file") for p in many], chunks=9, files=1000, seconds=1.5)
    embed = rendering.summary_embed(summary, None)
    assert limits.embed_fits(embed)
    assert "The notes have not been reindexed yet." in embed.description


def reference_fit(raw: str, limit: int, render) -> str:
    """limits.fit by brute force: the longest rendered word-boundary prefix that fits."""
    if limit <= 0:
        return ""
    if len(raw) <= limit and len(render(raw)) <= limit:
        return render(raw)
    if limit <= len(limits.ELLIPSIS):
        return limits.ELLIPSIS[:limit]
    raw = raw[: limit + 1]
    best = ""
    for end in (m.start() for m in re.finditer(r"\s+", raw) if m.start() > 0):
        candidate = render(raw[:end].rstrip()) + limits.ELLIPSIS
        if len(candidate) <= limit:
            best = candidate
    if best:
        return best
    cut = max((n for n in range(1, min(len(raw), limit) + 1) if len(render(raw[:n]) + limits.ELLIPSIS) <= limit),
              default=0)
    return render(raw[:cut]) + limits.ELLIPSIS if cut else limits.ELLIPSIS


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(["pod", "pods", "a", "**x**", "_y_", "`z`", "@everyone", "<@1>", "[l](http://a.b)",
                                    "https://k8s.io/docs_x", "~~s~~", "||p||", "\n- item", "\n> q", "nodeName",
                                    "x" * 30]), max_size=60),
    limit=st.integers(min_value=0, max_value=300),
)
def test_fit_finds_the_longest_rendering_that_fits_whatever_the_guess(words, limit) -> None:
    """The search over word boundaries (for what members typed) returns exactly what trying every
    boundary would: a guess of the rendered length only changes how many renderings it takes."""
    raw = " ".join(words)
    expected = reference_fit(raw, limit, rendering.safe)
    assert limits.fit(raw, limit, rendering.safe) == expected
    assert limits.fit(raw, limit, rendering.safe, estimate=lambda r: lambda n: 3 * n) == expected


def regex_bold(raw: str, words) -> str:
    """Matches marked by one regex of the words (what word_spans replaced: compiling it per
    question was slow), outside bare URLs and placeholders."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    word = re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)
    writer = DiscordWriter()
    out = []
    for i, part in enumerate(_UNMARKED.split(raw)):
        if i % 2:
            out.append(writer.url(part) if BARE_URL.fullmatch(part) else writer.escape(part))
            continue
        last = 0
        for m in word.finditer(part):
            out += [writer.escape(part[last:m.start()]), "**", writer.escape(m.group(0)), "**"]
            last = m.end()
        out.append(writer.escape(part[last:]))
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(["pod", "Pods", "POD", "podx", "xpod", "cri-o", "cri", "o", "1.25.3", "1.25",
                                     "spec.containers", "spec", "_pod_", "\\pod", "é", "Éa", "naïve", "İpod", " ", " ",
                                     "-", ".", "https://pod.io/pod", "<@1>", "**", "\n", "[listing: pod.yaml]"]),
                    max_size=40),
    words=st.sets(st.sampled_from(["pod", "pods", "cri-o", "cri", "1.25", "1.25.3", "spec.containers", "spec",
                                   "éa", "naïve", "o", ".25", "-o"]), min_size=1, max_size=5),
)
def test_marking_matches_is_the_regex_of_the_words(pieces, words) -> None:
    raw = "".join(pieces)
    assert DiscordWriter(tuple(words)).text(raw) == regex_bold(raw, tuple(words))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab _\\~|*`>#-[]()<>:/.hts \n\t\u00a0")), max_size=80))
def test_escaping_is_discords_escape_markdown(text: str) -> None:
    from discord.utils import escape_markdown

    assert rendering.escape_markdown(text) == escape_markdown(text)


def test_escaping_keeps_links_and_escapes_markup_like_discord() -> None:
    from discord.utils import escape_markdown

    samples = ["see https://kubernetes.io/docs/a_b_c, then `kubectl`", "> quoted\n# heading\n - item *x*",
               "[link](https://x.y/a_b) and <https://z.w/_q_> and ~~gone~~ ||spoiler|| \\ back"]
    for text in samples:
        assert rendering.escape_markdown(text) == escape_markdown(text)
    assert rendering.escape_markdown("a_b https://x.y/a_b") == r"a\_b https://x.y/a_b"


@pytest.mark.parametrize("answer_id, offset, has_more", [(1, 0, True), (123456789012, 6, False)])
def test_answer_buttons_are_the_payload_discord_ui_items_give(answer_id: int, offset: int, has_more: bool) -> None:
    from bot.adapter import views

    fast, items = views.answer_view(answer_id, offset, has_more), views.items_view(answer_id, offset, has_more)
    assert fast.to_components() == items.to_components()
    assert fast.is_finished() and not fast.is_dispatchable() and fast.timeout is None


# --------------------------------------------------------------------------- the notes' own Markdown


def note_passage(text: str = NOTE, matched: tuple[str, ...] = ("poem", "ferris", "reads")) -> Passage:
    return passage(text, source=reader_note.NAME, heading="Ferris reads a poem", matched=matched, start=1,
                   end=text.count("\n") + 1)


def test_a_passage_is_the_notes_own_markdown_for_discord_to_render() -> None:
    name, value = rendering.passage_field(note_passage(), 1, None)
    citation, text = value.split("\n", 1)
    assert (name, citation) == ("1. Ferris reads a poem", f"`{reader_note.NAME}:1-26`")
    for hidden in HIDDEN:  # comments, anchors, tags, directives, reference labels: never shown
        assert hidden not in text, hidden
    assert text.startswith("**Reading the poem**\n\n")  # the passage's own heading is the field's name
    assert "opens the _**poem**_ with `File::open` and **reads** it **whole**;" in text  # code unescaped
    assert "see [the Rust book](https://doc.rust-lang.org/book/) (doc.rust-lang.org) or" in text  # where it leads
    assert "\n_Listing 12-3: A **poem** by Emily Dickinson_\n" in text  # a tag's caption
    assert '```rust\nlet poem = fs::read_to_string("poem.txt")?; // ferris reads the poem\n```' in text
    assert "```text\n[listing: poem.txt]\n```" in text  # an include: a placeholder, in its code block
    assert "Hugo shows a tortoise beside the **poem**." in text  # a shortcode: its text
    assert "Ask @\u200beveryone or \\<@\u200b123> about the **poem**." in text
    assert_balanced_markdown(text)


@pytest.mark.parametrize(("note", "shown"), [
    ("A [masked link](https://evil.example/x_y) here", "A [masked link](https://evil.example/x_y) (evil.example) here"),
    ("See <https://kubernetes.io/docs/>", "See https://kubernetes.io/docs/"),
    ("A [page of the notes](../pods.md#spec)", "A page of the notes"),
    ("pod `pod` [pod](https://pod.io/pod) {{< code_sample file=\"pod.yaml\" >}}",
     "**pod** `pod` [**pod**](https://pod.io/pod) (pod.io) \\[listing: pod.yaml]"),  # no match in code or targets
    ("**pod is bold**", "**pod is bold**"),  # never a mark inside bold: it would close it
    ("*pod* and *pod*s and un*pod*ded", "_**pod**_ and ***pod***s and un***pod***ded"),  # `_` only between words
    ("```\n@everyone <@1> ``` inside\n```", "```\n@\u200beveryone <@\u200b1> `\u200b`` inside\n```"),
    ("1. one\n2. two\n\n1\\. not a list", "1. one\n2. two\n\n1\\. not a list"),
    ("\\- not a list, \\# not a heading, \\> not a quote", "\\- not a list, # not a heading, > not a quote"),
    ("> quoted\n>\n> > nested", "> quoted\n> nested"),  # Discord quotes one level deep
    ("| a | b |\n|---|---|\n| pod | 2 |", "**a** | **b**\n**pod** | 2"),
])
def test_the_notes_markdown_as_discord_reads_it(note: str, shown: str) -> None:
    _, value = rendering.passage_field(note_passage(note, matched=("pod",)), 1, None)
    assert value.split("\n", 1)[1] == shown


def test_what_members_typed_stays_escaped() -> None:
    embed = rendering.answer_embed(Answer("`code` *not* **bold** @everyone", (note_passage(),)))
    assert embed.title == "\\`code\\` \\*not\\* \\*\\*bold\\*\\* @\u200beveryone"


def test_a_code_block_cut_short_says_so() -> None:
    code = "```python\n" + "\n".join(f"value_{i} = compute({i})  # poem" for i in range(200)) + "\n```"
    _, value = rendering.passage_field(note_passage("The poem:\n\n" + code), 1, None, value_limit=600)
    assert len(value) <= 600
    text = value.split("\n", 1)[1]
    assert text.startswith("The **poem**:\n\n```python\nvalue_0 = compute(0)  # poem\n")  # no mark in code
    assert re.search(r"\n```\n_\(… \d+ more lines of code in the notes\)_$", text)
    assert_balanced_markdown(text)


NOTE_PIECES = ["poem", "ferris", "word", "*em*", "**strong**", "`code`", "``co`de``", "[link](https://e.org/a_b)",
               "[rel](/docs/x)", "<!-- c -->", "<a id=\"x\"></a>", "{#id}", "@everyone", "<@1>", "<@&2>", "\n\n", "\n",
               "\n```rust\nfn poem() {}\n// @here\n```\n", "\n- item poem\n", "\n> quote\n", "_u_", "\\*", "~~s~~",
               "||spoiler||", "{{< note >}}", "{{#include a/b.rs}}", "<Listing caption=\"cap\">", "</Listing>",
               "\n| a | b |\n|---|---|\n| poem | 1 |\n", "\n1. first\n"]


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(NOTE_PIECES), max_size=50), limit=st.integers(min_value=40, max_value=1024))
def test_any_passage_in_any_room_closes_every_mark_and_pings_no_one(pieces: list[str], limit: int) -> None:
    text = " ".join(pieces)
    _, value = rendering.passage_field(note_passage(text, ("poem", "ferris")), 1, None, value_limit=limit)
    assert len(value) <= limit
    assert_balanced_markdown(value)
    assert not re.search(r"@(everyone|here)|<@[!&]?\d+>", value)
    assert "<!--" not in value and "{{" not in value and "<a id" not in value
