"""Finding and reading note files safely: bad files are reported and skipped, never fatal.

Rules (why: one broken file must never stop the whole notes folder from being indexed):

* Notes are regular files named ``*.md``, ``*.markdown`` or ``*.txt`` (any case) below the root,
  sorted by POSIX path relative to the root. Other files are ignored without a report. Hidden
  entries (name starting with ".", e.g. ``.git``, editor lock and swap files) are skipped.
* A directory named like a note (``old.md/``) is just a folder and is searched.
* Symlinks (to files or folders) are followed only when they resolve inside the root; each real
  file is read once, under its own path when that is reachable, else under its first link path.
  Links resolving outside are reported ("symlink points outside the notes folder") when they
  point to a folder or are named like a note.
* Reported and skipped: notes larger than ``max_bytes``, binary notes (a NUL byte), notes that
  are not regular files (FIFOs, sockets, devices: reading could block), dangling links and
  anything that fails to read ("unreadable: <reason>"), and unlistable sub-folders.
* Text is UTF-8 (a BOM is dropped); invalid bytes are replaced and flagged in ``warning``.
  "\\r\\n" and "\\r" become "\\n" so line numbers match what editors show.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bot.core.errors import NotesFolderError

NOTE_SUFFIXES = (".md", ".markdown", ".txt")

_UTF8_BOM = b"\xef\xbb\xbf"
_OUTSIDE = "symlink points outside the notes folder"
_BAD_UTF8 = "not valid UTF-8; undecodable bytes replaced"


@dataclass(frozen=True)
class NoteFile:
    """One readable note: its text and what identifies this version of it."""

    path: str  # POSIX path relative to the notes folder, e.g. "storage/pvc.md"
    text: str  # decoded UTF-8 (invalid bytes replaced, see `warning`)
    content_hash: str  # sha256 hex of the raw bytes
    size: int  # bytes
    modified_at: datetime  # timezone-aware UTC
    warning: str | None = None  # e.g. "not valid UTF-8; undecodable bytes replaced"
    reused: bool = False  # not read: size and time matched the stored version (text is "")


KnownHash = Callable[[str, int, datetime], str | None]


@dataclass(frozen=True)
class SkippedFile:
    """A file under the notes folder that was not indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class NoteScan:
    """Everything found under the notes folder, sorted by path."""

    files: list[NoteFile]
    skipped: list[SkippedFile]


@dataclass(frozen=True)
class _Candidate:
    """A note-named entry found by the walk, before reading."""

    rel: str
    real: str
    via_link: bool


def is_note_name(name: str) -> bool:
    """True for names the bot indexes; the suffix check ignores case (NOTES.MD counts)."""
    return name.lower().endswith(NOTE_SUFFIXES)


def scan_notes(root: Path, *, max_bytes: int, known: KnownHash | None = None) -> NoteScan:
    """Read every note below `root`; raise NotesFolderError if `root` is not a folder.

    `known(path, size, modified_at)` may return the content hash stored for a file whose size and
    modification time are unchanged: that file is then not read again (like git's stat cache), and
    its NoteFile carries the known hash, `reused=True` and no text.
    """
    real_root = _check_root(Path(root))
    candidates, skipped = _walk(real_root)
    files: list[NoteFile] = []
    for candidate in _unique(candidates):
        result = read_note(real_root, candidate.rel, max_bytes=max_bytes, known=known, real_path=candidate.real)
        (files if isinstance(result, NoteFile) else skipped).append(result)
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: (s.path, s.reason))
    return NoteScan(files=files, skipped=skipped)


def read_note(
    root: Path | str, path: str | Path, *, max_bytes: int, known: KnownHash | None = None,
    real_path: str | None = None,
) -> NoteFile | SkippedFile:
    """Read one note (path relative to `root`), or say why it cannot be indexed.

    `real_path`, when the caller has already resolved the file (and `root` is resolved too),
    saves resolving every component of the path again.
    """
    rel = PurePosixPath(Path(path).as_posix()).as_posix()
    full = Path(root) / rel
    real_root = str(root) if real_path is not None else os.path.realpath(root)
    if not _inside(real_path or os.path.realpath(full), real_root):
        return SkippedFile(rel, _OUTSIDE)
    try:
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):
            return SkippedFile(rel, "not a regular file")
        if info.st_size > max_bytes:
            return SkippedFile(rel, f"larger than {max_bytes} bytes")
        modified_at = datetime.fromtimestamp(info.st_mtime, tz=UTC)
        known_hash = known(rel, info.st_size, modified_at) if known else None
        if known_hash is not None:
            return NoteFile(rel, "", known_hash, info.st_size, modified_at, reused=True)
        data = _read_bytes(full, max_bytes + 1)
    except OSError as exc:
        return SkippedFile(rel, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:  # grew after stat()
        return SkippedFile(rel, f"larger than {max_bytes} bytes")
    if b"\x00" in data:
        return SkippedFile(rel, "binary file (NUL bytes)")
    return _note_from_bytes(rel, data, info.st_mtime)


def decode_note(data: bytes) -> tuple[str, str | None]:
    """Decode note bytes leniently: a bad byte should cost a character, not the whole note."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text, warning = data.decode("utf-8"), None
    except UnicodeDecodeError:
        text, warning = data.decode("utf-8", errors="replace"), _BAD_UTF8
    return text.replace("\r\n", "\n").replace("\r", "\n"), warning


def _note_from_bytes(rel: str, data: bytes, mtime: float) -> NoteFile:
    text, warning = decode_note(data)
    return NoteFile(
        path=rel,
        text=text,
        content_hash=hashlib.sha256(data).hexdigest(),
        size=len(data),
        modified_at=datetime.fromtimestamp(mtime, tz=UTC),
        warning=warning,
    )


def _read_bytes(path: Path, limit: int) -> bytes:
    """Read at most `limit` bytes, so a file growing under us cannot exhaust memory."""
    with path.open("rb") as handle:
        return handle.read(limit)


def _check_root(root: Path) -> str:
    """The real path of the notes folder; a missing or unlistable root is a setup error."""
    try:
        info = root.stat()
    except OSError as exc:
        raise NotesFolderError(f"notes folder not found: {root}") from exc
    if not stat.S_ISDIR(info.st_mode):
        raise NotesFolderError(f"notes folder is not a folder: {root}")
    real_root = os.path.realpath(root)
    try:
        os.scandir(real_root).close()
    except OSError as exc:
        raise NotesFolderError(f"notes folder is unreadable: {root}: {exc.strerror}") from exc
    return real_root


def _walk(real_root: str) -> tuple[list[_Candidate], list[SkippedFile]]:
    """Find note candidates breadth-first; linked folders are walked last, each real folder once."""
    candidates: list[_Candidate] = []
    skipped: list[SkippedFile] = []
    pending: deque[tuple[str, str, bool]] = deque([(real_root, "", False)])
    linked: deque[tuple[str, str, bool]] = deque()
    visited: set[str] = set()
    while pending or linked:
        folder, rel, via_link = pending.popleft() if pending else linked.popleft()
        real_folder = os.path.realpath(folder)
        if real_folder in visited:
            continue
        visited.add(real_folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(SkippedFile(rel or ".", f"unreadable: {exc.strerror}"))
            continue
        for entry in entries:
            _visit(entry, rel, via_link, real_root, real_folder, candidates, skipped, pending, linked)
    return candidates, skipped


def _visit(
    entry: os.DirEntry[str],
    rel: str,
    via_link: bool,
    real_root: str,
    real_folder: str,
    candidates: list[_Candidate],
    skipped: list[SkippedFile],
    pending: deque[tuple[str, str, bool]],
    linked: deque[tuple[str, str, bool]],
) -> None:
    """Classify one directory entry: a folder to walk, a note candidate, a report, or nothing."""
    if entry.name.startswith("."):
        return
    entry_rel = f"{rel}/{entry.name}" if rel else entry.name
    is_link = entry.is_symlink()
    # only a link can lead elsewhere: the folder is already resolved, so join instead of lstat-ing
    real = os.path.realpath(entry.path) if is_link else os.path.join(real_folder, entry.name)
    try:
        is_dir = entry.is_dir(follow_symlinks=True)
    except OSError:
        is_dir = False
    if is_link and not _inside(real, real_root):
        if is_dir or is_note_name(entry.name):
            skipped.append(SkippedFile(entry_rel, _OUTSIDE))
        return
    if is_dir:
        (linked if is_link else pending).append((entry.path, entry_rel, via_link or is_link))
    elif is_note_name(entry.name):
        candidates.append(_Candidate(entry_rel, real, via_link or is_link))


def _unique(candidates: list[_Candidate]) -> list[_Candidate]:
    """One candidate per real file: prefer the path without links, then the first by name."""
    best: dict[str, _Candidate] = {}
    for candidate in candidates:
        current = best.get(candidate.real)
        if current is None or (candidate.via_link, candidate.rel) < (current.via_link, current.rel):
            best[candidate.real] = candidate
    return sorted(best.values(), key=lambda c: c.rel)


def _inside(path: str, real_root: str) -> bool:
    return path == real_root or path.startswith(real_root.rstrip(os.sep) + os.sep)
