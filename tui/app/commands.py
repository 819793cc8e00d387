"""The command palette: the active key bindings of the screen, plus app-wide commands.

Generated from the same binding tables as the footer and help, so the three cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from tui.app.keys import binding_description

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.app.session import SessionApp


def binding_commands(app: SessionApp, screen: Screen[Any]) -> Iterable[SystemCommand]:
    """One command per action active on ``screen`` (focused widget, screen, app)."""
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        offers = getattr(active.node, "offers", None)
        if callable(offers) and not offers(binding.action):
            continue  # a key that would only say "not here" (no echo under the cursor) is not offered
        marker = (id(active.node), binding.action)
        if marker in seen:
            continue
        seen.add(marker)
        callback = partial(_run, app, binding.action, active.node)
        description = binding_description(binding.action, binding.description)
        yield SystemCommand(description, f"key: {app.get_key_display(binding)}", callback)


def _run(app: SessionApp, action: str, node: DOMNode) -> None:
    app.call_later(app.run_action, action, node)


def app_commands(app: SessionApp, screen: Screen[Any]) -> Iterable[SystemCommand]:
    from tui.app.screens.library import SORTS, LibraryScreen

    yield from binding_commands(app, screen)
    yield SystemCommand(
        "Export all notes",
        f"Every article's notes as Obsidian or Logseq Markdown, or Web Annotation JSON-LD, in {app.notes_dir}",
        _export_all(app),
    )
    yield SystemCommand("Show all notes", "Every annotation of every article", partial(app.open_notes, None))
    yield from _story_commands(app, screen)
    if isinstance(screen, LibraryScreen):
        for sort in SORTS:
            yield SystemCommand(
                f"Sort by {sort}", f"Order the library by {sort}", partial(screen.set_sort, sort)
            )


def _export_all(app: SessionApp) -> Callable[[], None]:
    from tui.app.screens.exporting import ask_export_notes

    return partial(ask_export_notes, app, None, "every article's notes")


def _story_commands(app: SessionApp, screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Export the story of the article on screen (the Reader, or the story screen itself)."""
    from tui.app.screens.exporting import ask_export_story
    from tui.app.screens.reader import ReaderScreen
    from tui.app.screens.story import StoryScreen

    story = None
    if isinstance(screen, StoryScreen):
        story = screen.story
    elif isinstance(screen, ReaderScreen):
        story = app.story_of(screen.article.id)
    if story is not None:
        yield SystemCommand(
            "Export this story",
            f"One Markdown file with the notes of all {len(story.versions)} versions, in {app.notes_dir}",
            partial(ask_export_story, app, story.id),
        )
