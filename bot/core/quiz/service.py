"""The quiz as the front-ends see it (Discord, the CLI, the terminal chat): pick a question for a
member, post it, take answers, close it.

Everything it depends on comes in as an argument: sessions, the current search engine (a callable,
because a reindex swaps the engine), a clock, a `random.Random` (or a seed per pick), and
optionally a `ReviewSource` (spaced review, bot.core.practice), which offers due questions first and
is told of every answer once it is stored.

Answering is built for bursts (a daily post clicked by a whole server): the post and its question
are remembered per post id, and the answers of concurrent clicks are stored together, one
transaction per batch whose insert enforces the rules (`answer_batches.py`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.errors import BadAnswer, NoQuestion, UnknownPost
from bot.core.quiz import selection
from bot.core.quiz.checking import (
    DEFAULT_NEAR_MISS_THRESHOLD,
    DEFAULT_TYPO_THRESHOLD,
    MAX_TYPED_LENGTH,
    AnswerChecker,
    Verdict,
    choice_from_letter,
)
from bot.core.quiz.answer_batches import AnswerBatches
from bot.core.quiz.posts import NewAnswer, PostKind, QuizPost, QuizPosts, StoredAnswer, Tally, post_from_row
from bot.core.quiz.questions import Question, RecordedAnswer, ReviewSource
from bot.core.quiz.store import QuestionStore, question_from_row
from bot.core.quiz.topic_words import TopicWords
from bot.core.search.analysis import Analyzer
from bot.core.search.answering import Passage, SearchEngine
from bot.core.search.documents import Document
from bot.core.storage.models import QuizPostRow, QuizQuestionRow

log = logging.getLogger(__name__)

POSTS_REMEMBERED = 4096  # posts (with their questions) kept in memory for answering
TOPIC_PASSAGES = 5  # the best passages for a topic whose questions are candidates
EMPTY_POOL = ("There are no quiz questions yet. They are made from the notes as they are indexed (a large folder "
              "takes a few minutes), and some notes give none: moderators can write their own in quiz/ in the "
              "notes folder.")
EMPTY_ANSWER = "Type an answer first: nothing was recorded, so you can still answer."
LONG_ANSWER = f"That answer is longer than {MAX_TYPED_LENGTH} characters: nothing was recorded, try a shorter one."


@dataclass(frozen=True)
class QuizSettings:
    """The quiz's tunable numbers (QUIZ_* settings)."""

    typo_threshold: float = DEFAULT_TYPO_THRESHOLD
    near_miss_threshold: float = DEFAULT_NEAR_MISS_THRESHOLD
    recent_days: float = 7.0


@dataclass(frozen=True)
class Pick:
    """The question chosen for a member; `note` says why when it is a due review."""

    question: Question
    note: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A recorded answer with its verdict and the post's new tally."""

    question: Question
    post: QuizPost
    answer: StoredAnswer
    verdict: Verdict
    tally: Tally | None  # None when not counted (`count=False`)


class QuizService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: Callable[[], SearchEngine], *,
                 clock: Clock, rng: random.Random | None = None, review: ReviewSource | None = None,
                 settings: QuizSettings = QuizSettings()) -> None:
        self.sessions = sessions
        self.questions = QuestionStore(sessions)
        self.posts = QuizPosts(sessions)
        self.answers = AnswerBatches(self.posts)
        self._posts_seen: OrderedDict[int, asyncio.Future[tuple[QuizPost, Question]]] = OrderedDict()
        self.engine = engine
        self.clock = clock
        self.rng = rng or random.Random()
        self.review = review
        self.settings = settings
        self._passages: tuple[list[Document], dict[str, Document], dict[str, list[Document]]] | None = None

    # ------------------------------------------------------------------ choosing

    async def pick(self, *, guild_id: int | None, user_id: int, topic: str | None = None,
                   seed: int | None = None) -> Pick:
        """A question for the member; `NoQuestion` (with "did you mean" words for an unknown
        topic) when there is none to ask."""
        rng = random.Random(seed) if seed is not None else self.rng
        now = self.clock()
        topic = (topic or "").strip() or None
        if topic is None and self.review is not None:
            due = await self.review.due_review(guild_id, user_id, now)
            if due is not None:
                question = await self.questions.get(due.question_id)
                if question is not None and await self._active(question):
                    return Pick(question, selection.review_note(due, now))
        seen = await self.posts.recently_seen(guild_id, user_id, now - timedelta(days=self.settings.recent_days))
        if topic is not None:
            candidates, loaded = await self._topic_candidates(topic)
        else:
            candidates, loaded = selection.pool_candidates(await self._active_ids()), {}
        chosen = selection.choose(candidates, seen, rng)
        question = None if chosen is None else loaded.get(chosen) or await self.questions.get(chosen)
        if question is None:
            raise NoQuestion(EMPTY_POOL)
        return Pick(question)

    async def _active_ids(self) -> list[tuple[str, str, str]]:
        """(id, kind, answer) of every question that may be asked."""
        async with self.sessions() as session:
            rows = await session.execute(select(QuizQuestionRow.id, QuizQuestionRow.kind, QuizQuestionRow.answer)
                                         .where(QuizQuestionRow.retired_at.is_(None)))
            return [(question_id, kind, answer) for question_id, kind, answer in rows.all()]

    async def _topic_candidates(self, topic: str) -> tuple[list[tuple[str, float]], dict[str, Question]]:
        """(id, weight) of the questions about `topic` (see `selection`), and those of them already
        loaded; the others are loaded only when drawn."""
        engine = self.engine()
        answer = engine.search(topic, k=TOPIC_PASSAGES)
        saying = await self._saying(TopicWords.of(topic, engine.analyzer), engine.analyzer)
        if not answer.passages and not saying:
            hint = f" Did you mean: {', '.join(answer.suggestions)}?" if answer.suggestions else ""
            raise NoQuestion(f"Nothing in the notes matches {topic!r}.{hint}", answer.suggestions)
        on_passages: list[tuple[Question, float]] = []
        if answer.passages:
            from_chunks = await self.questions.active_for_chunks([p.chunk_id for p in answer.passages])
            on_passages = selection.topic_candidates(answer.passages, from_chunks, await self._active_written())
        candidates = selection.with_own_words(on_passages, saying)
        if not candidates:
            raise NoQuestion(f"No quiz question covers {topic!r} yet; try another topic, or /quiz without one.")
        return candidates, {q.id: q for q, _ in on_passages}

    async def _saying(self, words: TopicWords, analyzer: Analyzer) -> list[tuple[str, str, str]]:
        """(id, kind, answer) of the active questions whose own words say the topic's."""
        found = await self.questions.active_containing(words.prefixes)
        return [(q.id, q.kind, q.answer) for q in found if words.matches([q.prompt, q.answer, *q.choices], analyzer)]

    async def _active(self, question: Question) -> bool:
        """Whether a question may still be asked (a due review's question may have been retired)."""
        async with self.sessions() as session:
            retired = await session.execute(select(QuizQuestionRow.retired_at).where(QuizQuestionRow.id == question.id))
            row = retired.first()
            return row is not None and row[0] is None

    async def _active_written(self) -> list[Question]:
        """The hand-written questions that may be asked (a few dozen; the pool may hold thousands)."""
        async with self.sessions() as session:
            rows = await session.scalars(select(QuizQuestionRow).where(
                QuizQuestionRow.kind == "written", QuizQuestionRow.retired_at.is_(None)).order_by(QuizQuestionRow.id))
            return [question_from_row(r) for r in rows]

    # ------------------------------------------------------------------ posting

    async def post(self, question: Question, *, kind: PostKind = "quiz", guild_id: int | None,
                   channel_id: int | None, user_id: int | None) -> QuizPost:
        """Store that `question` is being shown (before sending it: the buttons carry the post id)."""
        return await self.posts.create(question.id, kind=kind, guild_id=guild_id, channel_id=channel_id,
                                       user_id=user_id, now=self.clock())

    async def set_message(self, post_id: int, message_id: int) -> None:
        await self.posts.set_message(post_id, message_id)

    async def close(self, post_id: int) -> QuizPost:
        self._posts_seen.pop(post_id, None)
        return await self.posts.close(post_id, self.clock())

    async def tally(self, post_id: int) -> Tally:
        return await self.posts.tally(post_id)

    async def post_and_question(self, post_id: int) -> tuple[QuizPost, Question]:
        """A stored post and its question (retired or not: old posts still show theirs)."""
        async with self.sessions() as session:  # one query: a click reads both before anything else
            row = (await session.execute(
                select(QuizPostRow, QuizQuestionRow)
                .outerjoin(QuizQuestionRow, QuizQuestionRow.id == QuizPostRow.question_id)
                .where(QuizPostRow.id == post_id))).first()
            if row is None:
                raise UnknownPost("That quiz is no longer stored; start a new one with /quiz.")
            if row[1] is None:
                raise UnknownPost("That quiz's question is no longer stored; start a new one with /quiz.")
            return post_from_row(row[0]), question_from_row(row[1])

    async def previous_answer(self, post_id: int, user_id: int) -> StoredAnswer | None:
        return await self.posts.answer_of(post_id, user_id)

    # ------------------------------------------------------------------ answering

    def checker(self) -> AnswerChecker:
        """A checker over the current engine's analyser and synonyms."""
        engine = self.engine()
        return AnswerChecker(engine.analyzer, engine.queries.synonyms,
                             typo_threshold=self.settings.typo_threshold,
                             near_miss_threshold=self.settings.near_miss_threshold)

    async def answer_choice(self, post_id: int, choice: int, *, user_id: int, guild_id: int | None,
                            channel_id: int | None, count: bool = True) -> Outcome:
        """A clicked choice. Raises `AlreadyAnswered`, `QuizClosed` or `UnknownPost`. Without
        `count` the post's tally is not read (`Outcome.tally` is None): a click's reply does not
        show it, and the question message's count is updated separately, coalesced."""
        post, question = await self.shown(post_id)
        verdict = self.checker().check_choice(question, choice)
        return await self._record(post, question, verdict, user_id=user_id, guild_id=guild_id,
                                  channel_id=channel_id, choice=choice, text=None, count=count)

    async def answer_text(self, post_id: int, text: str, *, user_id: int, guild_id: int | None,
                          channel_id: int | None, count: bool = True) -> Outcome:
        """A typed answer. A lone letter A–D picks that choice (typing "B" in the form means B, not
        the article "a"). Raises `BadAnswer` (empty, too long: nothing recorded) besides the
        refusals of `answer_choice`."""
        post, question = await self.shown(post_id)
        letter = choice_from_letter(text, len(question.choices))
        if letter is not None:
            return await self._record(post, question, self.checker().check_choice(question, letter),
                                      user_id=user_id, guild_id=guild_id, channel_id=channel_id, choice=letter,
                                      text=None, count=count)
        verdict = self.checker().check_typed(question, text)
        if not verdict.judged:
            raise BadAnswer(EMPTY_ANSWER if verdict.how == "empty" else LONG_ANSWER)
        return await self._record(post, question, verdict, user_id=user_id, guild_id=guild_id,
                                  channel_id=channel_id, choice=None, text=text.strip(), count=count)

    async def shown(self, post_id: int) -> tuple[QuizPost, Question]:
        """The post and its question, from memory when seen before: both are immutable but for
        the post's closing (so `closed` may be stale), which the insert itself checks: answering
        needs no read first. The clicks of a burst on a post new to this process share one read."""
        known = self._posts_seen.get(post_id)
        if known is None:
            known = self._posts_seen[post_id] = asyncio.ensure_future(self.post_and_question(post_id))
            if len(self._posts_seen) > POSTS_REMEMBERED:
                self._posts_seen.popitem(last=False)
        else:
            self._posts_seen.move_to_end(post_id)
        try:
            return await asyncio.shield(known)
        except Exception:
            if self._posts_seen.get(post_id) is known:  # not remembered: the next click reads again
                del self._posts_seen[post_id]
            raise

    async def _record(self, post: QuizPost, question: Question, verdict: Verdict, *, user_id: int,
                      guild_id: int | None, channel_id: int | None, choice: int | None, text: str | None,
                      count: bool) -> Outcome:
        stored = await self.answers.store(NewAnswer(post, user_id, guild_id, channel_id, choice, text,
                                                    verdict.correct, verdict.near_miss, self.clock()))
        tally = await self.posts.tally(post.id) if count else None
        await self._review(RecordedAnswer(post_id=post.id, post_kind=post.kind, question_id=question.id,
                                          guild_id=guild_id, channel_id=channel_id, user_id=user_id,
                                          correct=verdict.correct, near_miss=verdict.near_miss,
                                          answered_at=stored.answered_at))
        return Outcome(question, post, stored, verdict, tally)

    async def _review(self, recorded: RecordedAnswer) -> None:
        """Tell spaced review (which, as built by the app, only queues the card's update to be
        written behind the reply)."""
        if self.review is None:
            return
        try:
            await self.review.on_answer(recorded)
        except Exception:  # noqa: BLE001 - the answer is stored; review catches up next time
            log.warning("the review source failed on the answer to post %s by user %s", recorded.post_id,
                        recorded.user_id, exc_info=True)

    async def aclose(self) -> None:
        """Finish the answers being stored (a clean shutdown)."""
        await self.answers.aclose()

    # ------------------------------------------------------------------ showing the source

    def source_passage(self, question: Question) -> Passage | None:
        """The passage a question comes from, in the current index (None if it has gone)."""
        by_chunk, by_source = self._passage_maps()
        if question.chunk_id is not None:
            doc = by_chunk.get(question.chunk_id)
        else:
            doc = next((d for d in by_source.get(question.source, ())
                        if d.chunk.start_line <= question.end_line and question.start_line <= d.chunk.end_line), None)
        if doc is None:
            return None
        chunk = doc.chunk
        return Passage(source=chunk.source, heading=chunk.heading, start_line=chunk.start_line,
                       end_line=chunk.end_line, score=0.0, text=chunk.text, matched=(),
                       chunk_id=chunk.chunk_id, title=doc.title)

    def _passage_maps(self) -> tuple[dict[str, Document], dict[str, list[Document]]]:
        """The current index's documents by chunk id and by note, made once per index: every
        click's feedback quotes its passage, and scanning 14,000 passages for it took 15 ms of
        the event loop per click (under the profiler). A reindex makes a new documents list, which makes new maps."""
        documents = self.engine().documents
        if self._passages is None or self._passages[0] is not documents:
            by_chunk: dict[str, Document] = {}
            by_source: dict[str, list[Document]] = {}
            for doc in documents:  # the first of equal keys wins, as the scan it replaces did
                by_chunk.setdefault(doc.chunk.chunk_id, doc)
                by_source.setdefault(doc.chunk.source, []).append(doc)
            self._passages = (documents, by_chunk, by_source)
        return self._passages[1], self._passages[2]
