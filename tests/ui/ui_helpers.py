"""Helpers for Pilot tests (imported by the test modules of this folder)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from rich.table import Table
from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.screen import Screen
from textual.visual import RichVisual
from textual.widget import Widget
from textual.widgets import Static

from tui.app.screens.reader import ReaderScreen
from tui.app.tui_app import TuiApp

SEED_IDS = ("000_097ad0791a11b944", "002_3b2e89bd4e21a8c9", "004_177cef035ac10641")
POLL = 0.02  # seconds between two looks at a condition that has no event to wait on


def tui_app(pilot: Pilot[None]) -> TuiApp:
    """The pilot's app as the TuiApp it is (`Pilot.app` is typed as a plain App)."""
    app = pilot.app
    assert isinstance(app, TuiApp), app
    return app


def current_screen(app: App[None]) -> Screen[object]:
    """`app.screen`, read afresh: mypy keeps an `isinstance` narrowing of `app.screen` across an
    await that changes the screen, and would call a later `app.screen is other` impossible."""
    return app.screen


def current_focus(app: App[None]) -> Widget | None:
    """`app.focused`, read afresh (as `current_screen`)."""
    return app.focused


async def settle(pilot: Pilot[None], timeout: float = 10.0) -> None:
    """Wait until background work (library, index, compare) has finished and been shown.

    The library, store, index and stories each end in a worker, but the index's worker starts on a
    timer a moment after the library shows, so `wait_for_complete` alone may return before it has
    begun: the app's own `background_idle` says when every piece is in, and is polled.
    """
    app = tui_app(pilot)
    for _ in range(int(timeout / POLL)):
        if app.background_idle:
            break
        await pilot.pause(POLL)
    else:
        raise AssertionError(
            f"background work not done after {timeout} s: library={app.library is not None}, "
            f"store={app.store_opened}, index={app.index is not None} ({app.index_error}), "
            f"stories={app.stories_done}"
        )
    for _ in range(3):  # a finished worker's message may start another (compare, stories)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def type_a_key_a_turn(app: App[None], text: str) -> None:
    """Type ``text`` as the terminal's input thread hands keys to the app: each key in a turn of
    the event loop of its own, so the app hands out a key while a screen is still at the one
    before (`Pilot.press` waits for each key to be handled; `burst` queues them all at once)."""
    driver = app._driver
    assert driver is not None
    for character in text:
        event = events.Key({"/": "slash", " ": "space"}.get(character, character), character)
        event.set_sender(app)
        driver.send_message(event)
        await asyncio.sleep(0)


async def until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Wait for a condition the app reaches after a timer (a loaded machine fires timers late).

    Timers (the filter's debounce, the index's start) post no event a test can await, hence the poll.
    True once the condition holds; after `timeout` seconds the test fails here.
    """
    for _ in range(int(timeout / POLL)):
        if condition():
            return True
        await pilot.pause(POLL)
    if condition():
        return True
    code = getattr(condition, "__code__", None)  # a lambda's says where the test states it
    where = f" at {Path(code.co_filename).name}:{code.co_firstlineno}" if code is not None else ""
    raise AssertionError(f"the condition{where} was not reached within {timeout} s")


async def open_reader(pilot: Pilot[None], article_id: str = SEED_IDS[0]) -> ReaderScreen:
    await settle(pilot)
    app = tui_app(pilot)
    app.open_article(article_id)
    await settle(pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def help_table(app: App[None]) -> Table:
    """The table the open help draws (a Rich table in a Static: private, pinned in test_private_apis)."""
    visual = app.screen.query_one("#help-text", Static).visual
    assert isinstance(visual, RichVisual), visual
    table = visual._renderable
    assert isinstance(table, Table), table
    return table


def as_binding(binding: BindingType) -> Binding:
    """A binding of ours as the `Binding` it is (BINDINGS may also hold plain tuples; ours never do)."""
    assert isinstance(binding, Binding), binding
    return binding


def screen_lines(app: App[None]) -> list[str]:
    """The text of the screen as drawn, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]
