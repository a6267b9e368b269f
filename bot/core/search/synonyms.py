"""Synonym groups that moderators edit, applied to questions (never to the stored notes).

Applying them at question time means an edited file takes effect on the next start or reindex
without re-analysing any note.

The file is edited by moderators, so it is read defensively: its size, the number of groups, the
phrases per group and each phrase's length are bounded, its shape is checked exactly (a mapping
with only `groups:`, a list of lists of short strings), and YAML anchors and aliases are refused
before anything is built (an alias "billion laughs" bomb would otherwise expand to gigabytes).
A rejected file raises `SynonymsError` naming the file and the reason, in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.search.analysis import Analyzer
from bot.core.errors import SynonymsError
from bot.core.yaml_problems import yaml_problem

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


def load_synonyms(path: Path | None, analyzer: Analyzer) -> SynonymTable:
    """Read a synonyms YAML file (`groups: [[a, b], ...]`); a missing path means no synonyms.

    Raises `SynonymsError` for a file that cannot be read or does not have exactly that shape.
    """
    if path is None or not path.exists():
        return SynonymTable()
    return SynonymTable.from_groups(read_groups(path), analyzer)


def read_groups(path: Path) -> list[list[str]]:
    """The validated groups of a synonyms file, as lists of strings."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise SynonymsError(path, f"larger than {MAX_FILE_BYTES} bytes")
        text = data.decode("utf-8")
        _refuse_aliases(text, path)
        document = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise SynonymsError(path, yaml_problem(exc)) from None
    return _validated(document if document is not None else {}, path)


def _refuse_aliases(text: str, path: Path) -> None:
    """Walk the YAML events (cheap: nothing is built) and refuse anchors, aliases, tags and deep
    nesting, before `safe_load` could expand anything."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise SynonymsError(path, "YAML anchors and aliases (& and *) are not allowed")
        if isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None):
            raise SynonymsError(path, "YAML tags (!!…) are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                raise SynonymsError(path, "nested too deeply: `groups:` holds lists of words")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


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


