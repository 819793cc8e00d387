"""The app on a large library: nothing on the UI thread copies the library's text."""

from __future__ import annotations

import pytest
from conftest import AppFactory
from ui_helpers import SEED_IDS, settle

from tui.app.screens.library import LibraryScreen
from tui.app.widgets.article_table import ArticleTable
from tui.library.articles import Article, SpanList


async def test_starting_the_index_never_reprs_the_articles(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker is described by the repr of its arguments unless given a description; the repr of
    # a whole library took seconds of the UI thread and hundreds of MB on 19,000 articles.
    calls: list[str] = []

    def counted_repr(self: Article) -> str:
        calls.append(self.id)
        return f"Article({self.id})"

    monkeypatch.setattr(Article, "__repr__", counted_repr)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.index is not None
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        table = screen.query_one("#articles", ArticleTable)
        row = [article.id for article in screen.shown].index(SEED_IDS[1])
        assert "rewrite" in table.row_text(row)[6]
    assert calls == []


def test_library_and_span_reprs_are_short_and_keep_nothing(make_test_app: AppFactory) -> None:
    from tui.library.loader import load_library

    app = make_test_app()
    library = load_library(app.articles_dir)
    text = repr(library)
    assert text.startswith("Library(") and "3 articles" in text and len(text) < 200
    spans = SpanList([0, 5, 7, 9])
    assert repr(spans) == "SpanList([Span(start=0, end=5), Span(start=7, end=9)])"
    assert spans._spans is None  # the repr made its spans for the moment only
