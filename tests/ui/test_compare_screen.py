"""Compare: opening with the best near-duplicate, level panes, match stepping, next duplicate, swap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import AppFactory
from rate_versions import write_rate_versions
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Static
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle

from tui.annotations import AnnotationStore
from tui.app.screens.compare import CompareScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_view import ArticleView


async def open_compare(pilot: Pilot[None], article_id: str = SEED_IDS[0]) -> CompareScreen:
    await open_reader(pilot, article_id)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def panes(screen: CompareScreen) -> tuple[ArticleView, ArticleView]:
    return screen.panes()


async def test_c_opens_best_near_duplicate_with_score_and_kind(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        assert left.article.id == SEED_IDS[0]
        assert right.article.id == SEED_IDS[1]  # the rewrite is the best match
        summary = str(screen.query_one("#compare-summary", Static).render())
        assert "rewrite" in summary
        assert screen.pairs
        assert any(mark.component.startswith("article-view--match") for mark in left.marks)
        assert any(mark.symbol == "+" for mark in left.marks)  # 000 says things 002 leaves out


async def test_moving_one_pane_levels_the_other(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, SEED_IDS[1])
        left, right = panes(screen)
        await pilot.press("n", "n", "n")
        here = left.cursor_offset
        index = screen._pair_at(0, here)
        assert index is not None
        pair_left, pair_right = screen.pairs[index]
        assert right.current_mark == (pair_right.start, pair_right.end)
        assert left.line_offset_of(pair_left.start) == right.line_offset_of(pair_right.start)


async def test_match_stepping_and_tab(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        starts = sorted(pair[0].start for pair in screen.pairs)
        await pilot.press("n")
        first = left.cursor_offset
        assert left.cursor_span.start <= starts[1]
        await pilot.press("n")
        assert left.cursor_offset > first
        await pilot.press("N")
        assert left.cursor_offset == first
        await pilot.press("tab")
        assert app.focused is right
        after_tab = right.cursor
        await pilot.press("j")
        assert right.cursor == after_tab + 1
        await pilot.press("tab")
        assert app.focused is left


async def test_swap_and_next_duplicate(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_compare(pilot)
        await pilot.press("s")
        await settle(pilot)
        swapped = app.screen
        assert isinstance(swapped, CompareScreen)
        assert (swapped.left.id, swapped.right.id) == (SEED_IDS[1], SEED_IDS[0])
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.screen.right.id == SEED_IDS[2]
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.right.id == SEED_IDS[1]
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)


async def test_highlighting_works_in_both_panes(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        await pilot.press("h", "tab", "j", "2")
        await settle(pilot)
        stored = AnnotationStore(tmp_path / "annotations.json").all()
        assert sorted(a.article_id for a in stored) == [SEED_IDS[0], SEED_IDS[1]]
        assert len(left.highlights) == 1 and len(right.highlights) == 1
        assert right.highlights[0].color == app.highlight_colors[1]


async def test_compare_stacks_or_narrows_at_80x24(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        assert left.size.width >= 30 and right.size.width >= 30
        assert left.region.right <= 80 and right.region.right <= 80


async def test_compare_needs_the_index(make_test_app: AppFactory) -> None:
    app = make_test_app(build_index=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert any("near-duplicates" in n.message for n in app._notifications)


async def test_a_failing_compare_is_reported_not_fatal(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.similarity

    def broken(a: object, b: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(tui.similarity, "compare", broken)
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        assert "Could not compare: ValueError: boom" in str(
            screen.query_one("#compare-summary", Static).render()
        )
        await pilot.press("j", "h")
        await settle(pilot)
        assert len(panes(screen)[0].highlights) == 1


async def test_scrolling_one_pane_by_wheel_levels_the_other(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, SEED_IDS[1])
        left, right = panes(screen)
        for _ in range(3):
            left.scroll_down(animate=False, immediate=True)
        await pilot.pause()
        index = screen._pair_at(0, left.top_offset() or 0)
        assert index is not None
        pair_left, pair_right = screen.pairs[index]
        assert left.line_offset_of(pair_left.start) == right.line_offset_of(pair_right.start)


async def test_compare_stacks_the_panes_below_80_columns(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(70, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        assert right.region.y > left.region.y
        assert left.size.width > 60 and right.size.width > 60


def cursor_row(view: ArticleView) -> int:
    """The cursor's row on screen (0 = top line of the pane)."""
    return view.line_offset_of(view.cursor_offset)


def cursor_on_screen(view: ArticleView) -> bool:
    return 0 <= cursor_row(view) < view.scrollable_content_region.height


async def test_tab_puts_the_other_cursor_on_the_matching_sentence(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, SEED_IDS[1])
        left, right = panes(screen)
        await pilot.press("g", *"nnnnnn")
        index = screen._pair_at(0, left.cursor_offset)
        assert index is not None
        pair_left, pair_right = screen.pairs[index]
        assert left.cursor_span.start == pair_left.start
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is right
        assert right.cursor_offset == pair_right.start
        assert cursor_on_screen(right) and cursor_on_screen(left)
        assert left.line_offset_of(pair_left.start) == right.line_offset_of(pair_right.start)
        await pilot.press("h")
        await settle(pilot)
        (stored,) = AnnotationStore(tmp_path / "annotations.json").all()
        assert (stored.article_id, stored.start) == (right.article.id, pair_right.start)


async def test_tab_from_an_unmatched_sentence_keeps_the_other_cursor_in_view(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot, SEED_IDS[1])
        left, right = panes(screen)
        await pilot.press("G")  # 002's stored copy of its own text: matched by nothing
        assert screen._pair_at(0, left.cursor_offset) is not None
        assert all(pair[0].end <= left.cursor_offset for pair in screen.pairs)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is right
        assert cursor_on_screen(right)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is left
        assert cursor_on_screen(left)


async def test_header_counts_similar_articles_not_duplicates(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        screen = app.screen
        summary = str(screen.query_one("#compare-summary", Static).render())
        assert "related" in summary  # 004 is only related to 000, so "duplicate" would be wrong
        assert "similar 2 of 2 (d next)" in summary
        assert "duplicate" not in summary


def level_gap(screen: CompareScreen) -> int | None:
    """Rows between the focused cursor's sentence and its partner, or None off a matched sentence."""
    view = screen.focused_pane()
    side = 0 if view is screen.panes()[0] else 1
    other = screen.panes()[1 - side]
    index = screen._pair_at(side, view.cursor_offset)
    if index is None or screen.pairs[index][side].end <= view.cursor_offset:
        return None
    here, there = screen.pairs[index][side], screen.pairs[index][1 - side]
    return abs(view.line_offset_of(here.start) - other.line_offset_of(there.start))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_compare_opens_with_the_cursor_in_view(
    make_test_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_test_app()
    async with app.run_test(size=size) as pilot:
        await open_reader(pilot, SEED_IDS[0])
        await pilot.press("g", "c")  # 000's first sentence sits below a 13-line caption
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = panes(screen)
        assert app.focused is left
        assert left.cursor == 0
        assert cursor_on_screen(left)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_matching_passages_are_level_from_the_first_sentence(
    make_test_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_test_app()
    async with app.run_test(size=size) as pilot:
        await open_reader(pilot, SEED_IDS[0])
        await pilot.press("g", "c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = panes(screen)
        gaps: list[int | None] = [level_gap(screen)]
        for _ in range(8):  # down through the first sentences of the left pane
            await pilot.press("j")
            assert cursor_on_screen(left)
            gaps.append(level_gap(screen))
        await pilot.press("tab")  # then the right pane moves
        for _ in range(4):
            await pilot.press("j")
            assert cursor_on_screen(right)
            gaps.append(level_gap(screen))
        measured = [gap for gap in gaps if gap is not None]
        assert len(measured) >= 8
        assert max(measured) <= 2, f"{gaps}"


async def test_compare_opens_at_the_readers_place(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot, SEED_IDS[0])
        await pilot.press("g", *"jjjjj")
        place = reader.view.cursor_offset
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = panes(screen)
        assert left.cursor_offset == place
        assert cursor_on_screen(left)
        index = screen._pair_at(0, place)
        assert index is not None and screen.pairs[index][0].start == place  # a matched sentence
        partner = screen.pairs[index][1].start
        assert right.cursor_offset == partner and cursor_on_screen(right)
        await pilot.press("s")  # swapped: the new left pane opens at the partner
        await settle(pilot)
        swapped = app.screen
        assert isinstance(swapped, CompareScreen)
        new_left, _ = panes(swapped)
        assert new_left.cursor_offset == partner
        assert cursor_on_screen(new_left)


def pane_title_style(screen: CompareScreen, pane: ArticleView) -> Style:
    """The style of the first letter of a pane's title (its top border), as drawn."""
    region = pane.region
    strip = screen._compositor.render_strips()[region.y].crop(region.x, region.right)
    style = next(segment.style for segment in strip if segment.text.strip(" ─━▔▁-"))
    assert style is not None
    return style


def cursor_gutter(screen: CompareScreen, pane: ArticleView) -> str:
    """The gutter character on the pane's cursor row."""
    row = pane.line_offset_of(pane.cursor_offset)
    line = screen_lines(screen.app)[pane.content_region.y + row]
    return line[pane.content_region.x]


@pytest.mark.parametrize("no_color", [False, True], ids=["color", "no-color"])
async def test_the_focused_pane_and_its_cursor_stand_out(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_test_app()
    assert app.no_color is no_color
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        for focused, other in ((left, right), (right, left)):
            assert app.focused is focused
            assert cursor_gutter(screen, focused) == "▌"
            assert cursor_gutter(screen, other) != "▌"  # only one cursor bar on screen
            assert pane_title_style(screen, focused).reverse
            assert not pane_title_style(screen, other).reverse
            # in colour, the focused cursor's ground is the stronger one (not both at full strength)
            assert (
                focused._style("article-view--cursor").bgcolor != other._style("article-view--cursor").bgcolor
            )
            await pilot.press("tab")
            await pilot.pause()


async def test_compare_top_line_is_one_line_of_plain_words_that_agree(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for other in (SEED_IDS[1], SEED_IDS[2]):
            await open_reader(pilot, SEED_IDS[0])
            assert app.library is not None
            app.open_compare(app.library.get(SEED_IDS[0]), other)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CompareScreen)
            summary = screen.query_one("#compare-summary", Static)
            text = str(summary.render())
            assert summary.size.height == 1 and len(text.rstrip()) <= 118, text
            assert "(s)" not in text and "passage" not in text
            alignment = screen.alignment
            assert alignment is not None
            # the engine's one set of counts, the same as tui compare prints
            matched_left, matched_right = alignment.matched_a, alignment.matched_b
            total_left, total_right = alignment.sentences_a, alignment.sentences_b
            assert f"{matched_left} of {total_left} sentences" in text, text
            assert f"{matched_right} of {total_right}" in text, text
            # every "N of M" in the line is one of these counts or the similar-article position
            counts = re.findall(r"(\d+) of (\d+)", text)
            allowed = {(matched_left, total_left), (matched_right, total_right)}
            allowed |= {(n, len(screen.candidates)) for n in range(1, len(screen.candidates) + 1)}
            assert {(int(a), int(b)) for a, b in counts} <= allowed, text
            await pilot.press("q", "q")
            await pilot.pause()


async def test_compare_tells_apart_articles_with_the_same_title(
    make_test_app: AppFactory, seed_library: Path
) -> None:
    original = seed_library / f"{SEED_IDS[0]}.txt"
    (seed_library / "999_copy.txt").write_bytes(original.read_bytes())
    app = make_test_app()
    async with app.run_test(size=(120, 30)) as pilot:  # room for whole ids
        await open_reader(pilot, SEED_IDS[0])
        assert app.library is not None
        app.open_compare(app.library.get(SEED_IDS[0]), "999_copy")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = panes(screen)
        assert left.article.title == right.article.title
        titles = [str(pane.border_title) for pane in (left, right)]
        assert titles[0] != titles[1]
        assert SEED_IDS[0] in titles[0] and "999_copy" in titles[1]
        lines = screen_lines(app)
        assert any("999_copy" in line for line in lines)


async def test_the_other_cursor_follows_the_partner_without_moving_the_page(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_compare(pilot)
        left, right = panes(screen)
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
            index = screen._pair_at(0, left.cursor_offset)
            assert index is not None
            partner = screen.pairs[index][1]
            assert right.cursor_span.start == partner.start  # not a stale place from before
            gap = level_gap(screen)
            assert gap is not None and gap <= 2


async def test_a_changed_sentence_is_one_pair_marked_with_its_changed_words(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    articles = write_rate_versions(tmp_path / "changed")
    app = make_test_app(articles)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reader(pilot, "a")
        assert app.library is not None
        app.open_compare(app.library.get("a"), "b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        left, right = screen.panes()
        for pane, word in ((left, "kept"), (right, "cut")):
            body_text = pane.article.body
            changed = [m for m in pane.marks if m.component == "article-view--changed"]
            assert [m.symbol for m in changed] == ["Δ"] and changed[0].start == 0
            words = [
                body_text[m.start : m.end] for m in pane.marks if m.component == "article-view--changed-word"
            ]
            assert words[0] == word
        assert "3 of 3 sentences match left, 3 of 3 right" in str(
            screen.query_one("#compare-summary", Static).render()
        )
