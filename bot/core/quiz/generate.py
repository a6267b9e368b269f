"""Questions generated from one indexed passage, with no language model.

Two kinds, both with four choices:

* cloze: a sentence of the passage with its most salient key term blanked (`____`);
* definition: from the notes' own "X is Y", "X - Y", "X: Y", "X means Y": "Which of these is Y?"
  (choices: terms) when X is one key term, else "What is X?" (choices: descriptions).

A candidate is kept only if it passes every check, cheapest first: the sentence stands alone
(see `terms`), the answer is a salient term of the notes and appears in the passage, it is not
visible in the question (nor a synonym of it), the bot's own search asked the question ranks the
passage in its top 3 (a question the notes cannot answer is no question), and three distractors
of the answer's kind are found. Distractors come from the passages that search returns for the
question — the same field, so plausible — and must differ from the answer and from each other
after normalisation, not be synonyms of the answer, and not appear in the question.

Everything is a function of the index, the passage and the seed: the same notes give the same
questions, and the choices are shuffled by a generator seeded with the question's id.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.core.quiz.questions import BLANK, Question, question_id_for
from bot.core.quiz.sentences import META
from bot.core.quiz.terms import (
    Definition,
    PassageTerms,
    Sentence,
    Term,
    TOKEN,
    term_of,
    analyse_passage,
    english,
    is_release_version,
    units as _units,
    normalise,
    prose_word,
)
from bot.core.search.answering import SearchEngine
from bot.core.search.analysis import english_stopwords
from bot.core.search.documents import Document
from bot.core.search.english_frequency import english_zipf
from bot.core.search.synonyms import SynonymTable

CHOICES = 4
SMALL_CORPUS = 50  # passages
_COMPATIBLE = {(a, b) for group in (("capital", "lower"), ("joined", "lower"))
               for a in group for b in group}  # shapes a product name may take
EVERYDAY_ZIPF = 3.0
SUBJECT_MIN_NOTES = 9  # with fewer notes, a term in a third of them may well be one topic's
RARE_ZIPF = 2.5  # an English word rarer than this is vocabulary ("observability"), not everyday
_SOFTWARE_WORDS = ("store storage runtime daemon server service node cluster container image registry database "
                   "engine driver plugin tool command cli api network proxy scheduler controller manager system "
                   "platform kernel disk file secret config version install deploy source code repository git "
                   "virtualization virtual machine os linux windows package library framework")  # an English word at least this common is an everyday word, even capitalised
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}|<[^>]*>")
_NOT_NOUN = ("ing", "ed", "ly", "ive", "al", "ous", "ful", "able", "ible", "ic")
_FIRST_WORD = re.compile(r"(?:^|[.!?:]\s+|\n)\s*(?:[-*+]\s+|\d+[.)]\s+|#+\s+)?([A-Z][a-z]+)\b")
MAX_CHOICE_WORDS = 16
_NOUN_ENDINGS = ("ity", "tion", "sion", "ment", "ness", "ance", "ence", "ism")
USAGE_PASSAGES = 40  # passages read to learn how the notes use a term
MIN_USAGE_SIMILARITY = 0.06  # a distractor used less like the answer than this is of another kind
MIN_FRAME_PASSAGES = 5  # a slot's word in fewer passages says little about what fits it
NEIGHBOUR_PASSAGES = 12  # passages naming the answer whose terms may be distractors
STATED_WINDOW = 12
TELLING_WORDS = 3  # the question's rarest words, which another passage must say of a distractor
GENERIC_HEAD_ZIPF = 5.5  # a noun this common ("name", "way") follows any term: no compound telling a kind
_DETERMINERS = frozenset("the a an their its your our his her own my each every any this that".split())
_ITEM = r"(?:the\s+)?[A-Za-z0-9][\w.+/-]*[A-Za-z0-9]"
_LIST_JOIN = r"(?:,\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+)"
_ENUMERATION = re.compile(rf"(?<![\w.-]){_ITEM}(?:{_LIST_JOIN}{_ITEM})+")  # "Deployments, StatefulSets and DaemonSets"
TECHNICAL_ZIPF = 2.5  # a word of the question rarer than this in English is an identifier or jargon ("kubeconfig")
_SUBJECT_VERBS = frozenset("is are was were will would can could does do did should may might must has have".split())
MIN_TOPIC_SIMILARITY = 0.18  # a tool or component whose passages speak of other things than the answer's is of another kind
_DATED = re.compile(r"\b(?:soon|recently|upcoming|at the time of writing|next (?:minor )?release|this release)\b", re.IGNORECASE)
EVERYDAY_QUESTION_ZIPF = 4.4  # a question whose every word is at least this common in English names nothing of its own
HEADS = 3  # the nouns most often after an acronym ("CNI plugin"), one of which a distractor must share
TOPIC_KINDS = ("lower", "joined")  # shapes of programs and components ("minikube", "kube-proxy"): usage alone does not tell their kind
# generic operations on an object: "delete the ____" is an instance (the example's), and what follows holds of any kind
_INSTANCE_VERBS = frozenset("delete deleting deleted remove removing edit editing modify modifying update updating patch "
                            "patching describe describing inspect inspecting get getting scale scaling".split())
_REFERRING = re.compile(r"(?:this|that|these|those|it|they)\b", re.IGNORECASE)  # words either side of a distractor where the question's words make it right too


@dataclass(frozen=True)
class GenerationParams:
    """How many questions to try and keep per passage, and the seed of every random choice."""

    seed: int = 0
    max_per_passage: int = 8  # questions kept from one passage
    max_checks_per_passage: int = 12  # searches spent on one passage's candidates
    per_sentence: int = 2  # questions kept from one sentence: two terms blanked, or one definition asked both ways
    top_k: int = 3  # the source passage must rank this high for the question
    related: int = 8  # passages searched for distractors
    min_salience: float = 0.35  # 0..1: a blanked term at least this key to its passage


@dataclass(frozen=True)
class _Candidate:
    kind: str
    prompt: str
    answer: str
    answer_kind: str  # a TermKind, or "meaning" for a description
    salience: float
    sentence: str
    definition: Definition | None = None
    slot: tuple[str, str] = ("", "")  # the words just before and after the blank, lower case


class QuestionGenerator:
    """Makes questions from the passages of one search engine (one version of the index)."""

    def __init__(self, engine: SearchEngine, synonyms: SynonymTable, params: GenerationParams | None = None) -> None:
        self.engine = engine
        self.index = engine.index
        self.analyzer = engine.analyzer
        self.synonyms = synonyms
        self.params = params or GenerationParams()
        self._passages: dict[str, PassageTerms] = {}
        self._tokens: dict[int, list[Term]] = {}
        self._words: dict[int, list[str]] = {}
        self._usage: dict[str, Counter[str]] = {}
        self._weights: dict[str, float] = {}
        self._writing: dict[str, tuple[int, int, int]] = {}
        self._keyed: dict[int, dict[str, Term]] = {}
        self._defined_terms: set[str] | None = None
        self._note_positions: dict[str, list[int]] | None = None
        self._versioned: dict[int, bool] = {}
        self._sibling_cache: dict[tuple[str, str], bool] = {}
        self._topics: dict[str, dict[int, float]] = {}
        n = len(self.index.documents)
        self._position = {d.chunk.chunk_id: i for i, d in enumerate(self.index.documents)}
        self._max_idf = max(float(self.index.idf.max()), 1e-9) if n else 1.0
        # a term in half the passages (a tenth of a large corpus) is what the notes are about, not a key to one passage
        self._max_df = max(2, n // 2) if n < 100 else n // 10
        self._note_count = len(np.unique(engine.names.note_of))
        self._subjects: dict[int, bool] = {}

    def passage_terms(self, doc: Document) -> PassageTerms:
        found = self._passages.get(doc.chunk.chunk_id)
        if found is None:
            found = self._passages[doc.chunk.chunk_id] = analyse_passage(doc.chunk.text)
        return found

    def generate(self, doc: Document) -> list[Question]:
        """The questions of one passage that pass every check, best first."""
        if _HISTORY_NOTE.fullmatch(doc.chunk.source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lstrip("0123456789-_")):
            return []
        passage = self.passage_terms(doc)
        candidates = sorted(self._candidates(passage), key=lambda c: -c.salience)
        questions: list[Question] = []
        asked: dict[tuple[str, str], int] = {}  # questions kept per sentence (and defined term)
        checks = 0
        versions = 0 if self._first_with_versions(doc) else 1  # a release version: once per note
        for candidate in candidates:
            if len(questions) >= self.params.max_per_passage or checks >= self.params.max_checks_per_passage:
                break
            version = _is_version(candidate)
            if version and versions >= 1:
                continue
            key = (candidate.sentence, candidate.definition.term if candidate.definition else "")
            if asked.get(key, 0) >= self.params.per_sentence:
                continue  # a sentence at most twice: two terms blanked, or a definition asked both ways
            checks += 1
            question = self._finish(candidate, doc)
            if question is not None:
                questions.append(question)
                asked[key] = asked.get(key, 0) + 1
                versions += version
        return questions

    def _first_with_versions(self, doc: Document) -> bool:
        """No earlier passage of the note names a release version in a sentence: only the first
        such passage of a note may ask one ("no longer served as of ____" twenty times in the
        deprecation guide would make the quiz a list of release numbers). Decided from the note's
        text alone, so every process filling the pool keeps the same questions."""
        if self._note_positions is None:
            self._note_positions = {}
            for position, other in enumerate(self.index.documents):
                self._note_positions.setdefault(other.chunk.source, []).append(position)
        mine = self._position.get(doc.chunk.chunk_id)
        for position in self._note_positions.get(doc.chunk.source, []):
            if mine is None or position >= mine:
                break
            if self._names_a_version(position):
                return False
        return True

    def _names_a_version(self, position: int) -> bool:
        found = self._versioned.get(position)
        if found is None:
            sentences = self.passage_terms(self.index.documents[position]).sentences
            found = self._versioned[position] = any(t.shape == "version" for s in sentences for t, _ in s.terms)
        return found

    # candidates ---------------------------------------------------------------------------

    def _candidates(self, passage: PassageTerms) -> Iterable[_Candidate]:
        defined = {normalise(d.sentence): normalise(d.term) for d in passage.definitions}
        for definition in passage.definitions:
            yield from self._definition(definition)
        for sentence in passage.sentences:
            term = defined.get(normalise(sentence.text))
            for candidate in self._clozes(sentence):
                if term is None or normalise(candidate.answer) != term:
                    yield candidate  # a defined term is asked by its definition, the sentence's other terms blanked

    def _clozes(self, sentence: Sentence) -> list[_Candidate]:
        """Up to two candidates per sentence, its most salient terms blanked (both may be kept)."""
        if len(TOKEN.findall(sentence.text)) < 6:
            return []
        keys = [t.key for t, _ in sentence.terms]
        found: list[tuple[float, Term, tuple[int, int]]] = []
        for term, span in sentence.terms:
            if term.shape == "capital" and (span[0] == 0 or english(term.text) >= EVERYDAY_ZIPF):
                continue  # "Kubeadm" opening a sentence, "Routes": whether it is a name is unclear
            if term.shape == "lower" and term.key.endswith(("ed", "ing", "s", "able", "ible", "ion")):
                continue  # "preempted", "pluggable": a word of prose more than a name
            if term.shape == "lower" and self._count(term) < 2 and not set(self._stems(sentence.text)) & _SOFTWARE_STEMS:
                continue  # "the DevOps kumbaya moment": a word seen once, in no sentence about software
            if term.kind == "word" or keys.count(term.key) > 1 or self._adjacent_name(sentence.text, span):
                continue  # an everyday word blanked is guessed from grammar; its distractors would not fit
            if not _free_standing(sentence.text, span) or _in_parentheses(sentence.text, span):
                continue
            if _in_enumeration(sentence.text, span):
                continue  # "GCE, AWS, ____ and OpenStack": which member was left out is no fact to learn
            salience = self.salience(term)
            if salience >= self.params.min_salience:
                found.append((salience, term, span))
        found.sort(key=lambda f: -f[0])
        candidates = []
        for salience, term, (start, end) in found[:2]:
            before = sentence.text[:start]
            before = re.sub(r"\b([Aa])n?\s+$", lambda m: f"{m.group(1)}(n) ", before)  # "an ____" gives it away
            prompt = _sentence_case(before + BLANK + sentence.text[end:])
            candidate = _Candidate("cloze", prompt, term.text, term.kind, salience, sentence.text,
                                   slot=_slot(sentence.text, (start, end)))
            if len(self.index.documents) > SMALL_CORPUS and self._vague_subject(candidate):
                continue  # "While in beta, ____ is still disabled by default": which of many?
            if _is_version(candidate) and _DATED.search(candidate.prompt):
                continue  # "... and the ____ will run out of support soon": true when written, not now
            if _everyday_only(candidate.prompt):
                continue  # "The maximum value that you can set for ____ is 1800": set for what? said before
            if _instance_of_kind(candidate, term):
                continue  # "If you try to delete the ____, it enters a Terminating status": any object does
            candidates.append(candidate)
        return candidates

    def _definition(self, definition: Definition) -> list[_Candidate]:
        """"Which of these is Y?" (choices: terms) and "What is X?" (choices: descriptions) when X
        is one key term: two questions, and the second still asks the fact when X's kind has no
        three distractors (a web address among few others); only "What is X?" otherwise, and when
        Y spells X out ("OCI": "Open container initiative")."""
        words = definition.term.split()
        meaning = definition.meaning
        if len(meaning.split()) > MAX_CHOICE_WORDS:
            return []
        if _RELEASE.search(meaning) or _NO_DESCRIPTION.match(meaning):
            return []  # "containerd - Support was added in v2.0.0", "X: Now stable on Redox": not what X is
        what_is = f"What is {_article(definition.term, meaning)}{definition.term}?"
        if len(words) == 1:
            term = term_of(words[0], False, False)
            if term is None or term.kind == "word" and english(term.text) >= RARE_ZIPF:
                return []  # a rare word defined ("observability: app health ...") is a concept worth asking
            salience = self.salience(term if term.kind != "word" else Term(term.text, "name", term.key))
            if salience < self.params.min_salience:
                return []
            ask_what = _Candidate("definition", what_is, meaning, "meaning", salience + 0.19, definition.sentence,
                                  definition)
            if _spells(definition, meaning):
                return [ask_what]  # "Which of these is the Open Container Initiative?" spells the answer out
            return [_Candidate("definition", _which_is(meaning), term.text, term.kind, salience + 0.2,
                               definition.sentence, definition), ask_what]
        salience = max((self.salience(t) for w in words if (t := term_of(w, False, False)) is not None), default=0.0)
        if salience < self.params.min_salience / 2:
            return []
        return [_Candidate("definition", what_is, meaning, "meaning", salience + 0.1, definition.sentence, definition)]

    def salience(self, term: Term) -> float:
        """How key a term is to the notes (0..1): specific to them, not everyday English, not in
        every passage. Zero for filler."""
        words = self.analyzer.words(term.text)
        if not words:
            return 0.0
        stem = self.analyzer.stem(words[0])
        term_id = self.index.term(stem)
        if term_id is None:
            return 0.0
        df = int(self.index.df[term_id])
        if df > self._max_df or self._subject_of_the_notes(term_id):
            return 0.0
        idf = float(self.index.idf[term_id]) / self._max_idf
        if term.kind == "word":
            # an everyday word is a key term only where it is the notes' vocabulary: rare in
            # English, in more than one passage, a noun rather than a verb or adverb
            if (english(term.text) > 4.0 or df < 2 or term.key.endswith(_NOT_NOUN)
                    or self.index.specificity(term_id, words[0]) < 1.0):
                return 0.0
            return 0.3 + 0.4 * idf
        if term.kind == "name" and term.shape == "capital" and english(term.text) > 0 \
                and self.index.specificity(term_id, words[0]) < 1.0:
            return 0.0  # "Overhead", "Configuration": an everyday word with a capital
        bonus = {"acronym": 0.6, "name": 0.6, "number": 0.45}[term.kind]
        return bonus + 0.4 * idf

    def _subject_of_the_notes(self, term_id: int) -> bool:
        """Named in a third of the notes or more ("Kubernetes", "JavaScript" in the Node.js docs):
        what the notes are about, guessed by anyone who reads them, not the key to one passage.
        Counted in notes, not passages: such a term is in few passages of each long note."""
        notes = self._note_count
        if notes < SUBJECT_MIN_NOTES:
            return False
        found = self._subjects.get(term_id)
        if found is None:
            named_in = len(np.unique(self.engine.names.note_of[self.index.chunks_with(term_id)]))
            found = self._subjects[term_id] = named_in * 3 >= notes
        return found

    @staticmethod
    def _adjacent_name(text: str, span: tuple[int, int]) -> bool:
        """Part of a multi-word name ("Open Source"): blanking half of it makes a fragment."""
        before = text[: span[0]].rstrip().rsplit(" ", 1)[-1]
        after = text[span[1]:].lstrip().split(" ", 1)[0]
        inside = text[span[0]:span[1]]
        if not inside[0].isupper():
            return False
        capital = lambda w: len(w) > 1 and w[0].isupper() and w.replace("-", "").isalnum()  # noqa: E731
        return capital(before) or capital(after)

    # checks and choices -------------------------------------------------------------------

    def _finish(self, candidate: _Candidate, doc: Document) -> Question | None:
        if not _in_passage(candidate.answer, doc.chunk.text):
            return None
        if _everyday_typo(candidate.answer.lower()):
            return None  # "Althought": a typo of an everyday word, not a term worth asking
        if _spelt_out(candidate.answer, candidate.prompt):
            return None  # "Mirantis Container Runtime ... included with ____" (MCR): the question spells it
        if self._visible(candidate.answer, candidate.prompt) and not (
                _spells(candidate.definition, candidate.answer) and candidate.answer_kind == "meaning"):
            return None  # (what an acronym stands for is a synonym of it, and is what is asked)
        answer = self.engine.search(candidate.prompt, k=max(self.params.top_k, self.params.related))
        ranked = [p.chunk_id for p in answer.passages]
        if doc.chunk.chunk_id not in ranked[: self.params.top_k]:
            return None
        related = [self.index.documents[i] for i in self._positions(ranked)]
        if len(self.index.documents) <= SMALL_CORPUS:  # few notes: every passage is "related"
            related += [d for d in self.index.documents if d.chunk.chunk_id not in ranked]
        if candidate.answer_kind == "meaning":
            distractors = self._meaning_distractors(candidate, related)
        else:
            distractors = self._term_distractors(candidate, related)
        if len(distractors) < CHOICES - 1:
            return None
        if candidate.definition is not None and self._named_in_answer_only(candidate, distractors[: CHOICES - 1]):
            return None
        qid = question_id_for(candidate.kind, candidate.prompt, candidate.answer, doc.chunk.chunk_id)
        rng = random.Random(f"{self.params.seed}:{qid}")
        choices = [candidate.answer, *distractors[: CHOICES - 1]]
        rng.shuffle(choices)
        chunk = doc.chunk
        return Question(
            id=qid, kind=candidate.kind, prompt=candidate.prompt,  # type: ignore[arg-type]
            choices=tuple(choices), answer_index=choices.index(candidate.answer), answer=candidate.answer,
            source=chunk.source, heading=chunk.heading, start_line=chunk.start_line, end_line=chunk.end_line,
            chunk_id=chunk.chunk_id, accepted=tuple(self.corrections(candidate.answer)),
            explanation=candidate.sentence if candidate.kind == "cloze" else None,
            quality=round(min(candidate.salience, 1.0) * 0.99, 4),
        )

    def _positions(self, chunk_ids: Sequence[str]) -> list[int]:
        return [self._position[c] for c in chunk_ids if c in self._position]

    def _term_distractors(self, candidate: _Candidate, related: Sequence[Document]) -> list[str]:
        answer = Term(candidate.answer, candidate.answer_kind, candidate.answer.lower())  # type: ignore[arg-type]
        seen = {normalise(candidate.answer).rstrip("s")}
        pool: list[tuple[float, str]] = []
        prompt_stems = self._stems(candidate.prompt)
        answer_stems = self._stems(answer.text)
        answer_usage = self.usage(answer.text)
        answer_plural = self._plural(answer)
        large = len(self.index.documents) > SMALL_CORPUS  # few notes say too little of how a term is used
        frame = [f for f in _frame(candidate.slot) if large and len(self._passages_with(f[3:])) >= MIN_FRAME_PASSAGES]
        sources = [(rank, doc, self._doc_terms(doc)) for rank, doc in enumerate(related)]
        sources += [(len(related), None, self._slot_fillers(frame))] if frame else []
        # then terms of other passages that name the answer: the same topic, named beside it
        sources += [(len(related) + 1, self.index.documents[p], self._doc_terms(self.index.documents[p]))
                    for p in (self._passages_with(answer.text)[:NEIGHBOUR_PASSAGES] if large else [])]
        head = _compound_head(candidate) if not large else None
        if not large and answer.kind == "acronym" and candidate.kind == "cloze" and not candidate.slot[0] \
                and normalise(answer.text) not in self._defined():
            # "____ manages the k8s nodes": the acronym opens the sentence, and few notes that never
            # say what it is (AWS: a provider) cannot pick others of its kind (PVC, GPFS are storage)
            return []
        kept = 0
        for rank, doc, terms in sources:
            if kept >= 3 * CHOICES:
                break  # enough from the closest passages
            for term in terms:
                if term.kind != answer.kind or term.plural != answer.plural:
                    continue
                key = normalise(term.text).rstrip("s")  # "Deployment" and "Deployments" are one choice
                if not key or key in seen or not _similar_length(term.text, answer.text):
                    continue
                if large and self._plural(term) != answer_plural:
                    continue  # "ReplicaSets" among singulars stands out
                seen.add(key)
                if not self._plausible(term, answer, doc, candidate, answer_stems, prompt_stems):
                    continue
                usage = self.usage(term.text)
                fits = sum(1 for f in frame if usage[f])
                similarity = _similarity(answer_usage, usage, self._weight)
                if large and (frame and not fits or not self._used_alike(answer_usage, usage)):
                    continue  # "____ address" is an IP's slot, not CHOWN's; "yaml" is never used as "the kubelet" is
                if large and term.shape == "joined" and self._flag(term) != self._flag(answer):
                    continue  # "max-requests-inflight" (a flag) among components
                if large and candidate.kind == "definition" and answer.kind == "acronym" \
                        and not self._shares_head(answer.text, term.text):
                    continue  # "SRV", "AAAA" (kinds of records) for "DNS" (a server, queries): acronyms of another class
                if large and answer.shape in TOPIC_KINDS and self._topic_similarity(answer.text, term.text) < MIN_TOPIC_SIMILARITY:
                    continue  # "redis-cli" for a local-cluster tool, "baseurl" (a repo key) among components
                if large and term.shape in ("Camel", "capital") and self._countable(term) != self._countable(answer):
                    continue  # "OrderedReady" (a value) among "StatefulSet", "DaemonSet" (kinds, "StatefulSets")  # "____ address" is an IP's slot, not CHOWN's; "yaml" is never used as "the kubelet" is
                if head and not self.usage(term.text)["R1:" + head]:
                    continue  # "their own ____ address": only what the notes write before "address" fits
                if candidate.kind == "cloze" and self._stated_alike(term, candidate, related):
                    continue  # the notes say the same of it: a second right answer
                if large and candidate.kind == "cloze" and not _is_version(candidate) \
                        and self._sibling_stated(term, candidate):
                    continue  # "StatefulSet" for "labels must match spec.selector": a sibling the notes say it of
                kept += 1
                shape = 0 if term.shape == answer.shape else 10
                # close passages first; among them, the terms used most like the answer, and the better known
                pool.append((shape + 0.1 * rank - 20 * similarity - fits - 0.2 * math.log1p(self._df(term)), term.text))
        return self._pick(pool, candidate)

    def _defined(self) -> set[str]:
        """The terms the notes define ("PVC is ...", "OCI open container initiative"), normalised."""
        if self._defined_terms is None:
            self._defined_terms = {normalise(d.term) for doc in self.index.documents
                                   for d in self.passage_terms(doc).definitions}
        return self._defined_terms

    def _named_in_answer_only(self, candidate: _Candidate, distractors: Sequence[str]) -> bool:
        """A part of the defined term shows in the right pairing only: "What is EBSLimits?" with
        "Checks that AWS EBS volume limits ..." among descriptions that name neither EBS nor limits
        (or "Which of these is ...?" where only the answer's name echoes the description)."""
        definition = candidate.definition
        assert definition is not None
        parts = {stem for word in _words_of(definition.term) for stem in self._stems(word)
                 if len(stem) >= 3 and word.lower() not in english_stopwords()}
        if candidate.answer_kind == "meaning":  # "What is X?": the choices are descriptions
            echoes = lambda choice: bool(parts & set(self._stems(choice)))  # noqa: E731
        else:  # "Which of these is Y?": the choices are names, Y is the description
            described = set(self._stems(definition.meaning))
            echoes = lambda choice: bool(described & {  # noqa: E731
                stem for word in _words_of(choice) for stem in self._stems(word) if len(stem) >= 3})
        return echoes(candidate.answer) and not all(echoes(d) for d in distractors)

    def _plausible(self, term: Term, answer: Term, doc: Document | None, candidate: _Candidate,
                   answer_stems: tuple[str, ...], prompt_stems: tuple[str, ...]) -> bool:
        """A term of the answer's shape that the notes treat as a key term, neither the answer
        nor a part of it, and not shown in the question."""
        stems = self._stems(term.text)
        if self._same_stems(stems, answer_stems) or self._visible_stems(stems, prompt_stems):
            return False
        if term.kind == "word" and self.salience(term) <= 0.0:
            return False
        if answer.kind == "word" and answer.key.endswith(_NOUN_ENDINGS) and not term.key.endswith(_NOUN_ENDINGS):
            return False  # "distribute" (a verb) among "observability", "virtualization", "deployment"
        if term.shape == "capital" and english(term.text) >= EVERYDAY_ZIPF:
            return False  # "Install", "Defines": an everyday word with a capital is no name
        if term.shape == "capital" and len(self.index.documents) > SMALL_CORPUS and self._capitalised_word(term):
            return False  # "Kubeadm" beside "kubelet": the same word twice, or an odd one out
        if term.shape in ("lower", "capital") and (self.corrections(term.text) or _everyday_typo(term.key)):
            return False  # a misspelt word ("Althought") among the choices stands out
        term_id = self._term_id(term.text)
        df = 0 if term_id is None else int(self.index.df[term_id])
        if df > self._max_df or self._synonym_too_common(stems) or term_id is not None and self._subject_of_the_notes(term_id):
            return False  # what the notes are about ("Kubernetes", or "kubernets" where they say "k8s") is no plausible wrong answer
        if len(self.index.documents) > SMALL_CORPUS and (df < 3 or "/" in term.text and term.shape != "dotted"):
            return False  # in a large corpus, a term is named more than twice; a one-off ("FeatureName") or a path is no key term
        if term.shape == "lower" and self._count(term) < 2 and (
                answer.shape != "lower" or doc is None or not self._technical_context(term, doc)):
            return False  # a lower-case word seen once ("kumbaya") is no plausible product
        if term.shape != answer.shape and (term.shape, answer.shape) not in _COMPATIBLE:
            return False  # a web address among names, a field among kinds: the odd one out stands out
        key = normalise(term.text).rstrip("s")
        if key in normalise(answer.text) or normalise(answer.text).rstrip("s") in key:
            return False  # "HTTPRoute" for "Routes": a kind of the answer may be right too
        if term.shape == "lower" and term.key.endswith(("ed", "ing", "es", "ly")):
            return False  # "enumerates", "deterministically": prose, not a name
        if set(_parts(term.text)) & set(_parts(answer.text)):
            return False  # "multipoint-scheduler" for "kube-scheduler": shares half the answer
        if candidate.kind == "definition" and doc is not None and self._described_alike(term, candidate.prompt, doc):
            return False  # "VMWare" for "a virtualization of physical devices": the notes call it a virtualization engine
        return True

    # how the notes use a term: its slot ---------------------------------------------------

    def _chunk_words(self, position: int) -> list[str]:
        words = self._words.get(position)
        if words is None:
            # prose only: in code and tables every token stands beside every other ("kubeadm init --rootfs")
            prose = " ".join(_units(self.index.documents[position].chunk.text))
            text = _SHORTCODE.sub(" ", _LINK_TARGET.sub("", prose))
            words = self._words[position] = [w.rstrip(".").lower() for w in TOKEN.findall(text)]
        return words

    def _passages_with(self, text: str) -> list[int]:
        """Positions of up to USAGE_PASSAGES passages with the word, spread over the notes."""
        words = self.analyzer.words(text)
        term_id = self.index.term(self.analyzer.stem(words[0])) if words else None
        if term_id is None:
            return []
        positions = self.index.chunks_with(term_id)
        step = max(1, len(positions) // USAGE_PASSAGES)
        return positions[::step][:USAGE_PASSAGES].tolist()

    def usage(self, text: str) -> Counter[str]:
        """The words up to two before ("L1:the") and after ("R1:address") the term where the
        notes use it: terms used alike are of one fine-grained kind (components are "the
        kubelet", "the apiserver"; formats "yaml file"; an IP has an "address")."""
        key = text.lower()
        found = self._usage.get(key)
        if found is None:
            found = Counter()
            for position in self._passages_with(text):
                words = self._chunk_words(position)
                for i, word in enumerate(words):
                    if word != key:
                        continue
                    for distance in (1, 2):
                        if i >= distance:
                            found[f"L{distance}:{words[i - distance]}"] += 1
                        if i + distance < len(words):
                            found[f"R{distance}:{words[i + distance]}"] += 1
            self._usage[key] = found
        return found

    def _slot_fillers(self, frame: Sequence[str]) -> list[Term]:
        """Terms the notes put in the blank's slot ("MAC" before "address")."""
        found: dict[str, Term] = {}
        for feature in frame:
            side, word = feature[0], feature.split(":", 1)[1]
            for position in self._passages_with(word):
                words = self._chunk_words(position)
                for i, other in enumerate(words):
                    if other != word:
                        continue
                    j = i - 1 if side == "R" else i + 1
                    if 0 <= j < len(words) and words[j] not in found:
                        term = self._term_as_written(words[j], position)
                        if term is not None:
                            found[words[j]] = term
        return sorted(found.values(), key=lambda t: t.text)

    def _term_as_written(self, lower: str, position: int) -> Term | None:
        keyed = self._keyed.get(position)
        if keyed is None:
            keyed = self._keyed[position] = {}
            for term in self._doc_terms(self.index.documents[position]):
                keyed.setdefault(term.key, term)  # the first as written, as the passage's terms are sorted
        return keyed.get(lower)

    def _stated_alike(self, term: Term, candidate: _Candidate, related: Sequence[Document]) -> bool:
        """Another passage says of the term what the question says of the answer: near the term,
        two of the question's less common words ("kube-proxy ... iptables rules" for "The ____
        configures iptables rules to handle masquerading"). Read: the passages the question's
        search found, and those naming both the term and one of the question's rarest words."""
        words = self._telling_words(candidate)
        if not words:
            return False
        needed = min(2, len(words))
        key = term.text.lower()
        positions = {p for p in (self._position.get(d.chunk.chunk_id) for d in related) if p is not None}
        positions.update(self._passages_with_both(term.text, words))
        for position in positions:
            tokens = self._chunk_words(position)
            for i, word in enumerate(tokens):
                if word == key and len(words & set(tokens[max(0, i - STATED_WINDOW): i + STATED_WINDOW + 1])) >= needed:
                    return True
        return False

    def _siblings(self, answer: str, term: str) -> bool:
        """The notes enumerate the two together ("Deployments, StatefulSets and DaemonSets",
        "kubeadm, kubelet and kubectl"): members of one list share most properties, so a sibling
        may be a second right answer to a statement of the answer ("labels must match
        spec.selector" holds of StatefulSets too). Read: passages naming both."""
        key = (answer.lower(), term.lower())
        found = self._sibling_cache.get(key)
        if found is None:
            found = False
            a, b = self._term_id(answer), self._term_id(term)
            if a is not None and b is not None:
                both = np.intersect1d(self.index.chunks_with(a), self.index.chunks_with(b), assume_unique=True)
                wanted = [re.compile(rf"(?:the\s+)?{re.escape(t.lower())}(?:e?s)?") for t in key]
                found = any(_enumerated_together(unit, wanted) for position in both[:USAGE_PASSAGES].tolist()
                            for unit in _units(self.index.documents[position].chunk.text))
            self._sibling_cache[key] = found
        return found

    def _sibling_stated(self, term: Term, candidate: _Candidate) -> bool:
        """A sibling of the answer (the notes enumerate the two together) that the notes name
        beside one of the question's technical words (`spec.selector`, `CSRs`, `kubeconfig`):
        siblings share most properties, so one shared identifier is enough to make it right too
        ("StatefulSet" for "In the ____, labels must match spec.selector"; "kubelet" for "____ can
        also produce certificate signing requests (CSRs)"). Words beside the blank ("a(n) ____
        plugin") say what kind fits, not what it does, and do not count."""
        words = self._technical_words(candidate)
        if not words or not self._siblings(candidate.answer, term.text):
            return False
        key = term.text.lower()
        for position in self._passages_with_both(term.text, words):
            tokens = self._chunk_words(position)
            for i, word in enumerate(tokens):
                if word == key and words & set(tokens[max(0, i - STATED_WINDOW): i + STATED_WINDOW + 1]):
                    return True
        return False

    def _vague_subject(self, candidate: _Candidate) -> bool:
        """The blank is the subject of a verb ("____ is", "and ____ will", "A(n) ____ will" opening
        the sentence, not "the data in the ____ is") and the question names no
        identifier or jargon: what it says ("is still disabled by default", "will try to default
        them") holds of many things of the answer's kind, so it does not say which is meant."""
        if candidate.kind != "cloze" or candidate.slot[1] not in _SUBJECT_VERBS:
            return False
        opening = re.match(rf"(?:A\(n\)|An?|The) {re.escape(BLANK)}", candidate.prompt) is not None
        return (candidate.slot[0] in ("", "and", "but", "or") or opening) and not self._technical_words(candidate)

    def _technical_words(self, candidate: _Candidate) -> set[str]:
        """The question's identifiers and jargon: not English (`spec.selector`, `kubeconfig`,
        `csrs`), not a number or version, not what the notes are about ("kubernetes"), not the
        answer nor the words beside the blank."""
        skipped = {candidate.answer.lower(), *candidate.slot}
        found = set()
        for word in {x.lower().rstrip(".") for x in TOKEN.findall(candidate.prompt)}:
            if word in skipped or word in english_stopwords() or english(word) >= TECHNICAL_ZIPF \
                    or re.fullmatch(r"v?[\d.]+", word) or _prose_hyphenated(word):
                continue  # ("long-lived", "pre-provisioned" are prose: they pin nothing down)
            term_id = self._term_id(word)
            if term_id is not None and int(self.index.df[term_id]) <= self._max_df:
                found.add(word)
        return found

    def _telling_words(self, candidate: _Candidate) -> set[str]:
        """The question's three rarest words in the notes (not the answer, not stop words)."""
        words = {w for w in (x.lower() for x in TOKEN.findall(candidate.prompt))
                 if w not in english_stopwords() and w.isalpha() and english(w) < 5.0 and w != candidate.answer.lower()}
        ranked = sorted(words, key=lambda w: (-self._weight("W:" + w), w))
        return set(ranked[:TELLING_WORDS])

    def _passages_with_both(self, text: str, words: set[str]) -> list[int]:
        """Up to USAGE_PASSAGES passages naming the term and one of `words`."""
        ids = [self._term_id(w) for w in words]
        rare = [i for i in ids if i is not None]
        own = self._term_id(text)
        if own is None or not rare:
            return []
        mine = self.index.chunks_with(own)
        found: list[int] = []
        for other in rare:
            found.extend(np.intersect1d(mine, self.index.chunks_with(other), assume_unique=True)[:USAGE_PASSAGES].tolist())
        return found

    def _term_id(self, text: str) -> int | None:
        words = self.analyzer.words(text)
        return self.index.term(self.analyzer.stem(words[0])) if words else None

    def _weight(self, feature: str) -> float:
        """How telling a neighbour is: its IDF in the notes ("the", "kubernetes" little)."""
        found = self._weights.get(feature)
        if found is None:
            word = feature.split(":", 1)[1]
            term_id = None if word in english_stopwords() else self.index.term(self.analyzer.stem(word))
            found = self._weights[feature] = max(0.1, float(self.index.idf[term_id]) / self._max_idf) \
                if term_id is not None else 0.1
        return found

    def _used_alike(self, a: Counter[str], b: Counter[str]) -> bool:
        """Used alike: similar neighbours overall, and at least one telling neighbour in common
        (not only "the", "of" or a version: "HPA v2" and "KMS v2" are no kin)."""
        if _similarity(a, b, self._weight) < MIN_USAGE_SIMILARITY:
            return False
        return any((word := k.split(":", 1)[1]).isalpha() and word not in english_stopwords() for k in a.keys() & b.keys())

    def _heads(self, text: str) -> list[str]:
        """The nouns the notes most often write right after the term, weighed by how telling
        they are ("CNI plugin", "DNS server", "SRV records"): what the term is a kind of."""
        usage = self.usage(text)
        found = [(count * self._weight(feature), feature) for feature, count in usage.items()
                 if feature.startswith("R1:") and feature[3:].isalpha() and feature[3:] not in english_stopwords()]
        return [feature for _, feature in sorted(found, reverse=True)[:HEADS]]

    def _shares_head(self, answer: str, term: str) -> bool:
        """An acronym among acronyms of its class: the term is written before one of the nouns
        the answer is most often written before. Acronyms are all short capitals and neighbour
        words alone mix classes ("SRV records" and "DNS records" are no two servers). Asked of
        "Which of these is ...?" only: a cloze's blank sits in a slot of the sentence that already
        says what fits ("a(n) ____ plugin"), the four names side by side have nothing but their
        class. An answer the notes write before no noun twice says too little to ask this."""
        heads = [h for h in self._heads(answer) if self.usage(answer)[h] >= 2]
        if not heads:
            return True
        usage = self.usage(term)
        return any(usage[h] for h in heads)

    def _topic(self, text: str) -> dict[int, float]:
        """What the passages naming a term speak of: their words (each once per passage, IDF
        weighed, counts damped), over the passages `usage` reads."""
        key = text.lower()
        found = self._topics.get(key)
        if found is None:
            own = self._term_id(text)
            counts: Counter[int] = Counter()
            if own is not None:
                for position in self._passages_with(text):
                    terms = np.unique(self.index.surface_term[np.asarray(self.index.word_ids(position), dtype=np.int64)])
                    counts.update(terms.tolist())
                counts.pop(own, None)
            idf = self.index.idf
            found = self._topics[key] = {t: math.log1p(c) * float(idf[t]) for t, c in counts.items()}
        return found

    def _topic_similarity(self, a: str, b: str) -> float:
        """Cosine of two terms' topics. Neighbour words say what slot a term fills ("using ____",
        "the ____ tool") and miss its kind among programs and components: "redis-cli" and
        "etcdutl" are tools used like "minikube", yet their passages speak of queues and
        snapshots, not of local clusters."""
        x, y = self._topic(a), self._topic(b)
        if not x or not y:
            return 0.0
        if len(y) < len(x):
            x, y = y, x
        shared = sum(v * y[t] for t, v in x.items() if t in y)
        norm = math.sqrt(sum(v * v for v in x.values()) * sum(v * v for v in y.values()))
        return shared / norm if norm else 0.0

    def _countable(self, term: Term) -> bool:
        """The notes use the term in the plural more than once ("StatefulSets"): a kind of
        thing, not a value ("OrderedReady") nor a product ("ZooKeeper")."""
        return max(_occurrences(self.usage(term.text + "s")), _occurrences(self.usage(term.text + "es"))) >= 2

    def _capitalised_word(self, term: Term) -> bool:
        """A lower-case name written with a capital where a sentence starts ("Kubeadm")."""
        if not term.text[:1].isupper() or not term.text[1:].islower():
            return False
        lower, capital, _ = self._written(term)
        return lower > capital

    def _flag(self, term: Term) -> bool:
        """Mostly written as a command-line flag ("--max-requests-inflight"): a flag among
        components ("kube-apiserver") stands out."""
        lower, capital, flag = self._written(term)
        return flag * 2 > lower + capital

    def _written(self, term: Term) -> tuple[int, int, int]:
        """How the passages with the term write it: lower case, with a capital, after "--"."""
        found = self._writing.get(term.key)
        if found is None:
            lower = capital = flag = 0
            pattern = re.compile(rf"(?<![\w-])(--)?{re.escape(term.key)}(?![\w-])", re.IGNORECASE)
            for position in self._passages_with(term.text):
                for match in pattern.finditer(self.index.documents[position].chunk.text):
                    if match.group(1):
                        flag += 1
                    elif match.group(0)[0].isupper():
                        capital += 1
                    else:
                        lower += 1
            found = self._writing[term.key] = (lower, capital, flag)
        return found

    def _plural(self, term: Term) -> bool:
        """A name in the plural ("ReplicaSets", "IPs") when the notes also use it singular."""
        text = term.text
        if term.kind == "word" or len(text) < 4 or not text.endswith("s") or text.endswith("ss"):
            return False
        if term.kind == "acronym":
            return text[-2].isupper()
        return bool(self.usage(text[:-1]))

    def _meaning_distractors(self, candidate: _Candidate, related: Sequence[Document]) -> list[str]:
        seen = {normalise(candidate.answer)}
        pool: list[tuple[float, str]] = []
        subject = candidate.definition.term if candidate.definition else ""
        large = len(self.index.documents) > SMALL_CORPUS
        subject_usage = self.usage(subject) if large else Counter()
        for rank, doc in enumerate(related):
            for definition in self.passage_terms(doc).definitions:
                key = normalise(definition.meaning)
                if key in seen or normalise(definition.term) == normalise(subject):
                    continue
                seen.add(key)
                if len(definition.meaning.split()) > MAX_CHOICE_WORDS or self._visible(subject, definition.meaning):
                    continue
                if _spells(candidate.definition, candidate.answer) != _spells(definition, definition.meaning):
                    continue  # what an acronym stands for among descriptions (or the reverse) stands out
                ratio = len(definition.meaning) / max(len(candidate.answer), 1)
                if not 0.4 <= ratio <= 2.5:
                    continue
                if _REFERRING.match(definition.meaning) and not _REFERRING.match(candidate.answer):
                    continue  # "This exporter reports ...": a sentence about something else, not a description
                if large and not self._used_alike(subject_usage, self.usage(definition.term)):
                    continue  # "Will be replaced during a merge" (a patch strategy) for a restart policy
                pool.append((rank + abs(1 - ratio), definition.meaning))
        return self._pick(pool, candidate)

    def _pick(self, pool: list[tuple[float, str]], candidate: _Candidate) -> list[str]:
        """Three of the best five, chosen by the seed: plausible, yet not always the same."""
        best = [text for _, text in sorted(pool)[: CHOICES + 1]]
        rng = random.Random(f"{self.params.seed}:{candidate.prompt}:{candidate.answer}")
        return rng.sample(best, CHOICES - 1) if len(best) >= CHOICES - 1 else best

    def _doc_terms(self, doc: Document) -> list[Term]:
        """A passage's key terms, as distractors (a capitalised first word is taken as a word)."""
        position = self._positions([doc.chunk.chunk_id])
        key = position[0] if position else -1
        found = self._tokens.get(key)
        if found is None:
            text = "\n".join(line for line in doc.chunk.text.split("\n") if not META.search(line))
            text = _SHORTCODE.sub(" ", _LINK_TARGET.sub("", text))
            first = set(_FIRST_WORD.findall(text))
            terms = (term_of(t.rstrip("."), t in first, False) for t in set(TOKEN.findall(text)))
            found = self._tokens[key] = sorted({t for t in terms if t is not None}, key=lambda t: t.text)
        return found

    def _described_alike(self, term: Term, prompt: str, doc: Document) -> bool:
        """The notes say of the term what the question says of the answer: a line of its passage
        naming the term shares a less common word of the description ("Main virtualization
        engines: VMWare" for "a virtualization of physical devices")."""
        described = set(self._stems(" ".join(w for w in re.findall(r"[A-Za-z]+", prompt) if english(w) < 4.5)))
        pattern = re.compile(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])")
        return any(pattern.search(line) and described & set(self._stems(line)) for line in doc.chunk.text.split("\n"))

    def _technical_context(self, term: Term, doc: Document) -> bool:
        """A lower-case word the notes use once is taken for a product name ("etcd", "crio") only
        where the line around it is about software; "the DevOps kumbaya moment" is not."""
        for line in doc.chunk.text.split("\n"):
            if re.search(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])", line):
                stems = set(self._stems(line))
                return bool(stems & _SOFTWARE_STEMS)
        return False

    def _synonym_too_common(self, stems: tuple[str, ...]) -> bool:
        """A synonym of the term is in too many passages: the term names the notes' subject."""
        for found, other in self.synonyms.expansions(stems):
            if found == stems and len(other) == 1 and (term_id := self.index.term(other[0])) is not None \
                    and int(self.index.df[term_id]) > self._max_df:
                return True
        return False

    def _df(self, term: Term) -> int:
        term_id = self._term_id(term.text)
        return 0 if term_id is None else int(self.index.df[term_id])

    def _count(self, term: Term) -> int:
        """In how many passages the word occurs."""
        return self._df(term)

    def _stems(self, text: str) -> tuple[str, ...]:
        return tuple(self.analyzer.stems(self.analyzer.words(text)))

    def _same_thing(self, a: str, b: str) -> bool:
        return self._same_stems(self._stems(a), self._stems(b))

    def _same_stems(self, stems_a: tuple[str, ...], stems_b: tuple[str, ...]) -> bool:
        """Equal after normalisation or stemming, or synonyms in the synonyms table."""
        if not stems_a or not stems_b or stems_a == stems_b:
            return True
        if tuple(x.rstrip("s") for x in stems_a) == tuple(x.rstrip("s") for x in stems_b):
            return True  # "VM" and "VMs"
        return any(found == stems_a and other == stems_b for found, other in self.synonyms.expansions(stems_a))

    def _visible(self, answer: str, text: str) -> bool:
        """The answer, a word form of it or one of its synonyms, appears in `text` (also inside a
        longer identifier: "IPAddress" in "IPAddressList")."""
        if len(answer) >= 4 and " " not in answer and answer.lower() in text.lower():
            return True
        answer_stems = self._stems(answer)
        if not answer_stems:
            return normalise(answer) in normalise(text)
        return self._visible_stems(answer_stems, self._stems(text))

    def _visible_stems(self, answer_stems: tuple[str, ...], text_stems: tuple[str, ...]) -> bool:
        """Also a part of a compound answer: "TTL" of "TTL-after-finished", "node" of "cross-node"."""
        if not answer_stems:
            return False
        if _contains(text_stems, answer_stems):
            return True
        if len(answer_stems) > 1 and any(len(stem) >= 3 and stem in text_stems for stem in answer_stems[1:]):
            return True
        for stems in {answer_stems, tuple(x[:-1] if x.endswith("s") and len(x) > 3 else x for x in answer_stems)}:
            phrases = [other for found, other in self.synonyms.expansions(stems) if tuple(found) == stems]
            if any(_contains(text_stems, p) for p in phrases):
                return True  # "PVCs" when the question says "PersistentVolumeClaims"
        return False

    def corrections(self, answer: str) -> list[str]:
        """Correct spellings of an answer the notes misspell (`hypervizor`), to accept typed."""
        if " " in answer or not answer.isalpha() or len(answer) < 6 or english(answer) > 0:
            return []
        if re.search(r"[a-z][A-Z]", answer):
            return []  # CamelCase is an identifier, never a typo
        return list(_english_corrections(answer.lower()))


def _article(term: str, meaning: str) -> str:
    """ "a hypervizor" when the notes say "hypervizor is a ...", no article before a name or acronym."""
    if not re.match(r"(?:a|an)\s", meaning, re.IGNORECASE) or not term.islower() or " " in term:
        return ""
    return "an " if term[0] in "aeiou" else "a "


def _spells(definition: Definition | None, meaning: str) -> bool:
    """The meaning is what the defined acronym stands for ("OCI": "Open container initiative")."""
    if definition is None or not definition.term.isupper():
        return False
    return "".join(w[0] for w in meaning.split()).upper() == definition.term.upper()


def _parts(text: str) -> list[str]:
    """The words of a compound of four letters or more ("kube-scheduler" → "scheduler")."""
    pieces = re.split(r"[-_./]|(?<=[a-z])(?=[A-Z])", text)
    return [p.lower() for p in pieces if len(p) >= 4] if len(pieces) > 1 else []


def _which_is(meaning: str) -> str:
    first, _, rest = meaning.partition(" ")
    lower = first.lower()
    if lower in ("a", "an", "the", "for", "used", "responsible", "part", "one"):
        return f"Which of these is {lower} {rest}?"
    if len(lower) >= 4 and lower.endswith("s") and not lower.endswith("ss") and english(lower[:-1]) >= 3.0 \
            and english(lower) < english(lower[:-1]) and first[0].isupper():
        return f"Which of these {lower} {rest}?"  # "Runs controllers ..." → "Which of these runs ..."
    return f"Which of these is described as \u201c{meaning}\u201d?"


def _sentence_case(text: str) -> str:
    text = text.strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if not text.endswith((".", "!", ")")):
        text += "."
    return text


_SOFTWARE_STEMS = frozenset(Stemmer.Stemmer("english").stemWords(_SOFTWARE_WORDS.split()))


def _free_standing(text: str, span: tuple[int, int]) -> bool:
    """The term is a whole word of the sentence, not part of "--flag" or "(anti)affinity"."""
    before = text[span[0] - 1] if span[0] > 0 else " "
    after = text[span[1]] if span[1] < len(text) else " "
    if after == "'" and text[span[1] + 1:span[1] + 2].isalpha():
        return False  # "GA'ed": the blank would swallow half a word
    return before in " \"'(\u201c" and (after.isspace() or after in ".,;:!?)\"'\u201d")


def _prose_hyphenated(word: str) -> bool:
    """Two English words hyphenated ("long-lived", "pre-provisioned", "built-in"): prose, not an
    identifier (three parts or a plural at the end are names and values: "cloud-controller-manager",
    "cluster-services")."""
    parts = word.split("-")
    if len(parts) != 2 or parts[1].endswith("s") and not parts[1].endswith("ss"):
        return False  # "cloud-controller-manager", "cluster-services": a name or a value
    return all(p.isalpha() and prose_word(p) for p in parts)


def _everyday_only(prompt: str) -> bool:
    """Every word of the question but the blank is everyday English ("The maximum value that you
    can set for ____ is 1800 (half an hour)"): nothing in it says what it is about (the maximum
    of which setting, of which object?), so what it speaks of is in the sentences before."""
    words = [w for w in TOKEN.findall(prompt.replace(BLANK, " ")) if w.lower() not in english_stopwords()
             and not re.fullmatch(r"v?[\d.]+", w)]
    return bool(words) and all(english(w) >= EVERYDAY_QUESTION_ZIPF for w in words)


def _instance_of_kind(candidate: _Candidate, term: Term) -> bool:
    """The blank is the object of an operation any object undergoes ("delete the ____", "edit
    the ____") and the answer is a kind of object: the sentence tells what happens to the
    instance of an example, which holds of every other kind as well."""
    before, _ = candidate.slot
    if candidate.kind != "cloze" or before != "the" or term.shape != "Camel":
        return False
    words = re.findall(r"[A-Za-z]+", candidate.prompt[: candidate.prompt.index(BLANK)])
    return len(words) >= 2 and words[-1].lower() == "the" and words[-2].lower() in _INSTANCE_VERBS


def _in_parentheses(text: str, span: tuple[int, int]) -> bool:
    """An aside "(a(n) ____ concept)" is no place for the key of a question."""
    before = text[: span[0]]
    return before.count("(") > before.count(")")


def _in_enumeration(text: str, span: tuple[int, int]) -> bool:
    """The span is one item of a list of three or more ("GCE, AWS, ____ and OpenStack"): any
    other member of the set is as right, and a term of another kind stands out."""
    before, after = text[: span[0]], text[span[1]:]
    item, join = _ITEM, _LIST_JOIN
    if re.search(rf"{item},\s+$", before) and re.match(rf"{join}{item}", after):
        return True  # in the middle
    if re.search(rf"{item}{join}{item}{join}$", before) and re.search(r"(?:and|or)\s+$", before):
        return True  # the last: "A, B and ____"
    return bool(re.match(rf",\s+{item}{join}{item}", after) and re.match(rf",\s+{item}(?:{join}{item})*,?\s+(?:and|or)\s+{item}", after))  # the first


def _enumerated_together(text: str, wanted: Sequence[re.Pattern[str]]) -> bool:
    """One list of `text` ("A, B and C", "A or B") has an item matching each pattern."""
    for match in _ENUMERATION.finditer(text):
        items = re.split(_LIST_JOIN, match.group(0).lower())
        if all(any(w.fullmatch(i) for i in items) for w in wanted):
            return True
    return False


def _in_passage(answer: str, passage: str) -> bool:
    return normalise(answer) in normalise(passage)


def _similar_length(a: str, b: str) -> bool:
    return abs(len(a) - len(b)) <= max(4, len(b) // 2)


def _contains(stems: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    if n == 0 or phrase[0] not in stems:
        return False
    stems, phrase = tuple(stems), tuple(phrase)
    return any(stems[i:i + n] == phrase for i in range(len(stems) - n + 1))


@lru_cache(maxsize=1)
def _english_by_shape() -> dict[tuple[str, int], list[str]]:
    groups: dict[tuple[str, int], list[str]] = {}
    for word, frequency in english_zipf().items():
        if frequency >= 3.0 and word.isalpha() and len(word) >= 5:
            groups.setdefault((word[0], len(word)), []).append(word)
    return groups


@lru_cache(maxsize=65536)
def _everyday_typo(word: str) -> bool:
    """One letter away from a common English word ("althought")."""
    if not word.isalpha() or len(word) < 5 or english(word) > 0:
        return False
    for n in (len(word) - 1, len(word), len(word) + 1):
        for candidate in _english_by_shape().get((word[0], n), []):
            if english(candidate) >= 4.5 and OSA.distance(word, candidate, score_cutoff=1) <= 1:
                return True
    return False


def _english_corrections(word: str) -> tuple[str, ...]:
    """English words one or two edits away (same first letter), not a mere prefix or suffix."""
    limit = 1 if len(word) < 9 else 2  # "gitlab" is not a typo of "github"
    found = []
    groups = _english_by_shape()
    lengths = [len(word)] if limit == 1 else range(len(word) - limit, len(word) + limit + 1)
    for n in lengths:  # a short word: a letter swapped or replaced, not dropped ("dockerd")
        choices = groups.get((word[0], n))
        if not choices:
            continue
        for candidate, distance, _ in extract(word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None):
            if not (candidate.startswith(word) or word.startswith(candidate)):
                found.append((distance, -english(candidate), candidate))
    swapped = word[0] + word[1:].replace("z", "s")
    if swapped != word and swapped not in [c for *_, c in found]:
        found.append((0, 0.0, swapped))  # the commonest misspelling in the notes: z for s
    return tuple(c for *_, c in sorted(found)[:2])


# what a change log or a cross-reference says of X, not what X is
_NO_DESCRIPTION = re.compile(r"(?:now|newly|also|see|described|documented|implemented|added|fixed|removed|stabili[sz]ed"
                             r"|deprecated|changed|updated|renamed|moved)\b", re.IGNORECASE)
# a note of release history: what changed when is no study material ("Fixed a bug in ____ where ...")
_HISTORY_NOTE = re.compile(r"(?:change_?log|changes|history|news|releases?|release[-_ ]notes)(?:\.\w+)?", re.IGNORECASE)
_RELEASE = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)?(?![\w.])")


def _spelt_out(answer: str, prompt: str) -> bool:
    """The question shows the acronym inside an identifier ("KMSv1") or has words whose initials
    are the acronym ("Mirantis Container Runtime" for MCR); two-letter acronyms only from capitalised words ("Open Source", not "in particular")."""
    if not (answer.isupper() and answer.isalpha() and 2 <= len(answer) <= 6):
        return False
    if re.search(rf"(?<![A-Z]){answer}(?![A-Z])", prompt):
        return True  # inside a longer identifier: "--feature-gates=KMSv1=true" for KMS
    words = re.findall(r"[A-Za-z][\w'-]*", prompt)
    if len(answer) == 2:
        words = [w if w[0].isupper() else "_" for w in words]
    initials = "".join(w[0].upper() if w != "_" else "_" for w in words)
    return answer.upper() in initials


def _is_version(candidate: _Candidate) -> bool:
    return candidate.answer_kind == "name" and is_release_version(candidate.answer)


def _words_of(term: str) -> list[str]:
    """The words of a name, CamelCase and compounds split ("EBSLimits" → EBS, Limits)."""
    return re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", term)


def _compound_head(candidate: _Candidate) -> str | None:
    """The noun a blank modifies ("their own ____ address" → "address"; None when the blank
    is in no compound): it stands between a determiner and a word, so the answer is a kind of that
    thing. A noun said of anything ("the ____ name", "way", "time") is a compound that tells no
    kind: "" then."""
    before, after = candidate.slot
    if candidate.kind != "cloze" or before not in _DETERMINERS or not after.isalpha() or after in english_stopwords():
        return None
    if after.endswith(("ed", "ing")) or after.endswith("s") and not after.endswith("ss"):
        return None  # "the ____ talks to the runtime": a verb (or a plural) after the blank, no compound
    return "" if english(after) >= GENERIC_HEAD_ZIPF else after


def _slot(text: str, span: tuple[int, int]) -> tuple[str, str]:
    """The words just before and after a span, lower case ("" at an edge or beside punctuation)."""
    before = re.search(r"([A-Za-z0-9][\w.+/-]*)\s+$", text[: span[0]])
    after = re.match(r"\s+([A-Za-z0-9][\w+/-]*)", text[span[1]:])
    return (before.group(1).rstrip(".").lower() if before else "", after.group(1).lower() if after else "")


def _frame(slot: tuple[str, str]) -> list[str]:
    """The slot's telling words as usage features: not stop words ("____ address" → "R:address")."""
    before, after = slot
    return [f"{side}1:{word}" for side, word in (("L", before), ("R", after))
            if len(word) >= 2 and word.isalpha() and word not in english_stopwords()]


def _occurrences(usage: Counter[str]) -> int:
    return sum(v for k, v in usage.items() if k.startswith("R1:")) or sum(v for k, v in usage.items() if k.startswith("L1:"))


def _similarity(a: Counter[str], b: Counter[str], weight: Callable[[str], float]) -> float:
    """Cosine of two usages: counts damped (one frequent neighbour does not decide), and each
    neighbour weighed by `weight` (a word in every passage says little, "address" much)."""
    if not a or not b:
        return 0.0
    shared = sum(math.log1p(a[k]) * math.log1p(b[k]) * weight(k) ** 2 for k in a.keys() & b.keys())
    norm = math.sqrt(sum((math.log1p(v) * weight(k)) ** 2 for k, v in a.items())
                     * sum((math.log1p(v) * weight(k)) ** 2 for k, v in b.items()))
    return shared / norm if norm else 0.0
