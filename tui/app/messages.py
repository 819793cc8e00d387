"""Messages between the app, its workers and the screens (all dataclasses).

One rule: a reusable widget's messages nest in the widget that posts them (`ArticleView.CursorMoved`,
`ArticleTable.Selected`), as Textual's own widgets do; every other message (background work
reporting back, the app telling screens that data changed, a screen asking the app to open another)
lives here. Nothing here imports a widget or a screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.annotations import Anchored, Annotation, AnnotationStore
    from tui.library.articles import Article, Library
    from tui.library.filter import FilterRows
    from tui.similarity import Alignment, Repeat, SimilarityIndex
    from tui.stories import Echo, Home, Stories
    from tui.stories.views import StoryView


# --------------------------------------------------------------------------- background work, to the app


@dataclass
class LibraryLoaded(Message):
    """The articles are loaded (the annotation store follows in StoreOpened)."""

    library: Library
    twins: dict[str, str] | None = None  # made in the worker (see LibraryScreen.show_library)
    rows: FilterRows | None = None
    # False for the library as the cache last saw it, shown first; a verified one (the same object
    # when nothing changed) follows once the folder has been read.
    verified: bool = True


@dataclass
class StoreOpened(Message):
    store: AnnotationStore | None
    problem: str | None


@dataclass
class LibraryFailed(Message):
    error: str


@dataclass
class IndexProgress(Message):
    done: int
    total: int


@dataclass
class IndexReady(Message):
    index: SimilarityIndex
    library: Library | None = None  # the articles read whole for the index, for the stories


@dataclass
class IndexFailed(Message):
    error: str


@dataclass
class StoriesReady(Message):
    """The library's stories are built (None: they could not be); sent by the app to itself."""

    stories: Stories | None
    carried: list[tuple[Annotation, Home]]  # carried over verbatim at once


@dataclass
class Written(Message):
    """A write is on disk; the app says so and redraws. Posted by the app's write workers."""

    notice: str
    article_ids: set[str] | None  # redraw these articles (empty: every screen); None: nothing changed
    annotation: Annotation | None = None  # what was written, when there is one
    then: Callable[[Annotation], None] | None = None  # what comes next, on the UI thread
    timeout: float = 2


# --------------------------------------------------------------------------- the app, to its screens


@dataclass
class AnnotationsChanged(Message):
    """The store changed; screens showing annotations redraw (no ids: any article may have)."""

    article_ids: set[str]


@dataclass
class IndexChanged(Message):
    """The similarity index is built: screens showing matches redraw."""


@dataclass
class StoriesChanged(Message):
    """The stories are built: screens showing stories or echoes redraw."""


# --------------------------------------------------------------------------- screens, to the app


@dataclass
class OpenArticle(Message):
    article_id: str
    offset: int | None = None


@dataclass
class OpenCompare(Message):
    article: Article
    other_id: str | None = None  # None: its closest match
    offset: int | None = None


@dataclass
class OpenNotes(Message):
    article_id: str | None  # None: every article's notes


@dataclass
class OpenStory(Message):
    article_id: str


# --------------------------------------------------------------------------- screens' own workers, to their screen


@dataclass
class EchoesFound(Message):
    """Other versions' annotations as they fall on one article."""

    article_id: str
    echoes: list[Echo]


@dataclass
class RepeatsFound(Message):
    """Sentences an article repeats (the Reader marks them)."""

    repeats: list[Repeat]


@dataclass
class AlignmentReady(Message):
    a_id: str
    b_id: str
    alignment: Alignment | None
    error: str | None = None


@dataclass
class NotesAnchored(Message):
    """The Notes screen's annotations, anchored in their articles (in a worker)."""

    article_id: str | None  # None: every article's
    scope: str  # the title of what is listed
    rows: list[Anchored]


@dataclass
class StoryLoaded(Message):
    view: StoryView  # the story (aligned) and its notes with their echoes and homes


@dataclass
class HomesFound(Message):
    """Orphaned annotations and their candidate homes in the story (the Reader and Notes screens)."""

    article_id: str | None  # the article whose orphans these are (None: every article's)
    orphans: list[Annotation]  # in text order
    homes: dict[str, list[Home]]  # annotation id -> candidate homes, newest first
    stories_ready: bool  # False while the stories are still being built: homes may follow
