"""Rendering without Discord: cutting to limits, escaping, highlighting, links, and the worst cases
(25 passages, huge headings, long paths) still fitting every limit."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapter import limits, rendering
from bot.core.search.answering import Answer, Passage
from bot.core.search.notes import SkippedFile
from bot.core.search.service import ReindexSummary
from tests.adapter.conftest import assert_balanced_markdown


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
    def render(s: str) -> str:
        return rendering.bold_matches(rendering.safe(s), ("pod",))

    out = limits.fit("a pod **in** a pod " * 50, 100, render)
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


def test_bold_matches_whole_words_outside_links_and_escapes() -> None:
    text = rendering.safe("Pods and pod, see https://k8s.io/pod/docs and C:\\pod")
    assert rendering.bold_matches(text, ("pod", "pods")) == (
        r"**Pods** and **pod**, see https://k8s.io/pod/docs and C:\\pod")


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
    matched=st.sets(st.sampled_from(["pod", "pods", "x", "item", "q"]), max_size=3),
)
def test_fit_finds_the_longest_rendering_that_fits_whatever_the_guess(words, limit, matched) -> None:
    """The search over word boundaries (with the rendered-length guess passage fields use) returns
    exactly what trying every boundary would: the guess only changes how many renderings it takes."""
    raw = " ".join(words)
    render = lambda s: rendering.bold_matches(rendering.safe(s), tuple(matched))  # noqa: E731
    expected = reference_fit(raw, limit, render)
    assert limits.fit(raw, limit, render) == expected
    assert limits.fit(raw, limit, render, estimate=lambda r: rendering._rendered_length(r, tuple(matched))) == expected


def regex_bold(escaped: str, words) -> str:
    """bold_matches as one regex of the words (what it replaced: compiling it per question was slow)."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    word = re.compile(rf"(?<![\w\\])({alternatives})(?![\w])", re.IGNORECASE)
    parts = rendering._URL.split(escaped)
    return "".join(part if i % 2 else word.sub(r"**\1**", part) for i, part in enumerate(parts))


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(["pod", "Pods", "POD", "podx", "xpod", "cri-o", "cri", "o", "1.25.3", "1.25",
                                     "spec.containers", "spec", "_pod_", "\\pod", "é", "Éa", "naïve", "İpod", " ", " ", "-",
                                     ".", "https://pod.io/pod", "<@1>", "**", "\n"]), max_size=40),
    words=st.sets(st.sampled_from(["pod", "pods", "cri-o", "cri", "1.25", "1.25.3", "spec.containers", "spec",
                                   "éa", "naïve", "o", ".25", "-o"]), min_size=1, max_size=5),
)
def test_bolding_matches_the_regex_of_the_words(pieces, words) -> None:
    text = rendering.safe("".join(pieces))
    assert rendering.bold_matches(text, tuple(words)) == regex_bold(text, tuple(words))


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
