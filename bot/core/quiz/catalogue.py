"""The notes' concepts and marked terms, by class: where a question's distractors come from.

Classes are what the author's structure groups together:

* **Concepts** are headings (and notes' titles) whose opening sentence names them. Siblings are
  the headings under the same parent in one note, or the top concepts of the notes of one folder.
  A heading that recurs across notes ("Examples", "How it helps") is the notes' template, not a
  concept.
* **Marked terms** are grouped by their mark and shape (`--flag`, `CamelCase`, a two-word bold
  phrase ...), nearest first: the same list or table, the same note, the same folder.

A folder's classes are built the first time one of its passages is asked about, from the passage
structures (`StructureCache`), so a one-file change reads one folder.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.quiz.shapes import shape_of
from bot.core.quiz.wording import Wording
from bot.core.search.documents import Document
from bot.core.search.structure import PassageStructure, Sentence, StructureCache

TEMPLATE_NOTES = 3  # a heading in this many notes is the notes' template ("See also"), no concept
MAX_CONCEPT_WORDS = 6
_TASK_HEADING = re.compile(r"^(?:how|why|what|when|where|which|who|can|do|does|is|are|should|using|creating|"
                           r"getting|setting|installing|configuring|running|writing|adding|example|examples)\b",
                           re.IGNORECASE)
_LEAD = re.compile(r"(?P<clause>[^,;:.]{3,80},\s+)?(?P<article>(?:a|an|the|A|An|The)\s+)?")
_APPOSITION = re.compile(r"(?:\s*\([^()]{1,40}\)|,[^,;:.]{1,50},|\s+or\s+[\w-]+(?=\s+(?:is|are|refers)\b))?")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")  # "Continuous Delivery (CD)": the name is the words before
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[A-Z][.)]|step \d+:?)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Definition:
    """An opening sentence that says what its concept is: `subject` + `predicate`."""

    sentence: Sentence
    subject: str  # "A counter" — the concept as the sentence names it
    predicate: str  # "is a cumulative metric that ..."

    @property
    def copular(self) -> bool:
        """"X is a Y": Y is a noun phrase, which reads as an answer to "What is X?"."""
        return self.predicate.split(" ", 1)[0].lower() in ("is", "are")


@dataclass(frozen=True)
class Concept:
    """A heading or title that names a concept, with the sentence that defines it (if one does)."""

    name: str
    document: Document
    key: tuple[str, ...]  # concepts with the same key are siblings
    definition: Definition | None


@dataclass(frozen=True)
class TermUse:
    """A marked term as one passage uses it."""

    text: str
    mark: str
    shape: str
    source: str
    group: tuple[str, int] | None  # (chunk id, list/table) when it leads a list item or table row


class Catalogue:
    """Concepts and marked terms of one index, read folder by folder when first needed."""

    def __init__(self, documents: Sequence[Document], structures: StructureCache, wording: Wording) -> None:
        self.structures = structures
        self.wording = wording
        self._by_folder: dict[str, list[Document]] = defaultdict(list)
        for doc in documents:
            self._by_folder[posixpath.dirname(doc.chunk.source)].append(doc)
        notes_with: dict[str, set[str]] = defaultdict(set)
        for doc in documents:
            for heading in doc.chunk.heading_path:
                notes_with[heading.strip().lower()].add(doc.chunk.source)
        self._template = {h for h, notes in notes_with.items() if len(notes) >= TEMPLATE_NOTES}
        self._read: set[str] = set()
        self._concepts: dict[str, Concept] = {}  # chunk id → the concept it opens
        self._siblings: dict[tuple[str, ...], list[Concept]] = defaultdict(list)
        self._terms: dict[tuple[str, str], list[TermUse]] = defaultdict(list)  # (folder, shape) → uses
        self._groups: dict[tuple[str, int], list[TermUse]] = defaultdict(list)
        self._named_by_first_stem: dict[str, dict[str, list[Concept]]] = defaultdict(dict)

    # ------------------------------------------------------------------ reading a folder

    def _ensure(self, source: str) -> str:
        folder = posixpath.dirname(source)
        if folder not in self._read:
            self._read.add(folder)
            for doc in self._by_folder.get(folder, ()):
                self._read_passage(doc, folder)
        return folder

    def _read_passage(self, doc: Document, folder: str) -> None:
        structure = self.structures.get(doc.chunk)
        concept = self._concept(doc, structure, folder)
        if concept is not None:
            self._concepts[doc.chunk.chunk_id] = concept
            self._siblings[concept.key].append(concept)
            stems = self.wording.stems(concept.name)
            if stems:
                self._named_by_first_stem[folder].setdefault(stems[0], []).append(concept)
        for sentence, span in structure.marked():
            shape = shape_of(span.text, span.mark)
            if shape is None:
                continue
            lead = sentence.group != -1 and sentence.first_in_block and span.start == 0
            group = (doc.chunk.chunk_id, sentence.group) if lead else None
            use = TermUse(span.text.strip(), span.mark, shape, doc.chunk.source, group)
            self._terms[(folder, shape)].append(use)
            if group is not None:
                self._groups[group].append(use)

    def _concept(self, doc: Document, structure: PassageStructure, folder: str) -> Concept | None:
        chunk = doc.chunk
        if structure.heading is not None:
            name = structure.heading
            top = chunk.ordinal == 0 and len(chunk.heading_path) == 1 and not doc.title
            key = ("folder", folder) if top else ("section", chunk.source, *chunk.heading_path[:-1])
        elif chunk.ordinal == 0 and doc.title:
            name, key = doc.title, ("folder", folder)
        else:
            return None
        name = _PARENTHESIS.sub("", _NUMBERED.sub("", " ".join(name.split()))).strip(" .:`*_")
        if not self._names_a_concept(name):
            return None
        opening = structure.opening if structure.heading is not None else _first_sentence(structure)
        definition = self._definition(name, opening) if opening is not None else None
        return Concept(name, doc, key, definition)

    def _names_a_concept(self, name: str) -> bool:
        words = name.split()
        if len(words) >= 3 and words[0].lower().endswith("ing"):
            return False  # "Debugging Kubernetes Nodes With kubectl": a task, not a thing
        return (0 < len(words) <= MAX_CONCEPT_WORDS and name.lower() not in self._template
                and not name.endswith("?") and not _TASK_HEADING.match(name)
                and any(ch.isalpha() for ch in name))

    def _definition(self, name: str, sentence: Sentence) -> Definition | None:
        """The opening sentence defines the concept when it starts by naming it (after at most an
        article) and goes on with a verb: "A *trait* is ...", "Sharding distributes ..."."""
        found = self.wording.find_name(name, sentence.text, within_words=12)
        if found is None:
            return None
        start, end = found
        end += len(_APPOSITION.match(sentence.text, end).group(0))  # "X (XYZ) is", "X, or Y, is"
        predicate = sentence.text[end:].strip()
        if not self.wording.opens_with_verb(predicate) or len(predicate.split()) < 4:
            return None
        lead = _LEAD.fullmatch(sentence.text[:start])  # "", "A ", "In computing, an "
        if lead is None:
            return None
        article = lead.group("article") or ""
        subject = (article[:1].upper() + article[1:] if not lead.group("clause") else article) + sentence.text[start:end]
        return Definition(sentence, subject.strip(), predicate.rstrip(" ."))

    # ------------------------------------------------------------------ questions' needs

    def concept_of(self, doc: Document) -> Concept | None:
        self._ensure(doc.chunk.source)
        return self._concepts.get(doc.chunk.chunk_id)

    def siblings(self, concept: Concept) -> list[Concept]:
        """The concepts of the same class, the concept itself left out; a section with fewer than
        three siblings under its parent takes the other sections of its note."""
        found = self._others(self._siblings.get(concept.key, ()), concept)
        if len(found) < 3 and concept.key[0] == "section":
            note = [c for key, concepts in self._siblings.items() if key[:2] == concept.key[:2] for c in concepts]
            found += [c for c in self._others(note, concept) if c not in found]
        return found

    def _others(self, concepts, concept: Concept) -> list[Concept]:
        name = self.wording.key(concept.name)
        return [c for c in concepts if c is not concept and self.wording.key(c.name) != name]

    def mentioned_in(self, source: str, text: str) -> list[tuple[Concept, tuple[int, int]]]:
        """The folder's concepts that `text` names, with where (the longest name first)."""
        folder = self._ensure(source)
        by_stem = self._named_by_first_stem.get(folder, {})
        found = []
        for stem in dict.fromkeys(self.wording.stems(text)):
            for concept in by_stem.get(stem, ()):
                span = self.wording.find_name(concept.name, text, within_words=len(text.split()))
                if span is not None:
                    found.append((concept, span))
        return sorted(found, key=lambda item: item[1][0] - item[1][1])

    def group_of(self, group: tuple[str, int]) -> list[TermUse]:
        """The lead terms of one list or table."""
        return self._groups.get(group, [])

    def same_shape(self, source: str, shape: str) -> list[TermUse]:
        """Marked terms of this shape, the same note's first, then the folder's."""
        folder = self._ensure(source)
        uses = self._terms.get((folder, shape), [])
        return [u for u in uses if u.source == source] + [u for u in uses if u.source != source]

    def is_template(self, heading: str) -> bool:
        return heading.strip().lower() in self._template


def _first_sentence(structure: PassageStructure) -> Sentence | None:
    first = structure.sentences[0] if structure.sentences else None
    return first if first is not None and first.group == -1 and first.first_in_block and first.block == 1 else None

