"""BM25 as rank-bm25 defines it, split into small pure functions over numpy arrays.

The index precomputes, for every (term, chunk) posting, the score that chunk gets for that term;
a query then only adds up the postings of its terms. For BM25+ a chunk *without* the term
still scores a constant (`absent`), which is added to every chunk alike and so never changes
the order. The formulas, defaults and IDF rules match rank_bm25 0.2.2 exactly (a test checks
`get_scores` to 1e-9), including BM25Okapi's flooring of negative IDF to `epsilon * mean IDF`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

Variant = Literal["okapi", "l", "plus"]


@dataclass(frozen=True)
class Bm25Params:
    """The ranking function and its constants. `heading_boost` repeats a chunk's heading words
    into its tokens this often: 0 by default, since names earn a bounded note-level bonus instead
    (see `ranking`); kept for the parity tests and the evaluation's comparisons."""

    variant: Variant = "plus"
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25  # okapi only
    delta: float = 1.0  # l and plus only
    heading_boost: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def idf(df: np.ndarray, n_docs: int, params: Bm25Params) -> np.ndarray:
    """Inverse document frequency per term, as rank-bm25 computes it for the variant.

    Terms no chunk contains (df 0, left by an incremental update) get 0 and are not counted in
    BM25Okapi's mean, exactly as if they had never been seen.
    """
    present = df > 0
    df = np.where(present, df, 1).astype(np.float64)
    if params.variant == "okapi":
        raw = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        floor = params.epsilon * raw[present].mean() if present.any() else 0.0
        values = np.where(raw < 0, floor, raw)
    elif params.variant == "l":
        values = np.log(n_docs + 1) - np.log(df + 0.5)
    else:
        values = np.log((n_docs + 1) / df)
    return np.where(present, values, 0.0)


def term_scores(
    tf: np.ndarray, doc_len: np.ndarray, avgdl: float, term_idf: np.ndarray, params: Bm25Params
) -> np.ndarray:
    """The score each posting contributes, less the variant's `absent` constant."""
    k1, b = params.k1, params.b
    norm = 1 - b + b * doc_len / avgdl
    if params.variant == "okapi":
        return term_idf * (tf * (k1 + 1) / (tf + k1 * norm))
    if params.variant == "l":
        ctd = tf / norm  # rank-bm25 also multiplies by tf, so an absent term scores 0
        return term_idf * tf * (k1 + 1) * (ctd + params.delta) / (k1 + ctd + params.delta)
    return term_idf * (tf * (k1 + 1) / (k1 * norm + tf))


def absent_scores(term_idf: np.ndarray, params: Bm25Params) -> np.ndarray:
    """What a chunk scores for a term it does not contain (non-zero only for BM25+)."""
    if params.variant == "plus":
        return term_idf * params.delta
    return np.zeros_like(term_idf)
