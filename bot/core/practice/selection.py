"""Choosing the daily question for a guild: a pure function over the pool and the guild's history.

Rules, in order:
1. never a retired question (the caller passes only active ones);
2. no repeats until the pool is used up: only questions posted as a daily prompt in this guild the
   fewest times are candidates, so every question is asked once before any is asked twice; the
   question posted last is not asked again right away when there is any other;
3. hand-written questions before generated ones (moderators wrote them for a reason), and release
   versions after the other generated ones (`asks_a_release`: trivia, if worth knowing);
4. then the ones the guild answered worst (share of right answers, from `/quiz` and daily answers;
   a question nobody answered counts as 0.5, between a known-hard and a known-easy one);
5. ties are broken by the injected random generator, so a seed reproduces the choice.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.quiz.questions import Question, asks_a_release

UNANSWERED_ACCURACY = 0.5


@dataclass(frozen=True)
class Record:
    """How a guild answered one question so far."""

    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else UNANSWERED_ACCURACY


def is_hand_written(question: Question) -> bool:
    return question.kind == "written" or question.chunk_id is None


def choose_daily_question(active: Sequence[Question], posted: Sequence[str],
                          records: Mapping[str, Record], rng: random.Random) -> Question | None:
    """The next daily question; `posted` lists the guild's earlier daily question ids, oldest first."""
    due = due_daily_questions(active, posted, records)
    return due[rng.randrange(len(due))] if due else None


def due_daily_questions(active: Sequence[Question], posted: Sequence[str],
                        records: Mapping[str, Record]) -> list[Question]:
    """The questions the next daily prompt is drawn from (rules 1 to 4: equally due), by id; what
    `daily preview` shows."""
    if not active:
        return []
    times = Counter(posted)
    fewest = min(times[q.id] for q in active)
    candidates = [q for q in active if times[q.id] == fewest]
    if len(candidates) > 1 and posted:
        candidates = [q for q in candidates if q.id != posted[-1]] or candidates
    def preference(q: Question) -> tuple[bool, bool, float]:  # hand-written, then no release version, then the hardest
        return not is_hand_written(q), asks_a_release(q.kind, q.answer), records.get(q.id, Record(0, 0)).accuracy

    ranked = sorted(candidates, key=lambda q: (*preference(q), q.id))
    return [q for q in ranked if preference(q) == preference(ranked[0])]
