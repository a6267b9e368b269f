"""The plain baseline: rank-bm25's BM25Okapi over paragraph chunks, with stemming.

What a developer gets in an afternoon: split each note at blank lines, lower-case words, drop
English stop words, Snowball-stem, and rank paragraphs with `BM25Okapi.get_scores`. It never
refuses a question. `bench/evaluate.py` scores it beside the bot in the same run.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import Stemmer
from rank_bm25 import BM25Okapi

_WORD = re.compile(r"\w+")
_STOPWORDS_FILE = Path(__file__).resolve().parents[1] / "bot" / "core" / "search" / "data" / "stopwords-en.txt"


def _stopwords() -> frozenset[str]:
    lines = _STOPWORDS_FILE.read_text("utf-8").splitlines()
    return frozenset(w for line in lines for w in line.split("#", 1)[0].split())


class PlainBm25:
    """Paragraphs of every note, ranked by BM25Okapi (k1 = 1.5, b = 0.75: rank-bm25's defaults)."""

    def __init__(self, notes: list[tuple[str, str]]) -> None:
        self._stem = Stemmer.Stemmer("english")
        self._stop = _stopwords()
        self.sources: list[str] = []
        corpus: list[list[str]] = []
        for source, text in notes:
            for paragraph in re.split(r"\n\s*\n", _without_front_matter(text)):
                tokens = self.tokens(paragraph)
                if tokens:
                    self.sources.append(source)
                    corpus.append(tokens)
        self._bm25 = BM25Okapi(corpus)

    def tokens(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in self._stop]
        return self._stem.stemWords(words)

    def rank(self, question: str, k: int = 10) -> list[str]:
        """Sources of the k best paragraphs, best first."""
        tokens = self.tokens(question)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores, kind="stable")[:k]
        return [self.sources[i] for i in top.tolist()]


def _without_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4 :]
    return text
