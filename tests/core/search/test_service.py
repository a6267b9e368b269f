"""The notes service: start-up, incremental and atomic reindex, bad files, concurrency."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import SHIPPED_CORPUS
from bot.core.search import notes as notes_module
from bot.core.search import service as service_module
from bot.core.errors import NotesFolderError, ReindexInProgress
from bot.core.search.service import NotesService, ServiceConfig
from bot.core.storage.models import ChunkRow, NoteFileRow, ReindexRunRow
from bot.core.storage.repositories import NotesRepository

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

ETCD = "# Secrets\n\nBy default etcd stores secrets in base64, not encrypted.\n"
PODS = "# Pods\n\nA pod groups containers that share a network namespace.\n"
NODES = "# Nodes\n\nA node is a machine that runs pods; the kubelet manages it.\n"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    (root / "sub").mkdir(parents=True)
    (root / "etcd.md").write_text(ETCD)
    (root / "pods.md").write_text(PODS)
    (root / "sub" / "nodes.md").write_text(NODES)
    return root


def make_service(sessions, notes: Path, **kwargs) -> NotesService:
    config = ServiceConfig(notes_dir=notes, synonyms_file=SHIPPED_CORPUS / "synonyms.yaml", **kwargs)
    return NotesService(config, sessions, clock=lambda: FIXED)


async def stored_paths(sessions) -> list[str]:
    async with sessions() as session:
        return sorted((await NotesRepository(session).stored_files()))


async def chunk_count(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(ChunkRow))


async def test_first_start_indexes_the_notes(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    summary = await service.start()
    assert summary is not None
    assert summary.added == ["etcd.md", "pods.md", "sub/nodes.md"]
    assert service.search("are secrets encrypted in etcd").passages[0].source == "etcd.md"


async def test_second_start_loads_from_the_database_without_reading_notes(sessions, notes: Path, monkeypatch) -> None:
    first = make_service(sessions, notes)
    await first.start()
    await first.aclose()
    monkeypatch.setattr(notes_module, "_read_bytes", _refuse)  # the folder is scanned, no note read
    monkeypatch.setattr(service_module, "analyse_note", _refuse)
    service = make_service(sessions, notes)
    summary = await service.start()
    assert not summary.changed_anything and summary.unchanged == 3
    assert summary.change_report().startswith("notes: nothing changed, 3 unchanged")
    assert service.version == first.version
    passage = service.search("which machine runs pods").passages[0]
    assert (passage.source, passage.heading, passage.start_line, passage.end_line) == ("sub/nodes.md", "Nodes", 1, 3)


async def test_start_with_nothing_changed_writes_nothing(sessions, notes: Path) -> None:
    await make_service(sessions, notes).start()
    async with sessions() as session:
        runs_before = await session.scalar(select(func.count()).select_from(ReindexRunRow))
    service = make_service(sessions, notes)
    await service.start()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReindexRunRow)) == runs_before


async def test_start_brings_the_index_up_to_date_incrementally(sessions, notes: Path, monkeypatch) -> None:
    await make_service(sessions, notes).start()
    (notes / "new.md").write_text("# Volumes\n\nA volume outlives a container.\n")
    (notes / "sub" / "nodes.md").unlink()
    analysed: list[str] = []
    real = service_module.analyse_note
    monkeypatch.setattr(service_module, "analyse_note", lambda note, *a: analysed.append(note.path) or real(note, *a))
    service = make_service(sessions, notes)
    summary = await service.start()
    assert (summary.added, summary.changed, summary.removed, summary.unchanged) == (["new.md"], [], ["sub/nodes.md"], 2)
    assert analysed == ["new.md"]
    assert service.search("does a volume outlive a container").passages[0].source == "new.md"
    assert not service.search("kubelet").passages
    assert "1 added (new.md), 1 removed (sub/nodes.md), 2 unchanged" in summary.change_report()


async def test_start_from_another_folder_reindexes_that_folder_fully(sessions, notes: Path, tmp_path: Path) -> None:
    await make_service(sessions, notes).start()
    other = tmp_path / "other"
    other.mkdir()
    (other / "pods.md").write_text("# Pods\n\nIn this folder pods are about whales.\n")  # same name, other text
    (other / "ducks.md").write_text("# Ducks\n\nDucks quack.\n")
    service = make_service(sessions, other)
    summary = await service.start()
    assert summary.added == ["ducks.md", "pods.md"] and summary.changed == []
    assert summary.removed == ["etcd.md", "sub/nodes.md"]
    assert await stored_paths(sessions) == ["ducks.md", "pods.md"]
    assert service.search("whales").passages[0].source == "pods.md"
    assert not service.search("etcd secrets").passages and not service.search("kubelet").passages
    async with sessions() as session:
        state = await NotesRepository(session).index_state()
    assert state.parameters["notes_dir"] == os.path.realpath(other)
    back = make_service(sessions, notes)  # and back again: the first folder is indexed anew too
    summary = await back.start()
    assert summary.added == ["etcd.md", "pods.md", "sub/nodes.md"] and summary.removed == ["ducks.md"]
    assert back.search("kubelet").passages and not back.search("whales").passages


async def test_same_folder_by_another_spelling_is_not_a_switch(sessions, notes: Path, tmp_path: Path) -> None:
    await make_service(sessions, notes).start()
    alias = tmp_path / "alias"
    alias.symlink_to(notes)
    summary = await make_service(sessions, alias).start()
    assert not summary.changed_anything and summary.unchanged == 3


async def test_start_on_a_missing_folder_raises(sessions, notes: Path, tmp_path: Path) -> None:
    await make_service(sessions, notes).start()
    with pytest.raises(NotesFolderError, match="notes folder not found"):
        await make_service(sessions, tmp_path / "gone").start()


async def test_reindex_is_incremental(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    (notes / "pods.md").write_text(PODS + "\nPods are ephemeral.\n")
    (notes / "sub" / "nodes.md").unlink()
    (notes / "new.md").write_text("# Volumes\n\nA volume outlives a container.\n")
    analysed: list[str] = []
    real = service_module.analyse_note

    def spy(note, *args):
        analysed.append(note.path)
        return real(note, *args)

    monkeypatch.setattr(service_module, "analyse_note", spy)
    summary = await service.reindex()
    assert sorted(analysed) == ["new.md", "pods.md"]
    assert (summary.added, summary.changed, summary.removed, summary.unchanged) == (
        ["new.md"], ["pods.md"], ["sub/nodes.md"], 1)
    assert await stored_paths(sessions) == ["etcd.md", "new.md", "pods.md"]
    assert service.search("are pods ephemeral").passages[0].source == "pods.md"
    assert not service.search("kubelet").passages


async def test_unchanged_reindex_keeps_the_version(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    before = service.version
    summary = await service.reindex()
    assert (summary.added, summary.changed, summary.removed, summary.unchanged) == ([], [], [], 3)
    assert service.version == before


async def test_failed_reindex_changes_nothing_and_keeps_serving(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    version, chunks = service.version, await chunk_count(sessions)
    (notes / "etcd.md").write_text("# Gone\n\nnothing about that store any more\n")
    (notes / "zzz.md").write_text("# Later\n\nthis file is analysed last and fails\n")
    real = service_module.analyse_note

    def failing(note, *args):
        if note.path == "zzz.md":
            raise RuntimeError("injected failure")
        return real(note, *args)

    monkeypatch.setattr(service_module, "analyse_note", failing)
    with pytest.raises(RuntimeError, match="injected"):
        await service.reindex()
    assert service.version == version
    assert await chunk_count(sessions) == chunks
    assert await stored_paths(sessions) == ["etcd.md", "pods.md", "sub/nodes.md"]
    assert service.search("are secrets encrypted in etcd").passages[0].source == "etcd.md"
    async with sessions() as session:
        failed = await NotesRepository(session).last_reindex_run(status="failed")
    assert failed is not None and "injected failure" in failed.error


async def test_failure_while_writing_rolls_back(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    (notes / "pods.md").write_text(PODS + "\nchanged\n")
    (notes / "etcd.md").unlink()

    async def broken(self, paths):
        raise RuntimeError("disk full")

    monkeypatch.setattr(NotesRepository, "delete_files", broken)
    with pytest.raises(RuntimeError):
        await service.reindex()
    async with sessions() as session:
        stored = await NotesRepository(session).stored_files()
    assert sorted(stored) == ["etcd.md", "pods.md", "sub/nodes.md"]
    assert "changed" not in service.search("pod groups containers").passages[0].text


async def test_bad_files_are_skipped_and_reported(sessions, notes: Path) -> None:
    (notes / "binary.md").write_bytes(b"# Bin\x00ary\n")
    (notes / "latin1.md").write_bytes("# Caf\xe9\n\nna\xefve caf\xe9 notes about etcd\n".encode("latin-1"))
    (notes / "huge.md").write_text("x " * 600)
    outside = notes.parent / "outside.md"
    outside.write_text("# Outside\n\nsecret stuff\n")
    os.symlink(outside, notes / "link.md")
    service = make_service(sessions, notes, max_file_bytes=1000)
    summary = await service.start()
    reasons = {s.path: s.reason for s in summary.skipped}
    assert set(reasons) == {"binary.md", "huge.md", "link.md"}
    assert "latin1.md" in summary.added
    assert [w.path for w in summary.warnings] == ["latin1.md"]
    assert not service.search("outside secret stuff").passages or all(
        p.source != "link.md" for p in service.search("outside secret stuff").passages)


async def test_missing_folder_is_an_error_and_changes_nothing(sessions, notes: Path, tmp_path: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    version = service.version
    missing = make_service(sessions, tmp_path / "nope")
    missing._engine, missing._version = service.engine, service.version
    with pytest.raises(NotesFolderError):
        await missing.reindex()
    assert await stored_paths(sessions) == ["etcd.md", "pods.md", "sub/nodes.md"]
    async with sessions() as session:
        assert (await NotesRepository(session).index_state()).version == version
        assert await NotesRepository(session).last_reindex_run(status="failed") is None


async def test_empty_folder_empties_the_index_and_says_so(sessions, notes: Path, tmp_path: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    for path in list(notes.rglob("*.md")):
        path.unlink()
    summary = await service.reindex()
    assert summary.empty and summary.removed == ["etcd.md", "pods.md", "sub/nodes.md"]
    assert "now empty" in summary.notice and "3 previously indexed files" in summary.notice
    assert service.search("etcd").passages == ()


async def test_only_one_reindex_at_a_time_and_questions_use_the_old_index(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    (notes / "pods.md").write_text("# Pods\n\nPods now mention zebras.\n")
    started, release = asyncio.Event(), asyncio.Event()
    real_build = service._build

    def slow_build(documents, synonyms, *args):
        asyncio.run_coroutine_threadsafe(_set(started), loop)
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
        return real_build(documents, synonyms, *args)

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(service, "_build", slow_build)
    first = asyncio.create_task(service.reindex())
    await asyncio.wait_for(started.wait(), 5)
    assert service.reindexing
    with pytest.raises(ReindexInProgress):
        await service.reindex()
    assert not service.search("zebras").passages  # still the previous index
    release.set()
    await first
    assert service.search("zebras").passages[0].source == "pods.md"


async def test_refresh_picks_up_another_process_reindex(sessions, notes: Path) -> None:
    ours, theirs = make_service(sessions, notes), make_service(sessions, notes)
    await ours.start()
    await theirs.start()
    (notes / "pods.md").write_text("# Pods\n\nPods and giraffes.\n")
    await theirs.reindex()
    assert not ours.search("giraffes").passages
    assert await ours.refresh_if_stale()
    assert ours.search("giraffes").passages
    assert not await ours.refresh_if_stale()


async def test_reindex_records_who_asked(sessions, notes: Path) -> None:
    service = make_service(sessions, notes)
    await service.start()
    await service.reindex(requested_by=1234, guild_id=5678)
    run = await service.last_reindex()
    assert (run.requested_by, run.guild_id, run.status, run.unchanged) == (1234, 5678, "ok", 3)


async def _set(event: asyncio.Event) -> None:
    event.set()


def _refuse(*args, **kwargs):
    raise AssertionError("notes must not be read or analysed at start")


async def test_large_batches_are_analysed_in_worker_processes_with_the_same_result(sessions, notes: Path, monkeypatch) -> None:
    serial = make_service(sessions, notes)
    await serial.start()
    expected = [(d.chunk, d.body_words, d.heading_words) for d in serial.engine.documents]
    monkeypatch.setattr(service_module, "PARALLEL_THRESHOLD", 2)
    seen: list[tuple[int, int]] = []
    parallel = make_service(sessions, notes, chunking=serial.config.chunking)
    parallel.config = ServiceConfig(notes_dir=notes, synonyms_file=None, chunking=serial.config.chunking)
    analysed = await asyncio.to_thread(parallel._analyse, sorted(service_module.scan_notes(notes, max_bytes=10**6).files,
                                                                 key=lambda n: n.path), lambda d, t: seen.append((d, t)))
    assert [(d.chunk, d.body_words, d.heading_words) for a in analysed for d in a.documents] == expected
    assert seen[-1] == (3, 3)


async def test_start_uses_the_stored_index_snapshot(sessions, notes: Path, monkeypatch) -> None:
    first = make_service(sessions, notes)
    await first.start()
    await first.aclose()  # the snapshot is written after the swap
    service = make_service(sessions, notes)
    monkeypatch.setattr(service_module, "build_engine", _refuse)  # no rebuild: the snapshot serves
    await service.start()
    assert service.search("are secrets encrypted in etcd").passages[0].source == "etcd.md"


async def test_unchanged_files_are_not_read_again(sessions, notes: Path, monkeypatch) -> None:
    service = make_service(sessions, notes)
    await service.start()
    (notes / "pods.md").write_text(PODS + "\nmore\n")
    read: list[str] = []
    real = service_module.scan_notes

    def spy(root, *, max_bytes, known=None):
        scan = real(root, max_bytes=max_bytes, known=known)
        read.extend(n.path for n in scan.files if not n.reused)
        return scan

    monkeypatch.setattr(service_module, "scan_notes", spy)
    summary = await service.reindex()
    assert read == ["pods.md"]
    assert summary.changed == ["pods.md"] and summary.unchanged == 2


async def test_same_size_and_time_but_other_content_is_missed_only_without_a_new_mtime(sessions, notes: Path) -> None:
    # documents the stat shortcut: an edit that keeps size and mtime is invisible, any other is seen
    service = make_service(sessions, notes)
    await service.start()
    path = notes / "etcd.md"
    info = path.stat()
    path.write_text(ETCD.replace("etcd stores", "etcd STORES"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (await service.reindex()).changed == []
    path.write_text(ETCD.replace("etcd stores", "etcd KEEPS"))
    assert (await service.reindex()).changed == ["etcd.md"]


async def test_an_edit_of_the_same_size_with_a_new_mtime_is_seen(sessions, notes: Path) -> None:
    # Fails if the shortcut compared only sizes: this edit keeps the size and changes the mtime.
    service = make_service(sessions, notes)
    await service.start()
    path = notes / "etcd.md"
    info = path.stat()
    edited = ETCD.replace("base64", "BASE64")
    assert len(edited.encode()) == info.st_size
    path.write_text(edited)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    summary = await service.reindex()
    assert summary.changed == ["etcd.md"]
    assert "BASE64" in service.search("base64").passages[0].text


async def test_reindex_by_another_process_during_analysis_is_taken_into_account(sessions, notes: Path, monkeypatch) -> None:
    ours, theirs = make_service(sessions, notes), make_service(sessions, notes)
    await ours.start()
    await theirs.start()
    (notes / "pods.md").write_text("# Pods\n\nPods and okapis.\n")
    real = ours._analyse
    interleaved = []

    def analyse_then_let_the_other_process_reindex(todo, progress):
        result = real(todo, progress)
        if not interleaved:
            interleaved.append(True)
            (notes / "etcd.md").write_text("# Secrets\n\netcd and lemurs.\n")
            asyncio.run_coroutine_threadsafe(theirs.reindex(), loop).result(10)
        return result

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(ours, "_analyse", analyse_then_let_the_other_process_reindex)
    summary = await ours.reindex()
    assert summary.changed == []  # the other process had stored both changes already
    assert ours.search("okapis").passages and ours.search("lemurs").passages
    async with sessions() as session:
        assert (await NotesRepository(session).index_state()).version == ours.version


async def test_reindex_after_a_start_from_the_snapshot(sessions, notes: Path) -> None:
    first = make_service(sessions, notes)
    await first.start()
    await first.aclose()
    service = make_service(sessions, notes)
    await service.start()  # chunks loaded without their words: the snapshot holds them
    assert all(d.body_words == () for d in service.engine.documents)
    assert "manages" in service.search("what manages a node").passages[0].matched
    (notes / "pods.md").write_text("# Pods\n\nPods are scheduled by the kube-scheduler.\n")
    await service.reindex()
    assert service.search("scheduler").passages[0].source == "pods.md"
    assert service.search("kubelet").passages[0].source == "sub/nodes.md"  # unchanged, reused
    fresh = make_service(sessions, notes)
    await fresh.reindex()  # the same notes indexed from scratch score the same
    for question in ("scheduler", "kubelet", "secrets in etcd"):
        assert [(p.source, round(p.score, 9)) for p in service.search(question).passages] == \
               [(p.source, round(p.score, 9)) for p in fresh.search(question).passages]


async def test_many_removals_after_a_snapshot_start_compact_the_vocabulary(sessions, notes: Path) -> None:
    for i in range(12):
        (notes / f"extra{i}.md").write_text(f"# Extra {i}\n\nuniqueword{i}a uniqueword{i}b uniqueword{i}c\n")
    first = make_service(sessions, notes)
    await first.start()
    await first.aclose()
    service = make_service(sessions, notes)
    await service.start()
    for i in range(12):
        (notes / f"extra{i}.md").unlink()
    await service.reindex()  # most of the vocabulary is now unused: the index is rebuilt compactly
    assert not any(w.startswith("uniqueword") for w in service.engine.index.surfaces)
    assert service.search("etcd secrets").passages[0].source == "etcd.md"


async def test_no_single_bad_note_stops_a_reindex(sessions, notes: Path) -> None:
    (notes / os.fsdecode(b"bad\xff.md")).write_text("# Bad name\n\nquokka\n")
    (notes / "nul.md").write_text('---\ntitle: "a\\0b"\ntags: ["x\\0y", ok]\n---\n# Nul\n\nwombat\n')
    (notes / "surrogate.md").write_text('---\ntitle: "caf\\udc80"\ntags: ["\\udc80"]\n---\n# Lone\n\nplatypus\n')
    (notes / "badyaml.md").write_text("---\ntitle: [unclosed\n---\n# Yaml\n\nnumbat\n")
    deep = notes / "/".join(["d" * 200] * 5)
    deep.mkdir(parents=True)
    (deep / ("n" * 30 + ".md")).write_text("# Deep\n\nbilby\n")
    service = make_service(sessions, notes)
    summary = await service.start()
    skipped = {s.path: s.reason for s in summary.skipped}
    assert skipped["bad\ufffd.md"] == "file name is not valid UTF-8"
    assert any(reason.startswith("path longer than 1024") for reason in skipped.values())
    warnings = {w.path: w.reason for w in summary.warnings}
    assert warnings["badyaml.md"] == "front matter is not valid YAML; its title and tags are ignored"
    assert "NUL or invalid characters" in warnings["nul.md"] and "NUL or invalid characters" in warnings["surrogate.md"]
    assert {"nul.md", "surrogate.md", "badyaml.md"} <= set(summary.added)
    async with sessions() as session:
        rows = {r.path: r for r in (await session.execute(select(NoteFileRow))).scalars()}
    assert (rows["nul.md"].title, rows["nul.md"].tags) == ("ab", ["xy", "ok"])
    assert (rows["surrogate.md"].title, rows["surrogate.md"].tags) == ("caf\ufffd", ["\ufffd"])
    assert service.search("wombat").passages[0].source == "nul.md"
    assert service.search("numbat").passages[0].source == "badyaml.md"
    assert not service.search("quokka").passages and not service.search("bilby").passages
    again = await make_service(sessions, notes).start()  # and the next start is clean
    assert not again.changed_anything


async def test_hostile_synonyms_file_keeps_the_previous_synonyms(sessions, notes: Path, tmp_path: Path) -> None:
    synonyms = tmp_path / "synonyms.yaml"
    synonyms.write_text("groups:\n  - [k8s, kubernetes]\n  - [minion, kubelet]\n")
    config = ServiceConfig(notes_dir=notes, synonyms_file=synonyms)
    service = NotesService(config, sessions, clock=lambda: FIXED)
    await service.start()
    assert "kubelet" in service.search("which machine runs a minion").passages[0].matched
    synonyms.write_text("a: &a [x, x, x]\nb: &b [*a, *a, *a]\ngroups: [*b]\n")
    (notes / "pods.md").write_text(PODS + "\nmore\n")
    summary = await service.reindex()
    assert summary.changed == ["pods.md"]  # the notes are still indexed
    problem = [w for w in summary.warnings if w.path == str(synonyms)]
    assert problem and "anchors and aliases" in problem[0].reason and "previous synonyms are kept" in problem[0].reason
    assert "kubelet" in service.search("which machine runs a minion").passages[0].matched  # still served
    fresh = NotesService(config, sessions, clock=lambda: FIXED)
    summary = await fresh.start()  # a start with a bad file: no synonyms, but it starts
    assert any(w.path == str(synonyms) for w in summary.warnings)
    assert "kubelet" not in fresh.search("which machine runs a minion").passages[0].matched


async def test_the_notes_synonyms_file_linked_out_of_the_folder_is_not_read(sessions, notes: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("groups:\n  - [minion, kubelet]\n")
    (notes / "synonyms.yaml").symlink_to(outside)
    service = NotesService(ServiceConfig(notes_dir=notes, synonyms_file=notes / "synonyms.yaml"), sessions, clock=lambda: FIXED)
    summary = await service.start()
    problem = [w for w in summary.warnings if w.path.endswith("synonyms.yaml")]
    assert problem and "outside the notes folder" in problem[0].reason
    assert "kubelet" not in service.search("which machine runs a minion").passages[0].matched


async def test_a_notes_folder_whose_name_is_not_utf8_is_recorded_storably(sessions, tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    (folder / "pods.md").write_text(PODS)
    service = make_service(sessions, folder)
    assert (await service.start()).added == ["pods.md"]
    again = await make_service(sessions, folder).start()
    assert not again.changed_anything  # recognised as the same folder
    async with sessions() as session:
        assert (await NotesRepository(session).index_state()).parameters["notes_dir"].endswith("caf\\xe9")


async def test_refresh_never_loads_an_index_another_process_built_from_another_folder(sessions, notes: Path,
                                                                                      tmp_path: Path) -> None:
    ours = make_service(sessions, notes)
    await ours.start()
    other = tmp_path / "other"
    other.mkdir()
    (other / "ducks.md").write_text("# Ducks\n\nDucks quack.\n")
    await make_service(sessions, other).reindex()  # e.g. a CLI run with another NOTES_DIR
    assert await ours.refresh_if_stale() is False
    assert ours.search("etcd secrets").passages and not ours.search("ducks quack").passages
    await ours.reindex()  # our own reindex takes the database back to our folder
    assert ours.search("etcd secrets").passages and not ours.search("ducks quack").passages
