"""The Notes screen at 80 columns and its navigation keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle, tui_app

from tui.app.screens.notes import NotesScreen

LONG_TITLE = "Seoul cautions Moscow on Putin's NK visit, " + "and a headline that goes on " * 4 + "at length"


def lengthen_title(seed_library: Path) -> None:
    path = seed_library / f"{SEED_IDS[0]}.txt"
    path.write_text(path.read_text().replace("Seoul cautions Moscow on Putin's NK visit", LONG_TITLE, 1))


async def open_notes(pilot: Pilot[None], count: int, article_id: str = SEED_IDS[0]) -> NotesScreen:
    """Highlight the first ``count`` sentences of an article (with a note), then open its notes."""
    reader = await open_reader(pilot, article_id)
    app = tui_app(pilot)
    assert app.library is not None and app.store is not None
    other = app.library.get(SEED_IDS[1])  # so that all articles' notes overflow the screen
    for span in other.sentences[:8]:
        app.add_highlight(other, span.start, span.end)
    await settle(pilot)  # each highlight is saved by a worker of its own
    for number, span in enumerate(reader.article.sentences[:count]):
        annotation = app.store.add(reader.article, span.start, span.end)
        app.store.update(annotation.id, note=f"note {number} " + "with words " * 6, tags=["security", "nk"])
    app._changed(reader.article.id)
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    app.clear_notifications()
    await pilot.pause()
    assert isinstance(app.screen, NotesScreen)
    return app.screen


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_notes_status_and_count_are_readable(
    make_test_app: AppFactory, seed_library: Path, size: tuple[int, int]
) -> None:
    lengthen_title(seed_library)
    app = make_test_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_notes(pilot, 15)  # every body sentence of 000: with 002's 8, more rows than fit
        for scope, count in (("this article", 15), ("all articles", 23)):
            lines = screen_lines(app)
            assert f"· {count} notes · A: this article / all" in lines[0], scope
            header = lines[1]
            assert "Quote" in header and header.rstrip().endswith("Status"), scope
            rows = [line for line in lines[2:] if "yellow" in line]
            assert len(rows) >= 10, scope
            # A scrollbar may stand at the right edge of a row; the status must end just before it.
            bad = [line for line in rows if not re.search(r"\byellow +anchored$", line.rstrip(" ▁▂▃▄▅▆▇█▔"))]
            assert not bad, (scope, bad)
            quote_width = screen.query_one(DataTable).columns[ColumnKey("quote")].width
            note_width = screen.query_one(DataTable).columns[ColumnKey("note")].width
            assert quote_width > note_width, scope
            await pilot.press("A")
            await pilot.pause()


async def test_notes_top_end_and_paging_keys(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot, 15)
        await pilot.press("A")  # all articles: 23 rows, more than a screen
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        last = table.row_count - 1
        assert last > 20  # more rows than the screen shows
        for key, row in (("G", last), ("g", 0), ("end", last), ("home", 0)):
            await pilot.press(key)
            await pilot.pause()
            assert table.cursor_row == row, key
        await pilot.press("space")
        await pilot.pause()
        page = table.cursor_row
        assert 10 <= page < last
        await pilot.press("b")
        await pilot.pause()
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == page
        await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_row == 0


async def test_all_notes_list_articles_by_title_not_id(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot, SEED_IDS[2])
        span = reader.article.sentences[0]
        app.add_highlight(reader.article, span.start, span.end)
        await settle(pilot)
        app.open_notes(None)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        table = screen.query_one(DataTable)
        cell = str(table.get_cell_at(Coordinate(0, 0)))
        assert app.library is not None
        title = app.library.get(SEED_IDS[2]).title
        assert cell and title.startswith(cell.rstrip("…")), cell
        assert SEED_IDS[2] not in cell


async def test_r_reattaches_an_orphan_to_a_passage_typed_and_u_undoes(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from textual.widgets import Input

    from tui.app.screens.dialogs import QuoteScreen

    gone = 'Seoul has warned Moscow against "going beyond a certain point,"'
    new = "An entirely new opening line about other matters"
    app = make_test_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.library is not None and app.store is not None
        article = app.library.get(SEED_IDS[0])
        start = article.body.index(gone)
        app.store.add(article, start, start + len(gone))
    path = seed_library / f"{SEED_IDS[0]}.txt"
    path.write_text(path.read_text().replace(gone, new))

    again = make_test_app()
    async with again.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, NotesScreen)
        table = screen.query_one(DataTable)
        assert str(table.get_row_at(0)[-1]) == "orphaned"
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(again.screen, QuoteScreen)
        again.screen.query_one(Input).value = "no such words in the article"
        await pilot.press("enter")
        await settle(pilot)
        assert any("quote not found" in n.message for n in again._notifications)
        assert str(table.get_row_at(0)[-1]) == "orphaned"  # nothing saved

        await pilot.press("r")
        await pilot.pause()
        again.screen.query_one(Input).value = new
        await pilot.press("enter")
        await settle(pilot)
        assert again.store is not None and again.library is not None
        (annotation,) = again.store.all()
        body = again.library.get(SEED_IDS[0]).body
        assert body[annotation.start : annotation.end] == new
        assert str(table.get_row_at(0)[-1]) == "anchored"

        await pilot.press("u")
        await settle(pilot)
        assert str(table.get_row_at(0)[-1]) == "orphaned"
