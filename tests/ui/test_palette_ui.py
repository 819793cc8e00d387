"""The reader's colours come from tui/palette.py from the start, not when the store opens."""

from __future__ import annotations

import threading

from conftest import AppFactory
from ui_helpers import SEED_IDS, settle

from tui.app.screens.reader import ReaderScreen
from tui.palette import PALETTE


async def test_a_reader_opened_before_the_store_loads_highlights_red_with_key_4(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    store_may_open = threading.Event()
    open_store = app._open_store

    def held_open_store() -> object:
        store_may_open.wait(timeout=30)
        return open_store()

    app._open_store = held_open_store  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(500):
            if app.library is not None:
                break
            await pilot.pause(0.02)
        assert app.store is None, "the store is held back"
        app.open_article(SEED_IDS[0])
        for _ in range(50):
            if isinstance(app.screen, ReaderScreen):
                break
            await pilot.pause(0.02)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.view.highlight_colors == [color.name for color in PALETTE]
        store_may_open.set()
        await settle(pilot)
        app.clear_notifications()
        await pilot.press("4")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.for_article(SEED_IDS[0])
        assert annotation.color == "red"
        assert [mark.color for mark in reader.view.highlights] == ["red"]
        assert not any("failed" in notification.message for notification in app._notifications)
