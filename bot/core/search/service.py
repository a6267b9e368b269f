"""The notes service: the current search engine, and the reindex that replaces it.

Reindexing is incremental (only added or changed files, by content hash, are re-chunked and
re-analysed) and atomic: every database change happens in one transaction, and the new engine
is swapped in only after the commit. Until then, and after any failure, the previous engine keeps
answering. One reindex runs at a time in a process (an asyncio lock) and across processes (the
repository's `lock_index`, a PostgreSQL advisory lock).

Every start brings the index up to date with the notes folder before answering: the stored index
is loaded, then the folder is scanned (size and modification time; only changed files are read).
The index remembers which folder it was built from: a different folder is a full reindex of it,
never answers from the old one.

Slow work (reading files, analysing, building the index) runs in a worker thread so an event loop
that also serves Discord keeps its heartbeat. A large batch is analysed in worker processes that
exit by themselves if this process dies (`workers.py`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock, utc_now
from bot.core.search.analysis import ANALYZER_VERSION, Analyzer
from bot.core.search.answering import Answer, SearchEngine
from bot.core.search.documents import Document
from bot.core.search.index import SearchIndex
from bot.core.errors import NotesBotError, ReindexInProgress, SynonymsError
from bot.core.search.indexing import AnalysedNote, ChunkingParams, analyse_note, build_engine
from bot.core.search.notes import KnownHash, NoteFile, NoteScan, SkippedFile, check_notes_folder, scan_notes
from bot.core.search.query import QueryParams
from bot.core.search.ranking import RankParams
from bot.core.search.scoring import Bm25Params
from bot.core.storage.repositories import (
    FileChunks,
    IndexStateRecord,
    NotesRepository,
    ReindexRunRecord,
    StoredFile,
)
from bot.core.search.synonyms import SynonymTable, load_synonyms
from bot.core.search.workers import analysis_pool
from bot.core.terminal_text import strip_control

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (files analysed so far, files to analyse)
# Told how each reindex run ended, for metrics: ("ok" | "failed" | "busy" | "cancelled", its seconds
# or None when it never ran). Kept a plain callback so the core knows nothing of Prometheus.
RunObserver = Callable[[str, "float | None"], None]


@dataclass(frozen=True)
class ReindexChange:
    """What a reindex changed, handed to the `on_reindex` hook (the quiz pool) inside the
    reindex's write transaction, so what the hook writes commits or rolls back with the index, and
    to `after_reindex` once it committed."""

    engine: SearchEngine  # the new engine, over every current passage
    synonyms: SynonymTable
    fresh: list[Document]  # passages of the notes analysed in this reindex
    touched: list[str]  # notes changed or removed: their old passages may be gone
    everything: bool  # every note was analysed: any old passage may be gone
    notes_dir: Path
    now: datetime


# Called with the open session; returns warnings for the summary (e.g. bad hand-written questions).
ReindexHook = Callable[[AsyncSession, ReindexChange], Awaitable[list["SkippedFile"]]]
# Called after the reindex committed and its engine serves, with that engine's index version: work
# that must not hold the index's write lock (generating quiz questions). It stores what it makes in
# transactions of its own; its failure is logged, never the reindex's.
AfterReindex = Callable[[ReindexChange, int], Awaitable[None]]


PARALLEL_THRESHOLD = 200  # notes; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class ReindexSummary:
    """What a reindex did, for people (CLI, Discord) and machines (`--json`)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[SkippedFile] = field(default_factory=list)  # indexed, but with a problem
    chunks: int = 0
    files: int = 0
    seconds: float = 0.0
    version: int = 0

    @property
    def empty(self) -> bool:
        return self.files == 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def change_report(self) -> str:
        """One line saying what changed, for the log and standard error."""
        parts = []
        for label, paths in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if paths:
                named = strip_control(", ".join(paths[:3])) + (", …" if len(paths) > 3 else "")
                parts.append(f"{len(paths)} {label} ({named})")
        report = ", ".join(parts) or "nothing changed"
        report += f", {self.unchanged} unchanged"
        if self.skipped:
            report += f", {len(self.skipped)} skipped"
        if self.warnings:
            report += f", {len(self.warnings)} with warnings"
        return f"notes: {report} ({self.files} files, {self.chunks} chunks)"

    @property
    def notice(self) -> str | None:
        """A warning a person must see: the notes folder had no notes."""
        if not self.empty:
            return None
        lost = f" ({len(self.removed)} previously indexed files removed)" if self.removed else ""
        return f"the notes folder has no notes: the index is now empty{lost}"

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "warnings": [{"path": s.path, "reason": s.reason} for s in self.warnings],
            "chunks": self.chunks,
            "files": self.files,
            "seconds": round(self.seconds, 3),
            "version": self.version,
        }


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs to know about the notes and how to index them."""

    notes_dir: Path
    synonyms_file: Path | None
    max_file_bytes: int = 5 * 1024 * 1024
    chunking: ChunkingParams = ChunkingParams()
    bm25: Bm25Params = Bm25Params()
    query: QueryParams = QueryParams()
    rank: RankParams = RankParams()

    @property
    def folder(self) -> str:
        """The notes folder as the index records it: resolved, so two spellings are one folder,
        and with any undecodable bytes of its name escaped, so every database can store it."""
        return os.fsencode(os.path.realpath(self.notes_dir)).decode("utf-8", "backslashreplace")

    def stored_parameters(self) -> dict[str, object]:
        """Parameters that shape the stored chunks: if they change, every note is re-analysed."""
        return {
            "analyzer_version": ANALYZER_VERSION,
            "chunk_min_words": self.chunking.min_words,
            "chunk_max_words": self.chunking.max_words,
        }


class NotesService:
    """Holds the engine that answers questions, and rebuilds it from the notes on request."""

    def __init__(
        self,
        config: ServiceConfig,
        sessions: async_sessionmaker[AsyncSession],
        *,
        analyzer: Analyzer | None = None,
        clock: Clock = utc_now,
        on_reindex: ReindexHook | None = None,
        after_reindex: AfterReindex | None = None,
        observe: RunObserver | None = None,
    ) -> None:
        self.config = config
        self.observe = observe
        self.on_reindex = on_reindex
        self.after_reindex = after_reindex
        self.sessions = sessions
        self.analyzer = analyzer or Analyzer()
        self.clock = clock
        self._synonyms = SynonymTable()
        self._synonyms_problem: str | None = None  # the last rejection logged, to log it once
        self._foreign_version: int | None = None  # a stored index of another folder, logged once
        self._engine = build_engine([], self.analyzer, self._synonyms, config.bm25, config.query, config.rank)
        self._version: int | None = None
        self._lock = asyncio.Lock()
        self._snapshot_tasks: set[asyncio.Task[None]] = set()

    @property
    def engine(self) -> SearchEngine:
        return self._engine

    @property
    def version(self) -> int | None:
        """The index version now serving (None before the first load)."""
        return self._version

    @property
    def reindexing(self) -> bool:
        return self._lock.locked()

    def search(self, question: str, k: int = 3, offset: int = 0) -> Answer:
        return self._engine.search(question, k=k, offset=offset)

    async def start(self, progress: Progress | None = None) -> ReindexSummary:
        """Load the stored index, then bring it up to date with the notes folder; return what
        changed (the summary of that reindex).

        The stored index (chunks and a snapshot of the built index) is loaded without reading
        any note; the folder scan that follows reads only files whose size or modification time
        changed, and writes nothing when nothing did. Chunks made with other parameters, or from
        another folder, are never loaded: every note is then indexed anew.
        """
        check_notes_folder(self.config.notes_dir)  # before loading an index that could not serve
        self._synonyms, _ = self._read_synonyms()
        async with self.sessions() as session:
            repo = NotesRepository(session)
            state = await repo.index_state()
            usable = state is not None and not self._outdated(state) and not self._switched(state)
            loaded = await self._load_engine(repo, state.version) if usable and state is not None else None
        if loaded is not None and state is not None:
            self._engine, from_snapshot = loaded
            self._version = state.version
            if not from_snapshot:  # an index stored before snapshots existed: keep one for next time
                await self._store_snapshot(state.version, self._engine.index)
        summary = await self._run_reindex(_Run.begin(self.clock(), progress=progress, at_start=True))
        if summary.changed_anything or summary.warnings:
            log.info("%s", summary.change_report())
        else:
            log.debug("%s", summary.change_report())
        return summary

    async def refresh_if_stale(self) -> bool:
        """Reload the index if another process reindexed since; True when it did.

        Shielded: a cancelled caller must not cut a database call in half (an aiosqlite
        connection interrupted mid-query can keep SQLite's lock and jam later writers).
        """
        if self.reindexing:
            return False
        return await asyncio.shield(self._refresh())

    async def _refresh(self) -> bool:
        async with self.sessions() as session:
            repo = NotesRepository(session)
            state = await repo.index_state()
            if state is None or state.version == self._version:
                return False
            if self._switched(state) or self._outdated(state):  # another process, another folder:
                if state.version != self._foreign_version:  # never answer from its notes
                    log.warning("the index was rebuilt from %s, not this bot's notes folder %s: keeping "
                                "this bot's index", state.parameters.get("notes_dir"), self.config.folder)
                    self._foreign_version = state.version
                return False
            self._engine, _ = await self._load_engine(repo, state.version)
        self._version = state.version
        return True

    async def _load_engine(self, repo: NotesRepository, version: int) -> tuple[SearchEngine, bool]:
        """The engine of stored index `version`, and whether its snapshot served.

        With a snapshot, the chunks are read without their words (the snapshot has them);
        otherwise, or if the snapshot does not fit, with them, and the index is built.
        """
        snapshot = await repo.index_snapshot(version)
        if snapshot is not None:
            documents = await repo.load_documents(words=False)
            index = await asyncio.to_thread(SearchIndex.from_snapshot, documents, snapshot, self.config.bm25)
            if index is not None:
                return SearchEngine(index, self.analyzer, self._synonyms, self.config.query, self.config.rank), True
        documents = await repo.load_documents()
        return await asyncio.to_thread(self._build, documents, self._synonyms), False

    async def reindex(
        self,
        *,
        requested_by: int | None = None,
        guild_id: int | None = None,
        progress: Progress | None = None,
    ) -> ReindexSummary:
        """Bring the index up to date with the notes folder; raise ReindexInProgress if busy."""
        run = _Run.begin(self.clock(), requested_by=requested_by, guild_id=guild_id, progress=progress)
        return await self._run_reindex(run)

    async def _run_reindex(self, run: "_Run") -> ReindexSummary:
        if self._lock.locked():
            self._observe("busy", None)
            raise ReindexInProgress("a reindex is already running; try again when it finishes")
        async with self._lock:
            try:
                outcome = await self._reindex(run)
            except NotesBotError:
                self._observe("failed", time.perf_counter() - run.started)
                raise  # an expected refusal (no folder): nothing to record
            except BaseException as exc:
                cancelled = isinstance(exc, asyncio.CancelledError)
                self._observe("cancelled" if cancelled else "failed", time.perf_counter() - run.started)
                await self._record_failure(run, exc)
                raise
            if outcome.version != self._version:  # a new version: its snapshot is written after the swap
                task = asyncio.create_task(self._store_snapshot(outcome.version, outcome.engine.index))
                self._snapshot_tasks.add(task)
                task.add_done_callback(self._snapshot_tasks.discard)
            self._engine, self._version = outcome.engine, outcome.version
            summary = outcome.summary
            self._observe("ok", summary.seconds)
            if outcome.written:
                log.info("reindexed: %d files, %d chunks in %.2fs (version %d)",
                         summary.files, summary.chunks, summary.seconds, outcome.version)
            if self.after_reindex is not None and outcome.change is not None:
                try:
                    await self.after_reindex(outcome.change, outcome.version)
                except NotesBotError as exc:  # the index is in; what follows it can wait for the fill
                    log.warning("after the reindex: %s", exc)
                except Exception:  # noqa: BLE001 - likewise, with the details for the operator
                    log.warning("after the reindex: an unexpected error", exc_info=True)
            return summary

    def _observe(self, outcome: str, seconds: float | None) -> None:
        if self.observe is not None:
            try:
                self.observe(outcome, seconds)
            except Exception:  # noqa: BLE001 - counting must never break a reindex
                log.warning("the reindex observer failed", exc_info=True)

    async def aclose(self) -> None:
        """Finish writing the last index snapshot (call before closing the database)."""
        if self._snapshot_tasks:
            await asyncio.gather(*self._snapshot_tasks)

    async def _store_snapshot(self, version: int, index: SearchIndex) -> None:
        """Save the built index beside its version, so the next start loads it instead of
        rebuilding. Best effort: without it, the next start simply builds the index."""
        try:
            data = await asyncio.to_thread(index.snapshot)
            async with self.sessions() as session, session.begin():
                await NotesRepository(session).store_snapshot(version, data, created_at=self.clock())
        except Exception:  # noqa: BLE001 - an optimisation must never break the service
            log.warning("could not store the index snapshot of version %d", version, exc_info=True)

    async def last_reindex(self) -> ReindexRunRecord | None:
        async with self.sessions() as session:
            return await NotesRepository(session).last_reindex_run()

    async def _reindex(self, run: "_Run") -> "_Outcome":
        """Scan and analyse outside any transaction (slow, and SQLite would block every other
        writer meanwhile), then write, build and record in one short transaction. If another
        process reindexed in between, the plan is made again under the lock."""
        config = self.config
        synonyms, synonyms_problem = self._read_synonyms()
        async with self.sessions() as session:
            repo = NotesRepository(session)
            planned_state, stored = await repo.index_state(), await repo.stored_files()
        reanalyse, switched = self._outdated(planned_state), self._switched(planned_state)
        scan = await asyncio.to_thread(scan_notes, config.notes_dir, max_bytes=config.max_file_bytes,
                                       known=None if reanalyse or switched else _known_hashes(stored))
        plan = _Plan.of(scan, stored, reanalyse, switched)
        analysed = await asyncio.to_thread(self._analyse, plan.todo, run.progress)
        extra = [synonyms_problem] if synonyms_problem else []
        if (run.at_start and not plan.todo and not plan.removed and not reanalyse and not switched
                and planned_state is not None and planned_state.version == self._version):
            # Nothing changed since the stored index: keep it, write nothing.
            engine = self._engine if synonyms == self._synonyms else SearchEngine(
                self._engine.index, self.analyzer, synonyms, config.query)
            self._synonyms = synonyms
            warnings, change = await self._hook_unchanged(engine, synonyms)
            summary = plan.summary(scan, analysed, extra + warnings, chunks=len(self._engine.documents),
                                   seconds=time.perf_counter() - run.started, version=planned_state.version)
            return _Outcome(summary, engine, planned_state.version, written=False, change=change)
        if switched and planned_state is not None:
            log.warning("the notes folder is now %s (the index was built from %s): indexing it anew",
                        config.folder, planned_state.parameters.get("notes_dir", "an unrecorded folder"))
        async with self.sessions() as session, session.begin():
            repo = NotesRepository(session)
            await repo.lock_index()
            state = await repo.index_state()
            if _version(state) != _version(planned_state):  # someone else reindexed meanwhile:
                reanalyse, switched = self._outdated(state), self._switched(state)  # plan again,
                scan = await asyncio.to_thread(scan_notes, config.notes_dir,  # reading every note
                                               max_bytes=config.max_file_bytes)  # (rare, so simple)
                plan = _Plan.of(scan, await repo.stored_files(), reanalyse, switched)
                analysed = await asyncio.to_thread(self._analyse, plan.todo, run.progress)
            now = self.clock()
            await repo.replace_files([FileChunks(a.note, a.chunked.title, tuple(a.chunked.tags), tuple(a.documents))
                                      for a in analysed], indexed_at=now)
            await repo.delete_files(plan.removed)
            fresh = [d for item in analysed for d in item.documents]
            reusable = not reanalyse and not switched and state is not None and state.version == self._version
            if len(plan.todo) == plan.files:  # every note was analysed just now
                documents = fresh
            elif reusable:  # the serving index is this very version: patch it in memory
                dropped = set(plan.changed) | set(plan.removed)
                documents = [d for d in self._engine.documents if d.chunk.source not in dropped] + fresh
                documents.sort(key=lambda d: (d.chunk.source, d.chunk.ordinal))
            else:  # another process reindexed before: start from what is stored
                documents = await repo.load_documents()
            previous = self._engine.index if reusable else None
            engine = await asyncio.to_thread(self._build, documents, synonyms, previous)
            if plan.todo or plan.removed or state is None or reanalyse or switched:
                state = await repo.save_index_state(
                    built_at=now,
                    parameters={"stored": config.stored_parameters(), "bm25": config.bm25.as_dict(),
                                "notes_dir": config.folder},
                    file_count=plan.files,
                    chunk_count=len(documents),
                )
            change = ReindexChange(engine, synonyms, fresh, plan.changed + plan.removed,
                                   len(plan.todo) == plan.files, config.notes_dir, now)
            if self.on_reindex is not None:
                extra = extra + await self.on_reindex(session, change)
            summary = plan.summary(scan, analysed, extra, chunks=len(documents),
                                   seconds=time.perf_counter() - run.started, version=state.version)
            await repo.add_reindex_run(self._run_record(run, summary))
        self._synonyms = synonyms
        return _Outcome(summary, engine, state.version, written=True, change=change)

    async def _hook_unchanged(self, engine: SearchEngine,
                              synonyms: SynonymTable) -> tuple[list[SkippedFile], ReindexChange | None]:
        """No note changed, but what the hook keeps beside the index may have (the quiz pool's
        hand-written files, or a pool never built for an index from before it): let it catch up in
        a short transaction of its own."""
        if self.on_reindex is None:
            return [], None
        async with self.sessions() as session, session.begin():
            await NotesRepository(session).lock_index()
            change = ReindexChange(engine, synonyms, [], [], False, self.config.notes_dir, self.clock())
            return await self.on_reindex(session, change), change

    def _read_synonyms(self) -> tuple[SynonymTable, SkippedFile | None]:
        """The synonyms file's groups; a bad file is reported (logged once while it stays the
        same) and the previous groups kept."""
        try:
            synonyms = load_synonyms(self.config.synonyms_file, self.analyzer, self.config.notes_dir)
        except SynonymsError as exc:
            if str(exc) != self._synonyms_problem:
                log.warning("%s; keeping the previous synonyms", exc)
            self._synonyms_problem = str(exc)
            return self._synonyms, SkippedFile(str(exc.path), f"{exc.reason}; the previous synonyms are kept")
        self._synonyms_problem = None
        return synonyms, None

    def _outdated(self, state: IndexStateRecord | None) -> bool:
        """True when the stored chunks were made with other parameters (or there are none)."""
        return state is None or state.parameters.get("stored") != self.config.stored_parameters()

    def _switched(self, state: IndexStateRecord | None) -> bool:
        """True when the stored index was built from another folder (or does not say which)."""
        return state is not None and state.parameters.get("notes_dir") != self.config.folder

    def _analyse(self, notes: list[NoteFile], progress: Progress | None) -> list[AnalysedNote]:
        """Chunk and analyse notes; a large batch is spread over worker processes."""
        workers = min(os.cpu_count() or 1, 8)
        if len(notes) < PARALLEL_THRESHOLD or workers < 2:
            results = (analyse_note(note, self.analyzer, self.config.chunking) for note in notes)
            return _with_progress(results, len(notes), progress)
        with analysis_pool(workers) as pool:
            chunking = [self.config.chunking] * len(notes)
            results = pool.map(_analyse_in_worker, notes, chunking, chunksize=max(1, len(notes) // (workers * 8)))
            return _with_progress(results, len(notes), progress)

    def _build(self, documents: list[Document], synonyms: SynonymTable,
               previous: SearchIndex | None = None) -> SearchEngine:
        """An engine over `documents`: updated from the `previous` index (reusing its unchanged
        chunks) when there is one, else built anew."""
        if previous is not None and previous.params == self.config.bm25:
            index = SearchIndex.updated(previous, documents, self.analyzer.stems)
            return SearchEngine(index, self.analyzer, synonyms, self.config.query, self.config.rank)
        return build_engine(documents, self.analyzer, synonyms, self.config.bm25, self.config.query, self.config.rank)

    def _run_record(self, run: "_Run", summary: ReindexSummary) -> ReindexRunRecord:
        return ReindexRunRecord(
            started_at=run.started_at, finished_at=self.clock(), status="ok", requested_by=run.requested_by,
            guild_id=run.guild_id, added=len(summary.added), changed=len(summary.changed),
            removed=len(summary.removed), unchanged=summary.unchanged, chunks=summary.chunks,
            skipped=[{"path": s.path, "reason": s.reason} for s in summary.skipped],
            seconds=summary.seconds, error=None,
        )

    async def _record_failure(self, run: "_Run", exc: BaseException) -> None:
        """Keep a trace of a failed reindex; never let that bookkeeping hide the real error."""
        record = ReindexRunRecord(
            started_at=run.started_at, finished_at=self.clock(), status="failed", requested_by=run.requested_by,
            guild_id=run.guild_id, added=0, changed=0, removed=0, unchanged=0, chunks=0, skipped=[],
            seconds=time.perf_counter() - run.started, error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        try:
            async with self.sessions() as session, session.begin():
                await NotesRepository(session).add_reindex_run(record)
        except Exception:  # noqa: BLE001 - the original error matters more
            log.warning("could not record the failed reindex", exc_info=True)


@dataclass(frozen=True)
class _Run:
    """One reindex request: who asked, when it began, where progress goes."""

    started_at: datetime
    started: float  # perf_counter() at the start, for the summary's seconds
    requested_by: int | None = None
    guild_id: int | None = None
    progress: Progress | None = None
    at_start: bool = False  # a start-up: when nothing changed, write nothing

    @classmethod
    def begin(cls, now: datetime, **details: Any) -> "_Run":
        return cls(now, time.perf_counter(), **details)


@dataclass(frozen=True)
class _Outcome:
    """What a reindex produced, swapped in by `_run_reindex` once it is committed."""

    summary: ReindexSummary
    engine: SearchEngine
    version: int
    written: bool  # False when nothing changed at a start and the database was left alone
    change: ReindexChange | None = None  # for `after_reindex`


@dataclass(frozen=True)
class _Plan:
    """What a reindex must do: which notes are new, changed (to analyse) or gone."""

    added: list[str]
    changed: list[str]
    removed: list[str]
    todo: list[NoteFile]
    files: int

    @classmethod
    def of(cls, scan: NoteScan, stored: dict[str, StoredFile], reanalyse: bool, switched: bool = False) -> "_Plan":
        """`switched`: the stored files came from another folder, so every note is new and every
        stored path not in this folder is removed (the others are overwritten)."""
        current = {note.path: note for note in scan.files}
        if switched:
            added, changed = sorted(current), []
        else:
            added = sorted(p for p in current if p not in stored)
            changed = sorted(p for p in current if p in stored
                             and (reanalyse or stored[p].content_hash != current[p].content_hash))
        removed = sorted(p for p in stored if p not in current)
        todo = [current[p] for p in sorted(added + changed)]
        return cls(added, changed, removed, todo, len(current))

    def summary(self, scan: NoteScan, analysed: list[AnalysedNote], extra: list[SkippedFile], *,
                chunks: int, seconds: float, version: int) -> ReindexSummary:
        warnings = [SkippedFile(n.path, n.warning) for n in scan.files if n.warning]
        warnings += [SkippedFile(a.note.path, a.chunked.warning) for a in analysed if a.chunked.warning]
        warnings.sort(key=lambda w: (w.path, w.reason))
        return ReindexSummary(
            added=self.added, changed=self.changed, removed=self.removed,
            unchanged=self.files - len(self.todo), skipped=scan.skipped,
            warnings=warnings + extra,
            chunks=chunks, files=self.files, seconds=seconds, version=version,
        )


def _version(state: IndexStateRecord | None) -> int | None:
    return None if state is None else state.version


def _known_hashes(stored: dict[str, StoredFile]) -> KnownHash:
    """Lets the scan skip reading files whose size and modification time are as stored."""

    def known(path: str, size: int, modified_at: datetime) -> str | None:
        record = stored.get(path)
        if record is not None and record.size == size and record.modified_at == modified_at:
            return record.content_hash
        return None

    return known


def _with_progress(results: Iterable[AnalysedNote], total: int, progress: Progress | None) -> list[AnalysedNote]:
    out = []
    for item in results:
        out.append(item)
        if progress:
            progress(len(out), total)
    return out


_WORKER_ANALYZER: Analyzer | None = None


def _analyse_in_worker(note: NoteFile, chunking: ChunkingParams) -> AnalysedNote:
    """Runs in a worker process, which keeps one analyser (and its caches) for all its notes."""
    global _WORKER_ANALYZER
    if _WORKER_ANALYZER is None:
        _WORKER_ANALYZER = Analyzer()
    return analyse_note(note, _WORKER_ANALYZER, chunking)
