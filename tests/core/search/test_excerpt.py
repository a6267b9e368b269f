"""A passage longer than its room shows the lines around its matched words, cited exactly."""

from bot.core.search.answering import Passage
from bot.core.search.excerpt import excerpt, fit_passage

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


def test_fit_passage_narrows_the_citation_and_json_keeps_the_chunk() -> None:
    text = "\n".join(LINES)
    passage = Passage("a.md", "H", 101, 120, 1.0, text, ("florbnagle",), "id")
    shown = fit_passage(passage, 120)
    assert shown.citation != passage.citation and shown.start_line <= 114 <= shown.end_line
    assert passage.as_json()["text"] == text  # the passage itself is unchanged
