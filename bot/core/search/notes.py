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
* Paths must fit the database: a name that is not valid UTF-8 (no database can store it, and no
  citation could show it) and a relative path over ``MAX_PATH_CHARS`` are reported and skipped;
  the report shows the name with its bad bytes replaced (U+FFFD).
* A file is opened by its resolved path with ``O_NOFOLLOW``, and the opened file is checked again
  (the same file that was found, still inside the folder): a note swapped for a symlink between
  the scan and the read is never read from outside the folder.
"""

from __future__ import annotations

import errno
import functools
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
MAX_PATH_CHARS = 1024  # note_files.path is String(1024); a test keeps the two equal

_UTF8_BOM = b"\xef\xbb\xbf"
_OUTSIDE = "symlink points outside the notes folder"
_BAD_UTF8 = "not valid UTF-8; undecodable bytes replaced"
_BAD_NAME = "file name is not valid UTF-8"
_LONG_PATH = f"path longer than {MAX_PATH_CHARS} characters"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_PROC_FD = Path("/proc/self/fd")


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
    real_root = check_notes_folder(Path(root))
    candidates, skipped = _walk(real_root)
    files: list[NoteFile] = []
    for candidate in _unique(candidates):
        result = _read_found(real_root, candidate.rel, candidate.real, max_bytes, known)
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
    real_root = str(root) if real_path is not None else os.path.realpath(root)
    real = real_path or os.path.realpath(Path(root) / rel)
    return _read_found(real_root, rel, real, max_bytes, known)


def _read_found(real_root: str, rel: str, real: str, max_bytes: int, known: KnownHash | None) -> NoteFile | SkippedFile:
    """`read_note` for a file the walk found: paths already normalised and resolved (parsing
    them again took most of a start-up scan's time)."""
    if not _inside(real, real_root):
        return SkippedFile(rel, _OUTSIDE)
    try:
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            return SkippedFile(rel, "not a regular file")
        if info.st_size > max_bytes:
            return SkippedFile(rel, f"larger than {max_bytes} bytes")
        modified_at = datetime.fromtimestamp(info.st_mtime, tz=UTC)
        known_hash = known(rel, info.st_size, modified_at) if known else None
        if known_hash is not None:
            return NoteFile(rel, "", known_hash, info.st_size, modified_at, reused=True)
        data = _read_bytes(real, max_bytes + 1, info, real_root)
    except _Swapped:
        return SkippedFile(rel, _OUTSIDE)
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


class _Swapped(Exception):
    """The file opened is not the one found: replaced by a symlink or moved out meanwhile."""


def _read_bytes(real: str, limit: int, found: os.stat_result, real_root: str) -> bytes:
    """Read at most `limit` bytes of the file found at `real`, so a file growing under us cannot
    exhaust memory, and only if the file opened is that very file, still inside the folder.

    `O_NOFOLLOW` refuses a last component that became a symlink; a folder above it swapped for a
    link is caught by resolving the open descriptor (Linux) and comparing device and inode.
    """
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _Swapped from None
        raise
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (found.st_dev, found.st_ino):
            raise _Swapped
        if _proc_fd_available() and not _inside(os.path.realpath(_PROC_FD / str(fd)), real_root):
            raise _Swapped
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@functools.cache
def _proc_fd_available() -> bool:
    """Whether open descriptors can be resolved to paths through /proc (Linux)."""
    return _PROC_FD.is_dir()


def printable_path(path: str) -> str:
    """`path` with undecodable bytes (surrogate escapes from the file system) shown as U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_notes_folder(root: Path) -> str:
    """The real path of the notes folder; raise NotesFolderError if it is missing, not a folder
    or unlistable (a setup error, which every command reports before doing anything else)."""
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
    if not _valid_name(entry.name):
        try:
            named_like_note = is_note_name(entry.name) or entry.is_dir(follow_symlinks=True)
        except OSError:
            named_like_note = False
        if named_like_note:
            skipped.append(SkippedFile(printable_path(entry_rel), _BAD_NAME))
        return
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
        if len(entry_rel) > MAX_PATH_CHARS:
            skipped.append(SkippedFile(entry_rel, _LONG_PATH))
        else:
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
