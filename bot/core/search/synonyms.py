"""Synonym groups that moderators edit, applied to questions (never to the stored notes).

Applying them at question time means an edited file takes effect on the next start or reindex
without re-analysing any note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.search.analysis import Analyzer
from bot.core.errors import ConfigError

Phrase = tuple[str, ...]  # stems


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
    """Read a synonyms YAML file (`groups: [[a, b], ...]`); a missing path means no synonyms."""
    if path is None or not path.exists():
        return SynonymTable()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read synonyms file {path}: {_one_line(exc)}") from None
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise ConfigError(f"synonyms file {path} must contain `groups:`, a list of lists of words")
    return SynonymTable.from_groups(groups, analyzer)


def _contains(stems: Sequence[str], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(tuple(stems[i : i + n]) == phrase for i in range(len(stems) - n + 1))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
