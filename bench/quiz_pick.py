"""How long `/quiz` takes in the core as the pool grows: pick (no topic, and with a topic), post,
answer. Side by side, in the same run, with the baseline of drawing from the whole pool loaded as
questions (`QuestionStore.active()`), which is what a pick without a topic would cost otherwise.

    python bench/quiz_pick.py [--pool 20000] [--repeat 30] [--notes ../shared/corpora/k8s-docs]

Uses SQLite in a temporary folder and the notes given (default: the shipped seed notes); the pool is
synthetic questions spread over the notes' passages, one passage after another (their text does not
matter for timing). With the seed notes' 7 passages every topic has thousands of questions; with
the Kubernetes docs (13,778 passages) a topic has a few, as a real pool would.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import open_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.quiz import selection  # noqa: E402
from bot.core.storage.models import QuizQuestionRow  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def fill(app, size: int) -> None:
    docs = app.notes.engine.documents
    rows = []
    for i in range(size):
        chunk = docs[i % len(docs)].chunk
        written = i % 50 == 0
        rows.append(dict(
            id=f"{i:016x}", kind="written" if written else "cloze", prompt=f"Question {i} about ____ in the notes?",
            choices=[] if written else [f"answer {i}", f"other {i}", f"third {i}", f"fourth {i}"],
            answer_index=None if written else 0, answer=f"answer {i}", accepted=[], explanation=None,
            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,
            chunk_id=None if written else chunk.chunk_id, quality=10.0 if written else random.random(),
            created_at=NOW, retired_at=None,
        ))
    async with app.sessions() as session, session.begin():
        await session.execute(QuizQuestionRow.__table__.insert(), rows)


async def timed(work, repeat: int) -> float:
    """Median milliseconds of `work()` over `repeat` runs (after one warm-up)."""
    await work()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def main(pool: int, repeat: int, notes: Path | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        extra = {"notes_dir": notes} if notes else {}
        settings = load_settings(_env_file=None, data_dir=Path(folder), database_url="", **extra)
        async with open_app(settings) as app:
            await app.notes.start()
            await fill(app, pool)
            quiz, rng = app.quiz, random.Random(1)
            user = iter(range(1, 10**9))

            async def pick_by_id() -> None:
                await quiz.pick(guild_id=1, user_id=7, seed=rng.randrange(10**6))

            async def pick_whole_pool() -> None:  # the baseline: every question loaded, then a draw
                seen = await quiz.posts.recently_seen(1, 7, NOW)
                questions = await quiz.questions.active()
                chosen = selection.choose(selection.pool_candidates([(q.id, q.kind, q.answer) for q in questions]), seen, rng)
                next(q for q in questions if q.id == chosen)

            async def pick_topic() -> None:
                await quiz.pick(guild_id=1, user_id=7, topic="persistent volume storage", seed=rng.randrange(10**6))

            first = await quiz.pick(guild_id=1, user_id=7, seed=1)
            post = await quiz.post(first.question, guild_id=1, channel_id=2, user_id=7)

            async def answer() -> None:
                await quiz.answer_text(post.id, "answer", user_id=next(user), guild_id=1, channel_id=2)

            figures = {
                "pick, no topic (by id)": await timed(pick_by_id, repeat),
                "pick, no topic (baseline: whole pool loaded)": await timed(pick_whole_pool, repeat),
                "pick, topic": await timed(pick_topic, repeat),
                "typed answer (check + store + tally)": await timed(answer, repeat),
            }
    print(f"pool of {pool} questions over {notes or 'the seed notes'}, median of {repeat} runs, SQLite")
    for name, ms in figures.items():
        print(f"  {name:46s} {ms:8.2f} ms")
    base, ours = figures["pick, no topic (baseline: whole pool loaded)"], figures["pick, no topic (by id)"]
    print(f"  whole-pool / by-id ratio: {base / ours:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--notes", type=Path, default=None, help="notes folder (default: the seed notes)")
    args = parser.parse_args()
    asyncio.run(main(args.pool, args.repeat, args.notes))
