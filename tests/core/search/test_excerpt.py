"""A passage longer than its room shows the lines around its matched words, cited exactly."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.search.answering import Passage
from bot.core.search.excerpt import Excerpt, excerpt, fit_passage, lines_to_show

LINES = [f"line {i} says nothing much here" for i in range(1, 21)]
LINES[13] = "the florbnagle proves the moderator right"  # line 14 of the chunk


def test_a_passage_that_fits_is_shown_whole() -> None:
    text = "\n".join(LINES[:3])
    assert excerpt(text, 10, ["florbnagle"], 1000) == (excerpt(text, 10, [], 1000))
    shown = excerpt(text, 10, ["florbnagle"], 1000)
    assert (shown.text, shown.start_line, shown.end_line) == (text, 10, 12)


def test_a_long_passage_shows_the_matched_lines_and_narrows_the_citation() -> None:
    text = "\n".join(LINES)
    shown = excerpt(text, 101, ["florbnagle", "moderator"], 120)
    assert len(shown.text) <= 120
    assert "the florbnagle proves the moderator right" in shown.text
    lines = text.split("\n")
    assert shown.text == "\n".join(lines[shown.start_line - 101 : shown.end_line - 100])  # exact source lines
    assert shown.start_line <= 114 <= shown.end_line and shown.start_line > 101


def test_without_matches_the_start_is_shown() -> None:
    shown = excerpt("\n".join(LINES), 1, [], 70)
    assert shown.start_line == 1 and shown.text.startswith("line 1 says")


def test_one_line_longer_than_the_room_is_cut_around_its_match() -> None:
    line = "word " * 100 + "florbnagle here " + "word " * 100
    shown = excerpt(line, 7, ["florbnagle"], 80)
    assert "florbnagle" in shown.text and len(shown.text) <= 80
    assert shown.text.startswith("…") and shown.text.endswith("…")
    assert (shown.start_line, shown.end_line) == (7, 7)


def test_a_long_line_further_down_is_cut_around_its_own_match() -> None:
    line = "word " * 100 + "florbnagle here " + "word " * 100
    alone = excerpt(line, 9, ["florbnagle"], 80)
    shown = excerpt("a short first line\nanother one\n" + line, 7, ["florbnagle"], 80)
    assert (shown.text, shown.start_line, shown.end_line) == (alone.text, 9, 9)
    assert "florbnagle" in shown.text


def test_fit_passage_narrows_the_citation_and_json_keeps_the_chunk() -> None:
    text = "\n".join(LINES)
    passage = Passage("a.md", "H", 101, 120, 1.0, text, ("florbnagle",), "id")
    shown = fit_passage(passage, 120)
    assert shown.citation != passage.citation and shown.start_line <= 114 <= shown.end_line
    assert passage.as_json()["text"] == text  # the passage itself is unchanged


def regex_excerpt(text: str, start_line: int, matched, room: int) -> Excerpt:
    """`excerpt` as it was with a regex of the words (compiled per question: a third of the cost
    of fitting a passage); the words are now found without one, with the same outcome."""
    lines = text.split("\n")
    if len(text) <= room or room <= 0:
        return Excerpt(text, start_line, start_line + len(lines) - 1)
    pattern = None
    if matched:
        alternatives = "|".join(re.escape(w) for w in sorted(set(matched), key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
    hits = [len(pattern.findall(line)) if pattern else 0 for line in lines]
    firsts = [found.start() if pattern and (found := pattern.search(line)) else 0 for line in lines]
    return lines_to_show(lines, hits, firsts, start_line, room)


@settings(max_examples=500, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(["pod", "Pods", "POD", "podx", "xpod", "cri-o", "cri", "o", "1.25.3", "1.25",
                                     "spec.containers", "spec", "_pod_", "\\pod", "é", "Éa", "naïve", "İpod",
                                     " ", " ", "-", ".", "\n", "\n", "\n\n", "word " * 12, "a long line " * 20]),
                    max_size=60),
    words=st.lists(st.sampled_from(["pod", "pods", "cri-o", "cri", "1.25", "1.25.3", "spec.containers", "spec",
                                    "éa", "naïve", "o", ".25", "-o", "Pod"]), max_size=5),
    room=st.integers(min_value=0, max_value=200),
)
def test_the_lines_chosen_are_those_a_regex_of_the_words_would_choose(pieces, words, room) -> None:
    text = "".join(pieces)
    assert excerpt(text, 3, words, room) == regex_excerpt(text, 3, words, room)
