"""Reading and marking up in the Reader: a search match highlighted as it is, a selection that
changes by a word at either end, Escape putting a search away first, the cursor on a highlight."""

from __future__ import annotations

import pytest
from conftest import AppFactory
from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color
from textual.filter import monochrome_style
from textual.pilot import Pilot
from ui_helpers import open_reader, settle

from tui.app.screens.library import LibraryScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_view import ArticleView
from tui.palette import PALETTE


async def search(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*[("space" if c == " " else c) for c in text])
    await pilot.press("enter")
    await settle(pilot)


async def test_h_right_after_a_search_highlights_the_match_as_it_is(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await search(pilot, "high-level security dialogue")
        await pilot.press("h")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.for_article(reader.article.id)
        assert annotation.exact == "high-level security dialogue"


async def test_a_selection_shrinks_and_grows_by_a_word_at_either_end(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        body = reader.article.body

        def selected() -> str:
            assert view.selection is not None
            return body[view.selection[0] : view.selection[1]]

        await search(pilot, "the high-level security dialogue")
        assert selected() == "the high-level security dialogue"
        await pilot.press("shift+right")  # the start a word later
        assert selected() == "high-level security dialogue"
        await pilot.press("left")  # the end a word sooner
        assert selected() == "high-level security"
        await pilot.press("right", "right")  # the end two words later
        assert selected() == "high-level security dialogue between"
        await pilot.press("shift+left")  # the start a word sooner again
        assert selected() == "the high-level security dialogue between"
        await pilot.press("left", "left", "left", "left", "left")  # never less than a word
        assert selected() == "the"
        await pilot.press("3")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.for_article(reader.article.id)
        assert (annotation.exact, annotation.color) == ("the", "blue")


async def test_a_sentence_selection_shrinks_by_a_word(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        await pilot.press("v", "left")
        assert view.selection is not None
        sentence = view.cursor_span
        assert view.selection[0] == sentence.start and view.selection[1] < sentence.end


async def test_escape_after_a_search_clears_it_before_leaving(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await search(pilot, "Russia")
        await pilot.press("n", "n")
        await settle(pilot)
        assert reader.view.search_matches
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert reader.view.search_matches == [] and reader.view.selection is None
        assert not reader.query_one("#search-status").display
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_slash_in_the_reader_starts_a_new_search(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await search(pilot, "Russia")
        await search(pilot, "Seoul")
        assert {reader.article.body[s:e] for s, e in reader.view.search_matches} == {"Seoul"}


def _contrast(style: Style, under: Style) -> float:
    def luminance(color: RichColor | None) -> float:
        assert color is not None
        return Color.from_rich_color(color).brightness

    foreground = style.color or under.color
    background = style.bgcolor or under.bgcolor
    return abs(luminance(foreground) - luminance(background))


def _cells_of(view: ArticleView, text: str) -> list[Style]:
    """The styles of the characters of ``text`` on the screen lines of the view."""
    for y in range(view.scrollable_content_region.height):
        segments = list(view.render_line(y))
        line = "".join(segment.text for segment in segments)
        at = line.find(text[:30])
        if at < 0:
            continue
        styles: list[Style] = []
        for segment in segments:
            styles.extend([segment.style or Style()] * len(segment.text))
        return styles[at : at + 30]
    raise AssertionError(f"{text[:30]!r} is not on screen")


@pytest.mark.parametrize("no_color", [False, True], ids=["color", "NO_COLOR"])
async def test_the_cursor_on_a_highlight_keeps_its_colour_legible(
    make_test_app: AppFactory, no_color: bool
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        await pilot.press("h")  # the first sentence, the cursor stays on it
        await settle(pilot)
        assert view.highlights
        sentence = reader.article.text(view.cursor_span)
        base = view.rich_style
        for style in _cells_of(view, sentence):
            shown = monochrome_style(base + style) if no_color else base + style
            if not no_color:
                assert shown.bgcolor == RichColor.parse(PALETTE[0].background)
            assert _contrast(shown, base) > 0.45, shown


async def test_in_compare_the_cursor_on_a_highlight_keeps_its_colour(make_test_app: AppFactory) -> None:
    from tui.app.screens.compare import CompareScreen

    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("c")
        await settle(pilot)
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        view = compare.focused_pane()
        await pilot.press("h")
        await settle(pilot)
        assert view.highlights
        sentence = view.article.text(view.cursor_span)
        base = view.rich_style
        for style in _cells_of(view, sentence):
            assert (base + style).bgcolor == RichColor.parse(PALETTE[0].background)
            assert _contrast(base + style, base) > 0.45
