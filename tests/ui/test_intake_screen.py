"""The Library's A (add a link or path) and R (fetch the feeds): new articles appear, failures listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AppFactory
from intake_web import (  # noqa: F401  (the fixtures)
    LocalWeb,
    article_html,
    article_keys,
    local_web_fixture,
    no_pause_fixture,
    rss20,
    truth,
)
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from ui_helpers import settle, until

from tui.app.screens import intake as intake_screen
from tui.app.screens.dialogs import DetailsScreen
from tui.app.screens.intake import AddArticleScreen, clipboard_link
from tui.app.screens.library import LibraryScreen
from tui.app.widgets.article_table import ArticleTable
from tui.intake.feeds import Feed, FeedList

# The pause between requests to one host is tested in tests/unit/test_intake_politeness.py.
pytestmark = pytest.mark.usefixtures("no_pause")


async def wait_for_intake(pilot: Pilot[None], app: App[None]) -> None:
    await app.workers.wait_for_complete()
    await settle(pilot)
    await app.workers.wait_for_complete()
    await settle(pilot)


async def fetch_with_r(pilot: Pilot[None], app: App[None]) -> list[str]:
    """`R` pressed and its run waited for: what the app said of it."""
    app.clear_notifications()
    await pilot.press("R")
    await wait_for_intake(pilot, app)
    return [n.message for n in app._notifications]


def assert_the_run_took_the_rest(app: App[None], said: list[str], titles: list[str]) -> None:
    """A run after a bounded one: it says nothing is left, and every story is in the library."""
    assert said and not any("left for the next fetch" in message for message in said), said
    screen = app.screen
    assert isinstance(screen, LibraryScreen) and screen.library is not None
    assert set(titles) <= {a.title for a in screen.library.articles}


def follow_local_feed(local_web: LocalWeb, tmp_path: Path, items: list[tuple[str, str, str]]) -> None:
    """The feed of `items` (title, path, date) served at /feed.xml and followed as "Local"."""
    local_web.route("/feed.xml", rss20(local_web, items), content_type="application/rss+xml")
    feeds = FeedList.load(tmp_path / "config")
    feeds.feeds.append(Feed("Local", local_web.url("/feed.xml")))
    feeds.save()


def serve_three_stories(
    local_web: LocalWeb, delay: float = 0.0
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Three article pages served at /story0../story2: their titles and their feed items."""
    titles = ["Harbour wall rebuilt", "Tram line opens", "Library hours extended"]
    items = []
    for number, (title, key) in enumerate(zip(titles, article_keys(3), strict=True)):
        local_web.route(f"/story{number}", article_html(title, truth()[key]["articleBody"]), delay=delay)
        items.append((title, f"/story{number}", f"Mon, 17 Jun 2024 0{number}:00:00 GMT"))
    return titles, items


def test_clipboard_link_only_when_it_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_screen, "CLIPBOARD_COMMANDS", ())
    assert clipboard_link(" https://news.example/a \n") == "https://news.example/a"
    assert clipboard_link("some words, not a link") is None
    assert clipboard_link("") is None


async def test_add_offers_the_clipboard_link_and_adds(
    make_test_app: AppFactory, local_web: LocalWeb, tmp_path: Path, seed_library: Path
) -> None:
    url = local_web.route(
        "/story", article_html("Ferry service resumes", truth()[article_keys(1)[0]]["articleBody"])
    )
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.copy_to_clipboard(url)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, AddArticleScreen)
        assert app.screen.query_one("#add-source", Input).value == url
        await pilot.press("enter")
        await wait_for_intake(pilot, app)
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.library is not None
        assert "Ferry service resumes" in [a.title for a in screen.library.articles]
        table = screen.query_one("#articles", ArticleTable)
        assert any(a.title == "Ferry service resumes" for a in table.articles)
        assert app.index is not None and app.index_error is None
    assert len(list(seed_library.glob("*.md"))) == 1


async def test_fetch_lists_failures_and_shows_new_articles(
    make_test_app: AppFactory, local_web: LocalWeb, tmp_path: Path
) -> None:
    body = truth()[article_keys(1)[0]]["articleBody"]
    local_web.route("/ok", article_html("Bridge repairs finish early", body))
    follow_local_feed(
        local_web,
        tmp_path,
        [
            ("Bridge repairs", "/ok", "Mon, 17 Jun 2024 09:00:00 GMT"),
            ("Gone", "/gone", "Mon, 17 Jun 2024 10:00:00 GMT"),
        ],
    )
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await wait_for_intake(pilot, app)
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.lines == [f"{local_web.url('/gone')}: HTTP 404 Not Found"]
        await pilot.press("escape")
        await settle(pilot)
        library_screen = app.screen
        assert isinstance(library_screen, LibraryScreen) and library_screen.library is not None
        assert "Bridge repairs finish early" in [a.title for a in library_screen.library.articles]
        assert not library_screen.query("#intake-progress")


async def test_added_rewrite_gets_its_mark_without_a_restart(
    make_test_app: AppFactory, seed_library: Path, tmp_path: Path
) -> None:
    from ui_helpers import SEED_IDS

    rewrite = tmp_path / "outside" / f"{SEED_IDS[1]}.txt"
    rewrite.parent.mkdir()
    (seed_library / f"{SEED_IDS[1]}.txt").rename(rewrite)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_intake(pilot, app)
        await pilot.press("A")
        await settle(pilot)
        await pilot.press(*str(rewrite), "enter")
        await wait_for_intake(pilot, app)
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.library is not None
        [added] = [a for a in screen.library.articles if a.path.suffix == ".md"]
        # the index restarts on a timer a moment after the library is shown again: no event to await;
        # and the screen draws its marks again once it has taken the index's message
        await until(pilot, lambda: bool(screen._cells(added)[-1].plain.strip()), timeout=10.0)
        assert app.matches_for(added.id), "the index was rebuilt with the new article"
        mark = screen._cells(added)[-1].plain
        assert mark.split()[0] in ("◇", "◆"), mark  # a rewrite or closer, as the seeds 000 and 002 are


async def test_a_fetch_stopped_by_its_time_bound_says_so_and_the_next_goes_on(
    make_test_app: AppFactory, local_web: LocalWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.intake import feed_intake as intake

    monkeypatch.setattr(intake, "MAX_SECONDS", 1.5)
    # a second a page, one page at a time from this host: the bound comes in the second page
    titles, items = serve_three_stories(local_web, delay=1.0)
    follow_local_feed(local_web, tmp_path, items)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        said = await fetch_with_r(pilot, app)
        assert any(m.endswith("items left for the next fetch (R), at the 1.5 s bound") for m in said), said
        assert not isinstance(app.screen, DetailsScreen)  # what the bound left is no failure
        monkeypatch.setattr(intake, "MAX_SECONDS", 60.0)
        assert_the_run_took_the_rest(app, await fetch_with_r(pilot, app), titles)


async def test_r_gives_up_on_an_item_that_keeps_failing(
    make_test_app: AppFactory, local_web: LocalWeb, tmp_path: Path
) -> None:
    # The issue: a feed item answering 404 raised a failure at every R, with no end to it.
    follow_local_feed(local_web, tmp_path, [("Gone", "/gone.html", "Mon, 17 Jun 2024 09:00:00 GMT")])
    app = make_test_app()
    errors: list[list[str]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(4):
            await fetch_with_r(pilot, app)
            errors.append([n.message for n in app._notifications if n.severity == "error"])
    assert [len(said) for said in errors] == [1, 1, 1, 0], errors
    assert "HTTP 404" in errors[0][0] and "given up" not in errors[0][0]
    assert "failed 3 fetches in a row: given up, not tried again" in errors[2][0]
    assert len(local_web.hits_for("/gone.html")) == 3


async def test_a_bounded_fetch_says_how_many_items_are_left_for_next_time(
    make_test_app: AppFactory, local_web: LocalWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.intake import feed_intake as intake

    monkeypatch.setattr(intake, "MAX_ITEMS", 2)
    titles, items = serve_three_stories(local_web)
    follow_local_feed(local_web, tmp_path, items)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        said = await fetch_with_r(pilot, app)
        assert "1 feed: 2 new, 1 item left for the next fetch (R)" in said, said
        # The next run takes up the item the bound left.
        assert_the_run_took_the_rest(app, await fetch_with_r(pilot, app), titles)
