"""`ask -k` is validated and capped by MAX_RESULTS (through a real subprocess, as in test_cli)."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import env, run  # noqa: F401  (the fixture and the runner)


@pytest.mark.parametrize("k", ["0", "-3"])
def test_ask_k_below_one_is_exit_2_with_one_line(env: dict[str, str], k: str) -> None:  # noqa: F811
    done = run(env, "ask", "what is a pod", "-k", k, "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "-k must be at least 1" in done.stderr


def test_ask_k_is_capped_by_max_results(env: dict[str, str]) -> None:  # noqa: F811
    done = run({**env, "MAX_RESULTS": "2"}, "ask", "what does kubernetes do with containers", "-k", "100000", "--json")
    assert done.returncode == 0, done.stderr
    assert 1 <= len(json.loads(done.stdout)["results"]) <= 2
