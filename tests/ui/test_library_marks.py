"""The Library as a reader meets it: titles room at 80 columns, rows that read the same told apart,
new and unread marks, the way to the original, a hint in an empty library, the theme kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import AppFactory
from textual.app import App
from ui_helpers import screen_lines, settle

from tui.app.screens.library import NEW_MARK, UNREAD_MARK, LibraryScreen
from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_table import ArticleTable

BODY = "The council met on Monday. It agreed to rebuild the old bridge by spring.\n"


def write(folder: Path, name: str, **fields: str) -> None:
    front = "".join(f"{key}: '{value}'\n" for key, value in fields.items())
    (folder / name).write_text(f"---\n{front}---\n\n{BODY}", encoding="utf-8")


def table(app: App[None]) -> ArticleTable:
    screen = app.screen
    assert isinstance(screen, LibraryScreen)
    return screen.query_one("#articles", ArticleTable)


def cells_by_id(app: App[None]) -> dict[str, list[str]]:
    articles = table(app)
    return {article.id: articles.row_text(row) for row, article in enumerate(articles.articles)}


async def test_at_80_columns_the_title_takes_what_the_other_columns_do_not_need(
    make_test_app: AppFactory,
) -> None:
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        widths = {column.key: column.width for column in table(app).columns}
        assert widths["title"] >= 28
        lines = screen_lines(app)
        header = next(line for line in lines if "Title" in line)
        assert "Similar" in header and "Date" in header
        assert any("Seoul cautions Moscow on Puti" in line for line in lines)
        assert all(len(line.rstrip()) <= 80 for line in lines)


async def test_versions_that_read_the_same_say_what_tells_them_apart(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    articles = tmp_path / "web"
    articles.mkdir()
    same = {"title": "Bridge to reopen", "source": "Local Times", "date": "2026-11-20"}
    write(articles, "Local Times - Bridge to reopen.md", **same, added="2026-11-20T09:31:00+00:00")
    write(articles, "Local Times - Bridge to reopen 2.md", **same, added="2026-11-21T08:00:00+00:00")
    app = make_test_app(articles)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        cells = cells_by_id(app)
        first, second = (
            cells["Local Times - Bridge to reopen"][1],
            cells["Local Times - Bridge to reopen 2"][1],
        )
        assert first != second
        assert first.startswith("Bridge to reopen · v1, added 20 Nov")
        assert second.startswith("Bridge to reopen · v2, added 21 Nov")


async def test_new_and_unread_marks_and_opening_an_article_clears_its_mark(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    articles = tmp_path / "web"
    articles.mkdir()
    write(articles, "fresh.md", title="Fresh", added="2026-02-01T10:00:00+00:00")
    write(articles, "older.md", title="Older", added="2025-12-01T10:00:00+00:00")
    write(articles, "read.md", title="Read before")
    state = tmp_path / "state"
    state.mkdir()
    (state / "visits.json").write_text(json.dumps({"library_opened": "2026-01-01T00:00:00+00:00"}))
    (state / "positions.json").write_text(json.dumps({"version": 1, "positions": {"read": 40}}))
    app = make_test_app(articles)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        marks = {article_id: cells[0] for article_id, cells in cells_by_id(app).items()}
        assert marks == {"fresh": NEW_MARK, "older": UNREAD_MARK, "read": ""}
        assert any("1 new" in line for line in screen_lines(app))
        app.open_article("fresh")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert cells_by_id(app)["fresh"][0] == ""
    visits = json.loads((state / "visits.json").read_text())
    assert visits["library_opened"] > "2026-01-01"


async def test_the_reader_shows_the_address_and_o_opens_it(
    make_test_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = tmp_path / "web"
    articles.mkdir()
    write(articles, "a.md", title="Bridge", url="https://example.org/news/bridge", date="2026-11-20")
    write(articles, "b.md", title="No address")
    app = make_test_app(articles)
    opened: list[str] = []

    def record_url(url: str, new_tab: bool = True) -> None:
        opened.append(url)

    monkeypatch.setattr(app, "open_url", record_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_article("a")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        lines = screen_lines(app)
        assert any("https://example.org/news/bridge" in line for line in lines)
        assert any("20 Nov 2026" in line for line in lines)
        assert not any("00:00" in line for line in lines)  # the source gave a day: no invented midnight
        await pilot.press("o")
        assert opened == ["https://example.org/news/bridge"]
        await pilot.press("q")
        app.open_article("b")
        await settle(pilot)
        await pilot.press("o")
        assert opened == ["https://example.org/news/bridge"]


async def test_an_empty_library_says_how_to_add_articles(make_test_app: AppFactory, tmp_path: Path) -> None:
    articles = tmp_path / "empty"
    articles.mkdir()
    app = make_test_app(articles)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "No articles yet" in text and "A adds a link" in text and "tui add" in text


async def test_the_chosen_theme_is_kept_for_the_next_run(make_test_app: AppFactory) -> None:
    app = make_test_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme != "nord"
        app.theme = "nord"
        await settle(pilot)
    again = make_test_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


async def test_compare_at_80_columns_names_each_pane_and_cuts_no_count(make_test_app: AppFactory) -> None:
    from tui.app.screens.compare import CompareScreen

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_article("000_097ad0791a11b944")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        lines = screen_lines(app)
        top = " ".join(" ".join(lines[:2]).split())
        assert "10 of 15 sentences match left, 9 of 10 right" in top and "similar 1 of 2 (d next)" in top
        titles = [str(pane.border_title) for pane in app.screen.panes()]
        assert "2024-06-17" in titles[0] and titles[0].startswith("The Korea")
        assert titles[0].endswith("b944") and titles[0].startswith("The Korea")
        assert all(len(title) <= 36 for title in titles)


async def test_story_at_80_columns_fits_without_sideways_scrolling(make_test_app: AppFactory) -> None:
    from textual.widgets import DataTable

    from tui.app.screens.story import StoryScreen

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_article("000_097ad0791a11b944")
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        for table in app.screen.query(DataTable):
            assert table.virtual_size.width <= table.scrollable_content_region.width, table.id
        text = "\n".join(screen_lines(app))
        assert "Seoul cautions Moscow on Pu" in text and "Seoul has issued a warning" in text


def similar_marks(app: App[None]) -> dict[str, str]:
    return {article_id: cells[-1] for article_id, cells in cells_by_id(app).items()}


async def test_a_second_start_draws_the_kept_marks_before_the_folder_is_walked(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch, seed_library: Path
) -> None:
    """From a warm cache the kept index is read right after the first paint and its marks drawn
    before the folder's walk (which would compete with them for the GIL); nothing is built again,
    and the stories follow once the folder has been read. A folder changed since is indexed once
    it has been read."""
    from tui.library import loader
    from tui.similarity import SimilarityIndex

    articles = seed_library
    app = make_test_app(articles)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        first = similar_marks(app)
    assert any(first.values())

    builds: list[int] = []
    original_build = SimilarityIndex.build.__func__  # type: ignore[attr-defined]

    def counted_build(cls: type[SimilarityIndex], /, *args: object, **kwargs: object) -> SimilarityIndex:
        builds.append(1)
        return original_build(cls, *args, **kwargs)  # type: ignore[no-any-return]

    walks: list[bool] = []  # at each walk: were the marks drawn already?
    original_walk = loader._walk

    def watched_walk(root: Path) -> object:
        walks.append(app.marks_drawn.is_set())
        return original_walk(root)

    reads: list[int] = []
    original_stored = SimilarityIndex.stored.__func__  # type: ignore[attr-defined]

    def counted_stored(cls: type[SimilarityIndex], /, *args: object) -> SimilarityIndex | None:
        reads.append(1)
        return original_stored(cls, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(SimilarityIndex, "build", classmethod(counted_build))
    monkeypatch.setattr(SimilarityIndex, "stored", classmethod(counted_stored))
    monkeypatch.setattr(loader, "_walk", watched_walk)
    # A file that is no article: the cache's listing leaves it out, the folder's has it, and the
    # kept index is still the one of its articles (read once).
    (articles / "README.md").write_text("About this folder.\n", encoding="utf-8")
    app = make_test_app(articles)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        assert walks == [True] and builds == [] and reads == [1]
        assert similar_marks(app) == first
        assert app.stories is not None and len(app.stories) >= 1

    # A copy added since: the kept marks are those of the library as the cache saw it, drawn first;
    # the folder read, its library is indexed and the copy marked.
    (articles / "copy.md").write_bytes(next(articles.glob("000_*")).read_bytes())
    walks.clear()
    app = make_test_app(articles)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        assert walks == [True] and builds == [1]
        assert similar_marks(app)["copy"] != ""


async def test_the_kept_marks_of_a_changed_folder_name_no_gone_article_and_go_if_its_index_fails(
    make_test_app: AppFactory, monkeypatch: pytest.MonkeyPatch, seed_library: Path
) -> None:
    """Until the folder's own index is in, the marks are those the cache kept: an article deleted
    since is not offered as a match, and if the folder's index fails those marks go, the error is
    said, and the background work ends."""
    import asyncio
    import threading

    from tui.similarity import SimilarityIndex

    app = make_test_app(seed_library)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        partner = next(m.id for m in app.matches_for(next(iter(app.library or [])).id))
    gone = next(seed_library.glob(f"{partner}.*"))
    gone.unlink()
    gate = threading.Event()

    def failing_build(cls: type[SimilarityIndex], /, *args: object, **kwargs: object) -> SimilarityIndex:
        gate.wait(10)
        raise OSError("the disk is full")

    monkeypatch.setattr(SimilarityIndex, "build", classmethod(failing_build))
    app = make_test_app(seed_library)
    async with app.run_test(size=(120, 24)) as pilot:
        for _ in range(200):  # the folder read, its index still being built
            if app.index is not None and app.library is not None and partner not in app.library:
                break
            await asyncio.sleep(0.02)
        assert app.index is not None and app.library is not None
        assert all(partner not in [m.id for m in app.matches_for(a.id)] for a in app.library)
        gate.set()
        await settle(pilot)
        assert app.index is None and app.index_error is not None and "disk is full" in app.index_error
        assert set(similar_marks(app).values()) == {""}
