"""Candidate questions of one passage, each with the class its distractors come from.

Three makers, each reading what the author marked (`bot.core.search.structure`):

* `concept_drafts`: a heading, a note's title or a marked term whose sentence defines it: "What is
  a counter?" (choices: what its neighbours are, cut alike at a clause, each naming neither its own
  concept nor the answer) or "Which of these is a cumulative metric ...?" (choices: its siblings'
  names). Only concepts of the answer's kind: the same head noun ("a runtime ..."), or head nouns
  of one kind (`_KINDS`);
* `entry_drafts`: a term beside its meaning in a list or table of four or more: "Which of these
  describes `--force`?" (choices: the other entries' meanings), or the other way round;
* `cloze_drafts`: a sentence with a marked term blanked, when the note lists the term among its
  peers (choices: the peers).

Neighbours that the notes tie together (either's passage names the other: a cluster and a
distributed system) are never each other's distractors: the notes may well say both fit.

A draft carries its distractor options in order of preference; `structural` applies the rubric.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.quiz.catalogue import NUMBERED, OVERVIEW as _OVERVIEW, Catalogue, Concept, Definition
from bot.core.quiz.questions import BLANK
from bot.core.quiz.rubric import defines_alone, describes_alone, reads_alone, worth_knowing
from bot.core.quiz.shapes import shape_of
from bot.core.quiz.wording import Wording, blank_out
from bot.core.search.documents import Document
from bot.core.search.structure import Entry, PassageStructure

DESCRIPTION_WORDS = 24  # a longer definition is cut at a clause boundary, or not asked
MIN_CUT_WORDS = 6
MIN_ENTRIES = 4  # a list or table of fewer entries is no class to draw three distractors from
MAX_PROMPT_WORDS = 40
TOO_ALIKE = 0.5  # definitions sharing this share of their words may both be right
_DETERMINERS = frozenset("a an the one any some each every".split())
# where a clause ends and the rest only adds to it: "; ", " (", " — ", ", which ..."
_CLAUSE = re.compile(r";\s|\s\(|,\s(?=(?:which|where|while|so|but|allowing|enabling|making|such as|including|"
                     r"e\.g\.|for example|as well as|thus|thereby)\b)")
_STRANDED = re.compile(r"\s[/,;:|]\s|\s[/,;:|]$|\(\s*\)")  # "ratio of / nominal": markup taken out left it
_TO_THE_READER = re.compile(r"\b(?:you|your)\b", re.IGNORECASE)
_TAG = re.compile(r"^(?:[A-Z][a-z]+\.\s+)+(?=[A-Z])")  # "Optional. Type of graph": the tag is no part of the meaning
_ASIDE = re.compile(r"\s*\([^()]{1,120}\)(?=[\s,.;:]|$)")  # "(a consumer being a program or a human)": no part of a choice
MIN_CLOZE_WORDS = 8
MAX_PLAIN_TERM_WORDS = 2
_RELEASE = re.compile(r"\bv?\d+\.\d+(?:\.\d+)*\b")
_EXAMPLE_CUE = re.compile(r"\b(?:for example|for instance|e\.g\.|such as|like)\b", re.IGNORECASE)
_MODAL_START = frozenset("can could may might must will would shall should is are was were has have does do".split())
_SECOND_PREDICATE = re.compile(r",?\s+and\s+(?=(?:SHOULD|MUST|MAY|should|must|may|can|is|are)\b)|(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.;]\s")
# after a noun, these start what is said of it: "a runtime built only for ..."
_NOT_NOUNS = frozenset("built made run written known given done seen kept set put only also just always never "
                       "often usually".split())
_ADJECTIVE_ENDINGS = ("able", "ible", "ful", "ous", "ive", "less", "ent", "ant")
_PARTITIVES = frozenset("set collection group kind type form piece part way class family series".split())
# general English category nouns by the kind of thing they name: a definition's head noun tells its
# concept's kind, and a wrong choice of another kind is no temptation (a tool offered for a practice)
_KINDS = {
    "practice": "practice practices method methodology approach technique strategy discipline pattern "
                "paradigm culture movement philosophy activity procedure workflow mechanism style architecture "
                "art",
    "property": "ability capability property characteristic quality measure degree extent state condition",
    "software": "tool software program application app system component service platform framework library "
                "server agent interface protocol runtime engine utility daemon controller plugin module "
                "orchestrator manager proxy gateway balancer technology",
    "hardware": "machine computer device hardware node host",
    "data": "file format object resource record value data metadata field message document rule policy "
            "specification standard",
}
_FUNCTION_WORDS = frozenset("a an the to by with from over into onto for as in on at of that which who only".split())
_BROAD_KINDS = frozenset({"practice", "property", "software", "hardware"})  # the others: the same head noun
_GENUS_END = re.compile(r"^(?:that|which|who|whose|of|for|to|in|on|with|by|from|where|when|used|as|and|or)$")


@dataclass(frozen=True)
class Draft:
    """A question before its distractors are chosen."""

    kind: str  # "definition" (a concept or entry, asked either way)
    prompt: str
    answer: str
    options: tuple[str, ...]  # distractor candidates, best first
    explanation: str
    quality: float
    describes: bool = False  # the choices are descriptions (cut alike), not names
    about: str = ""  # the name a description question asks about
    fact: str = ""  # questions of one fact (a concept, an entry) asked both ways share it
    group: str = ""  # questions from one list or table share it


def concept_drafts(catalogue: Catalogue, wording: Wording, concept: Concept | None) -> Iterator[Draft]:
    """"What is X?" (choices: definitions) and "Which of these is <definition>?" (choices: names).

    Distractors: the concept's neighbours (its siblings, its note) of the same kind, and beyond
    its note, concepts of its folder defined with the same head noun ("a field that ..."); those
    of the note's front matter category, then of the same head noun, first."""
    if concept is None or concept.definition is None:
        return
    definition = concept.definition
    answer = description(wording, concept)
    if answer is None:
        return
    if definition.form == "does" and concept.key[0] == "folder":
        return  # what notes of a folder do is of every kind; only siblings under one heading compare
    genus = _genus(wording, definition.complement) if definition.form != "does" else None
    near = [s for s in catalogue.neighbours(concept) if s.definition is not None]
    seen = {id(s) for s in near}
    far = [s for s in catalogue.in_folder(concept) if id(s) not in seen and s.definition is not None
           and genus is not None and s.definition.form != "does" and _genus(wording, s.definition.complement) == genus]
    kin = [s for s in near + far if _unlike(wording, definition, s.definition) and not catalogue.tied(concept, s)
           and (definition.form == "does" or same_kind(wording, genus, _genus(wording, s.definition.complement)))]
    category = concept.document.category  # the author's class of the note (front matter): the likest first
    kin.sort(key=lambda s: (s.document.category != category, genus is None or _genus(wording, s.definition.complement) != genus,
                            -catalogue.likeness(concept, s)))
    style = _style(definition, answer)
    described = [d for s in kin if (d := description(wording, s)) is not None
                 and _style(s.definition, d) == style
                 and not wording.names(concept.name, d) and not wording.names(s.name, answer)]
    if len(described) >= 3:
        prompt = _what_is(catalogue, concept)
        yield Draft("definition", prompt, answer, tuple(described), definition.sentence.text, 0.8,
                    describes=True, about=f"{prompt.split(': ', 1)[0]} {concept.name}" if ": " in prompt else concept.name,
                    fact=concept.name)
    if genus is not None and definition.form == "is" and len(answer.split()) <= MAX_PROMPT_WORDS:
        siblings = {id(s) for s in catalogue.siblings(concept)}  # names of one class: the author's headings
        alike = [s for s in kin if id(s) in siblings and s.definition.form == "is"  # names: of one head noun
                 and s.definition.plural == definition.plural and _genus(wording, s.definition.complement) == genus]
        if len(alike) >= 3:
            prompt = f"Which of these {definition.verb} {answer[:1].lower()}{answer[1:]}?"
            yield Draft("definition", prompt, concept.name, tuple(s.name for s in alike),
                        definition.sentence.text, 0.7, fact=concept.name)


def entry_drafts(catalogue: Catalogue, wording: Wording, doc: Document, structure: PassageStructure) -> Iterator[Draft]:
    """"Which of these describes `term`?" for the entries of a list or table of several."""
    if _OVERVIEW.fullmatch(doc.chunk.source.rsplit("/", 1)[-1]):
        return  # an index page's list is its table of contents
    groups: dict[int, list[Entry]] = {}
    for entry in structure.entries:
        groups.setdefault(entry.group, []).append(entry)
    for entries in groups.values():
        terms = [wording.key(e.term) for e in entries]
        if len(entries) < MIN_ENTRIES or len(set(terms)) < len(terms):
            continue  # one term several times (a list of talks under one name) is no class
        if any(len(catalogue.groups_with(doc.chunk.source, e.term)) > 1 for e in entries):
            continue  # terms that lead lists all over the note ("Non-breaking:") are tags, not terms
        where = _context(catalogue, doc, "", nearest=True)
        meanings = {id(e): _entry_description(wording, e) for e in entries}
        for entry in entries:
            answer = meanings[id(entry)]
            if any(e is not entry and e.term.casefold().startswith(entry.term.casefold()) for e in entries):
                continue  # `kubectl create` among `kubectl create secret ...`: what they do is what it does
            if answer is None or shape_of(entry.term, entry.term_mark or "code") is None \
                    or (entry.term_mark is None and len(entry.term.split()) > MAX_PLAIN_TERM_WORDS):
                continue  # "Inspect cluster state": a label of a list, not a term
            others = [e for e in entries if e is not entry and meanings[id(e)] is not None]
            ranked = sorted(others, key=lambda e: -_overlap(wording, entry.meaning, e.meaning))
            term = f"`{entry.term}`" if entry.term_mark == "code" else entry.term
            yield Draft("definition", f"{where}which of these describes {term}?", answer,
                        tuple(meanings[id(e)] for e in ranked), f"{entry.term}: {entry.meaning}", 0.6,
                        describes=True, about=f"{where} {entry.term}", fact=entry.term, group=str(entry.group))
            asked = _as_predicate(wording, answer)
            if asked is not None:
                shape = shape_of(entry.term, entry.term_mark or "code")
                kin = [e.term for e in ranked if shape_of(e.term, e.term_mark or "code") == shape
                       and _overlap(wording, entry.meaning, e.meaning) < TOO_ALIKE]  # else both may be meant
                yield Draft("definition", f"{where}which of these {asked}?", entry.term, tuple(kin),
                            f"{entry.term}: {entry.meaning}", 0.55, fact=entry.term, group=str(entry.group))


def cloze_drafts(catalogue: Catalogue, wording: Wording, doc: Document, structure: PassageStructure) -> Iterator[Draft]:
    """A sentence of prose with a marked term blanked, when the note lists that term among its peers
    (a list or a table of values, options, types): the peers are the choices."""
    for sentence in structure.sentences:
        if sentence.group != -1 or not reads_alone(sentence.text) or _EXAMPLE_CUE.search(sentence.text):
            continue
        for span in sentence.spans:
            term = span.text.strip()
            shape = shape_of(term, span.mark)
            if shape is None or not worth_knowing(term, span.mark) or _RELEASE.fullmatch(term):
                continue
            before = sentence.text[:span.start].rstrip().lower()
            if before.endswith((" a", " an")) or before in ("a", "an"):
                continue  # "a"/"an" would have to agree with every choice
            peers = [t for group in catalogue.groups_with(doc.chunk.source, term) for t in group
                     if t != term and shape_of(t, span.mark) == shape]
            peers = list(dict.fromkeys(p for p in peers if not wording.same_thing(p, term)))
            if len(peers) < 3 or any(wording.visible(p, sentence.text) for p in peers):
                continue  # too few peers, or the sentence names one (both may be meant)
            prompt = blank_out(sentence.text, [(span.start, span.end)], BLANK)
            if prompt.count(BLANK) != 1 or len(prompt.split()) < MIN_CLOZE_WORDS:
                continue
            yield Draft("cloze", prompt, term, tuple(peers), sentence.text, 0.6, fact=sentence.text)


def _as_predicate(wording: Wording, meaning: str) -> str | None:
    """An entry's meaning as what "Which of these ...?" asks: "Watches for Job objects ..." →
    "watches for Job objects ...", "The latency added ..." → "is the latency added ..."; None
    for a meaning of another form (a condition, a value)."""
    first, _, rest = meaning.partition(" ")
    lowered = first if first[1:2].isupper() else first[:1].lower() + first[1:]  # "GA ..." stays
    if not rest or not first.isalpha() or not defines_alone(rest) or _TO_THE_READER.search(meaning):
        return None  # "... if you don't want verbosity": advice to the reader, no definition
    if lowered in ("the", "a", "an"):
        return f"is {lowered} {rest}"
    second = rest.split(" ", 1)[0].lower()
    verb = lowered.endswith("s") and not lowered.endswith("ss") and lowered not in _MODAL_START \
        and second not in _MODAL_START and wording.opens_with_verb(f"{lowered} {rest}")
    return f"{lowered} {rest}" if verb else None  # not "organizations are ...": a noun, then its verb


def description(wording: Wording, concept: Concept) -> str | None:
    """The concept's definition as a choice: what follows "is" (or the whole verb phrase), cut at
    a clause, whole and not naming the concept; None when it cannot be one."""
    definition = concept.definition
    if definition is None:
        return None
    text = cut_at_clause(_ASIDE.sub("", definition.predicate if definition.form == "does" else definition.complement))
    if text is None or not defines_alone(text) or not describes_alone(text) or _STRANDED.search(text) \
            or wording.names(concept.name, text) \
            or _RELEASE.search(text):
        return None
    return _capitalised(text)


def cut_at_clause(text: str, words: int = DESCRIPTION_WORDS) -> str | None:
    """`text` whole when short, else up to the last clause boundary that keeps it short; None
    when no boundary does (a cut mid-clause, with "…", singles the choice out)."""
    text = " ".join(text.split()).rstrip(" .")
    second = _SECOND_PREDICATE.search(text)  # "a string and SHOULD be non-empty": one thing said at a time
    if second is not None:
        text = text[:second.start()]
    if len(text.split()) <= words:
        return text
    cut = None
    for match in _CLAUSE.finditer(text):
        head = text[:match.start()].rstrip(" ,")
        if len(head.split()) > words:
            break
        if len(head.split()) >= MIN_CUT_WORDS:
            cut = head
    return cut


def _entry_description(wording: Wording, entry: Entry) -> str | None:
    """An entry's meaning as a choice: whole (or cut at a clause), not naming its own term."""
    text = cut_at_clause(_ASIDE.sub("", _TAG.sub("", entry.meaning)).strip())
    if text is not None and text.split(" ", 1)[0].lower() in ("is", "are"):
        text = text.split(" ", 1)[1] if " " in text else None  # "Is used to report ...": the row's term is the subject
    if text is None or len(text.split()) < 4 or not describes_alone(text) or not defines_alone(text) or _STRANDED.search(text) \
            or wording.names(entry.term, text) \
            or _shares_a_token(entry.term, text) or _title_like(text) or _RELEASE.search(text):
        return None
    return _capitalised(text)


def _title_like(text: str) -> bool:
    """"The Future of Dockershim is cri-dockerd": a title (of a talk, a post, a page) lists what
    exists; it says nothing to learn."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) * 2 > len(words)


def _shares_a_token(term: str, text: str) -> bool:
    """"PrometheusText0.0.4" / "... text format version 0.0.4": a version or number of the term in
    its description gives it away, though no word of it is a word of the description."""
    return any(token in text for token in re.findall(r"\d[\w.]*\w|\d", term))


def _style(definition: Definition, text: str) -> tuple[str, object]:
    """Choices of one question read alike: verb phrases, noun phrases, participles ("used to
    ...") or adjectives ("capable of ..."), each of one number ("can ..." goes with the singular)."""
    if definition.form == "does":
        return ("does", bool(definition.plural))
    first = text.split(" ", 1)[0].lower()
    form = "participle" if first.endswith("ed") else "adjective" if first.endswith(_ADJECTIVE_ENDINGS) else "noun"
    return (form, bool(definition.plural))


@functools.lru_cache(maxsize=65536)
def _genus(wording: Wording, complement: str) -> str | None:
    """The kind a definition puts its concept in: the head of "a collection of methods ..." is
    collection, of "software that executes ..." software."""
    head = None
    determined = False  # "a specialized building" is a thing, "managing and automating ..." an activity
    words = [w.strip(",()\"'`").lower() for w in complement.split()[:12]]
    for position, (word, bare) in enumerate(zip(complement.split(), words)):
        following = words[position + 1] if position + 1 < len(words) else ""
        if bare == "of" and head in _PARTITIVES:  # "a set of practices", "a form of reusability"
            head = None
            continue
        if not bare or _GENUS_END.match(bare) or (head is not None and bare in _NOT_NOUNS):
            break
        if bare.endswith(("ed", "ing")) and (following in _FUNCTION_WORDS or not following):
            if head is not None:
                break  # "a runtime built for ...", "a file containing the ...": what is said of it
        elif bare in _DETERMINERS:
            determined = True
        elif not bare.endswith("ed"):
            head = bare  # "an immutable, static file", "autonomous computing elements"
        if word.endswith((";", ":")):
            break
    if head is not None and head.endswith("ing") and not determined:
        head = "activity"  # "managing and automating ...": an activity (whose stem is a manager's)
    stems = wording.stems(head) if head else ()
    return stems[-1] if stems else None


def same_kind(wording: Wording, genus: str | None, other: str | None) -> bool:
    """Two definitions put their concepts in one kind: the same head noun ("a runtime ...") or
    head nouns English files under one heading (a method and a practice; a tool and a program)."""
    if genus is None or other is None:
        return False
    kind = _kind(wording, genus)
    return genus == other or kind in _BROAD_KINDS and kind == _kind(wording, other)


def _kind(wording: Wording, genus: str) -> str:
    """The kind of a head noun; "other" for a noun outside the table, alike only with itself."""
    if genus.endswith(("iti", "ness", "abl", "ibl")):  # "reusability", "readiness": a property (as stemmed)
        return "property"
    return _kind_of(wording).get(genus, "other")


@functools.lru_cache(maxsize=4)
def _kind_of(wording: Wording) -> dict[str, str]:
    return {stem: kind for kind, nouns in _KINDS.items() for noun in nouns.split() for stem in wording.stems(noun)[-1:]}


def _unlike(wording: Wording, a: Definition, b: Definition) -> bool:
    """Definitions that share most of their words may both be right."""
    return _overlap(wording, a.predicate, b.predicate) < TOO_ALIKE


def _what_is(catalogue: Catalogue, concept: Concept) -> str:
    definition = concept.definition
    subject = _subject(concept)
    where = _context(catalogue, concept.document, concept.name) if concept.key[0] != "folder" else ""
    if definition.form == "is" or definition.verb.endswith("defined as"):
        return f"{where}what {'are' if definition.plural else 'is'} {subject}?"
    do = "do" if definition.plural else "does"
    if definition.form == "refers":
        ending = {"refer": "refer to", "mean": "mean", "stand": "stand for"}[definition.verb.split()[0].rstrip("s")]
        return f"{where}what {do} {subject} {ending}?"
    return f"{where}what {do} {subject} do?"


def _context(catalogue: Catalogue, doc: Document, name: str, nearest: bool = False) -> str:
    """"Remote write tuning: " — the note's title (or, for a list or table, the heading it stands
    under) before a question on a term that may mean something else elsewhere ("capacity",
    "name", `union`); "" when there is none (the question then starts with a capital)."""
    path = doc.chunk.heading_path
    nearest_heading = path[-1] if nearest and path and not catalogue.is_template(path[-1]) else None
    title = nearest_heading or doc.title or (path[0] if path else "")
    title = NUMBERED.sub("", " ".join(title.split())).strip(" #:")
    if not title or title.casefold() == name.casefold():
        return ""
    return f"{title}: "


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _subject(concept: Concept) -> str:
    """"A counter", "Debugging" → as asked after "What is": an article in lower case, and a first
    word capitalised only by the sentence's start in lower case when the passage writes it so."""
    subject = concept.definition.subject
    first, _, rest = subject.partition(" ")
    if first in ("A", "An", "The") and rest:
        return f"{first.lower()} {rest}"
    if not (first[:1].isupper() and first[1:].islower()) or any(w[:1].isupper() for w in rest.split()):
        return subject  # "Kubernetes", "Site Reliability Engineering": a name
    if rest or re.search(rf"\b{re.escape(first.lower())}\b", concept.document.chunk.text):
        return subject[:1].lower() + subject[1:]  # "Role-based access control", "Multitenancy"
    return subject


def _overlap(wording: Wording, a: str, b: str) -> float:
    sa, sb = set(wording.stems(a)), set(wording.stems(b))
    return len(sa & sb) / max(1, len(sa | sb))

