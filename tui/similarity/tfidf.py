"""Stage 1's rewrites and related stories: each article's top-k neighbours by TF-IDF cosine.

A full pass multiplies the whole library (`full_pass`). Its lists are kept (`Baseline`), so that a
library that changed a little is answered by `kept_pass` with the same pairs, exactly, at the cost
of the changed articles' rows: the IDF moves with every article added, but only a little, and how
far each article's unit vector has moved since the full pass bounds how far each of its
similarities can have moved. Rows whose top-k that bound leaves in doubt are computed exactly.

Exactness: similarities are summed in float64 and rounded to 1e-5, ties broken by article order.
Two orders of summing a pair's terms differ by less than 1e-13, so a pair has the same rounded
similarity whichever product or row computes it, and whichever numbers its terms have (an index
kept up to date and one built afresh number the vocabulary differently), unless its value lies
within that of a rounding midpoint (about 1e-8 of pairs; none among 15,488 checked both ways).

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import io
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

# An article whose unit vector moved further than this since the full pass (over the terms that stayed
# informative) is computed exactly: two such moves bound a similarity's move by less than KEPT_MARGIN.
CLEAN_DRIFT = KEPT_MARGIN / 4

# ...and one with more than this weight on terms that crossed the informative bounds: it would widen
# the bound of every article that shares such a term.
CLEAN_FLIP = 0.25

# Below this many articles a full pass takes well under a second (0.3 s at 19,000 here) and a kept
# pass saves nothing: no baseline is kept.
KEPT_FROM = 30_000

# Beyond this share of the library in exact rows, a full pass costs about as much: one is made and
# kept as the new baseline.
FULL_PASS_SHARE = 0.1

# Rounding to 1e-5 and the kept similarities' float32: the most a similarity may differ from its
# bound's centre beyond the articles' moves.
_SLACK = 3e-5

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


@dataclass
class Baseline:
    """What the last full pass found, kept for the passes after it.

    `hashes`: the content hash of each text the full pass saw (row r of the lists is `hashes[r]`);
    `once`: whether that text was held by one article only; `partners`/`sims`: each text's best
    KEPT neighbours at or above FLOOR - KEPT_MARGIN, best first (-1 where fewer), as rows of
    `hashes`; `df` and `count`: the document frequencies (by term number) and the library's size
    it weighed the terms with."""

    hashes: list[str]
    once: Any
    partners: Any
    sims: Any
    df: Any
    count: int

    def to_bytes(self) -> bytes:
        import numpy as np

        buffer = io.BytesIO()
        np.savez(
            buffer,
            hashes=np.frombuffer("\n".join(self.hashes).encode(), dtype=np.uint8),
            once=self.once.astype(np.bool_),
            partners=self.partners.astype("<i4"),
            sims=self.sims.astype("<f4"),
            df=self.df.astype("<i8"),
            count=np.array([self.count], dtype="<i8"),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Baseline | None:
        """The kept baseline, or None when it does not read as one (then a full pass is made)."""
        import numpy as np

        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
                text = arrays["hashes"].tobytes().decode()
                baseline = cls(
                    hashes=text.split("\n") if text else [],
                    once=arrays["once"].astype(np.bool_),
                    partners=arrays["partners"].astype(np.int64),
                    sims=arrays["sims"].astype(np.float32),
                    df=arrays["df"].astype(np.int64),
                    count=int(arrays["count"][0]),
                )
        except (OSError, EOFError, KeyError, ValueError, UnicodeDecodeError, IndexError):
            return None
        rows = len(baseline.hashes)
        shape_ok = baseline.partners.shape == (rows, KEPT) and baseline.sims.shape == (rows, KEPT)
        if not shape_ok or baseline.once.shape != (rows,) or baseline.count < 1:
            return None
        if rows and (baseline.partners.min() < -1 or baseline.partners.max() >= rows):
            return None
        return baseline


def neighbour_pairs(
    term_rows: Sequence[tuple[Any, Any]], hashes: Sequence[str], baseline: Baseline | None
) -> tuple[set[tuple[int, int]], Baseline | None]:
    """Each article's top-k neighbours as pairs (earlier, later), and the baseline to keep: the
    given one when it served, a new one when a full pass was made."""
    if len(term_rows) < 2:
        return set(), None
    weights = _Weights.of(term_rows)
    if weights is None:
        return set(), None
    if weights.n < KEPT_FROM:
        weights.forget_entries()
        return _full_pass(weights)[0], None
    if baseline is not None:
        kept = _kept_pass(weights, hashes, baseline)
        if kept is not None:
            return kept, baseline
    weights.forget_entries()  # a full pass needs the matrix alone: 300 MB less at 95,000 articles
    pairs, lists = _full_pass(weights)
    return pairs, _baseline_of(weights, hashes, lists)


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
        """Let go of the flat arrays (only a kept pass's drift reads them)."""
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

    def drift(self, df: Any, n: int) -> _Drift:
        """How far each article's (informative, unit) vector is from what it was under `df` and n."""
        import numpy as np

        now, keep_now = self.values, self.informative
        then, keep_then = self.unit_values(df, n)
        flipped = keep_now != keep_then

        def norms(values: Any) -> Any:
            return np.sqrt(np.bincount(self.row_of, weights=values.astype(np.float64) ** 2, minlength=self.n))

        return _Drift(
            steady=norms(np.where(keep_now & keep_then, now - then, 0.0)),
            entered=norms(np.where(flipped & keep_now, now, 0.0)),
            left=norms(np.where(flipped & keep_then, then, 0.0)),
        )


@dataclass
class _Drift:
    """Each article's move since the full pass, in three parts: over the terms informative then and
    now (`steady`: the IDF and norms moved), and its weight on the terms that became informative
    (`entered`) or stopped being so (`left`, as it was then).

    A pair's similarity moves by at most steady_a + steady_b + entered_a * entered_b + left_a * left_b
    (Cauchy-Schwarz on each part): a common term that crosses the informative bound moves thousands
    of articles, but each pair's similarity only by the product of two small weights."""

    steady: Any
    entered: Any
    left: Any

    def bound(self, a: Any, b: Any) -> Any:
        return (
            self.steady[a] + self.steady[b] + self.entered[a] * self.entered[b] + self.left[a] * self.left[b]
        )

    def clean(self) -> Any:
        return (self.steady <= CLEAN_DRIFT) & (self.entered <= CLEAN_FLIP) & (self.left <= CLEAN_FLIP)


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


def _kept_pass(weights: _Weights, hashes: Sequence[str], baseline: Baseline) -> set[tuple[int, int]] | None:
    """The full pass's pairs, from the baseline's lists and the exact rows of the articles the
    lists cannot settle; None when those are so many that a full pass costs about the same."""
    import numpy as np

    n = weights.n
    then = _baseline_rows(hashes, baseline)
    drift = weights.drift(baseline.df, baseline.count)
    clean = (then >= 0) & drift.clean()
    if (~clean).sum() > FULL_PASS_SHARE * n:
        return None
    exact = _exact_rows(weights.matrix, np.flatnonzero(~clean))
    items = _Items.of(weights, baseline, then, clean, drift, exact)
    settled = items.settled()
    # Rows in doubt: their kept neighbours' similarities computed now, and decided again.
    doubt = np.flatnonzero(~settled)
    items.make_exact(doubt, weights.matrix)
    settled[doubt] = items.settled(doubt)
    unsettled = items.rows[~settled]
    if (~clean).sum() + len(unsettled) > FULL_PASS_SHARE * n:
        return None
    more = _exact_rows(weights.matrix, unsettled)
    rows, cols, sims = (np.concatenate([exact[k], more[k]]) for k in range(3))
    found = {(int(p // n), int(p % n)) for p in _top_k(rows, cols, sims, TOP_K, n).tolist()}
    found.update((min(a, b), max(a, b)) for a, b in items.top(settled))
    return found


def _baseline_rows(hashes: Sequence[str], baseline: Baseline) -> Any:
    """Each article's row in the baseline's lists; -1 where it has none to rely on: a text the
    full pass did not see, or one held by more than one article then or now (a second copy has a
    similarity with the first the lists never held)."""
    import numpy as np

    row_of_text = {h: r for r, h in enumerate(baseline.hashes)}
    held: dict[str, int] = {}
    for h in hashes:
        held[h] = held.get(h, 0) + 1
    then = np.array([row_of_text.get(h, -1) if held[h] == 1 else -1 for h in hashes], dtype=np.int64)
    known = then >= 0
    then[known] = np.where(baseline.once[then[known]], then[known], -1)
    return then


def _exact_rows(matrix: Any, rows: Any) -> tuple[Any, Any, Any]:
    """Every pair at or above FLOOR of these articles: (the article, its partner, similarity)."""
    import numpy as np

    everything = matrix.T.tocsr()
    found = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
    for lo in range(0, len(rows), TFIDF_BLOCK_ROWS):
        block = rows[lo : lo + TFIDF_BLOCK_ROWS]
        at, partner, sims = _upper_pairs(matrix[block] @ everything, 0, 0, FLOOR, upper_only=False)
        mine = block[at]
        keep = partner != mine
        found.append((mine[keep], partner[keep], sims[keep]))
    return tuple(np.concatenate([f[k] for f in found]) for k in range(3))  # type: ignore[return-value]


def _pair_sims(matrix: Any, first: Any, second: Any) -> Any:
    """The similarities of these pairs, rounded as the products' are."""
    import numpy as np

    sims = np.zeros(len(first))
    for lo in range(0, len(first), 40_000):
        hi = lo + 40_000
        products = matrix[first[lo:hi]].multiply(matrix[second[lo:hi]])
        sims[lo:hi] = np.asarray(products.sum(axis=1)).ravel()
    return np.round(sims, 5)


@dataclass
class _Items:
    """The clean articles' candidates for their top-k, one row per article, best first.

    Each candidate is a similarity's interval (`mid` +- `half`): a kept neighbour that is clean
    now, within the two articles' drift bound of its kept similarity; or an exact pair with an
    article computed exactly (half 0). `rest`: the most any other article can be now (the kept
    list's last similarity, or the floor less the margin, plus the drifts)."""

    rows: Any
    mid: Any
    half: Any
    who: Any
    ok: Any
    rest: Any

    @classmethod
    def of(
        cls,
        weights: _Weights,
        baseline: Baseline,
        then: Any,
        clean: Any,
        drift: _Drift,
        exact: tuple[Any, Any, Any],
    ) -> _Items:
        import numpy as np

        current = np.full(len(baseline.hashes), -1, dtype=np.int64)
        current[then[then >= 0]] = np.flatnonzero(then >= 0)
        rows = np.flatnonzero(clean)
        kept = baseline.partners[then[rows]]
        partner = np.where(kept >= 0, current[np.maximum(kept, 0)], -1)
        sims = baseline.sims[then[rows]].astype(np.float64)
        partner_clean = (partner >= 0) & clean[np.maximum(partner, 0)]
        half = drift.bound(rows[:, None], np.maximum(partner, 0)) + _SLACK
        ok = partner_clean & (sims + half >= FLOOR)
        widest = [float(part[clean].max(initial=0.0)) for part in (drift.steady, drift.entered, drift.left)]
        rest = (
            np.where(kept[:, -1] >= 0, sims[:, -1], FLOOR - KEPT_MARGIN)
            + drift.steady[rows]
            + widest[0]
            + drift.entered[rows] * widest[1]
            + drift.left[rows] * widest[2]
            + _SLACK
        )
        # The exact pairs of clean articles (with the articles computed exactly) as more columns.
        slot = np.full(weights.n, -1, dtype=np.int64)
        slot[rows] = np.arange(len(rows))
        at = slot[exact[1]]
        mine = at >= 0
        order = np.argsort(at[mine], kind="stable")
        at, other, exact_sims = at[mine][order], exact[0][mine][order], exact[2][mine][order]
        column = np.arange(len(at)) - np.searchsorted(at, at, side="left")
        width = KEPT + (int(column.max()) + 1 if len(at) else 0)
        items = cls(
            rows=rows,
            mid=np.full((len(rows), width), -np.inf),
            half=np.zeros((len(rows), width)),
            who=np.full((len(rows), width), -1, dtype=np.int64),
            ok=np.zeros((len(rows), width), dtype=np.bool_),
            rest=rest,
        )
        items.mid[:, :KEPT], items.half[:, :KEPT], items.who[:, :KEPT], items.ok[:, :KEPT] = (
            sims,
            half,
            partner,
            ok,
        )
        items.mid[at, KEPT + column], items.who[at, KEPT + column], items.ok[at, KEPT + column] = (
            exact_sims,
            other,
            True,
        )
        items.sort()
        return items

    def sort(self, where: Any = slice(None)) -> None:
        """Best first within each row (the valid ones before the others)."""
        import numpy as np

        order = np.argsort(np.where(self.ok[where], -self.mid[where], np.inf), axis=1, kind="stable")
        for name in ("mid", "half", "who", "ok"):
            array = getattr(self, name)
            array[where] = np.take_along_axis(array[where], order, axis=1)

    def settled(self, where: Any = slice(None)) -> Any:
        """Whether each row's top-k is certain: its k best surely at or above the floor and surely
        above every other candidate and the rest (fewer than k: everything else surely below)."""
        import numpy as np

        ok, mid, half = self.ok[where], self.mid[where], self.half[where]
        top = np.minimum(ok.sum(axis=1), TOP_K)
        in_top = np.arange(ok.shape[1])[None, :] < top[:, None]
        lowest = np.where(in_top, mid - half, np.inf).min(axis=1)
        others = np.maximum(np.where(in_top | ~ok, -np.inf, mid + half).max(axis=1), self.rest[where])
        return (lowest >= FLOOR) & (others < np.where(top == TOP_K, lowest, FLOOR))

    def make_exact(self, where: Any, matrix: Any) -> None:
        """The kept neighbours of these rows (by position) given their similarities of now."""
        import numpy as np

        if not len(where):
            return
        rows = np.repeat(where, self.ok.shape[1]).reshape(len(where), -1)
        mask = self.ok[where] & (self.half[where] > 0)
        sims = _pair_sims(matrix, self.rows[rows[mask]], self.who[where][mask])
        mid, half, ok = self.mid[where], self.half[where], self.ok[where]
        mid[mask], half[mask], ok[mask] = sims, 0.0, sims >= FLOOR
        self.mid[where], self.half[where], self.ok[where] = mid, half, ok
        self.sort(where)

    def top(self, settled: Any) -> list[tuple[int, int]]:
        """The settled rows' top-k pairs (article, partner)."""
        import numpy as np

        top = np.minimum(self.ok.sum(axis=1), TOP_K)
        picked = (np.arange(self.ok.shape[1])[None, :] < top[:, None]) & settled[:, None]
        owner = np.broadcast_to(self.rows[:, None], picked.shape)[picked]
        return list(zip(owner.tolist(), self.who[picked].tolist(), strict=True))


def _baseline_of(weights: _Weights, hashes: Sequence[str], lists: tuple[Any, Any]) -> Baseline:
    """The full pass's lists by text (the first article of each text stands for it)."""
    import numpy as np

    text_number: dict[str, int] = {}
    first: list[int] = []
    for i, h in enumerate(hashes):
        if h not in text_number:
            text_number[h] = len(first)
            first.append(i)
    text_of = np.array([text_number[h] for h in hashes], dtype=np.int64)
    held = np.bincount(text_of, minlength=len(first))
    partners, sims = lists
    chosen = np.array(first, dtype=np.int64)
    kept = partners[chosen]
    return Baseline(
        hashes=list(text_number),
        once=held == 1,
        partners=np.where(kept >= 0, text_of[np.maximum(kept, 0)], -1),
        sims=sims[chosen],
        df=weights.df.copy(),
        count=weights.n,
    )


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
