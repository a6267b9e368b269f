"""Note-level ranking: the bounded title/heading bonus, notes first, near-duplicates, paging caps."""

from dataclasses import replace

import numpy as np
import pytest

from bot.core.search.analysis import Analyzer
from bot.core.search.indexing import build_engine
from bot.core.search.ranking import RankParams
from bot.core.search.scoring import Bm25Params
from bot.core.search.synonyms import load_synonyms
from tests.core.helpers import document

A = Analyzer()
FILLER = " ".join(f"filler{i}" for i in range(60))


def engine_of(docs, **rank):
    return build_engine(docs, A, load_synonyms(None, A), Bm25Params(), None, replace(RankParams(), **rank))


def named_notes():
    return [
        document("A job runs pods to completion. " + FILLER, source="jobs.md", title="Jobs"),
        document("job job job: cron schedules", source="cron.md", title="CronJob schedules"),
    ]


def test_a_note_whose_title_the_question_names_ranks_first() -> None:
    assert engine_of(named_notes()).search("what is a job", k=2).passages[0].source == "jobs.md"
    # without the bonus, the short page that repeats the word wins: the test sees the difference
    assert engine_of(named_notes(), title_bonus=0.0).search("what is a job", k=2).passages[0].source == "cron.md"


def test_a_heading_the_question_names_lifts_its_section() -> None:
    docs = [
        document("Pods can mount a PersistentVolumeClaim and so can other workloads; the claim binds a "
                 "volume. Pods are scheduled on nodes.", source="a.md", heading=("Pods",)),
        document("A claim requests storage with a size and an access mode. " + FILLER, source="b.md",
                 heading=("PersistentVolumeClaim",)),
    ]
    assert engine_of(docs).search("PersistentVolumeClaim", k=2).passages[0].source == "b.md"
    assert engine_of(docs, title_bonus=0.0).search("PersistentVolumeClaim", k=2).passages[0].source == "a.md"


def test_the_bonus_is_bounded_however_many_names_match() -> None:
    plain = engine_of(named_notes(), title_bonus=0.0).search("job", k=2).passages
    boosted = engine_of(named_notes(), title_bonus=2.0)
    idf = float(boosted.index.idf[boosted.index.term(A.stem("job"))])
    for passage in boosted.search("job", k=2).passages:
        before = next(p.score for p in plain if p.source == passage.source)
        assert 0 <= passage.score - before <= 2.0 * idf + 1e-9


def test_results_show_distinct_notes_first_then_a_dominating_second_passage() -> None:
    big = [document(f"etcd etcd etcd backup part {i}", source="etcd.md", ordinal=i) for i in range(4)]
    others = [document("etcd mentioned once among " + " ".join(f"other{i}x{j}" for j in range(40)), source=f"o{i}.md")
              for i in range(3)]
    passages = engine_of(big + others, dominance=1.5).search("etcd", k=6).passages
    sources = [p.source for p in passages]
    assert sources[:2] == ["etcd.md", "etcd.md"]  # its second passage clearly beats the next note
    assert sources[2:5] == ["o0.md", "o1.md", "o2.md"]  # then the other notes, before etcd.md's third
    spread = engine_of(big + others, dominance=100.0).search("etcd", k=4).passages
    assert [p.source for p in spread] == ["etcd.md", "o0.md", "o1.md", "o2.md"]


def near_duplicates(shared: int):
    base = [f"word{i}" for i in range(10)]
    other = base[:shared] + [f"other{i}" for i in range(10 - shared)]
    return [document("etcd " + " ".join(base), source="a.md"), document("etcd " + " ".join(other), source="b.md")]


def test_near_duplicates_above_the_threshold_are_dropped() -> None:
    # Jaccard of the word sets: 10 shared of 12 (0.83) is a near-duplicate, 9 of 13 (0.69) is not
    assert [p.source for p in engine_of(near_duplicates(9)).search("etcd", k=2).passages] == ["a.md"]
    assert [p.source for p in engine_of(near_duplicates(8)).search("etcd", k=2).passages] == ["a.md", "b.md"]


def test_paging_stops_at_max_results() -> None:
    docs = [document(f"pods number {i} and more pods" + " filler" * i, source=f"n{i}.md") for i in range(12)]
    engine = engine_of(docs, max_results=5)
    assert len(engine.search("pods", k=50).passages) == 5
    assert not engine.search("pods", k=50).has_more
    assert engine.search("pods", k=3, offset=3).passages and not engine.search("pods", k=3, offset=3).has_more
    assert engine.search("pods", k=3, offset=10_000).passages == ()


def note(source: str, title: str | None, sections: list[tuple[str, ...]], words: str = "pods jobs running nodes taints CronJob schedules leases") -> list:
    return [document(f"{words} in {source} part {i} " + FILLER, source=source, title=title, heading=heading, ordinal=i)
            for i, heading in enumerate(sections)]


def corpus() -> list:
    return (note("a.md", "Jobs", [(), ("Jobs", "Running"), ("Jobs", "Running")])
            + note("b.md", None, [("Nodes",), ("Nodes", "Taints")])
            + note("c.md", "Zebra crossings", [("Zebra crossings",)])  # "zebra" and "crossing" are in no chunk's text
            + note("d.md", "CronJob schedules", [(), ("About",)])  # "About" is a stop word: no name
            + note("e.md", "Leases", [("Leases",), ("Leases",)]))


def edits() -> dict:
    docs = corpus()
    a, b, c, d, e = docs[:3], docs[3:5], docs[5:6], docs[6:8], docs[8:]
    return {
        "a note changed": a + note("b.md", "Node tolerations", [("Tolerations",)] * 3) + c + d + e,
        "the first note changed": note("a.md", "Jobs", [("Jobs",)]) + b + c + d + e,
        "the last note changed": a + b + c + d + note("e.md", "Leases", [(), ("Leases", "Renewal")]),
        "a note added": a + b + note("bb.md", "Zebras", [("Zebras",)], words="zebra crossings") + c + d + e,
        "a note removed": a + c + d + e,
        "notes reordered": e + d + c + b + a,
        "a chunk added to a kept note's source": a + [document("more", source="a.md", ordinal=9)] + b + c + d + e,
        "nothing kept": note("x.md", "Jobs", [("Jobs",)]),
        "nothing left": [],
    }


@pytest.mark.parametrize("edit", list(edits()))
def test_a_one_file_update_copies_the_unchanged_notes_names_and_equals_a_fresh_build(edit: str) -> None:
    from bot.core.search.index import SearchIndex
    from bot.core.search.ranking import NameIndex

    index = SearchIndex(corpus(), A.stems, Bm25Params())
    previous = NameIndex.for_index(index, A)
    # the same Document objects, except the edited ones
    same = {(d.chunk.source, d.chunk.ordinal, d.chunk.heading_path, d.title): d for d in index.documents}
    changed = [same.get((d.chunk.source, d.chunk.ordinal, d.chunk.heading_path, d.title), d) for d in edits()[edit]]
    updated = SearchIndex.updated(index, changed, A.stems)
    if updated.reused_from is None:  # nothing left: the index itself was built afresh
        reused = NameIndex.for_index(updated, A)
    else:
        reused = previous._updated(updated, A, updated.reused_from)
    fresh = NameIndex(changed, updated, A)  # the same index, every name analysed afresh
    if edit == "a chunk added to a kept note's source":
        assert reused is None  # a.md would be two runs: the caller builds afresh
        reused = NameIndex.for_index(updated, A)
    for key in (*NameIndex._ARRAYS, "indptr", "texts", "note_sources"):
        assert np.array_equal(np.asarray(getattr(reused, key)), np.asarray(getattr(fresh, key))), key
    if edit == "a note added":  # "zebra" is now in a chunk: the copied title "Zebra crossings" finds it
        zebra = updated.term(A.stem("zebra"))
        assert zebra is not None and "Zebra crossings" in [reused.texts[i] for i in
                                                           reused.postings[reused.indptr[zebra]:reused.indptr[zebra + 1]]]


def test_an_update_analyses_only_the_changed_notes_names(monkeypatch) -> None:
    from bot.core.search.index import SearchIndex
    from bot.core.search.ranking import NameIndex

    index = SearchIndex(corpus(), A.stems, Bm25Params())
    NameIndex.for_index(index, A)
    changed = [d for d in index.documents if d.chunk.source != "b.md"]
    changed[3:3] = note("b.md", "Node tolerations", [("Tolerations",)])
    analysed: list[str] = []
    spy = Analyzer()
    monkeypatch.setattr(spy, "words", lambda text: analysed.append(text) or A.words(text))
    monkeypatch.setattr(NameIndex, "__init__", None)  # a full build would fail
    updated = SearchIndex.updated(index, changed, A.stems)
    names = NameIndex.for_index(updated, spy)
    # only the new names: the update added no word, so "Zebra crossings" (a word no chunk has) is not looked up again
    assert set(analysed) == {"Node tolerations", "Tolerations"}
    assert updated.previous_names is None and updated.reused_from is None  # the old names are not kept alive
    assert NameIndex.for_index(updated, spy) is names


def test_names_survive_a_snapshot_round_trip_and_a_later_update() -> None:
    from bot.core.search.index import SearchIndex
    from bot.core.search.ranking import NameIndex

    index = SearchIndex(corpus(), A.stems, Bm25Params())
    built = NameIndex.for_index(index, A)
    restored = SearchIndex.from_snapshot(index.documents, index.snapshot(), Bm25Params())
    loaded = NameIndex.for_index(restored, A)
    changed = restored.documents[:3] + note("b.md", "Node tolerations", [("Tolerations",)]) + restored.documents[5:]
    updated = SearchIndex.updated(restored, changed, A.stems)
    for key in (*NameIndex._ARRAYS, "indptr", "texts", "note_sources"):
        assert np.array_equal(np.asarray(getattr(loaded, key)), np.asarray(getattr(built, key))), key
        assert np.array_equal(np.asarray(getattr(NameIndex.for_index(updated, A), key)),
                              np.asarray(getattr(NameIndex(changed, updated, A), key))), key


def test_the_bonus_reaches_exactly_the_named_titles_and_sections_chunks() -> None:
    from bot.core.search.ranking import NameIndex

    docs = [document("intro words", source="a.md", title="Jobs", ordinal=0),
            document("# Jobs and pods", source="a.md", title="Jobs", heading=("Jobs and pods",), ordinal=1),
            document("more about them", source="a.md", title="Jobs", heading=("Jobs and pods",), ordinal=2),
            document("unrelated text", source="b.md", title="Other", heading=("Jobs",), ordinal=0),
            document("still unrelated", source="c.md", title="Other")]
    engine = engine_of(docs)
    names: NameIndex = engine.names
    terms = [(engine.index.term(A.stem("jobs")), 1.0)]
    docs_with, values = names.doc_bonus(terms, engine.index.idf, 10.0, engine.rank)
    # a.md's three chunks (its title) and b.md's chunk (its heading); the heading-only chunk of
    # "Jobs and pods" gets the title's bonus only, the chunk after it both (listed twice, with
    # the same bonus each time)
    assert sorted(set(docs_with.tolist())) == [0, 1, 2, 3]
    bonus: dict[int, float] = {}
    for doc, value in zip(docs_with.tolist(), values.tolist()):
        assert bonus.setdefault(doc, value) == value
    assert bonus[0] == bonus[1] < bonus[2]
    assert np.all(values > 0)
