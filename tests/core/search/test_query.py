"""Question expansion against the shipped seed notes: typos, compounds, synonyms, off-topic."""

import pytest

from bot.config import SHIPPED_CORPUS
from bot.core.search.analysis import Analyzer
from bot.core.search.answering import SearchEngine
from bot.core.search.indexing import ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import scan_notes
from bot.core.search.synonyms import load_synonyms
from tests.core.helpers import documents

A = Analyzer()


@pytest.fixture(scope="module")
def seed() -> SearchEngine:
    scan = scan_notes(SHIPPED_CORPUS, max_bytes=5_000_000)
    docs = [d for note in scan.files for d in analyse_note(note, A, ChunkingParams()).documents]
    return build_engine(docs, A, load_synonyms(SHIPPED_CORPUS / "synonyms.yaml", A))


def stems_of(engine: SearchEngine, question: str) -> dict[str, float]:
    return {t.stem: t.weight for t in engine.queries.build(question).terms}


def test_query_typo_finds_the_notes_spelling(seed: SearchEngine) -> None:
    # the notes spell it "hypervizor"; the learner spells it right
    terms = stems_of(seed, "what is a hypervisor")
    assert "hypervizor" in terms and terms["hypervizor"] < 1.0
    assert "hypervizor" in seed.search("what is a hypervisor").passages[0].matched


def test_two_edit_typo_for_long_words(seed: SearchEngine) -> None:
    # the notes say "enerprizes"
    passages = seed.search("why do enterprises love kubernetes").passages
    assert any("enerprizes" in p.matched for p in passages)


def test_typo_in_the_question(seed: SearchEngine) -> None:
    assert seed.search("what is a contianer").passages


def test_words_in_the_vocabulary_are_not_expanded(seed: SearchEngine) -> None:
    assert stems_of(seed, "containers") == {"contain": 1.0}


def test_short_words_are_never_expanded() -> None:
    engine = build_engine(documents("bread and butter", "break the cluster", "fresh dough"), A,
                          load_synonyms(None, A))
    assert engine.queries.build("bake").terms == ()
    assert engine.queries.build("brea").terms == ()


@pytest.mark.parametrize(
    "question",
    ["How do I bake sourdough bread?", "What's the best pizza in Naples?", "How long should I boil an egg?",
     "Why is the sky blue?"],
)
def test_off_topic_questions_get_nothing(seed: SearchEngine, question: str) -> None:
    answer = seed.search(question)
    assert answer.passages == ()


def test_compound_written_apart_finds_joined_word(seed: SearchEngine) -> None:
    # notes: "micro-services"; query: "microservices" and "micro services"
    for question in ("microservices", "micro services"):
        passages = seed.search(question).passages
        assert passages and passages[0].start_line <= 87 <= passages[0].end_line, question


def test_joined_query_finds_words_written_apart(seed: SearchEngine) -> None:
    # notes: "shell check"; query: "shellcheck"
    terms = stems_of(seed, "what is shellcheck")
    assert {"shell", "check"} <= set(terms)
    passage = seed.search("what is shellcheck").passages[0]
    assert passage.start_line <= 98 <= passage.end_line


def test_words_written_apart_in_query_find_joined_word() -> None:
    engine = build_engine(documents("run shellcheck on scripts", "pods and nodes"), A, load_synonyms(None, A))
    assert [p.source for p in engine.search("shell check").passages] == ["n0.md"]


def test_synonyms_expand_abbreviations(seed: SearchEngine) -> None:
    terms = stems_of(seed, "what does kubernetes do")
    assert "k8s" in terms and terms["k8s"] < 1.0


def test_plural_kept_apart_by_the_stemmer(seed: SearchEngine) -> None:
    # Snowball keeps "cpus" and "cpu" apart; the notes say "cpus"
    assert "cpus" in stems_of(seed, "how many cpu")


def test_camel_case_query_finds_spaced_words() -> None:
    engine = build_engine(documents("a persistent volume claim asks for storage", "pods run"), A, load_synonyms(None, A))
    assert engine.search("PersistentVolumeClaim").passages[0].source == "n0.md"


def test_dotted_field_path_is_searchable_whole_and_split() -> None:
    engine = build_engine(documents("set spec.containers to a list", "containers run images"), A, load_synonyms(None, A))
    assert engine.search("spec.containers").passages[0].source == "n0.md"


def test_everyday_words_shared_with_the_notes_do_not_make_an_answer() -> None:
    # "egg" occurs in these notes (about 6,000 words), but no more often than in English at large
    notes = ["the chicken and egg problem of bootstrapping a cluster"] + [
        f"a list of pods, nodes and containers scheduled by the kubelet, number {i}" for i in range(600)]
    engine = build_engine(documents(*notes), A, load_synonyms(None, A))
    assert engine.search("how long should I boil an egg").passages == ()
    assert engine.search("the egg problem when bootstrapping").passages


def test_a_number_alone_does_not_make_a_question_on_topic() -> None:
    notes = [f"release 2014 changed node {i}" for i in range(50)] + ["the scheduler listens on port 10259"]
    engine = build_engine(documents(*notes), A, load_synonyms(None, A))
    assert engine.search("who won the world cup in 2014").passages == ()
    assert engine.search("which port does the scheduler use").passages


def big_notes(*extra: str) -> list[str]:
    """About 6,000 words of Kubernetes-like notes, plus `extra` passages."""
    return list(extra) + [f"a list of pods, nodes and containers scheduled by the kubelet, number {i}"
                          for i in range(600)]


def test_words_that_matched_are_not_joined() -> None:
    engine = build_engine(documents(*big_notes("the PodPriority feature gate", "pod priority decides preemption")),
                          A, load_synonyms(None, A))
    assert "podprior" not in stems_of(engine, "pod priority")  # both words matched as written
    assert engine.search("pod priority").passages[0].source == "n1.md"


def test_a_question_naming_a_title_is_on_topic() -> None:
    from tests.core.helpers import document

    docs = [document("A job runs pods until they complete.", source="jobs.md", title="Jobs")] + [
        document(t, source=f"n{i}.md") for i, t in enumerate(big_notes())]
    engine = build_engine(docs, A, load_synonyms(None, A))
    assert [p.source for p in engine.search("what is a job").passages][:1] == ["jobs.md"]
    assert engine.search("how do I write a cover letter for a job").passages == ()  # "job" is a quarter of it


def test_a_question_naming_a_two_word_heading_is_on_topic_despite_words_the_notes_never_use() -> None:
    from tests.core.helpers import document

    docs = [document("## Running the Job\nA job runs pods until they complete.", source="jobs.md", title="Jobs",
                     heading=("Running the Job",)),
            document("## Rules\nEach rule of a policy lists verbs and resources.", source="rbac.md", heading=("Rules",)),
            document("## Getting started\nInstall kubectl and create a cluster.", source="start.md",
                     heading=("Getting started",))]
    # jobs are a topic of these notes: "job" and "run" are commoner here than in English; "get" and
    # "started" are not (English uses them more)
    docs += [document(t, source=f"n{i}.md") for i, t in enumerate(big_notes(
        *(f"job {i} runs its pods; a job run ends when they complete" for i in range(8)),
        *(f"to get pods started, get node {i} ready" for i in range(10))))]
    engine = build_engine(docs, A, load_synonyms(None, A))
    # "night" and "2am" are in no note: they no longer dilute "Running the Job" (run + job)
    assert [p.source for p in engine.search("how do I run a job every night at 2am").passages][:1] == ["jobs.md"]
    # one everyday word that happens to be a heading is not enough
    assert engine.search("what's the offside rule in soccer").passages == ()
    assert engine.search("how do I write a cover letter for a job").passages == ()
    # two words that name a heading but are English first ("get", "started") are not enough either
    assert engine.search("how do I get started with knitting scarves").passages == ()
    assert [p.source for p in engine.search("getting started with kubectl").passages][:1] == ["start.md"]


def test_a_typo_of_an_everyday_word_does_not_make_a_question_on_topic() -> None:
    engine = build_engine(documents(*big_notes("an inverted index maps terms to chunks")), A, load_synonyms(None, A))
    assert engine.search("when was it invented").passages == ()  # an English word, not a typo of "inverted"
    assert engine.search("what is an invertd index").passages  # a real typo, beside a word of the notes
