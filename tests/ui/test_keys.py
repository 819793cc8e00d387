"""Keys where a reader expects them: j/k and tab in the Story screen and help that says which table
has the keys, g/G in help, the palette offering echo actions only on an echo, a warning for a key
bound twice by keymap.json."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import AppFactory
from textual.containers import VerticalScroll
from textual.widgets import DataTable
from ui_helpers import as_binding, open_reader, settle

from tui.app.commands import binding_commands
from tui.app.screens.help import HelpScreen, binding_tables
from tui.app.screens.story import StoryScreen


async def test_j_and_k_move_in_the_story_tables_and_tab_says_where_the_keys_are(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_reader(pilot)
        await pilot.press("S")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        versions = story.query_one("#story-versions", DataTable)
        start = versions.cursor_row
        await pilot.press("j")
        assert versions.cursor_row == (start + 1) % max(versions.row_count, 1) or versions.row_count == 1
        await pilot.press("k")
        assert versions.cursor_row == start
        await pilot.press("tab")
        assert app.focused is story.query_one("#story-matrix", DataTable)
        assert story.query_one("#story-legend").has_class("-focused")
        assert not story.query_one("#story-versions-heading").has_class("-focused")
        matrix = story.query_one("#story-matrix", DataTable)
        await pilot.press("j")
        assert matrix.cursor_row == 1
        titles = [title for title, _ in binding_tables(story)]
        assert titles[0] == "Story (this screen; keys go to Passages; tab moves on)"
        keys = [as_binding(binding).key for _, bindings in binding_tables(story)[:1] for binding in bindings]
        assert "tab" in keys and "j,down" in keys


async def test_g_and_G_in_help_go_to_the_top_and_the_end(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("#help-box", VerticalScroll)
        await pilot.press("G")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert box.scroll_y == 0


async def test_the_palette_offers_the_echo_actions_only_on_an_echo(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        assert reader.view.echo_under_cursor() is None
        offered = [command.title for command in binding_commands(app, reader)]
        assert "Adopt the echo as this version's note" not in offered
        assert "The echo's note" not in offered
        assert "Move the orphaned note to its home" not in offered  # no orphan here either


async def test_a_key_bound_twice_by_the_keymap_is_warned_of(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "keymap.json").write_text(json.dumps({"view.highlight": "H", "no.such": "z"}))
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        said = " ".join(notification.message for notification in app._notifications)
        assert "H is bound twice in the Reader" in said and "reader.move_home" in said
        assert "no binding has the id 'no.such'" in said
