"""Messages of the reading app. Widgets ask with these; screens and the app act on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tui.articles import Library
    from tui.widgets.article_view import ArticleView


# --------------------------------------------------------------------------- background work


@dataclass
class LibraryLoaded(Message):
    """The articles are loaded (the annotation store follows in StoreOpened)."""

    library: Library


@dataclass
class StoreOpened(Message):
    store: Any  # tui.store.AnnotationStore | None (imported in the worker only)
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
    index: Any  # tui.similarity.SimilarityIndex


@dataclass
class IndexFailed(Message):
    error: str


@dataclass
class AnnotationsChanged(Message):
    """The store changed; screens showing annotations redraw. Sent by the app to screens."""

    article_ids: set[str]


# --------------------------------------------------------------------------- requests from the article view


@dataclass
class ViewMessage(Message):
    view: ArticleView

    @property
    def control(self) -> ArticleView:
        return self.view


@dataclass
class CursorMoved(ViewMessage):
    offset: int


@dataclass
class ViewScrolled(ViewMessage):
    """The view scrolled by itself (mouse wheel, scrollbar), not by a cursor move."""


@dataclass
class HighlightRequested(ViewMessage):
    start: int
    end: int
    color: str | None  # None: the default color
    annotation_id: str | None  # set: recolor this annotation instead of adding one


@dataclass
class NoteRequested(ViewMessage):
    start: int
    end: int
    annotation_id: str | None


@dataclass
class TagsRequested(ViewMessage):
    start: int
    end: int
    annotation_id: str | None


@dataclass
class DeleteRequested(ViewMessage):
    annotation_id: str


@dataclass
class UndoRequested(ViewMessage):
    pass


@dataclass
class SearchMoved(ViewMessage):
    index: int  # 0-based match under the cursor
    total: int


# --------------------------------------------------------------------------- stories


@dataclass
class StoriesReady(Message):
    """The library's stories are built (tui.stories.Stories); sent by the app to itself."""

    stories: Any
    carried: list[Any]  # (annotation, home) pairs carried over verbatim at once


@dataclass
class EchoesFound(Message):
    """Other versions' annotations as they fall on one view's article (tui.stories.Echo)."""

    view: ArticleView
    echoes: list[Any]
