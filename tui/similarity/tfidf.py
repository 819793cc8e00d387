"""Stage 1's rewrites and related stories: each article's top-k neighbours by TF-IDF cosine.

The full pass multiplies the whole library in blocks of rows, on threads. Similarities are summed in
float64 and rounded to 1e-5, ties broken by article order: two orders of summing a pair's terms
differ by less than 1e-13, so a pair has the same rounded similarity whichever product or row
computes it, and whichever numbers its terms have (an index kept up to date and one built afresh
number the vocabulary differently), unless its value lies within that of a rounding midpoint (about
1e-8 of pairs; none among 15,488 checked both ways). `neighbours.py` keeps the full pass's lists and
answers a library that changed a little from them.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.cores import available_cores

TOP_K = 8

FLOOR = 0.2

# How many neighbours each article's kept list holds, down to FLOOR - KEPT_MARGIN: room for the top-k
# to be settled without computing the row when a neighbour drops out or moves (at least TOP_K: the
# full pass reads the top-k off the head of these lists).
KEPT = 16

# Below FLOOR: a list that is not full says every other pair was below FLOOR - KEPT_MARGIN, and pairs
# without a common term (similarity 0) are never listed.
KEPT_MARGIN = 0.02

# In the neighbour search, terms found in more than this share of the articles (and at least
# COMMON_TERM_MIN of them) are left out of the products: they say little about which articles match
# and make every article a neighbour of every other. Norms still count them.
COMMON_TERM_SHARE = 0.02

COMMON_TERM_MIN = 100

# Rows of the library multiplied at a time, and how many such blocks are multiplied at once: scipy's
# sparse products and numpy's array work let the GIL go, so threads use the cores (at 95,000
# articles the products are most of a full pass).
TFIDF_BLOCK_ROWS = 512

TFIDF_THREADS = 2

# The articles (the product's columns) in this many groups, cut at block boundaries: a block is
# multiplied only by its own group and those after it, so each pair's similarity is computed about
# once (from its earlier article's row) and half the products are never made.
TFIDF_COLUMN_GROUPS = 16

_cores = available_cores  # a name of its own here: tests set it


def tfidf_pairs(term_rows: Sequence[tuple[Any, Any]]) -> set[tuple[int, int]]:
    """The full pass's pairs alone (for tests and benchmarks)."""
    weights = _Weights.of(term_rows) if len(term_rows) >= 2 else None
    return _full_pass(weights)[0] if weights is not None else set()


@dataclass
class _Weights:
    """The library's terms as one flat array of entries (article by article, each in its own order)."""

    columns: Any  # term number of each entry
    counts: Any  # its count in the article
    row_of: Any  # the article of each entry
    n: int
    width: int
    df: Any
    values: Any = None  # each entry's unit TF-IDF value
    informative: Any = None  # whether its term is informative
    matrix: Any = None  # unit TF-IDF rows, only informative terms kept (CSR)

    @classmethod
    def of(cls, term_rows: Sequence[tuple[Any, Any]]) -> _Weights | None:
        import numpy as np

        n = len(term_rows)
        lengths = np.fromiter((len(ids) for ids, _ in term_rows), dtype=np.int64, count=n)
        if not lengths.sum():
            return None
        columns = np.concatenate([ids for ids, _ in term_rows]).astype(np.int32)
        counts = np.concatenate([c for _, c in term_rows]).astype(np.float32)
        width = int(columns.max()) + 1
        df = np.bincount(columns, minlength=width)
        row_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
        weights = cls(columns, counts, row_of, n, width, df)
        weights.values, weights.informative = weights.unit_values(df, n)
        weights.matrix = weights.as_matrix(weights.values, weights.informative)
        return weights

    def forget_entries(self) -> None:
        """Let go of the flat arrays (only the kept lists' drift reads them)."""
        self.columns = self.counts = self.row_of = self.values = self.informative = None

    def unit_values(self, df: Any, n: int) -> tuple[Any, Any]:
        """Each entry's unit TF-IDF value weighed by these document frequencies of a library of n,
        and whether its term is informative there (a term missing from `df` has a frequency of 0)."""
        import numpy as np

        if len(df) < self.width:
            df = np.concatenate([df, np.zeros(self.width - len(df), dtype=df.dtype)])
        values = 1.0 + np.log(self.counts)  # sublinear tf
        idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        values *= idf[self.columns]
        norms = np.sqrt(np.bincount(self.row_of, weights=values * values, minlength=self.n)).astype(
            np.float32
        )
        norms[norms == 0] = 1.0
        values /= norms[self.row_of]
        informative = (df >= 2) & (df <= max(COMMON_TERM_MIN, COMMON_TERM_SHARE * n))
        return values, informative[self.columns]

    def as_matrix(self, values: Any, keep: Any) -> Any:
        import numpy as np
        from scipy import sparse

        return sparse.csr_matrix(
            (
                values[keep].astype(np.float64),
                self.columns[keep],
                np.concatenate(([0], np.cumsum(np.bincount(self.row_of[keep], minlength=self.n)))),
            ),
            shape=(self.n, self.width),
            dtype=np.float64,
        )


def _full_pass(weights: _Weights) -> tuple[set[tuple[int, int]], tuple[Any, Any]]:
    """Every pair's similarity (each once, from its earlier article), the top-k pairs, and each
    article's best KEPT neighbours down to FLOOR - KEPT_MARGIN (partners, sims), best first."""
    import numpy as np

    matrix, n = weights.matrix, weights.n
    starts = list(range(0, n, TFIDF_BLOCK_ROWS))
    per_group = -(-len(starts) // TFIDF_COLUMN_GROUPS)
    bounds = [*starts[::per_group], n]
    columns = [matrix[lo:hi].T.tocsr() for lo, hi in itertools.pairwise(bounds)]
    low = FLOOR - KEPT_MARGIN

    def above_floor(start: int) -> tuple[Any, Any, Any]:
        rows = matrix[start : start + TFIDF_BLOCK_ROWS]
        own = max(g for g, lo in enumerate(bounds[:-1]) if lo <= start)
        found = [_upper_pairs(rows @ columns[g], start, bounds[g], low) for g in range(own, len(columns))]
        return tuple(np.concatenate([f[k] for f in found]) for k in range(3))  # type: ignore[return-value]

    threads = max(1, min(TFIDF_THREADS, _cores(), len(starts)))
    if threads == 1:
        blocks = [above_floor(start) for start in starts]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads, thread_name_prefix="tfidf") as pool:
            blocks = list(pool.map(above_floor, starts))
    first, second, sims = (np.concatenate([block[k] for block in blocks]) for k in range(3))
    del blocks
    # Each pair in both articles' lists; the top-k (at or above the floor) are the head of the
    # kept list, which ranks the same way.
    partners, values = _best_lists(
        np.concatenate([first, second]), np.concatenate([second, first]), np.tile(sims, 2), KEPT, n
    )
    top = (np.arange(KEPT) < TOP_K)[None, :] & (values >= FLOOR) & (partners >= 0)
    owner = np.broadcast_to(np.arange(n)[:, None], top.shape)[top]
    pairs = np.unique(np.minimum(owner, partners[top]) * n + np.maximum(owner, partners[top]))
    return {(int(p // n), int(p % n)) for p in pairs.tolist()}, (partners, values)


def _upper_pairs(
    block: Any, start: int, first_column: int, floor: float, upper_only: bool = True
) -> tuple[Any, Any, Any]:
    """(rows, columns, similarities) of a block of products (rows from `start` on, columns from
    `first_column` on) at or above `floor` once rounded to 1e-5; with `upper_only`, each pair only
    from its earlier row."""
    import numpy as np

    # Most products are far below the floor: those near or above it are picked out of the CSR arrays
    # before anything else is made (rounded to 1e-5 a value below floor - 1e-4 stays below floor).
    near = np.flatnonzero(block.data >= floor - 1e-4)
    sims = np.round(block.data[near], 5)
    above = sims >= floor
    near, sims = near[above], sims[above]
    rows = (np.searchsorted(block.indptr, near, side="right") - 1 + start).astype(np.int32)
    cols = block.indices[near].astype(np.int32) + np.int32(first_column)
    if not upper_only:
        return rows, cols, sims
    later = cols > rows
    return rows[later], cols[later], sims[later]


def _ranked(rows: Any, cols: Any, sims: Any) -> tuple[Any, Any, Any, Any]:
    """The pairs sorted by row, best first, ties by article order; and each one's rank in its row."""
    import numpy as np

    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    first = np.concatenate(([True], rows[1:] != rows[:-1]))
    starts = np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    return rows, cols, sims, np.arange(len(rows)) - starts


def _top_k(rows: Any, cols: Any, sims: Any, top_k: int, n: int) -> Any:
    """The distinct pairs (smaller * n + larger) of each row with its top-k columns."""
    import numpy as np

    rows, cols, _sims, rank = _ranked(rows, cols, sims)
    best = rank < top_k
    rows, cols = rows[best], cols[best]
    return np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))


def _best_lists(rows: Any, cols: Any, sims: Any, size: int, n: int) -> tuple[Any, Any]:
    """Each row's best `size` columns and similarities, best first (-1 and 0 where fewer)."""
    import numpy as np

    rows, cols, sims, rank = _ranked(rows, cols, sims)
    best = rank < size
    partners = np.full((n, size), -1, dtype=np.int64)
    values = np.zeros((n, size))
    partners[rows[best], rank[best]] = cols[best]
    values[rows[best], rank[best]] = sims[best]
    return partners, values
