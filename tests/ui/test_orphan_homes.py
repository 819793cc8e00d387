"""Orphans met where they live: the Reader and the Notes screen show an orphaned note's home in its
story and move it there with `H` (recorded as moved, `u` undoes), as the story screen does."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.widget import Widget
from textual.widgets import DataTable, Static
from ui_helpers import SEED_IDS, open_reader, screen_lines, settle

from tui.annotations import Annotation, AnnotationStore, anchor_all, find_quote
from tui.library.loader import load_library
from tui.stories import Home, Story

A, B, RELATED = SEED_IDS
FIRST_SENTENCE = 'Seoul has warned Moscow against "going beyond a certain point,"'
RESTATED = "Seoul has issued a warning to Moscow, cautioning against exceeding certain limits"


def orphan_on_a(tmp_path: Path, articles: Path, note: str = "the warning") -> str:
    """A note on A's first body sentence, then that sentence deleted from A: an orphan whose home
    is the sentence of B that restates it (reworded)."""
    article = load_library(articles).get(A)
    start, end = find_quote(article, FIRST_SENTENCE, 1)
    annotation_id = AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note=note).id
    path = articles / f"{A}.txt"
    text = path.read_text(encoding="utf-8")
    cut = text.index(FIRST_SENTENCE)
    path.write_text(text[:cut] + text[text.index("\n\n", cut) + 2 :], encoding="utf-8")
    return annotation_id


def notice_text(screen: Widget, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def test_reader_shows_an_orphans_home_and_h_moves_it_there(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    orphan = orphan_on_a(tmp_path, seed_library)
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_reader(pilot, A)
        notice = notice_text(screen, "#orphan-notice")
        assert "Orphaned “Seoul has warned Moscow" in notice
        assert f"home: reworded in {B}:" in notice  # 002 has no source or date: named by id
        assert RESTATED[:40] in notice and "H moves it there" in notice
        assert "H moves it there" in "\n".join(screen_lines(app))

        await pilot.press("H")
        await settle(pilot)
        store = AnnotationStore(tmp_path / "annotations.json")
        moved = store.get(orphan)
        assert moved.article_id == B and moved.exact.startswith(RESTATED) and moved.note == "the warning"
        assert moved.moved_from is not None and moved.moved_from["article_id"] == A
        (placed,) = anchor_all([moved], load_library(seed_library).get(B))
        assert placed.status == "moved"
        assert not screen.query_one("#orphan-notice", Static).display  # no orphan left here
        assert any("Moved the note" in n.message and "u undoes" in n.message for n in app._notifications)

        await pilot.press("u")
        await settle(pilot)
        back = AnnotationStore(tmp_path / "annotations.json").get(orphan)
        assert back.article_id == A and back.moved_from is None
        assert "H moves it there" in notice_text(screen, "#orphan-notice")


async def test_reader_without_orphans_shows_no_notice_and_h_says_so(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_reader(pilot, A)
        await pilot.press("h")
        await settle(pilot)
        assert not screen.query_one("#orphan-notice", Static).display
        await pilot.press("H")
        await settle(pilot)
        assert any("No orphaned note" in n.message for n in app._notifications)
        (kept,) = AnnotationStore(tmp_path / "annotations.json").all()
        assert kept.article_id == A and kept.moved_from is None


async def test_an_orphan_without_a_home_says_so_and_stays(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    """The related article is no version of the story: its orphan has nowhere to go."""
    article = load_library(seed_library).get(RELATED)
    quote = article.text(article.sentences[1])
    start, end = find_quote(article, quote, 1)
    orphan = AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note="n").id
    path = seed_library / f"{RELATED}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(quote, ""), encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_reader(pilot, RELATED)
        assert "no version of its story carries this passage" in notice_text(screen, "#orphan-notice")
        await pilot.press("H")
        await settle(pilot)
        assert any("no home in its story" in n.message for n in app._notifications)
        assert AnnotationStore(tmp_path / "annotations.json").get(orphan).article_id == RELATED


async def test_notes_screen_shows_the_home_of_the_orphan_under_the_cursor_and_moves_it(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    from tui.app.screens.notes import NotesScreen

    orphan = orphan_on_a(tmp_path, seed_library)
    article = load_library(seed_library).get(A)
    start, end = find_quote(article, "The presidential office in Seoul", 1)
    kept = AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note="kept").id
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_reader(pilot, A)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        table = screen.query_one("#notes-table", DataTable)
        orphan_row = next(i for i, placed in enumerate(screen.rows) if placed.annotation.id == orphan)
        other_row = 1 - orphan_row
        table.move_cursor(row=other_row)
        await pilot.pause()
        assert not screen.query_one("#notes-home", Static).display  # an anchored note: no line
        await pilot.press("H")
        await settle(pilot)
        assert AnnotationStore(tmp_path / "annotations.json").get(kept).moved_from is None

        table.move_cursor(row=orphan_row)
        await pilot.pause()
        line = notice_text(screen, "#notes-home")
        assert f"home: reworded in {B}:" in line and RESTATED[:40] in line
        assert "H moves it there" in line and "r re-attaches by hand" in line
        await pilot.press("H")
        await settle(pilot)
        moved = AnnotationStore(tmp_path / "annotations.json").get(orphan)
        assert moved.article_id == B and moved.moved_from is not None and moved.moved_from["article_id"] == A
        assert all(not placed.orphaned for placed in screen.rows)  # it left this article's list
        await pilot.press("u")
        await settle(pilot)
        assert AnnotationStore(tmp_path / "annotations.json").get(orphan).article_id == A


async def test_a_home_in_a_dated_version_is_named_by_source_and_date(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    """An orphan on the rewrite (002) finds its home in 000, named as a reader knows it."""
    gone = "However, the presidential office in Seoul was not available for immediate comment at the time of the report. "
    article = load_library(seed_library).get(B)
    start, end = find_quote(article, gone.strip(), 1)
    AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note="on the rewrite")
    path = seed_library / f"{B}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count(gone) == 2  # 002 stores its text twice
    path.write_text(text.replace(gone, ""), encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_reader(pilot, B)
        notice = notice_text(screen, "#orphan-notice")
        assert f"home: reworded in The Korea Herald · 2024-06-17 ({A}):" in notice, notice
        assert "The presidential office in Seoul" in notice


async def test_homes_are_found_off_the_ui_thread_and_not_again_after_each_highlight(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.stories import Stories

    orphan_on_a(tmp_path, seed_library)
    looked_from: list[threading.Thread] = []
    homes = Stories.homes

    def recording(self: Stories, annotation: Annotation, story: Story | None = None) -> list[Home]:
        looked_from.append(threading.current_thread())
        return homes(self, annotation, story)

    monkeypatch.setattr(Stories, "homes", recording)
    app = make_test_app()
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_reader(pilot, A)
        assert "H moves it there" in notice_text(screen, "#orphan-notice")
        assert looked_from and threading.main_thread() not in looked_from
        before = len(looked_from)
        await pilot.press("h")  # the Reader looks at its orphans again
        await settle(pilot)
        assert len(AnnotationStore(tmp_path / "annotations.json").all()) == 2
        assert len(looked_from) == before  # the orphan has not changed: its homes are known
        assert "H moves it there" in notice_text(screen, "#orphan-notice")
