"""Captions in the Reader: a cursor stop, found by search, highlighted like body text."""

from __future__ import annotations

from conftest import AppFactory
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle

from tui.app.widgets.article_view import ArticleView

CAPTION_WORDS = "Russia’s Far East on Sept. 13"


async def test_a_caption_is_a_cursor_stop_found_by_search_and_highlighted(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[2])
        view = app.screen.query_one(ArticleView)
        (caption,) = view.article.caption_spans
        await pilot.press("G")  # the captions follow the article's text
        assert view.cursor_span == caption
        await pilot.press("g", "slash", *"far east", "enter")
        assert any(caption.start <= start < caption.end for start, _ in view.search_matches)
        while not caption.start <= view.cursor_span.start < caption.end:
            before = view.cursor
            await pilot.press("n")
            assert view.cursor != before, "search never reached the caption"
        # Escape puts the search away (h right after it would take the match), then h highlights the caption
        await pilot.press("escape", "h")
        await settle(pilot)
        assert [(mark.start, mark.end) for mark in view.highlights] == [(caption.start, caption.end)]
        assert app.store is not None
        assert [annotation.exact for annotation in app.store.all()] == [view.article.text(caption)]
        assert any(CAPTION_WORDS in line for line in screen_lines(app))
