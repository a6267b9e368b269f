"""One line that says where a moderator's YAML went wrong (a quiz file, the synonyms file).

PyYAML's message quotes the line with a `^` under the column; squashed onto one line for a
reindex summary, the pointer points nowhere. The line and column are said in words instead.
"""

from __future__ import annotations

import yaml


def yaml_problem(exc: Exception) -> str:
    """"line 4, column 1: expected ',' or ']' (in a flow sequence from line 3, column 13)"."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return one_line(exc)
    mark = exc.problem_mark
    said = f"line {mark.line + 1}, column {mark.column + 1}: {one_line(exc.problem or 'invalid YAML')}"
    if exc.context:
        where = exc.context_mark
        start = f" from line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        said += f" ({one_line(exc.context)}{start})"
    return said


def one_line(text: object) -> str:
    """`text` (an exception's message) with its line breaks and runs of spaces made single spaces."""
    return " ".join(str(text).split())
