"""What the Reader and Compare screens share: acting on the article views' annotation requests.

The views ask (HighlightRequested, NoteRequested, ...); this screen asks the app to write, and
redraws the highlights when the store says something changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from tui.app.messages import AnnotationsChanged, EchoesFound, StoriesChanged
from tui.app.screens.dialogs import ConfirmScreen, EchoNoteScreen, NoteEditorScreen, TagsScreen
from tui.app.widgets.article_marks import EchoMark, HighlightMark
from tui.app.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.worker import Worker

    from tui.annotations import Annotation
    from tui.app.session import SessionApp
    from tui.library.articles import Article
    from tui.stories import Echo


class AnnotatingScreen(Screen[None]):
    app: SessionApp

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)

    @dataclass
    class HighlightsPlaced(Message):
        """One article's highlights, anchored in its current text off the UI thread."""

        article_id: str
        turn: int  # the request it answers: an older one's result is dropped
        marks: list[HighlightMark]

    # Echoes: other versions' notes drawn on this one (named in the echo notice, not the footer).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("E", "echo_note", "The echo's note", show=False, id="annotate.echo_note"),
        Binding("y", "adopt_echo", "Adopt the echo as this version's note", show=False, id="annotate.adopt"),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._echoes: dict[str, list[Echo]] = {}  # article id -> echoes, as last drawn
        self._anchor_turns: dict[str, int] = {}  # article id -> the latest anchoring asked for

    def offers(self, action: str) -> bool:
        """Whether the palette offers an action here: the echo actions only on an echo (their keys
        still work elsewhere, to say there is none)."""
        if action in ("echo_note", "adopt_echo"):
            return self._echo_under_cursor() is not None
        return True

    def _echo_under_cursor(self) -> EchoMark | None:
        focused = self.focused
        views = [focused] if isinstance(focused, ArticleView) else self.views()
        for view in views:
            if view.is_mounted:
                echo = view.echo_under_cursor()
                if echo is not None:
                    return echo
        return None

    def views(self) -> list[ArticleView]:
        return list(self.query(ArticleView))

    def refresh_highlights(self, view: ArticleView) -> None:
        """Anchor the article's highlights in a worker (a long article with many notes takes more
        than a frame); `on_highlights_placed` draws them."""
        article = view.article
        turn = self._anchor_turns.get(article.id, 0) + 1
        self._anchor_turns[article.id] = turn
        self.anchor_highlights(article, turn)

    @work(thread=True, group="anchoring", exit_on_error=False)
    def anchor_highlights(self, article: Article, turn: int) -> None:
        self.post_message(self.HighlightsPlaced(article.id, turn, self.highlight_marks(article)))

    def on_annotating_screen_highlights_placed(self, message: AnnotatingScreen.HighlightsPlaced) -> None:
        if message.turn != self._anchor_turns.get(message.article_id):
            return  # a newer anchoring of this article is on its way
        for view in self.views():
            if view.article.id == message.article_id:
                view.set_highlights(message.marks)
                self.highlights_placed(view)
                self.refresh_echoes(view)

    def highlights_placed(self, view: ArticleView) -> None:
        """Called once a view's highlights are drawn (the Reader shows the cursor's note)."""

    # ------------------------------------------------------------------ echoes

    def on_stories_changed(self, message: StoriesChanged) -> None:
        for view in self.views():
            self.refresh_echoes(view)

    def refresh_echoes(self, view: ArticleView) -> None:
        if self.app.stories is not None and self.app.store is not None and self.app.story_of(view.article.id):
            self.find_echoes(view)
        elif view.echoes:
            view.set_echoes([])

    @work(thread=True, group="echoes", exit_on_error=False)
    def find_echoes(self, view: ArticleView) -> None:
        stories, store = self.app.stories, self.app.store
        if stories is None or store is None:
            return
        self.post_message(EchoesFound(view.article.id, stories.echoes_on(view.article.id, store)))

    def on_echoes_found(self, message: EchoesFound) -> None:
        library = self.app.library
        marks: list[EchoMark] = []
        for echo in message.echoes:
            if echo.start is None or echo.end is None:
                continue
            origin = echo.source_id
            if library is not None and echo.source_id in library:
                origin = library.get(echo.source_id).source or echo.source_id
            marks.append(
                EchoMark(
                    echo.annotation_id, echo.start, echo.end, echo.color, echo.match, origin, echo.change
                )
            )
        self._echoes[message.article_id] = list(message.echoes)
        for view in self.views():
            if view.article.id == message.article_id:
                view.set_echoes(marks)
                self.echoes_shown(view)

    def echoes_shown(self, view: ArticleView) -> None:
        """Called when a view's echoes are drawn; the Reader names the one under the cursor."""

    def _echo_target(self) -> tuple[ArticleView, EchoMark] | None:
        focused = self.focused
        views = [focused] if isinstance(focused, ArticleView) else self.views()
        for view in views:
            echo = view.echo_under_cursor()
            if echo is not None:
                return view, echo
        self.notify("No echo under the cursor (echoes are marked ≈).", severity="warning", timeout=3)
        return None

    def action_echo_note(self) -> None:
        target = self._echo_target()
        if target is None or self.app.store is None:
            return
        view, echo = target
        try:
            original = self.app.store.get(echo.annotation_id)
        except Exception:  # deleted meanwhile: the redraw will drop the echo
            return
        library = self.app.library
        source = library.get(original.article_id) if library is not None else None
        where = f"{source.title} ({echo.origin})" if source is not None else original.article_id
        self.app.push_screen(
            EchoNoteScreen(
                where, echo.match, original.exact, view.article.body[echo.start : echo.end], original.note
            )
        )

    def action_adopt_echo(self) -> None:
        target = self._echo_target()
        if target is None:
            return
        view, echo = target
        for found in self._echoes.get(view.article.id, []):
            if found.annotation_id != echo.annotation_id:
                continue
            if found.match != "changed":
                self.app.adopt_echo(found, view.article)
                return

            # The passage here gives other figures or names: the note may not hold for it.
            def answered(adopt: bool | None, found: Echo = found) -> None:
                if adopt:
                    self.app.adopt_echo(found, view.article)

            question = f"This passage gives other facts ({found.change}). Adopt the note here anyway?"
            self.app.push_screen(ConfirmScreen(question), answered)
            return

    def highlight_marks(self, article: Article) -> list[HighlightMark]:
        if self.app.store is None:
            return []
        from tui.annotations import anchor_all

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
            else:
                self.refresh_echoes(view)  # a note on another version of its story may echo here

    @on(ArticleView.HighlightRequested)
    def highlight_requested(self, message: ArticleView.HighlightRequested) -> None:
        if message.annotation_id is not None and message.color is not None:
            self.app.update_annotation(message.annotation_id, color=message.color)
        else:
            self.app.add_highlight(message.view.article, message.start, message.end, message.color)

    def _with_annotation(
        self,
        message: ArticleView.NoteRequested | ArticleView.TagsRequested,
        then: Callable[[Annotation], None],
    ) -> None:
        """Run ``then`` on the annotation a note or tag request is about, highlighting it first if
        there is none (``then`` runs once the highlight is saved)."""
        if message.annotation_id is None:
            self.app.add_highlight(message.view.article, message.start, message.end, then=then)
            return
        annotation = self.read_annotation(message.annotation_id, message.view)
        if annotation is not None:
            then(annotation)

    def read_annotation(self, annotation_id: str, view: ArticleView) -> Annotation | None:
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

    @on(ArticleView.NoteRequested)
    def note_requested(self, message: ArticleView.NoteRequested) -> None:
        self._with_annotation(message, lambda annotation: edit_note(self.app, annotation))

    @on(ArticleView.TagsRequested)
    def tags_requested(self, message: ArticleView.TagsRequested) -> None:
        self._with_annotation(message, lambda annotation: edit_tags(self.app, annotation))

    @on(ArticleView.DeleteRequested)
    def delete_requested(self, message: ArticleView.DeleteRequested) -> None:
        self.app.delete_annotation(message.annotation_id)

    @on(ArticleView.UndoRequested)
    def undo_requested(self, message: ArticleView.UndoRequested) -> None:
        self.app.undo()


def edit_note(app: SessionApp, annotation: Annotation, text: str | None = None) -> None:
    """Open the note editor; a failed save reopens it with the text typed, so nothing is lost."""

    def done(result: str | None) -> None:
        if result is None or (result == annotation.note and text is None):
            return
        app.update_annotation(annotation.id, note=result, retry=lambda: edit_note(app, annotation, result))

    # text kept from a failed save still counts as a change, so Escape asks before dropping it
    editor = NoteEditorScreen(
        annotation.exact, annotation.note if text is None else text, original=annotation.note
    )
    app.push_screen(editor, done)


def edit_tags(app: SessionApp, annotation: Annotation, typed: list[str] | None = None) -> None:
    """Open the tag editor; a failed save reopens it with the tags typed."""

    def done(tags: list[str] | None) -> None:
        if tags is None or tags == list(annotation.tags):
            return
        app.update_annotation(annotation.id, tags=tags, retry=lambda: edit_tags(app, annotation, tags))

    shown = list(annotation.tags) if typed is None else typed
    app.push_screen(TagsScreen(shown, app.all_tags()), done)
