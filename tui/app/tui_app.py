"""The reading app: a Textual shell over the pure core (articles, similarity, store, export).

The session's data and every write live in `SessionApp` (tui/app/session.py), the typed face the
screens see; this class adds start-up (loading the library, opening the store, building the index),
the screens, and the palette. Slow work runs in thread workers that report back by message.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from tui.app.messages import (
    IndexChanged,
    IndexFailed,
    IndexProgress,
    IndexReady,
    LibraryFailed,
    LibraryLoaded,
    OpenArticle,
    OpenCompare,
    OpenNotes,
    OpenStory,
    StoreOpened,
)
from tui.app.session import SessionApp
from tui.errors import TuiError
from tui.state import last_visit, load_keymap

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.app.screens.library import LibraryScreen
    from tui.library.articles import Library
    from tui.library.cache import Listing
    from tui.library.filter import FilterRows


INDEX_START_DELAY = 0.3  # seconds after the library is shown
STORIES_START_DELAY = 0.5  # seconds after the index is ready
FIRST_PAINT_WAIT = 3.0  # seconds the loading worker waits for the cached library to be painted


def _same_listing(before: Listing, now: Listing) -> bool:
    """Whether two listings show the same articles, files skipped and notices."""
    return (
        [(a.id, a.path, a.content_hash) for a in before.articles]
        == [(a.id, a.path, a.content_hash) for a in now.articles]
        and before.skipped == now.skipped
        and before.notices == now.notices
    )


def _same_articles(before: Library, now: Library) -> bool:
    """Whether two libraries hold the same articles with the same texts: an index of one is the
    other's (a folder's listing may differ from the cache's in files that are not articles)."""
    return [(a.id, a.content_hash) for a in before.articles] == [(a.id, a.content_hash) for a in now.articles]


class _IndexCancelled(Exception):
    """Raised from the index's progress callback when its worker was cancelled."""


class TuiApp(SessionApp):
    """Read, compare and annotate news articles."""

    CSS_PATH = "app.tcss"
    TITLE = "tui"
    ENABLE_COMMAND_PALETTE = True

    # ------------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        from tui.app.screens.library import LibraryScreen

        self._first_paint = threading.Event()
        self._indexed_library: Library | None = None  # the library whose index is `self.index`
        self._verified_library: Library | None = None  # the library of the folder as it was read
        self._restore_theme()
        self.last_visit = last_visit(self.state_dir, datetime.now(UTC))
        keymap, keymap_problem = load_keymap(self.config_dir, self.state_dir)
        if keymap:
            from tui.app.screens.help import keymap_problems

            self.set_keymap(keymap)
            for problem in keymap_problems(keymap):
                self.notify(problem, severity="warning", timeout=20, markup=False)
        if keymap_problem:
            self.notify(keymap_problem, severity="warning", markup=False)
        self.push_screen(LibraryScreen())
        if self.positions.problem:
            self.notify(self.positions.problem, severity="warning", markup=False)
        self.load_library()

    def _restore_theme(self) -> None:
        """The theme chosen in an earlier run (palette: "Change theme"), kept in the config folder."""
        chosen = self.settings.text("theme")
        if chosen and chosen in self.available_themes:
            self.theme = chosen
        elif chosen:
            self.notify(f"Unknown theme {chosen!r} in {self.settings.path}; using the default.", markup=False)
        self._theme_restored = True

    def watch_theme(self, theme: str) -> None:
        if getattr(self, "_theme_restored", False) and theme != self.settings.text("theme"):
            self._save_theme(theme)

    @work(thread=True, group="settings", exit_on_error=False, description="save the theme")
    def _save_theme(self, theme: str) -> None:
        try:
            self.settings.save(theme=theme)
        except OSError as error:
            self.call_from_thread(
                self.notify,
                f"Could not keep the theme for next time: {error}",
                severity="warning",
                markup=False,
            )

    @property
    def background_idle(self) -> bool:
        """The library is loaded and the index built (or failed, or not wanted)."""
        if self.library is None:
            return self.library_screen is not None and self.library_failed
        if not self.store_opened:
            return False
        if self.index is not None and len(self.library):
            return self.stories_done  # stories follow the index
        no_index_wanted = not self.build_index_enabled or not len(self.library)  # none for an empty library
        return no_index_wanted or self.index is not None or self.index_error is not None

    @property
    def library_screen(self) -> LibraryScreen | None:
        from tui.app.screens.library import LibraryScreen

        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                return screen
        return None

    @work(thread=True, group="library", exit_on_error=False)
    def load_library(self) -> None:
        from tui.library.filter import twin_labels
        from tui.library.loader import cached_listing, load_listing
        from tui.library.texts import TextSource

        # From the listing alone: an article's text is read when a screen first wants it. The
        # cache's listing is shown first, before the folder is walked (95,000 `stat`s take a
        # second or more); the listing of the folder as it is now follows, and replaces it only
        # if anything changed.
        try:
            self.texts = TextSource(self.articles_dir, self.cache_dir)
            cached = cached_listing(self.articles_dir, self.cache_dir) if self.cache_dir else None
            shown = self._post_library(cached, verified=False) if cached is not None else None
            if shown is not None:  # the walk would take the GIL from the first paint
                self._first_paint.wait(FIRST_PAINT_WAIT)
                if self._post_kept_index(shown[0]):  # and its marks drawn before the walk
                    self.marks_drawn.wait(FIRST_PAINT_WAIT)
            listing = load_listing(self.articles_dir, self.cache_dir)
        except TuiError as error:
            self.post_message(LibraryFailed(str(error)))
            return
        except Exception as error:  # a bug or an odd file system: say so rather than spin forever
            self.post_message(LibraryFailed(f"{type(error).__name__}: {error}"))
            return
        if shown is not None and cached is not None and _same_listing(cached, listing):
            twins = twin_labels(shown[0].articles)  # not made for the first paint
            self.post_message(LibraryLoaded(shown[0], twins, verified=True))
            rows = shown[1]
        else:
            rows = self._post_library(listing, verified=True)[1]
        # The library shows first; the store (TinyDB's import, the file) follows a moment later.
        self.post_message(StoreOpened(*self._open_store()))
        rows.folded_rows()  # ready before the first keystroke of a filter
        for sort in ("title", "source"):  # and before the first `s`: sorting never waits
            rows.order(sort)

    def _post_kept_index(self, library: Library) -> bool:
        """The index kept on disk, when it is current for the library as the cache saw it (True
        then): its marks are painted before the folder is walked. Read here, before the walk, not
        beside it: threads that give the GIL up at every `stat`, or hold it for seconds, made the
        first marks at 95,000 articles wait seconds for each other."""
        if not self.build_index_enabled or not len(library) or self.cache_dir is None:
            return False
        try:
            from tui.similarity import SimilarityIndex
        except ImportError:
            return False  # the index worker says so
        try:
            kept = SimilarityIndex.stored(library, self.cache_dir)
        except Exception:  # a locked or unreadable cache: the index worker tries again and says why
            return False
        if kept is None:
            return False
        kept.prepare_matches()  # here, not in the first paint of the marks
        self.post_message(IndexReady(kept, library))
        return True

    def _post_library(self, listing: Listing, *, verified: bool) -> tuple[Library, FilterRows]:
        """Post the library of a listing, with what the Library screen would otherwise make on the
        UI thread (labels, the rows, their date order)."""
        from tui.library.filter import FilterRows, twin_labels
        from tui.library.texts import library_from_listing

        assert self.texts is not None
        library = library_from_listing(listing, self.texts)
        rows = FilterRows(library.articles)
        rows.order("date")
        # Labels for rows that would read the same: a moment after the first paint (half a second
        # at 95,000 articles), with the verified library.
        twins = twin_labels(library.articles) if verified else {}
        self.post_message(LibraryLoaded(library, twins, rows, verified))
        return library, rows

    def _open_store(self) -> tuple[AnnotationStore | None, str | None]:
        try:
            # imported here, in the worker: TinyDB stays off the start path
            from tui.annotations import AnnotationStore
        except ImportError as error:
            return None, f"annotations are unavailable: {error}"
        try:
            store = AnnotationStore(self.db_path)
        except TuiError as error:
            try:
                store = AnnotationStore(self.db_path, read_only=True)
            except TuiError:
                return None, f"annotations are unavailable: {error}"
            return store, str(error)
        except OSError as error:
            return None, f"cannot open annotations {self.db_path}: {error.strerror or error}"
        return store, store.problem

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
        screen = self.library_screen
        if message.library is not self.library:
            self.library = message.library
            if screen is not None:
                screen.show_library(message.library, message.twins, message.rows)
            self.call_after_refresh(self._first_paint.set)
        elif screen is not None and message.twins is not None:
            screen.show_twins(message.twins)
        if not message.verified:
            return  # the background work waits for the library of the folder as it is
        if len(message.library):
            self.set_timer(INDEX_START_DELAY, self.index_texts)
        self._verified_library = message.library
        indexed = self._indexed_library
        same = indexed is message.library or (
            indexed is not None and _same_articles(indexed, message.library)
        )
        if self.index is not None and same:
            # The kept index was read before the walk, and it is this library's too: its stories now.
            self._indexed_library = message.library
            self._start_stories()
        elif self.build_index_enabled and len(message.library):
            # Let the library paint and take keys first: the index worker's imports and cache
            # reads hold the GIL for a few hundred milliseconds.
            self.set_timer(INDEX_START_DELAY, self.build_index)

    @work(thread=True, group="texts", exit_on_error=False, exclusive=True, description="word index")
    def index_texts(self) -> None:
        """Bring the cache's word index over the text up to date, in batches (the filter reads it)."""
        from textual.worker import get_current_worker

        worker, texts = get_current_worker(), self.texts
        while texts is not None and not worker.is_cancelled and texts.index_pending():
            pass

    def on_library_failed(self, message: LibraryFailed) -> None:
        self.library_failed = True
        self.notify(
            message.error, title="Cannot load the library", severity="error", timeout=30, markup=False
        )
        screen = self.library_screen
        if screen is not None:
            screen.show_failure(message.error)

    # A description of its own: by default Textual describes a worker by the repr of its arguments,
    # and the repr of a library of 19,000 articles took seconds of the UI thread and hundreds of MB.
    @work(thread=True, group="index", exit_on_error=False, exclusive=True, description="similarity index")
    def build_index(self) -> None:
        try:
            from tui.similarity import SimilarityIndex
        except ImportError as error:
            self.post_message(IndexFailed(f"similarity is unavailable: {error}"))
            return
        from textual.worker import get_current_worker

        from tui.library.loader import load_library

        worker = get_current_worker()
        shown = self.library
        if shown is not None:
            # The index kept on disk, when it is current for the library shown: no text is read.
            kept = SimilarityIndex.stored(shown, self.cache_dir)
            if kept is not None:
                self.post_message(IndexReady(kept, None))
                return
        # The library shown reads the texts the index has not seen, here in its worker, and lets each
        # go once prepared; before the first paint there is none, and the folder is loaded whole.
        library = shown
        if library is None:
            try:
                library = load_library(self.articles_dir, self.cache_dir)
            except Exception as error:  # the folder went away since it was listed
                self.post_message(IndexFailed(f"{type(error).__name__}: {error}"))
                return
        last_percent = -1

        def progress(done: int, total: int) -> None:
            nonlocal last_percent
            if worker.is_cancelled:  # the app quits: stop here rather than finish a long build
                raise _IndexCancelled
            percent = done * 100 // max(1, total)
            if percent != last_percent:  # a message per percent, not per article
                last_percent = percent
                self.post_message(IndexProgress(done, total))

        try:
            index = SimilarityIndex.build(library, self.cache_dir, progress=progress)
        except _IndexCancelled:
            return
        except Exception as error:  # an index problem must not take the reader down
            self.post_message(IndexFailed(f"{type(error).__name__}: {error}"))
            return
        self.post_message(IndexReady(index, library))

    def on_index_progress(self, message: IndexProgress) -> None:
        screen = self.library_screen
        if screen is not None:
            screen.show_progress(message.done, message.total)

    def on_index_ready(self, message: IndexReady) -> None:
        self.index = message.index
        self._indexed_library = message.library or self.library
        self._index_changed()
        if self._indexed_library is self._verified_library:
            self._start_stories()
        # else the stories wait for the folder to be read (the kept index came before the walk)

    def _index_changed(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(IndexChanged())

    def _start_stories(self) -> None:
        library, index = self._indexed_library, self.index
        if library is not None and index is not None:
            # After the marks are painted: the stories' worker holds the GIL for seconds at 95,000
            # articles, and the first paint of the marks waited for it.
            self.set_timer(STORIES_START_DELAY, lambda: self.build_stories(library, index))

    def on_index_failed(self, message: IndexFailed) -> None:
        self.index_error = message.error
        if self.index is not None and self._indexed_library is not self._verified_library:
            # The kept index of the library as the cache saw it: not the folder's, which failed.
            self.index, self._indexed_library = None, None
            self._index_changed()
        self.notify(message.error, title="Similarity", severity="warning", timeout=10, markup=False)
        screen = self.library_screen
        if screen is not None:
            screen.show_progress(0, 0)

    # ------------------------------------------------------------------ navigation

    def on_open_article(self, message: OpenArticle) -> None:
        from tui.app.screens.reader import ReaderScreen

        if self.library is None:
            return
        article = self.library.get(message.article_id)
        self.push_screen(ReaderScreen(article, offset=message.offset))

    def on_open_compare(self, message: OpenCompare) -> None:
        from tui.app.screens.compare import CompareScreen

        if self.library is None:
            return
        article, other_id = message.article, message.other_id
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
        self.push_screen(
            CompareScreen(article, self.library.get(other_id), [m.id for m in matches], message.offset)
        )

    def on_open_notes(self, message: OpenNotes) -> None:
        from tui.app.screens.notes import NotesScreen

        self.push_screen(NotesScreen(message.article_id))

    def on_open_story(self, message: OpenStory) -> None:
        from tui.app.screens.story import StoryScreen

        if self.stories is None or self.library is None:
            self.notify("Still finding the stories; try again in a moment.", severity="warning")
            return
        story = self.stories.get(message.article_id)
        self.push_screen(StoryScreen(story.id, message.article_id))

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # ------------------------------------------------------------------ palette and exit

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from tui.app.commands import app_commands

        yield from super().get_system_commands(screen)
        yield from app_commands(self, screen)

    def on_unmount(self) -> None:
        with contextlib.suppress(OSError):  # the terminal is gone; nothing useful to say
            self.positions.save()
        if self.texts is not None:
            self.texts.close()
