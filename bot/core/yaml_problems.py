"""One line that says where a moderator's YAML went wrong (a quiz file, the synonyms file).

PyYAML's message quotes the line with a `^` under the column; squashed onto one line for a
reindex summary, the pointer points nowhere. The line and column are said in words instead.
The file's own text is never repeated (moderators read these lines, and the file may not be the
quiz file it claims to be): PyYAML quotes names from the file (an alias, a tag), so quoted text
is left out, except single characters and PyYAML's own names of tokens (`'<stream end>'`).
"""

from __future__ import annotations

import re

import yaml

_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_SAFE_QUOTED = re.compile(r"""['"](?:[^\\]|\\(?:.|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})|<[a-z ]+>)['"]""")


def yaml_problem(exc: Exception, text: str = "") -> str:
    """"line 4, column 1: expected ',' or ']' (in a flow sequence from line 3, column 13)".
    `text`, the file's, places a character YAML refuses (its error counts characters only)."""
    if isinstance(exc, yaml.reader.ReaderError):
        at = exc.position
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        where = f"line {line}, column {column}" if at < len(text) else f"character {at + 1}"
        return f"{where}: {exc.reason} (character #x{exc.character:04x})"
    if not isinstance(exc, yaml.MarkedYAMLError):
        return one_line(exc)  # an OSError's file name, a decoding error's byte: nothing of the text
    mark = exc.problem_mark or exc.context_mark
    said = one_line(exc.problem or exc.context or "invalid YAML")
    if mark is not None:
        said = f"line {mark.line + 1}, column {mark.column + 1}: {said}"
    if exc.context and exc.problem:
        where = exc.context_mark
        start = f" from line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        said += f" ({one_line(exc.context)}{start})"
    return without_quotes(said)


def without_quotes(text: str) -> str:
    """`text` with quoted names left out (a single quoted character and `'<token>'` stay)."""
    return _QUOTED.sub(lambda m: m[0] if _SAFE_QUOTED.fullmatch(m[0]) else "(not shown)", text)


def one_line(text: object) -> str:
    """`text` (an exception's message) with its line breaks and runs of spaces made single spaces."""
    return " ".join(str(text).split())
