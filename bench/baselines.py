"""Baselines the benchmarks compare the engine against (not part of the engine)."""

from __future__ import annotations


def jaccard(x: set[int], y: set[int]) -> float:
    """Jaccard similarity of two shingle sets: the textbook near-duplicate baseline."""
    if not x and not y:
        return 1.0
    return len(x & y) / len(x | y)
