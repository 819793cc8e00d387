"""The reading app: a Textual shell over the pure core (articles, similarity, store, export).

The app owns the data (library, annotation store, similarity index, reading positions) and is the
one place that writes: screens call its methods, widgets only post messages. Slow work (loading the
library, building the index, exporting) runs in thread workers that report back by message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui import paths
from tui.app_stories import StoryApp
from tui.errors import TuiError
from tui.messages import (
    AnnotationsChanged,
    IndexFailed,
    IndexProgress,
    IndexReady,
    LibraryFailed,
    LibraryLoaded,
    StoreOpened,
)
from tui.state import ReadingPositions, load_keymap

if TYPE_CHECKING:
    from tui.articles import Article, Library


def _store_module() -> Any:
    """tui.store, imported on first use (TinyDB stays off the start path)."""
    import tui.store

    return tui.store


INDEX_START_DELAY = 0.3  # seconds after the library is shown


class TuiApp(StoryApp):
    """Read, compare and annotate news articles."""

    CSS_PATH = "app.tcss"
    TITLE = "tui"
    ENABLE_COMMAND_PALETTE = True

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
        config_dir: Path | None = None,
        *,
        build_index: bool = True,
    ) -> None:
        super().__init__()
        self.articles_dir = Path(articles_dir)
        self.db_path = Path(db_path)
        self.notes_dir = Path(notes_dir)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else paths.cache_dir()
        self.state_dir = Path(state_dir) if state_dir is not None else paths.state_dir()
        self.config_dir = Path(config_dir) if config_dir is not None else paths.config_dir()
        self.build_index_enabled = build_index
        self.library: Library | None = None
        self.store: Any = None  # tui.store.AnnotationStore, once loaded
        self.index: Any = None  # tui.similarity.SimilarityIndex, once built
        self.index_error: str | None = None
        self.library_failed = False
        self.store_opened = False
        self.positions = ReadingPositions.in_dir(self.state_dir)
        self.highlight_colors: list[str] = ["yellow", "green", "blue", "pink", "purple"]
        self.default_color = "yellow"

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        from tui.screens.library import LibraryScreen

        keymap, keymap_problem = load_keymap(self.config_dir, self.state_dir)
        if keymap:
            self.set_keymap(keymap)
        if keymap_problem:
            self.notify(keymap_problem, severity="warning", markup=False)
        self.push_screen(LibraryScreen())
        if self.positions.problem:
            self.notify(self.positions.problem, severity="warning", markup=False)
        self.load_library()

    @property
    def background_idle(self) -> bool:
        """The library is loaded and the index built (or failed, or not wanted)."""
        if self.library is None:
            return self.library_screen is not None and self.library_failed
        if not self.store_opened:
            return False
        if self.index is not None and len(self.library):
            return self.stories_done  # stories follow the index
        return not self.build_index_enabled or self.index is not None or self.index_error is not None

    @property
    def library_screen(self) -> Screen[Any] | None:
        from tui.screens.library import LibraryScreen

        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                return screen
        return None

    @work(thread=True, group="library", exit_on_error=False)
    def load_library(self) -> None:
        from tui.articles import load_library

        try:
            library = load_library(self.articles_dir, self.cache_dir)
        except TuiError as error:
            self.post_message(LibraryFailed(str(error)))
            return
        except Exception as error:  # a bug or an odd file system: say so rather than spin forever
            self.post_message(LibraryFailed(f"{type(error).__name__}: {error}"))
            return
        # The library shows first; the store (TinyDB's import, the file) follows a moment later.
        self.post_message(LibraryLoaded(library))
        self.post_message(StoreOpened(*self._open_store()))

    def _open_store(self) -> tuple[Any, str | None]:
        try:
            store_module = _store_module()
        except ImportError as error:
            return None, f"annotations are unavailable: {error}"
        try:
            store = store_module.AnnotationStore(self.db_path)
        except TuiError as error:
            try:
                store = store_module.AnnotationStore(self.db_path, read_only=True)
            except TuiError:
                return None, f"annotations are unavailable: {error}"
            return store, str(error)
        except OSError as error:
            return None, f"cannot open annotations {self.db_path}: {error.strerror or error}"
        self.highlight_colors = list(store_module.COLORS)[:5]
        self.default_color = store_module.DEFAULT_COLOR
        return store, getattr(store, "problem", None)

    def on_store_opened(self, message: StoreOpened) -> None:
        self.store = message.store
        self.store_opened = True
        if message.problem:
            self.notify(
                message.problem + " (annotations are read-only)",
                title="Annotations",
                severity="error",
                timeout=15,
                markup=False,
            )
        self._changed()  # counts in the library, highlights in any reader already open

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.library = message.library
        screen = self.library_screen
        if screen is not None:
            screen.show_library(message.library)  # type: ignore[attr-defined]
        if self.build_index_enabled and len(message.library):
            # Let the library paint and take keys first: the index worker's imports and cache
            # reads hold the GIL for a few hundred milliseconds.
            library = message.library
            self.set_timer(INDEX_START_DELAY, lambda: self.build_index(library))

    def on_library_failed(self, message: LibraryFailed) -> None:
        self.library_failed = True
        self.notify(
            message.error, title="Cannot load the library", severity="error", timeout=30, markup=False
        )
        screen = self.library_screen
        if screen is not None:
            screen.show_failure(message.error)  # type: ignore[attr-defined]

    # A description of its own: by default Textual describes a worker by the repr of its arguments,
    # and the repr of a library of 19,000 articles took seconds of the UI thread and hundreds of MB.
    @work(thread=True, group="index", exit_on_error=False, exclusive=True, description="similarity index")
    def build_index(self, library: Library) -> None:
        try:
            from tui.similarity import SimilarityIndex
        except ImportError as error:
            self.post_message(IndexFailed(f"similarity is unavailable: {error}"))
            return
        last_percent = -1

        def progress(done: int, total: int) -> None:
            nonlocal last_percent
            percent = done * 100 // max(1, total)
            if percent != last_percent:  # a message per percent, not per article
                last_percent = percent
                self.post_message(IndexProgress(done, total))

        try:
            index = SimilarityIndex.build(library, self.cache_dir, progress=progress)
        except Exception as error:  # an index problem must not take the reader down
            self.post_message(IndexFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(IndexReady(index))

    def on_index_progress(self, message: IndexProgress) -> None:
        screen = self.library_screen
        if screen is not None:
            screen.show_progress(message.done, message.total)  # type: ignore[attr-defined]

    def on_index_ready(self, message: IndexReady) -> None:
        self.index = message.index
        if self.library is not None:
            self.build_stories(self.library, message.index)
        for screen in self.screen_stack:
            handler = getattr(screen, "index_ready", None)
            if handler is not None:
                handler()

    def on_index_failed(self, message: IndexFailed) -> None:
        self.index_error = message.error
        self.notify(message.error, title="Similarity", severity="warning", timeout=10, markup=False)
        screen = self.library_screen
        if screen is not None:
            screen.show_progress(0, 0)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ navigation

    def open_article(self, article_id: str, offset: int | None = None) -> None:
        from tui.screens.reader import ReaderScreen

        if self.library is None:
            return
        article = self.library.get(article_id)
        self.push_screen(ReaderScreen(article, offset=offset))

    def open_compare(self, article: Article, other_id: str | None = None, offset: int | None = None) -> None:
        from tui.screens.compare import CompareScreen

        if self.library is None:
            return
        matches = self.matches_for(article.id)
        if other_id is None:
            if self.index is None:
                self.notify(
                    self.index_error or "Still looking for near-duplicates; try again in a moment.",
                    severity="warning",
                    markup=False,
                )
                return
            if not matches:
                self.notify("This article has no near-duplicates or related articles.", severity="warning")
                return
            other_id = matches[0].id
        self.push_screen(CompareScreen(article, self.library.get(other_id), [m.id for m in matches], offset))

    def open_notes(self, article_id: str | None) -> None:
        from tui.screens.notes import NotesScreen

        self.push_screen(NotesScreen(article_id))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def matches_for(self, article_id: str) -> list[Any]:
        if self.index is None:
            return []
        try:
            return list(self.index.matches(article_id))
        except Exception:  # an article added after the index was built
            return []

    # ------------------------------------------------------------------ the one place that writes

    def _writable_store(self) -> Any:
        if self.store is None:
            if self.store_opened:
                self.notify("Annotations are unavailable.", severity="error")
            else:
                self.notify("Annotations are still loading; try again in a moment.", severity="warning")
            return None
        if getattr(self.store, "read_only", False):
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

    def add_highlight(self, article: Article, start: int, end: int, color: str | None = None) -> Any:
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

    def update_annotation(self, annotation_id: str, **changes: Any) -> Any:
        store = self._writable_store()
        if store is None:
            return None
        try:
            annotation = store.update(annotation_id, **changes)
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

    def all_tags(self) -> list[str]:
        if self.store is None:
            return []
        return list(self.store.all_tags())

    def annotations_for(self, article_id: str) -> list[Any]:
        if self.store is None:
            return []
        return list(self.store.for_article(article_id))

    # ------------------------------------------------------------------ export

    def export_notes(self, article_ids: Iterable[str] | None) -> None:
        if self.library is None or self.store is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export(None if article_ids is None else list(article_ids))

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, article_ids: list[str] | None) -> None:
        assert self.library is not None
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

    # ------------------------------------------------------------------ palette and exit

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.commands import app_commands

        yield from super().get_system_commands(screen)
        yield from app_commands(self, screen)

    def save_positions(self) -> None:
        try:
            self.positions.save()
        except OSError as error:
            self.notify(f"Could not save reading positions: {error}", severity="warning", markup=False)

    def on_unmount(self) -> None:
        with contextlib.suppress(OSError):  # the terminal is gone; nothing useful to say
            self.positions.save()
