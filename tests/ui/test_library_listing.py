"""The Library is shown from the listing alone; an article's text is read when it is opened, and
the filter finds words of the text through the cache's word index, not by reading every text."""

from __future__ import annotations

from typing import NoReturn

import pytest
from conftest import AppFactory
from test_finding import shown_ids, type_filter
from ui_helpers import SEED_IDS, settle, until

import tui.library.loader as loader
from tui.app.screens.library import LibraryScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_table import ArticleTable
from tui.library.articles import Article, Library
from tui.library.filter import FilterRows
from tui.library.loader import load_listing
from tui.library.texts import LazyArticle, TextSource


def lazy(article: Article) -> LazyArticle:
    """A listed article as the LazyArticle it is (the library holds them as Articles)."""
    assert isinstance(article, LazyArticle), article
    return article


def _no_text(*args: object) -> NoReturn:
    raise AssertionError("an article's text was read before it was opened")


async def test_the_library_is_shown_without_reading_any_article_text(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_test_app(build_index=False)
    load_listing(app.articles_dir, app.cache_dir)  # a warm cache, as on any start but the first
    monkeypatch.setattr(loader, "read_article", _no_text)
    monkeypatch.setattr(TextSource, "text_of", _no_text)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and app.library is not None
        assert screen.query_one("#articles", ArticleTable).row_count == 3
        assert sorted(article.id for article in screen.shown) == sorted(SEED_IDS)
        assert all(isinstance(a, LazyArticle) and not a.text_read for a in app.library)
        monkeypatch.undo()  # opening an article reads its text, and only its
        app.open_article(SEED_IDS[2])
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert "reconnaissance" in app.screen.article.body
        assert [a.id for a in map(lazy, app.library) if a.text_read] == [SEED_IDS[2]]


async def test_the_filter_finds_a_word_of_the_text_through_the_index(make_test_app: AppFactory) -> None:
    app = make_test_app(build_index=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.texts is not None
        await until(pilot, lambda: app.texts is not None and app.texts.index_pending() == 0)
        await type_filter(pilot, "reconnaiss")  # the start of a word of 004's text, in no title
        assert await until(pilot, lambda: shown_ids(app) == [SEED_IDS[2]])
        await pilot.press("escape")
        await type_filter(pilot, "zzzunheardof")
        assert await until(pilot, lambda: shown_ids(app) == [])
        assert app.library is not None
        assert not any(a.text_read for a in map(lazy, app.library))


async def test_the_cached_listing_shows_first_and_the_folder_as_it_is_follows(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app(build_index=False)
    load_listing(app.articles_dir, app.cache_dir)
    (app.articles_dir / "new.txt").write_text("A new story\n\nIt arrived after the cache was written.\n")
    shown: list[int] = []
    real_show = LibraryScreen.show_library

    def show_library(
        screen: LibraryScreen,
        library: Library,
        twins: dict[str, str] | None = None,
        rows: FilterRows | None = None,
    ) -> None:
        shown.append(len(library))
        real_show(screen, library, twins, rows)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LibraryScreen, "show_library", show_library)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert shown == [3, 4]  # the cache's three, then the folder's four
            assert "new" in shown_ids(app)
            assert app.screen.query_one("#articles", ArticleTable).row_count == 4
