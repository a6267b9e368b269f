"""Whether a sentence of the notes reads as a question on its own (rule 1 of the quiz rubric).

A cloze question shows one sentence; a learner sees nothing around it. So a sentence is kept only
when it is whole and names what it speaks of: no list header, fragment or comma list; no word
pointing back at the sentence before ("It", "This", "the given X", "the new X", "then"); no
description whose subject is elsewhere ("Allows ...", "Throws an error if ...", "Only valid for
..."), no condition without a subject ("If true, ..."), no change-log entry ("Fixed a bug where
..."); and no list item whose list is led in by conditions ("... is allowed if:").

Each rule is a cheap test of the text alone (and the shipped English frequencies), written for a
kind of sentence a review rejected; `tests/core/quiz/test_sentences.py` holds their cases.
"""

from __future__ import annotations

import re

from bot.core.search.english_frequency import english_zipf

MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 32
MAX_SENTENCE_CHARS = 300
EVERYDAY_SUBJECT_ZIPF = 2.8  # "The annotation may ...": a subject this common was introduced before
_DANGLING = re.compile(r"\b(?:one|it|them|this|that|these|those)(?:[,.;]|\s*$)|\bthat \w+(?:[.,;]|\s*$)|\b(?:this|these|those|such|above|aforementioned|previous|latter|former|instead)\b", re.IGNORECASE)
_SUBJECT_PRONOUN = re.compile(r"\b(?:it|they|he|she|its|their)\b", re.IGNORECASE)  # "If it is empty, ...": what is?
CUT_ENDINGS = frozenset("the a an of to with for and or by from at as than into via like its their your our "
                         "underlying following below above all both each every".split())  # "... to all.": a list followed
# a definite reference to something the sentence does not name: "the given phase", "the other",
# "one of which", "the example", "If omitted, ..." (which field?)
_BACK_REFERENCE = re.compile(
    r"\b(?:the (?:other|following|example|same one)|one of which|of which|in the example|as follows)\b"
    r"|^(?:of|whose|whom|than)\b|^(?:if|when) (?:omitted|unset|empty|not (?:set|specified|provided)|set|specified|present|absent)\b",
    re.IGNORECASE)
_THE_GIVEN = re.compile(r"\bthe (?:given|said|corresponding|respective|specified|selected|relevant|aforesaid|new) (\w+)", re.IGNORECASE)
# "To select by name, use the name field ...": select what? The purpose clause has no object of its own
_ELIDED_OBJECT = re.compile(r"^to [a-z]+ by\b", re.IGNORECASE)
# "Each element of the array defines ...": a part of a thing of everyday words, named before
_PART_OF_THE = re.compile(r"^(?i:each|every|any|all|the) ([a-z]+) of the ([a-z]+)\b")  # ("of the Secret": a kind, named)
# "... for that signer are selected": a demonstrative after a preposition points at a thing named before
_THAT_NOUN = re.compile(r"\b(?:for|of|to|from|with|on|by|at|about|in|under) (?:that|those) "
                        r"(?!(?:is|are|was|were|can|will|must|the|a|an|it|they)\b)([A-Za-z]+)", re.IGNORECASE)
_THEN = re.compile(r"\bthen\b", re.IGNORECASE)
_CONDITION = re.compile(r"\b(?:if|when|once|after|before|until|first)\b", re.IGNORECASE)
_LEADING_ADVERBIAL = re.compile(r"^(?:by default|optionally|currently|alternatively|by design|in general|usually|typically),\s+"
                                r"(?:(?:only|also|now|then)\s+)?", re.IGNORECASE)
META = re.compile(r"\b(?:my|our|these) (?:\w+ )?(?:notes|docs|documentation)\b|\bthis (?:lesson|page|document|section|guide|tutorial)\b"
                  r"|\bfollow (?:the )?(?:[\w-]+ ){0,3}(?:guide|tutorial|instructions)\b"
                  r"|\bplease (?:check|see|refer|read)\b|\bin the documentation\b", re.IGNORECASE)
_BACK_CLAUSE = re.compile(r"(?:if|when|once|unless|since|after|before|while|as long as)\s+(?:that|those|this|these)\s+[a-z]",
                          re.IGNORECASE)
PRONOUN_START = frozenset(
    "it its it's they them their this that these those he she also but and or so then thus hence "
    "such both which however instead otherwise similarly additionally furthermore likewise here "
    "there's see e.g. i.e. for example note nor yet alternatively moreover afterwards finally next "
    "now still again as bc because cause another other either neither concurrently consequently accordingly "
    "conversely subsequently lastly meanwhile therefore importantly notably specifically ultimately please".split()
)
# a condition without a subject of its own: "If true, the ...", "When enabled, ...", "... if assigned."
_ELLIPTIC_CONDITION = re.compile(r"\b(?:if|when|unless|once|where)\s+(?:not\s+)?(?:true|false|set|unset|\w+ed)\s*(?:[,.;]|$)",
                                 re.IGNORECASE)
# a predicate whose subject is elsewhere: "Only valid for requests obtained from ...", "Available since v2."
_PREDICATE_START = re.compile(r"^(?:only\s+|also\s+|not\s+)?(?:valid|available|supported|required|optional|ignored|applicable"
                              r"|allowed|present|relevant|deprecated|necessary|useful|true|false)\s+(?:only\s+)?"
                              r"(?:for|in|on|if|when|with|to|since|as|unless|after|before|from|by|until)\b", re.IGNORECASE)
# what a description starting with its verb goes on with: "Throws an error", "Diverges from a default"
_OBJECT_START = frozenset("a an the all any each every no its their this that these whether if true false from "
                          "undefined null one".split())
_ORDINAL_REFERENCE = re.compile(r"\bthe (?:second|third|fourth|next|previous) \w+|^the same\b(?!.*\bas\b)", re.IGNORECASE)
_CLAUSE_START = re.compile(r"(?:^|,\s)(?:the|The)\s")
_AUXILIARIES = frozenset(
    "is are was were be been being am can cannot could will would shall should must may might has have had does do "
    "did isn't aren't doesn't don't won't can't needs need".split())
_NOUN_BEFORE = frozenset("the a an of for in on with and or to from by at your its their our this that all no".split())
_IRREGULAR = frozenset("writes runs gives takes makes keeps sends holds finds gets sets puts lets becomes comes "
                       "goes shows knows grows means builds leads reads brings".split())


def standalone(sentence: str) -> bool:
    """A whole sentence that makes sense without the one before it."""
    words = sentence.split()
    if not MIN_SENTENCE_WORDS <= len(words) <= MAX_SENTENCE_WORDS or len(sentence) > MAX_SENTENCE_CHARS:
        return False
    if sentence.rstrip().endswith((":", ",", ";", "-")) or "?" in sentence or ":" in sentence or META.search(sentence):
        return False
    last = words[-1].lower().strip(".!\"')")
    if last in CUT_ENDINGS or last in _AUXILIARIES:
        return False  # "... can be invoked individually with the.": cut where code followed
    if _DANGLING.search(sentence) or _SUBJECT_PRONOUN.search(" ".join(words[:4])):
        return False  # "You have to have one, usually GitHub": one what? (the sentence before says)
    if sentence.count("(") != sentence.count(")") or sentence.count('"') % 2:
        return False  # "glibc) has a limit": a parenthesis cut by the sentence split
    if _refers_back(sentence, words) or _ORDINAL_REFERENCE.search(sentence) or _ELLIPTIC_CONDITION.search(sentence):
        return False  # "The metric is then compared ...", "the second setImmediate()", "If true, ...": which one?
    if _PREDICATE_START.match(sentence) or _listing(sentence):
        return False  # "Only valid for request obtained from ...", "Ca, cert, ciphers, crl, ...": no sentence
    if not _has_verb(words):
        return False  # "API server VM shutdown or apiserver crashing.": a fragment
    first = words[0].lower().strip(",.:;\"'")
    rest = _LEADING_ADVERBIAL.sub("", sentence).split()
    if _subjectless(first, words) or len(rest) < len(words) and rest and _subjectless(rest[0].lower().strip(",."), rest):
        return False  # "Allows setting ipMode for ...", "Start and configure additional etcd instance."
    if first in PRONOUN_START or " ".join(words[:2]).lower() in ("for example,", "for instance,", "in addition,"):
        return False
    if _BACK_CLAUSE.match(sentence):
        return False  # "If that object no longer exists, ...": which object?
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.6 * len(sentence.replace(" ", ""))


def _listing(sentence: str) -> bool:
    """A run of names between commas ("Ca, cert, ciphers, crl, dhparam, ..."): a list, not a sentence."""
    commas = sentence.count(",")
    return commas >= 4 and len(sentence.split()) <= 2 * commas + 2


def _verb_with_object(first: str, words: list[str]) -> bool:
    """ "Throws an error if ...", "Diverges from a default ...": a third-person verb, with what it
    does next, opening the sentence; its subject (a function, an option) is the heading's."""
    if len(words) < 2 or not first.endswith("s") or first.endswith("ss") or words[1].lower() not in _OBJECT_START:
        return False
    table = english_zipf()
    base = first[:-2] if first.endswith("es") and table.get(first[:-2] + "ing", 0.0) else first[:-1]
    forms = (base + "ing", base[:-1] + "ing" if base.endswith("e") else "", base + base[-1:] + "ing")
    return max(table.get(form, 0.0) for form in forms if form) >= 2.0


def _change_entry(first: str, words: list[str]) -> bool:
    """ "Fixed a bug where ...", "Added the rsync command ...": a change log's entry, a past tense
    with no subject (not "Created by the scheduler, a Pod ...", whose subject follows the comma,
    nor "Stopped containers are removed ...", an adjective before its verb)."""
    if not first.endswith("ed") or any(w.endswith(",") for w in words[:6]) \
            or any(w.lower() in _AUXILIARIES for w in words[1:4]):
        return False
    table = english_zipf()
    base = first[:-2]
    return max(table.get(base, 0.0), table.get(base + "e", 0.0), table.get(base[:-1], 0.0) if base[-1:] == base[-2:-1] else 0.0) >= 3.0


def _subjectless(first: str, words: list[str]) -> bool:
    """A description whose subject is elsewhere ("Allows ..."), or a short step of a procedure
    ("Start and configure additional etcd instance."): neither reads as a question on its own."""
    table = english_zipf()
    if not first.isalpha() or len(first) < 3:
        return False
    if _verb_with_object(first, words) or _change_entry(first, words):
        return True
    base = first[:-1]
    if first.endswith("s") and not first.endswith("ss") and table.get(base, 0.0) >= 3.5 \
            and max(table.get(base + "ed", 0.0), table.get(base + "d", 0.0) if base.endswith("e") else 0.0) >= 3.0:
        return True  # "Allows", "Contains", "Enables", "dumps": a verb with no subject
    imperative = table.get(first + "ed", 0.0) >= 3.0 or table.get(first + "d", 0.0) >= 3.0
    return imperative and len(words) < 8


def _refers_back(sentence: str, words: list[str]) -> bool:
    """A definite reference to what an earlier sentence introduced: "the given X", "the new X",
    "for that X" (unless X is named before it), "then", "the other", "If omitted, ...", a subject of everyday
    words only ("The value must ...", "The executed command prints ..."), a part of one ("Each
    element of the array ..."), or a purpose clause with no object ("To select by name, ...")."""
    if _BACK_REFERENCE.search(sentence) or _ELIDED_OBJECT.match(sentence):
        return True
    part = _PART_OF_THE.match(sentence)
    if part and all(english_zipf().get(w.lower(), 0.0) >= EVERYDAY_SUBJECT_ZIPF for w in part.groups()):
        following = sentence[part.end():].split()
        verb = following[0].lower().strip(",.") if following else ""
        if verb in _AUXILIARIES or verb in _IRREGULAR or _verb_form(verb, english_zipf()):
            return True  # "Each element of the array defines ...": which array? ("... of the cloud controller" goes on)
    for match in _THE_GIVEN.finditer(sentence):
        if match.group(1).lower() not in sentence[: match.start()].lower():
            return True
    for match in _THAT_NOUN.finditer(sentence):
        if match.group(1).lower().rstrip("s") not in sentence[: match.start()].lower():
            return True  # "... for that signer", unless the sentence named it ("A Pod ... for that Pod")
    then = _THEN.search(sentence)
    if then and not _CONDITION.search(sentence[: then.start()]):
        return True  # "The control plane then removes its finalizer": after what?
    for clause in _CLAUSE_START.finditer(sentence):
        if _everyday_subject(sentence[clause.end():].split()):
            return True
    return False


def _everyday_subject(words: list[str]) -> bool:
    """ "(The) value must ...", "(the) feature is only GA": a subject of everyday words only,
    with "the" before it, is something an earlier sentence introduced."""
    if len(words) > 1:
        table = english_zipf()
        subject = []
        for word in words[:3]:
            lower = word.lower().strip(",.")
            if lower in _AUXILIARIES or lower in _IRREGULAR or lower.endswith(("s", "ed")) and _verb_form(lower, table):
                break  # ("pod" is no past tense of "po")
            subject.append(lower)
        else:
            return False
        if subject and all(w.isalpha() and len(w) >= 3 and table.get(w, 0.0) >= EVERYDAY_SUBJECT_ZIPF for w in subject):
            return True
    return False


def _has_verb(words: list[str]) -> bool:
    """A clause has a verb: an auxiliary, a verb-looking "-s"/"-ed" word that does not follow an
    article or preposition, or an imperative first word ("Set", "Use")."""
    lower = [w.lower().strip(",.;:!()\"'") for w in words]
    if any(w in _AUXILIARIES for w in lower):
        return True
    table = english_zipf()
    first = lower[0]
    if first.isalpha() and (table.get(first + "ed", 0.0) >= 2.5 or table.get(first + "d", 0.0) >= 2.5):
        return True
    for previous, word in zip(lower, lower[1:]):
        if previous in _NOUN_BEFORE or not word.isalpha() or len(word) < 4:
            continue
        if word in _IRREGULAR or _verb_form(word, table):
            return True
    return False


def _verb_form(word: str, table: dict[str, float]) -> bool:
    """A third-person or past form whose past tense is about as common as the word itself:
    "deploys", "configures", "crashed" are verbs; "services", "permissions" are nouns."""
    for suffix in ("es", "s", "ed", "d"):
        if not word.endswith(suffix) or word.endswith("ss"):
            continue
        base = word[: -len(suffix)]
        past = max(table.get(base + "ed", 0.0), table.get(base + "d", 0.0))
        if table.get(base, 0.0) >= 3.5 and past >= 2.5 and past >= table.get(word, 0.0) - 0.5:
            return True
    return False
