"""The app with the new kinds: Library marks and Compare for an update and a partial copy; templates hidden."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.widgets import Static
from ui_helpers import open_reader, settle

from tui.app.screens.compare import CompareScreen
from tui.app.screens.library import LibraryScreen
from tui.app.widgets.article_table import ArticleTable

HAND_CASES = Path(__file__).resolve().parents[1] / "data" / "neardup"


def library_of(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "hand-cases"
    folder.mkdir()
    for name in names:
        shutil.copy(HAND_CASES / f"{name}.md", folder / f"{name}.md")
    return folder


@pytest.mark.parametrize(("other", "kind"), [("correction", "update"), ("inside_longer", "partial")])
async def test_library_mark_and_compare_show_the_kind(
    make_test_app: AppFactory, tmp_path: Path, other: str, kind: str
) -> None:
    app = make_test_app(articles=library_of(tmp_path, "base", other))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one("#articles", ArticleTable)
        row = [article.id for article in screen.shown].index("base")
        assert f"1 {kind}" in table.row_text(row)[6]
        await open_reader(pilot, "base")
        await pilot.press("c")
        await settle(pilot)
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert kind in str(compare.query_one("#compare-summary", Static).render())
        assert compare.pairs


async def test_a_template_sibling_gets_no_mark(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(articles=library_of(tmp_path, "base", "template"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one("#articles", ArticleTable)
        for row in range(table.row_count):
            assert "template" not in table.row_text(row)[6]
