"""A highlight deleted by another process (the CLI) while the app shows it: no crash, it is said."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from ui_helpers import open_reader, settle

from tui.annotations import AnnotationStore
from tui.app.screens.dialogs import NoteEditorScreen, TagsScreen
from tui.app.widgets.article_view import ArticleView


async def test_note_and_tags_on_a_highlight_deleted_elsewhere(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = app.screen.query_one(ArticleView)
        for key in ("a", "t"):  # the note, then the tags, of a highlight another process deleted
            await pilot.press("h")
            await settle(pilot)
            [mark] = view.highlights
            AnnotationStore(tmp_path / "annotations.json").delete(mark.annotation_id)  # `tui` elsewhere
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running
            assert not isinstance(app.screen, NoteEditorScreen | TagsScreen)
            assert view.highlights == []  # redrawn from the store: the highlight is gone
        assert any("deleted elsewhere" in n.message for n in app._notifications)
