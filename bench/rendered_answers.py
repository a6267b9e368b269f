"""Answers as members see them, in Discord and in the terminal: for a before/after of a change to
rendering (docs/rendered-answers.md).

    .venv/bin/python bench/rendered_answers.py NOTES_DIR "question" [--data DIR] [--k 3]

Prints, for the question's first page of passages, what `/ask` sends (each embed field's name and
value, exactly as sent, the Markdown Discord then renders), what `ask` prints on a terminal (the
layout without colours) and what it prints into a pipe.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
from pathlib import Path


async def show(notes: Path, question: str, data: Path, k: int) -> str:
    from rich.console import Console

    from bot.adapter import rendering
    from bot.app import open_app
    from bot.config import load_settings
    from bot.terminal.console import render_answer

    settings = load_settings(_env_file=None, notes_dir=notes, data_dir=data, database_url="", top_k=k,
                             log_level="WARNING")
    async with open_app(settings) as app:
        await app.notes.start()
        answer = app.notes.search(question, k=k)
    out = [f"### `{question}`", "", "Discord (each field as sent):", ""]
    embed = rendering.answer_embed(answer)
    for field in embed.fields:
        out += ["````markdown", f"{field.name}", f"{field.value}", "````", ""]
    tty = Console(record=True, force_terminal=True, width=100, file=io.StringIO())
    tty.print(render_answer(answer))
    out += ["Terminal (`ask` on a terminal, colours left out):", "", "````text", tty.export_text(styles=False).rstrip(),
            "````", ""]
    piped = Console(file=io.StringIO(), width=100)
    piped.print(render_answer(answer))
    out += ["Piped (`ask … | cat`):", "", "````text", piped.file.getvalue().rstrip(), "````", ""]  # type: ignore[attr-defined]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notes", type=Path)
    parser.add_argument("question")
    parser.add_argument("--data", type=Path, default=None, help="DATA_DIR (default: a temporary folder)")
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="rendered-answers-"))
    print(asyncio.run(show(args.notes, args.question, data, args.k)))


if __name__ == "__main__":
    main()
