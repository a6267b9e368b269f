"""The README's command tables work as written (a renamed command or option fails here)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.chat import HELP
from bot.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
PLACEHOLDERS = {"QUESTION": "what is a pod", "REV": "base", "ID": "1", "GUILD_ID": "1", "N": "2"}


def table_after(heading: str) -> list[str]:
    """First cells of the first table after `heading`."""
    section = README[README.index(heading):]
    rows = re.findall(r"^\| `([^`]+)` \|", section[: section.index("\n## ", 1)], re.MULTILINE)
    return rows


def command_lines() -> list[str]:
    return [row for row in table_after("## Command line") if row.startswith("python -m bot")]


@pytest.mark.parametrize("line", command_lines())
def test_every_documented_command_parses(line: str) -> None:
    words = shlex.split(line.replace("[", "").replace("]", ""))[3:]  # with every optional part
    build_parser().parse_args([PLACEHOLDERS.get(w, w) for w in words])  # SystemExit (exit 2) if the README names a wrong command


def test_every_command_is_documented() -> None:
    documented = {shlex.split(line)[3] for line in command_lines() if len(shlex.split(line)) > 3}
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == documented


def test_chat_commands_are_documented_as_chat_commands() -> None:
    in_help = set(re.findall(r"^\s+(/\w+)", HELP, re.MULTILINE))
    documented = {row.split()[0] for row in table_after("### Chat commands")}
    assert in_help == documented and {"/more", "/quit"} <= documented


def test_quick_start_says_how_to_run_the_commands() -> None:
    quick_start = README[README.index("## Quick start"): README.index("## How it answers")]
    assert "source .venv/bin/activate" in quick_start and ".venv/bin/python -m bot" in quick_start
