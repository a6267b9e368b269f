"""How many answered, on the quiz messages: one edit per post every `EDIT_EVERY` seconds at most.

A click is answered with one response, the member's private feedback; updating the question
message's count in the same go cost two more REST calls per click, which in a burst (a daily post
clicked by a whole server) was most of the bot's work. Instead each process keeps, per post it saw
clicked, an *editor*: the first click on the post acknowledges by deferring an update of the
question message (so its interaction token may edit that message for 15 minutes), and this
updater edits the count through it, coalesced: the first edit shortly after the first click, then
at most one every `EDIT_EVERY` seconds while clicks come, with the count read from the database
for all the posts due at once. The count comes from the database, not from memory, so every
shard's edits converge on the stored number; a closed post is never edited back to its open look.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import discord

from bot.adapter.rendering import NO_MENTIONS
from bot.core.quiz.questions import Question

log = logging.getLogger(__name__)

EDIT_EVERY = 1.5  # seconds between two edits of one post's count
FIRST_EDIT_AFTER = 0.25  # seconds after a first click: the clicks arriving with it share the edit
EDITOR_LIFETIME = 14 * 60  # seconds an interaction token is used for (Discord's last 15 minutes)
POSTS_KEPT = 1024  # posts whose editor is remembered; the least recently clicked go first
CLOSE_TIMEOUT = 3.0  # seconds the last edits may take at shutdown

OpenCounts = Callable[[Sequence[int]], Awaitable[dict[int, int]]]
Render = Callable[[Question, str, int], discord.Embed]


@dataclass
class _Post:
    question: Question | None = None
    kind: str = "quiz"
    editor: discord.Interaction | None = None
    editor_since: float = -math.inf
    claimed: bool = False  # a click is deferring to become the editor
    due: float | None = None  # when the count should next be edited; None: it is current
    last_edit: float = -math.inf


class AnswerCounts:
    """The per-process updater of quiz messages' answer counts (see the module docstring).

    `open_counts(post_ids)` returns the number of answers of each post that is still open (closed
    ones left out); `render(question, kind, answered)` the question message's embed.
    """

    def __init__(self, open_counts: OpenCounts, render: Render, *, every: float = EDIT_EVERY,
                 first_after: float = FIRST_EDIT_AFTER, clock: Callable[[], float] = time.monotonic) -> None:
        self.open_counts = open_counts
        self.render = render
        self.every = every
        self.first_after = first_after
        self.clock = clock
        self._posts: OrderedDict[int, _Post] = OrderedDict()
        self._runner: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def claim_editor(self, post_id: int) -> bool:
        """Whether this click should become the post's editor: acknowledge by deferring an update
        of the question message, then `set_editor` (or `release` if that failed). Only one click
        per post claims at a time; the others answer with their feedback alone."""
        post = self._post(post_id)
        if post.claimed or (post.editor is not None and self.clock() - post.editor_since < EDITOR_LIFETIME):
            return False
        post.claimed, post.editor = True, None
        return True

    def set_editor(self, post_id: int, interaction: discord.Interaction) -> None:
        post = self._post(post_id)
        post.claimed, post.editor, post.editor_since = False, interaction, self.clock()
        self._wake.set()

    def release(self, post_id: int) -> None:
        """The claiming click could not defer: the next click claims."""
        self._post(post_id).claimed = False

    def answered(self, post_id: int, question: Question, kind: str) -> None:
        """A click changed the post's count: edit it soon (coalesced with the others)."""
        post = self._post(post_id)
        post.question, post.kind = question, kind
        if post.due is None:
            post.due = max(self.clock() + self.first_after, post.last_edit + self.every)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="quiz-answer-counts")
        self._wake.set()

    def closed(self, post_id: int) -> None:
        """The post was closed and revealed: never edit its count again."""
        self._posts.pop(post_id, None)

    def _post(self, post_id: int) -> _Post:
        post = self._posts.get(post_id)
        if post is None:
            post = self._posts[post_id] = _Post()
            while len(self._posts) > POSTS_KEPT:
                self._posts.popitem(last=False)
        else:
            self._posts.move_to_end(post_id)
        return post

    async def _run(self) -> None:
        """Edit the counts that are due until none is waiting."""
        while True:
            for post in self._posts.values():
                if post.due is not None and post.editor is None and not post.claimed:
                    post.due = None  # no token to edit with (its edit failed): the next click claims one
            waiting = [p.due for p in self._posts.values() if p.due is not None]
            if not waiting:
                return
            now = self.clock()
            ready = [(post_id, p) for post_id, p in self._posts.items()
                     if p.due is not None and p.due <= now and p.editor is not None]
            if ready:
                await self.edit(ready)
                continue
            self._wake.clear()  # a new editor or click may make something ready sooner
            soonest = min(waiting)
            try:
                await asyncio.wait_for(self._wake.wait(), soonest - now if soonest > now else self.first_after)
            except TimeoutError:
                pass

    async def edit(self, ready: Sequence[tuple[int, _Post]]) -> None:
        """Read the counts of `ready` posts in one query and edit each message."""
        now = self.clock()
        for _, post in ready:
            post.due, post.last_edit = None, now
        try:
            counts = await self.open_counts([post_id for post_id, _ in ready])
        except Exception:  # noqa: BLE001 - the database failed: the next click brings the count back
            log.warning("could not read the answer counts of %d quiz posts", len(ready), exc_info=True)
            return
        await asyncio.gather(*(self._edit(post_id, post, counts[post_id]) for post_id, post in ready
                               if post_id in counts and post.question is not None))

    async def _edit(self, post_id: int, post: _Post, answered: int) -> None:
        editor = post.editor
        if editor is None or post.question is None:
            return
        try:
            await editor.edit_original_response(embed=self.render(post.question, post.kind, answered),
                                                 allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:  # the message was deleted, or the token expired
            log.info("could not update the answer count of quiz post %s: %s", post_id, exc)
            if post.editor is editor:
                post.editor = None

    async def aclose(self) -> None:
        """Make the edits still due now (briefly), then stop."""
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        ready = [(post_id, p) for post_id, p in self._posts.items() if p.due is not None and p.editor is not None]
        if ready:
            try:
                await asyncio.wait_for(self.edit(ready), CLOSE_TIMEOUT)
            except (TimeoutError, discord.HTTPException):
                log.info("%d quiz answer counts were not updated at shutdown", len(ready))
