"""The typed face the screens see: the session's data, and every write, export and navigation request.

`TuiApp` (tui/app.py) inherits this and adds start-up, the screens and the palette. Screens and
commands import this module, never `tui.app.tui_app`, so the app can import every screen without a circle:
what needs a screen class (opening a reader, a comparison, the notes, a story) is asked for here by a
message that `TuiApp` handles. The store, index and stories are typed (imported for the type checker
only: TinyDB and the similarity libraries stay off the start path).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from tui import paths
from tui.app.messages import (
    AnnotationsChanged,
    OpenArticle,
    OpenCompare,
    OpenNotes,
    OpenStory,
    StoriesChanged,
    StoriesReady,
    Written,
)
from tui.errors import TuiError
from tui.palette import DEFAULT_COLOR, PALETTE
from tui.state import SETTINGS_FILE, ReadingPositions, SmallJson
from tui.wording import counted

if TYPE_CHECKING:
    from tui.annotations import Annotation, AnnotationStore
    from tui.app.export_format import ExportFormat
    from tui.export.markdown import Flavor
    from tui.library.articles import Article, Library
    from tui.library.texts import TextSource
    from tui.similarity import Match, SimilarityIndex
    from tui.stories import Echo, Home, Stories, Story


class WorkFailed(Exception):
    """What a worker raises to have the user told: ``what`` failed, because of ``cause``."""

    def __init__(self, what: str, cause: BaseException, retry: Callable[[], None] | None = None) -> None:
        super().__init__(f"{what} failed: {cause}")
        self.what = what
        self.cause = cause
        self.retry = retry  # run on the UI thread after the notice (e.g. reopen an editor)


@contextmanager
def _failing_as(
    what: str, *expected: type[BaseException], retry: Callable[[], None] | None = None
) -> Iterator[None]:
    """Turn the expected errors of a piece of work into WorkFailed (anything else is a bug, and says so)."""
    try:
        yield
    except expected as error:
        raise WorkFailed(what, error, retry) from error


class WriteTurns:
    """Writes run one at a time in the order the user asked for them, each in its own worker.

    A turn is taken on the UI thread when the write is asked for; the worker waits for it. (A lock
    alone would not keep the order: "highlight, then undo" pressed quickly must not run as undo first.)
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._taken = 0
        self._serving = 0

    def take(self) -> int:
        with self._condition:
            self._taken += 1
            return self._taken - 1

    @contextmanager
    def wait(self, turn: int) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: self._serving == turn)
        try:
            yield
        finally:
            with self._condition:
                self._serving += 1
                self._condition.notify_all()


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
        self.texts: TextSource | None = None  # where the library's articles read their text
        self.library_failed = False
        self.store: AnnotationStore | None = None
        self.store_opened = False
        self.index: SimilarityIndex | None = None
        # Set once the Library has drawn a row's marks from `index`: the start-up's walk of the
        # folder waits for it (two threads wanting the GIL slowed that paint by a second at 95,000).
        self.marks_drawn = threading.Event()
        self.index_error: str | None = None
        self.stories: Stories | None = None
        self.stories_done = False  # built, or failed: background work is over
        # notes moved at start-up to a version where their passage stands verbatim (listed in Notes)
        self.carried: list[tuple[Annotation, Home]] = []
        self.positions = ReadingPositions.in_dir(self.state_dir)
        self.settings = SmallJson(self.config_dir / SETTINGS_FILE)  # the chosen theme
        # when the library was opened before this run: what was added since is marked new
        self.last_visit: datetime | None = None
        # keys 1-5 in the reader, from the one palette (pure and small: read at once, not when
        # the store opens, so a reader opened before it has the right colours)
        self.highlight_colors: list[str] = [color.name for color in PALETTE]
        self.default_color = DEFAULT_COLOR
        self._turns = WriteTurns()
        self.keymap_overrides: dict[str, str] = {}  # binding id -> keys, as the user set them
        self.export_format: ExportFormat = "obsidian"  # the export dialog offers the last one chosen first

    def set_keymap(self, keymap: Mapping[str, str]) -> None:
        super().set_keymap(keymap)
        self.keymap_overrides = dict(keymap)  # kept for help, which shows the keys as remapped

    # ------------------------------------------------------------------ reading

    def matches_for(self, article_id: str) -> list[Match]:
        if self.index is None:
            return []
        try:
            matches = self.index.matches(article_id)
        except Exception:  # an article added after the index was built
            return []
        # An index of the library as the cache saw it may name an article gone since.
        library = self.library
        return [m for m in matches if library is None or m.id in library]

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

    def is_read(self, article_id: str) -> bool:
        """Opened in the Reader, in this run or an earlier one (it has a reading position)."""
        return self.positions.get(article_id) is not None

    def is_new(self, article: Article) -> bool:
        """Added (by `tui add` or a fetch) since the library was last opened, and not read yet."""
        if article.added is None or self.is_read(article.id):
            return False
        return self.last_visit is None or article.added > self.last_visit

    def save_positions(self) -> None:
        try:
            self.positions.save()
        except OSError as error:
            self.notify(f"Could not save reading positions: {error}", severity="warning", markup=False)

    # ------------------------------------------------------------------ the one place that writes
    # Each write runs in its own thread worker (never exclusive: no write replaces another), in the
    # order asked for (WriteTurns), and is on disk before `Written` confirms it. A failure raises
    # WorkFailed, which `on_worker_state_changed` turns into what the user sees.

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

    def add_highlight(
        self,
        article: Article,
        start: int,
        end: int,
        color: str | None = None,
        *,
        then: Callable[[Annotation], None] | None = None,
    ) -> None:
        """Highlight a passage; ``then`` gets the saved annotation (e.g. to open its note editor)."""
        store = self._writable_store()
        if store is not None:
            self._add_highlight(
                store, self._turns.take(), article, start, end, color or self.default_color, then
            )

    @work(thread=True, group="write", exit_on_error=False, description="highlight")
    def _add_highlight(
        self,
        store: AnnotationStore,
        turn: int,
        article: Article,
        start: int,
        end: int,
        color: str,
        then: Callable[[Annotation], None] | None,
    ) -> None:
        with self._turns.wait(turn), _failing_as("Highlight", TuiError, OSError):
            annotation = store.add(article, start, end, color=color)
        self.post_message(Written("Highlighted.", {article.id}, annotation, then))

    def update_annotation(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        tags: list[str] | None = None,
        color: str | None = None,
        retry: Callable[[], None] | None = None,
    ) -> None:
        """Change a note, tags or colour; ``retry`` runs if the save fails (to reopen the editor)."""
        store = self._writable_store()
        if store is not None:
            self._update(store, self._turns.take(), annotation_id, note, tags, color, retry)

    @work(thread=True, group="write", exit_on_error=False, description="save")
    def _update(
        self,
        store: AnnotationStore,
        turn: int,
        annotation_id: str,
        note: str | None,
        tags: list[str] | None,
        color: str | None,
        retry: Callable[[], None] | None,
    ) -> None:
        with self._turns.wait(turn), _failing_as("Saving", TuiError, OSError, KeyError, retry=retry):
            annotation = store.update(annotation_id, note=note, tags=tags, color=color)
        self.post_message(Written("Saved.", {annotation.article_id}, annotation))

    def delete_annotation(self, annotation_id: str) -> None:
        store = self._writable_store()
        if store is not None:
            self._delete(store, self._turns.take(), annotation_id)

    @work(thread=True, group="write", exit_on_error=False, description="delete")
    def _delete(self, store: AnnotationStore, turn: int, annotation_id: str) -> None:
        with self._turns.wait(turn), _failing_as("Deleting", TuiError, OSError, KeyError):
            annotation = store.delete(annotation_id)
        self.post_message(Written("Deleted the highlight (u undoes).", {annotation.article_id}, timeout=4))

    def undo(self) -> None:
        store = self._writable_store()
        if store is not None:
            self._undo(store, self._turns.take())

    @work(thread=True, group="write", exit_on_error=False, description="undo")
    def _undo(self, store: AnnotationStore, turn: int) -> None:
        with self._turns.wait(turn), _failing_as("Undo", TuiError, OSError, KeyError):
            description = store.undo()
        if description is None:
            self.post_message(Written("Nothing to undo.", None))
        else:
            # every screen redraws: the undo may touch any article
            self.post_message(Written(f"Undone: {description}", set(), timeout=3))

    def adopt_echo(self, echo: Echo, article: Article) -> None:
        """Make an echo this version's own annotation, linked to the original."""
        store = self._writable_store()
        if store is not None and echo.start is not None and echo.end is not None:
            self._adopt(store, self._turns.take(), echo.annotation_id, article, echo.start, echo.end)

    @work(thread=True, group="write", exit_on_error=False, description="adopt")
    def _adopt(
        self, store: AnnotationStore, turn: int, annotation_id: str, article: Article, start: int, end: int
    ) -> None:
        with self._turns.wait(turn), _failing_as("Adopting", TuiError, OSError, KeyError):
            adopted = store.adopt(store.get(annotation_id), article, start, end)
        notice = "Adopted: this note now follows the original until you edit it."
        self.post_message(Written(notice, set(), adopted, timeout=4))

    def move_to_home(self, annotation_id: str, home: Home) -> None:
        """Re-anchor an orphaned note in another version (the user chose this home)."""
        store = self._writable_store()
        if store is None or self.library is None:
            return
        article = self.library.get(home.article_id)
        notice = f"Moved the note to {home.article_id} ({home.match}); u undoes."
        self._move(store, self._turns.take(), annotation_id, article, home.start, home.end, notice)

    def move_back(self, annotation_id: str) -> None:
        """Put a moved note back where it came from (an orphan there again); u undoes."""
        store = self._writable_store()
        if store is not None:
            self._move_back(store, self._turns.take(), annotation_id)

    @work(thread=True, group="write", exit_on_error=False, description="move back")
    def _move_back(self, store: AnnotationStore, turn: int, annotation_id: str) -> None:
        with self._turns.wait(turn), _failing_as("Moving back", TuiError, OSError, KeyError):
            moved = store.move_back(annotation_id)
        notice = f"Moved the note back to {moved.article_id}, where it is an orphan again (u undoes)."
        self.post_message(Written(notice, set(), moved, timeout=4))

    def reattach(self, annotation_id: str, article: Article, start: int, end: int) -> None:
        """Anchor an orphaned note to a passage the user chose, in its own article."""
        store = self._writable_store()
        if store is not None:
            notice = "Re-attached the note (u undoes)."
            self._move(store, self._turns.take(), annotation_id, article, start, end, notice, reattach=True)

    @work(thread=True, group="write", exit_on_error=False, description="move")
    def _move(
        self,
        store: AnnotationStore,
        turn: int,
        annotation_id: str,
        article: Article,
        start: int,
        end: int,
        notice: str,
        *,
        reattach: bool = False,
    ) -> None:
        what = "Re-attaching" if reattach else "Moving"
        with self._turns.wait(turn), _failing_as(what, TuiError, OSError, KeyError):
            if reattach:
                moved = store.reattach(annotation_id, article, start, end)
            else:
                moved = store.move(annotation_id, article, start, end)
        self.post_message(Written(notice, set(), moved, timeout=4))

    def on_written(self, message: Written) -> None:
        self.notify(message.notice, timeout=message.timeout, markup=False)
        if message.article_ids is not None:
            self._changed(*message.article_ids)
        if message.then is not None and message.annotation is not None:
            message.then(message.annotation)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_failure(event)

    def report_worker_failure(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker becomes a notice: the app's own, and the screens' (Textual
        tells only the node that ran a worker, so each screen that runs one passes its events here)."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, WorkFailed):
            self.notify(
                f"{error.what} failed: {error.cause}",
                title="Not saved",
                severity="error",
                timeout=20,
                markup=False,
            )
            if error.retry is not None:
                error.retry()
        elif error is not None:  # a bug: say what it was rather than fail silently
            what = event.worker.description or event.worker.name
            self.notify(
                f"{what} failed: {type(error).__name__}: {error}", severity="error", timeout=20, markup=False
            )

    # ------------------------------------------------------------------ stories

    @work(thread=True, group="stories", exit_on_error=False, exclusive=True, description="stories")
    def build_stories(self, library: Library, index: SimilarityIndex) -> None:
        from tui.stories import Stories, carry_over

        try:
            stories = Stories.build(library, index, state_dir=self.state_dir, cache_dir=self.cache_dir)
        except (TuiError, OSError, ValueError) as error:
            self.post_message(StoriesReady(None, []))
            raise WorkFailed("Finding stories", error) from error
        carried: list[tuple[Annotation, Home]] = []
        store = self.store
        try:
            if store is not None and not store.read_only:
                with self._turns.wait(self._turns.take()):
                    carried = carry_over(stories, store)
        except (TuiError, OSError) as error:
            raise WorkFailed("Carrying notes over", error) from error
        finally:
            self.post_message(StoriesReady(stories, carried))

    def on_stories_ready(self, message: StoriesReady) -> None:
        self.stories_done = True
        if message.stories is None:
            return
        self.stories = message.stories
        if message.carried:
            self.carried.extend(message.carried)
            targets = sorted({home.article_id for _, home in message.carried})
            self.notify(
                f"Carried {counted(len(message.carried), 'orphaned note')} over to {', '.join(targets)}, where the "
                "passage stands verbatim (l lists them in the Notes; U there moves one back).",
                title="Stories",
                timeout=10,
                markup=False,
            )
            self._changed()
        for screen in self.screen_stack:
            screen.post_message(StoriesChanged())

    # ------------------------------------------------------------------ export

    def export_notes(self, article_ids: Iterable[str] | None, fmt: ExportFormat = "obsidian") -> None:
        """Export notes into the notes folder: Markdown of either flavour, or W3C Web Annotation
        JSON-LD (the writers of `tui export`)."""
        if self.library is None or self.store is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export(None if article_ids is None else list(article_ids), fmt)

    @work(thread=True, group="export", exit_on_error=False, description="export")
    def _export(self, article_ids: list[str] | None, fmt: ExportFormat) -> None:
        assert self.library is not None and self.store is not None
        if fmt == "json":
            self._export_json(article_ids)
            return
        with _failing_as("Export", ImportError, TuiError, OSError):
            from tui.export.notes import export_markdown

            written = export_markdown(self.library, self.store, article_ids, self.notes_dir, fmt)
        kind = "Logseq Markdown" if fmt == "logseq" else "Obsidian Markdown"
        if not written:
            self.call_from_thread(self.notify, "No notes to export.", severity="warning")
        elif len(written) == 1:
            self.call_from_thread(
                self.notify, f"Exported notes to {written[0]} ({kind})", markup=False, timeout=8
            )
        else:
            self.call_from_thread(
                self.notify,
                f"Exported {counted(len(written), 'file')} to {self.notes_dir} ({kind})",
                markup=False,
                timeout=8,
            )

    def _export_json(self, article_ids: list[str] | None) -> None:
        """Every note in one file, `annotations.jsonld`; one article's in a file named after it."""
        assert self.library is not None and self.store is not None
        with _failing_as("Export", ImportError, TuiError, OSError):
            from tui.export.markdown import safe_filename
            from tui.export.web_annotation import export_jsonld_file

            wanted = set(article_ids) if article_ids is not None else None
            count = sum(1 for item in self.store.all() if wanted is None or item.article_id in wanted)
            if not count:
                self.call_from_thread(self.notify, "No notes to export.", severity="warning")
                return
            target = self.notes_dir / "annotations.jsonld"
            if article_ids is not None and len(article_ids) == 1 and article_ids[0] in self.library:
                target = self.notes_dir / f"{safe_filename(self.library.get(article_ids[0]).title)}.jsonld"
            written = export_jsonld_file(self.store, article_ids, target)
        self.call_from_thread(
            self.notify,
            f"Exported {counted(count, 'annotation')} to {written} (W3C Web Annotation JSON-LD)",
            markup=False,
            timeout=8,
        )

    def export_story(self, story_id: str, flavor: Flavor = "obsidian") -> None:
        """Export a story (by story id, or by article id for an article with no other version)."""
        if self.library is None or self.store is None or self.stories is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export_story(story_id, flavor)

    @work(thread=True, group="export", exit_on_error=False, description="export")
    def _export_story(self, story_id: str, flavor: Flavor) -> None:
        from tui.export.story import export_story
        from tui.stories.views import story_view

        assert self.stories is not None and self.store is not None
        with _failing_as("Export", TuiError, OSError):
            view = story_view(self.stories, self.stories.get(story_id), self.store)
            self.stories.save()
            written = export_story(view, self.stories.library, self.store, self.notes_dir, flavor)
        kind = "Logseq Markdown" if flavor == "logseq" else "Obsidian Markdown"
        self.call_from_thread(
            self.notify, f"Exported the story to {written} ({kind})", markup=False, timeout=8
        )
