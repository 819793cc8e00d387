"""The story model: a story, its versions and passages, and where a note stands in the other versions.

What the core hands the screens and the export, typed; JSON is made of it at the CLI's edge only
(`tui.cli.story_json`). Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from tui.errors import UsageError

if TYPE_CHECKING:
    from tui.library.articles import Span
    from tui.similarity import PairMatch

STORY_ID_PREFIX = "s-"

EchoMatch = Literal["verbatim", "reworded", "changed", "absent"]


class UnknownStoryError(UsageError):
    def __init__(self, wanted: str) -> None:
        super().__init__(f"no story or article with id {wanted!r} (see `tui stories`)")


@dataclass(slots=True, frozen=True)
class Version:
    """One article of a story; `kind` and `score` say how it matches the story's first version
    (or the closest earlier one); both are None for the first version itself."""

    article_id: str
    title: str
    source: str | None
    published: datetime | None
    kind: str | None
    score: float | None
    reason: str
    words: int
    content_hash: str


@dataclass(slots=True, frozen=True)
class Passage:
    """Sentences aligned across versions: the span of each version that carries it, in time order
    (`spans.get(article_id)` is None for a version without it)."""

    spans: dict[str, Span | None]
    # The figures (numbers) of each carrying version, when they do not all agree.
    figures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def figures_changed(self) -> bool:
        return bool(self.figures)

    def carriers(self) -> list[str]:
        return [article_id for article_id, span in self.spans.items() if span is not None]


@dataclass(slots=True)
class Story:
    """A story: filled in place with its passages when first aligned (`Stories.align`)."""

    id: str
    title: str
    versions: list[Version]  # in time order: dated first, oldest first; undated after, fullest first
    related: list[str]
    pairs: list[PairMatch]
    passages: list[Passage] = field(default_factory=list)
    aligned: bool = False

    @property
    def version_ids(self) -> list[str]:
        return [version.article_id for version in self.versions]

    def version(self, article_id: str) -> Version:
        for version in self.versions:
            if version.article_id == article_id:
                return version
        raise KeyError(article_id)

    def __contains__(self, article_id: object) -> bool:
        return any(version.article_id == article_id for version in self.versions)

    def newest_first(self) -> list[str]:
        """Version ids, newest first: dated ones by date, then undated ones."""
        dated = [v for v in self.versions if v.published is not None]
        undated = [v for v in self.versions if v.published is None]
        return [v.article_id for v in reversed(dated)] + [v.article_id for v in undated]


@dataclass(slots=True, frozen=True)
class Echo:
    """Where an annotation of one version stands in another version of its story."""

    annotation_id: str
    source_id: str  # the version the annotation was made on
    article_id: str  # the version this echo falls on
    start: int | None
    end: int | None
    text: str
    match: EchoMatch
    note: str = ""
    color: str = "yellow"
    # For a `changed` echo: the quote's facts that this version gives otherwise ("6-3/8 pct → 6-1/16 pct").
    change: str = ""

    @property
    def placed(self) -> bool:
        return self.start is not None


@dataclass(slots=True, frozen=True)
class Home:
    """A place in another version where an orphaned note can live again."""

    article_id: str
    start: int
    end: int
    text: str
    match: EchoMatch  # verbatim or reworded
    carry: bool  # verbatim in a copy or update: carried over at once, without asking
