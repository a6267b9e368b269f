"""The quiz files of a notes folder (`quiz/*.yaml`, `*.yml`), read as notes are: inside the folder,
bounded, and parsed again only when they change.

Why: moderators write them, and every reindex reads them inside its transaction. So a file is
read by `notes.read_note`, which refuses a link that leaves the notes folder (to a secrets file,
to /proc/self/environ) and anything but a regular file; a file, the entries in it and all the
files together are bounded (a 100,000-entry file took a minute and a gigabyte on every start);
and `QuizFiles` keeps what each file held while its size and time stay the same. A problem is one
line for its file (`moderator_yaml`): the file is skipped, or only its entries past the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.moderator_yaml import YamlRefused, load_text_yaml
from bot.core.search.notes import SkippedFile, read_note

SUFFIXES = (".yaml", ".yml")
MAX_FILES = 100
MAX_FILE_BYTES = 256 * 1024  # about 1,000 entries
MAX_TOTAL_BYTES = 512 * 1024  # all the files together: what a start may spend parsing (about 1 s)
MAX_ENTRIES = 1000  # per file
_MAX_DEPTH = 4  # `questions:` → the list of entries → an entry → its `choices`


@dataclass(frozen=True)
class QuizFile:
    """What one file holds: its entries (unchecked), and a problem with the file as a whole."""

    label: str  # its path in the notes folder, "quiz/k8s.yaml"
    entries: tuple[Any, ...] = ()
    problem: str | None = None


class QuizFiles:
    """Reads the quiz files; a file whose size and time are unchanged since the last read is not
    read or parsed again."""

    def __init__(self) -> None:
        self._parsed: dict[str, tuple[int, datetime, QuizFile]] = {}

    def read(self, quiz_dir: Path) -> list[QuizFile]:
        """Every quiz file under `quiz_dir` (a folder of the notes), sorted by path."""
        if not quiz_dir.is_dir():
            self._parsed = {}
            return []
        root = quiz_dir.parent
        paths = sorted(p for p in quiz_dir.rglob("*") if p.suffix in SUFFIXES and (p.is_symlink() or p.is_file()))
        labels = [p.relative_to(root).as_posix() for p in paths]
        found: list[QuizFile] = []
        parsed: dict[str, tuple[int, datetime, QuizFile]] = {}
        budget = MAX_TOTAL_BYTES
        for label in labels[:MAX_FILES]:
            quiz_file, size, modified_at = self._read_one(root, label, budget)
            budget -= size
            found.append(quiz_file)
            if modified_at is not None:
                parsed[label] = (size, modified_at, quiz_file)
        if len(labels) > MAX_FILES:
            more = len(labels) - MAX_FILES - 1
            found.append(QuizFile(labels[MAX_FILES], problem=f"not read, nor the {more} files after it: "
                                                             f"at most {MAX_FILES} quiz files are read"))
        self._parsed = parsed
        return found

    def _read_one(self, root: Path, label: str, budget: int) -> tuple[QuizFile, int, datetime | None]:
        """The file, its size, and its time when what it held may be kept for the next read."""
        kept = self._parsed.get(label)

        def unchanged(_path: str, size: int, when: datetime) -> str | None:
            return "kept" if kept is not None and kept[:2] == (size, when) else None

        note = read_note(root, label, max_bytes=MAX_FILE_BYTES, known=unchanged)
        if isinstance(note, SkippedFile):
            return QuizFile(label, problem=note.reason), 0, None
        if note.size > budget:
            return QuizFile(label, problem=f"not read: the quiz files together may hold at most {MAX_TOTAL_BYTES} "
                                           "bytes"), 0, None
        if note.reused and kept is not None:
            return kept[2], note.size, note.modified_at
        if note.warning:
            return QuizFile(label, problem="cannot read the file: not valid UTF-8"), note.size, note.modified_at
        return _parsed(label, note.text), note.size, note.modified_at


def _parsed(label: str, text: str) -> QuizFile:
    try:
        data = load_text_yaml(text, max_depth=_MAX_DEPTH)
    except YamlRefused as exc:
        return QuizFile(label, problem=str(exc))
    if data is None:
        return QuizFile(label)
    if isinstance(data, dict) and set(data) == {"questions"}:
        data = data["questions"] or []
    if not isinstance(data, list):
        return QuizFile(label, problem="expected `questions:` followed by a list of entries")
    if len(data) > MAX_ENTRIES:
        return QuizFile(label, tuple(data[:MAX_ENTRIES]),
                        f"more than {MAX_ENTRIES} entries: those after entry {MAX_ENTRIES} are ignored")
    return QuizFile(label, tuple(data))
