"""What the Reader and Compare screens share: acting on the article views' annotation requests.

The views ask (HighlightRequested, NoteRequested, ...); this screen asks the app to write, and
redraws the highlights when the store says something changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.screen import Screen

from tui.messages import (
    AnnotationsChanged,
    DeleteRequested,
    HighlightRequested,
    NoteRequested,
    TagsRequested,
    UndoRequested,
)
from tui.screens.dialogs import NoteEditorScreen, TagsScreen
from tui.widgets.article_view import ArticleView, HighlightMark

if TYPE_CHECKING:
    from tui.app import TuiApp
    from tui.articles import Article


class AnnotatingScreen(Screen[Any]):
    app: TuiApp

    def views(self) -> list[ArticleView]:
        return list(self.query(ArticleView))

    def refresh_highlights(self, view: ArticleView) -> None:
        view.set_highlights(self.highlight_marks(view.article))

    def highlight_marks(self, article: Article) -> list[HighlightMark]:
        if self.app.store is None:
            return []
        from tui.store import anchor_all

        marks: list[HighlightMark] = []
        for placed in anchor_all(self.app.annotations_for(article.id), article):
            if placed.start is None or placed.end is None:
                continue  # orphaned: listed in Notes, not drawn
            marks.append(
                HighlightMark(
                    placed.annotation.id,
                    placed.start,
                    placed.end,
                    placed.annotation.color,
                    placed.annotation.note or "",
                )
            )
        return marks

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        for view in self.views():
            if not message.article_ids or view.article.id in message.article_ids:
                self.refresh_highlights(view)

    @on(HighlightRequested)
    def highlight_requested(self, message: HighlightRequested) -> None:
        if message.annotation_id is not None and message.color is not None:
            self.app.update_annotation(message.annotation_id, color=message.color)
        else:
            self.app.add_highlight(message.view.article, message.start, message.end, message.color)

    def _annotation_for(self, message: NoteRequested | TagsRequested) -> Any:
        """The annotation a note or tag request is about, made first if there is none."""
        if message.annotation_id is not None:
            return self.read_annotation(message.annotation_id, message.view)
        return self.app.add_highlight(message.view.article, message.start, message.end)

    def read_annotation(self, annotation_id: str, view: ArticleView) -> Any:
        """The stored annotation, or None when it is gone (deleted by another process, or the
        store became unreadable): then say so and redraw, so the stale highlight disappears."""
        from tui.errors import TuiError

        if self.app.store is None:
            return None
        try:
            return self.app.store.get(annotation_id)
        except (TuiError, OSError, KeyError):
            self.app.notify(
                "That highlight was deleted elsewhere (by another tui); it is gone from here too.",
                severity="warning",
                markup=False,
            )
            self.refresh_highlights(view)
            return None

    @on(NoteRequested)
    def note_requested(self, message: NoteRequested) -> None:
        annotation = self._annotation_for(message)
        if annotation is not None:
            edit_note(self.app, annotation)

    @on(TagsRequested)
    def tags_requested(self, message: TagsRequested) -> None:
        annotation = self._annotation_for(message)
        if annotation is not None:
            edit_tags(self.app, annotation)

    @on(DeleteRequested)
    def delete_requested(self, message: DeleteRequested) -> None:
        self.app.delete_annotation(message.annotation_id)

    @on(UndoRequested)
    def undo_requested(self, message: UndoRequested) -> None:
        self.app.undo()


def edit_note(app: TuiApp, annotation: Any, text: str | None = None) -> None:
    """Open the note editor; a failed save reopens it with the text typed, so nothing is lost."""

    def done(result: str | None) -> None:
        if result is None or (result == annotation.note and text is None):
            return
        if app.update_annotation(annotation.id, note=result) is None:
            edit_note(app, annotation, result)

    # text kept from a failed save still counts as a change, so Escape asks before dropping it
    editor = NoteEditorScreen(
        annotation.exact, annotation.note if text is None else text, original=annotation.note
    )
    app.push_screen(editor, done)


def edit_tags(app: TuiApp, annotation: Any, typed: list[str] | None = None) -> None:
    """Open the tag editor; a failed save reopens it with the tags typed."""

    def done(tags: list[str] | None) -> None:
        if tags is None or tags == list(annotation.tags):
            return
        if app.update_annotation(annotation.id, tags=tags) is None:
            edit_tags(app, annotation, tags)

    shown = list(annotation.tags) if typed is None else typed
    app.push_screen(TagsScreen(shown, app.all_tags()), done)
