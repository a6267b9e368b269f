"""Answer quality must not regress: the seed notes' set (bench/eval/seed-notes.yaml) and the
tuning half of the Kubernetes docs' note set (bench/eval/k8s-notes.yaml).

The floors are today's figures, so a ranking regression fails them. Checked by hand, one at a
time: BM25Okapi fails both (seed hit@1 0.756; Kubernetes tuning-half Recall@10 0.953), k1 = 1.2
fails the Kubernetes floor (MRR@10 0.796, Recall@10 0.953), and so does no title/heading bonus
(MRR@10 0.635, Recall@10 0.903); today: MRR@10 0.8025, Recall@10 0.9611.
"""

from functools import lru_cache
from pathlib import Path

import pytest

from bot.config import REPO_DIR
from bot.core.search.analysis import Analyzer
from bot.core.search.evaluation import (EvalReport, NoteReport, engine_ranker, evaluate, evaluate_notes,
                                        load_eval_set, load_note_eval_set)
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.synonyms import load_synonyms

SEED_SET = REPO_DIR / "bench" / "eval" / "seed-notes.yaml"
K8S_SET = REPO_DIR / "bench" / "eval" / "k8s-notes.yaml"


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
    assert report.hit_at_1 >= 0.80  # today: 0.805
    assert report.hit_at_3 >= 0.92  # 0.927
    assert report.mrr_at_10 >= 0.855  # 0.859


@lru_cache(maxsize=1)
def k8s_report() -> NoteReport:
    eval_set = load_note_eval_set(K8S_SET)
    if not eval_set.notes.is_dir():
        pytest.skip(f"the Kubernetes docs corpus is not at {eval_set.notes}")
    analyzer = Analyzer()
    scan = scan_notes(eval_set.notes, max_bytes=5_000_000)
    documents = [d for note in scan.files for d in analyse_note(note, analyzer, ChunkingParams()).documents]
    engine = build_engine(documents, analyzer, load_synonyms(REPO_DIR / "corpus" / "synonyms.yaml", analyzer))
    return evaluate_notes(engine_ranker(engine), eval_set.half("tune"))


def test_k8s_set_is_big_and_judged() -> None:
    eval_set = load_note_eval_set(K8S_SET)
    assert len(eval_set.questions) >= 100 and len(eval_set.off_topic) >= 30
    assert len({q.question for q in eval_set.questions}) == len(eval_set.questions)
    if eval_set.notes.is_dir():
        assert all((eval_set.notes / r).is_file() for q in eval_set.questions for r in q.relevant)


def test_the_everyday_words_set_is_judged() -> None:
    eval_set = load_note_eval_set(REPO_DIR / "bench" / "eval" / "k8s-notes-everyday.yaml")
    assert len(eval_set.questions) >= 10 and len(eval_set.off_topic) >= 10
    if eval_set.notes.is_dir():
        assert all((eval_set.notes / r).is_file() for q in eval_set.questions for r in q.relevant)


def test_k8s_quality_floor() -> None:
    report = k8s_report()
    assert report.mrr_at_10 >= 0.80  # today: 0.8025 (held-out half 0.654; plain rank-bm25 0.563 and 0.481)
    assert report.recall_at_10 >= 0.96  # 0.9611
    assert report.unanswered == []
    assert report.off_topic_answered == []


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
