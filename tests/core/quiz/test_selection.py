"""Choosing among candidates: pure and deterministic for a seed."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from bot.core.quiz.questions import DueReview, Question
from bot.core.quiz.selection import (
    choose,
    overlaps,
    pool_candidates,
    review_note,
    topic_candidates,
    with_own_words,
)
from bot.core.search.answering import Passage

NOW = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
GENERATED = Question(id="g1", kind="cloze", prompt="p", choices=("a", "b", "c", "d"), answer_index=0, answer="a",
                     source="n.md", heading=None, start_line=5, end_line=5, chunk_id="c1")
WRITTEN = Question(id="w1", kind="written", prompt="p", choices=(), answer_index=None, answer="a", source="n.md",
                   heading=None, start_line=12, end_line=14)


def passage(chunk_id: str, start: int, end: int, source: str = "n.md") -> Passage:
    return Passage(source=source, heading=None, start_line=start, end_line=end, score=1.0, text="",
                   matched=(), chunk_id=chunk_id)


def test_overlaps_by_source_and_lines() -> None:
    assert overlaps(WRITTEN, passage("x", 10, 12)) and overlaps(WRITTEN, passage("x", 14, 20))
    assert not overlaps(WRITTEN, passage("x", 1, 11)) and not overlaps(WRITTEN, passage("x", 15, 20))
    assert not overlaps(WRITTEN, passage("x", 10, 20, source="other.md"))


def test_topic_candidates_weigh_by_rank_and_kind() -> None:
    second = replace(GENERATED, id="g2", chunk_id="c2")
    found = topic_candidates([passage("c2", 1, 4), passage("c1", 5, 9), passage("c3", 10, 20)],
                             [GENERATED, second], [WRITTEN])
    assert [(q.id, w) for q, w in found] == [("g2", 1.0), ("g1", 0.5), ("w1", 2.0 / 3)]


def test_questions_that_say_the_topic_weigh_as_on_the_best_passage() -> None:
    assert with_own_words([(GENERATED, 1.0)], [("g9", "cloze", "etcd"), ("w9", "written", "x")]) == \
        [("g1", 1.0), ("g9", 1.0), ("w9", 2.0)]


def test_a_question_on_a_passage_that_says_the_topic_keeps_the_larger_weight() -> None:
    assert with_own_words([(GENERATED, 1.0 / 3)], [("g1", "cloze", "a")]) == [("g1", 1.0)]


def test_choose_is_seeded_and_weighted() -> None:
    candidates = pool_candidates([("a", "cloze", "etcd"), ("b", "written", "v1.31")])
    assert candidates == [("a", 1.0), ("b", 2.0)]  # a moderator's question about a release is no trivia
    draws = Counter(choose(candidates, {}, random.Random(seed)) for seed in range(600))
    assert 300 < draws["b"] < 500  # about two thirds
    assert [choose(candidates, {}, random.Random(7)) for _ in range(3)] == [choose(candidates[::-1], {}, random.Random(7))] * 3


def test_choose_avoids_seen_then_takes_the_oldest() -> None:
    candidates = [("a", 1.0), ("b", 1.0), ("c", 1.0)]
    seen = {"a": NOW, "c": NOW - timedelta(hours=1)}
    assert {choose(candidates, seen, random.Random(s)) for s in range(20)} == {"b"}
    seen["b"] = NOW - timedelta(minutes=5)
    assert choose(candidates, seen, random.Random(0)) == "c"
    assert choose([], {}, random.Random(0)) is None


def test_review_notes() -> None:
    assert review_note(DueReview("q", NOW - timedelta(days=3, hours=2), False), NOW) == "review: you missed this 3 days ago"
    assert review_note(DueReview("q", NOW - timedelta(days=1), True), NOW) == "review: you got this right yesterday"
    assert review_note(DueReview("q", NOW - timedelta(hours=5), None), NOW) == "review: you answered this 5 hours ago"
    assert review_note(DueReview("q", None, None), NOW) == "review: this one is due again"


def test_a_release_version_is_drawn_half_as_often() -> None:
    assert pool_candidates([("a", "cloze", "v1.31"), ("b", "cloze", "1.28.2"), ("c", "definition", "etcd"),
                            ("d", "cloze", "base64")]) == [("a", 0.5), ("b", 0.5), ("c", 1.0), ("d", 1.0)]
    draws = Counter(choose([("old", 0.5), ("new", 1.0)], {}, random.Random(seed)) for seed in range(900))
    assert 200 < draws["old"] < 400  # about a third
