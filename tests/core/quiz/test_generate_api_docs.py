"""Rules found on notes of another field (the Node.js API docs, reviewed as a held-out corpus):
reference pages write fragments ("Throws an error if ..."), wrap list items onto indented lines,
and name their subject ("JavaScript") everywhere. Each case failed before its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.quiz.generate import QuestionGenerator
from bot.core.quiz.sentences import standalone
from bot.core.quiz.terms import Definition, Term, _prose_style, analyse_passage, units
from tests.core.quiz.conftest import engine_over


@pytest.mark.parametrize("sentence", [
    "Throws an error if FIPS mode is not available.",  # a description opening with its verb
    "Diverges from a default https.Agent configuration by having keepAlive enabled and a timeout of 5 seconds.",
    "Only valid for request obtained from http.Server.",  # a predicate without its subject
    "The highWaterMark of the underlying socket if assigned.",  # if what is assigned?
    "If true, the MessagePort object will keep the Node.js event loop active.",  # what is true?
    "When enabled, TLS packet trace information is written to stderr.",  # when what is enabled?
    "Ca, cert, ciphers, clientCertEngine (deprecated), crl, dhparam, ecdhCurve, honorCipherOrder, key, pfx.",
    "The second setImmediate() creates an uncaughtException event.",  # the second of which?
    "The same mocking functionality is also exposed on the TestContext object.",  # the same as what?
    "Concurrently, you can extract the async function to the readable.map method.",
    "Please convert the property to a string before assigning it to process.env.",
    "The numericSeparator option adds an underscore every three digits to all.",  # to all what?
    "Fixed a bug where perfdiag would not properly clean up its test files.",  # a change log's entry
    "Added the signurl command that can generate Google Cloud Storage signed URLs.",
])
def test_fragments_of_reference_pages_are_refused(sentence: str) -> None:
    assert not standalone(sentence)


@pytest.mark.parametrize("sentence", [
    "All streams are instances of EventEmitter.",
    "Close the TCP connection by sending an RST packet and destroy the stream.",
    "The originSet property is only available when using a secure TLS connection.",
    "When a Pod is removed from a node for any reason, the data in the emptyDir is deleted permanently.",
    "Pods created by a ReplicationController are intended to be fungible and semantically identical.",
    "Kubeadm deploys kube-proxy as a DaemonSet, which means that the configuration applies to all instances.",
    "Every worker of the cluster module listens on the same port as the primary process.",
    "Stopped containers are removed by the kubelet garbage collection after a minute.",  # an adjective, then its verb
])
def test_whole_sentences_are_kept(sentence: str) -> None:
    assert standalone(sentence)


def test_a_list_item_wrapped_onto_indented_lines_is_one_unit_in_any_style() -> None:
    text = ("copy modes of copyFile\n\n"
            "* `COPYFILE_EXCL`: The copy operation will fail if `dest`\n"
            "  already exists\n"
            "* `COPYFILE_FICLONE_FORCE`: The copy operation will attempt to\n"
            "  create a copy-on-write reflink\n\n"
            "see also fs.cp\n")
    assert not _prose_style(text)  # note-taking style: every line its own thought, unless it is an item's
    assert units(text)[1:3] == ["`COPYFILE_EXCL`: The copy operation will fail if `dest` already exists",
                               "`COPYFILE_FICLONE_FORCE`: The copy operation will attempt to create a copy-on-write reflink"]
    meanings = {d.term: d.meaning for d in analyse_passage(text).definitions}
    assert meanings["COPYFILE_FICLONE_FORCE"] == "The copy operation will attempt to create a copy-on-write reflink"


def test_a_definition_cut_at_a_function_word_is_no_definition() -> None:
    text = "* `COPYFILE_FICLONE_FORCE`: The copy operation will attempt to\n\n  create a copy-on-write reflink.\n"
    assert all(d.term != "COPYFILE_FICLONE_FORCE" for d in analyse_passage(text).definitions)


@pytest.mark.parametrize("text, shape", [
    ("vm.Script", "Dotted"), ("net.Socket", "Dotted"),  # classes
    ("sea.getAsset", "dotted"), ("util.inspect", "dotted"), ("spec.replicas", "dotted"),  # functions and fields
    ("admin.conf", "file"), ("ca.key", "file"), ("index.html", "file"),
])
def test_dotted_names_are_told_apart_by_what_they_name(text: str, shape: str) -> None:
    assert Term(text, "name", text.lower()).shape == shape


def test_what_the_notes_are_about_is_never_an_answer_or_a_distractor(tmp_path: Path) -> None:
    """Twelve notes on a made-up runtime, each naming it once among other terms: in few passages
    of each note (below the passage share that excluded such terms), yet in every note."""
    topics = ["Frobnicator", "Quuxbridge", "Zanzibus", "Plonkfile", "Wibblecache", "Grommetd", "Snorkelnet",
              "Blarghive", "Fizzlepot", "Wumpusgate", "Krakenlog", "Tindrel"]
    for i, topic in enumerate(topics):
        sections = [f"## Overview\n\nThe {topic} component of Gizmojs keeps the state of every worker in a table."]
        sections += [f"## Journal {n}\n\nThe {topic} daemon writes journal {n} to the disk of every node each minute, "
                     f"and the {topic} sweeper removes the journals older than {n + 2} days from the disk." for n in range(11)]
        (tmp_path / f"note{i}.md").write_text(f"# {topic}\n\n" + "\n\n".join(sections) + "\n")
    engine, synonyms = engine_over(tmp_path)
    assert len(engine.documents) >= 120  # Gizmojs is in a tenth of the passages at most
    generator = QuestionGenerator(engine, synonyms)
    gizmo = Term("Gizmojs", "name", "gizmojs")
    assert generator.salience(gizmo) == 0.0
    assert generator.salience(Term("Frobnicator", "name", "frobnicator")) > 0.0
    questions = [q for doc in engine.documents for q in generator.generate(doc)]
    assert all("gizmojs" not in (q.answer.lower(), *map(str.lower, q.choices)) for q in questions)



@pytest.mark.parametrize("name, asks", [("lesson.md", True), ("CHANGELOG.md", False), ("release-notes.md", False),
                                        ("2-HISTORY.md", False)])
def test_release_history_asks_nothing(tmp_path: Path, name: str, asks: bool) -> None:
    """A change log's entries ("Fixed a bug in ____ where ...") are no study material: the seed
    note's text asks questions, the same text named as release history none."""
    seed = Path(__file__).resolve().parents[3] / "corpus" / "k8s-colearning-lesson-1.md"
    (tmp_path / name).write_text(seed.read_text())
    engine, synonyms = engine_over(tmp_path)
    generator = QuestionGenerator(engine, synonyms)
    assert bool([q for doc in engine.documents for q in generator.generate(doc)]) is asks


def test_a_change_of_x_is_no_definition_of_x(tmp_path: Path) -> None:
    engine, synonyms = engine_over(Path(__file__).resolve().parents[3] / "corpus")
    generator = QuestionGenerator(engine, synonyms)
    for meaning in ("Now stable on Redox", "Described in the timers section", "Added in the second lesson"):
        assert generator._definition(Definition("etcd", meaning, f"etcd: {meaning}")) == []
    assert generator._definition(Definition("etcd", "The key value store of every cluster", "etcd: ..."))
