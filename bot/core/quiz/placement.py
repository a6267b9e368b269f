"""Which passage a hand-written question cites: the one that holds its answer.

A moderator names the note (and maybe a section); citing the whole note (`1-122`) sends the member
to read all of it. Among the note's (or section's) passages, in order:

1. one whose text states the answer, as whole words once case and punctuation are ignored (then
   one that states an accepted form);
2. else one that holds at least half the answer's analysed words (`You don't save anything inside
   them` is the passage's "you don't save stuff inside of em");
3. else, for an answer with no words of its own (`No`, `Yes`), one that holds at least half the
   question's analysed words.

Ties go to the passage with more of the question's words, then to the earlier one. No passage
qualifying means the caller cites the whole section or note, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.quiz.checking import normalise
from bot.core.search.analysis import Analyzer
from bot.core.search.documents import Document
from bot.core.search.indexing import analysed_words

STATES_ANSWER, STATES_ACCEPTED = 2, 1
MIN_SHARE = 0.5


def answer_passage(passages: Sequence[Document], answer: str, accepted: Iterable[str], prompt: str,
                   analyzer: Analyzer, read: dict[str, tuple[set[str], str]] | None = None) -> Document | None:
    """The passage that best holds the answer (see the module docstring), or None. `read` keeps
    each passage's words and text across calls: a file of a thousand questions on one note would
    analyse the note a thousand times."""
    read = {} if read is None else read
    answer_stems = _stems(answer, analyzer)
    prompt_stems = _stems(prompt, analyzer)
    phrases = [(STATES_ANSWER, normalise(answer))] if answer_stems else []
    phrases += [(STATES_ACCEPTED, normalise(a)) for a in accepted if _stems(a, analyzer)]
    best: tuple[tuple[int, float, int], Document] | None = None
    for doc in passages:
        if doc.chunk.chunk_id not in read:
            body, heading = analysed_words(doc, analyzer)
            read[doc.chunk.chunk_id] = (set(analyzer.stems(list(body) + list(heading))),
                                        f" {normalise(doc.chunk.text)} ")
        words, text = read[doc.chunk.chunk_id]
        states = max((rank for rank, phrase in phrases if phrase and f" {phrase} " in text), default=0)
        answer_share = _share(answer_stems, words)
        asked = len(prompt_stems & words)
        qualifies = (states or answer_share >= MIN_SHARE
                     or (not answer_stems and bool(prompt_stems) and asked >= MIN_SHARE * len(prompt_stems)))
        key = (states, answer_share, asked)
        if qualifies and (best is None or key > best[0]):
            best = key, doc
    return None if best is None else best[1]


def overlapping(passages: Sequence[Document], start: int, end: int) -> Document | None:
    """The passage sharing the most lines with `start`-`end` (the first on a tie), or None."""
    shared = [(min(end, d.chunk.end_line) - max(start, d.chunk.start_line) + 1, -i, d) for i, d in enumerate(passages)]
    best = max(shared, key=lambda s: s[:2], default=None)
    return best[2] if best is not None and best[0] > 0 else None


def _stems(text: str, analyzer: Analyzer) -> set[str]:
    return set(analyzer.stems(analyzer.words(text)))


def _share(wanted: set[str], present: set[str]) -> float:
    return len(wanted & present) / len(wanted) if wanted else 0.0
