"""Which question to ask: pure choices over candidates, so they are deterministic for a seed.

- With a topic, the candidates are the questions of the passages the search engine ranks best for
  it (generated ones by chunk id, hand-written ones whose source lines overlap the passage), and a
  better-ranked passage's questions are likelier to be drawn; and, wherever their passage is, the
  questions whose own prompt, answer or choices say the topic's words (`topic_words`), which
  weigh as a question of the best passage.
- Without one, the whole pool.
- Either way a question the member saw recently is avoided; when every candidate was seen, the one
  seen longest ago is asked again. Hand-written questions weigh twice a generated one (moderators
  wrote them to be asked), a release version half (`asks_a_release`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core.quiz.questions import DueReview, Question, asks_a_release
from bot.core.search.answering import Passage

WRITTEN_WEIGHT = 2.0
RELEASE_WEIGHT = 0.5


def overlaps(question: Question, passage: Passage) -> bool:
    """Whether a question's source lines fall within (or across) the passage's lines."""
    return (question.source == passage.source and question.start_line <= passage.end_line
            and passage.start_line <= question.end_line)


def topic_candidates(passages: Sequence[Passage], from_chunks: Sequence[Question],
                     written: Sequence[Question]) -> list[tuple[Question, float]]:
    """(question, weight) for every question of `passages` (best first): the rank-r passage's
    questions weigh 1/(r+1), times `kind_weight`."""
    by_chunk: dict[str, list[Question]] = {}
    for q in from_chunks:
        if q.chunk_id is not None:
            by_chunk.setdefault(q.chunk_id, []).append(q)
    found: dict[str, tuple[Question, float]] = {}
    for rank, passage in enumerate(passages):
        mine = [*by_chunk.get(passage.chunk_id, ()), *(q for q in written if overlaps(q, passage))]
        for q in mine:
            if q.id not in found:
                found[q.id] = (q, kind_weight(q.kind, q.answer) / (rank + 1))
    return list(found.values())


def with_own_words(on_passages: Sequence[tuple[Question, float]],
                   saying: Sequence[tuple[str, str, str]]) -> list[tuple[str, float]]:
    """(id, weight) of a topic's candidates: those of its passages (`topic_candidates`), and those
    that say the topic's words, given as (id, kind, answer), weighing as on the best passage (their
    own words name the topic); a question that is both keeps the larger weight."""
    weights = {q.id: w for q, w in on_passages}
    for question_id, kind, answer in saying:
        weights[question_id] = max(weights.get(question_id, 0.0), kind_weight(kind, answer))
    return list(weights.items())


def pool_candidates(pool: Sequence[tuple[str, str, str]]) -> list[tuple[str, float]]:
    """(id, weight) for the whole pool, given as (id, kind, answer): choosing needs no more than
    that, so a pool of thousands is never loaded whole for one question."""
    return [(question_id, kind_weight(kind, answer)) for question_id, kind, answer in pool]


def choose(candidates: Sequence[tuple[str, float]], seen: Mapping[str, datetime], rng: random.Random) -> str | None:
    """The id of a weighted draw among the candidates not seen recently; else of the one seen
    longest ago."""
    if not candidates:
        return None
    fresh = [(i, w) for i, w in candidates if i not in seen]
    if not fresh:
        return min(candidates, key=lambda c: (seen[c[0]], c[0]))[0]
    fresh.sort()  # the draw depends on the seed only, not on the order the database returned
    return rng.choices([i for i, _ in fresh], weights=[w for _, w in fresh])[0]


def review_note(due: DueReview, now: datetime) -> str:
    """Why this question comes back: "review: you missed this 3 days ago"."""
    if due.last_answered_at is None:
        return "review: this one is due again"
    what = {True: "you got this right", False: "you missed this", None: "you answered this"}[due.last_correct]
    return f"review: {what} {_ago(now - due.last_answered_at)}"


def _ago(delta: timedelta) -> str:
    seconds = max(0.0, delta.total_seconds())
    days = int(seconds // 86400)
    if days >= 1:
        return "yesterday" if days == 1 else f"{days} days ago"
    hours = int(seconds // 3600)
    if hours >= 1:
        return "an hour ago" if hours == 1 else f"{hours} hours ago"
    return "just now"


def kind_weight(kind: str, answer: str) -> float:
    """How likely a question is drawn, against a generated one's 1."""
    if kind == "written":
        return WRITTEN_WEIGHT
    return RELEASE_WEIGHT if asks_a_release(kind, answer) else 1.0
