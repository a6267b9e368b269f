"""Running `python -m bot` in a subprocess, as a member or moderator would, for the CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# settings of the bot that the environment running the tests must not leak into a CLI test
BOT_SETTINGS = ("DISCORD_", "NOTES_", "DATABASE_", "QUIZ_")


def cli_env(notes: Path, data: Path) -> dict[str, str]:
    """This environment without the bot's settings, pointed at `notes`, storing under `data`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(BOT_SETTINGS)}
    return {**base, "NOTES_DIR": str(notes), "DATA_DIR": str(data), "DISCORD_TOKEN": "", "LOG_LEVEL": "WARNING"}


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` with `env`, from the folder above DATA_DIR (no `.env` there)."""
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120, cwd=Path(env["DATA_DIR"]).parent)
