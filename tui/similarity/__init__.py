"""Near-duplicates, rewrites and related articles: a two-stage engine with sentence alignment.

Stage 1 (`candidates`) proposes pairs without comparing all pairs: exact duplicates by a hash of the
normalised text, near-duplicates by MinHash LSH over word 5-shingles, rewrites and related stories by
a TF-IDF top-k cosine shortlist. Stage 2 verifies every candidate by aligning sentences (`alignment`),
which tells a reworded copy (most sentences restated) from independent coverage of the same event, and
judges the pair (`verdict`) by the agreement of their facts (`tui.similarity.facts`), which tells a copy from a
template sibling and from an update. `compare` aligns any two articles for a reader; `index` keeps
the library's pairs on disk. The stages, in the order a pair goes through them:

    text → repeats → prepared → alignment → verdict → compare | candidates → index

Pure core: no Textual, no Rich; numpy and scipy are imported only inside the functions that need
them, so importing this package is cheap.
"""

from __future__ import annotations

from tui.similarity.compare import compare
from tui.similarity.index import INDEX_VERSION, SimilarityIndex
from tui.similarity.model import (
    KINDS,
    LISTED_KINDS,
    STORY_KINDS,
    AlignedPair,
    Alignment,
    AlignmentTooLargeError,
    ChangedPair,
    Kind,
    Match,
    PairMatch,
    Repeat,
)
from tui.similarity.prepared import wording_shared
from tui.similarity.repeats import find_repeats
from tui.similarity.text import normalise, shingles, stem, words
from tui.similarity.verdict import MAX_ALIGNED_SENTENCES, MAX_ALIGNED_WORDS, MOSTLY_SAME_WORDS

__all__ = [
    "INDEX_VERSION",
    "KINDS",
    "LISTED_KINDS",
    "MAX_ALIGNED_SENTENCES",
    "MAX_ALIGNED_WORDS",
    "MOSTLY_SAME_WORDS",
    "STORY_KINDS",
    "AlignedPair",
    "Alignment",
    "AlignmentTooLargeError",
    "ChangedPair",
    "Kind",
    "Match",
    "PairMatch",
    "Repeat",
    "SimilarityIndex",
    "compare",
    "find_repeats",
    "normalise",
    "shingles",
    "stem",
    "words",
    "wording_shared",
]
