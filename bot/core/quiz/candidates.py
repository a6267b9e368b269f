"""Candidate questions of one passage, each with the class its distractors come from.

Three makers, each reading what the author marked (`bot.core.search.structure`):

* `concept_drafts`: a heading (or a note's title) whose opening sentence defines it, asked both
  ways: "Which of these is a cumulative metric ...?" (choices: the sibling concepts' names) and
  "What is a counter?" (choices: the siblings' own definitions, shortened alike, each with its own
  name blanked out);
* `entry_drafts`: a term beside its meaning in a list or table of several: "Which of these describes
  `--force`?" (choices: the other entries' meanings);
* `cloze_drafts`: a sentence with a marked term blanked (`____`); choices from the term's list or
  table, then terms of the same mark and shape in the note and its folder.

A draft carries its distractor options in order of preference; `generate` applies the rubric.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.quiz.catalogue import Catalogue, Concept, Definition
from bot.core.quiz.questions import BLANK
from bot.core.quiz.rubric import defines_alone, describes_alone, reads_alone, worth_knowing
from bot.core.quiz.shapes import shape_of
from bot.core.quiz.wording import Wording, blank_out, shorten
from bot.core.search.documents import Document
from bot.core.search.structure import Entry, PassageStructure

DESCRIPTION_WORDS = 18  # choices that describe are cut alike, so no length stands out
MIN_ENTRIES = 4  # a list or table of fewer entries is no class to draw three distractors from
MAX_PROMPT_WORDS = 40
MIN_PROMPT_WORDS = 6
MAX_BLANKS_IN_CHOICE = 1
BROAD_SHAPES = frozenset({"word", "code", "number", "camel", "snake", "phrase-1", "phrase-2", "phrase-3"})
_ADJACENT_BLANKS = re.compile(rf"{BLANK}(?:[ -]+{BLANK})+")
_RELEASE = re.compile(r"v?\d+(?:\.\d+)+")


@dataclass(frozen=True)
class Draft:
    """A question before its distractors are chosen."""

    kind: str  # "definition" (a concept or entry, asked either way) or "cloze"
    prompt: str
    answer: str
    options: tuple[str, ...]  # distractor candidates, best first
    explanation: str
    quality: float
    describes: bool = False  # the choices are descriptions (cut alike), not names


def concept_drafts(catalogue: Catalogue, wording: Wording, doc: Document) -> Iterator[Draft]:
    concept = catalogue.concept_of(doc)
    if concept is None or concept.definition is None:
        return
    definition = concept.definition
    if not defines_alone(definition.predicate):
        return
    siblings = catalogue.siblings(concept)
    if len(siblings) < 3:
        return
    predicate = definition.predicate
    if len(predicate.split()) <= MAX_PROMPT_WORDS and not wording.visible(concept.name, predicate):
        ranked = nearest(concept, _by_likeness(wording, definition.predicate, siblings))
        yield Draft("definition", f"Which of these {predicate}?", concept.name,
                    tuple(s.name for s in ranked), definition.sentence.text, 0.8)
    if definition.copular:
        described = [s for s in siblings if s.definition is not None and s.definition.copular]
        if len(described) >= 3:
            ranked = nearest(concept, _by_likeness(wording, definition.predicate, described))
            answer = _description(wording, concept)
            if answer.count(BLANK) <= MAX_BLANKS_IN_CHOICE:
                options = tuple(d for d in (_description(wording, s) for s in ranked)
                                if d.count(BLANK) <= MAX_BLANKS_IN_CHOICE)
                yield Draft("definition", f"What {_copula(definition)} {_subject(definition)}?", answer, options,
                            definition.sentence.text, 0.8, describes=True)


def entry_drafts(catalogue: Catalogue, wording: Wording, structure: PassageStructure) -> Iterator[Draft]:
    groups: dict[int, list[Entry]] = {}
    for entry in structure.entries:
        groups.setdefault(entry.group, []).append(entry)
    for entries in groups.values():
        terms = [wording.key(e.term) for e in entries]
        if len(entries) < MIN_ENTRIES or len(set(terms)) < len(terms):
            continue  # one term several times (a list of talks under one name) is no class
        for entry in entries:
            if len(entry.meaning.split()) < 4 or shape_of(entry.term, entry.term_mark or "code") is None:
                continue
            others = [e for e in entries if e is not entry]
            ranked = sorted(others, key=lambda e: -_overlap(wording, entry.meaning, e.meaning))
            term = f"`{entry.term}`" if entry.term_mark == "code" else entry.term
            answer = _entry_description(entry)
            if not _describes_without_naming(wording, entry, answer):
                continue
            options = tuple(_entry_description(e) for e in ranked
                            if _describes_without_naming(wording, e, _entry_description(e)))
            yield Draft("definition", f"Which of these describes {term}?", answer, options,
                        f"{entry.term}: {entry.meaning}", 0.6, describes=True)


def cloze_drafts(catalogue: Catalogue, wording: Wording, doc: Document, structure: PassageStructure) -> Iterator[Draft]:
    for sentence, span in structure.marked():
        answer = span.text.strip()
        shape = shape_of(answer, span.mark)
        if shape is None or not worth_knowing(answer, span.mark) or _RELEASE.fullmatch(answer):
            continue
        if sentence.group != -1 and not sentence.lead_in.strip():
            continue  # a list item is read under its lead-in; without one it is a fragment
        if not reads_alone(sentence.text) or catalogue.is_template(answer):
            continue
        prompt = blank_out(sentence.text, [(span.start, span.end)], BLANK)
        if prompt.count(BLANK) != 1 or len(prompt.split()) < MIN_PROMPT_WORDS:
            continue
        options: list[str] = []
        lead = sentence.group != -1 and sentence.first_in_block and span.start == 0
        if lead:
            options += [u.text for u in catalogue.group_of((doc.chunk.chunk_id, sentence.group))
                        if u.shape == shape]
        if shape in BROAD_SHAPES:  # "word", "phrase": only the passage's own terms are surely of its kind,
            options += [sp.text.strip() for _, sp in structure.marked()  # then its note's
                        if sp.mark == span.mark and shape_of(sp.text, sp.mark) == shape]
            options += [u.text for u in catalogue.same_shape(doc.chunk.source, shape)
                        if u.mark == span.mark and u.source == doc.chunk.source]
        else:
            options += [u.text for u in catalogue.same_shape(doc.chunk.source, shape) if u.mark == span.mark]
        yield Draft("cloze", prompt, answer, tuple(dict.fromkeys(o for o in options if o != answer)),
                    sentence.text, 0.6 if lead else 0.5)


def mention_drafts(catalogue: Catalogue, wording: Wording, doc: Document, structure: PassageStructure) -> Iterator[Draft]:
    """A sentence naming a concept of the folder (a heading or a note's title), the name blanked;
    choices: the concept's siblings."""
    own = catalogue.concept_of(doc)
    for sentence in structure.sentences:
        if own is not None and own.definition is not None and sentence is own.definition.sentence:
            continue  # asked as a concept question
        if sentence.group != -1 and not sentence.lead_in.strip():
            continue
        for concept, (start, end) in catalogue.mentioned_in(doc.chunk.source, sentence.text)[:1]:
            written = sentence.text[start:end]
            plural = written.lower() != concept.name.lower()
            if plural and written.lower() != _plural(concept.name).lower():
                continue  # "portable" for Portability: another word, whose siblings are of another kind
            if not worth_knowing(concept.name, "strong") or not reads_alone(sentence.text):
                continue
            if any(s.start < end and start < s.end and s.mark == "code" for s in sentence.spans):
                continue  # inside code: a cloze of its own kind
            prompt = blank_out(sentence.text, [(start, end)], BLANK)
            if len(prompt.split()) < MIN_PROMPT_WORDS:
                continue
            siblings = nearest(concept, catalogue.siblings(concept))
            options = (_as_written(_plural(s.name) if plural else s.name, written) for s in siblings)
            yield Draft("cloze", prompt, written, tuple(options), sentence.text, 0.55)


def nearest(concept: Concept, siblings: list[Concept]) -> list[Concept]:
    """Siblings whose notes speak of the same things first: the most tempting distractors."""
    words = set(concept.document.body_words)
    def likeness(sibling: Concept) -> float:
        other = set(sibling.document.body_words)
        return len(words & other) / max(1, len(words | other))
    return sorted(siblings, key=lambda s: -likeness(s))


def _plural(name: str) -> str:
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in tuple("aeiou"):
        return name[:-1] + "ies"
    return name + "s"


def _as_written(name: str, like: str) -> str:
    """A sibling's name in the case the sentence writes the answer in ("container image" beside
    "cluster", not "Container Image")."""
    if like[:1].islower() and name[:1].isupper() and name[1:2].islower():
        return name.lower() if all(w[1:].islower() for w in name.split() if w[1:]) else name
    if like[:1].isupper() and name[:1].islower():
        return name[:1].upper() + name[1:]
    return name


def _own_name_blanked(wording: Wording, name: str, text: str) -> str:
    """`text` with every word that is a form of a word of `name` blanked."""
    stems = {s for s in wording.stems(name) if len(s) > 2}
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\W_]+(?:-[^\W_]+)*", text)
             if set(wording.stems(m.group(0))) & stems]
    return _ADJACENT_BLANKS.sub(BLANK, blank_out(text, spans, BLANK))


def _description(wording: Wording, concept: Concept) -> str:
    assert concept.definition is not None
    words = concept.definition.predicate.split(" ", 1)
    described = words[1] if len(words) > 1 else ""
    described = _own_name_blanked(wording, concept.name, described)
    return _capitalised(shorten(described, DESCRIPTION_WORDS))


def _entry_description(entry: Entry) -> str:
    return _capitalised(shorten(entry.meaning.rstrip(" ."), DESCRIPTION_WORDS))


def _describes_without_naming(wording: Wording, entry: Entry, description: str) -> bool:
    """An entry's meaning as a choice: whole, and not naming its own term (which would point at it)."""
    return describes_alone(description) and not wording.visible(entry.term, description) \
        and not _shares_a_token(entry.term, description)


def _shares_a_token(term: str, text: str) -> bool:
    """"PrometheusText0.0.4" / "... text format version 0.0.4": a version or number of the term in
    its description gives it away, though no word of it is a word of the description."""
    return any(token in text for token in re.findall(r"\d[\w.]*\w|\d", term))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _copula(definition: Definition) -> str:
    return definition.predicate.split(" ", 1)[0].lower()


def _subject(definition: Definition) -> str:
    """"A counter", "Container orchestration" → as asked after "What is"."""
    subject = definition.subject
    first, _, rest = subject.partition(" ")
    if first in ("A", "An", "The") and rest:
        return f"{first.lower()} {rest}"
    if first[:1].isupper() and first[1:].islower() and rest and rest[:1].islower():
        return subject[:1].lower() + subject[1:]  # "Container orchestration" mid-sentence
    return subject


def _overlap(wording: Wording, a: str, b: str) -> float:
    sa, sb = set(wording.stems(a)), set(wording.stems(b))
    return len(sa & sb) / max(1, len(sa | sb))


def _by_likeness(wording: Wording, predicate: str, siblings: list[Concept]) -> list[Concept]:
    """Siblings whose definitions share words with the answer's first (the most tempting), in a
    stable order; one defined almost alike is too close to be wrong and goes."""
    scored = []
    for position, sibling in enumerate(siblings):
        other = sibling.definition.predicate if sibling.definition else ""
        likeness = _overlap(wording, predicate, other) if other else 0.0
        if likeness < 0.5:
            scored.append((-likeness, position, sibling))
    return [s for _, _, s in sorted(scored, key=lambda t: (t[0], t[1]))]
