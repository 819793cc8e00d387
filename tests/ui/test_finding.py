"""Finding an article in the Library: ranked filter matches, a new query at each `/`, history."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from textual.app import App
from textual.pilot import Pilot
from ui_helpers import SEED_IDS, settle, until

from tui.app.screens.library import LibraryScreen, filter_rank
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.history_input import HistoryInput


def shown_ids(app: App[None]) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return [article.id for article in screen.shown]


async def type_filter(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def test_the_article_titled_as_typed_opens_not_one_that_mentions_the_words(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_filter(pilot, "As Putin visits")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.article.title.startswith("As Putin visits")
        assert app.screen.article.id == SEED_IDS[2]


def test_ranks_title_then_source_and_author_then_body() -> None:
    head = "bbc/1\ncivil servants in strike ballot"
    other = "bbc/2\nthousands join strike in wales"
    query = "Civil servants in strike ballot"
    assert filter_rank(query, head, "bbc\n", "") < filter_rank(query, other, "bbc\n", query.casefold())
    assert filter_rank("strike", other, "", "") < filter_rank("strike", "x\ny", "strike news\n", "")
    assert filter_rank("strike", "x\ny", "strike news\n", "") < filter_rank("strike", "x\ny", "", "a strike")


async def test_an_exact_title_opens_before_a_story_that_names_its_words(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    articles = tmp_path / "bbc"
    articles.mkdir()
    # the one that mentions the words is the newer: by date it would come first
    (articles / "a.txt").write_text(
        "Thousands join strike in Wales\n\nPublished: 2025-02-02\n\n"
        "Civil servants in strike ballot was the headline of last week. Many walked out today.\n"
    )
    (articles / "b.txt").write_text(
        "Civil servants in strike ballot\n\nPublished: 2025-01-01\n\nUnions said a vote would be held soon.\n"
    )
    app = make_test_app(articles)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_filter(pilot, "Civil servants in strike ballot")
        await until(pilot, lambda: shown_ids(app) == ["b", "a"])
        assert shown_ids(app) == ["b", "a"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.id == "b"


async def test_slash_starts_a_new_query_and_up_brings_back_the_last(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_filter(pilot, "As Putin visits")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")  # back to the library
        await settle(pilot)
        await type_filter(pilot, "Seoul cautions")
        filter_input = app.screen.query_one("#filter", HistoryInput)
        assert filter_input.value == "Seoul cautions"
        await until(pilot, lambda: shown_ids(app)[:1] == [SEED_IDS[0]])
        assert shown_ids(app)[0] == SEED_IDS[0]
        await pilot.press("up")
        assert filter_input.value == "As Putin visits"
        await pilot.press("down")
        assert filter_input.value == "Seoul cautions"
