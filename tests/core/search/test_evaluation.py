"""Answer quality on the seed notes' evaluation set must not regress (bench/eval/seed-notes.yaml)."""

from pathlib import Path

import pytest

from bot.config import REPO_DIR
from bot.core.search.analysis import Analyzer
from bot.core.search.evaluation import EvalReport, evaluate, load_eval_set
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.synonyms import load_synonyms

SEED_SET = REPO_DIR / "bench" / "eval" / "seed-notes.yaml"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    eval_set = load_eval_set(SEED_SET)
    analyzer = Analyzer()
    scan = scan_notes(eval_set.notes, max_bytes=5_000_000)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    engine = build_engine(documents, analyzer, load_synonyms(eval_set.notes / "synonyms.yaml", analyzer))
    return evaluate(engine, eval_set)


def test_the_set_is_big_enough() -> None:
    eval_set = load_eval_set(SEED_SET)
    assert len(eval_set.questions) >= 30 and len(eval_set.off_topic) >= 5
    lines = (eval_set.notes / eval_set.questions[0].source).read_text().split("\n")
    assert all(lines[q.line - 1].strip() for q in eval_set.questions), "every target line has text"


def test_quality_floor(report: EvalReport) -> None:
    assert report.hit_at_1 >= 0.75
    assert report.hit_at_3 >= 0.9
    assert report.mrr_at_10 >= 0.8


def test_off_topic_questions_get_no_result(report: EvalReport) -> None:
    assert report.off_topic_answered == []


def test_metrics_are_computed_from_ranks(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Etcd\n\netcd stores secrets in base64\n\n# Pods\n\npods run containers\n")
    (tmp_path / "set.yaml").write_text(
        "notes: notes\nsource: a.md\nquestions:\n"
        "  - {q: where does etcd keep secrets, line: 3}\n"   # rank 1
        "  - {q: what runs containers, line: 7}\n"           # rank 1
        "  - {q: etcd secrets and pods, line: 3}\n"          # the shorter Pods section wins: rank 2
        "  - {q: zebras, line: 3}\n"                         # nothing: no rank
        "off_topic: [bake bread]\n")
    analyzer = Analyzer()
    eval_set = load_eval_set(tmp_path / "set.yaml")
    docs = [d for n in scan_notes(notes, max_bytes=10_000).files
            for d in analyse_note(n, analyzer, ChunkingParams(min_words=1, max_words=5)).documents]
    result = evaluate(build_engine(docs, analyzer, load_synonyms(None, analyzer)), eval_set)
    assert result.total == 4
    assert [(q.question, rank) for q, rank in result.misses] == [("etcd secrets and pods", 2), ("zebras", None)]
    assert (result.hit_at_1, result.hit_at_3) == (0.5, 0.75)
    assert result.mrr_at_10 == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert result.off_topic_answered == []
