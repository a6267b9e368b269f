"""The quiz service: choosing a question (topic, unknown topic, seed, recently seen, due review),
answering it (buttons, typed text, refusals) and telling spaced review."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.errors import AlreadyAnswered, BadAnswer, NoQuestion, QuizClosed
from bot.core.quiz.questions import DueReview, Question, RecordedAnswer
from bot.core.quiz.service import QuizService
from bot.core.search.service import NotesService
from bot.core.storage.models import QuizQuestionRow
from tests.core.quiz.conftest import FakeClock
from tests.core.quiz.fixtures import CREATED_AT, SEED_NOTE

GUILD, CHANNEL, USER = 10, 20, 7
WHERE = dict(guild_id=GUILD, channel_id=CHANNEL)


async def _show(quiz: QuizService, question: Question, user_id: int = USER):
    return await quiz.post(question, guild_id=GUILD, channel_id=CHANNEL, user_id=user_id)


# --------------------------------------------------------------------------- choosing


async def test_topic_draws_from_the_passages_that_match_it(quiz: QuizService, questions: dict[str, Question]) -> None:
    picks = {(await quiz.pick(guild_id=GUILD, user_id=USER, topic="etcd secrets", seed=s)).question.id
             for s in range(20)}
    # the best passage for "etcd secrets" (lines 111-122) holds the base64 question and the
    # hand-written PVC one (line 115, no chunk id: matched by its lines)
    assert picks == {questions["base64"].id, questions["pvc"].id}


async def test_topic_on_a_typo_finds_the_notes_spelling(quiz: QuizService, questions: dict[str, Question]) -> None:
    pick = await quiz.pick(guild_id=GUILD, user_id=USER, topic="hypervisor", seed=1)
    assert pick.question.id == questions["hypervizor"].id


async def test_unknown_topic_gets_did_you_mean(quiz: QuizService) -> None:
    with pytest.raises(NoQuestion) as refused:
        await quiz.pick(guild_id=GUILD, user_id=USER, topic="baking sourdough bread")
    assert refused.value.suggestions == ("break",)
    assert "Did you mean: break?" in str(refused.value)


async def test_topic_without_questions_says_so(quiz: QuizService) -> None:
    with pytest.raises(NoQuestion, match="No quiz question covers 'canary deployment'"):
        await quiz.pick(guild_id=GUILD, user_id=USER, topic="canary deployment")  # its question is retired


async def test_retired_questions_are_never_drawn(quiz: QuizService, questions: dict[str, Question]) -> None:
    drawn = {(await quiz.pick(guild_id=GUILD, user_id=USER, seed=s)).question.id for s in range(60)}
    assert drawn == {q.id for name, q in questions.items() if name != "canary"}


CNI = Question(id="cni0000000000001", kind="cloze", prompt="Which ____ plugins enforce NetworkPolicies between pods?",
               choices=("CNI", "CSI", "CRI", "OCI"), answer_index=0, answer="CNI", source=SEED_NOTE, heading=None,
               start_line=1, end_line=21, quality=0.5)
MUT = Question(id="mut0000000000001", kind="written", prompt="Which keyword makes a Rust binding mutable?",
               choices=(), answer_index=None, answer="mut", source="rust/variables.md", heading=None,
               start_line=5, end_line=9, quality=10.0)


async def _store(sessions: async_sessionmaker[AsyncSession], notes: NotesService, q: Question,
                 retired: bool = False) -> Question:
    """Store `q` (on the seed note's first passage when it cites the seed note)."""
    chunk_id = next((d.chunk.chunk_id for d in notes.engine.documents
                     if d.chunk.source == q.source and d.chunk.start_line == q.start_line), None)
    async with sessions() as session, session.begin():
        session.add(QuizQuestionRow(
            id=q.id, kind=q.kind, prompt=q.prompt, choices=list(q.choices), answer_index=q.answer_index,
            answer=q.answer, accepted=[], explanation=None, source=q.source, heading=None, start_line=q.start_line,
            end_line=q.end_line, chunk_id=chunk_id, quality=q.quality, created_at=CREATED_AT,
            retired_at=CREATED_AT if retired else None))
    return q


async def _topic_picks(quiz: QuizService, topic: str, seeds: int = 30) -> set[str]:
    return {(await quiz.pick(guild_id=GUILD, user_id=USER, topic=topic, seed=s)).question.id for s in range(seeds)}


async def test_topic_draws_questions_that_say_it_on_passages_its_search_misses(
        sessions: async_sessionmaker[AsyncSession], notes: NotesService, quiz: QuizService) -> None:
    await _store(sessions, notes, CNI)  # lines 1-21 say nothing of network policies
    assert all(p.chunk_id != next(d.chunk.chunk_id for d in notes.engine.documents if d.chunk.start_line == 1)
               for p in notes.engine.search("NetworkPolicy", k=5).passages)
    assert CNI.id in await _topic_picks(quiz, "NetworkPolicy")


async def test_topic_words_apart_find_a_question_that_says_them_joined_and_plural(
        sessions: async_sessionmaker[AsyncSession], notes: NotesService, quiz: QuizService) -> None:
    await _store(sessions, notes, CNI)
    assert CNI.id in await _topic_picks(quiz, "network policy")


async def test_topic_finds_a_question_that_says_it_though_no_note_does(
        sessions: async_sessionmaker[AsyncSession], notes: NotesService, quiz: QuizService) -> None:
    await _store(sessions, notes, MUT)
    assert await _topic_picks(quiz, "mutable", seeds=5) == {MUT.id}


async def test_a_retired_question_that_says_the_topic_is_not_drawn(
        sessions: async_sessionmaker[AsyncSession], notes: NotesService, quiz: QuizService) -> None:
    await _store(sessions, notes, MUT, retired=True)
    with pytest.raises(NoQuestion):
        await quiz.pick(guild_id=GUILD, user_id=USER, topic="mutable")


async def test_the_topic_prefilter_reads_only_the_questions_holding_its_prefixes(
        sessions: async_sessionmaker[AsyncSession], notes: NotesService, quiz: QuizService) -> None:
    await _store(sessions, notes, CNI)
    await _store(sessions, notes, MUT)
    assert [q.id for q in await quiz.questions.active_containing(["NETWO", "poli"])] == [CNI.id]
    assert await quiz.questions.active_containing([]) == []


async def test_same_seed_same_question(quiz: QuizService) -> None:
    first = [(await quiz.pick(guild_id=GUILD, user_id=USER, seed=s)).question.id for s in range(10)]
    again = [(await quiz.pick(guild_id=GUILD, user_id=USER, seed=s)).question.id for s in range(10)]
    assert first == again and len(set(first)) > 1


async def test_service_rng_is_deterministic(sessions: async_sessionmaker[AsyncSession], notes: NotesService,
                                            clock: FakeClock, questions: dict[str, Question]) -> None:
    def service() -> QuizService:
        return QuizService(sessions, lambda: notes.engine, clock=clock, rng=random.Random(42))

    one, two = service(), service()
    assert [(await one.pick(guild_id=GUILD, user_id=USER)).question.id for _ in range(8)] == \
        [(await two.pick(guild_id=GUILD, user_id=USER)).question.id for _ in range(8)]


async def test_recently_seen_questions_are_avoided(quiz: QuizService, questions: dict[str, Question],
                                                   clock: FakeClock) -> None:
    active = {q.id for name, q in questions.items() if name != "canary"}
    seen: list[str] = []
    for _ in range(len(active)):
        pick = await quiz.pick(guild_id=GUILD, user_id=USER)
        assert pick.question.id not in seen
        seen.append(pick.question.id)
        await _show(quiz, pick.question)
        clock.advance(minutes=1)
    assert set(seen) == active
    # everything seen: the one seen longest ago comes back first
    assert (await quiz.pick(guild_id=GUILD, user_id=USER)).question.id == seen[0]
    # another member, and the same member after the window, start afresh
    other = {(await quiz.pick(guild_id=GUILD, user_id=USER + 1, seed=s)).question.id for s in range(30)}
    assert other == active
    clock.advance(days=8)
    later = {(await quiz.pick(guild_id=GUILD, user_id=USER, seed=s)).question.id for s in range(30)}
    assert later == active


async def test_empty_pool(sessions: async_sessionmaker[AsyncSession], quiz: QuizService) -> None:
    async with sessions() as session, session.begin():
        await session.execute(delete(QuizQuestionRow))
    with pytest.raises(NoQuestion, match="no quiz questions yet"):
        await quiz.pick(guild_id=GUILD, user_id=USER)


class Review:
    """A ReviewSource as spaced review (bot.core.practice) will be: a due card, and answers told."""

    def __init__(self, due: DueReview | None) -> None:
        self.due = due
        self.asked: list[tuple[int | None, int, datetime]] = []
        self.told: list[RecordedAnswer] = []

    async def due_review(self, guild_id: int | None, user_id: int, now: datetime) -> DueReview | None:
        self.asked.append((guild_id, user_id, now))
        return self.due

    async def on_answer(self, answer: RecordedAnswer) -> None:
        self.told.append(answer)


async def test_a_due_review_comes_first_and_says_so(quiz: QuizService, questions: dict[str, Question],
                                                    clock: FakeClock) -> None:
    quiz.review = Review(DueReview(questions["landscape"].id, clock() - timedelta(days=3), False))
    for seed in range(5):
        pick = await quiz.pick(guild_id=GUILD, user_id=USER, seed=seed)
        assert pick.question.id == questions["landscape"].id
        assert pick.note == "review: you missed this 3 days ago"
    assert quiz.review.asked[0] == (GUILD, USER, clock())
    # a topic is the member's choice: no review then
    assert (await quiz.pick(guild_id=GUILD, user_id=USER, topic="hypervisor")).note is None


async def test_a_retired_due_question_is_skipped(quiz: QuizService, questions: dict[str, Question],
                                                 clock: FakeClock) -> None:
    quiz.review = Review(DueReview(questions["canary"].id, clock() - timedelta(days=1), True))
    pick = await quiz.pick(guild_id=GUILD, user_id=USER, seed=3)
    assert pick.note is None and pick.question.id != questions["canary"].id


# --------------------------------------------------------------------------- answering


async def test_clicked_choices_are_judged_and_counted(quiz: QuizService, questions: dict[str, Question]) -> None:
    q = questions["base64"]
    post = await _show(quiz, q)
    outcomes = [await quiz.answer_choice(post.id, choice, user_id=100 + choice, **WHERE) for choice in range(4)]
    assert [o.verdict.correct for o in outcomes] == [i == q.answer_index for i in range(4)]
    assert [o.tally.answered for o in outcomes] == [1, 2, 3, 4]
    assert outcomes[-1].tally.right == 1
    stored = outcomes[2].answer
    assert (stored.guild_id, stored.channel_id, stored.user_id, stored.question_id, stored.post_id,
            stored.choice_index, stored.text, stored.correct) == (GUILD, CHANNEL, 102, q.id, post.id, 2, None, True)


async def test_a_second_answer_is_told_the_first(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await _show(quiz, questions["base64"])
    await quiz.answer_choice(post.id, 1, user_id=USER, **WHERE)
    with pytest.raises(AlreadyAnswered) as refused:
        await quiz.answer_text(post.id, "base64", user_id=USER, **WHERE)
    assert refused.value.previous.choice_index == 1 and not refused.value.previous.correct
    assert (await quiz.previous_answer(post.id, USER)).choice_index == 1


async def test_typed_answers(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await _show(quiz, questions["hypervizor"])
    right = await quiz.answer_text(post.id, "  Hypervisor ", user_id=1, **WHERE)
    assert right.verdict.correct and right.answer.text == "Hypervisor" and right.answer.choice_index is None
    near = await quiz.answer_text(post.id, "hyperv", user_id=2, **WHERE)
    assert (near.verdict.correct, near.verdict.near_miss, near.answer.near_miss) == (False, True, True)
    assert (near.tally.answered, near.tally.right) == (2, 1)


async def test_a_typed_letter_picks_that_choice(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await _show(quiz, questions["base64"])
    right = await quiz.answer_text(post.id, " c ", user_id=1, **WHERE)
    wrong = await quiz.answer_text(post.id, "A", user_id=2, **WHERE)  # choice A, not the article "a"
    assert (right.verdict.correct, right.answer.choice_index, right.answer.text) == (True, 2, None)
    assert (wrong.verdict.correct, wrong.answer.choice_index) == (False, 0)
    written = await _show(quiz, questions["pvc"])  # no choices: a letter is just a (wrong) answer
    assert not (await quiz.answer_text(written.id, "b", user_id=1, **WHERE)).verdict.correct


async def test_typed_only_question_takes_alternatives_and_synonyms(quiz: QuizService,
                                                                   questions: dict[str, Question]) -> None:
    post = await _show(quiz, questions["pvc"])
    assert (await quiz.answer_text(post.id, "Persistent Volume Claims", user_id=1, **WHERE)).verdict.correct
    assert (await quiz.answer_text(post.id, "persistentvolumeclaim", user_id=2, **WHERE)).verdict.correct


@pytest.mark.parametrize(("typed", "message"), [("   ", "Type an answer first"), ("x" * 201, "longer than 200")])
async def test_empty_or_long_answers_record_nothing(quiz: QuizService, questions: dict[str, Question],
                                                    typed: str, message: str) -> None:
    post = await _show(quiz, questions["base64"])
    with pytest.raises(BadAnswer, match=message):
        await quiz.answer_text(post.id, typed, user_id=USER, **WHERE)
    assert (await quiz.tally(post.id)).answered == 0
    assert (await quiz.answer_text(post.id, "base64", user_id=USER, **WHERE)).verdict.correct  # may still answer


async def test_closed_post_refuses(quiz: QuizService, questions: dict[str, Question]) -> None:
    post = await _show(quiz, questions["base64"])
    await quiz.close(post.id)
    with pytest.raises(QuizClosed, match="This quiz is closed"):
        await quiz.answer_choice(post.id, 2, user_id=USER, **WHERE)


async def test_review_source_is_told_of_each_answer(quiz: QuizService, questions: dict[str, Question],
                                                    clock: FakeClock) -> None:
    quiz.review = review = Review(None)
    post = await quiz.post(questions["base64"], kind="daily", guild_id=GUILD, channel_id=CHANNEL, user_id=None)
    await quiz.answer_choice(post.id, 2, user_id=USER, **WHERE)
    await quiz.answer_text(post.id, "basse64", user_id=USER + 1, **WHERE)
    assert review.told == [
        RecordedAnswer(post.id, "daily", questions["base64"].id, GUILD, CHANNEL, USER, True, False, clock()),
        RecordedAnswer(post.id, "daily", questions["base64"].id, GUILD, CHANNEL, USER + 1, True, False, clock()),
    ]
    with pytest.raises(AlreadyAnswered):
        await quiz.answer_choice(post.id, 0, user_id=USER, **WHERE)
    assert len(review.told) == 2  # a refused answer is not an answer


async def test_a_failing_review_source_loses_no_answer(quiz: QuizService, questions: dict[str, Question],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Review):
        async def on_answer(self, answer: RecordedAnswer) -> None:
            raise RuntimeError("review store down")

    quiz.review = Broken(None)
    post = await _show(quiz, questions["base64"])
    outcome = await quiz.answer_choice(post.id, 2, user_id=USER, **WHERE)
    assert outcome.verdict.correct and outcome.tally.answered == 1
    assert "review source failed" in caplog.text


async def test_source_passage(quiz: QuizService, questions: dict[str, Question]) -> None:
    generated = quiz.source_passage(questions["base64"])
    assert generated is not None and "base64" in generated.text and generated.chunk_id == questions["base64"].chunk_id
    written = quiz.source_passage(questions["pvc"])  # no chunk id: found by its lines
    assert written is not None and written.start_line <= 115 <= written.end_line
    assert "PVC is k8s own way of managing storage" in written.text
