"""Stage 1: pairs worth verifying without comparing all pairs (hashes, MinHash LSH, TF-IDF).

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tui.cores import available_cores
from tui.similarity.prepared import _Features

NUM_PERM = 128


# LSH threshold below the 0.5 Jaccard we promise to catch, so that MinHash's estimation noise
# (about +-0.045 at 128 permutations) costs almost no recall.
LSH_THRESHOLD = 0.35


TOP_K = 8


def _candidates(features: Sequence[_Features], term_rows: Sequence[tuple[Any, Any]]) -> set[tuple[int, int]]:
    """Stage 1: pairs worth verifying, without comparing all pairs (`term_rows`: each article's term
    numbers and counts, in order)."""
    candidates: set[tuple[int, int]] = set()
    # Exact duplicates by hash of the normalised text.
    groups: dict[str, list[int]] = defaultdict(list)
    for i, feature in enumerate(features):
        groups[feature.key].append(i)
    for members in groups.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                candidates.add((i, j))
    candidates |= _lsh_candidates(features)
    candidates |= _tfidf_candidates(term_rows)
    return candidates


# MinHash: NUM_PERM hash functions x -> mix(a * x + b mod 2**32) with odd a (each a permutation of the
# 32-bit values; the shingles are crc32 values already), fixed by a seeded generator so signatures can
# be cached; LSH banding in LSH_BANDS bands of LSH_ROWS values (the choice datasketch makes for a 0.35
# threshold at 128 permutations: a pair at Jaccard 0.5 shares a band with probability 0.87, at 0.6 with
# 0.99; the TF-IDF neighbours catch most of the rest).
LSH_BANDS, LSH_ROWS = 32, 4


# Shingles hashed per numpy batch: bounds the (batch x NUM_PERM) work array to about 40 MB.
_MINHASH_BATCH_SHINGLES = 80_000


@functools.cache
def _minhash_parameters() -> tuple[Any, Any]:
    import numpy as np

    generator = np.random.default_rng(1)
    a = generator.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = generator.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
    return a, b


def _permuted(values: Any, a: Any, b: Any) -> Any:
    """The NUM_PERM hash functions applied to uint32 values: a (NUM_PERM x len(values)) array."""
    import numpy as np

    hashed = values[None, :] * a[:, None] + b[:, None]  # wraps modulo 2**32
    hashed ^= hashed >> np.uint32(16)
    hashed *= np.uint32(0x45D9F3B)
    hashed ^= hashed >> np.uint32(16)
    return hashed


def signature(shingles: Any) -> bytes | None:
    """One text's MinHash signature from its shingle hashes (as `_signatures` makes it, in bytes), or
    None for a text without shingles. Made where the text is prepared, in a worker when there are many."""
    import numpy as np

    if not len(shingles):
        return None
    a, b = _minhash_parameters()
    values = np.asarray(shingles, dtype=np.uint32)
    return _permuted(values, a, b).min(axis=1).astype("<u4").tobytes()  # type: ignore[no-any-return]


def _signatures(features: Sequence[_Features], members: list[int]) -> Any:
    """MinHash signatures (len(members) x NUM_PERM, uint32) of the given articles, reusing cached ones.

    A signature is kept in the article's features as its little-endian uint32 values.
    """
    import numpy as np

    a, b = _minhash_parameters()
    signatures = np.zeros((len(members), NUM_PERM), dtype=np.uint32)
    todo: list[int] = []
    for row, i in enumerate(members):
        raw = features[i].minhash or b""
        if len(raw) == 4 * NUM_PERM:
            signatures[row] = np.frombuffer(raw, dtype="<u4")
        else:
            todo.append(row)
    position = 0
    while position < len(todo):
        batch: list[int] = []
        size = 0
        while position < len(todo):
            length = len(features[members[todo[position]]].shingles)
            if batch and size + length > _MINHASH_BATCH_SHINGLES:
                break
            batch.append(todo[position])
            size += length
            position += 1
        values = np.fromiter(
            itertools.chain.from_iterable(features[members[row]].shingles for row in batch),
            dtype=np.uint32,
            count=size,
        )
        hashed = _permuted(values, a, b)
        lengths = np.array([len(features[members[row]].shingles) for row in batch])
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        minima = np.minimum.reduceat(hashed, offsets, axis=1).T
        for k, row in enumerate(batch):
            signatures[row] = minima[k]
            features[members[row]].minhash = minima[k].astype("<u4").tobytes()
            features[members[row]].shingles = ()  # the signature is all the index needs of them now
    return signatures


def _lsh_candidates(features: Sequence[_Features]) -> set[tuple[int, int]]:
    """Near-duplicates: MinHash LSH over word 5-shingles (one entry per distinct text)."""
    import numpy as np

    representative: dict[str, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for i, feature in enumerate(features):
        if not feature.shingle_count:
            continue
        first = representative.setdefault(feature.key, i)
        members[first].append(i)
    distinct = list(members)
    if len(distinct) < 2:
        return set()
    signatures = _signatures(features, distinct)
    found: set[tuple[int, int]] = set()
    for band in range(LSH_BANDS):
        # The band's values as one key: its bytes, compared whole.
        block = np.ascontiguousarray(signatures[:, band * LSH_ROWS : (band + 1) * LSH_ROWS])
        keys = block.view(np.dtype((np.void, 4 * LSH_ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        ends = np.concatenate((starts[1:], [len(sorted_keys)]))
        for lo, hi in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True):
            rows = order[lo:hi].tolist()
            for x, r1 in enumerate(rows):
                for r2 in rows[x + 1 :]:
                    i, j = distinct[r1], distinct[r2]
                    found.add((i, j) if i < j else (j, i))
    candidates: set[tuple[int, int]] = set()
    for i, j in found:
        for x in members[i]:
            for y in members[j]:
                if x != y:
                    candidates.add((min(x, y), max(x, y)))
    return candidates


# In the TF-IDF neighbour search, terms found in more than this share of the articles (and at least
# COMMON_TERM_MIN of them) are left out of the products: they say little about which articles match
# and make every article a neighbour of every other. Norms still count them.
COMMON_TERM_SHARE = 0.02


COMMON_TERM_MIN = 100


# Rows of the library multiplied at a time in the TF-IDF neighbour search, and how many such blocks
# are multiplied at once: scipy's sparse products and numpy's array work let the GIL go, so threads
# use the cores (at 95,000 articles the products are most of a refresh of the index).
TFIDF_BLOCK_ROWS = 512


TFIDF_THREADS = 2


# The articles (the product's columns) in this many groups, cut at block boundaries: a block is
# multiplied only by its own group and those after it, so each pair's similarity is computed about
# once (from its earlier article's row) and half the products are never made.
TFIDF_COLUMN_GROUPS = 16


def _tfidf_candidates(
    term_rows: Sequence[tuple[Any, Any]], top_k: int = TOP_K, floor: float = 0.2
) -> set[tuple[int, int]]:
    """Rewrites and related stories: top-k neighbours by TF-IDF cosine over content words and names.

    `term_rows`: each article's (term numbers, counts), int32 arrays, numbered by one vocabulary kept
    with the index. Ties are broken by article order and similarities rounded to 1e-5, so that the
    neighbours do not depend on how the vocabulary happened to be numbered (an index kept up to date
    and one built afresh number it differently): a pair's similarity is summed over its earlier
    article's terms in that article's order, whichever block or thread computes it."""
    import numpy as np

    n = len(term_rows)
    matrix = _tfidf_matrix(term_rows) if n >= 2 else None
    if matrix is None:
        return set()
    starts = list(range(0, n, TFIDF_BLOCK_ROWS))
    per_group = -(-len(starts) // TFIDF_COLUMN_GROUPS)
    bounds = [*starts[::per_group], n]
    columns = [matrix[lo:hi].T.tocsr() for lo, hi in itertools.pairwise(bounds)]

    def above_floor(start: int) -> tuple[Any, Any, Any]:
        rows = matrix[start : start + TFIDF_BLOCK_ROWS]
        own = max(g for g, lo in enumerate(bounds[:-1]) if lo <= start)
        found = [_upper_pairs(rows @ columns[g], start, bounds[g], floor) for g in range(own, len(columns))]
        return (
            np.concatenate([f[0] for f in found]),
            np.concatenate([f[1] for f in found]),
            np.concatenate([f[2] for f in found]),
        )

    threads = max(1, min(TFIDF_THREADS, _cores(), len(starts)))
    if threads == 1:
        blocks = [above_floor(start) for start in starts]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads, thread_name_prefix="tfidf") as pool:
            blocks = list(pool.map(above_floor, starts))
    first, second, sims = (np.concatenate([block[k] for block in blocks]) for k in range(3))
    # Each pair once as (earlier, later): every article's list takes it from both sides.
    pairs = _top_k(
        np.concatenate([first, second]), np.concatenate([second, first]), np.tile(sims, 2), top_k, n
    )
    return {(int(p // n), int(p % n)) for p in pairs.tolist()}


_cores = available_cores  # a name of its own here: tests set it


def _tfidf_matrix(term_rows: Sequence[tuple[Any, Any]]) -> Any:
    """The articles' unit TF-IDF rows (a CSR matrix), only informative terms among its columns; None
    when no article has a term."""
    import numpy as np
    from scipy import sparse

    n = len(term_rows)
    lengths = np.fromiter((len(ids) for ids, _ in term_rows), dtype=np.int64, count=n)
    if not lengths.sum():
        return None
    columns = np.concatenate([ids for ids, _ in term_rows]).astype(np.int32)
    counts = np.concatenate([c for _, c in term_rows]).astype(np.float32)
    width = int(columns.max()) + 1
    values = 1.0 + np.log(counts)  # sublinear tf
    df = np.bincount(columns, minlength=width)
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    values *= idf[columns]
    row_of = np.repeat(np.arange(n), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=n)).astype(np.float32)
    norms[norms == 0] = 1.0
    values /= norms[row_of]
    informative = (df >= 2) & (df <= max(COMMON_TERM_MIN, COMMON_TERM_SHARE * n))
    keep = informative[columns]
    return sparse.csr_matrix(
        (
            values[keep],
            columns[keep],
            np.concatenate(([0], np.cumsum(np.bincount(row_of[keep], minlength=n)))),
        ),
        shape=(n, width),
        dtype=np.float32,
    )


def _upper_pairs(block: Any, start: int, first_column: int, floor: float) -> tuple[Any, Any, Any]:
    """(rows, columns, similarities) of a block of products (rows from `start` on, columns from
    `first_column` on) at or above `floor` once rounded to 1e-5, each pair only from its earlier row."""
    import numpy as np

    # Most products are far below the floor: those near or above it are picked out of the CSR arrays
    # before anything else is made (rounded to 1e-5 a value below floor - 1e-4 stays below floor).
    near = np.flatnonzero(block.data >= floor - 1e-4)
    sims = np.round(block.data[near], 5)
    above = sims >= floor
    near, sims = near[above], sims[above]
    rows = np.searchsorted(block.indptr, near, side="right").astype(np.int64) - 1 + start
    cols = block.indices[near].astype(np.int64) + first_column
    later = cols > rows
    return rows[later], cols[later], sims[later]


def _top_k(rows: Any, cols: Any, sims: Any, top_k: int, n: int) -> Any:
    """The distinct pairs (smaller * n + larger) of each row with its top-k columns, best first,
    ties by article order."""
    import numpy as np

    order = np.lexsort((cols, -sims, rows))
    rows, cols = rows[order], cols[order]
    first = np.concatenate(([True], rows[1:] != rows[:-1]))
    starts = np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    best = (np.arange(len(rows)) - starts) < top_k
    rows, cols = rows[best], cols[best]
    return np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))
