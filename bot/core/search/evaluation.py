"""Measuring answer quality on a set of questions with known answering passages.

An evaluation set is YAML: `questions` (each `q` and the `line` of the passage that answers it,
in `source`) and `off_topic` questions that must get no result. Metrics: hit@1, hit@3, MRR@10,
and how many off-topic questions were (wrongly) answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

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


def evaluate(engine: SearchEngine, eval_set: EvalSet) -> EvalReport:
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
