"""Annotating in the Reader and the Notes screen: highlight, colors, note, tags, delete, undo, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea
from ui_helpers import SEED_IDS, open_reader, settle, tui_app

from tui.annotations import Annotation, AnnotationStore
from tui.app.screens.dialogs import ConfirmScreen, NoteEditorScreen, TagsScreen
from tui.app.screens.notes import NotesScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_view import ArticleView


def stored(tmp_path: Path) -> list[Annotation]:
    return AnnotationStore(tmp_path / "annotations.json").all()


async def highlight_then_break_saves(
    pilot: Pilot[None], monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """Open 000, highlight its first sentence, then make every later store update fail."""
    await open_reader(pilot)
    await pilot.press("h")
    await settle(pilot)

    def broken_update(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(tui_app(pilot).store, "update", broken_update)


def view_of(app: App[None]) -> ArticleView:
    return app.screen.query_one(ArticleView)


async def test_h_highlights_sentence_in_default_color(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("j", "h")
        await settle(pilot)
        view = view_of(app)
        [annotation] = stored(tmp_path)
        assert annotation.exact == view.article.text(view.cursor_span)
        assert annotation.color == "yellow"
        assert [mark.annotation_id for mark in view.highlights] == [annotation.id]
        # a color key on the highlighted sentence recolors it
        await pilot.press("3")
        await settle(pilot)
        [annotation] = stored(tmp_path)
        assert annotation.color == app.highlight_colors[2]
        assert view.highlights[0].color == annotation.color


async def test_selection_highlight_in_picked_color(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("v", "j", "w", "2")
        await settle(pilot)
        [annotation] = stored(tmp_path)
        assert annotation.color == app.highlight_colors[1]
        assert annotation.exact.startswith("Seoul has warned")
        assert annotation.exact.endswith('"Our')
        assert view_of(app).selection is None


async def test_note_editor_saves_with_ctrl_s(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a")  # no highlight yet: one is made first
        await pilot.pause()
        assert isinstance(app.screen, NoteEditorScreen)
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"Key *claim*", "enter", *"- second line")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        [annotation] = stored(tmp_path)
        assert annotation.note == "Key *claim*\n- second line"
        # `a` on the same sentence edits that annotation, not a new one
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == annotation.note
        await pilot.press("escape")  # unchanged: closes without asking
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert len(stored(tmp_path)) == 1


async def test_escape_asks_before_discarding_a_changed_note(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a", *"draft")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, NoteEditorScreen)
        assert app.screen.query_one(TextArea).text == "draft"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        [annotation] = stored(tmp_path)
        assert annotation.note == ""


async def test_failed_save_is_loud_and_keeps_the_text(
    make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await highlight_then_break_saves(pilot, monkeypatch, OSError(28, "No space left on device"))
        await pilot.press("a", *"precious words", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditorScreen)  # reopened, nothing lost
        assert app.screen.query_one(TextArea).text == "precious words"
        assert any(n.severity == "error" and "No space" in n.message for n in app._notifications)


async def test_tags_with_completion(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagsScreen)
        await pilot.press(*"diplomacy, russia", "enter")
        await settle(pilot)
        [annotation] = stored(tmp_path)
        assert annotation.tags == ["diplomacy", "russia"]
        await pilot.press("j", "t")
        await pilot.pause()
        await pilot.press(*"dip")
        await pilot.pause()
        await pilot.press("right")  # accept the completion from existing tags
        assert app.screen.query_one(Input).value == "diplomacy"
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(a.tags[0] for a in stored(tmp_path)) == ["diplomacy", "diplomacy"]


async def test_delete_and_undo(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert len(stored(tmp_path)) == 1
        await pilot.press("x")
        await settle(pilot)
        assert stored(tmp_path) == []
        assert view_of(app).highlights == []
        await pilot.press("u")
        await settle(pilot)
        assert len(stored(tmp_path)) == 1
        assert len(view_of(app).highlights) == 1


async def test_brackets_jump_between_annotations(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = view_of(app)
        await pilot.press("j", "h", "J", "J", "h", "g")
        await settle(pilot)
        starts = [mark.start for mark in view.highlights]
        await pilot.press("right_square_bracket")
        assert view.cursor_span.start == starts[0]
        await pilot.press("right_square_bracket")
        assert view.cursor_span.start == starts[1]
        await pilot.press("left_square_bracket")
        assert view.cursor_span.start == starts[0]


async def test_notes_screen_lists_edits_and_jumps(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("h", "J", "J", "h")
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        assert "anchored" in str(table.get_row_at(0)[-1])
        await pilot.press("j", "4")  # recolor the second
        await settle(pilot)
        colors = sorted(a.color for a in stored(tmp_path))
        assert app.highlight_colors[3] in colors
        await pilot.press("x")
        await settle(pilot)
        assert table.row_count == 1
        await pilot.press("u")
        await settle(pilot)
        assert table.row_count == 2
        await pilot.press("A")  # all articles
        await pilot.pause()
        assert app.screen.article_id is None
        await pilot.press("A")
        await pilot.press("j", "enter")  # jump back into the reader, on that annotation
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        view = view_of(app)
        second = sorted(a.start for a in stored(tmp_path))[1]
        assert view.cursor_span.start == second


async def test_orphaned_annotation_shows_its_status(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("h")
        await settle(pilot)
    path = seed_library / f"{SEED_IDS[0]}.txt"
    text = path.read_text()
    path.write_text(text.replace("Seoul has warned Moscow against", "Completely different words here"))
    again = make_test_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        table = again.screen.query_one(DataTable)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[-1]) in ("moved", "orphaned")
        data = json.loads((tmp_path / "annotations.json").read_text())
        assert data


async def test_failed_tag_save_keeps_the_tags(
    make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await highlight_then_break_saves(pilot, monkeypatch, OSError(13, "Permission denied"))
        await pilot.press("t", *"kept, safe", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        assert app.screen.query_one(Input).value == "kept, safe"
        assert any(n.severity == "error" for n in app._notifications)


async def test_reader_marks_a_highlight_that_carries_a_note_and_shows_the_note(
    make_test_app: AppFactory,
) -> None:
    from textual.widgets import Static

    from tui.app.widgets.article_view import ArticleView

    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.query_one(ArticleView)
        article = view.article
        noted, plain = article.sentences[1], article.sentences[3]
        assert app.store is not None
        annotation = app.store.add(article, noted.start, noted.end)
        app.store.update(annotation.id, note="Chang is the national security adviser.")
        app.store.add(article, plain.start, plain.end)
        app._changed(article.id)
        await settle(pilot)
        note_line = reader.query_one("#note-line", Static)
        assert view.cursor == 0 and not note_line.display

        def gutter_at(offset: int) -> str:
            row = view.line_offset_of(offset)
            return view.render_line(row).text[:1]

        assert gutter_at(noted.start) == "✎"  # the noted highlight is marked
        assert gutter_at(plain.start) == " "  # a highlight without a note is not
        await pilot.press("j")
        await pilot.pause()
        assert note_line.display
        assert "Chang is the national security adviser." in str(note_line.render())
        await pilot.press("j", "j")
        await pilot.pause()
        assert not note_line.display  # on the highlight without a note


async def open_note_editor(pilot: Pilot[None]) -> NoteEditorScreen:
    await open_reader(pilot)
    await pilot.press("a")
    await settle(pilot)
    editor = pilot.app.screen
    assert isinstance(editor, NoteEditorScreen)
    return editor


async def test_note_editor_colours_markdown_where_tree_sitter_is_installed(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_note_editor(pilot)
        area = editor.query_one("#note-text", TextArea)
        assert area.language == "markdown"
        await pilot.press(*"# Heading", "enter", *"some **bold** text")
        await pilot.pause()
        assert area._highlight_query is not None
        assert any(area._highlights.values())  # the heading and the bold are coloured
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.all()
        assert annotation.note == "# Heading\nsome **bold** text"


async def test_note_editor_is_plain_text_without_the_markdown_grammar(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tree_sitter_markdown", None)  # import fails, as when absent
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_note_editor(pilot)
        area = editor.query_one("#note-text", TextArea)
        assert area.language is None
        await pilot.press(*"# plain", "ctrl+s")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.all()
        assert annotation.note == "# plain"


async def test_keys_typed_just_before_ctrl_s_are_saved(make_test_app: AppFactory, tmp_path: Path) -> None:
    """ctrl+s takes its turn after the keys typed before it, however fast they came (a priority
    binding ran ahead of the editor's queue and saved "Chang's warn" for "Chang's warning")."""
    from textual import events

    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        # One burst, as a terminal delivers typed-ahead keys: nothing waits for the editor in between.
        for character in "warning":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("ctrl+s", None))
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        [annotation] = stored(tmp_path)
        assert annotation.note == "warning"
