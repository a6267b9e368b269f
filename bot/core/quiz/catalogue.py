"""The notes' concepts, by class: where a concept question's distractors come from.

**Concepts** are headings (and notes' titles) whose opening sentence names them. Siblings are the
headings under the same parent in one note, or the top concepts of the notes of one folder (of
one front matter `category` when the notes have one). A heading that recurs across notes
("Examples", "How it helps") is the notes' template, not a concept; a note its front matter marks
a draft or deprecated gives none.

A folder's classes are built the first time one of its passages is asked about, from the passage
structures (`StructureCache`), so a one-file change reads one folder.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.core.quiz.wording import FREQUENCY_ADVERBS, Wording
from bot.core.search.documents import Document
from bot.core.search.indexing import analysed_words
from bot.core.search.structure import PassageStructure, Sentence, StructureCache

TEMPLATE_NOTES = 3  # a heading in this many notes is the notes' template ("See also"), no concept
MAX_CONCEPT_WORDS = 6
_TASK_HEADING = re.compile(r"^(?:how|why|what|when|where|which|who|can|do|does|is|are|should|using|creating|"
                           r"getting|setting|installing|configuring|running|writing|adding|example|examples)\b",
                           re.IGNORECASE)
_LEAD = re.compile(r"(?P<clause>[^,;:.]{3,80},\s+)?(?P<article>(?:a|an|the|A|An|The)\s+)?")
_APPOSITION = re.compile(r"(?:\s*\([^()]{1,40}\)|,[^,;:.]{1,50},|\s+or\s+[\w-]+(?=\s+(?:is|are|refers)\b))?")
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")  # "Continuous Delivery (CD)": the name is the words before
OVERVIEW = re.compile(r"(?:_?index|readme|summary|toc|contents)\.\w+", re.IGNORECASE)
_KIND_WORD = re.compile(r" [a-z][a-z-]+ ")
NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[A-Z][.)]|step \d+:?)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Definition:
    """An opening sentence that says what its concept is: `subject` + `verb` + `complement`.

    `form` is how the sentence defines: "is" ("A trait is a collection of ..."), "refers"
    ("X refers to ...", "X means ..."), or "does" ("Sharding distributes data ..."); the question
    asks it back the same way, and only definitions of one form are choices of one question.
    """

    sentence: Sentence
    subject: str  # "A counter" — the concept as the sentence names it, with its article
    verb: str  # "is", "are", "refers to", "means", "distributes", "can"
    complement: str  # what follows the verb: "a cumulative metric that ..."
    form: str  # "is", "refers" or "does"
    plural: bool | None  # None: a modal verb says neither

    @property
    def predicate(self) -> str:
        return f"{self.verb} {self.complement}"


@dataclass(frozen=True)
class Concept:
    """A heading or title that names a concept, with the sentence that defines it (if one does)."""

    name: str
    document: Document
    key: tuple[str, ...]  # concepts with the same key are siblings
    definition: Definition | None


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
        self._marked: dict[str, list[Concept]] = defaultdict(list)  # chunk id → marked terms it defines
        self._siblings: dict[tuple[str, ...], list[Concept]] = defaultdict(list)
        self._in_note: dict[str, list[Concept]] = defaultdict(list)
        self._in_folder: dict[str, list[Concept]] = defaultdict(list)
        self._groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # note → its lists' and tables' lead terms
        self._stems: dict[str, frozenset[str]] = {}  # chunk id → stems of its text
        self._words: dict[str, frozenset[str]] = {}  # chunk id → its analysed words

    # ------------------------------------------------------------------ reading a folder

    def _ensure(self, source: str) -> str:
        """The note's folder, read (once)."""
        return self._read_folder(posixpath.dirname(source))

    def _read_folder(self, folder: str) -> str:
        if folder not in self._read:
            self._read.add(folder)
            for doc in self._by_folder.get(folder, ()):
                self._read_passage(doc, folder)
        return folder

    def _read_passage(self, doc: Document, folder: str) -> None:
        if doc.unpublished:
            return  # a draft or a deprecated note: nothing to ask, nothing to offer
        structure = self.structures.get(doc.chunk)
        self._groups[doc.chunk.source] += [tuple(terms) for terms in structure.groups.values() if len(terms) > 1]
        concept = self._concept(doc, structure, folder)
        if concept is not None:
            self._concepts[doc.chunk.chunk_id] = concept
            self._siblings[concept.key].append(concept)
            self._in_note[doc.chunk.source].append(concept)
            self._in_folder[folder].append(concept)
        for marked in self._marked_concepts(doc, structure, folder, concept):
            self._marked[doc.chunk.chunk_id].append(marked)
            self._in_note[doc.chunk.source].append(marked)
            self._in_folder[folder].append(marked)

    def _marked_concepts(self, doc: Document, structure: PassageStructure, folder: str,
                         heading: Concept | None) -> Iterator[Concept]:
        """Terms the author marked where a sentence of prose defines them: "A **taint** is ...",
        "`kubectl` is the command-line tool ...". Concepts as much as headings are."""
        named = {self.wording.key(heading.name)} if heading is not None else set()
        for sentence in structure.sentences:
            if sentence.group != -1 or not sentence.first_in_block or not sentence.spans \
                    or (heading is not None and heading.definition and sentence is heading.definition.sentence):
                continue  # a paragraph's first sentence introduces; a later one goes on about an example
            span = sentence.spans[0]
            if sentence.text[:span.start].strip() not in ("", "A", "An", "The"):
                continue  # the term opens the sentence, after at most an article
            name = span.text.strip()
            key = self.wording.key(name)
            if key in named or not self._names_a_concept(name):
                continue
            definition = self._definition(name, sentence)
            if definition is not None:
                named.add(key)
                yield Concept(name, doc, ("marked", folder), definition)

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
        if key[0] == "folder" and OVERVIEW.fullmatch(posixpath.basename(chunk.source)):
            return None  # an index page's title names the whole folder ("Cloud Native Glossary"), no concept
        name = _PARENTHESIS.sub("", NUMBERED.sub("", " ".join(name.split()))).strip(" .:`*_")
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
        named_end = end
        end += len(_APPOSITION.match(sentence.text, end).group(0))  # "X (XYZ) is", "X, or Y, is"
        kind = _KIND_WORD.match(sentence.text, end)  # "The enum keyword allows ...": the name, then its kind
        if kind is not None and not self.wording.opens_with_verb(sentence.text[end:].strip()) \
                and self.wording.opens_with_verb(sentence.text[kind.end():]):
            named_end = end = kind.end() - 1
        predicate = sentence.text[end:].strip().rstrip(" .")
        lead = _LEAD.fullmatch(sentence.text[:start])  # "", "A ", "In computing, an "
        if lead is None or not self.wording.opens_with_verb(predicate) or len(predicate.split()) < 4:
            return None
        article = lead.group("article") or ""
        if article.strip().lower() == "the" and not any(ch.isspace() for ch in name) and not name.islower():
            article = ""  # "The `expirationSeconds` is ...": asked as "What is expirationSeconds?"
        subject = (article[:1].upper() + article[1:] if not lead.group("clause") else article) + \
            sentence.text[start:named_end]
        parsed = _parse_predicate(predicate)
        if parsed is None or _NEGATED.search(predicate):
            return None  # "does not check ...", "a feature that does not work on ...": a caveat, no definition
        verb, complement, form, plural = parsed
        return Definition(sentence, subject.strip(), verb, complement, form, plural)

    # ------------------------------------------------------------------ questions' needs

    def concept_of(self, doc: Document) -> Concept | None:
        self._ensure(doc.chunk.source)
        return self._concepts.get(doc.chunk.chunk_id)

    def concepts_in(self, doc: Document) -> list[Concept]:
        """The concept the passage opens (if any), then the marked terms it defines."""
        opened = self.concept_of(doc)
        return ([opened] if opened is not None else []) + self._marked.get(doc.chunk.chunk_id, [])

    def siblings(self, concept: Concept) -> list[Concept]:
        """The concepts of the same class (headings under one parent, the notes of one folder),
        the concept itself left out."""
        return self._others(self._siblings.get(concept.key, ()), concept)

    def neighbours(self, concept: Concept) -> list[Concept]:
        """Where a definition's distractors come from: the notes of a folder for a note's own
        concept; for a section, its sibling sections and the terms defined in passing under the
        same parent; for a term defined in passing, the others of its section and its subsections."""
        if concept.key[0] == "folder":
            return self.siblings(concept)
        scope = _scope(concept)
        return [c for c in self._others(self._in_note.get(concept.document.chunk.source, ()), concept)
                if _scope(c) == scope]

    def in_folder(self, concept: Concept) -> list[Concept]:
        """The concepts of the note's folder and of the folder above it, the concept left out."""
        folder = self._ensure(concept.document.chunk.source)
        found: list[Concept] = []
        for place in dict.fromkeys((folder, posixpath.dirname(folder))):
            self._read_folder(place)
            found += self._others(self._in_folder.get(place, ()), concept)
        return found

    def _others(self, concepts, concept: Concept) -> list[Concept]:
        name = self.wording.key(concept.name)
        return [c for c in concepts if c is not concept and self.wording.key(c.name) != name]

    def groups_with(self, source: str, term: str) -> list[tuple[str, ...]]:
        """The lists and tables of the note that have `term` among their lead terms: the things the
        author listed as its peers."""
        self._ensure(source)
        return [group for group in self._groups.get(source, ()) if term in group]

    def tied(self, a: Concept, b: Concept) -> bool:
        """Either concept's passage names the other: the notes relate them (a cluster "can be seen
        as a kind of distributed system"), so what defines one may well fit the other."""
        return self._names(a.document, b.name) or self._names(b.document, a.name)

    def _names(self, doc: Document, name: str) -> bool:
        stems = self._stems.get(doc.chunk.chunk_id)
        if stems is None:
            stems = self._stems[doc.chunk.chunk_id] = frozenset(self.wording.stems(doc.chunk.text))
        wanted = {s for s in self.wording.stems(name) if len(s) > 2}
        return bool(wanted) and wanted <= stems

    def likeness(self, a: Concept, b: Concept) -> float:
        """How much the two concepts' passages speak of the same things: the most tempting
        distractors are the likest."""
        words, other = self._words_of(a.document), self._words_of(b.document)
        return len(words & other) / max(1, len(words | other))

    def _words_of(self, doc: Document) -> frozenset[str]:
        found = self._words.get(doc.chunk.chunk_id)
        if found is None:
            found = self._words[doc.chunk.chunk_id] = frozenset(analysed_words(doc, self.wording.analyzer)[0])
        return found

    def is_template(self, heading: str) -> bool:
        return heading.strip().lower() in self._template


_NEGATED = re.compile(r"\b(?:(?:is|are|does|do|has|have|was|were) not|(?:is|are|does|do|has|have)n[’']t)\b")
_USED_FOR = re.compile(r"(?:also )?be used (?:to|for)\b")
_NOT_DEFINING = frozenset("has have was were had did".split())
_MODALS = frozenset("can could may might must will would shall should".split())
_REFERS = re.compile(r"(?P<verb>refers? to|means?|is defined as|are defined as|stands? for)\s+(?P<rest>.+)")


def _parse_predicate(predicate: str) -> tuple[str, str, str, bool | None] | None:
    """(verb, complement, form, plural) of "is a ...", "refers to ...", "distributes ..."."""
    refers = _REFERS.fullmatch(predicate)
    if refers is not None:
        verb = refers.group("verb")
        plural = verb.startswith("are") or verb.split()[0] in ("refer", "mean", "stand")
        return verb, refers.group("rest"), "refers", plural
    first, _, rest = predicate.partition(" ")
    if first in ("is", "are"):
        return first, rest, "is", first == "are"
    if first in _MODALS:  # "can be used to ..." says what it is for; "can be adjusted ..." does not
        return (first, rest, "does", None) if _USED_FOR.match(rest) else None
    verb = rest.split(" ", 1)[0] if first in FREQUENCY_ADVERBS else first
    if verb in _NOT_DEFINING:
        return None  # "has several subcommands", "was added in v1.22": said of it, not what it is
    return first, rest, "does", not verb.endswith("s")


def _scope(concept: Concept) -> tuple[str, ...]:
    """The heading a concept stands under: a section's parent, or the section a term is defined in."""
    path = concept.document.chunk.heading_path
    return path if concept.key[0] == "marked" else path[:-1]


def _first_sentence(structure: PassageStructure) -> Sentence | None:
    first = structure.sentences[0] if structure.sentences else None
    return first if first is not None and first.group == -1 and first.first_in_block and first.block == 1 else None

