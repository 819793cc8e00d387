"""The Reader: cursor movement, selection, search, repeats, reading position, untrusted text."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from rich.style import Style
from textual.app import App
from textual.widgets import Input, Static
from ui_helpers import SEED_IDS, as_binding, current_focus, help_table, open_reader, settle, type_a_key_a_turn

from tui.app.screens.help import HelpScreen
from tui.app.screens.library import LibraryScreen
from tui.app.widgets.article_layout import GUTTER
from tui.app.widgets.article_view import ArticleView


def view_of(app: App[None]) -> ArticleView:
    return app.screen.query_one(ArticleView)


def sentence_text(view: ArticleView) -> str:
    return view.article.text(view.cursor_span)


async def test_cursor_starts_on_first_sentence_and_moves(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = view_of(app)
        assert current_focus(app) is view
        assert sentence_text(view).startswith("Seoul has warned Moscow")
        await pilot.press("j")
        assert sentence_text(view).startswith("National Security Adviser")
        await pilot.press("down", "k")
        assert sentence_text(view).startswith("National Security Adviser")
        await pilot.press("up")
        assert view.cursor == 0
        await pilot.press("J", "J")  # by paragraph
        assert sentence_text(view).startswith('"Our intelligence')
        await pilot.press("K")
        assert sentence_text(view).startswith("National Security Adviser")
        await pilot.press("G")
        assert view.cursor == len(view.sentences) - 1
        assert view.scroll_y > 0
        await pilot.press("g")
        assert view.cursor == 0 and view.scroll_y == 0


async def test_page_keys_move_a_screen(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[2])
        view = view_of(app)
        await pilot.press("space")
        first_page = view.cursor
        assert first_page > 2
        assert view.scroll_y > 0
        await pilot.press("space")
        assert view.cursor > first_page
        await pilot.press("b", "b")
        assert view.cursor < first_page


async def test_selection_grows_by_sentence_and_word(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = view_of(app)
        await pilot.press("j")
        first = view.cursor_span
        await pilot.press("v", "j")
        assert view.selection == (first.start, view.cursor_span.end)
        sentence_end = view.cursor_span.end
        await pilot.press("w", "w")
        assert view.selection is not None
        assert len(view.article.body[sentence_end : view.selection[1]].split()) == 2
        await pilot.press("W")
        assert view.article.body[view.selection[0] : first.start].split() == ["Pyongyang."]
        await pilot.press("escape")  # cancels the selection, stays in the reader
        assert view.selection is None
        assert view.screen is app.screen


async def test_search_marks_matches_and_steps(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = view_of(app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"pyongyang", "enter")
        assert current_focus(app) is view
        total = len(view.search_matches)
        assert total >= 3
        status = app.screen.query_one("#search-status", Static)
        assert f"Match 1 of {total}" in str(status.render())
        first = view.cursor
        await pilot.press("n")
        assert f"Match 2 of {total}" in str(status.render())
        assert view.cursor > first
        await pilot.press("N")
        assert view.cursor == first
        assert "pyongyang" in sentence_text(view).lower()


async def test_search_without_match_says_so(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("slash", *"zebra", "enter")
        assert "No match" in str(app.screen.query_one("#search-status", Static).render())


async def test_escape_and_q_go_back(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await open_reader(pilot)
        await pilot.press("slash")
        await pilot.press("escape")  # first Escape closes the search box only
        assert not isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_reading_position_is_remembered_between_runs(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("j", "j", "j")
        remembered = view_of(app).cursor_span
        await pilot.press("q")
        await pilot.pause()
    again = make_test_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        assert view_of(again).cursor_span == remembered


async def test_repeat_notice_and_hiding(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[1])
        notice = app.screen.query_one("#repeat-notice", Static)
        assert notice.display
        assert "repeats a passage" in str(notice.render())
        view = view_of(app)
        before = len(view.sentences)
        await pilot.press("r")
        assert len(view.sentences) < before
        assert "Hiding" in str(notice.render())
        await pilot.press("r")
        assert len(view.sentences) == before


async def test_no_repeat_notice_for_plain_article(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        assert not app.screen.query_one("#repeat-notice", Static).display


async def test_similar_panel_lists_matches(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        from textual.widgets import OptionList

        options = app.screen.query_one("#similar", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("rewrite" in prompt for prompt in prompts)


async def test_help_lists_every_key_from_the_bindings(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = help_table(app)
        shown = "\n".join(str(cell) for column in table.columns for cell in column._cells)
        from tui.app.keys import binding_description
        from tui.app.widgets.article_view import ArticleView as View

        for binding in View.BINDINGS:
            binding = as_binding(binding)
            assert binding_description(binding.action, binding.description) in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


UNTRUSTED = (
    "Markup [bold]not bold[/] and [link=http://evil.example]click[/link] stay text.\n\n"
    "ANSI \x1b[31mred\x1b[0m and OSC \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 and "
    "a title \x1b]0;pwned\x07 are shown, not obeyed.\n\n"
    "A bell \x07 and a backspace \x08 and C1 \x9b31m too."
)


async def test_untrusted_text_is_shown_literally(make_test_app: AppFactory, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "evil.txt").write_text("Evil [bold]title[/bold] \x1b[2J\n\n" + UNTRUSTED, encoding="utf-8")
    app = make_test_app(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#articles")
        library_text = "".join(table.render_line(y).text for y in range(3))
        assert "[bold]title[/bold]" in library_text
        await pilot.press("enter")
        await settle(pilot)
        view = view_of(app)
        lines = [view.render_line(y) for y in range(view.size.height)]
        shown = "\n".join(line.text for line in lines)
        assert "[bold]not bold[/]" in shown
        assert "[link=http://evil.example]click[/link]" in shown
        for line in lines:
            for segment in line:
                assert "\x1b" not in segment.text and "\x07" not in segment.text
                assert segment.style is None or segment.style.link is None
        assert "␛[31mred" in shown
        assert "␛]8;;http://evil.example␇link" in shown
        await pilot.press("G", "j", "k", "h")  # moving and highlighting over it does not crash
        await settle(pilot)


async def test_similar_panel_tells_apart_articles_with_the_same_title(
    make_test_app: AppFactory, seed_library: Path
) -> None:
    original = seed_library / f"{SEED_IDS[0]}.txt"
    (seed_library / "999_copy.txt").write_bytes(original.read_bytes())
    app = make_test_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[1])
        from textual.widgets import OptionList

        options = app.screen.query_one("#similar", OptionList)
        prompts = {
            options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        }
        assert {SEED_IDS[0], "999_copy"} <= set(prompts)
        assert prompts[SEED_IDS[0]] != prompts["999_copy"]
        assert "999_copy" in prompts["999_copy"] and SEED_IDS[0] in prompts[SEED_IDS[0]]


def segment_styles(view: ArticleView, start: int, end: int) -> list[Style]:
    """The styles drawn over body range [start, end), which lies on one line on screen."""
    line_index = view._line_of_offset(start)
    line = view._lines[line_index]
    block = view._blocks[line.block]
    column = GUTTER + start - block.start - line.start
    strip = view.render_line(line_index - int(view.scroll_y))
    styles: list[Style] = []
    x = 0
    for segment in strip:
        width = len(segment.text)
        if x < column + (end - start) and column < x + width:
            assert segment.style is not None, segment
            styles.append(segment.style)
        x += width
    assert styles
    return styles


async def test_search_marks_the_current_match_apart_from_the_others(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot, SEED_IDS[0])
        view = reader.view
        await pilot.press("slash", *"korea", "enter")
        await pilot.pause()
        matches = view.search_matches
        assert len(matches) >= 3
        await pilot.press("n")
        await pilot.pause()
        current = matches[view.search_index]
        others = [match for match in matches if match != current]
        current_styles = segment_styles(view, *current)
        other = next(m for m in others if 0 <= view.line_offset_of(m[0]) < view.size.height)
        other_styles = segment_styles(view, *other)
        assert all(style.reverse for style in current_styles), current_styles
        assert not any(style.reverse for style in other_styles), other_styles


async def test_reader_opens_with_the_cursor_in_view_at_80x24(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, SEED_IDS[0])  # a 13-line caption above the first sentence
        view = reader.view
        row = view.line_offset_of(view.cursor_offset)
        assert view.cursor == 0 and 0 <= row < view.scrollable_content_region.height


async def test_keys_handed_over_one_at_a_time_after_slash_reach_the_search_in_order(
    make_test_app: AppFactory,
) -> None:
    """As in the library's filter: typed after `/`, keys reach the search in order (when `/`
    moved the focus only once the article had it, "Seoul warns" read "Seul warons")."""
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await type_a_key_a_turn(app, "/Seoul warns")
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == "Seoul warns"
