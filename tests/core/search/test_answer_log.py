"""The answer log: ids before rows, rows written behind in batches and never lost on a clean
shutdown, the pages shown remembered, and feedback stored against the page it was given on."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.search.answer_log import AnswerLog
from bot.core.search.answering import Passage
from bot.core.storage.id_blocks import BLOCK_SIZE
from bot.core.storage.models import AnswerRow

Sessions = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def passages(*names: str) -> list[Passage]:
    return [Passage(f"{name}.md", name, 1, 3, 1.5, f"text of {name}", (), f"chunk-{name}") for name in names]


async def stored(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AnswerRow)))


async def record(log: AnswerLog, question: str = "what is a pod", shown: list[Passage] | None = None) -> int:
    return await log.record_answer(guild_id=1, channel_id=2, user_id=3, question=question,
                                   passages=passages("a", "b", "c") if shown is None else shown)


async def test_an_answer_has_its_id_before_its_row_and_reads_back_either_way(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0, flush_after=60)  # nothing is written by itself here
    answer_id = await record(log, "what is a pod")
    assert await stored(sessions) == 0
    waiting = await log.get(answer_id)
    await log.flush()
    assert await stored(sessions) == 1
    written = await log.get(answer_id)
    assert waiting == written
    assert (written.question, written.guild_id, written.channel_id, written.user_id, written.created_at) == (
        "what is a pod", 1, 2, 3, T0)
    await log.aclose()


async def test_a_burst_is_written_soon_by_itself(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0, flush_after=0.001)
    ids = await asyncio.gather(*(record(log, f"question {i}") for i in range(50)))
    assert len(set(ids)) == 50
    for _ in range(500):
        if await stored(sessions) == 50:
            break
        await asyncio.sleep(0.01)
    assert await stored(sessions) == 50
    await log.aclose()


async def test_a_clean_shutdown_writes_every_waiting_answer(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0, flush_after=60)
    ids = [await record(log, f"question {i}") for i in range(450)]  # more than one batch
    await log.aclose()
    assert await stored(sessions) == 450
    async with sessions() as session:
        assert set(await session.scalars(select(AnswerRow.id))) == set(ids)


async def test_an_answer_is_recorded_without_waiting_while_its_block_has_ids(sessions: Sessions) -> None:
    """`record_answer_now` hands out the block's ids in memory; when the block is used up (or the
    log is closing) it says None, and `record_answer` reserves the next block."""
    log = AnswerLog(sessions, lambda: T0, flush_after=60)
    kwargs = dict(guild_id=1, channel_id=2, user_id=3, passages=passages("a"))
    assert log.record_answer_now(question="no block yet", **kwargs) is None
    first = await record(log, "reserves a block")
    now = [log.record_answer_now(question=f"q{i}", **kwargs) for i in range(BLOCK_SIZE - 1)]
    assert now == list(range(first + 1, first + BLOCK_SIZE))
    assert log.record_answer_now(question="block used up", **kwargs) is None
    assert await record(log, "the next block") > now[-1]
    assert (await log.get(now[5])).question == "q5"  # type: ignore[union-attr]
    await log.aclose()
    assert log.record_answer_now(question="closing", **kwargs) is None
    assert await stored(sessions) == BLOCK_SIZE + 1


async def test_processes_sharing_the_database_never_hand_out_the_same_id(sessions: Sessions) -> None:
    logs = [AnswerLog(sessions, lambda: T0, flush_after=0.001) for _ in range(3)]
    ids = await asyncio.gather(*(record(logs[i % 3], f"q{i}") for i in range(900)))  # several blocks each
    assert len(set(ids)) == 900
    for log in logs:
        await log.aclose()
    assert await stored(sessions) == 900


async def test_feedback_is_stored_with_the_page_it_was_given_on(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0)
    answer_id = await record(log, shown=passages("a", "b", "c"))
    await log.record_page(answer_id, 3, passages("d", "e", "f"))
    await log.record_page(answer_id, 6, passages("g"))
    for user, (verdict, offset) in enumerate((("helpful", 3), ("not_helpful", 6), ("helpful", 0)), start=10):
        assert await log.record_feedback(answer_id=answer_id, user_id=user, guild_id=1, verdict=verdict, offset=offset)
    feedback = await log.feedback(answer_id)
    assert [(user, verdict, [r["citation"] for r in results]) for user, verdict, results in feedback] == [
        (10, "helpful", ["d.md:1-3", "e.md:1-3", "f.md:1-3"]),
        (11, "not_helpful", ["g.md:1-3"]),
        (12, "helpful", ["a.md:1-3", "b.md:1-3", "c.md:1-3"]),
    ]
    assert [r["chunk_id"] for r in await log.shown(answer_id, 3)] == ["chunk-d", "chunk-e", "chunk-f"]
    await log.aclose()


async def test_showing_a_page_again_replaces_it_and_a_second_verdict_replaces_the_first(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0)
    answer_id = await record(log)
    await log.record_page(answer_id, 3, passages("d"))
    await log.record_page(answer_id, 3, passages("x", "y"))  # the index changed between two clicks
    await log.record_feedback(answer_id=answer_id, user_id=10, guild_id=1, verdict="helpful", offset=0)
    await log.record_feedback(answer_id=answer_id, user_id=10, guild_id=1, verdict="not_helpful", offset=3)
    ((user, verdict, results),) = await log.feedback(answer_id)
    assert (user, verdict, [r["chunk_id"] for r in results]) == (10, "not_helpful", ["chunk-x", "chunk-y"])
    await log.aclose()


async def test_feedback_on_an_answer_not_stored_is_refused(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0)
    assert not await log.record_feedback(answer_id=424242, user_id=1, guild_id=None, verdict="helpful", offset=0)
    assert await log.get(424242) is None
    await log.aclose()


async def test_an_answer_recorded_while_shutting_down_is_written_at_once(sessions: Sessions) -> None:
    log = AnswerLog(sessions, lambda: T0, flush_after=60)
    await record(log, "before")
    await log.aclose()
    await record(log, "during the shutdown")  # a reply still in flight when the bot closed
    assert await stored(sessions) == 2
