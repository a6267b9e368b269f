"""Questions moderators write: YAML files in the `quiz/` folder of the notes.

    questions:
      - question: By default, how does etcd store secrets on disk?
        answer: base64
        choices: [base64, AES-256, plain YAML, gzip]   # optional: exactly four, the answer among them
        accepted: [base 64, base64 encoded]            # optional: other typed answers counted right
        explanation: Encoded, not encrypted.            # optional
        source: k8s-colearning-lesson-1.md              # the note it comes from
        heading: Storage                                # optional: the section within the note
        lines: 118-120                                  # optional: pin the lines it cites

Every entry is checked on its own: a bad entry is reported (`file: entry N: what is wrong`) and
skipped, and the valid entries of the same file still load. The lines a question cites come from
the index, so they follow the note as it is edited: the passage of the note (of the section under
`heading`, if given) that holds the answer (`placement.py`), else the whole section or note. A
`lines: START-END` (or one line number) pins them instead, when the answer is spread or the
passage is ambiguous; they must fall within the note (and the section); the question then cites
the passage that shares the most lines with them. `lines` is not part of the question's id, so
pinning an existing question keeps members' review cards pointing at it. A hand-written question
ranks above every generated one (`quality`).

The files are read by `quiz_files` (inside the notes folder, bounded, parsed again only when they
change). Their text reaches terminals and Discord, so escape and control characters are removed
from every field here, once, for every front-end (`terminal_text`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.quiz.placement import answer_passage, overlapping
from bot.core.quiz.questions import Question, normalise, question_id_for
from bot.core.quiz.quiz_files import QuizFiles
from bot.core.search.analysis import Analyzer
from bot.core.search.documents import Document
from bot.core.terminal_text import strip_control

QUIZ_FOLDER = "quiz"
WRITTEN_QUALITY = 10.0  # generated questions score below 1
CHOICES = 4
FIELDS = ("question", "answer", "choices", "accepted", "explanation", "source", "heading", "lines")
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 200
MAX_EXPLANATION_CHARS = 1000
MAX_ACCEPTED = 20
_LINES = re.compile(r"\A(\d{1,9})(?:\s*-\s*(\d{1,9}))?\Z")  # a 5,000-digit number is no line


class _Invalid(ValueError):
    """One thing wrong with an entry, said in one line."""


@dataclass(frozen=True)
class _Notes:
    """The indexed passages by note, and each as placement reads it (once per load, not per entry)."""

    by_source: dict[str, list[Document]]
    analyzer: Analyzer
    read: dict[str, tuple[set[str], str]] = field(default_factory=dict)


def load_handwritten(quiz_dir: Path, documents: Sequence[Document] | Any = (),
                     files: QuizFiles | None = None) -> tuple[list[Question], list[str]]:
    """Every valid question under `quiz_dir` (`*.yaml`, `*.yml`), and one line per problem:
    `quiz/FILE: entry N: what is wrong` (entries count from 1).

    `documents` are the indexed passages (or a search engine), used to check `source` and
    `heading` and to find the line range; without them only the entries' shape is checked.
    `files` keeps the files read before (a reindex passes the same one each time).
    """
    notes = _Notes({}, getattr(documents, "analyzer", None) or Analyzer())
    for document in getattr(documents, "documents", documents):
        notes.by_source.setdefault(document.chunk.source, []).append(document)
    questions: list[Question] = []
    problems: list[str] = []
    for quiz_file in (files or QuizFiles()).read(quiz_dir):
        if quiz_file.problem:
            problems.append(f"{quiz_file.label}: {quiz_file.problem}")
        for number, entry in enumerate(quiz_file.entries, start=1):
            try:
                questions.append(_question(entry, quiz_file.label, notes))
            except _Invalid as exc:
                problems.append(f"{quiz_file.label}: entry {number}: {exc}")
    return questions, problems


def _question(entry: Any, label: str, notes: _Notes) -> Question:
    if not isinstance(entry, dict):
        raise _Invalid("expected a mapping with `question:`, `answer:` and `source:`")
    unknown = sorted(str(k) for k in entry if k not in FIELDS)
    if unknown:
        raise _Invalid(f"unknown field `{_cut(unknown[0])}` (allowed: {', '.join(FIELDS)})")
    prompt = _text(entry, "question", MAX_QUESTION_CHARS, required=True)
    answer = _text(entry, "answer", MAX_ANSWER_CHARS, required=True)
    explanation = _text(entry, "explanation", MAX_EXPLANATION_CHARS)
    source = _text(entry, "source", 1024, required=True)
    heading = _text(entry, "heading", 300)
    choices = _strings(entry, "choices")
    accepted = _strings(entry, "accepted")
    answer_index: int | None = None
    if "choices" in entry:
        if len(choices) != CHOICES:
            raise _Invalid(f"`choices` must list exactly {CHOICES} answers (found {len(choices)})")
        keys = [normalise(c) for c in choices]
        if len(set(keys)) != len(keys):
            raise _Invalid("two `choices` are the same once case and punctuation are ignored")
        if normalise(answer) not in keys:
            raise _Invalid("`answer` is not one of the `choices`")
        answer_index = keys.index(normalise(answer))
    if len(normalise(answer)) > 3 and f" {normalise(answer)} " in f" {normalise(prompt)} ":
        raise _Invalid("the answer is visible in the question")
    lines = _lines(entry)
    chunk_id, heading_path, start, end = _locate(source, heading, lines, (prompt, answer, accepted), notes)
    anchor = "\x1f".join([label, source, heading or "", "\x1f".join(choices), "\x1f".join(accepted), explanation or ""])
    qid = question_id_for("written", prompt, answer, anchor)
    if answer_index is not None:  # as written, the answer often comes first: shuffle, by the id
        right = choices[answer_index]
        random.Random(qid).shuffle(choices)
        answer_index = choices.index(right)
    return Question(
        id=qid, kind="written", prompt=prompt,
        choices=tuple(choices), answer_index=answer_index,
        answer=choices[answer_index] if answer_index is not None else answer,
        source=source, heading=heading_path, start_line=start, end_line=end, chunk_id=chunk_id,
        accepted=tuple(a for a in accepted if normalise(a) != normalise(answer)),
        explanation=explanation, quality=WRITTEN_QUALITY,
    )


def _locate(source: str, heading: str | None, lines: tuple[int, int] | None, asked: tuple[str, str, list[str]],
            notes: _Notes) -> tuple[str | None, str | None, int, int]:
    """The passage, heading path and line range a question cites: the pinned `lines`, else the
    passage of the note (section) that holds the answer, else the whole section (or note)."""
    if not notes.by_source:
        return (None, heading, *lines) if lines else (None, heading, 0, 0)
    in_note = notes.by_source.get(source)
    if not in_note:
        raise _Invalid(f"`source` {source!r} is not an indexed note")
    if heading is None:
        chosen = in_note
    else:
        wanted = heading.strip().lower()
        chosen = [d for d in in_note if d.chunk.heading and (
            d.chunk.heading.lower() == wanted or d.chunk.heading_path[-1].lower() == wanted)]
        if not chosen:
            known = sorted({d.chunk.heading_path[-1] for d in in_note if d.chunk.heading_path})
            hint = f" (its headings: {', '.join(known[:8])})" if known else " (the note has no headings)"
            raise _Invalid(f"`heading` {heading!r} is not a heading of {source}{hint}")
    first, last = chosen[0].chunk.start_line, max(d.chunk.end_line for d in chosen)
    if lines is not None:
        pinned = overlapping(chosen, *lines)
        if pinned is None or not first <= lines[0] <= lines[1] <= last:
            where = f"the section {heading!r}" if heading else source
            raise _Invalid(f"`lines` {lines[0]}-{lines[1]} are not within {where} (lines {first}-{last})")
        return pinned.chunk.chunk_id, pinned.chunk.heading, *lines
    prompt, answer, accepted = asked
    holding = answer_passage(chosen, answer, accepted, prompt, notes.analyzer, notes.read)
    if holding is not None:
        chunk = holding.chunk
        return chunk.chunk_id, chunk.heading, chunk.start_line, chunk.end_line
    return chosen[0].chunk.chunk_id, chosen[0].chunk.heading, first, last


def _lines(entry: dict[Any, Any]) -> tuple[int, int] | None:
    value = entry.get("lines")
    if value is None:
        return None
    match = _LINES.match(str(value).strip()) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if match is None:
        raise _Invalid(f"`lines` must be START-END or one line number, like 118-120 (found {_cut(repr(value))})")
    start = int(match[1])
    end = int(match[2]) if match[2] else start
    if not 1 <= start <= end:
        raise _Invalid("`lines` must go from line 1 or later to a line at or after the start "
                       f"(found {_cut(repr(value))})")
    return start, end


def _text(entry: dict[Any, Any], name: str, limit: int, *, required: bool = False) -> str | None:
    value = entry.get(name)
    if value is None:
        if required:
            raise _Invalid(f"`{name}` is missing")
        return None
    if isinstance(value, bool):
        raise _Invalid(f"`{name}` reads as {str(value).lower()} in YAML: put it in quotes, like \"yes\"")
    if not isinstance(value, (str, int, float)):
        raise _Invalid(f"`{name}` must be text")
    text = _clean(value)
    if not text:
        if required:
            raise _Invalid(f"`{name}` is empty")
        return None
    if len(text) > limit:
        raise _Invalid(f"`{name}` is longer than {limit} characters")
    return text


def _strings(entry: dict[Any, Any], name: str) -> list[str]:
    value = entry.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid(f"`{name}` must be a list")
    if len(value) > MAX_ACCEPTED:
        raise _Invalid(f"`{name}` lists more than {MAX_ACCEPTED} answers")
    out = []
    for item in value:
        text = "" if isinstance(item, bool) or not isinstance(item, (str, int, float)) else _clean(item)
        if not text:
            raise _Invalid(f"every item of `{name}` must be non-empty text")
        if len(text) > MAX_ANSWER_CHARS:
            raise _Invalid(f"an item of `{name}` is longer than {MAX_ANSWER_CHARS} characters")
        out.append(text)
    return out


def _clean(value: str | int | float) -> str:
    """The text as shown: no escape sequences or control characters, whitespace runs as one space."""
    return " ".join(strip_control(str(value)).split())


def _cut(text: str) -> str:
    """A value quoted in a problem, cut short: the problem is one line."""
    return text if len(text) <= 40 else text[:39] + "…"


