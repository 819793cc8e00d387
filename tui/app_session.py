"""The typed face the screens see: the session's data, and every write, export and navigation request.

`TuiApp` (tui/app.py) inherits this and adds start-up, the screens and the palette. Screens and
commands import this module, never `tui.app`, so the app can import every screen without a circle:
what needs a screen class (opening a reader, a comparison, the notes, a story) is asked for here by a
message that `TuiApp` handles. The store, index and stories are typed (imported for the type checker
only: TinyDB and the similarity libraries stay off the start path).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from tui import paths
from tui.errors import TuiError
from tui.messages import (
    AnnotationsChanged,
    OpenArticle,
    OpenCompare,
    OpenNotes,
    OpenStory,
    StoriesChanged,
    StoriesReady,
)
from tui.state import ReadingPositions

if TYPE_CHECKING:
    from tui.articles import Article, Library
    from tui.similarity import Match, SimilarityIndex
    from tui.store import Annotation, AnnotationStore
    from tui.stories import Echo, Home, Stories, Story


class SessionApp(App[None]):
    """The library, store, index, stories and reading positions, and the one place that writes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        articles_dir: Path,
        db_path: Path,
        notes_dir: Path,
        cache_dir: Path | None = None,
        state_dir: Path | None = None,
        *,
        build_index: bool = True,
    ) -> None:
        super().__init__()
        self.articles_dir = Path(articles_dir)
        self.db_path = Path(db_path)
        self.notes_dir = Path(notes_dir)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else paths.cache_dir()
        self.state_dir = Path(state_dir) if state_dir is not None else paths.state_dir()
        self.config_dir: Path | None = None  # None: the platform's configuration folder
        self.build_index_enabled = build_index
        self.library: Library | None = None
        self.library_failed = False
        self.store: AnnotationStore | None = None
        self.store_opened = False
        self.index: SimilarityIndex | None = None
        self.index_error: str | None = None
        self.stories: Stories | None = None
        self.stories_done = False  # built, or failed: background work is over
        self.positions = ReadingPositions.in_dir(self.state_dir)
        self.highlight_colors: list[str] = ["yellow", "green", "blue", "pink", "purple"]
        self.default_color = "yellow"

    # ------------------------------------------------------------------ reading

    def matches_for(self, article_id: str) -> list[Match]:
        if self.index is None:
            return []
        try:
            return list(self.index.matches(article_id))
        except Exception:  # an article added after the index was built
            return []

    def all_tags(self) -> list[str]:
        if self.store is None:
            return []
        return list(self.store.all_tags())

    def annotations_for(self, article_id: str) -> list[Annotation]:
        if self.store is None:
            return []
        return list(self.store.for_article(article_id))

    def story_of(self, article_id: str) -> Story | None:
        return self.stories.of(article_id) if self.stories is not None else None

    # ------------------------------------------------------------------ navigation (TuiApp opens the screens)

    def open_article(self, article_id: str, offset: int | None = None) -> None:
        self.post_message(OpenArticle(article_id, offset))

    def open_compare(self, article: Article, other_id: str | None = None, offset: int | None = None) -> None:
        self.post_message(OpenCompare(article, other_id, offset))

    def open_notes(self, article_id: str | None) -> None:
        self.post_message(OpenNotes(article_id))

    def open_story(self, article_id: str) -> None:
        self.post_message(OpenStory(article_id))

    def save_positions(self) -> None:
        try:
            self.positions.save()
        except OSError as error:
            self.notify(f"Could not save reading positions: {error}", severity="warning", markup=False)

    # ------------------------------------------------------------------ the one place that writes

    def _writable_store(self) -> AnnotationStore | None:
        if self.store is None:
            if self.store_opened:
                self.notify("Annotations are unavailable.", severity="error")
            else:
                self.notify("Annotations are still loading; try again in a moment.", severity="warning")
            return None
        if self.store.read_only:
            self.notify(
                "Annotations are read-only: " + (self.store.problem or "the file could not be opened"),
                severity="error",
                timeout=10,
                markup=False,
            )
            return None
        return self.store

    def _changed(self, *article_ids: str) -> None:
        message_ids = set(article_ids)
        for screen in self.screen_stack:
            screen.post_message(AnnotationsChanged(message_ids))

    def _failed(self, what: str, error: Exception) -> None:
        self.notify(f"{what} failed: {error}", title="Not saved", severity="error", timeout=20, markup=False)

    def add_highlight(
        self, article: Article, start: int, end: int, color: str | None = None
    ) -> Annotation | None:
        store = self._writable_store()
        if store is None:
            return None
        try:
            annotation = store.add(article, start, end, color=color or self.default_color)
        except (TuiError, OSError) as error:
            self._failed("Highlight", error)
            return None
        self.notify("Highlighted.", timeout=2)
        self._changed(article.id)
        return annotation

    def update_annotation(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        tags: list[str] | None = None,
        color: str | None = None,
    ) -> Annotation | None:
        store = self._writable_store()
        if store is None:
            return None
        try:
            annotation = store.update(annotation_id, note=note, tags=tags, color=color)
        except (TuiError, OSError, KeyError) as error:
            self._failed("Saving", error)
            return None
        self.notify("Saved.", timeout=2)
        self._changed(annotation.article_id)
        return annotation

    def delete_annotation(self, annotation_id: str) -> None:
        store = self._writable_store()
        if store is None:
            return
        try:
            annotation = store.delete(annotation_id)
        except (TuiError, OSError, KeyError) as error:
            self._failed("Deleting", error)
            return
        self.notify("Deleted the highlight (u undoes).", timeout=4)
        self._changed(annotation.article_id)

    def undo(self) -> None:
        store = self._writable_store()
        if store is None:
            return
        try:
            description = store.undo()
        except (TuiError, OSError, KeyError) as error:
            self._failed("Undo", error)
            return
        if description is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        self.notify(f"Undone: {description}", timeout=3, markup=False)
        self._changed()  # no ids: the undo may touch any article, so every screen redraws

    def adopt_echo(self, echo: Echo, article: Article) -> Annotation | None:
        """Make an echo this version's own annotation, linked to the original."""
        store = self._writable_store()
        if store is None or echo.start is None or echo.end is None:
            return None
        try:
            original = store.get(echo.annotation_id)
            adopted = store.adopt(original, article, echo.start, echo.end)
        except (TuiError, OSError, KeyError) as error:
            self._failed("Adopting", error)
            return None
        self.notify("Adopted: this note now follows the original until you edit it.", timeout=4)
        self._changed()
        return adopted

    def move_to_home(self, annotation_id: str, home: Home) -> Annotation | None:
        """Re-anchor an orphaned note in another version (the user chose this home)."""
        store = self._writable_store()
        if store is None or self.library is None:
            return None
        try:
            moved = store.move(annotation_id, self.library.get(home.article_id), home.start, home.end)
        except (TuiError, OSError, KeyError) as error:
            self._failed("Moving", error)
            return None
        self.notify(f"Moved the note to {home.article_id} ({home.match}); u undoes.", timeout=4, markup=False)
        self._changed()
        return moved

    # ------------------------------------------------------------------ stories

    @work(thread=True, group="stories", exit_on_error=False, exclusive=True)
    def build_stories(self, library: Library, index: SimilarityIndex) -> None:
        from tui.stories import Stories, carry_over

        try:
            stories = Stories.build(library, index, state_dir=self.state_dir, cache_dir=self.cache_dir)
        except (TuiError, OSError, ValueError) as error:
            self.call_from_thread(self._failed, "Finding stories", error)
            self.post_message(StoriesReady(None, []))
            return
        carried: list[tuple[Annotation, Home]] = []
        store = self.store
        if store is not None and not store.read_only:
            try:
                carried = carry_over(stories, store)
            except (TuiError, OSError) as error:
                self.call_from_thread(self._failed, "Carrying notes over", error)
        self.post_message(StoriesReady(stories, carried))

    def on_stories_ready(self, message: StoriesReady) -> None:
        self.stories_done = True
        if message.stories is None:
            return
        self.stories = message.stories
        if message.carried:
            targets = sorted({home.article_id for _, home in message.carried})
            self.notify(
                f"Carried {len(message.carried)} orphaned note(s) over to {', '.join(targets)}, where the "
                "passage stands verbatim (shown as moved; u undoes).",
                title="Stories",
                timeout=10,
                markup=False,
            )
            self._changed()
        for screen in self.screen_stack:
            screen.post_message(StoriesChanged())

    # ------------------------------------------------------------------ export

    def export_notes(self, article_ids: Iterable[str] | None) -> None:
        if self.library is None or self.store is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export(None if article_ids is None else list(article_ids))

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, article_ids: list[str] | None) -> None:
        assert self.library is not None and self.store is not None
        try:
            from tui.export import export_markdown
        except ImportError as error:
            self.call_from_thread(self._failed, "Export", error)
            return
        try:
            written = export_markdown(self.library, self.store, article_ids, self.notes_dir)
        except (TuiError, OSError) as error:
            self.call_from_thread(self._failed, "Export", error)
            return
        if not written:
            self.call_from_thread(self.notify, "No notes to export.", severity="warning")
        elif len(written) == 1:
            self.call_from_thread(self.notify, f"Exported notes to {written[0]}", markup=False, timeout=8)
        else:
            self.call_from_thread(
                self.notify, f"Exported {len(written)} files to {self.notes_dir}", markup=False, timeout=8
            )

    def export_story(self, story_id: str) -> None:
        """Export a story (by story id, or by article id for an article with no other version)."""
        if self.library is None or self.store is None or self.stories is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export_story(story_id)

    @work(thread=True, group="export", exit_on_error=False)
    def _export_story(self, story_id: str) -> None:
        from tui.export import export_story

        assert self.stories is not None and self.store is not None
        try:
            written = export_story(self.stories, self.store, self.stories.get(story_id), self.notes_dir)
        except (TuiError, OSError) as error:
            self.call_from_thread(self._failed, "Export", error)
            return
        self.call_from_thread(self.notify, f"Exported the story to {written}", markup=False, timeout=8)
