"""scan_notes: every bad file is reported and skipped, and the rest is still read."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.search import notes
from bot.core.errors import NotesFolderError
from bot.core.search.notes import NoteFile, SkippedFile, read_note, scan_notes

MAX = 1000


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


def paths(scan: notes.NoteScan) -> list[str]:
    return [f.path for f in scan.files]


def reasons(scan: notes.NoteScan) -> dict[str, str]:
    return {s.path: s.reason for s in scan.skipped}


def test_nested_folders_sorted_by_posix_path(tmp_path: Path) -> None:
    write(tmp_path, "z.md", "z")
    write(tmp_path, "storage/pvc.md", "pvc")
    write(tmp_path, "storage/deep/er/notes.txt", "deep")
    write(tmp_path, "a.markdown", "a")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["a.markdown", "storage/deep/er/notes.txt", "storage/pvc.md", "z.md"]
    assert scan.skipped == []


def test_suffix_filter_is_case_insensitive_and_silent(tmp_path: Path) -> None:
    write(tmp_path, "UPPER.MD", "u")
    write(tmp_path, "Mixed.Markdown", "m")
    write(tmp_path, "list.TXT", "t")
    write(tmp_path, "image.png", b"\x89PNG\x00\x00")
    write(tmp_path, "script.py", "print()")
    write(tmp_path, "noext", "x")
    write(tmp_path, "note.md.bak", "x")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["Mixed.Markdown", "UPPER.MD", "list.TXT"]
    assert scan.skipped == []


def test_hidden_folders_and_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD.md", "x")
    write(tmp_path, ".obsidian/workspace.md", "x")
    write(tmp_path, ".note.md.swp.md", "x")
    write(tmp_path, "visible.md", "v")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["visible.md"]
    assert scan.skipped == []


def test_note_content_hash_size_and_mtime(tmp_path: Path) -> None:
    data = "# Title\n\nbody é\n".encode()
    path = write(tmp_path, "n.md", data)
    os.utime(path, (1_700_000_000, 1_700_000_000))

    [note] = scan_notes(tmp_path, max_bytes=MAX).files

    assert note.text == "# Title\n\nbody é\n"
    assert note.content_hash == hashlib.sha256(data).hexdigest()
    assert note.size == len(data)
    assert note.modified_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert note.modified_at.tzinfo is not None
    assert note.warning is None


def test_oversize_file_is_skipped_others_still_read(tmp_path: Path) -> None:
    write(tmp_path, "big.md", "x" * 101)
    write(tmp_path, "exact.md", "x" * 100)

    scan = scan_notes(tmp_path, max_bytes=100)

    assert paths(scan) == ["exact.md"]
    assert reasons(scan) == {"big.md": "larger than 100 bytes"}


def test_nul_byte_means_binary(tmp_path: Path) -> None:
    write(tmp_path, "bin.md", b"text\x00more")
    write(tmp_path, "utf16.txt", "hello".encode("utf-16"))
    write(tmp_path, "ok.md", "ok")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {
        "bin.md": "binary file (NUL bytes)",
        "utf16.txt": "binary file (NUL bytes)",
    }


def test_invalid_utf8_is_indexed_with_warning(tmp_path: Path) -> None:
    data = b"caf\xe9 ok\n\xff\xfe end"
    write(tmp_path, "latin1.md", data)

    [note] = scan_notes(tmp_path, max_bytes=MAX).files

    assert note.text == "caf\ufffd ok\n\ufffd\ufffd end"
    assert note.warning == "not valid UTF-8; undecodable bytes replaced"
    assert note.content_hash == hashlib.sha256(data).hexdigest()
    assert note.size == len(data)


def test_bom_is_stripped(tmp_path: Path) -> None:
    write(tmp_path, "bom.md", b"\xef\xbb\xbf# Title\n")

    [note] = scan_notes(tmp_path, max_bytes=MAX).files

    assert note.text == "# Title\n"
    assert note.warning is None
    assert note.size == 11  # size and hash describe the raw bytes, BOM included


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\r\nb\r\n", "a\nb\n"),
        (b"a\rb\r", "a\nb\n"),
        (b"a\r\n\r\nb\rc\n", "a\n\nb\nc\n"),
    ],
)
def test_line_endings_normalised(tmp_path: Path, raw: bytes, expected: str) -> None:
    write(tmp_path, "n.md", raw)

    [note] = scan_notes(tmp_path, max_bytes=MAX).files

    assert note.text == expected
    assert note.content_hash == hashlib.sha256(raw).hexdigest()


def test_symlink_outside_root_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    outside = tmp_path / "outside"
    write(outside, "secret.md", "secret")
    write(root, "ok.md", "ok")
    (root / "leak.md").symlink_to(outside / "secret.md")
    (root / "leakdir").symlink_to(outside, target_is_directory=True)
    (root / "leak.png").symlink_to(outside / "secret.md")  # not a note name: ignored silently

    scan = scan_notes(root, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {
        "leak.md": "symlink points outside the notes folder",
        "leakdir": "symlink points outside the notes folder",
    }


def test_symlink_inside_root_is_followed_once(tmp_path: Path) -> None:
    write(tmp_path, "real/pvc.md", "pvc")
    write(tmp_path, ".attic/hidden.md", "hidden but linked")
    (tmp_path / "alias.md").symlink_to(tmp_path / "real" / "pvc.md")
    (tmp_path / "a-linked-dir").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "from-attic.md").symlink_to(tmp_path / ".attic" / "hidden.md")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    # each real file once: under its own path when walkable, else under its link's path
    assert paths(scan) == ["from-attic.md", "real/pvc.md"]
    assert scan.skipped == []


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    write(tmp_path, "sub/n.md", "n")
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["sub/n.md"]
    assert set(reasons(scan)) == {"a.md", "b.md"}
    assert all(r.startswith("unreadable: ") for r in reasons(scan).values())


def test_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    write(tmp_path, "ok.md", "ok")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {"gone.md": "unreadable: No such file or directory"}


def test_read_error_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root (tests may run as root), so simulate the failing read.
    write(tmp_path, "locked.md", "secret")
    write(tmp_path, "ok.md", "ok")
    real_read = notes._read_bytes

    def failing_read(path: str, limit: int, *args: object) -> bytes:
        if path.endswith("locked.md"):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, limit, *args)

    monkeypatch.setattr(notes, "_read_bytes", failing_read)

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {"locked.md": "unreadable: Permission denied"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_chmod_000_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.md", "secret")
    path.chmod(0)
    try:
        scan = scan_notes(tmp_path, max_bytes=MAX)
    finally:
        path.chmod(0o644)
    assert reasons(scan) == {"locked.md": "unreadable: Permission denied"}


def test_fifo_named_like_a_note_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")  # opening it would block forever
    write(tmp_path, "ok.md", "ok")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {"pipe.md": "not a regular file"}


def test_folder_named_like_a_note_is_searched(tmp_path: Path) -> None:
    write(tmp_path, "archive.md/inner.md", "inner")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["archive.md/inner.md"]
    assert scan.skipped == []


def test_missing_root_raises(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(NotesFolderError, match="notes folder not found"):
        scan_notes(missing, max_bytes=MAX)


def test_root_that_is_a_file_raises(tmp_path: Path) -> None:
    file = write(tmp_path, "file.md", "x")
    with pytest.raises(NotesFolderError, match="is not a folder"):
        scan_notes(file, max_bytes=MAX)


def test_root_may_be_a_symlink(tmp_path: Path) -> None:
    write(tmp_path, "real/n.md", "n")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)

    assert paths(scan_notes(tmp_path / "link", max_bytes=MAX)) == ["n.md"]


def test_empty_folder(tmp_path: Path) -> None:
    assert scan_notes(tmp_path, max_bytes=MAX) == notes.NoteScan(files=[], skipped=[])


def test_read_note_single_file(tmp_path: Path) -> None:
    write(tmp_path, "sub/n.md", "hello\r\n")

    note = read_note(tmp_path, "sub/n.md", max_bytes=MAX)
    big = read_note(tmp_path, "sub/n.md", max_bytes=3)

    assert isinstance(note, NoteFile)
    assert (note.path, note.text) == ("sub/n.md", "hello\n")
    assert big == SkippedFile("sub/n.md", "larger than 3 bytes")


def test_file_name_that_is_not_utf8_is_skipped_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", "ok")
    (tmp_path / os.fsdecode(b"bad\xff.md")).write_text("bad name")
    (tmp_path / os.fsdecode(b"dir\xfe")).mkdir()
    (tmp_path / os.fsdecode(b"dir\xfe") / "inside.md").write_text("under a bad folder name")
    (tmp_path / os.fsdecode(b"other\xff.png")).write_text("not a note: ignored silently")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == ["ok.md"]
    assert reasons(scan) == {"bad\ufffd.md": "file name is not valid UTF-8",
                             "dir\ufffd": "file name is not valid UTF-8"}
    for skipped in scan.skipped:
        skipped.path.encode("utf-8")  # printable and storable


def test_path_longer_than_the_column_is_skipped(tmp_path: Path) -> None:
    folder = "/".join(["d" * 200] * 5)  # 1,004 characters of folders, each name within NAME_MAX
    write(tmp_path, f"{folder}/short.md", "fits")
    write(tmp_path, f"{folder}/{'n' * 30}.md", "too long")

    scan = scan_notes(tmp_path, max_bytes=MAX)

    assert paths(scan) == [f"{folder}/short.md"]
    long_path = f"{folder}/{'n' * 30}.md"
    assert reasons(scan) == {long_path: f"path longer than {notes.MAX_PATH_CHARS} characters"}


def test_max_path_matches_the_database_column() -> None:
    from bot.core.storage.models import NoteFileRow

    assert NoteFileRow.__table__.c.path.type.length == notes.MAX_PATH_CHARS


def test_note_swapped_for_a_symlink_after_the_scan_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    secret = write(tmp_path, "secret.txt", "the secret outside")
    note = write(root, "note.md", "harmless")
    real_root = os.path.realpath(root)
    real = os.path.join(real_root, "note.md")  # what the walk found
    note.unlink()
    note.symlink_to(secret)  # swapped between the scan and the read

    result = read_note(real_root, "note.md", max_bytes=MAX, real_path=real)

    assert result == SkippedFile("note.md", "symlink points outside the notes folder")


def test_folder_swapped_for_a_symlink_after_the_scan_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    outside = tmp_path / "outside"
    write(outside, "note.md", "the secret outside")
    write(root, "sub/note.md", "harmless")
    real_root = os.path.realpath(root)
    real = os.path.join(real_root, "sub", "note.md")
    os.rename(root / "sub", tmp_path / "old-sub")
    (root / "sub").symlink_to(outside)  # a folder above the note swapped for a link

    result = read_note(real_root, "sub/note.md", max_bytes=MAX, real_path=real)

    assert result == SkippedFile("sub/note.md", "symlink points outside the notes folder")
