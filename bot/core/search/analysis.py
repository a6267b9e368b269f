"""Turning text into index words: the one analysis shared by notes and questions.

`Analyzer.words` lower-cases Unicode words, drops English stop words, and expands technical
compounds so that either spelling finds the other:

- joined forms: `micro-services`, `cri-o`, `spec.containers`, `snake_case` also yield the parts
  and the parts run together (`microservices`, `crio`, `speccontainers`);
- CamelCase: `PersistentVolumeClaim` yields `persistentvolumeclaim`, `persistent`, `volume`,
  `claim`;
- numbers and technical tokens survive (`10`, `k8s`, `base64`, `1.25`).

Stemming (Snowball, PyStemmer) is a separate step, `Analyzer.stems`, applied once per vocabulary
word when an index is built; words that are not purely alphabetic are not stemmed (`k8s`, `base64`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources

import Stemmer

ANALYZER_VERSION = 3  # bump when `words` or `markup.visible_text` changes: stored words must then be re-analysed

_TOKEN = re.compile(r"[^\W_]+(?:['’]?[-._/'’]?[^\W_]+)*")
_CONNECTOR = re.compile(r"[-._/]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_HAS_LOWER_UPPER = re.compile(r"[a-z][A-Z]")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’]")
MAX_WORD_LENGTH = 48


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    """The shipped stop-word list (comments and blank lines ignored)."""
    text = resources.files("bot.core.search").joinpath("data/stopwords-en.txt").read_text("utf-8")
    words = (line.split("#", 1)[0].split() for line in text.splitlines())
    return frozenset(word for line in words for word in line)


class Analyzer:
    """Splits text into index words and stems them; cheap to share, safe across threads."""

    def __init__(self, stopwords: Iterable[str] | None = None, language: str = "english") -> None:
        self.stopwords = frozenset(stopwords) if stopwords is not None else english_stopwords()
        self._stemmer = Stemmer.Stemmer(language)
        self._expansions: dict[str, tuple[str, ...]] = {}  # token → words; a token recurs a lot
        self._stems: dict[str, str] = {}  # word → stem, kept across index builds

    def words(self, text: str) -> list[str]:
        """Index words of `text`, in order of appearance (compound forms beside their parts)."""
        out: list[str] = []
        cache = self._expansions
        for token in _TOKEN.findall(text):
            expanded = cache.get(token)
            if expanded is None:
                expanded = cache[token] = tuple(self._expand(token))
                if len(cache) > 500_000:  # a bound for pathological input; real notes stay far below
                    cache.clear()
            out.extend(expanded)
        return out

    def stems(self, words: list[str]) -> list[str]:
        """Snowball stems, leaving words with digits or dots (versions, `k8s`) as they are."""
        cache = self._stems
        missing = [w for w in words if w not in cache]
        if missing:
            for word, stem in zip(missing, self._stemmer.stemWords(missing)):
                cache[word] = stem if word.isalpha() else word
            if len(cache) > 1_000_000:
                cache.clear()
                return self.stems(words)
        return [cache[w] for w in words]

    def stem(self, word: str) -> str:
        return self.stems([word])[0]

    def _expand(self, token: str) -> Iterator[str]:
        token = _APOSTROPHE.sub("", _POSSESSIVE.sub("", token))
        if not token:
            return
        parts = [p for p in _CONNECTOR.split(token) if p]
        if len(parts) > 1 and all(p.isdigit() for p in parts):
            yield token  # a version or an address: keep it whole, dots and all
            return
        pieces: list[str] = []
        for part in parts:
            if _HAS_LOWER_UPPER.search(part):
                pieces.extend(p for p in _CAMEL_BOUNDARY.split(part) if p)
            else:
                pieces.append(part)
        pieces = [p.lower() for p in pieces]
        if len(pieces) > 1:
            joined = "".join(pieces)
            if self._keep(joined):
                yield joined
        for piece in pieces:
            if self._keep(piece):
                yield piece

    def _keep(self, word: str) -> bool:
        if len(word) > MAX_WORD_LENGTH or word in self.stopwords:
            return False
        return len(word) > 1 or word.isdigit()

