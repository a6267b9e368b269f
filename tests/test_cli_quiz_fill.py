"""`python -m bot quiz --fill` (the background fill, run in the foreground) and the pool's line in
`python -m bot reindex`, through a real subprocess."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete

from bot.app import open_app
from bot.core.storage.models import QuizQuestionRow, QuizSourceRow
from tests.test_cli_quiz import _settings, env, run  # noqa: F401 - `env` is a fixture


async def _forget_the_generated_pool(env: dict[str, str]) -> None:
    """Index the notes, then drop what was generated (as if the reindex had left it all to the fill)."""
    async with open_app(_settings(env)) as app:
        await app.notes.start()
        async with app.sessions() as session, session.begin():
            await session.execute(delete(QuizQuestionRow).where(QuizQuestionRow.kind != "written"))
            await session.execute(delete(QuizSourceRow))
        status = await app.filler.status()
    assert status.visited == 0 and status.questions == 0 and status.passages > 0


async def test_quiz_fill_generates_from_every_passage_not_visited(env: dict[str, str]) -> None:
    await _forget_the_generated_pool(env)
    done = run(env, "quiz", "--fill")
    assert done.returncode == 0, done.stderr
    async with open_app(_settings(env)) as app:
        await app.notes.start()
        status = await app.filler.status()
    assert status.complete and status.questions > 0
    assert done.stdout == f"{status.line()}\n"
    assert done.stdout.startswith(f"question pool: {status.passages} of {status.passages} passages visited")


def test_reindex_says_how_far_the_pool_is(env: dict[str, str], tmp_path) -> None:
    first = run(env, "reindex")
    assert first.returncode == 0, first.stderr
    assert "passages visited" in first.stdout and "in the background" not in first.stdout  # small: all at once
    many = tmp_path / "many"
    many.mkdir()
    for i in range(110):  # more new passages than a reindex generates from (PoolParams.inline_budget)
        (many / f"note{i:03}.md").write_text(f"# Note {i}\n\nThe gadget{i} service keeps its state in etcd.\n")
    big = run({**env, "NOTES_DIR": str(many)}, "reindex")
    assert big.returncode == 0, big.stderr
    assert "question pool: 100 of 110 passages visited" in big.stdout
    assert "the rest is generated in the background by the running bot" in big.stdout


async def test_a_long_running_front_end_fills_the_pool_in_the_background(env: dict[str, str], tmp_path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for i in range(130):
        (many / f"note{i:03}.md").write_text(f"# Note {i}\n\nThe gadget{i} service keeps its state in etcd.\n")
    settings = _settings({**env, "NOTES_DIR": str(many)})
    async with open_app(settings, fill_pool=True) as app:
        await app.notes.start()
        for _ in range(600):
            status = await app.filler.status()
            if status.complete:
                break
            await asyncio.sleep(0.05)
        assert status.complete and status.passages == 130
    async with open_app(settings) as app:  # a one-shot command leaves the pool alone
        await app.notes.start()
        async with app.sessions() as session, session.begin():
            await session.execute(delete(QuizSourceRow))
        await asyncio.sleep(0.2)
        assert (await app.filler.status()).visited == 0
