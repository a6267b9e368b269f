"""The postings index: exact parity with rank-bm25, and the ranking rules built on it."""

import random

import numpy as np
import pytest
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from bot.core.search.index import SearchIndex
from bot.core.search.scoring import Bm25Params
from tests.core.helpers import ANALYZER, document, documents

RANK_BM25 = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}
VOCAB = "pod node cluster volume claim secret etcd kernel container image registry policy".split()


def random_corpus(seed: int, n_docs: int = 60) -> list:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 40))) for _ in range(n_docs)]
    return [document(t, source=f"n{i}.md", heading=(rng.choice(VOCAB),)) for i, t in enumerate(texts)]


def token_lists(index: SearchIndex) -> list[list[str]]:
    """The token lists rank-bm25 must see: body words plus boosted heading words, stemmed."""
    out = []
    for doc in index.documents:
        words = list(doc.body_words) + list(doc.heading_words) * index.params.heading_boost
        out.append(ANALYZER.stems(words))
    return out


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
@pytest.mark.parametrize("seed", range(5))
def test_scores_equal_rank_bm25_get_scores(variant: str, seed: int) -> None:
    params = Bm25Params(variant=variant, k1=1.3, b=0.7, heading_boost=2)
    index = SearchIndex(random_corpus(seed), ANALYZER.stems, params)
    kwargs = {"epsilon": params.epsilon} if variant == "okapi" else {"delta": params.delta}
    reference = RANK_BM25[variant](token_lists(index), k1=params.k1, b=params.b, **kwargs)
    rng = random.Random(seed)
    for _ in range(20):
        query = ANALYZER.stems(rng.sample(VOCAB, rng.randint(1, 4)) + ["unknownword"])
        np.testing.assert_allclose(index.scores(query), reference.get_scores(query), rtol=0, atol=1e-9)


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_top_agrees_with_full_scores(variant: str) -> None:
    index = SearchIndex(random_corpus(7, 200), ANALYZER.stems, Bm25Params(variant=variant))
    stems = ANALYZER.stems(["volume", "claim"])
    terms = [(index.term(s), 1.0) for s in stems]
    full = index.scores(stems)
    hits = index.top(terms, 5)
    containing = set(index.chunks_with(terms[0][0])) | set(index.chunks_with(terms[1][0]))
    expected = sorted(containing, key=lambda d: (-full[d], d))[:5]
    assert [h.doc for h in hits] == expected
    assert [h.score for h in hits] == pytest.approx([full[d] for d in expected], abs=1e-9)


def test_term_in_half_the_chunks_still_ranks_its_chunks_first() -> None:
    # rank-bm25's BM25Okapi gives such a term an IDF of 0 (issues #39, #43); our default must not.
    docs = documents("etcd stores secrets", "etcd keeps state", "pods run images", "nodes host pods")
    index = SearchIndex(docs, ANALYZER.stems, Bm25Params())
    hits = index.top([(index.term("etcd"), 1.0)], 4)
    assert {h.doc for h in hits} == {0, 1}
    assert all(h.score > 0 for h in hits)


def test_heading_boost_ranks_the_titled_section_first() -> None:
    docs = [
        document("Pods can mount a PersistentVolumeClaim and so can other workloads; the claim "
                 "binds a volume. Pods are scheduled on nodes.", source="a.md", heading=("Pods",)),
        document("A claim requests storage with a size and an access mode.", source="b.md",
                 heading=("PersistentVolumeClaim",)),
    ]
    index = SearchIndex(docs, ANALYZER.stems, Bm25Params(heading_boost=3))
    terms = [(index.term(s), 1.0) for s in ANALYZER.stems(ANALYZER.words("PersistentVolumeClaim"))]
    assert index.top(terms, 2)[0].doc == 1


def test_empty_index_answers_nothing() -> None:
    index = SearchIndex([], ANALYZER.stems, Bm25Params())
    assert len(index) == 0
    assert index.term("pod") is None
    assert index.top([], 3) == []


def test_weights_scale_contributions() -> None:
    index = SearchIndex(documents("etcd etcd", "pod", "node"), ANALYZER.stems, Bm25Params())
    etcd = index.term("etcd")
    full = index.top([(etcd, 1.0)], 1)[0].score
    half = index.top([(etcd, 0.5)], 1)[0].score
    assert half == pytest.approx(full / 2)


def test_snapshot_round_trip_gives_the_same_index() -> None:
    params = Bm25Params(heading_boost=2)
    docs = random_corpus(3, 80)
    index = SearchIndex(docs, ANALYZER.stems, params)
    copy = SearchIndex.from_snapshot(docs, index.snapshot(), params)
    assert copy is not None
    query = ANALYZER.stems(["volume", "claim", "etcd"])
    np.testing.assert_array_equal(copy.scores(query), index.scores(query))
    terms = [(index.term(s), 1.0) for s in query]
    assert copy.top(terms, 5) == index.top(terms, 5)
    assert copy.stem_of_surface("volume") == index.stem_of_surface("volume")


def test_snapshot_for_other_documents_or_parameters_is_refused() -> None:
    docs = random_corpus(4, 20)
    data = SearchIndex(docs, ANALYZER.stems, Bm25Params()).snapshot()
    assert SearchIndex.from_snapshot(docs[:-1], data, Bm25Params()) is None
    assert SearchIndex.from_snapshot(docs, data, Bm25Params(k1=1.0)) is None
    assert SearchIndex.from_snapshot(docs, b"not a snapshot", Bm25Params()) is None


def test_empty_index_snapshot_round_trips() -> None:
    index = SearchIndex([], ANALYZER.stems, Bm25Params())
    assert len(SearchIndex.from_snapshot([], index.snapshot(), Bm25Params())) == 0


@pytest.mark.parametrize("variant", ["okapi", "l", "plus"])
def test_updated_index_equals_a_fresh_build(variant: str) -> None:
    params = Bm25Params(variant=variant, heading_boost=2)
    old_docs = random_corpus(11, 60)
    previous = SearchIndex(old_docs, ANALYZER.stems, params)
    # drop some chunks, keep the rest (the same objects), add new ones with new words
    kept = [d for i, d in enumerate(old_docs) if i % 3]
    added = [document(f"brandnew{i} volume etcd zebra{i % 2}", source=f"new{i}.md") for i in range(5)]
    documents = sorted(kept + added, key=lambda d: d.chunk.source)
    updated = SearchIndex.updated(previous, documents, ANALYZER.stems)
    fresh = SearchIndex(documents, ANALYZER.stems, params)
    reference = RANK_BM25[variant](token_lists(fresh), k1=params.k1, b=params.b,
                                   **({"epsilon": params.epsilon} if variant == "okapi" else {"delta": params.delta}))
    for words in (["volume", "claim"], ["zebra0", "etcd"], ["brandnew3"], ["pod", "nosuchword"]):
        stems = ANALYZER.stems(words)
        np.testing.assert_allclose(updated.scores(stems), reference.get_scores(stems), rtol=0, atol=1e-9)
        terms = [(t, 1.0) for t in (updated.term(s) for s in stems) if t is not None]
        fresh_terms = [(t, 1.0) for t in (fresh.term(s) for s in stems) if t is not None]
        assert [(h.doc, round(h.score, 9)) for h in updated.top(terms, 5)] == \
               [(h.doc, round(h.score, 9)) for h in fresh.top(fresh_terms, 5)]
    # words that only the dropped chunks had are gone from the searchable vocabulary
    gone = set(previous.surfaces) - {w for d in documents for w in d.body_words + d.heading_words}
    assert all(updated.term(ANALYZER.stem(w)) is None for w in gone if ANALYZER.stem(w) not in
               {ANALYZER.stem(x) for d in documents for x in d.body_words + d.heading_words})


def test_updated_index_survives_a_snapshot_round_trip() -> None:
    docs = random_corpus(12, 30)
    params = Bm25Params()
    restored = SearchIndex.from_snapshot(docs, SearchIndex(docs, ANALYZER.stems, params).snapshot(), params)
    more = docs[1:] + [document("fresh words about etcd", source="zz.md")]
    updated = SearchIndex.updated(restored, more, ANALYZER.stems)
    fresh = SearchIndex(more, ANALYZER.stems, params)
    stems = ANALYZER.stems(["etcd", "fresh", "volume"])
    np.testing.assert_allclose(updated.scores(stems), fresh.scores(stems), rtol=0, atol=1e-9)


def test_most_frequent_is_a_stable_sorts_first_k() -> None:
    from bot.core.search.index import _most_frequent

    rng = np.random.default_rng(7)
    for _ in range(500):  # few distinct counts: many ties at the k-th, which go by position
        counts = rng.integers(0, 5, int(rng.integers(0, 50)))
        k = int(rng.integers(1, 30))
        assert _most_frequent(counts, k).tolist() == np.argsort(-counts, kind="stable")[:k].tolist()


@pytest.mark.parametrize("kept_share", [0.9, 0.2])  # 0.2: most words unused, the index is built afresh
def test_the_specificity_threshold_after_an_update_equals_a_fresh_builds(kept_share: float) -> None:
    # everyday words of very different English frequency, each in one chunk: dropping those chunks
    # changes which words are among the most frequent, and a compacted index renumbers its words
    everyday = [document(" ".join([word] * (i + 2)), source=f"e{i}.md") for i, word in
                enumerate("house river garden window ancient tribunal quarrel".split())]
    old_docs = random_corpus(5, 80) + everyday
    previous = SearchIndex(old_docs, ANALYZER.stems, Bm25Params())
    for q in (0.2, 0.4, 0.9):
        previous.specificity_quantile(q)  # English frequencies looked up, carried to the update
    kept = old_docs[: int(80 * kept_share)]
    added = [document("cooking recipes 2024 zebra zebra 8080 umbrella", source="zz.md"),
             document("volume volume kitten 3.14", source="zy.md")]
    updated = SearchIndex.updated(previous, kept + added, ANALYZER.stems)
    fresh = SearchIndex(kept + added, ANALYZER.stems, Bm25Params())
    for q in (0.2, 0.4, 0.9):
        assert updated.specificity_quantile(q) == fresh.specificity_quantile(q)
