"""Finding and reading note files safely: bad files are reported and skipped, never fatal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

NOTE_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class NoteFile:
    """One readable note: its text and what identifies this version of it."""

    path: str  # POSIX path relative to the notes folder, e.g. "storage/pvc.md"
    text: str  # decoded UTF-8 (invalid bytes replaced, see `warning`)
    content_hash: str  # sha256 hex of the raw bytes
    size: int  # bytes
    modified_at: datetime  # timezone-aware UTC
    warning: str | None = None  # e.g. "not valid UTF-8; undecodable bytes replaced"


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


def scan_notes(root: Path, *, max_bytes: int) -> NoteScan:
    """Read every note below `root`; raise NotesFolderError if `root` is not a folder."""
    raise NotImplementedError
