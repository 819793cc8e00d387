"""The reader's colours come from tui/palette.py from the start, not when the store opens."""

from __future__ import annotations

import threading

import pytest
from conftest import AppFactory
from ui_helpers import SEED_IDS, settle, until

from tui.annotations import AnnotationStore
from tui.app.screens.reader import ReaderScreen
from tui.palette import PALETTE


async def test_a_reader_opened_before_the_store_loads_highlights_red_with_key_4(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app()
    store_may_open = threading.Event()
    open_store = app._open_store

    def held_open_store() -> tuple[AnnotationStore | None, str | None]:
        store_may_open.wait(timeout=30)
        return open_store()

    monkeypatch.setattr(app, "_open_store", held_open_store)
    async with app.run_test(size=(100, 30)) as pilot:
        # the store is held, so settle() would wait for it: poll for the library alone
        await until(pilot, lambda: app.library is not None, timeout=10.0)
        assert app.store is None, "the store is held back"
        app.open_article(SEED_IDS[0])
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
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
