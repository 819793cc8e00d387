"""The engine's answers: kinds of match, a pair's verdict, an alignment of two articles.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from tui.errors import TuiError

if TYPE_CHECKING:
    from tui.library.articles import Span


Kind = Literal["duplicate", "near-duplicate", "rewrite", "update", "partial", "related", "template"]


KINDS: tuple[Kind, ...] = get_args(Kind)


# Listed unless asked for: a template sibling is another story in the same form.
LISTED_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k != "template")


# The kinds of match that make two articles versions of one story: copies, rewrites, updates and
# partial copies. `related` stands beside a story, `template` is a sibling: neither ever joins one.
# The one list of them: `tui dupes`, intake and the stories all ask this.
STORY_KINDS: frozenset[Kind] = frozenset({"duplicate", "near-duplicate", "rewrite", "update", "partial"})


@dataclass(slots=True)
class Match:
    """One article's match: the other article's id, how close, what kind, and why."""

    id: str
    score: float
    kind: Kind
    reason: str

    @property
    def article_id(self) -> str:
        return self.id


@dataclass(slots=True)
class PairMatch:
    """A matching pair of the library (a < b)."""

    a: str
    b: str
    score: float
    kind: Kind
    reason: str


@dataclass(slots=True)
class AlignedPair:
    """Two sentences that say the same; `literal` is the share of their word pairs in common (1 = verbatim)."""

    a: Span
    b: Span
    score: float
    literal: float = 0.0


@dataclass(slots=True)
class ChangedPair:
    """One sentence and its other form: worded alike, with figures or names changed."""

    a: Span
    b: Span
    before: str  # the facts as a gives them ("3.5%")
    after: str  # and as b does ("3.25%")
    # The words that differ, in reading order: (a's words, b's words), either side may be "".
    words: list[tuple[str, str]] = field(default_factory=list)
    # Where those words are in each body (for marking them in a view).
    a_words: list[Span] = field(default_factory=list)
    b_words: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Repeat:
    """The same passage found more than once in one article, in text order; spans[1:] are copies."""

    spans: list[Span]


@dataclass(slots=True)
class Alignment:
    a_id: str
    b_id: str
    score: float
    kind: Kind | None
    reason: str
    pairs: list[AlignedPair]
    only_a: list[Span]
    only_b: list[Span]
    repeats_a: list[Repeat]
    repeats_b: list[Repeat]
    coverage_a: float = 0.0
    coverage_b: float = 0.0
    # Facts of one side that the other gives differently, as (in a, in b) surfaces: "66.00 cts" -> "65.75 cts".
    changes: list[tuple[str, str]] = field(default_factory=list)
    # The reason without the counts and figures that back it ("same story" for "same story: 2 of 5
    # sentences restated"): for a view that gives its own counts beside it.
    gist: str = ""
    # Sentences worded alike whose facts changed, each with its other form (not in only_a, only_b).
    changed: list[ChangedPair] = field(default_factory=list)
    # Sentences of each side with a partner (restated, or changed): the one set of counts every view shows.
    matched_a: int = 0
    matched_b: int = 0
    sentences_a: int = 0
    sentences_b: int = 0


class AlignmentTooLargeError(TuiError):
    """An article with more distinct sentences than alignment can handle in bounded time and memory."""
