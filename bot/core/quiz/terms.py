"""Sentences and key terms of a passage: the raw material of generated questions.

Why the rules are what they are:

* A question shows a sentence of the notes on its own, so only sentences that can stand alone
  are kept: whole lines or paragraphs outside code fences, tables, headings and HTML; no
  sentence that ends in ":" (a list header) or "?" (the notes' own question); none that opens
  with a word pointing back at the sentence before ("It", "They", "This", "Also"...).
* Markdown is flattened for display (links keep their text, emphasis and backticks go, Hugo's
  glossary tooltips keep their text); whatever markup is left over (a link or code cut in half,
  HTML, shortcodes) makes the sentence unusable rather than shown broken.
* Key terms are what a learner should know: acronyms (`OCI`), names and products (`VirtualBox`,
  `etcd`), technical tokens (`base64`, `kube-proxy`), numbers with a unit (`10 cpus`), and domain
  words that are much commoner in the notes than in everyday English (`containers`). Stop words
  and everyday words never are.

Everything here depends on the passage text only (and the shipped English frequencies), so it can
be cached by chunk id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.core.search.analysis import english_stopwords
from bot.core.search.english_frequency import english_zipf

TermKind = Literal["number", "acronym", "name", "word"]

MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 32
MAX_SENTENCE_CHARS = 300
JOIN_LINE_CHARS = 70  # a line this long without an ending is wrapped prose: join the next line
COMMON_ENGLISH_ZIPF = 4.2  # an everyday word ("people", "running") is never a name by its capital

_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_TOOLTIP = re.compile(r"\{\{<\s*glossary_tooltip\s+[^>]*?text=\"([^\"]+)\"[^>]*>\}\}")
_LINK = re.compile(r"!?\[([^\[\]]+)\]\([^()\s]*\)|\[([^\[\]]+)\]\[[^\[\]]*\]")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_COMMENT = re.compile(r"<!--.*?-->")
_SENTENCE_SPLIT = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Za-z0-9\"'(])")
_META = re.compile(r"\b(?:my|our|these) notes\b|\bthis (?:lesson|page|document|section|guide|tutorial)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_/-]*[A-Za-z0-9+]|[A-Za-z0-9]")
_UNSAFE = re.compile(r"[<>{}\[\]|\\]|https?:|www\.|\]\(|^\W")
_PRONOUN_START = frozenset(
    "it its it's they them their this that these those he she also but and or so then thus hence "
    "such both which however instead otherwise similarly additionally furthermore likewise here "
    "there's see e.g. i.e. for example note nor yet".split()
)

Span = tuple[int, int]


@dataclass(frozen=True)
class Term:
    """A candidate answer: how it is shown, what kind it is, and its normalised key."""

    text: str
    kind: TermKind
    key: str  # lower-case, for comparing terms

    @property
    def shape(self) -> str:
        """Finer than the kind, so that a distractor looks like the answer: a domain for a domain."""
        if self.kind != "name":
            return self.kind
        if "." in self.text or "/" in self.text:
            return "dotted"
        if "-" in self.text or "_" in self.text:
            return "joined"
        if any(ch.isdigit() for ch in self.text):
            return "digits"
        return "capital" if self.text[0].isupper() else "lower"

    @property
    def plural(self) -> bool:
        return self.kind == "word" and self.key.endswith("s") and not self.key.endswith("ss")


@dataclass(frozen=True)
class Sentence:
    """A displayable sentence of a passage, and the key terms in it (with their positions)."""

    text: str
    terms: tuple[tuple[Term, Span], ...]


@dataclass(frozen=True)
class Definition:
    """A statement of the form "X is Y", "X - Y", "X: Y" or "X means Y" in a passage."""

    term: str
    meaning: str
    sentence: str


@dataclass(frozen=True)
class PassageTerms:
    """What the generator needs from one passage."""

    sentences: tuple[Sentence, ...]
    definitions: tuple[Definition, ...]

    @property
    def terms(self) -> list[Term]:
        return list({t.key: t for s in self.sentences for t, _ in s.terms}.values())


def normalise(text: str) -> str:
    """Lower case, no punctuation, no articles, single spaces: two choices are the same when
    their normal forms are."""
    words = re.findall(r"[^\W_]+", text.lower())
    return " ".join(w for w in words if w not in ("a", "an", "the"))


def analyse_passage(text: str) -> PassageTerms:
    """Sentences, key terms and definitions of one passage's Markdown text."""
    sentences: list[Sentence] = []
    definitions: list[Definition] = []
    previous = ""
    for unit in _units(text):
        if unit.startswith(": ") and previous:  # a definition list: "term" then ": meaning"
            meaning = clean_inline(unit[2:])
            if meaning is not None:
                _add_definition(definitions, previous, meaning, f"{previous}: {meaning}")
            previous = ""
            continue
        cleaned = clean_inline(unit)
        previous = cleaned or ""
        if cleaned is None:
            continue
        for piece in _SENTENCE_SPLIT.split(cleaned):
            piece = piece.strip()
            definition = _definition(piece)
            if definition is not None:
                _add_definition(definitions, *definition, piece)
            if standalone(piece):
                sentences.append(Sentence(piece, tuple(key_terms(piece))))
    return PassageTerms(tuple(sentences), tuple(definitions))


def clean_inline(text: str) -> str | None:
    """Markdown inline markup flattened for display; None when markup is left that we cannot
    show whole (HTML, a shortcode, a link or code span cut in half)."""
    text = _COMMENT.sub("", text)
    text = _TOOLTIP.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    text = " ".join(text.split())
    if not text or "`" in text or "**" in text or "__" in text or _UNSAFE.search(text):
        return None
    if text.count("(") != text.count(")") or text.count('"') % 2:
        return None
    return text


def standalone(sentence: str) -> bool:
    """A whole sentence that makes sense without the one before it."""
    words = sentence.split()
    if not MIN_SENTENCE_WORDS <= len(words) <= MAX_SENTENCE_WORDS or len(sentence) > MAX_SENTENCE_CHARS:
        return False
    if sentence.rstrip().endswith((":", ",", ";", "-")) or "?" in sentence or _META.search(sentence):
        return False
    first = words[0].lower().strip(",.:;\"'")
    if first in _PRONOUN_START or " ".join(words[:2]).lower() in ("for example,", "for instance,", "in addition,"):
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.6 * len(sentence.replace(" ", ""))


def key_terms(sentence: str) -> list[tuple[Term, Span]]:
    """The key terms of a sentence with their character spans, in order."""
    found: list[tuple[Term, Span]] = []
    matches = _TOKEN.findall(sentence)
    position = 0
    for i, token in enumerate(matches):
        start = sentence.index(token, position)
        position = start + len(token)
        token = token.rstrip(".")
        unit = False
        if token[0].isdigit() and i + 1 < len(matches):
            following = matches[i + 1].lower()
            unit = following.isalpha() and following not in english_stopwords()
        term = _term(token, i == 0, unit)
        if term is not None:
            found.append((term, (start, start + len(token))))
    return found


@lru_cache(maxsize=200_000)
def _term(token: str, first: bool, unit: bool) -> Term | None:
    kind = term_kind(token, first=first, unit=unit)
    return None if kind is None else Term(token, kind, token.lower())


def term_kind(token: str, *, first: bool = False, unit: bool = False) -> TermKind | None:
    """The kind of a token when it is a key term, else None (`unit`: a word that a number
    counts follows it)."""
    lower = token.lower()
    if lower in english_stopwords() or len(token) > 40:
        return None
    if _NUMBER.fullmatch(token):
        # a number that counts something ("10 cpus", "64 core"), not a list position or a year
        return "number" if unit and len(token) <= 4 else None
    if _ACRONYM.fullmatch(token):
        return "acronym"
    zipf = english_zipf().get(lower, 0.0)
    if _TECHNICAL.search(token):
        if len(token) < 3 or re.search(r"(?:^|[-./_])\w(?:$|[-./_])", token):
            return None  # "cto-s", "a/b": a letter on its own is an abbreviation of prose
        return "name"  # base64, k8s, VirtualBox, kube-proxy, spec.replicas
    if not token.isalpha() or len(token) < 3:
        return None
    if token[0].isupper() and not first and zipf < COMMON_ENGLISH_ZIPF:
        return "name"  # Talos, Helm, Kubernetes (a capital inside a sentence)
    if zipf == 0.0 and len(token) >= 4 and not _inflected(lower):
        return "name"  # not an English word: etcd, kubelet, dockerd (or a typo: hypervizor)
    if len(token) >= 4:
        return "word"  # a domain word; whether it is salient depends on the corpus
    return None


def _inflected(word: str) -> bool:
    """An inflection of an English word ("upsides", "storages", "containerized")."""
    table = english_zipf()
    for prefix in ("re", "un", "multi", "pre", "sub", "auto", "micro", "co"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            rest = word[len(prefix):]
            if table.get(rest, 0.0) >= 2.5 or _inflected(rest):
                return True
    for suffix, replacement in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                                ("ing", "e"), ("ized", "ize"), ("ised", "ise"), ("ity", "e"), ("ness", "")):
        if word.endswith(suffix) and table.get(word[: len(word) - len(suffix)] + replacement, 0.0) >= 2.5:
            return True
    return False


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?|[A-Z]{2,5}[0-9]{1,2}")
_TECHNICAL = re.compile(r"\d|[a-z][A-Z]|\w[-./_]\w")


@lru_cache(maxsize=4096)
def english(word: str) -> float:
    return english_zipf().get(word.lower(), 0.0)


_IS = re.compile(r"^(?P<x>[^,;:]{2,60}?)\s+(?:is|are|means|refers to)\s+(?P<y>(?:a|an|the)\s.{8,})$", re.IGNORECASE)
_DASH = re.compile(r"^(?P<x>[^,;:]{2,40}?)\s+[-–—]\s+(?P<y>.{8,})$")
_COLON = re.compile(r"^(?P<x>[^,;:]{2,40}?):\s+(?P<y>.{8,})$")


def _definition(sentence: str) -> tuple[str, str] | None:
    for pattern in (_IS, _DASH, _COLON):
        match = pattern.match(sentence.strip().rstrip("."))
        if match:
            return match.group("x").strip(), match.group("y").strip()
    return None


def _add_definition(found: list[Definition], term: str, meaning: str, sentence: str) -> None:
    """Keep definitions of a short named thing by a phrase that does not name it."""
    term = re.sub(r"\s*\([^()]*\)", "", term).strip().strip("*_`")
    meaning = meaning.strip().rstrip(".")
    words = term.split()
    if not 1 <= len(words) <= 4 or not 3 <= len(meaning.split()) <= 25:
        return
    if any(w.lower() in ("vs", "versus", "and", "or", "if", "when", "you", "we", "i") for w in words):
        return
    if any(w.lower() in english_stopwords() or w.lower() in _PRONOUN_START for w in words):
        return  # "upsides of containers": a list header, not a named thing
    meaning = re.split(r"(?<=[.!?])\s", meaning, maxsplit=1)[0].rstrip(".")
    if not 3 <= len(meaning.split()):
        return
    if normalise(term) and normalise(term) in normalise(meaning):
        return
    if "?" in meaning or meaning.endswith(":"):
        return
    found.append(Definition(term, meaning[0].upper() + meaning[1:], sentence))


def _units(text: str) -> list[str]:
    """Paragraphs and list items of a passage, each as one line, outside code and tables."""
    units: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            units.append(" ".join(current))
            current.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        stripped = line.strip()
        if (not stripped or _HEADING.match(line) or stripped.startswith(("|", ">", "{{", "<"))
                or (_SETEXT.match(line) and current) or raw.startswith(("    ", "\t")) and not current):
            flush()
            continue
        if stripped.startswith(": "):
            flush()
            units.append(stripped)
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            flush()
            current.append(line[marker.end():].strip())
            continue
        if current and (len(current[-1]) < JOIN_LINE_CHARS or current[-1].endswith((".", "!", "?", ":"))):
            flush()  # a short line with no ending is a thought of its own (note-taking style)
        current.append(stripped)
    flush()
    return units
