"""Sentences and key terms of a passage: the raw material of generated questions.

Why the rules are what they are:

* A question shows a sentence of the notes on its own, so only sentences that can stand alone
  are kept (`sentences.standalone`), from whole lines or paragraphs outside code fences, tables,
  headings and HTML, list items wrapped onto indented lines read as one.
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

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.core.quiz.sentences import CUT_ENDINGS, PRONOUN_START, conditional_lead_in, standalone
from bot.core.search.analysis import english_stopwords
from bot.core.search.english_frequency import english_zipf

TermKind = Literal["number", "acronym", "name", "word"]

COMMON_ENGLISH_ZIPF = 4.2  # an everyday word ("people", "running") is never a name by its capital

_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+|^-(?=[a-z]{3,}\s)")  # "-storage orchestration - ..." too
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_TOOLTIP = re.compile(r"\{\{<\s*glossary_tooltip\s+[^>]*?text=\"([^\"]+)\"[^>]*>\}\}")
_LINK = re.compile(r"!?\[([^\[\]]+)\]\([^()\s]*\)|\[([^\[\]]+)\]\[[^\[\]]*\]")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"
                       r"|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`]+)`")
_COMMENT = re.compile(r"<!--.*?-->")
_SENTENCE_SPLIT = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Za-z0-9\"'(])")
_ADJECTIVE_PARTS = frozenset("based like level scoped wide aware specific only enabled compatible side free "
                             "native ready safe friendly style time".split())
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_/-]*[A-Za-z0-9+]|[A-Za-z0-9]")
_UNSAFE = re.compile(r"[<>{}\[\]|\\]|https?:|www\.|\]\(|^\W")

Span = tuple[int, int]
_FILE_EXTENSIONS = frozenset("conf cfg ini toml yaml yml json xml md txt log sh py js ts go rs html css crt pem key pub csr "
                             "tar gz tgz zip deb rpm service socket".split())


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
        if is_release_version(self.text):
            return "version"  # "v1.35" among versions, never beside "pod.spec"
        if "." in self.text:
            if "/" in self.text:
                return "slashed"  # an API group version or signer, not a field path
            last = self.text.rsplit(".", 1)[1]
            if last in _FILE_EXTENSIONS:
                return "file"  # "admin.conf" among files, never beside "spec.template"
            return "Dotted" if last[:1].isupper() else "dotted"  # "vm.Script" (a class) or "util.inspect", "spec.replicas"
        if re.search(r"[a-z][A-Z]", self.text) and self.text.isalnum():
            return "Camel" if self.text[0].isupper() else "camel"  # PriorityClass, stringData
        if "-" in self.text or "_" in self.text or "/" in self.text:
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


_RELEASE_VERSION = re.compile(r"v?\d+(?:\.\d+)+")


def is_release_version(text: str) -> bool:
    """ "v1.35", "1.28.2": a release, not a number that counts something."""
    return _RELEASE_VERSION.fullmatch(text) is not None


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
    lead_in = ""  # the paragraph before a list, while its items follow
    for unit, item in marked_units(text):
        if not item:
            lead_in = unit
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
            for acronym, expansion in expansions(piece):
                _add_definition(definitions, acronym, expansion, piece)
            definition = _definition(piece)
            if definition is not None:
                _add_definition(definitions, *definition, piece)
            if standalone(piece) and not (item and conditional_lead_in(lead_in)):
                sentences.append(Sentence(piece, tuple(key_terms(piece))))
    return PassageTerms(tuple(sentences), tuple(definitions))


def clean_inline(text: str) -> str | None:
    """Markdown inline markup flattened for display; None when markup is left that we cannot
    show whole (HTML, a shortcode, a link or code span cut in half)."""
    text = _COMMENT.sub("", text)
    if "&" in text:
        text = html.unescape(text)  # "&quot;/&quot;" is shown as the notes mean it
    text = _TOOLTIP.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4), text)
    text = " ".join(text.split())
    if not text or "`" in text or "**" in text or "__" in text or _UNSAFE.search(text):
        return None
    if text.count("(") != text.count(")") or text.count('"') % 2:
        return None
    return text


def key_terms(sentence: str) -> list[tuple[Term, Span]]:
    """The key terms of a sentence with their character spans, in order."""
    found: list[tuple[Term, Span]] = []
    matches = TOKEN.findall(sentence)
    position = 0
    for i, token in enumerate(matches):
        start = sentence.index(token, position)
        position = start + len(token)
        token = token.rstrip(".")
        unit = False
        if token[0].isdigit() and i + 1 < len(matches):
            following = matches[i + 1].lower()
            unit = following.isalpha() and following not in english_stopwords()
        term = term_of(token, i == 0, unit)
        if term is not None:
            found.append((term, (start, start + len(token))))
    return found


@lru_cache(maxsize=200_000)
def term_of(token: str, first: bool, unit: bool) -> Term | None:
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
    if lower in _ENTITIES or lower in _UNITS or re.fullmatch(r"my[a-z]+|[A-Z]{2,}ed", token):
        return None  # "KiB", "myapp" (an example's name), "DNATed"
    if _ACRONYM.fullmatch(token):
        shouting = english(lower) >= (3.0 if len(token) >= 4 else 4.5)
        return None if shouting else "acronym"  # "MUST", "NODES", "AGE": shouting (or a column), not an acronym
    if token.isupper() and len(token) > 5:
        return None  # "FILENAME", "MAXPODS": a placeholder
    zipf = english_zipf().get(lower, 0.0)
    if _TECHNICAL.search(token):
        if len(token) < 3 or re.search(r"(?:^|[-./_])\w(?:$|[-./_])", token):
            return None  # "cto-s", "a/b": a letter on its own is an abbreviation of prose
        if (token[0].isdigit() or _EXAMPLE_VALUE.fullmatch(token) and not _KNOWN_SHORT.fullmatch(lower)
                or re.search(r"example|\bfoo\b|\bbar\b|my-|demo|sample|^test-|-test$"
                             r"|^(?:mnt|etc|usr|var|tmp|path|home|dev|opt|bin)/", lower)):
            return None  # "node1", "fe80", "500Mi", "e2e": an example's value, not vocabulary
        parts = [p for p in re.split(r"[-_/]", lower) if p]
        if len(parts) > 1 and (parts[-1] in _ADJECTIVE_PARTS or parts[-1].endswith("ed")):
            return "word"  # "kubeadm-provided", "RHEL-like": a description, not a name
        if "." not in token and len(parts) > 1 and all(english(p) >= 2.5 or p in english_stopwords() for p in parts):
            return "word"  # "long-lived", "non-empty", "cost-effective": prose, hyphenated
        return "name"  # base64, k8s, VirtualBox, kube-proxy, spec.replicas
    if not token.isalpha() or len(token) < 3:
        return None
    if token[0].isupper() and not first and zipf < COMMON_ENGLISH_ZIPF:
        if zipf and lower.endswith(("ing", "ed", "ic", "al", "ous", "ive", "able", "ful", "ly", "y")):
            return "word"  # "Migrating", "Atomic", "Unhealthy": a capital, yet no name
        return "name"  # Talos, Helm, Kubernetes (a capital inside a sentence)
    if zipf == 0.0 and len(token) >= 4 and not _inflected(lower) and not _prose_compound(lower) \
            and lower not in _ENTITIES and not lower.endswith(_PROSE_ENDINGS):
        return "name"  # not an English word: etcd, kubelet, dockerd (or a typo: hypervizor)
    if len(token) >= 4:
        return "word"  # a domain word; whether it is salient depends on the corpus
    return None


_UNITS = frozenset("kib mib gib tib ki mi gi ti kb mb gb tb ms ns".split())


# a word with these endings is prose even when English lists it rarely ("deterministically", "observability")
_PROSE_ENDINGS = ("ible", "able", "ous", "ive", "ical", "ly", "ity", "ment", "tion", "sion", "ness", "ance", "ence")
_ENTITIES = frozenset("mdash ndash nbsp quot amp hellip rarr larr todo fixme xxx".split())  # HTML entities' names


def prose_word(word: str) -> bool:
    """An English word, an inflection of one ("provisioned") or two run together ("builtin")."""
    lower = word.lower()
    return english(lower) >= 2.5 or _inflected(lower) or _prose_compound(lower)


def _prose_compound(word: str) -> bool:
    """Two everyday English words run together ("whitespace", "hostname", "builtin", "stateful");
    a product's name is rarely two *everyday* words ("gitlab", "coredns", "elasticsearch")."""
    table = english_zipf()
    if word.endswith("s") and _prose_compound(word[:-1]):
        return True  # "callouts"
    for cut in range(3, len(word) - 1):
        left, right = word[:cut], word[cut:]
        if table.get(left, 0.0) >= 4.0 and (table.get(right, 0.0) >= 4.0 and len(right) >= 3
                                             or right in ("in", "up", "on", "ful", "less", "ness", "tion", "ion")):
            return True
    return False


def _inflected(word: str) -> bool:
    """An inflection of an English word ("upsides", "storages", "containerized")."""
    table = english_zipf()
    for prefix in ("re", "un", "multi", "pre", "sub", "auto", "micro", "co", "mis", "non", "de", "over", "under"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            rest = word[len(prefix):]
            if table.get(rest, 0.0) >= 2.5 or _inflected(rest):
                return True
    for suffix, replacement in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ly", ""),
                                ("able", ""), ("able", "e"), ("ators", "ate"), ("ator", "ate"), ("ers", ""), ("ers", "e"), ("er", ""), ("ively", "ive"),
                                ("ing", "e"), ("ized", "ize"), ("ised", "ise"), ("ity", "e"), ("ness", "")):
        if word.endswith(suffix) and table.get(word[: len(word) - len(suffix)] + replacement, 0.0) >= 2.5:
            return True
    return False


_EXAMPLE_VALUE = re.compile(r"[a-z]+[0-9]|[0-9a-f]*[0-9][0-9a-f]*|[0-9]+[A-Za-z]{1,3}|[a-z][0-9][a-z]", re.IGNORECASE)
_KNOWN_SHORT = re.compile(r"(?:base|sha|md|utf|int|uint|float)[0-9]{1,3}|k8s|k3s|ipv[46]|s3|ec2|http2|oauth2|v[0-9]|arm64|amd64|x86", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?|[A-Z]{2,5}[0-9]{1,2}")
_TECHNICAL = re.compile(r"\d|[a-z][A-Z]|\w[-./_]\w")


@lru_cache(maxsize=4096)
def english(word: str) -> float:
    return english_zipf().get(word.lower(), 0.0)


_IS = re.compile(r"^(?P<x>[^,;:]{2,60}?)\s+(?:is|are|means|refers to)\s+(?P<y>(?:a|an|the)\s.{8,})$", re.IGNORECASE)
_DASH = re.compile(r"^(?P<x>[^,;:]{2,40}?)\s+[-–—]\s+(?P<y>.{8,})$")
_COLON = re.compile(r"^(?P<x>[^,;:]{2,40}?):\s+(?P<y>.{8,})$")
# "PVC is k8s own way of managing storage": no article, so only when X is one acronym or name
_IS_BARE = re.compile(r"^(?P<x>[A-Za-z][\w.+-]{1,30})\s+(?:is|means|refers to)\s+(?P<y>(?!not\b|a\b|an\b|the\b).{12,})$",
                      re.IGNORECASE)


def _definition(sentence: str) -> tuple[str, str] | None:
    for pattern in (_IS, _DASH, _COLON):
        match = pattern.match(sentence.strip().rstrip("."))
        if match:
            x, y = match.group("x").strip(), match.group("y").strip()
            if pattern is not _IS and (" is " in y or x.split()[-1].lower().endswith("s") and len(x.split()) > 1):
                return None  # "Main engines: VMWare, ... is VirtualBox": a list, not a definition
            return x, y
    match = _IS_BARE.match(sentence.strip().rstrip("."))
    if match and term_kind(match.group("x")) in ("acronym", "name") and " - " not in match.group("y") \
            and not re.search(r"\b(?:it|them|this|that)$", match.group("y").rstrip(".")):
        return match.group("x"), match.group("y").strip()
    return None


_EXPANDED = re.compile(r"\b(?P<a>[A-Z]{2,6})\s+(?:\((?P<x1>[^()]{5,80})\)|(?P<x2>(?:[A-Za-z][\w-]*\s+){1,5}[A-Za-z][\w-]*))"
                       r"|\b(?P<x3>(?:[A-Za-z][\w-]*\s+){1,5}[A-Za-z][\w-]*)\s+\((?P<b>[A-Z]{2,6})\)")


def expansions(sentence: str) -> list[tuple[str, str]]:
    """Acronyms spelt out where they are used: "OCI open container initiative", "Container
    Network Interface (CNI)", "CNI (Container Network Interface)". The expansion is the words
    whose initials are the acronym's letters, so a question can ask what the acronym stands for."""
    found = []
    for match in _EXPANDED.finditer(sentence):
        acronym = match.group("a") or match.group("b")
        words = (match.group("x1") or match.group("x2") or match.group("x3")).split()
        n = len(acronym)
        # the expansion is the n words after the acronym, or the n words before "(ACR)"
        words = words[-n:] if match.group("b") else words[:n]
        if len(words) == n and "".join(w[0] for w in words).upper() == acronym \
                and not any(w.lower() in english_stopwords() for w in words):
            found.append((acronym, " ".join(words)))
    return found


def _add_definition(found: list[Definition], term: str, meaning: str, sentence: str) -> None:
    """Keep definitions of a short named thing by a phrase that does not name it."""
    term = re.sub(r"\s*\([^()]*\)", "", term).strip().strip("*_`")
    meaning = meaning.strip().rstrip(".")
    words = term.split()
    short_ok = _ACRONYM.fullmatch(term) is not None and "".join(w[0] for w in meaning.split()).upper() == term
    if not 1 <= len(words) <= 4 or not (2 if short_ok else 3) <= len(meaning.split()) <= 25:
        return
    if any(w.lower() in ("vs", "versus", "and", "or", "if", "when", "you", "we", "i") for w in words):
        return
    if any(w.lower() in english_stopwords() or w.lower() in PRONOUN_START for w in words):
        return  # "upsides of containers": a list header, not a named thing
    meaning = _SENTENCE_SPLIT.split(meaning, maxsplit=1)[0].rstrip(".")
    if meaning.split()[-1].lower() in CUT_ENDINGS:
        return  # "The copy operation will attempt to": cut where the line wrapped
    if meaning.count("(") != meaning.count(")"):
        return  # "A list of IP families (e.g": cut inside an aside
    head = meaning.split(", ", 1)[0]
    if len(meaning.split()) > 12 and len(head.split()) >= 4:
        meaning = head  # "K8s own way of managing storage, a persistent volume, you have to...": its first clause
    if not (2 if short_ok else 3) <= len(meaning.split()):
        return
    if normalise(term) and normalise(term) in normalise(meaning):
        return
    if "?" in meaning or ":" in meaning:
        return  # "Create, get, list, watch, group: certificates.k8s.io": a table row, not a description
    if any(d.term == term for d in found):
        return  # one definition of a term per passage
    found.append(Definition(term, meaning[0].upper() + meaning[1:], sentence))


def units(text: str) -> list[str]:
    """Paragraphs and list items of a passage, each as one line, outside code and tables.

    Wrapped prose (paragraphs that end with a full stop) is joined line to line; in note-taking
    style (lines without endings, one thought each) every line stands alone, else two thoughts
    would run together into one "sentence".
    """
    return [unit for unit, _ in marked_units(text)]


def marked_units(text: str) -> list[tuple[str, bool]]:
    """`units`, each with whether it is a list item (so that an item can be read with the
    paragraph that leads in to its list)."""
    units: list[tuple[str, bool]] = []
    current: list[str] = []
    item = [False]
    in_fence = False
    prose = _prose_style(text)
    item_indent: int | None = None  # where the text of the list item being read starts

    def flush() -> None:
        if current:
            units.append((" ".join(current), item[0]))
            current.clear()
        item[0] = False

    for raw in text.split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        stripped = line.strip()
        if stripped.startswith("{{<") and _TOOLTIP.match(stripped) and current:
            current.append(stripped)  # a glossary tooltip wrapped onto its own line is part of the sentence
            continue
        if (not stripped or _HEADING.match(line) or stripped.startswith(("|", ">", "{{", "<"))
                or (_SETEXT.match(line) and current) or raw.startswith(("    ", "\t")) and not current):
            if prose and current and stripped and not current[-1].endswith((".", "!", "?", ":", ")")):
                current.clear()  # a sentence cut by markup we cannot show: "Ensure the X feature gate and the"
            flush()
            continue
        marker = _LIST_MARKER.match(line)
        if stripped.startswith(": ") or marker:
            flush()
            current.append(stripped if not marker else line[marker.end():].strip())
            item[0] = bool(marker)
            item_indent = marker.end() if marker else None
            continue
        if item_indent is not None and current and len(line) - len(line.lstrip()) >= item_indent \
                and not current[-1].endswith((".", "!", "?")):
            current.append(stripped)  # an item wrapped onto indented lines, in any style: "will attempt to" + "create a copy"
            continue
        item_indent = None
        if current and (not prose or current[-1].endswith((".", "!", "?", ":"))):
            flush()
        current.append(stripped)
    flush()
    return units


def _prose_style(text: str) -> bool:
    """Most paragraphs end with a sentence ending: lines are wrapped prose, not separate notes."""
    ends = [p.rstrip().rsplit("\n", 1)[-1].strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    prose = [line for line in ends if line and not line.startswith(("#", "|", "```", "{{", "<", "-", "*"))]
    if not prose:
        return True
    return sum(line.endswith((".", "!", "?", ":", ")")) for line in prose) * 2 >= len(prose)
