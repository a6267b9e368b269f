"""Questions from what the author of the notes marked (issue 15's design): the pool's generator.
No language model; how it was measured: `docs/quiz-generation.md`.

The pipeline, one module a stage:

1. **structure** (`bot.core.search.structure`): headings and their opening sentences, marked
   terms, term–meaning entries, lists and tables, read once per passage content;
2. **classes** (`catalogue`): concepts (headings, titles, terms defined in passing) and their
   siblings, neighbours and ties;
3. **candidates** (`candidates`): concept questions, entry questions, clozes on listed terms, each
   with its distractor options of the answer's kind, likest first;
4. **the rubric's checks** (`rubric`): each candidate and each distractor, then the four choices
   together; a fact asked one way is not asked the other.

Everything is a function of the notes and the seed: the same notes give the same questions, and
the choices are shuffled by a generator seeded with the question's id. Release history (a change
log, a "Notable changes" section) and a note its front matter marks a draft or deprecated ask
nothing, and a term that a third of the notes name is what they are about, never an answer or a
distractor.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from bot.core.quiz.candidates import Draft, cloze_drafts, concept_drafts, entry_drafts
from bot.core.quiz.catalogue import Catalogue
from bot.core.quiz.questions import Question, question_id_for
from bot.core.quiz.rubric import (echoes, gives_away, one_right, plausible, plausible_description, spells_out,
                                  stands_out, worth_knowing)
from bot.core.quiz.wording import Wording
from bot.core.search.answering import SearchEngine
from bot.core.search.documents import Document
from bot.core.search.structure import StructureCache
from bot.core.search.synonyms import SynonymTable

CHOICES = 4
SUBJECT_MIN_NOTES = 9  # with fewer notes, a word in a third of them may well be one topic's
_HISTORY_HEADING = re.compile(r"\b(?:change ?log|(?:notable |breaking )?changes|release notes|what's new|history)\b",
                              re.IGNORECASE)
_HISTORY_NOTE = re.compile(r"(?:change_?log|changes|history|news|releases?|release[-_ ]notes)(?:\.\w+)?", re.IGNORECASE)


@dataclass(frozen=True)
class StructuralParams:
    """How many questions to keep per passage, and the seed of every random choice."""

    seed: int = 0
    max_per_passage: int = 4
    max_per_group: int = 2  # questions from one list or table (their choices are each other's answers)


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
        if doc.unpublished or _HISTORY_NOTE.fullmatch(doc.chunk.source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lstrip("0123456789-_")) \
                or any(_HISTORY_HEADING.search(heading) for heading in doc.chunk.heading_path):
            return []
        structure = self.structures.get(doc.chunk)
        drafts = [*(d for concept in self.catalogue.concepts_in(doc) for d in concept_drafts(self.catalogue, self.wording, concept)),
                  *entry_drafts(self.catalogue, self.wording, doc, structure),
                  *cloze_drafts(self.catalogue, self.wording, doc, structure)]
        questions: list[Question] = []
        asked: set[str] = set()
        per_group: dict[str, int] = {}
        for draft in drafts:
            if len(questions) >= self.params.max_per_passage:
                break
            if draft.fact in asked or per_group.get(draft.group, 0) >= self.params.max_per_group:
                continue  # asked the other way round already, or a table's choices would answer its other questions
            question = self._finish(draft, doc)
            if question is not None:
                questions.append(question)
                asked.add(draft.fact)
                if draft.group:
                    per_group[draft.group] = per_group.get(draft.group, 0) + 1
        return questions

    def _finish(self, draft: Draft, doc: Document) -> Question | None:
        if draft.describes:  # a description never names its concept (`candidates.description`)
            if spells_out(draft.answer, draft.prompt):
                return None
        elif gives_away(self.wording, draft.answer, draft.prompt) or self._about_the_notes(draft.answer) \
                or not worth_knowing(draft.answer, "strong"):
            return None  # ... or a name any English speaker reads ("None" for "no side effects")
        distractors = self._descriptions(draft) if draft.describes else self._names(draft)
        if distractors is None:
            return None
        prompt = draft.prompt[:1].upper() + draft.prompt[1:]
        qid = question_id_for(draft.kind, prompt, draft.answer, doc.chunk.chunk_id)
        choices = [draft.answer, *distractors]
        random.Random(f"{self.params.seed}:{qid}").shuffle(choices)
        chunk = doc.chunk
        return Question(
            id=qid, kind=draft.kind, prompt=prompt,  # type: ignore[arg-type]
            choices=tuple(choices), answer_index=choices.index(draft.answer), answer=draft.answer,
            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,
            chunk_id=chunk.chunk_id, explanation=draft.explanation, quality=draft.quality)

    def _names(self, draft: Draft) -> list[str] | None:
        """Three names of the answer's class, none of them the answer under another name."""
        chosen: list[str] = []
        for option in draft.options:
            if plausible(draft.answer, option) and one_right(self.wording, draft.answer, option, draft.prompt, chosen) \
                    and not self._about_the_notes(option) and not _extends(option, [draft.answer, *chosen]):
                chosen.append(option)
                if len(chosen) == CHOICES - 1:
                    return chosen
        return None

    def _descriptions(self, draft: Draft) -> list[str] | None:
        """Three descriptions, in the order of preference, such that the right one neither alone
        repeats a word of what is asked about nor is clearly the longest or the shortest; if the
        first three single it out, the three nearest it in length."""
        fitting: list[str] = []
        echoed = set(self.wording.stems(draft.about)) & set(self.wording.stems(draft.answer))
        options = sorted(draft.options, key=lambda o: -len(echoed & set(self.wording.stems(o)))) if echoed \
            else draft.options  # wrong choices repeating the name's words as the right one does tempt most
        for option in options:
            if option != draft.answer and option not in fitting and plausible_description(draft.answer, option) \
                    and not _same_opening(option, fitting, draft.answer) and not self._within(option, draft.answer):
                fitting.append(option)
        for chosen in (fitting[:CHOICES - 1], sorted(fitting, key=lambda o: abs(len(o) - len(draft.answer)))[:CHOICES - 1]):
            if len(chosen) == CHOICES - 1 and not echoes(self.wording, draft.about, draft.answer, chosen) \
                    and not stands_out(draft.answer, chosen):
                return chosen
        return None

    def _within(self, a: str, b: str) -> bool:
        """One description says all the other does ("The user name" / "The user name or UID"): both may be right."""
        first, second = set(self.wording.stems(a)), set(self.wording.stems(b))
        return bool(first) and bool(second) and (first <= second or second <= first)

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


def _same_opening(option: str, taken: list[str], answer: str) -> bool:
    """Three wrong choices opening alike ("A list of ...") and a right one opening otherwise
    single the right one out: a second wrong choice of an opening the answer lacks is skipped."""
    opening = option.lower().split()[:2]
    return opening != answer.lower().split()[:2] and any(t.lower().split()[:2] == opening for t in taken)


def _extends(option: str, names: list[str]) -> bool:
    """`kubectl create` beside `kubectl create secret`, `demand_seats` beside `demand_seats_high`:
    one name is the start of another, so it is the odd one out or a part of the answer."""
    a = option.casefold()
    return any(a.startswith(b.casefold()) or b.casefold().startswith(a) for b in names)
