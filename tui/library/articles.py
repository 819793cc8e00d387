"""Articles: the model (an article, its spans, the library of them) and what files count as articles.

The parser that pulls out metadata, drops page furniture and segments lives in `tui.library.parsing`
(with its rules in `layout`, `dates`, `markdown_files` and `segmentation`); the folder walk, file
decoding and the cache of parsed articles in `tui.library.loader`.

Knows nothing of Textual. Everything here works on plain strings and returns dataclasses, so the
CLI, the app and the similarity engine share one reading of every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import overload

from tui.errors import TuiError, UnknownArticleError, UsageError

SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
MAX_FILE_BYTES = 10 * 1024 * 1024  # a news article is < 100 KB; 10 MB is surely not one
CACHE_VERSION = 9  # bump when parsing or segmentation changes: cached articles are parsed again
TITLE_MAX_CHARS = 90
# A dataset's own papers, not its articles: README.md, LICENSE.txt, CHANGELOG… (any case, any suffix).
NOT_ARTICLE_NAMES = frozenset(
    {"readme", "license", "licence", "changelog", "changes", "copying", "notice", "authors", "contributing"}
)
NOT_ARTICLE_REASON = "not an article: a README, LICENSE or the like (such names are skipped by default)"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of characters in an article's body."""

    start: int
    end: int


@dataclass(slots=True)
class Article:
    id: str
    path: Path
    title: str
    source: str | None
    author: str | None
    published: datetime | None
    subtitle: str | None
    body: str
    paragraphs: list[Span]
    sentences: list[Span]
    captions: list[str]
    content_hash: str
    encoding: str = "utf-8"
    words: int = 0
    # Captions are text a reader quotes: they follow the paragraphs in `body` (so no offset of the
    # article's own text moves), one span each, and are neither paragraphs nor sentences.
    caption_spans: list[Span] = field(default_factory=list)
    day_only: bool = False  # the source gave the day of publication, no time of day
    # Markdown the body no longer shows: (start, end, kind) flat, kind "h1".."h6" for a heading
    # paragraph, "strong" for a bold passage. The reader draws them; offsets are the body's.
    structure: list[int | str] = field(default_factory=list)
    url: str | None = None  # where the article was read from (front matter `url`), if it says
    added: datetime | None = None  # when `tui add` or a fetch put it in the library (front matter `added`)

    def forget_text(self) -> None:
        """Let go of the text when it can be read again (a library's lazy articles); a whole
        article keeps it. Called by work that reads many texts once (the index's cold build)."""

    def text(self, span: Span) -> str:
        return self.body[span.start : span.end]

    def caption_index(self, offset: int) -> int | None:
        """The 0-based caption holding `offset`, or None when it is in the article's text."""
        for index, span in enumerate(self.caption_spans):
            if span.start <= offset < span.end:
                return index
        return None

    def paragraph_index(self, offset: int) -> int:
        """The 0-based paragraph holding `offset` (the nearest before it, between paragraphs)."""
        found = 0
        for index, paragraph in enumerate(self.paragraphs):
            if paragraph.start > offset:
                break
            found = index
        return found


@dataclass(slots=True)
class Skipped:
    path: Path
    reason: str


@dataclass(slots=True)
class Library:
    root: Path
    articles: list[Article]
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _by_id: dict[str, Article] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {article.id: article for article in self.articles}

    def __repr__(self) -> str:
        # Not every article's repr: a library can hold 100 MB of text, and debug output (a worker's
        # description, a log line) must not copy it.
        return f"Library({str(self.root)!r}, {len(self.articles)} articles, {len(self.skipped)} skipped)"

    def get(self, article_id: str) -> Article:
        """The article with this id, or with the one id that starts with it (`tui compare 000 002`)."""
        found = self._by_id.get(article_id)
        if found is not None:
            return found
        if article_id:
            starting = [key for key in self._by_id if key.startswith(article_id)]
            if len(starting) == 1:
                return self._by_id[starting[0]]
            if len(starting) > 1:
                shown = ", ".join(sorted(starting)[:5]) + (", …" if len(starting) > 5 else "")
                raise UsageError(
                    f"ambiguous article id {article_id!r}: it starts {len(starting)} ids ({shown})"
                )
        raise UnknownArticleError(article_id)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)


class ArticleError(TuiError):
    """A file that cannot be read as an article; the library skips it and says why."""


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def spans_flat(spans: Sequence[Span]) -> list[int]:
    if isinstance(spans, SpanList):
        return spans.flat()
    return [value for span in spans for value in (span.start, span.end)]


class SpanList(Sequence[Span]):
    """Spans kept as a flat list of offsets, made into Span objects only when read.

    A warm start loads ~90,000 sentence spans for the BBC library; most are never looked at by
    `tui list`, and building them all was a fifth of the start-up time. The offsets themselves may
    be made when first read (`make`): an article's sentences are found only when something reads
    them, not while a library is listed.
    """

    __slots__ = ("_flat", "_make", "_spans")

    def __init__(self, flat: list[int] | None, make: Callable[[], list[int]] | None = None) -> None:
        assert flat is not None or make is not None
        self._flat = flat
        self._make = make
        self._spans: list[Span] | None = None

    def flat(self) -> list[int]:
        """The offsets, flat: start, end, start, end..."""
        if self._flat is None:
            assert self._make is not None
            self._flat, self._make = self._make(), None
        return self._flat

    def _all(self) -> list[Span]:
        if self._spans is None:
            flat = self.flat()
            self._spans = [Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
        return self._spans

    def __len__(self) -> int:
        return len(self.flat()) // 2

    @overload
    def __getitem__(self, index: int) -> Span: ...
    @overload
    def __getitem__(self, index: slice) -> list[Span]: ...
    def __getitem__(self, index: int | slice) -> Span | list[Span]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Span]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __reduce__(self) -> tuple[type[SpanList], tuple[list[int]]]:
        return SpanList, (self.flat(),)  # offsets still to be made are made: a function does not pickle

    def __repr__(self) -> str:  # made for the moment, not kept: a repr must not grow the memory held
        flat = self.flat()
        return f"SpanList({[Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]!r})"


def spans_from(flat: list[int]) -> list[Span]:
    return SpanList(flat)  # type: ignore[return-value]  # a read-only list for every reader
