"""The kind of a marked term, read from how it is written: a distractor must be of the answer's kind.

The author's marks already say "this is a term"; the spelling says what kind: a `--flag`, a
`macro!`, a `CamelCase` type, a `function()`, a `dotted.path`, a file name, a `CONSTANT`, a
`command with words`, a number. Prose marked bold or italic is a phrase of one, two or more words.
None of this depends on a field or on a word list: it is the shape every technical text shares.
"""

from __future__ import annotations

import re

_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("flag", re.compile(r"--?[A-Za-z][\w-]*(?:=\S*)?")),
    ("macro", re.compile(r"[A-Za-z_]\w*!")),
    ("call", re.compile(r"[A-Za-z_][\w.:]*\(.*\)")),
    ("attribute", re.compile(r"#!?\[.+\]")),
    ("number", re.compile(r"[-+]?\d[\d_.,]*(?:\s?[A-Za-z%]{1,3})?")),
    ("file", re.compile(r"[\w.-]*\w\.[A-Za-z][A-Za-z0-9]{0,4}")),
    ("path", re.compile(r"~?/?(?:[\w.@{}<>-]+/)+[\w.@{}<>*-]*")),
    ("constant", re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{2,}[0-9]*")),
    ("type", re.compile(r"(?:[A-Z][a-z0-9]+){2,}|[A-Z][a-z0-9]+(?:<.+>)?|&?(?:'\w+ )?(?:mut )?[A-Z]\w*<.*>")),
    ("path-expr", re.compile(r"[A-Za-z_]\w*(?:::[\w<>]+)+")),
    ("dotted", re.compile(r"\.?[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+")),
    ("snake", re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")),
    ("camel", re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)+")),
    ("word", re.compile(r"[a-z][a-z0-9-]*")),
    ("command", re.compile(r"[a-z][\w.-]*(?: [\w./<>=:-]+)+")),
)
_BOOLEANS = frozenset("true false yes no null none nil on off".split())


def shape_of(text: str, mark: str) -> str | None:
    """The kind of a term as written, or None when it is no term to ask about (a boolean, one
    character, a sign)."""
    text = text.strip()
    if len(text) < 2 or text.lower() in _BOOLEANS:
        return None
    if mark != "code":
        words = len(text.split())
        if words > 4 or not any(ch.isalpha() for ch in text):
            return None
        return f"phrase-{min(words, 3)}"
    for name, pattern in _SHAPES:
        if pattern.fullmatch(text):
            return name
    return "code"


def similar_length(a: str, b: str) -> bool:
    """Choices of wildly different lengths single out the odd one."""
    short, long = sorted((len(a), len(b)))
    return long <= max(2.5 * short, short + 8)
