"""Orphaned notes and their homes, as the Reader and the Notes screen show them and move them.

A note whose passage is gone from its article (an edited or re-fetched page) can live again in the
newest version of its story that carries the passage (`tui.stories.Stories.homes`). The story
screen lists every orphan of a story; these helpers let the screens where the user meets the
orphan (its article, its notes) show its home and move it there with the same `H`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from tui.app.widgets.safe_text import sanitize

if TYPE_CHECKING:
    from tui.annotations import Annotation
    from tui.app.session import SessionApp
    from tui.library.articles import Library
    from tui.stories import Home, Stories

QUOTE_ROOM = 48  # characters of the home's passage quoted in a notice


def stories_settled(app: SessionApp) -> bool:
    """Whether the stories are built, or will not be (no index, or it failed): homes are final."""
    return (
        app.stories is not None
        or app.stories_done
        or not app.build_index_enabled
        or app.index_error is not None
    )


class HomesCache:
    """Homes already found, for one build of the stories: the Reader looks again after every
    highlight, and aligning an orphan with every version of a long story takes a while."""

    def __init__(self) -> None:
        self.stories: Stories | None = None
        self.found: dict[tuple[str, str, str, str, int, int], list[Home]] = {}
        # A cancelled worker runs on to its end, beside the one that replaced it.
        self._lock = threading.Lock()

    def homes(self, stories: Stories, annotation: Annotation) -> list[Home]:
        # what places the note; its note, tags and color do not move it
        key = (
            annotation.id,
            annotation.article_id,
            annotation.article_hash,
            annotation.exact,
            annotation.start,
            annotation.end,
        )
        with self._lock:
            if stories is not self.stories:  # rebuilt (the library changed): every home may differ
                self.stories, self.found = stories, {}
            if key not in self.found:
                self.found[key] = stories.homes(annotation)
            return self.found[key]


def find_homes(
    stories: Stories | None, orphans: list[Annotation], cache: HomesCache | None = None
) -> dict[str, list[Home]]:
    """Each orphan's candidate homes, newest first (slow: aligns versions; call from a worker)."""
    if stories is None:
        return {}
    cache = cache or HomesCache()
    return {annotation.id: cache.homes(stories, annotation) for annotation in orphans}


def _cut(text: str, room: int) -> str:
    flat = " ".join(sanitize(text).split())
    return flat if len(flat) <= room else flat[: room - 1] + "…"


def where(home: Home, library: Library | None, own_article_id: str) -> str:
    """The version a home is in, as a reader knows it: this text, or source and date and id."""
    if home.article_id == own_article_id:
        return "this article's current text"
    if library is None or home.article_id not in library:
        return sanitize(home.article_id)
    article = library.get(home.article_id)
    parts = [article.source or "", article.published.strftime("%Y-%m-%d") if article.published else ""]
    named = " · ".join(sanitize(part) for part in parts if part)
    return f"{named} ({sanitize(home.article_id)})" if named else sanitize(home.article_id)


def home_line(annotation: Annotation, homes: list[Home] | None, library: Library | None, ready: bool) -> str:
    """One line on an orphan: its home and the key that moves it there, or why it has none."""
    quote = _cut(annotation.exact, QUOTE_ROOM)
    if homes:
        home = homes[0]
        others = f" (+{len(homes) - 1} more)" if len(homes) > 1 else ""
        return (
            f"Orphaned “{quote}” · home: {home.match} in {where(home, library, annotation.article_id)}"
            f"{others}: “{_cut(home.text, QUOTE_ROOM)}” · H moves it there"
        )
    if homes is None or not ready:
        return f"Orphaned “{quote}” · looking for its home in the story…"
    return f"Orphaned “{quote}” · no version of its story carries this passage"


def move_home(app: SessionApp, annotation: Annotation, homes: list[Home] | None) -> bool:
    """Move an orphan to its first home (as the story screen's `H`: recorded as moved, `u` undoes).
    Says why not, and returns False, where there is no home to move to."""
    if not homes:
        app.notify(
            "This orphan has no home in its story: r in the Notes re-attaches it by hand.",
            severity="warning",
            markup=False,
        )
        return False
    app.move_to_home(annotation.id, homes[0])
    return True
