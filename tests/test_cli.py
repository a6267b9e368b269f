"""The command line through a real subprocess: the --json contracts, stdin, and clear errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS
from tests.cli import cli_env, run

JSON_RESULT_KEYS = {"source", "heading", "start_line", "end_line", "score", "text", "matched"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lesson.md").write_text((SHIPPED_CORPUS / "k8s-colearning-lesson-1.md").read_text())
    (notes / "storage.md").write_text("---\ntitle: Storage\ntags: [k8s]\n---\n# PersistentVolumeClaim\n\n"
                                      "A claim asks for storage of a given size.\n")
    return cli_env(notes, tmp_path / "data")


def test_ask_json_contract(env: dict[str, str]) -> None:
    done = run(env, "ask", "what is a hypervisor", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # stdout holds exactly one JSON object
    assert set(payload) == {"question", "results", "suggestions"}
    assert payload["question"] == "what is a hypervisor"
    first = payload["results"][0]
    assert set(first) == JSON_RESULT_KEYS
    assert first["source"] == "lesson.md"
    assert "hypervizor" in first["text"] and "hypervizor" in first["matched"]
    lines = (SHIPPED_CORPUS / "k8s-colearning-lesson-1.md").read_text().split("\n")
    assert first["text"] == "\n".join(lines[first["start_line"] - 1 : first["end_line"]])


def test_ask_k_limits_results_and_heading_is_reported(env: dict[str, str]) -> None:
    payload = json.loads(run(env, "ask", "what is a PersistentVolumeClaim", "-k", "1", "--json").stdout)
    assert len(payload["results"]) == 1
    assert payload["results"][0]["source"] == "storage.md"
    assert payload["results"][0]["heading"] == "PersistentVolumeClaim"
    assert payload["results"][0]["start_line"] == 5


def test_ask_off_topic_gives_empty_results(env: dict[str, str]) -> None:
    payload = json.loads(run(env, "ask", "How do I bake sourdough bread?", "--json").stdout)
    assert payload["results"] == []
    assert isinstance(payload["suggestions"], list)


def test_ask_reads_questions_from_stdin(env: dict[str, str]) -> None:
    done = run(env, "ask", "-", "--json", stdin="what is a hypervisor\n\nare secrets encrypted in etcd\n")
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["question"] for o in objects] == ["what is a hypervisor", "are secrets encrypted in etcd"]
    assert all(o["results"] for o in objects)


def test_ask_human_output_cites_the_source(env: dict[str, str]) -> None:
    done = run(env, "ask", "are secrets encrypted in etcd")
    assert done.returncode == 0
    assert "lesson.md:" in done.stdout and "etcd" in done.stdout


def test_reindex_json_contract(env: dict[str, str], tmp_path: Path) -> None:
    first = json.loads(run(env, "reindex", "--json").stdout)
    assert first["added"] == ["lesson.md", "storage.md"]
    (tmp_path / "notes" / "bad.md").write_bytes(b"\x00\x01")
    (tmp_path / "notes" / "storage.md").write_text("# Storage\n\nchanged\n")
    done = run(env, "reindex", "--json")
    summary = json.loads(done.stdout)
    assert {"added", "changed", "removed", "unchanged", "skipped", "chunks", "seconds"} <= set(summary)
    assert summary["changed"] == ["storage.md"] and summary["unchanged"] == 1
    assert summary["skipped"] == [{"path": "bad.md", "reason": "binary file (NUL bytes)"}]
    assert isinstance(summary["chunks"], int) and isinstance(summary["seconds"], float)


def test_missing_notes_folder_is_one_line_and_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    done = run({**env, "NOTES_DIR": str(tmp_path / "missing")}, "reindex")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "notes folder not found" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_database_is_one_line(env: dict[str, str]) -> None:
    done = run({**env, "DATABASE_URL": "postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/x"}, "ask", "pods")
    assert done.returncode == 3
    assert "cannot reach the database" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr


def test_bad_setting_is_one_line(env: dict[str, str]) -> None:
    done = run({**env, "TOP_K": "many"}, "ask", "pods")
    assert done.returncode == 2
    assert "TOP_K" in done.stderr and "Traceback" not in done.stderr


def test_db_commands(env: dict[str, str]) -> None:
    assert run(env, "db", "upgrade").stdout.strip() != ""
    assert run(env, "db", "downgrade", "base").stdout.strip() == "base (empty)"
    assert run(env, "db", "current").stdout.strip() == "base (empty)"


def test_chat_answers_from_stdin(env: dict[str, str]) -> None:
    done = run(env, "chat", stdin="what is a hypervisor\n/more\n/help\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert "hypervizor" in done.stdout and "/reindex" in done.stdout
    assert "you> what is a hypervisor\n" in done.stdout  # a piped question is shown after the prompt


def test_chat_reindex_reports_the_question_pool(env: dict[str, str]) -> None:
    done = run(env, "chat", stdin="/reindex\n/quit\n")
    assert done.returncode == 0, done.stderr
    assert re.search(r"question pool: (\d+) of \1 passages visited, [1-9]\d* questions", done.stdout), done.stdout


def test_no_command_without_token_opens_the_chat(env: dict[str, str]) -> None:
    done = run(env, stdin="are secrets encrypted in etcd\n")
    assert done.returncode == 0, done.stderr
    assert "etcd" in done.stdout


# --- notes always current: every start brings the index up to date --------------------------------


def info_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "LOG_LEVEL": "INFO"}


def test_a_note_added_after_the_first_start_answers_without_reindex(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "ask", "pods", "--json").returncode == 0
    (tmp_path / "notes" / "wombats.md").write_text("# Wombats\n\nWombats dig burrows with strong claws.\n")
    done = run(info_env(env), "ask", "do wombats dig burrows", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["source"] == "wombats.md"
    assert "notes: 1 added (wombats.md), 2 unchanged" in done.stderr
    quiet = run(info_env(env), "ask", "do wombats dig burrows", "--json")
    assert "added" not in quiet.stderr  # nothing changed: nothing to report


def test_a_deleted_and_an_edited_note_are_seen_at_the_next_start(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "ask", "pods", "--json").returncode == 0
    (tmp_path / "notes" / "storage.md").write_text("# Storage\n\nA claim now mentions okapis.\n")
    (tmp_path / "notes" / "lesson.md").unlink()
    done = run(info_env(env), "ask", "okapis", "--json")
    assert json.loads(done.stdout)["results"][0]["source"] == "storage.md"
    assert "1 changed (storage.md), 1 removed (lesson.md)" in done.stderr
    assert json.loads(run(env, "ask", "what is a hypervisor", "--json").stdout)["results"] == []


def test_another_notes_folder_is_indexed_anew_never_answered_from_the_old_one(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "reindex").returncode == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "ducks.md").write_text("# Ducks\n\nDucks quack at dawn.\n")
    switched = {**info_env(env), "NOTES_DIR": str(other)}
    done = run(switched, "ask", "what is a hypervisor", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"] == []  # the old folder's notes are gone
    assert "the notes folder is now" in done.stderr and "indexing it anew" in done.stderr
    assert json.loads(run(switched, "ask", "when do ducks quack", "--json").stdout)["results"][0]["source"] == "ducks.md"
    chat = run({**switched, "COLUMNS": "500"}, "chat", stdin="when do ducks quack\n")
    assert "1 passages from " + str(other) in chat.stdout and "ducks.md" in chat.stdout


@pytest.mark.parametrize("command", [["ask", "pods"], ["ask", "-"], ["reindex"], ["chat"], [], ["run"], ["sync"]])
def test_missing_notes_folder_is_exit_2_for_every_command(env: dict[str, str], tmp_path: Path, command: list[str]) -> None:
    assert run(env, "reindex").returncode == 0  # an index exists: it must not be answered from
    gone = {**env, "NOTES_DIR": str(tmp_path / "gone"), "DISCORD_TOKEN": "x" if command in (["run"], ["sync"]) else ""}
    done = run(gone, *command, stdin="pods\n")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"notesbot: error: notes folder not found: {tmp_path / 'gone'}"
    assert done.stdout == ""


# --- settings and database --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [("LOG_LEVEL", "bogus"), ("NOTES_WATCH", "maybe"), ("TOP_K", "0"),
                                             ("NOTES_BASE_URL", "javascript:alert(1)"), ("DATABASE_URL", "::"),
                                             ("ASK_COOLDOWN_SECONDS", "nan"), ("DISCORD_GATEWAY_URL", "http://x")])
def test_every_bad_setting_is_one_line_and_exit_2(env: dict[str, str], name: str, value: str) -> None:
    done = run({**env, name: value}, "ask", "pods")
    assert done.returncode == 2
    assert done.stderr.startswith(f"notesbot: error: bad setting {name}: ") and done.stderr.count("\n") == 1


def test_unreadable_env_file_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"TOP_K=\xff\xfe\n")
    done = run(env, "ask", "pods")
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_database_from_a_newer_notesbot_is_refused_with_exit_3(env: dict[str, str], tmp_path: Path) -> None:
    import sqlite3

    assert run(env, "db", "upgrade").returncode == 0
    with sqlite3.connect(tmp_path / "data" / "notesbot.sqlite3") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    for command in (["ask", "pods"], ["db", "upgrade"], ["reindex"]):
        done = run(env, *command)
        assert done.returncode == 3, done.stderr
        assert "the database was written by a newer notesbot" in done.stderr and "upgrade it" in done.stderr
        assert done.stderr.count("\n") == 1


# --- questions on standard input, output to pipes and terminals -------------------------------------


def test_invalid_utf8_on_stdin_gives_valid_utf8_json(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "-", "--json"], env=env, capture_output=True,
                          input=b"caf\xe9 hypervisor\n\xff\xfe\n", timeout=120, cwd=Path(env["DATA_DIR"]).parent)
    assert done.returncode == 0, done.stderr
    objects = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]  # strict UTF-8
    assert [o["question"] for o in objects] == ["caf\ufffd hypervisor", "\ufffd\ufffd"]
    assert objects[0]["results"]


def test_non_utf8_locale_still_gives_utf8_json(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "café hypervisor", "--json"],
                          env={**env, "PYTHONIOENCODING": "latin-1"}, capture_output=True, timeout=120,
                          cwd=Path(env["DATA_DIR"]).parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["question"] == "café hypervisor"


def test_closed_pipe_ends_quietly_with_exit_0(env: dict[str, str]) -> None:
    assert run(env, "reindex").returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "bot", "ask", "-", "--json"], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=Path(env["DATA_DIR"]).parent)
    process.stdin.write(b"what is a hypervisor\n" * 2000)  # far more answers than a pipe holds
    process.stdin.close()
    first = process.stdout.readline()  # like `| head -1`
    process.stdout.close()
    assert json.loads(first)["question"] == "what is a hypervisor"
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""


def test_plain_ask_from_stdin_prints_each_question_above_its_answers(env: dict[str, str]) -> None:
    done = run(env, "ask", "-", stdin="what is a hypervisor\nwhat is a PersistentVolumeClaim\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    first, second = out.index("Q: what is a hypervisor"), out.index("Q: what is a PersistentVolumeClaim")
    assert first < out.index("lesson.md:") < second < out.index("storage.md:")


def test_escape_sequences_in_notes_never_reach_the_terminal(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "notes" / "evil.md").write_text("# Evil \x1b[31mred\n\nThe zebra \x1b]0;owned\x07title "
                                                "and \x1b[2J clear \x9b31m codes.\n")
    asked = run(env, "ask", "zebra")
    chatted = run(env, "chat", stdin="zebra\n")
    for done in (asked, chatted):
        assert done.returncode == 0, done.stderr
        assert "zebra" in done.stdout and "title" in done.stdout
        assert "\x1b" not in done.stdout and "\x9b" not in done.stdout and "owned" not in done.stdout
    as_json = json.loads(run(env, "ask", "zebra", "--json").stdout)  # JSON keeps the exact text
    assert "\x1b]0;owned\x07" in as_json["results"][0]["text"]


def test_a_piped_answer_is_the_notes_as_a_reader_sees_them_and_json_keeps_the_source(
        env: dict[str, str], tmp_path: Path) -> None:
    from tests import reader_note

    (tmp_path / "notes" / reader_note.NAME).write_text(reader_note.NOTE)
    done = run(env, "ask", reader_note.QUESTION)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert not reader_note.ESCAPES.search(out)
    for hidden in reader_note.HIDDEN:
        assert hidden not in out, hidden
    assert "**Ferris** opens the **poem** with `File::open` and **reads** it whole;" in out
    assert '\n    let poem = fs::read_to_string("poem.txt")?; // ferris reads the poem\n' in out  # code: no marks
    assert "\nListing 12-3: A **poem** by Emily Dickinson\n" in out and "\n    [listing: poem.txt]\n" in out
    assert "Ask @everyone or <@123> about the **poem**." in out
    result = next(r for r in json.loads(run(env, "ask", reader_note.QUESTION, "--json").stdout)["results"]
                  if r["source"] == reader_note.NAME)
    lines = reader_note.NOTE.split("\n")
    assert result["text"] == "\n".join(lines[result["start_line"] - 1:result["end_line"]])  # the source, exactly
    assert "<!-- a comment no reader sees -->" in result["text"]


def test_hostile_synonyms_file_is_one_warning_and_the_notes_still_answer(env: dict[str, str], tmp_path: Path) -> None:
    bomb = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                     + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
                     + ["groups: [*i]"])
    synonyms = tmp_path / "notes" / "synonyms.yaml"
    synonyms.write_text(bomb)
    for command in (["ask", "what is a hypervisor", "--json"], ["reindex", "--json"]):
        done = run(env, *command)
        assert done.returncode == 0, done.stderr
        warning = [line for line in done.stderr.splitlines() if "synonyms" in line]
        assert len(warning) == 1 and str(synonyms) in warning[0] and "aliases" in warning[0]
    assert json.loads(run(env, "ask", "what is a hypervisor", "--json").stdout)["results"]


def test_chat_reads_invalid_utf8_with_replacement(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "chat"], env=env, capture_output=True,
                          input=b"what is a hypervisor \xff\n/quit\n", timeout=120, cwd=Path(env["DATA_DIR"]).parent)
    assert done.returncode == 0, done.stderr
    assert b"hypervizor" in done.stdout and b"Traceback" not in done.stderr


def test_debug_logging_leaves_out_the_database_threads_chatter() -> None:
    """aiosqlite's thread may log after the loop has ended: at DEBUG its lines came after the final
    error line, one run in fifteen (the no-token and rejected-token tests failed by chance)."""
    import logging

    from bot.cli import configure_logging

    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    try:
        root.handlers.clear()
        configure_logging("debug")
        assert root.isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("aiosqlite").isEnabledFor(logging.INFO)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
        logging.getLogger("aiosqlite").setLevel(logging.NOTSET)
        logging.getLogger("alembic").setLevel(logging.NOTSET)


def test_auto_migrate_off_refuses_an_old_schema_in_one_line_until_db_upgrade(env: dict[str, str]) -> None:
    off = {**env, "AUTO_MIGRATE": "false"}
    refused = run(off, "ask", "pods")
    assert refused.returncode == 3 and refused.stderr.count("\n") == 1
    assert "run `python -m bot db upgrade` first (AUTO_MIGRATE is off)" in refused.stderr
    assert run(off, "db", "upgrade").returncode == 0
    assert run(off, "ask", "pods").returncode == 0


def test_log_format_json_writes_every_commands_log_as_json_lines(env: dict[str, str]) -> None:
    done = run({**env, "LOG_FORMAT": "json", "LOG_LEVEL": "info"}, "reindex")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["message"].startswith("reindexed: ") for line in lines)


def test_chat_help_fits_80_columns_and_lists_leaving_last(env: dict[str, str]) -> None:
    done = run({**env, "COLUMNS": "80"}, "chat", stdin="/help\n/quit\n")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    commands = [line.split()[0] for line in lines if line.startswith("  /")]
    assert commands[-2:] == ["/help", "/quit"] and "/ask" in commands and "/leaderboard" in commands
    assert all(len(line) <= 80 for line in lines) and "`" not in done.stdout


def test_a_notes_folder_without_synonyms_gets_none_of_the_shipped_ones(tmp_path: Path) -> None:
    """`rs` means a ReplicaSet in the shipped notes' synonyms; in a Rust book it does not."""
    from bot.config import load_settings
    from bot.core.search.analysis import Analyzer
    from bot.core.search.synonyms import load_synonyms

    analyzer = Analyzer()
    expands = lambda settings: load_synonyms(settings.synonyms_file, analyzer).expansions(("rs",))  # noqa: E731
    notes = tmp_path / "notes"
    notes.mkdir()
    assert list(expands(load_settings(data_dir=tmp_path / "data")))  # the shipped notes: their own file
    assert not list(expands(load_settings(notes_dir=notes, data_dir=tmp_path / "data")))
    (notes / "synonyms.yaml").write_text("groups:\n  - [rs, replicaset]\n")
    assert list(expands(load_settings(notes_dir=notes, data_dir=tmp_path / "data")))  # the folder's own


def test_the_chat_on_a_terminal_writes_its_log_to_a_file_not_into_the_prompt(tmp_path: Path) -> None:
    import io
    import logging

    from bot.terminal.chat import logs_in_a_file

    root = logging.getLogger()
    screen = io.StringIO()
    terminal = logging.StreamHandler(screen)
    terminal.setLevel(logging.INFO)
    old_level = root.level
    root.addHandler(terminal)
    root.setLevel(logging.INFO)
    try:
        with logs_in_a_file(tmp_path / "data" / "notesbot.log"):
            logging.getLogger("bot.core.quiz.fill").info("question pool: 10 of 20 passages visited")
            logging.getLogger("bot.core.search").warning("notes/bad.md: not UTF-8; skipped")
        logging.getLogger("bot").info("after the chat")
    finally:
        root.removeHandler(terminal)
        root.setLevel(old_level)
    logged = (tmp_path / "data" / "notesbot.log").read_text()
    assert "question pool: 10 of 20" in logged and "not UTF-8" in logged
    assert "question pool" not in screen.getvalue() and "not UTF-8" in screen.getvalue()  # warnings still show
    assert "after the chat" in screen.getvalue() and terminal.level == logging.INFO  # as it was
