"""Whatever a moderator writes, reading a passage for questions never raises: a note that breaks
the generator would stop the reindex and the background fill."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.quiz.sentences import standalone
from bot.core.quiz.terms import analyse_passage

PIECES = ["Pod", "kube-proxy", "v1.31", "is", "are", "a", "the", "Fixed", "Throws", "If true,", "when enabled",
          " - ", ": ", ". ", ".", ",", "(", ")", '"', "`", "**", "_", "[x](y)", "\n", "\n\n", "\n  ", "* ", "1. ",
          "# ", "```", "|", "e.g.", "Only valid for", "to", "all", "é", "\u200b", "\x00", "    ", "CHANGES", "FOO"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=60))
def test_any_text_is_read_without_an_error(pieces: list[str]) -> None:
    text = " ".join(pieces)
    found = analyse_passage(text)
    for sentence in found.sentences:
        assert standalone(sentence.text)
    for definition in found.definitions:
        assert definition.term and definition.meaning
