"""The app's export keys: ask which format (a dialog, keyboard only), then ask the app to write.

The Reader's `e`, the story screen's `e` and the palette's exports all come through here, so each
offers the same formats and starts on the one chosen last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui.app.export_format import ExportFormat
from tui.app.screens.dialogs import ExportFormatScreen

if TYPE_CHECKING:
    from tui.app.session import SessionApp

MARKDOWN_ONLY: tuple[ExportFormat, ...] = ("obsidian", "logseq")


def ask_export_notes(app: SessionApp, article_ids: Iterable[str] | None, what: str) -> None:
    """Ask for a format, then export the notes of ``article_ids`` (None: every article's)."""
    ids = None if article_ids is None else list(article_ids)

    def chosen(fmt: ExportFormat | None) -> None:
        if fmt is not None:
            app.export_format = fmt
            app.export_notes(ids, fmt)

    app.push_screen(ExportFormatScreen(what, str(app.notes_dir), current=app.export_format), chosen)


def ask_export_story(app: SessionApp, story_id: str) -> None:
    """Ask for a Markdown flavour (a story exports Markdown only, as `tui export --story`), then export."""

    def chosen(fmt: ExportFormat | None) -> None:
        if fmt == "obsidian" or fmt == "logseq":
            app.export_format = fmt
            app.export_story(story_id, fmt)

    app.push_screen(
        ExportFormatScreen("this story's notes", str(app.notes_dir), MARKDOWN_ONLY, app.export_format),
        chosen,
    )
