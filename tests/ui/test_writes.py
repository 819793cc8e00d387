"""Writes run in workers, one at a time, in the order asked for; a failure is told in one place."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.notifications import SeverityLevel
from ui_helpers import open_reader, settle

from tui.app.session import WriteTurns


def test_write_turns_keep_the_order_asked_for() -> None:
    turns = WriteTurns()
    done: list[int] = []
    tickets = [turns.take() for _ in range(5)]

    def write(ticket: int) -> None:
        with turns.wait(ticket):
            done.append(ticket)

    # started last-first: each must still wait for the ones asked for before it
    threads = [threading.Thread(target=write, args=(ticket,)) for ticket in reversed(tickets)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=5)
    assert done == tickets


@pytest.mark.timeout(30)  # a turn never given up would hang: fail instead
def test_a_failed_write_still_lets_the_next_one_run() -> None:
    turns = WriteTurns()
    first, second = turns.take(), turns.take()
    try:
        with turns.wait(first):
            raise OSError("disk full")
    except OSError:
        pass
    with turns.wait(second):
        pass  # would hang if the failed turn had not been given up


async def test_highlight_then_undo_pressed_at_once_run_in_order(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("1", "u")
        await settle(pilot)
        assert app.store is not None and app.store.for_article(reader.article.id) == []
        assert reader.view.highlights == []


async def test_a_failed_highlight_is_told_once_and_saves_nothing(
    make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        assert app.store is not None

        def broken_add(*args: object, **kwargs: object) -> object:
            raise OSError("No space left on device")

        monkeypatch.setattr(app.store, "add", broken_add)
        app.clear_notifications()
        await pilot.press("1")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert messages == ["Highlight failed: No space left on device"]
        assert reader.view.highlights == []


async def test_a_highlight_is_on_disk_before_it_is_confirmed(
    make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    app = make_test_app()
    on_disk_when_confirmed: list[int] = []
    notify = app.notify

    def recording_notify(
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        if message == "Highlighted.":
            stored = json.loads((tmp_path / "annotations.json").read_text(encoding="utf-8"))
            on_disk_when_confirmed.append(len(stored["annotations"]))
        notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    monkeypatch.setattr(app, "notify", recording_notify)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("1")
        await settle(pilot)
    assert on_disk_when_confirmed == [1]


async def test_a_failing_screen_worker_is_told_not_swallowed(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen's worker (here: anchoring the Reader's highlights) that fails reaches the app's one
    failure handler and is shown, instead of leaving the article silently without its highlights."""
    from tui.app.screens.annotating import AnnotatingScreen

    def broken(self: AnnotatingScreen, article: object) -> list[object]:
        raise RuntimeError("anchoring broke")

    monkeypatch.setattr(AnnotatingScreen, "highlight_marks", broken)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.severity == "error" and "anchoring broke" in n.message for n in app._notifications)
