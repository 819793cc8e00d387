"""Exporting notes from the app: `e` in the Reader, and "Export all notes" in the palette."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AppFactory
from ui_helpers import SEED_IDS, open_reader, settle

pytest.importorskip("tui.export", reason="tui/export.py (issue 4) is not in the tree yet")


async def test_e_exports_this_article_and_says_where(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a", *"why it matters", "ctrl+s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        files = list((tmp_path / "notes").glob("*.md"))
        assert len(files) == 1
        assert "why it matters" in files[0].read_text()
        assert any(str(files[0]) in n.message for n in app._notifications)


async def test_palette_exports_all_notes(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[0])
        await pilot.press("h", "q")
        await open_reader(pilot, SEED_IDS[2])
        await pilot.press("h", "q")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export all notes")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert len(list((tmp_path / "notes").glob("*.md"))) == 2
