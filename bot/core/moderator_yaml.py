"""Reading a YAML file a moderator wrote (a quiz file, the synonyms file): no value in it can stop
the bot.

PyYAML's SafeLoader reads `2024-13-45` as a date and fails, a 5,000-digit number as an int and
fails, and builds nested lists recursively (5,000 levels exhaust the stack). These files hold
text, so every scalar stays text except `true`/`false` (a bare `no` can still be pointed out) and
`null`; explicit tags (`!!timestamp`, `!!python/…`) are refused, and so is nesting deeper than the
file's shape needs, while the document is being built, before the stack is in danger. Every
problem is one `YamlRefused` line that says where and what is wrong (`yaml_problems`), never the
file's text.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

from bot.core.yaml_problems import yaml_problem

_KEPT_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


class YamlRefused(ValueError):
    """A moderator's YAML file that cannot be used, said in one line without its text."""


class _TextLoader(yaml.SafeLoader):
    """SafeLoader whose scalars are text, booleans or null, and whose nesting is bounded."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, text: str, max_depth: int, aliases: bool) -> None:
        super().__init__(text)
        self.max_depth, self.aliases, self.depth = max_depth, aliases, 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if not self.aliases and (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)):
            raise ComposerError(None, None, "YAML anchors and aliases (& and *) are not allowed", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise ComposerError(None, None, "YAML tags (!!…) are not allowed", event.start_mark)
        nested = isinstance(event, yaml.CollectionStartEvent)
        if nested:
            self.depth += 1
            if self.depth > self.max_depth:
                raise ComposerError(None, None, f"nested too deeply (at most {self.max_depth} levels)",
                                    event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self.depth -= 1


def load_text_yaml(text: str, *, max_depth: int, aliases: bool = True) -> Any:
    """The document in `text` (None when empty); `max_depth` bounds nested lists and mappings.
    Raises `YamlRefused` for anything wrong, whatever the value that caused it."""
    try:
        loader = _TextLoader(text, max_depth, aliases)  # refuses control characters already
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not valid YAML: {yaml_problem(exc, text)}") from None
    except (ValueError, ArithmeticError, TypeError, RecursionError) as exc:  # a value no check foresaw
        raise YamlRefused(f"not valid YAML: a value cannot be read ({type(exc).__name__})") from None
