"""The README works as written: its commands run, the files it names exist, it stays short.

- every command of the README's shell code blocks is checked: `python -m bot …` runs for real (in a
  temporary data folder over the shipped notes), or with `--help` where it would start the Discord
  bot or the chat; `make X` names a Makefile target; a script or file it runs exists; a command the
  test does not know fails, so a new kind of command gets a check;
- every `python -m bot …` and `make …` in the prose and the tables parses;
- every repository path the README names (in backticks, in commands, or as a link) exists, and so do
  the links of `docs/*.md` and the repository paths they name; `#anchors` point at headings;
- neither names a path of the machine it was written on.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README_PATH = ROOT / "README.md"
README = README_PATH.read_text()
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAKEFILE = (ROOT / "Makefile").read_text()
MAX_README_LINES = 350
PLACEHOLDERS = {"QUESTION": "what is a pod", "REV": "base", "ID": "1", "GUILD_ID": "1", "N": "2"}

# Paths the README names that are not in the repository, on purpose: files in the user's notes
# folder (examples), and what `make run` creates.
NOT_IN_THE_REPOSITORY = {"synonyms.yaml", "quiz/", "quiz/lesson.yaml"}
MADE_BY_MAKE = (".venv/", "data/")
# In docs/*.md, backticked paths are checked when they start with one of these (docs also name
# paths relative to a package, and the development corpora, which are not in the repository).
REPOSITORY_FOLDERS = ("bot/", "bench/", "tests/", "docs/", "corpus/", "migrations/", ".ci/")
MACHINE_PATHS = re.compile(r"(?<![\w.~])/(?:work|home|Users|root|mnt)/|\.\./shared|\b[A-Z]:\\")
EXTENSIONS = "md|markdown|txt|py|yaml|yml|toml|ini|cfg|json|jsonl|sh|example|sqlite3|log"
PATH_LIKE = re.compile(r"^(?:\.{1,2}/)?[\w.*-]+(?:/[\w.*<>-]*)*$")
FILE_NAME = re.compile(rf"^\.?[\w-]+(?:\.[\w-]+)*\.(?:{EXTENSIONS})$")
SHELL_BLOCKS = {"sh", "bash", "shell", "console", ""}  # "" only for lines that look like commands


# --------------------------------------------------------------------------- reading Markdown


def without_code_blocks(text: str) -> str:
    return re.sub(r"^( *)```.*?^\1```", "", text, flags=re.MULTILINE | re.DOTALL)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block, indented ones (in a list item) too."""
    return [(lang, body) for _, lang, body in
            re.findall(r"^( *)```([\w-]*)\n(.*?)^\1```", text, flags=re.MULTILINE | re.DOTALL)]


def code_spans(text: str) -> list[str]:
    """The inline code of the prose and the tables (a span may run over a line break)."""
    spans = re.findall(r"``(.+?)``|`([^`]+)`", without_code_blocks(text), flags=re.DOTALL)
    return [" ".join((double or single).split()) for double, single in spans]


def links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", without_code_blocks(text))


def anchors(text: str) -> set[str]:
    """GitHub's ids of the headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#{1,6} (.+)$", without_code_blocks(text), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def section(heading: str) -> str:
    """From `heading` to the next heading of the same or a higher level."""
    start = README.index(f"\n{heading}\n")
    level = heading.split(" ")[0]
    ends = [README.find(f"\n{'#' * n} ", start + 1) for n in range(1, len(level) + 1)]
    return README[start: min([end for end in ends if end != -1], default=len(README))]


def table_after(heading: str) -> list[str]:
    """First cells of the first table after `heading`."""
    return re.findall(r"^\| `([^`]+)` \|", section(heading), re.MULTILINE)


# --------------------------------------------------------------------------- commands


def shell_commands(text: str) -> list[str]:
    """Each command of the shell code blocks: one line, comments dropped, split at pipes and `&&`."""
    commands = []
    for lang, body in code_blocks(text):
        if lang not in SHELL_BLOCKS:
            continue
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if not words or (lang == "" and re.match(r"https?://", words[0])):
                continue  # an empty line, or a URL shown in a plain block (the invite link)
            command: list[str] = []
            for word in [*words, "&&"]:
                if word not in ("|", "&&", "||", ";"):
                    command.append(word)
                    continue
                if command:
                    commands.append(shlex.join(command))
                command = []
    return commands


def without_redirections(words: list[str]) -> list[str]:
    kept, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in (">", ">>", "<", "2>", "2>>", "&>"):
            skip = True
        else:
            kept.append(word)
    return kept


def bot_arguments(words: list[str]) -> list[str] | None:
    """The arguments of a `python -m bot` / `.venv/bin/python -m bot` / `notesbot` command, else None."""
    if words and words[0] == "notesbot":
        return words[1:]
    if len(words) >= 3 and Path(words[0]).name in ("python", "python3") and words[1:3] == ["-m", "bot"]:
        return words[3:]
    return None


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w.-]+):(?!=)", MAKEFILE, re.MULTILINE))


def starts_a_server(arguments: list[str]) -> bool:
    """The Discord bot or the chat, which run until stopped: no command, `run`, `chat`, `sync`."""
    command = build_parser().parse_args(arguments).command
    return command in (None, "run", "chat", "sync")


def run_bot(arguments: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGUMENTS` over the shipped notes, in a data folder of its own, no token.

    It runs in `tmp_path` so that a developer's `.env` is not read (its settings could point at
    their own database or notes)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISCORD_TOKEN", "DATABASE_URL", "SYNONYMS_FILE", "NOTES_WATCH", "NOTES_BASE_URL")}
    env.update(NOTES_DIR=str(ROOT / "corpus"), DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "bot", *arguments], cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def check_command(command: str, tmp_path: Path) -> None:
    words = without_redirections(shlex.split(command))
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):  # VAR=value before the command
        words = words[1:]
    assert words, command
    arguments = bot_arguments(words)
    if arguments is not None:
        build_parser().parse_args(arguments)  # SystemExit (2) for a wrong command or option
        if starts_a_server(arguments):
            arguments = [*arguments, "--help"]
        result = run_bot(arguments, tmp_path)
        assert result.returncode == 0, f"{command}: exit {result.returncode}\n{result.stderr[-2000:]}"
        assert result.stdout.strip(), f"{command} printed nothing"
        return
    program = words[0]
    if program == "make":
        targets = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
        assert set(targets) <= make_targets(), f"{command}: no such Makefile target"
    elif program in ("source", "."):  # the venv `make` creates
        venv = re.search(r"^VENV \?= (\S+)$", MAKEFILE, re.MULTILINE)
        assert venv and words[1] == f"{venv.group(1)}/bin/activate", command
    elif Path(program).name in ("python", "python3") and words[1:3] == ["-m", "pytest"]:
        for word in words[3:]:
            if not word.startswith("-"):
                assert (ROOT / word.split("::")[0]).exists(), f"{command}: {word} does not exist"
    elif Path(program).name in ("python", "python3", "bash", "sh"):
        assert len(words) > 1 and (ROOT / words[1]).is_file(), f"{command}: no such script"
    elif program == "echo":
        pass
    else:
        pytest.fail(f"the README runs `{command}`, which this test cannot check: teach check_command")


README_COMMANDS = shell_commands(README)


def test_the_readme_has_shell_commands_to_check() -> None:
    assert any(bot_arguments(shlex.split(c)) is not None for c in README_COMMANDS)
    assert {"make run", "make test"} <= set(README_COMMANDS)


@pytest.mark.parametrize("command", README_COMMANDS)
def test_every_command_in_the_readme_code_blocks_runs(command: str, tmp_path: Path) -> None:
    check_command(command, tmp_path)


def inline_commands() -> list[str]:
    """`python -m bot …`, `notesbot …` and `make …` written in the prose and the tables."""
    return [span for span in code_spans(README)
            if re.match(r"(\S*python3? -m bot|notesbot|make)( |$)", span)]


@pytest.mark.parametrize("span", inline_commands())
def test_every_inline_command_parses(span: str) -> None:
    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(span.replace("[", "").replace("]", ""))]
    words = without_redirections(words)
    arguments = bot_arguments(words)
    if arguments is not None:
        build_parser().parse_args(arguments)  # SystemExit (2) if the README names a wrong command
    else:
        targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        assert set(targets) <= make_targets(), f"`{span}`: no such Makefile target"


# --------------------------------------------------------------------------- the tables


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


def chat_help() -> str:
    """The terminal chat's /help."""
    from bot.terminal.chat import HELP

    return HELP


def test_chat_commands_are_documented_as_chat_commands() -> None:
    in_help = set(re.findall(r"^\s+(/\w+)", chat_help(), re.MULTILINE))
    documented = {row.split()[0] for row in table_after("### Chat commands")}
    assert in_help == documented and {"/more", "/quit"} <= documented


def test_quick_start_says_how_to_run_the_commands() -> None:
    quick_start = section("## Quick start")
    assert "source .venv/bin/activate" in quick_start and ".venv/bin/python -m bot" in quick_start
    first_block = code_blocks(quick_start)[0][1]
    assert [shlex.split(line, comments=True) for line in first_block.splitlines()] == [["make", "run"], ["make", "test"]]


# --------------------------------------------------------------------------- files and links


def path_like(word: str) -> bool:
    word = word.rstrip(".,;:")
    if not PATH_LIKE.match(word) or word.startswith("/"):
        return False
    if any(re.fullmatch(r"[A-Z][A-Z0-9_]+", part) for part in word.split("/")):
        return False  # DATA_DIR/…, quiz/FILE: a setting or a placeholder, not a path
    return "/" in word or bool(FILE_NAME.match(word))


def exists(path: str, base: Path = ROOT) -> bool:
    path = path.rstrip(".,;:")
    if any(c in path for c in "*<>"):
        pattern = re.sub(r"<[^>]*>", "*", path)
        return bool(glob.glob(str(base / pattern)))
    return (base / path).exists()


def named_paths(text: str) -> list[str]:
    """Path-like words of the code spans and of the shell code blocks' commands."""
    words = [word for span in code_spans(text) for word in span.split()]
    words += [word for command in shell_commands(text) for word in shlex.split(command)]
    return sorted({word.rstrip(".,;:") for word in words if path_like(word)})


README_PATHS = [p for p in named_paths(README)
                if p not in NOT_IN_THE_REPOSITORY and not p.startswith(MADE_BY_MAKE)]


def test_the_readme_names_files() -> None:
    assert {"corpus/", ".env.example", "bot/core/search/"} <= set(README_PATHS)


@pytest.mark.parametrize("path", README_PATHS)
def test_every_file_the_readme_names_exists(path: str) -> None:
    assert exists(path), f"the README names {path}, which is not in the repository"


def check_links(document: Path) -> None:
    text = document.read_text()
    for target in links(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        linked = (document.parent / file).resolve() if file else document
        assert linked.exists(), f"{document.name} links to {file}, which does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked.read_text()), f"{document.name} links to {target}: no such heading"


def test_every_link_of_the_readme_leads_somewhere() -> None:
    assert links(README), "the README links to nothing"
    check_links(README_PATH)


def test_the_readme_links_every_doc() -> None:
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in links(README)}
    assert set(DOCS) <= linked, "a file in docs/ that the README does not link to"


@pytest.mark.parametrize("document", DOCS, ids=lambda d: d.name)
def test_every_link_and_path_of_the_docs_leads_somewhere(document: Path) -> None:
    check_links(document)
    text = document.read_text()
    words = [word for span in code_spans(text) for word in span.split()]
    words += [word for _, body in code_blocks(text) for word in body.split()]
    for word in sorted({w.rstrip(".,;:") for w in words if path_like(w)}):
        if word.startswith(REPOSITORY_FOLDERS):
            assert exists(word), f"{document.name} names {word}, which is not in the repository"


@pytest.mark.parametrize("document", [README_PATH, *DOCS], ids=lambda d: d.name)
def test_no_path_of_the_machine_it_was_written_on(document: Path) -> None:
    found = MACHINE_PATHS.findall(document.read_text())
    assert not found, f"{document.name} names paths of one machine: {found}"


def test_the_readme_is_short() -> None:
    lines = len(README.splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move design and measurements to docs/"
