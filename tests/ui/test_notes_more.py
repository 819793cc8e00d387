"""The Notes screen: a filter by text and #tag, the note under the cursor shown whole, and the notes
moved at start-up listed where the user sees them, each one a key away from moving back."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from textual.pilot import Pilot
from ui_helpers import SEED_IDS, screen_lines, settle, until

from tui.annotations import AnnotationStore, find_quote
from tui.app.screens.notes import NotesScreen
from tui.cli.printers import notes_text
from tui.library.loader import load_library

A = SEED_IDS[0]
CHANG = "Chang, who was formerly South Korea's ambassador to Russia"
LONG_NOTE = (
    "Chang's warning reads as a signal to Moscow rather than a threat; compare the wording used in June.\n"
    "Second line: check Yonhap's transcript for the exact phrase before quoting it anywhere."
)


def add(tmp_path: Path, articles: Path, quote: str, note: str = "", tags: tuple[str, ...] = ()) -> None:
    article = load_library(articles).get(A)
    start, end = find_quote(article, quote)
    AnnotationStore(tmp_path / "annotations.json").add(article, start, end, note=note, tags=list(tags))


async def open_notes(pilot: Pilot[None]) -> NotesScreen:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, NotesScreen)
    return screen


async def test_the_notes_filter_by_text_and_tag(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    add(tmp_path, seed_library, "Seoul has warned Moscow", "the warning", ("russia",))
    add(tmp_path, seed_library, "Yoon administration", "who governs", ("politics",))
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        notes = await open_notes(pilot)
        assert len(notes.rows) == 2
        await pilot.press("slash", *"#politics")
        await until(pilot, lambda: len(notes.rows) == 1)
        assert [row.annotation.exact for row in notes.rows] == ["Yoon administration"]
        await pilot.press("enter")
        await pilot.press("slash", *"warning")
        await until(
            pilot, lambda: [row.annotation.exact for row in notes.rows] == ["Seoul has warned Moscow"]
        )
        await pilot.press("escape")
        await until(pilot, lambda: len(notes.rows) == 2)
        assert isinstance(app.screen, NotesScreen)  # Escape cleared the filter; it did not leave


async def test_the_note_under_the_cursor_is_shown_whole_at_80_columns(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    add(tmp_path, seed_library, "Seoul has warned Moscow", LONG_NOTE, ("russia",))
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot)
        text = " ".join(" ".join(screen_lines(app)).split())
        for line in LONG_NOTE.split("\n"):
            assert line in text
        assert "#russia" in text


def test_notes_on_a_terminal_wrap_to_its_width_and_lose_nothing() -> None:
    record = {
        "id": "12345678-aaaa",
        "article_id": A,
        "title": "Seoul cautions Moscow",
        "quote": "Seoul has warned Moscow",
        "note": LONG_NOTE,
        "color": "yellow",
        "tags": ["russia", "doubt"],
        "status": "anchored",
        "paragraph": 1,
        "caption": None,
    }
    text = notes_text([record], width=60)
    assert all(len(line) <= 60 for line in text.split("\n"))
    flat = " ".join(text.split())
    assert " ".join(LONG_NOTE.split()) in flat and "#russia #doubt" in flat


def _copy_without_chang(seed_library: Path) -> None:
    text = (seed_library / f"{A}.txt").read_text(encoding="utf-8")
    (seed_library / "010_copy.txt").write_text(
        text.replace("Chang also said", "Chang said"), encoding="utf-8"
    )


async def test_notes_moved_at_start_up_are_listed_and_u_moves_one_back(
    make_test_app: AppFactory, tmp_path: Path, seed_library: Path
) -> None:
    _copy_without_chang(seed_library)
    add(tmp_path, seed_library, CHANG, "the envoy")
    path = seed_library / f"{A}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(CHANG, "Chang, once envoy"), encoding="utf-8")
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.carried, "the note was not carried over at start-up"
        notes = await open_notes(pilot)
        text = " ".join(" ".join(screen_lines(app)).split())
        assert "moved at start-up" in text and "U on one moves it back" in text
        assert "↪ moved" in text
        assert "Moved at start-up from 000_097ad0791a11b944" in text
        assert notes.rows[0].annotation.article_id == "010_copy"
        await pilot.press("U")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.all()
        assert annotation.article_id == A and annotation.moved_from is None and annotation.note == "the envoy"
        await pilot.press("u")  # and undo puts it in the copy again
        await settle(pilot)
        (annotation,) = app.store.all()
        assert annotation.article_id == "010_copy"
