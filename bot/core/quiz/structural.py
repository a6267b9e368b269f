"""Questions from what the author of the notes marked (issue 15's design). No language model.

Not yet the generator the pool uses (`generate.QuestionGenerator` is): a strict review of a
seeded sample judged its clozes on documentation far below the rubric's 90 % (see
`bench/quiz_reviews/structure/`), so it is measured beside the pool's generator
(`bench/quiz_sample.py --generator structure`) until it is good enough to replace it.

The pipeline, one module a stage:

1. **structure** (`bot.core.search.structure`): headings and their opening sentences, marked
   terms, term–meaning entries, lists and tables, read once per passage content;
2. **classes** (`catalogue`): which concepts are siblings and which marked terms are of one kind;
3. **candidates** (`candidates`): concept questions both ways, entry questions, clozes on marked
   terms, each with its distractor options nearest first;
4. **the rubric's checks** (`rubric`): each candidate and each distractor, cheapest first.

Everything is a function of the notes and the seed: the same notes give the same questions, and
the choices are shuffled by a generator seeded with the question's id. Release history (a change
log) asks nothing, and a term that a third of the notes name is what they are about, never an
answer or a distractor.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.quiz.candidates import Draft, cloze_drafts, concept_drafts, entry_drafts, mention_drafts
from bot.core.quiz.catalogue import Catalogue
from bot.core.quiz.questions import Question, question_id_for
from bot.core.quiz.rubric import gives_away, one_right, plausible
from bot.core.quiz.wording import Wording
from bot.core.search.answering import SearchEngine
from bot.core.search.documents import Document
from bot.core.search.structure import StructureCache
from bot.core.search.synonyms import SynonymTable

CHOICES = 4
SUBJECT_MIN_NOTES = 9  # with fewer notes, a word in a third of them may well be one topic's
_HISTORY_NOTE = re.compile(r"(?:change_?log|changes|history|news|releases?|release[-_ ]notes)(?:\.\w+)?", re.IGNORECASE)


@dataclass(frozen=True)
class StructuralParams:
    """How many questions to keep per passage, and the seed of every random choice."""

    seed: int = 0
    max_per_passage: int = 4
    max_clozes_per_passage: int = 2
    per_answer: int = 1  # questions with the same answer from one passage


class StructuralGenerator:
    """Makes questions from the passages of one search engine (one version of the index)."""

    def __init__(self, engine: SearchEngine, synonyms: SynonymTable, params: StructuralParams | None = None,
                 structures: StructureCache | None = None) -> None:
        self.engine = engine
        self.params = params or StructuralParams()
        self.structures = structures if structures is not None else StructureCache()
        self.wording = Wording(engine.analyzer, synonyms)
        self.catalogue = Catalogue(engine.documents, self.structures, self.wording)
        self._subject_cache: dict[str, bool] = {}
        self._notes = int(engine.names.note_of.max()) + 1 if len(engine.documents) else 0

    def generate(self, doc: Document) -> list[Question]:
        """The questions of one passage that pass every check, best first."""
        if _HISTORY_NOTE.fullmatch(doc.chunk.source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lstrip("0123456789-_")):
            return []
        structure = self.structures.get(doc.chunk)
        questions: list[Question] = []
        answers: dict[str, int] = {}
        clozes = 0
        for draft in self._drafts(doc, structure):
            if len(questions) >= self.params.max_per_passage:
                break
            key = self.wording.key(draft.answer) if draft.kind == "cloze" else (draft.kind, draft.answer)
            if answers.get(str(key), 0) >= self.params.per_answer:
                continue
            if draft.kind == "cloze" and clozes >= self.params.max_clozes_per_passage:
                continue
            question = self._finish(draft, doc)
            if question is not None:
                questions.append(question)
                answers[str(key)] = answers.get(str(key), 0) + 1
                clozes += draft.kind == "cloze"
        return questions

    def _drafts(self, doc: Document, structure) -> Iterable[Draft]:
        yield from concept_drafts(self.catalogue, self.wording, doc)
        yield from entry_drafts(self.catalogue, self.wording, structure)
        clozes = [*cloze_drafts(self.catalogue, self.wording, doc, structure),
                  *mention_drafts(self.catalogue, self.wording, doc, structure)]
        yield from sorted(clozes, key=lambda d: -d.quality)

    def _finish(self, draft: Draft, doc: Document) -> Question | None:
        if not draft.describes and (gives_away(self.wording, draft.answer, draft.prompt)
                                    or self._about_the_notes(draft.answer)):
            return None
        distractors: list[str] = []
        for option in draft.options:
            if len(distractors) == CHOICES - 1:
                break
            if draft.describes:
                fits = option != draft.answer and option not in distractors and plausible(draft.answer, option)
            else:
                fits = (plausible(draft.answer, option)
                        and one_right(self.wording, draft.answer, option, draft.prompt, distractors)
                        and not self._about_the_notes(option))
            if fits:
                distractors.append(option)
        if len(distractors) < CHOICES - 1:
            return None
        qid = question_id_for(draft.kind, draft.prompt, draft.answer, doc.chunk.chunk_id)
        choices = [draft.answer, *distractors]
        random.Random(f"{self.params.seed}:{qid}").shuffle(choices)
        chunk = doc.chunk
        return Question(
            id=qid, kind=draft.kind, prompt=draft.prompt,  # type: ignore[arg-type]
            choices=tuple(choices), answer_index=choices.index(draft.answer), answer=draft.answer,
            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,
            chunk_id=chunk.chunk_id, explanation=draft.explanation, quality=draft.quality)

    def _about_the_notes(self, text: str) -> bool:
        """A term named in a third of the notes is what they are about ("Kubernetes" in the
        Kubernetes docs): every choice would fit, and it teaches nothing."""
        if self._notes < SUBJECT_MIN_NOTES:
            return False
        found = self._subject_cache.get(text)
        if found is None:
            stems = self.wording.stems(text)
            found = False
            if len(stems) == 1 and (term := self.engine.index.term(stems[0])) is not None:
                notes = len(set(self.engine.names.note_of[self.engine.index.chunks_with(term)].tolist()))
                found = notes * 3 >= self._notes
            self._subject_cache[text] = found
        return found
