"""A quiz question as the rest of the bot sees it, whoever made it (the generator or a moderator).

This is the contract between the parts of the quiz: the generator and the hand-written loader
produce `Question`s, the pool stores them in `quiz_questions`, and `/quiz`, the daily prompt and
spaced review read them back. The id is derived from content, so an unchanged passage keeps its
questions (and members' review cards keep pointing at them) across reindexes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

_RELEASE_VERSION = re.compile(r"v?\d+(?:\.\d+)+")


def is_release_version(text: str) -> bool:
    """ "v1.35", "1.28.2": a release, not a number that counts something."""
    return _RELEASE_VERSION.fullmatch(text) is not None


def normalise(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces: two choices are the same when
    their normal forms are."""
    words = re.findall(r"[^\W_]+", text.lower())
    return " ".join(w for w in words if w not in ("a", "an", "the"))


QuestionKind = Literal["cloze", "definition", "written"]
BLANK = "____"


@dataclass(frozen=True)
class Question:
    """One question with its source passage; `choices[answer_index]` is the answer when it has choices."""

    id: str
    kind: QuestionKind
    prompt: str
    choices: tuple[str, ...]  # four for generated questions; () for a typed-only written one
    answer_index: int | None
    answer: str
    source: str  # note path relative to the notes folder
    heading: str | None
    start_line: int
    end_line: int
    chunk_id: str | None = None  # the passage's content id (a hand-written one's cited passage, if found)
    accepted: tuple[str, ...] = field(default=())  # other typed answers counted right
    explanation: str | None = None
    quality: float = 0.0  # higher is better; hand-written questions rank above every generated one

    @property
    def citation(self) -> str:
        return f"{self.source}:{self.start_line}-{self.end_line}"

    def as_json(self) -> dict[str, object]:
        """The shape `python -m bot quiz --json` prints."""
        return {
            "id": self.id, "kind": self.kind, "question": self.prompt, "choices": list(self.choices),
            "answer_index": self.answer_index, "answer": self.answer, "source": self.source,
            "heading": self.heading, "start_line": self.start_line, "end_line": self.end_line,
        }


def asks_a_release(kind: str, answer: str) -> bool:
    """A generated question whose answer is a release version ("In Kubernetes ____ and later ..."):
    worth knowing, but a quiz of them feels like trivia, so they are drawn less often."""
    return kind != "written" and is_release_version(answer)


def question_id_for(kind: str, prompt: str, answer: str, anchor: str) -> str:
    """A content-derived id: `anchor` is the passage's chunk id (generated) or the file and entry
    text (hand-written), so the same question from the same passage always gets the same id."""
    key = "\x1e".join([kind, prompt, answer, anchor])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class RecordedAnswer:
    """A member's answer as stored, handed to whoever keeps scores and review cards."""

    post_id: int
    post_kind: Literal["quiz", "daily"]
    question_id: str
    guild_id: int | None  # None in DMs
    channel_id: int | None
    user_id: int
    correct: bool
    near_miss: bool
    answered_at: datetime


@dataclass(frozen=True)
class DueReview:
    """A question due for one member's spaced review, and when they last answered it."""

    question_id: str
    last_answered_at: datetime | None
    last_correct: bool | None


class ReviewSource(Protocol):
    """What `/quiz` needs from spaced review (bot.core.practice): the next due card, and to be told
    of every answer so the card can be rescheduled."""

    async def due_review(self, guild_id: int | None, user_id: int, now: datetime) -> DueReview | None: ...

    async def on_answer(self, answer: RecordedAnswer) -> None: ...
