"""How long `/leaderboard` and `/progress` take over a large answer history (they are computed
from the answers on every request, never from counters). The leaderboard is timed twice, side by
side: as the bot computes it (in SQL) and the baseline of loading every answer into Python and
applying `scores` to them; the two must give the same standings.

    python bench/practice.py [--members 200] [--answers-each 500] [--runs 5]

Builds a throwaway SQLite database (migrated by the real migrations), inserts one server's history
(members x answers, a fifth of them on daily prompts), then prints the median of `--runs` calls.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.core.practice.scores import period_start, score, standings  # noqa: E402
from bot.core.practice.services import build_practice  # noqa: E402
from bot.core.storage.database import create_engine, session_factory, upgrade  # noqa: E402
from bot.core.storage.models import QuizAnswerRow, QuizPostRow, QuizQuestionRow  # noqa: E402

GUILD = 1
NOW = datetime(2026, 5, 20, 12, tzinfo=timezone.utc)


async def fill(sessions, members: int, answers_each: int, rng: random.Random) -> None:
    questions = 400
    async with sessions() as session, session.begin():
        await session.execute(insert(QuizQuestionRow), [dict(
            id=f"q{i}", kind="cloze", prompt="p", choices=["a", "b", "c", "d"], answer_index=0, answer="a",
            accepted=[], explanation=None, source="n.md", heading=None, start_line=1, end_line=2,
            chunk_id=f"c{i}", quality=0.5, created_at=NOW, retired_at=None) for i in range(questions)])
        await session.execute(insert(QuizPostRow), [dict(
            id=i + 1, question_id=f"q{i}", kind="daily" if i % 5 == 0 else "quiz", guild_id=GUILD, channel_id=1,
            message_id=None, user_id=None, posted_at=NOW - timedelta(days=i % 120), closed_at=None)
            for i in range(questions)])
        rows = []
        for user in range(members):
            for post in rng.sample(range(questions), min(answers_each, questions)):
                rows.append(dict(post_id=post + 1, question_id=f"q{post}", guild_id=GUILD, channel_id=1,
                                 user_id=user, choice_index=0, text=None, correct=rng.random() < 0.6,
                                 near_miss=False, answered_at=NOW - timedelta(days=post % 120, minutes=user)))
        for start in range(0, len(rows), 5000):
            await session.execute(insert(QuizAnswerRow), rows[start:start + 5000])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--answers-each", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
        await upgrade(engine)
        sessions = session_factory(engine)
        await fill(sessions, args.members, args.answers_each, random.Random(1))
        practice = build_practice(sessions, lambda: NOW, random.Random(1))
        total = args.members * min(args.answers_each, 400)
        zone = await practice.standings.zone(GUILD)

        async def in_python(period):
            since = period_start(period, NOW, zone)
            return standings(score(await practice.standings.facts(GUILD)), since)

        async def in_sql(period):
            return await practice.standings.totals(GUILD, period_start(period, NOW, zone))

        medians = {}
        for name, call in (("leaderboard all (sql)", lambda: in_sql("all")),
                           ("leaderboard all (python)", lambda: in_python("all")),
                           ("leaderboard week (sql)", lambda: in_sql("week")),
                           ("leaderboard week (python)", lambda: in_python("week")),
                           ("progress", lambda: practice.standings.progress(GUILD, 7))):
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                await call()
                times.append(time.perf_counter() - start)
            medians[name] = statistics.median(times)
            print(f"{name:26} median {medians[name] * 1000:8.1f} ms over {args.runs} runs "
                  f"({total:,} answers in the server)")
        for period in ("all", "week"):
            assert await in_sql(period) == await in_python(period), f"SQL and Python standings differ ({period})"
            ratio = medians[f"leaderboard {period} (python)"] / medians[f"leaderboard {period} (sql)"]
            print(f"leaderboard {period}: SQL {ratio:.1f}x faster than loading every answer; same standings")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
