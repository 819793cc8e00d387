"""The Library screen: rows, filter, sort, Enter, skipped-file notice, similarity marks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import AppFactory
from textual import events
from textual.app import App
from textual.widgets import Input, Static
from ui_helpers import SEED_IDS, settle, type_a_key_a_turn, until

from tui.app.screens.library import LibraryScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_table import ArticleTable


def table_ids(app: App[None]) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return [article.id for article in screen.shown]


async def test_library_lists_every_article_with_columns(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#articles", ArticleTable)
        assert table.row_count == 3
        assert [article.id for article in table.articles] == table_ids(app)
        row = table.row_text(0)[1:]
        assert row[:4] == [
            "Seoul cautions Moscow on Putin's NK visit",
            "The Korea Herald",
            "2024-06-17",
            "465",
        ]
        # marks are filled in by the index worker: 000 and 002 are rewrites of each other
        assert "rewrite" in table.row_text(table_ids(app).index(SEED_IDS[1]))[6]
        shown = "".join(table.render_line(y).text for y in range(4))
        assert "Title" in shown and "The Korea Herald" in shown


async def test_filter_narrows_and_enter_opens_first(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"hankyoreh")
        await until(pilot, lambda: table_ids(app) == [SEED_IDS[2]])
        assert table_ids(app) == [SEED_IDS[2]]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == SEED_IDS[2]


async def test_filter_searches_body_text_and_escape_clears(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"konstantin asmolov")
        await until(pilot, lambda: table_ids(app) == [SEED_IDS[2]])
        assert table_ids(app) == [SEED_IDS[2]]
        await pilot.press("escape")
        await pilot.pause()
        assert len(table_ids(app)) == 3


async def test_sort_cycles_date_title_source(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert table_ids(app) == [SEED_IDS[0], SEED_IDS[2], SEED_IDS[1]]  # newest first, undated last
        await pilot.press("s")
        assert table_ids(app) == [SEED_IDS[2], SEED_IDS[0], SEED_IDS[1]]  # by title
        await pilot.press("s")
        assert isinstance(app.screen, LibraryScreen) and app.screen.sort == "source"
        assert table_ids(app)[-1] == SEED_IDS[1]  # no source sorts last


async def test_enter_on_row_opens_chosen_and_q_goes_back_then_quits(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == SEED_IDS[2]
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_skipped_files_are_a_notice_not_a_crash(make_test_app: AppFactory, seed_library: Path) -> None:
    (seed_library / "empty.txt").write_text("")
    (seed_library / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        notice = app.screen.query_one("#library-notice", Static)
        assert notice.display
        assert "Skipped" in str(notice.render())
        assert len(table_ids(app)) == 3


async def test_missing_folder_is_reported(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app(tmp_path / "nowhere")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "nowhere" in str(app.screen.query_one("#status", Static).render())


async def test_progress_shows_while_indexing_and_marks_fill_in(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from textual.widgets import ProgressBar

    from tui.library.articles import Library
    from tui.similarity import SimilarityIndex

    real_build = SimilarityIndex.build
    halfway = threading.Event()
    release = threading.Event()

    def slow_build(
        library: Library, cache_dir: Path | None, progress: Callable[[int, int], None] | None = None
    ) -> SimilarityIndex:
        assert progress is not None
        progress(1, 3)
        halfway.set()
        release.wait(10)
        return real_build(library, cache_dir, progress=progress)

    monkeypatch.setattr(SimilarityIndex, "build", staticmethod(slow_build))
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # the build's thread sets the event; waiting for it in another thread keeps the app running
        assert await asyncio.to_thread(halfway.wait, 10), "the index never reported its progress"
        bar = app.screen.query_one("#index-progress", ProgressBar)
        # the progress reaches the screen through a message posted from the build's thread
        await until(pilot, lambda: bool(bar.display) and bar.progress == 1 and bar.total == 3)
        assert "finding near-duplicates" in str(app.screen.query_one("#status", Static).render())
        assert all(row[6] == "" for row in map(app.screen.query_one(ArticleTable).row_text, range(3)))
        await pilot.press("j")  # the library takes keys while the index is built
        release.set()
        await settle(pilot)
        assert not bar.display
        assert any(row[6] for row in map(app.screen.query_one(ArticleTable).row_text, range(3)))


def burst(app: App[None], *items: str | events.Event) -> None:
    """Keys (and pastes) arriving together, as from a fast typist or the terminal's one read:
    all are queued before the app handles the first."""
    driver = app._driver
    assert driver is not None
    for item in items:
        if isinstance(item, str):
            event: events.Event = events.Key(item, item if len(item) == 1 else None)
        else:
            event = item
        event.set_sender(app)
        driver.send_message(event)


@pytest.mark.parametrize(
    "typed",
    [("slash", *"herald"), ("slash", events.Paste("herald"))],
    ids=["keys", "paste"],
)
async def test_everything_typed_after_slash_goes_to_the_filter(
    make_test_app: AppFactory, typed: tuple[str | events.Event, ...]
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, *typed)
        await until(pilot, lambda: getattr(app.screen, "filter_text", "") == "herald")
        assert isinstance(app.screen, LibraryScreen)  # `l` did not open the notes
        assert app.screen.query_one("#filter", Input).value == "herald"
        assert app.screen.filter_text == "herald"
        assert table_ids(app) == [SEED_IDS[0]]  # only 000 is from the Korea Herald


async def test_keys_handed_over_one_at_a_time_after_slash_reach_the_filter_in_order(
    make_test_app: AppFactory,
) -> None:
    """Typed after `/`, however the terminal hands them over, keys reach the filter in order.
    They did not when `/` moved the focus only once the list had it: the keys handed to the list
    before then came up through the screen after later ones had reached the filter, "Korea
    Herald" read "oKrea Herald" (under load, with more keys handed to the list, "eraldKorea H")."""
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_a_key_a_turn(app, "/Korea Herald")
        await until(pilot, lambda: getattr(app.screen, "filter_text", "") == "Korea Herald")
        assert app.screen.query_one("#filter", Input).value == "Korea Herald"
        assert table_ids(app) == [SEED_IDS[0]]


async def test_a_slash_typed_in_the_filter_is_part_of_it(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"a/b")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "a/b"


async def test_a_paste_in_the_list_filters(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, events.Paste("hankyoreh"))
        await until(pilot, lambda: table_ids(app) == [SEED_IDS[2]])
        assert app.screen.query_one("#filter", Input).value == "hankyoreh"
        assert table_ids(app) == [SEED_IDS[2]]


async def test_back_from_an_article_the_list_has_focus(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"seoul", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one("#articles", ArticleTable)
        assert app.focused is table
        before = table.cursor_row
        await pilot.press("j")
        assert app.screen.query_one("#filter", Input).value == "seoul"
        assert table.cursor_row == min(before + 1, table.row_count - 1)


async def test_filter_matches_article_ids(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"004_177c")
        await until(pilot, lambda: table_ids(app) == [SEED_IDS[2]])
        assert table_ids(app) == [SEED_IDS[2]]


async def test_the_skipped_files_notice_can_be_dismissed_and_its_details_stay_a_key_away(
    make_test_app: AppFactory, seed_library: Path
) -> None:
    (seed_library / "empty.txt").write_text("")
    (seed_library / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        notice = screen.query_one("#library-notice", Static)
        assert notice.display and notice.size.height == 1
        rows_before = screen.query_one("#articles", ArticleTable).size.height
        await pilot.press("x")
        await pilot.pause()
        assert not notice.display
        assert screen.query_one("#articles", ArticleTable).size.height == rows_before + 1
        assert "i" in str(screen.query_one("#status", Static).render())
        await pilot.press("i")
        await pilot.pause()
        details = "\n".join(str(static.render()) for static in app.screen.query(Static))
        assert "empty.txt" in details and "binary.txt" in details
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not notice.display


async def test_a_burst_with_enter_opens_the_first_match(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "slash", *"hankyoreh", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.id == SEED_IDS[2]
