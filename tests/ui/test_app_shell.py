"""The shell: palette commands from the binding tables, themes, NO_COLOR, a damaged store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import AppFactory
from rich.console import Console
from textual.app import App
from ui_helpers import as_binding, help_table, open_reader, settle

from tui.app.screens.help import binding_tables, grouped_keys
from tui.app.widgets.article_view import ArticleView


async def test_palette_offers_the_screens_actions(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in (
            "Highlight",
            "Note",
            "Tags",
            "Compare",
            "Export",
            "Search",
            "Back",
            "Export all notes",
        ):
            assert expected in titles


async def test_palette_command_runs_the_action(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = app.screen.query_one(ArticleView)
        [command] = [c for c in app.get_system_commands(app.screen) if c.title == "Next sentence"]
        command.callback()
        await pilot.pause()
        assert view.cursor == 1


def test_every_binding_has_an_id_and_a_description() -> None:
    for _, bindings in binding_tables():
        for binding in bindings:
            assert as_binding(binding).id, binding
            assert as_binding(binding).description, binding


async def test_help_groups_aliases(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)):
        rows = {description: keys for keys, description, _ in grouped_keys(app, ArticleView.BINDINGS)}
        assert rows["Next sentence"].startswith("j / ")


async def test_themes_restyle_the_reader(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = app.screen.query_one(ArticleView)
        dark = view._style("article-view--cursor")
        app.theme = "textual-light"
        await pilot.pause()
        assert view._style("article-view--cursor") != dark
        view.render_line(5)


async def test_no_color_keeps_highlights_visible(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_test_app()
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        view = (await open_reader(pilot)).query_one(ArticleView)
        await pilot.press("h", "j")
        await settle(pilot)
        lines = [view.render_line(y) for y in range(view.size.height)]
        underlined = [s for line in lines for s in line if s.style is not None and s.style.underline]
        assert underlined  # the highlight is marked by more than its color
        assert any(s.text.startswith("▌") for line in lines for s in line)  # so is the cursor


async def test_damaged_store_opens_read_only_and_says_so(make_test_app: AppFactory, tmp_path: Path) -> None:
    (tmp_path / "annotations.json").write_text("{ this is not json")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        assert any(n.severity == "error" for n in app._notifications)
        await pilot.press("h")
        await settle(pilot)
        assert (tmp_path / "annotations.json").read_text() == "{ this is not json"
        assert app.screen.query_one(ArticleView).highlights == []


async def test_user_keymap_rebinds_and_help_follows(make_test_app: AppFactory, tmp_path: Path) -> None:
    state = tmp_path / "config"  # the keymap is configuration
    state.mkdir(parents=True, exist_ok=True)
    (state / "keymap.json").write_text('{"view.highlight": "m"}')
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        view = app.screen.query_one(ArticleView)
        await pilot.press("h")
        await settle(pilot)
        assert view.highlights == []
        await pilot.press("m")
        await settle(pilot)
        assert len(view.highlights) == 1
        rows = {description: keys for keys, description, _ in grouped_keys(app, ArticleView.BINDINGS)}
        assert rows["Highlight"] == "m"
        # Help names each binding's id, which is what keymap.json takes.
        from tui.app.screens.help import help_renderable

        console = Console(width=120, record=True)
        console.print(help_renderable(app))
        shown = [line for line in console.export_text().splitlines() if "Highlight" in line]
        assert any("view.highlight" in line and line.lstrip().startswith("m ") for line in shown), shown


def help_section_titles(app: App[None]) -> list[str]:
    """The section titles of the open help, in order."""
    table = help_table(app)
    cells = table.columns[1]._cells
    return [str(cell) for cell in cells if "underline" in str(getattr(cell, "style", ""))]


async def test_help_starts_with_the_current_screens_keys(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert help_section_titles(app)[0].startswith("Library")
        await pilot.press("escape")
        await open_reader(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        titles = help_section_titles(app)
        assert titles[0].startswith("Reader") and titles[1].startswith("Reading and annotating"), titles
        await pilot.press("escape", "c")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        titles = help_section_titles(app)
        assert titles[0].startswith("Compare") and titles[1].startswith("Reading and annotating"), titles


async def test_help_names_the_colors_and_the_tag_editor_keys(make_test_app: AppFactory) -> None:
    from tui.annotations import COLORS

    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=120, record=True)
        from tui.app.screens.help import help_renderable

        console.print(help_renderable(app, app.screen))
        shown = console.export_text()
        assert "color 1" not in shown.lower() and "color 5" not in shown.lower()
        for number, name in enumerate(list(COLORS)[:5], start=1):
            assert re.search(rf"^\s*{number}\s+Highlight {name}\b", shown, re.MULTILINE), name
            assert re.search(rf"^\s*{number}\s+Recolor {name}\b", shown, re.MULTILINE), name
        tags = shown[shown.index("Tags") :]
        assert re.search(r"⏎\s+Save the tags", tags), tags
        assert re.search(r"→\s+Complete", tags), tags
