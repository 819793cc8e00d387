"""Helpers for Pilot tests (imported by the test modules of this folder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

SEED_IDS = ("000_097ad0791a11b944", "002_3b2e89bd4e21a8c9", "004_177cef035ac10641")


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until background work (library, index, compare) has finished and been shown."""
    for _ in range(500):  # the index starts a moment after the library shows
        if pilot.app.background_idle:  # type: ignore[attr-defined]
            break
        await pilot.pause(0.02)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait for a condition the app reaches after a timer (a loaded machine fires timers late)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


async def open_reader(pilot: Pilot[Any], article_id: str = SEED_IDS[0]) -> Any:
    from tui.app.screens.reader import ReaderScreen

    await settle(pilot)
    app = pilot.app
    app.open_article(article_id)  # type: ignore[attr-defined]
    await settle(pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def screen_lines(app: Any) -> list[str]:
    """The text of the screen as drawn, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
