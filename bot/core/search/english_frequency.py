"""How common words are in general English, to tell a corpus's own vocabulary from chance hits.

A question about baking shares a few everyday words ("egg", "bread") with any large corpus; those
words are *less* frequent in the notes than in English at large. Words that make up what the notes
are about ("container", "etcd", "hypervizor") are *more* frequent there. `specificity` measures the
difference in Zipf units (log10 of frequency per billion words).

The list ships with the package (59k words, 270 KB, derived from wordfreq 3.1.1; see NOTICE.md)
rather than depending on wordfreq at run time, whose 58 MB of data takes half a second to load.
"""

from __future__ import annotations

import gzip
import math
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def english_zipf() -> dict[str, float]:
    """Word → Zipf frequency in general English; words not listed are rarer than Zipf 2.4."""
    raw = resources.files("bot.core.search").joinpath("data/english-zipf.tsv.gz").read_bytes()
    table: dict[str, float] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, zipf = line.partition("\t")
            table[word] = float(zipf)
    return table


def zipf(count: float, total: float) -> float:
    """Zipf frequency of a word seen `count` times among `total` words."""
    return math.log10(count / total * 1e9) if count > 0 and total > 0 else 0.0
