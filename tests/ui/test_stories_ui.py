"""Stories in the app: echoes of another version's notes, adopting them, Compare, the story screen."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle

from tui.annotations import AnnotationStore, find_quote
from tui.app.screens.dialogs import EchoNoteScreen
from tui.app.widgets.article_view import ArticleView
from tui.library.loader import load_library

A, B, RELATED = SEED_IDS
FIRST_SENTENCE = 'Seoul has warned Moscow against "going beyond a certain point,"'
RESTATED = "Seoul has issued a warning to Moscow, cautioning against exceeding certain limits"


def annotate(tmp_path: Path, articles: Path, article_id: str, quote: str, note: str) -> str:
    article = load_library(articles).get(article_id)
    start, end = find_quote(article, quote, 1)
    return AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note=note).id


async def test_a_note_on_one_version_echoes_on_the_other(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    original = annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "the warning")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reader(pilot, B)
        view = screen.query_one(ArticleView)
        (echo,) = view.echoes
        assert echo.annotation_id == original and echo.match == "reworded"
        assert view.article.body[echo.start : echo.end].startswith(RESTATED)
        assert view.highlights == []  # drawn apart from this version's own highlights
        lines = "\n".join(screen_lines(app))
        assert "echo of a note from The Korea Herald (reworded here)" in lines
        assert "≈" in lines
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, EchoNoteScreen)
        assert "the warning" in "\n".join(screen_lines(app))
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("y")
        await settle(pilot)
        store = AnnotationStore(tmp_path / "annotations.json")
        (adopted,) = store.for_article(B)
        assert adopted.linked_to == original and adopted.note == "the warning"
        assert adopted.exact.startswith(RESTATED)
        assert [mark.annotation_id for mark in view.highlights] == [adopted.id]
        assert view.echoes == []  # adopted: it is this version's own note now
        app.update_annotation(original, note="edited there")
        await settle(pilot)
        assert AnnotationStore(tmp_path / "annotations.json").get(adopted.id).note == "edited there"


async def test_no_echo_on_a_related_article(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "the warning")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reader(pilot, RELATED)
        assert screen.query_one(ArticleView).echoes == []
        await pilot.press("y")
        await settle(pilot)
        assert len(AnnotationStore(tmp_path / "annotations.json").all()) == 1


async def test_compare_panes_show_both_articles_highlights_and_echoes(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    on_a = annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "on A")
    on_b = annotate(tmp_path, seed_library, B, "Additionally, there is speculation", "on B")
    app = make_test_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot, A)
        await pilot.press("c")
        await settle(pilot)
        views = {view.article.id: view for view in app.screen.query(ArticleView)}
        assert set(views) == {A, B}
        assert [m.annotation_id for m in views[A].highlights] == [on_a]
        assert [m.annotation_id for m in views[B].highlights] == [on_b]
        assert [e.annotation_id for e in views[A].echoes] == [on_b]
        assert [e.annotation_id for e in views[B].echoes] == [on_a]
        # A new highlight in one pane echoes in the other at once.
        views[A].focus()
        views[A].move_to_offset(views[A].article.body.index("The presidential office in Seoul"))
        await pilot.press("h")
        await settle(pilot)
        assert len(views[A].highlights) == 2
        assert len(views[B].echoes) == 2
        assert "not available" in views[B].article.body[views[B].echoes[1].start : views[B].echoes[1].end]


async def test_story_screen_from_the_library_and_the_reader(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from textual.widgets import DataTable

    from tui.app.screens.compare import CompareScreen
    from tui.app.screens.reader import ReaderScreen
    from tui.app.screens.story import StoryScreen

    annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "the warning")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await pilot.press("S")  # the library's cursor is on the newest article, 000
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        versions = screen.query_one("#story-versions", DataTable)
        assert versions.row_count == 2
        assert [str(c) for c in versions.get_row_at(0)][3] == "first"
        assert [str(c) for c in versions.get_row_at(1)][3].startswith("rewrite ")
        matrix = screen.query_one("#story-matrix", DataTable)
        rows = [[str(c) for c in matrix.get_row_at(i)] for i in range(matrix.row_count)]
        assert rows[0][:2] == ["●", "●"]
        assert any(row[:2] == ["●", "−"] for row in rows)  # 002 leaves out some of 000's passages
        notes = screen.query_one("#story-notes", DataTable)
        note = [str(c) for c in notes.get_row_at(0)]
        assert note[0] == "1" and note[3] == "reworded 2" and note[4] == "the warning"
        text = "\n".join(screen_lines(app))
        assert "Seoul cautions Moscow on Putin's NK visit" in text and "● carries" in text

        await pilot.press("down", "enter")  # open the second version
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.article.id == B
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("m", "up", "c")  # mark 002, compare it with 000
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert {v.article.id for v in app.screen.query(ArticleView)} == {A, B}


async def test_story_screen_moves_an_orphan_home_and_exports(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from tui.app.screens.story import StoryScreen

    annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "the warning")
    path = seed_library / f"{A}.txt"
    text = path.read_text(encoding="utf-8")
    start = text.index(FIRST_SENTENCE)
    path.write_text(text[:start] + text[text.index("\n\n", start) + 2 :], encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_reader(pilot, A)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("tab", "tab", "H")  # to the notes table; move the orphan to its home
        await settle(pilot)
        (moved,) = AnnotationStore(tmp_path / "annotations.json").all()
        assert moved.article_id == B and moved.exact.startswith(RESTATED)
        assert moved.moved_from is not None and moved.moved_from["article_id"] == A
        await pilot.press("e", "enter")  # the format dialog: Obsidian Markdown
        await settle(pilot)
        (exported,) = (tmp_path / "notes").glob("*.md")
        content = exported.read_text(encoding="utf-8")
        assert "story_id:" in content and "the warning" in content and "(moved)" in content


async def test_library_groups_versions_by_story(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from tui.app.widgets.article_table import ArticleTable

    annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "on A")
    annotate(tmp_path, seed_library, B, "Additionally, there is speculation", "on B")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#articles", ArticleTable)
        assert table.row_count == 3
        await pilot.press("V")
        await settle(pilot)
        assert table.row_count == 2  # 000 and 002 are one story
        rows = [table.row_text(i) for i in range(table.row_count)]
        story_row = next(row for row in rows if "(2 versions)" in row[1])
        assert story_row[1].startswith("▸ Seoul cautions Moscow") and story_row[5] == "2"  # notes of both
        assert any(row[1].startswith("As Putin visits Pyongyang") for row in rows)  # related: not folded in
        table.move_cursor(next(i for i, row in enumerate(rows) if row is story_row))
        await pilot.press("z")
        await settle(pilot)
        rows = [table.row_text(i) for i in range(table.row_count)]
        assert len(rows) == 3
        head = next(i for i, row in enumerate(rows) if row[1].startswith("▾ "))
        assert rows[head + 1][1].startswith("  └ Seoul has issued a warning") and rows[head][5] == "1"
        await pilot.press("down", "z")  # closing from a version goes back to the story's row
        await settle(pilot)
        assert table.row_count == 2 and table.row_text(table.cursor_row)[1].startswith("▸ ")
        await pilot.press("V")
        await settle(pilot)
        assert table.row_count == 3


async def test_story_screen_matrix_shows_at_most_twelve_versions(
    make_test_app: AppFactory, seed_library: Path
) -> None:
    from textual.widgets import DataTable, Label

    from tui.app.screens.story import StoryScreen

    text = (seed_library / f"{A}.txt").read_text(encoding="utf-8")
    for number in range(12):
        (seed_library / f"1{number:02d}_copy.txt").write_text(
            text.replace("Chang also said", f"Chang said ({number})")
        )
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_reader(pilot, A)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.query_one("#story-versions", DataTable).row_count == 14
        matrix = app.screen.query_one("#story-matrix", DataTable)
        assert len(matrix.columns) == 13  # 12 versions and the passage
        assert "versions 1-12 of 14" in str(app.screen.query_one("#story-legend", Label).render())


async def test_palette_exports_the_story(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from tui.app.commands import app_commands

    annotate(tmp_path, seed_library, A, FIRST_SENTENCE, "the warning")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, B)
        (command,) = [c for c in app_commands(app, app.screen) if c.title == "Export this story"]
        command.callback()
        await settle(pilot)
        await pilot.press("o")  # the format dialog: Obsidian Markdown
        await settle(pilot)
        (exported,) = (tmp_path / "notes").glob("*.md")
        assert "story_id:" in exported.read_text(encoding="utf-8")
        await open_reader(pilot, RELATED)  # no story: no such command
        assert not [c for c in app_commands(app, app.screen) if c.title == "Export this story"]


async def test_story_screen_of_an_article_without_other_versions(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    from textual.widgets import DataTable

    from tui.app.screens.story import StoryScreen

    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_reader(pilot, RELATED)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.query_one("#story-versions", DataTable).row_count == 1
        assert app.screen.query_one("#story-matrix", DataTable).row_count > 10
        await pilot.press("e", "enter")
        await settle(pilot)
        assert len(list((tmp_path / "notes").glob("*.md"))) == 1


async def test_adopting_an_echo_whose_figures_changed_asks_first(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from tui.app.screens.dialogs import ConfirmScreen

    treaties = "Kremlin and Pyongyang signed a new set of treaties in 2000"
    text = (seed_library / f"{A}.txt").read_text(encoding="utf-8")
    (seed_library / "010_update.txt").write_text(
        text.replace("treaties in 2000", "treaties in 2001"), encoding="utf-8"
    )
    annotate(tmp_path, seed_library, A, treaties, "the year")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reader(pilot, "010_update")
        view = screen.query_one(ArticleView)
        (echo,) = [e for e in view.echoes if e.match == "changed"]
        assert echo.change == "2000 → 2001"
        view.move_to_offset(echo.start)
        await settle(pilot)
        assert "changed here: 2000 → 2001" in "\n".join(screen_lines(app))
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # the note may not hold for other figures
        await pilot.press("n")
        await settle(pilot)
        assert AnnotationStore(tmp_path / "annotations.json").for_article("010_update") == []
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        (adopted,) = AnnotationStore(tmp_path / "annotations.json").for_article("010_update")
        assert adopted.note == "the year" and "2001" in adopted.exact
