"""Snapshots of Library, Reader and Compare on the seeds, at 100x30 and 80x24, and of the story
screen at 110x34 and 80x24.

Deterministic: every path in tmp_path, the index and compare workers awaited before the shot,
and nothing on screen depends on the clock. Review the report before `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import pytest
from conftest import AppFactory
from textual.app import App
from textual.pilot import Pilot
from ui_helpers import SEED_IDS, settle, tui_app

SIZES = [(100, 30), (80, 24)]


class SnapCompare(Protocol):
    """pytest-textual-snapshot's `snap_compare` fixture: the app's screen against the committed one."""

    def __call__(
        self,
        app: App[None],
        *,
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[None]], Awaitable[None]] | None = None,
    ) -> bool: ...


async def library_ready(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def reader_ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    tui_app(pilot).open_article(SEED_IDS[0])
    await settle(pilot)
    await pilot.press("j", "j", "h", "j")
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def compare_ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    tui_app(pilot).open_article(SEED_IDS[0])
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("n", "n")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_library_snapshot(
    snap_compare: SnapCompare, make_test_app: AppFactory, size: tuple[int, int]
) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=library_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_reader_snapshot(snap_compare: SnapCompare, make_test_app: AppFactory, size: tuple[int, int]) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=reader_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_compare_snapshot(
    snap_compare: SnapCompare, make_test_app: AppFactory, size: tuple[int, int]
) -> None:
    assert snap_compare(make_test_app(), terminal_size=size, run_before=compare_ready)


async def compare_right_pane_ready(pilot: Pilot[None]) -> None:
    await compare_ready(pilot)
    await pilot.press("tab")
    await settle(pilot)


def test_compare_no_color_snapshot(
    snap_compare: SnapCompare, make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under NO_COLOR the focused pane (the right one, after tab) still stands out."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_test_app(), terminal_size=(100, 30), run_before=compare_right_pane_ready)


STORY_SIZE = (110, 34)  # versions, the passage matrix and the notes all in view


async def story_ready(pilot: Pilot[None]) -> None:
    await settle(pilot)
    tui_app(pilot).open_article(SEED_IDS[0])
    await settle(pilot)
    await pilot.press("S")
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", [STORY_SIZE, (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_story_snapshot(
    snap_compare: SnapCompare,
    make_test_app: AppFactory,
    tmp_path: Path,
    seed_library: Path,
    size: tuple[int, int],
) -> None:
    """The seeds' story (000 and its rewrite 002) with a note on 000 that echoes, reworded, on 002."""
    from tui.annotations import AnnotationStore, find_quote
    from tui.library.loader import load_library

    article = load_library(seed_library).get(SEED_IDS[0])
    start, end = find_quote(article, 'Seoul has warned Moscow against "going beyond a certain point,"', 1)
    AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note="the warning")
    assert snap_compare(make_test_app(), terminal_size=size, run_before=story_ready)
