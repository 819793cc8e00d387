"""The full pass's neighbour lists kept between builds, and the passes that answer from them.

A full pass (`tfidf.py`) keeps each text's best neighbours (`Baseline`), so that a library that
changed a little is answered by `_kept_pass` with the same pairs, exactly, at the cost of the changed
articles' rows: the IDF moves with every article added, but only a little, and how far each
article's unit vector has moved since the full pass bounds how far each of its similarities can have
moved. Rows whose top-k those bounds leave in doubt are computed exactly.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.similarity.tfidf import (
    FLOOR,
    KEPT,
    KEPT_MARGIN,
    TFIDF_BLOCK_ROWS,
    TOP_K,
    _full_pass,
    _top_k,
    _upper_pairs,
    _Weights,
)

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


def _drift(weights: _Weights, df: Any, n: int) -> _Drift:
    """How far each article's (informative, unit) vector is from what it was under `df` and n."""
    import numpy as np

    now, keep_now = weights.values, weights.informative
    then, keep_then = weights.unit_values(df, n)
    flipped = keep_now != keep_then

    def norms(values: Any) -> Any:
        return np.sqrt(
            np.bincount(weights.row_of, weights=values.astype(np.float64) ** 2, minlength=weights.n)
        )

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


def _kept_pass(weights: _Weights, hashes: Sequence[str], baseline: Baseline) -> set[tuple[int, int]] | None:
    """The full pass's pairs, from the baseline's lists and the exact rows of the articles the
    lists cannot settle; None when those are so many that a full pass costs about the same."""
    import numpy as np

    n = weights.n
    then = _baseline_rows(hashes, baseline)
    drift = _drift(weights, baseline.df, baseline.count)
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
    held = Counter(hashes)
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
        items.mid[:, :KEPT] = sims
        items.half[:, :KEPT] = half
        items.who[:, :KEPT] = partner
        items.ok[:, :KEPT] = ok
        items.mid[at, KEPT + column] = exact_sims
        items.who[at, KEPT + column] = other
        items.ok[at, KEPT + column] = True
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
        top, in_top = _head(ok)
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

        picked = _head(self.ok)[1] & settled[:, None]
        owner = np.broadcast_to(self.rows[:, None], picked.shape)[picked]
        return list(zip(owner.tolist(), self.who[picked].tolist(), strict=True))


def _head(ok: Any) -> tuple[Any, Any]:
    """How many of each row's candidates (valid ones first) make its top-k, and which positions."""
    import numpy as np

    top = np.minimum(ok.sum(axis=1), TOP_K)
    return top, np.arange(ok.shape[1])[None, :] < top[:, None]


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
