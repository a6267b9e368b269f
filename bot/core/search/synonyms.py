"""Synonym groups that moderators edit, applied to questions (never to the stored notes).

Applying them at question time means an edited file takes effect on the next start or reindex
without re-analysing any note.

The file is edited by moderators, so it is read defensively: its size, the number of groups, the
phrases per group and each phrase's length are bounded, its shape is checked exactly (a mapping
with only `groups:`, a list of lists of short strings), and it is parsed by `moderator_yaml`:
every word stays text (`2024-13-45` is no date), and YAML anchors and aliases, tags and deeper
nesting are refused before anything is built (an alias "billion laughs" bomb would otherwise
expand to gigabytes).
A rejected file raises `SynonymsError` naming the file and the reason, in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.search.analysis import Analyzer
from bot.core.search.notes import SkippedFile, read_note
from bot.core.errors import SynonymsError
from bot.core.moderator_yaml import YamlRefused, load_text_yaml
from bot.core.yaml_problems import one_line

Phrase = tuple[str, ...]  # stems

MAX_FILE_BYTES = 256 * 1024
MAX_GROUPS = 5000
MAX_PHRASES_PER_GROUP = 50
MAX_PHRASE_CHARS = 100
_MAX_DEPTH = 3  # mapping → list of groups → group


@dataclass(frozen=True)
class SynonymTable:
    """Groups of equivalent phrases, each phrase already analysed into stems."""

    groups: tuple[tuple[Phrase, ...], ...] = ()
    _by_first_stem: dict[str, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[int]] = {}
        for i, group in enumerate(self.groups):
            for phrase in group:
                index.setdefault(phrase[0], []).append(i)
        object.__setattr__(self, "_by_first_stem", {k: tuple(dict.fromkeys(v)) for k, v in index.items()})

    def expansions(self, stems: Sequence[str]) -> list[tuple[Phrase, Phrase]]:
        """Pairs (phrase found in `stems`, equivalent phrase to search for as well)."""
        found: list[tuple[Phrase, Phrase]] = []
        candidates = {i for stem in stems for i in self._by_first_stem.get(stem, ())}
        for group in (self.groups[i] for i in sorted(candidates)):
            present = [p for p in group if _contains(stems, p)]
            for phrase in present:
                found.extend((phrase, other) for other in group if other not in present)
        return found

    @classmethod
    def from_groups(cls, groups: Sequence[Sequence[str]], analyzer: Analyzer) -> "SynonymTable":
        analysed = []
        for group in groups:
            phrases = {tuple(analyzer.stems(analyzer.words(str(p)))) for p in group}
            phrases.discard(())
            if len(phrases) > 1:
                analysed.append(tuple(sorted(phrases)))
        return cls(tuple(analysed))


def load_synonyms(path: Path | None, analyzer: Analyzer, notes_dir: Path | None = None) -> SynonymTable:
    """Read a synonyms YAML file (`groups: [[a, b], ...]`); a missing path means no synonyms.

    A file inside `notes_dir` is the notes' own, written by whoever writes notes: it is read as a
    note is, never through a link out of the folder. Raises `SynonymsError` for a file that cannot
    be read or does not have exactly that shape.
    """
    if path is None or not path.exists():
        return SynonymTable()
    return SynonymTable.from_groups(read_groups(path, notes_dir), analyzer)


def read_groups(path: Path, notes_dir: Path | None = None) -> list[list[str]]:
    """The validated groups of a synonyms file, as lists of strings."""
    try:
        document = load_text_yaml(_text_of(path, notes_dir), max_depth=_MAX_DEPTH, aliases=False)
    except YamlRefused as exc:
        raise SynonymsError(path, str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SynonymsError(path, one_line(exc)) from None
    return _validated(document if document is not None else {}, path)


def _text_of(path: Path, notes_dir: Path | None) -> str:
    if notes_dir is not None and path.is_relative_to(notes_dir):  # the notes' own: the notes' rules
        found = read_note(notes_dir, path.relative_to(notes_dir), max_bytes=MAX_FILE_BYTES)
        if isinstance(found, SkippedFile):
            raise SynonymsError(path, found.reason)
        return found.text
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SynonymsError(path, f"larger than {MAX_FILE_BYTES} bytes")
    return data.decode("utf-8")


def _validated(document: object, path: Path) -> list[list[str]]:
    shape = "must contain `groups:`, a list of lists of words"
    if not isinstance(document, dict) or set(document) - {"groups"}:
        raise SynonymsError(path, shape)
    groups = document.get("groups")
    if groups is None:
        return []
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise SynonymsError(path, shape)
    if len(groups) > MAX_GROUPS:
        raise SynonymsError(path, f"more than {MAX_GROUPS} groups")
    result: list[list[str]] = []
    for number, group in enumerate(groups, 1):
        if len(group) > MAX_PHRASES_PER_GROUP:
            raise SynonymsError(path, f"group {number} has more than {MAX_PHRASES_PER_GROUP} entries")
        phrases = []
        for entry in group:
            if isinstance(entry, bool) or not isinstance(entry, str | int | float):
                raise SynonymsError(path, f"group {number}: every entry must be a word or a phrase")
            phrase = str(entry).strip()
            if not phrase or len(phrase) > MAX_PHRASE_CHARS:
                raise SynonymsError(path, f"group {number}: entries must have 1 to {MAX_PHRASE_CHARS} characters")
            phrases.append(phrase)
        result.append(phrases)
    return result


def _contains(stems: Sequence[str], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(tuple(stems[i : i + n]) == phrase for i in range(len(stems) - n + 1))


