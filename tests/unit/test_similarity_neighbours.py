"""The TF-IDF neighbours kept between builds: after any adds, edits and removals, the kept pass gives
exactly the pairs of a full pass over the library as it is."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tui.similarity import neighbours, tfidf

Row = tuple[Any, Any]


@pytest.fixture(autouse=True)
def kept_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small libraries here: the lists are kept as they are from KEPT_FROM articles on."""
    monkeypatch.setattr(neighbours, "KEPT_FROM", 0)


def article(generator: np.random.Generator, story: int, vocabulary: int) -> Row:
    """Articles of one story share most of its terms; each has a few of its own."""
    own = generator.integers(story * 30, story * 30 + 30, 18)
    rare = generator.integers(vocabulary, vocabulary * 3, 4)
    terms = np.unique(np.concatenate([own, rare]))
    counts = generator.integers(1, 4, len(terms))
    return terms.astype("<i4"), counts.astype("<i4")


def library(generator: np.random.Generator, size: int) -> tuple[list[Row], list[str]]:
    rows = [
        article(generator, int(generator.integers(0, size // 6 + 1)), 30 * (size // 6 + 1))
        for _ in range(size)
    ]
    return rows, [f"h{generator.integers(0, 2**62)}" for _ in rows]


def change(generator: np.random.Generator, rows: list[Row], hashes: list[str], steps: int) -> None:
    """Adds (some of them copies of a text already there, some versions of one), edits, removals."""
    for _ in range(steps):
        what = generator.integers(0, 5)
        at = int(generator.integers(0, len(rows) + 1))
        if what == 0 and rows:  # a removal
            del rows[min(at, len(rows) - 1)], hashes[min(at, len(hashes) - 1)]
        elif what == 1 and rows:  # the same text once more
            source = int(generator.integers(0, len(rows)))
            rows.insert(at, rows[source])
            hashes.insert(at, hashes[source])
        elif what == 2 and rows:  # a new version: one of the texts with a term more
            source = int(generator.integers(0, len(rows)))
            terms, counts = rows[source]
            extra = np.array([int(generator.integers(0, 4000))], dtype="<i4")
            kept = ~np.isin(extra, terms)
            rows.insert(
                at,
                (np.concatenate([terms, extra[kept]]), np.concatenate([counts, np.ones(kept.sum(), "<i4")])),
            )
            hashes.insert(at, f"h{generator.integers(0, 2**62)}")
        else:  # a new story or a new article of one
            rows.insert(at, article(generator, int(generator.integers(0, 40)), 1200))
            hashes.insert(at, f"h{generator.integers(0, 2**62)}")


@pytest.mark.parametrize("seed", range(6))
def test_kept_pass_gives_the_full_pass_pairs_after_any_changes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        tfidf, "COMMON_TERM_MIN", 10
    )  # terms cross the informative bounds as the library moves
    # A small library, where one article moves the IDF more than many do in a large one: wider bounds
    # and a larger share of exact rows let the kept lists serve (and be tested) here.
    monkeypatch.setattr(neighbours, "FULL_PASS_SHARE", 0.6)
    for module in (tfidf, neighbours):
        monkeypatch.setattr(module, "KEPT_MARGIN", 0.12)
    monkeypatch.setattr(neighbours, "CLEAN_DRIFT", 0.03)
    computed: list[int] = []
    exact_rows = neighbours._exact_rows

    def counted(matrix: Any, rows: Any) -> tuple[Any, Any, Any]:
        computed.append(len(rows))
        return exact_rows(matrix, rows)

    monkeypatch.setattr(neighbours, "_exact_rows", counted)
    generator = np.random.default_rng(seed)
    rows, hashes = library(generator, 240)
    full, baseline = neighbours.neighbour_pairs(rows, hashes, None)
    assert baseline is not None and full == tfidf.tfidf_pairs(rows)
    served = 0
    for _day in range(8):
        change(generator, rows, hashes, int(generator.integers(1, 8)))
        computed.clear()
        kept, after = neighbours.neighbour_pairs(rows, hashes, baseline)
        assert kept == tfidf.tfidf_pairs(rows)
        if after is baseline:
            served += 1
            assert sum(computed) < 0.7 * len(rows)  # the bounds settled the other rows
        baseline = neighbours.Baseline.from_bytes(after.to_bytes()) if after is not None else None
    assert served >= 5  # most days the kept lists served


def test_a_baseline_that_does_not_read_is_none() -> None:
    assert neighbours.Baseline.from_bytes(b"") is None
    assert neighbours.Baseline.from_bytes(b"not an archive") is None
    generator = np.random.default_rng(3)
    rows, hashes = library(generator, 60)
    _, baseline = neighbours.neighbour_pairs(rows, hashes, None)
    assert baseline is not None
    baseline.partners[0, 0] = len(baseline.hashes) + 5
    assert neighbours.Baseline.from_bytes(baseline.to_bytes()) is None


def test_a_library_whose_rows_all_settle_at_once() -> None:
    """Nothing in doubt (here: no article has a neighbour): nothing is computed again."""
    rows = [(np.array(terms, dtype="<i4"), np.ones(2, dtype="<i4")) for terms in ([1, 2], [3, 4], [5, 6])]
    hashes = ["a", "b", "c"]
    pairs, baseline = neighbours.neighbour_pairs(rows, hashes, None)
    assert pairs == set() and baseline is not None
    assert neighbours.neighbour_pairs(rows, hashes, baseline) == (set(), baseline)


def test_a_small_library_keeps_no_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    generator = np.random.default_rng(4)
    rows, hashes = library(generator, 60)
    pairs, baseline = neighbours.neighbour_pairs(rows, hashes, None)
    assert baseline is not None
    monkeypatch.setattr(neighbours, "KEPT_FROM", 61)
    assert neighbours.neighbour_pairs(rows, hashes, baseline) == (pairs, None)
