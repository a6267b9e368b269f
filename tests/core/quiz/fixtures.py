"""A few realistic questions over the seed notes (`corpus/k8s-colearning-lesson-1.md`), stored as
the pool would store them, until the generator fills `quiz_questions` itself.

Generated questions point at their passage by chunk id, looked up here in the running index by
line; the hand-written one has no chunk id, only its source lines.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.quiz.questions import Question, question_id_for
from bot.core.search.answering import SearchEngine
from bot.core.storage.models import QuizQuestionRow

SEED_NOTE = "k8s-colearning-lesson-1.md"
CREATED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _question(kind: str, prompt: str, choices: tuple[str, ...], answer: str, line: int, end_line: int | None = None,
              **extra: object) -> Question:
    return Question(id="", kind=kind, prompt=prompt, choices=choices,  # type: ignore[arg-type]
                    answer_index=choices.index(answer) if choices else None, answer=answer, source=SEED_NOTE,
                    heading=None, start_line=line, end_line=end_line or line, **extra)  # type: ignore[arg-type]


BASE64 = _question("cloze", "By default etcd doesn't store secrets encrypted on disk; it stores them in ____.",
                   ("AES-256", "plain YAML", "base64", "gzip"), "base64", 120, quality=0.9)
HYPERVIZOR = _question("cloze", "____ is a virtualization of physical devices; type 1 is bare hardware, type 2 is software.",
                       ("hypervizor", "container runtime", "kernel module", "bootloader"), "hypervizor", 74, 75,
                       quality=0.8)
VIRTUALBOX = _question("cloze", "Main virtualization engines: VMWare, leading Open Source one is ____.",
                       ("QEMU", "Hyper-V", "VirtualBox", "Xen"), "VirtualBox", 11, quality=0.7)
LANDSCAPE = _question("definition", "Where is the technical landscape of cloud native published?",
                      ("talos-systems.com", "landscape.cncf.io", "github.com", "kubernetes.io"), "landscape.cncf.io",
                      57, quality=0.6)
PVC = _question("written", "What does PVC stand for, Kubernetes' own way of managing storage?", (),
                "persistent volume claim", 115, accepted=("persistent volume claims",),
                explanation="A PersistentVolumeClaim asks for storage; Kubernetes binds it to a persistent volume.",
                quality=10.0)
CANARY_RETIRED = _question("cloze", "____ deployment: deploy on a small scale and see; if it dies, pull it back.",
                           ("canary", "blue-green", "rolling", "shadow"), "canary", 100, quality=0.5)


def with_ids(engine: SearchEngine) -> dict[str, Question]:
    """The fixture questions with their chunk ids (from `engine`) and content ids."""
    out: dict[str, Question] = {}
    for name, q in (("base64", BASE64), ("hypervizor", HYPERVIZOR), ("virtualbox", VIRTUALBOX),
                    ("landscape", LANDSCAPE), ("pvc", PVC), ("canary", CANARY_RETIRED)):
        chunk_id = None
        if q.kind != "written":
            chunk_id = next(d.chunk.chunk_id for d in engine.documents
                            if d.chunk.source == q.source and d.chunk.start_line <= q.start_line <= d.chunk.end_line)
        anchor = chunk_id or f"{q.source}\x1f{q.prompt}"
        out[name] = replace(q, chunk_id=chunk_id, id=question_id_for(q.kind, q.prompt, q.answer, anchor))
    return out


async def insert_questions(sessions: async_sessionmaker[AsyncSession], engine: SearchEngine) -> dict[str, Question]:
    """Store the fixture questions (the canary one retired); returns them by name."""
    questions = with_ids(engine)
    async with sessions() as session, session.begin():
        for name, q in questions.items():
            session.add(QuizQuestionRow(
                id=q.id, kind=q.kind, prompt=q.prompt, choices=list(q.choices), answer_index=q.answer_index,
                answer=q.answer, accepted=list(q.accepted), explanation=q.explanation, source=q.source,
                heading=q.heading, start_line=q.start_line, end_line=q.end_line, chunk_id=q.chunk_id,
                quality=q.quality, created_at=CREATED_AT, retired_at=CREATED_AT if name == "canary" else None,
            ))
    return questions


async def store_only_fixtures(sessions: async_sessionmaker[AsyncSession], engine: SearchEngine,
                              now: datetime) -> dict[str, Question]:
    """Store the fixture questions and retire the pool's others (generated from the notes), so a
    test knows the whole pool; a later start does not revive them while their passages stay the
    same. Use with a notes folder without `quiz/`, or the shipped hand-written ones come back."""
    fixtures = await insert_questions(sessions, engine)
    keep = [q.id for q in fixtures.values()]
    async with sessions() as session, session.begin():
        await session.execute(update(QuizQuestionRow).where(QuizQuestionRow.id.not_in(keep),
                                                             QuizQuestionRow.retired_at.is_(None))
                              .values(retired_at=now))
    return fixtures
