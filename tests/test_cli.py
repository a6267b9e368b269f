"""The command line through a real subprocess: the --json contracts, stdin, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SHIPPED_CORPUS

JSON_RESULT_KEYS = {"source", "heading", "start_line", "end_line", "score", "text", "matched"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lesson.md").write_text((SHIPPED_CORPUS / "k8s-colearning-lesson-1.md").read_text())
    (notes / "storage.md").write_text("---\ntitle: Storage\ntags: [k8s]\n---\n# PersistentVolumeClaim\n\n"
                                      "A claim asks for storage of a given size.\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "NOTES_", "DATABASE_"))}
    return {**base, "NOTES_DIR": str(notes), "DATA_DIR": str(tmp_path / "data"), "DISCORD_TOKEN": "",
            "LOG_LEVEL": "WARNING"}


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=Path(env["DATA_DIR"]).parent)


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


def test_no_command_without_token_opens_the_chat(env: dict[str, str]) -> None:
    done = run(env, stdin="are secrets encrypted in etcd\n")
    assert done.returncode == 0, done.stderr
    assert "etcd" in done.stdout
