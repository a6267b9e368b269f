"""Answers: paging, near-duplicates, matched words, suggestions, completions."""

from bot.core.search.analysis import Analyzer
from bot.core.search.indexing import build_engine
from bot.core.search.synonyms import load_synonyms
from tests.core.helpers import document, documents

A = Analyzer()


def engine_of(docs):
    return build_engine(docs, A, load_synonyms(None, A))


def test_near_duplicate_passages_are_returned_once() -> None:
    text = "etcd stores the cluster state and secrets encoded in base64 by default"
    engine = engine_of([document(text, source="a.md"), document(text + ".", source="b.md"),
                        document("etcd also keeps leases", source="c.md")])
    sources = [p.source for p in engine.search("etcd secrets", k=3).passages]
    assert sources == ["a.md", "c.md"]


def test_paging_with_offset_and_has_more() -> None:
    engine = engine_of(documents(*[f"pods number {i} and more pods" + " filler" * i for i in range(7)]))
    first = engine.search("pods", k=3)
    second = engine.search("pods", k=3, offset=3)
    last = engine.search("pods", k=3, offset=6)
    assert first.has_more and second.has_more and not last.has_more
    seen = [p.source for a in (first, second, last) for p in a.passages]
    assert len(seen) == 7 and len(set(seen)) == 7


def test_matched_words_are_the_chunk_s_own_spelling() -> None:
    engine = engine_of([document("Containers share the kernel; a container is a process", source="a.md",
                                 heading=("Containers",))])
    passage = engine.search("container kernels").passages[0]
    assert set(passage.matched) == {"containers", "container", "kernel"}
    assert passage.citation == "a.md:1-1" and passage.heading == "Containers"


def test_no_match_gives_suggestions_from_the_vocabulary() -> None:
    engine = engine_of(documents("kubernetes schedules containers onto nodes", "namespaces isolate teams"))
    answer = engine.search("namspaces")  # one edit: matched as a typo, so it is answered
    assert answer.passages and answer.passages[0].source == "n1.md"
    nothing = engine.search("nodez")  # too short to be matched as a typo, but suggested
    assert nothing.passages == () and nothing.suggestions == ("nodes",)


def test_completions_offer_headings_then_terms() -> None:
    engine = engine_of([document("a claim asks for storage", source="a.md", heading=("PersistentVolumeClaim",)),
                        document("persistence of data", source="b.md", heading=("Storage",))])
    assert engine.completions("Persist")[0] == "PersistentVolumeClaim"
    assert "what is persistence" in engine.completions("what is persi")
