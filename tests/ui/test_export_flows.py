"""Exporting notes from the app: `e` in the Reader, "Export all notes" in the palette, and the
story's export, each through the format dialog (Obsidian or Logseq Markdown, or W3C Web Annotation
JSON-LD), keyboard only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.app import App
from textual.command import CommandList
from textual.widgets import OptionList
from ui_helpers import SEED_IDS, current_screen, open_reader, screen_lines, settle, until

from tui.annotations import AnnotationStore
from tui.app.screens.dialogs import ExportFormatScreen
from tui.export.web_annotation import read_jsonld

pytest.importorskip("tui.export", reason="tui/export/ (issue 4) is not in the tree yet")


def notices(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


async def test_e_asks_the_format_and_exports_this_article_and_says_where(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("a", *"why it matters", "ctrl+s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportFormatScreen)
        text = "\n".join(screen_lines(app))
        assert "Export this article's notes as" in text
        assert "Markdown for Obsidian" in text and "Markdown for Logseq" in text
        assert "W3C Web Annotation JSON-LD" in text and f"Into {tmp_path / 'notes'}" in text
        assert app.screen.query_one(OptionList).highlighted == 0  # Obsidian, as before: e, Enter
        await pilot.press("enter")
        await settle(pilot)
        assert current_screen(app) is reader
        files = list((tmp_path / "notes").glob("*.md"))
        assert len(files) == 1
        content = files[0].read_text()
        assert "why it matters" in content and "^h-" in content  # Obsidian's block id
        assert any(str(files[0]) in n and "Obsidian Markdown" in n for n in notices(app))


async def test_escape_in_the_format_dialog_exports_nothing(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("h", "e")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert current_screen(app) is reader
        assert not (tmp_path / "notes").exists()


async def test_logseq_export_from_the_reader_and_the_dialog_remembers_it(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a", *"a point", "ctrl+s")
        await settle(pilot)
        annotation_id = AnnotationStore(tmp_path / "annotations.json").all()[0].id
        await pilot.press("e", "l")
        await settle(pilot)
        (exported,) = (tmp_path / "notes").glob("*.md")
        content = exported.read_text(encoding="utf-8")
        assert f"  id:: {annotation_id}" in content and "\t- a point" in content and "^h-" not in content
        assert any(str(exported) in n and "Logseq Markdown" in n for n in notices(app))
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one(OptionList).highlighted == 1  # the last format chosen comes first
        await pilot.press("escape")


async def test_json_export_of_this_article_uses_the_cli_writer(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[2])
        await pilot.press("h", "q")
        reader = await open_reader(pilot, SEED_IDS[0])
        await pilot.press("a", *"on 000", "ctrl+s")
        await settle(pilot)
        await pilot.press("e", "down", "down", "enter")  # the dialog by arrows too
        await settle(pilot)
        (exported,) = (tmp_path / "notes").glob("*.jsonld")
        assert exported.name == f"{reader.article.title}.jsonld"
        data = json.loads(exported.read_text(encoding="utf-8"))
        assert data["type"] == "AnnotationCollection" and data["total"] == 1
        (imported,) = read_jsonld(exported)  # what `tui import` reads back
        assert imported.article_id == SEED_IDS[0] and imported.note == "on 000"
        assert any(str(exported) in n and "1 annotation" in n and "JSON-LD" in n for n in notices(app))
        assert not list((tmp_path / "notes").glob("*.md"))


def palette_offers(app: App[None], command: str) -> bool:
    """The command palette has found its commands and highlights this one (Enter would run it)."""
    found = app.screen.query(CommandList)
    if not found:
        return False
    commands = found.first()
    highlighted = commands.highlighted
    return highlighted is not None and command in str(commands.get_option_at_index(highlighted).prompt)


async def test_palette_exports_all_notes_as_markdown_or_json(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, SEED_IDS[0])
        await pilot.press("h", "q")
        await open_reader(pilot, SEED_IDS[2])
        await pilot.press("h", "q")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export all notes")
        await until(pilot, lambda: palette_offers(app, "Export all notes"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportFormatScreen)
        assert "Export every article's notes as" in "\n".join(screen_lines(app))
        await pilot.press("o")
        await settle(pilot)
        assert len(list((tmp_path / "notes").glob("*.md"))) == 2
        assert any("Exported 2 files to" in n and "Obsidian Markdown" in n for n in notices(app))

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export all notes")
        await until(pilot, lambda: palette_offers(app, "Export all notes"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        exported = tmp_path / "notes" / "annotations.jsonld"
        data = json.loads(exported.read_text(encoding="utf-8"))
        assert data["total"] == 2
        assert {item["target"]["source"] for item in data["first"]["items"]} == {
            f"urn:tui:article:{SEED_IDS[0]}",
            f"urn:tui:article:{SEED_IDS[2]}",
        }
        assert any(str(exported) in n and "2 annotations" in n for n in notices(app))


async def test_json_export_with_no_notes_writes_nothing(make_test_app: AppFactory, tmp_path: Path) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("e", "w")
        await settle(pilot)
        assert not (tmp_path / "notes").exists()
        assert "No notes to export." in notices(app)


async def test_json_export_refuses_a_file_it_did_not_write(make_test_app: AppFactory, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "annotations.jsonld").write_text("mine\n", encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("h")
        await settle(pilot)
        from tui.app.screens.exporting import ask_export_notes

        ask_export_notes(app, None, "every article's notes")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert (notes / "annotations.jsonld").read_text(encoding="utf-8") == "mine\n"
        assert any("Export failed" in n and "was not written by tui export" in n for n in notices(app))


async def test_story_export_offers_markdown_flavours_only(make_test_app: AppFactory, tmp_path: Path) -> None:
    from tui.app.screens.story import StoryScreen

    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_reader(pilot, SEED_IDS[0])
        await pilot.press("h", "S")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportFormatScreen)
        assert app.screen.query_one(OptionList).option_count == 2
        assert "JSON-LD" not in "\n".join(screen_lines(app))
        await pilot.press("w")  # no JSON for a story: the key does nothing
        await settle(pilot)
        assert isinstance(app.screen, ExportFormatScreen)
        await pilot.press("l")
        await settle(pilot)
        assert current_screen(app) is story
        (exported,) = (tmp_path / "notes").glob("*.md")
        content = exported.read_text(encoding="utf-8")
        assert "story_id:" in content and "id:: " in content
        assert any("Exported the story to" in n and "Logseq Markdown" in n for n in notices(app))
