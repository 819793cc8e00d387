"""The footer fits: at 80 and 100 columns every key it lists is whole, Back and Help always."""

from __future__ import annotations

import pytest
from conftest import AppFactory
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle

from tui.app.screens.compare import CompareScreen
from tui.app.screens.library import LibraryScreen
from tui.app.screens.notes import NotesScreen
from tui.app.screens.reader import ReaderScreen

SIZES = [(80, 24), (100, 30)]


def assert_footer_fits(app: App[None], back: str = "q Back") -> None:
    app.clear_notifications()
    footer_line = screen_lines(app)[-1]
    keys = list(app.screen.query_one(Footer).query(FooterKey))
    assert keys, footer_line
    for key in keys:
        shown = f"{key.key_display} {key.description}".strip()
        assert shown in footer_line, (shown, footer_line)
    assert back in footer_line and "? Help" in footer_line, footer_line


async def shown(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_footer_fits_on_every_screen(make_test_app: AppFactory, size: tuple[int, int]) -> None:
    app = make_test_app()
    async with app.run_test(size=size) as pilot:
        await shown(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert_footer_fits(app, back="q Quit")
        await open_reader(pilot, SEED_IDS[1])  # 002 repeats its own text: the most keys
        await shown(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.repeats
        assert_footer_fits(app)
        await pilot.press("c")
        await shown(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert_footer_fits(app)
        assert "tab other pane" in screen_lines(app)[-2]  # the legend names the key the footer leaves out
        await pilot.press("tab")
        await shown(pilot)
        assert_footer_fits(app)
        await pilot.press("q", "h", "l")
        await shown(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert_footer_fits(app)
