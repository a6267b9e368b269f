"""The coalesced answer counts on quiz messages (`quiz_counts.AnswerCounts`), without Discord: one
editor per post, at most one edit per post per period, the last edit showing the stored count,
closed posts left alone, and a failed edit handing the editor's role to the next click."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import discord

from bot.adapter.quiz_counts import AnswerCounts
from tests.core.quiz.fixtures import PVC


class Editor:
    """Stands in for the interaction whose token edits the question message."""

    def __init__(self, fail: bool = False) -> None:
        self.edits: list[str] = []
        self.fail = fail

    async def edit_original_response(self, **message: Any) -> None:
        if self.fail:
            raise discord.HTTPException(SimpleNamespace(status=404, reason="Not Found"), "Unknown Webhook")
        self.edits.append(message["embed"].footer.text)


class Stored:
    """The database's counts; closed posts are left out, as `QuizPosts.open_counts` does."""

    def __init__(self) -> None:
        self.answered: dict[int, int] = {}
        self.closed: set[int] = set()
        self.reads = 0

    async def open_counts(self, post_ids: Sequence[int]) -> dict[int, int]:
        self.reads += 1
        return {p: self.answered.get(p, 0) for p in post_ids if p not in self.closed}


def counts(stored: Stored, every: float = 0.2) -> AnswerCounts:
    embed = lambda question, kind, answered: discord.Embed(title=kind).set_footer(text=f"{answered} answered")  # noqa: E731
    return AnswerCounts(stored.open_counts, embed, every=every, first_after=0.02)


async def settle(updater: AnswerCounts) -> None:
    for _ in range(200):
        if updater._runner is None or updater._runner.done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the updater never finished")


async def test_a_burst_is_one_edit_showing_the_stored_count() -> None:
    stored, editor = Stored(), Editor()
    updater = counts(stored)
    assert updater.claim_editor(1) and not updater.claim_editor(1)  # one click claims; the others do not
    updater.set_editor(1, editor)  # type: ignore[arg-type]
    assert not updater.claim_editor(1)
    for n in range(1, 31):  # thirty clicks arriving together
        stored.answered[1] = n
        updater.answered(1, PVC, "quiz")
    await settle(updater)
    assert editor.edits == ["30 answered"] and stored.reads == 1
    for n in range(31, 41):  # ten more after it: one more edit, a period after the first
        stored.answered[1] = n
        updater.answered(1, PVC, "quiz")
    await settle(updater)
    assert editor.edits == ["30 answered", "40 answered"] and stored.reads == 2


async def test_posts_due_together_are_read_in_one_query() -> None:
    stored = Stored()
    updater = counts(stored)
    editors = {post: Editor() for post in (1, 2, 3)}
    for post, editor in editors.items():
        updater.claim_editor(post)
        updater.set_editor(post, editor)  # type: ignore[arg-type]
        stored.answered[post] = post * 10
        updater.answered(post, PVC, "daily")
    await settle(updater)
    assert stored.reads == 1
    assert {post: e.edits for post, e in editors.items()} == {1: ["10 answered"], 2: ["20 answered"], 3: ["30 answered"]}


async def test_a_closed_post_is_never_edited_back() -> None:
    stored, editor = Stored(), Editor()
    updater = counts(stored)
    updater.claim_editor(1)
    updater.set_editor(1, editor)  # type: ignore[arg-type]
    stored.answered[1] = 3
    updater.answered(1, PVC, "quiz")
    stored.closed.add(1)  # closed by another shard before the edit: the stored count leaves it out
    await settle(updater)
    updater.answered(1, PVC, "quiz")
    updater.closed(1)  # revealed here
    await settle(updater)
    assert editor.edits == []


async def test_a_failed_edit_lets_the_next_click_become_the_editor() -> None:
    stored = Stored()
    updater = counts(stored)
    updater.claim_editor(1)
    updater.set_editor(1, Editor(fail=True))  # type: ignore[arg-type]
    stored.answered[1] = 1
    updater.answered(1, PVC, "quiz")
    await settle(updater)
    assert updater.claim_editor(1)
    editor = Editor()
    updater.set_editor(1, editor)  # type: ignore[arg-type]
    stored.answered[1] = 2
    updater.answered(1, PVC, "quiz")
    await settle(updater)
    assert editor.edits == ["2 answered"]


async def test_closing_the_bot_makes_the_edits_still_due() -> None:
    stored, editor = Stored(), Editor()
    updater = counts(stored, every=60)
    updater.claim_editor(1)
    updater.set_editor(1, editor)  # type: ignore[arg-type]
    stored.answered[1] = 1
    updater.answered(1, PVC, "quiz")
    await settle(updater)
    stored.answered[1] = 2
    updater.answered(1, PVC, "quiz")  # due in a minute
    await updater.aclose()
    assert editor.edits == ["1 answered", "2 answered"]
