"""Measuring answer quality on a set of questions with known answers.

Two kinds of evaluation set, both YAML with `off_topic` questions that must get no result:

- passage sets (the seed notes): each question names the `line` of the passage that answers it,
  in `source`. Metrics: hit@1, hit@3, MRR@10 over passages.
- note sets (large notes, `relevant: [note, ...]` per question): which notes answer, judged by
  hand. Metrics: note-level MRR@10 and Recall@10 over the top ten results, and the share of
  off-topic questions answered. The set splits into a tuning half and a held-out half.

Nothing here needs the engine at run time (a `Ranker` is any function from a question to its
results' sources), so `bench/evaluate.py` can score an older checkout of the bot the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from bot.core.search.answering import SearchEngine


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    source: str
    line: int


@dataclass(frozen=True)
class EvalSet:
    notes: Path
    questions: list[EvalQuestion]
    off_topic: list[str]


@dataclass
class EvalReport:
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    mrr_at_10: float = 0.0
    off_topic_answered: list[str] = field(default_factory=list)
    misses: list[tuple[EvalQuestion, int | None]] = field(default_factory=list)  # rank or None
    total: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "questions": self.total,
            "hit@1": round(self.hit_at_1, 4),
            "hit@3": round(self.hit_at_3, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "off_topic_answered": self.off_topic_answered,
            "misses": [{"question": q.question, "rank": r} for q, r in self.misses],
        }


def load_eval_set(path: Path) -> EvalSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = path.parent
    notes = (base / data["notes"]).resolve() if "notes" in data else base
    default_source = data.get("source")
    questions = [
        EvalQuestion(item["q"], item.get("source", default_source), int(item["line"]))
        for item in data.get("questions", [])
    ]
    return EvalSet(notes, questions, list(data.get("off_topic", [])))


def evaluate(engine: "SearchEngine", eval_set: EvalSet) -> EvalReport:
    report = EvalReport(total=len(eval_set.questions))
    if not eval_set.questions:
        return report
    hits1 = hits3 = 0
    reciprocal = 0.0
    for item in eval_set.questions:
        passages = engine.search(item.question, k=10).passages
        rank = next(
            (i + 1 for i, p in enumerate(passages)
             if p.source == item.source and p.start_line <= item.line <= p.end_line),
            None,
        )
        hits1 += rank == 1
        hits3 += rank is not None and rank <= 3
        reciprocal += 1 / rank if rank else 0.0
        if rank != 1:
            report.misses.append((item, rank))
    n = len(eval_set.questions)
    report.hit_at_1, report.hit_at_3, report.mrr_at_10 = hits1 / n, hits3 / n, reciprocal / n
    report.off_topic_answered = [q for q in eval_set.off_topic if engine.search(q).passages]
    return report


# --- note-level evaluation (large notes: which notes answer, not which line) --------------------


@dataclass(frozen=True)
class NoteQuestion:
    """A question and the notes (paths relative to the notes folder) judged to answer it."""

    question: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class NoteEvalSet:
    notes: Path
    questions: list[NoteQuestion]
    off_topic: list[str]

    def half(self, which: str) -> "NoteEvalSet":
        """`tune` (even positions), `held` (odd positions) or `all`: tune on one, report both."""
        if which == "all":
            return self
        start = {"tune": 0, "held": 1}[which]
        return NoteEvalSet(self.notes, self.questions[start::2], self.off_topic[start::2])


@dataclass
class NoteReport:
    mrr_at_10: float = 0.0
    recall_at_10: float = 0.0
    distinct_notes_at_10: float = 0.0  # how many different notes ten results show, on average
    unanswered: list[str] = field(default_factory=list)  # on-topic questions that got nothing
    off_topic_answered: list[str] = field(default_factory=list)
    off_topic_total: int = 0
    ranks: list[tuple[NoteQuestion, int | None]] = field(default_factory=list)
    total: int = 0

    @property
    def off_topic_share(self) -> float:
        return len(self.off_topic_answered) / self.off_topic_total if self.off_topic_total else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "questions": self.total,
            "mrr@10": round(self.mrr_at_10, 4),
            "recall@10": round(self.recall_at_10, 4),
            "distinct_notes@10": round(self.distinct_notes_at_10, 2),
            "unanswered": self.unanswered,
            "off_topic_answered": self.off_topic_answered,
            "off_topic_share": round(self.off_topic_share, 4),
            "misses": [{"question": q.question, "rank": r} for q, r in self.ranks if r != 1],
        }


def load_note_eval_set(path: Path) -> NoteEvalSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    notes = (path.parent / data["notes"]).resolve() if "notes" in data else path.parent
    questions = [NoteQuestion(item["q"], tuple(item["relevant"])) for item in data.get("questions", [])]
    return NoteEvalSet(notes, questions, list(data.get("off_topic", [])))


Ranker = Callable[[str], list[str]]  # question → the sources of the top 10 results, best first


def evaluate_notes(ranker: Ranker, eval_set: NoteEvalSet) -> NoteReport:
    """Note-level MRR@10 and Recall@10 over the top ten results (a note counts at its best
    rank), and the share of off-topic questions that got any result."""
    report = NoteReport(total=len(eval_set.questions), off_topic_total=len(eval_set.off_topic))
    reciprocal = recall = distinct = 0.0
    for item in eval_set.questions:
        sources = ranker(item.question)[:10]
        if not sources:
            report.unanswered.append(item.question)
        notes = list(dict.fromkeys(sources))
        rank = next((i + 1 for i, s in enumerate(notes) if s in item.relevant), None)
        report.ranks.append((item, rank))
        reciprocal += 1 / rank if rank else 0.0
        recall += len(set(notes) & set(item.relevant)) / len(item.relevant)
        distinct += len(notes)
    if eval_set.questions:
        n = len(eval_set.questions)
        report.mrr_at_10, report.recall_at_10, report.distinct_notes_at_10 = reciprocal / n, recall / n, distinct / n
    report.off_topic_answered = [q for q in eval_set.off_topic if ranker(q)]
    return report


def engine_ranker(engine: "SearchEngine") -> Ranker:
    return lambda question: [p.source for p in engine.search(question, k=10).passages]
