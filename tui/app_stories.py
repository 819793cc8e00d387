"""The app's story side: building stories after the index, and the writes they ask for.

Kept apart from `tui/app.py` so that the shell stays small: `TuiApp` inherits these. Stories are
built in a thread worker once the similarity index is ready; orphans whose passage stands verbatim
in a copy or update are carried over there at once (and the user is told); everything else
(adopting an echo, moving a note to a reworded home) waits for a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App

from tui.errors import TuiError
from tui.messages import StoriesReady

if TYPE_CHECKING:
    from tui.articles import Article, Library
    from tui.stories import Echo, Home, Stories, Story


class StoryApp(App[None]):
    """Stories, echoes, adopting and moving notes, story export."""

    stories: Stories | None = None
    stories_done = False  # built, or failed: background work is over

    if TYPE_CHECKING:  # set up by TuiApp
        library: Library | None
        store: Any
        state_dir: Path
        cache_dir: Path
        notes_dir: Path

        def _changed(self, *article_ids: str) -> None: ...
        def _writable_store(self) -> Any: ...
        def _failed(self, what: str, error: Exception) -> None: ...

    @work(thread=True, group="stories", exit_on_error=False, exclusive=True)
    def build_stories(self, library: Library, index: Any) -> None:
        from tui.stories import Stories, carry_over

        try:
            stories = Stories.build(library, index, state_dir=self.state_dir, cache_dir=self.cache_dir)
        except (TuiError, OSError, ValueError) as error:
            self.call_from_thread(self._failed, "Finding stories", error)
            self.post_message(StoriesReady(None, []))
            return
        carried: list[Any] = []
        store = self.store
        if store is not None and not getattr(store, "read_only", True):
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
            handler = getattr(screen, "stories_ready", None)
            if handler is not None:
                handler()

    def story_of(self, article_id: str) -> Story | None:
        return self.stories.of(article_id) if self.stories is not None else None

    def open_story(self, article_id: str) -> None:
        from tui.screens.story import StoryScreen

        if self.stories is None or self.library is None:
            self.notify("Still finding the stories; try again in a moment.", severity="warning")
            return
        story = self.stories.get(article_id)
        self.push_screen(StoryScreen(story.id, article_id))

    def adopt_echo(self, echo: Echo, article: Article) -> Any:
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

    def move_to_home(self, annotation_id: str, home: Home) -> Any:
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

    def export_story(self, story_id: str) -> None:
        """Export a story (by story id, or by article id for an article with no other version)."""
        if self.library is None or self.store is None or self.stories is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export_story(story_id)

    @work(thread=True, group="export", exit_on_error=False)
    def _export_story(self, story_id: str) -> None:
        from tui.export import export_story

        assert self.stories is not None and self.library is not None
        try:
            written = export_story(self.stories, self.store, self.stories.get(story_id), self.notes_dir)
        except (TuiError, OSError) as error:
            self.call_from_thread(self._failed, "Export", error)
            return
        self.call_from_thread(self.notify, f"Exported the story to {written}", markup=False, timeout=8)
