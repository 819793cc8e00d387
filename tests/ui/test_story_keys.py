"""The story screen's keys the other story tests leave out: tab between its tables, Enter on a
passage and on a note, Enter on an orphan, help, and back."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from textual.pilot import Pilot
from textual.widgets import DataTable
from ui_helpers import SEED_IDS, current_screen, help_table, open_reader, settle

from tui.annotations import AnnotationStore, find_quote
from tui.app.screens.reader import ReaderScreen
from tui.app.screens.story import StoryScreen
from tui.app.widgets.article_view import ArticleView
from tui.library.loader import load_library

A, B, RELATED = SEED_IDS


def annotate(tmp_path: Path, articles: Path, article_id: str, quote: str, note: str) -> str:
    article = load_library(articles).get(article_id)
    start, end = find_quote(article, quote, 1)
    return AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note=note).id


async def open_story(pilot: Pilot[None], article_id: str = A) -> StoryScreen:
    await open_reader(pilot, article_id)
    await pilot.press("S")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StoryScreen)
    return screen


async def test_tab_moves_between_versions_passages_and_notes(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    annotate(tmp_path, seed_library, A, "The presidential office in Seoul", "no comment")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_story(pilot)
        assert screen.focused is screen.query_one("#story-versions", DataTable)
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#story-matrix", DataTable)
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#story-notes", DataTable)
        await pilot.press("shift+tab", "shift+tab")
        assert screen.focused is screen.query_one("#story-versions", DataTable)


async def test_enter_on_a_passage_opens_the_version_at_that_passage(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_story(pilot)
        matrix = screen.query_one("#story-matrix", DataTable)
        await pilot.press("tab", "down", "down", "down")
        assert matrix.cursor_row == 3
        carrier, offset = screen.passage_texts[3]
        assert offset > 0
        await pilot.press("enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article.id == carrier
        assert reader.query_one(ArticleView).cursor_offset == offset
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is screen  # back to the story, where it was
        assert matrix.cursor_row == 3


async def test_enter_on_a_note_opens_its_version_at_the_note(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    annotate(tmp_path, seed_library, B, "Additionally, there is speculation", "on B")
    article = load_library(seed_library).get(B)
    note_start = article.body.index("Additionally, there is speculation")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_story(pilot)
        notes = app.screen.query_one("#story-notes", DataTable)
        assert [str(cell) for cell in notes.get_row_at(0)][0] == "2"  # on the second version
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article.id == B
        assert reader.query_one(ArticleView).cursor_offset == note_start


async def test_enter_on_an_orphan_says_h_moves_it_and_opens_nothing(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    quote = 'Seoul has warned Moscow against "going beyond a certain point,"'
    annotate(tmp_path, seed_library, A, quote, "the warning")
    path = seed_library / f"{A}.txt"
    text = path.read_text(encoding="utf-8")
    cut = text.index(quote)
    path.write_text(text[:cut] + text[text.index("\n\n", cut) + 2 :], encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_story(pilot)
        notes = screen.query_one("#story-notes", DataTable)
        row = [str(cell) for cell in notes.get_row_at(0)]
        assert row[1] == "orphaned" and row[3].startswith("homes: 2 (reworded)")
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert any("orphaned: H moves it to its home" in n.message for n in app._notifications)


async def test_help_from_the_story_screen_starts_with_its_keys(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_story(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        table = help_table(app)
        titles = [
            str(cell) for cell in table.columns[1]._cells if "underline" in str(getattr(cell, "style", ""))
        ]
        assert titles[0] == "Story (this screen; keys go to Versions; tab moves on)", titles
        keys = "\n".join(str(cell) for cell in table.columns[1]._cells)
        assert "Move orphan home" in keys and "Mark for compare" in keys
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and current_screen(app) is not screen
