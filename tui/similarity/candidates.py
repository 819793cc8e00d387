"""Stage 1: pairs worth verifying without comparing all pairs (hashes, MinHash LSH, TF-IDF).

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tui.similarity.neighbours import Baseline, neighbour_pairs
from tui.similarity.prepared import _Features

NUM_PERM = 128


# LSH threshold below the 0.5 Jaccard we promise to catch, so that MinHash's estimation noise
# (about +-0.045 at 128 permutations) costs almost no recall.
LSH_THRESHOLD = 0.35


def _candidates(
    features: Sequence[_Features],
    term_rows: Sequence[tuple[Any, Any]],
    hashes: Sequence[str],
    baseline: Baseline | None,
) -> tuple[set[tuple[int, int]], Baseline | None]:
    """Stage 1: pairs worth verifying, without comparing all pairs (`term_rows`: each article's term
    numbers and counts, in order; `hashes`: its content hash), and the TF-IDF baseline to keep."""
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
    neighbours, baseline = neighbour_pairs(term_rows, hashes, baseline)
    return candidates | neighbours, baseline


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
