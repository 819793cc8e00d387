"""The Reader shows an article's Markdown (headings, bold, italics, lists, quotes, tables, footnote
marks) by style, and every offset stays the body's: cursor, search and highlights land as before."""

from __future__ import annotations

from pathlib import Path

from conftest import AppFactory
from ui_helpers import screen_lines, settle

from tui.app.screens.reader import ReaderScreen
from tui.app.widgets.article_view import ArticleView
from tui.library.loader import load_library
from tui.markdown_look import look

ARTICLE = """---
title: A test of structure
source: Example
date: '2026-11-20'
---

## The first heading

Some **bold words** and *italic* words, with `code` too.<sup>22</sup>

- first item
- second item
- third item

> A quoted line that runs on
> and on.

| Team | Score |
|------|------:|
| Red | 3 |
| Blue | 10 |

Last paragraph.
"""


def test_the_look_keeps_every_offset() -> None:
    for text in ("- a\n- b", "> q\n> r", "| a | b |\n|---|---|\n| 1 | 2 |", "x<sup>22</sup> *em* `c` [^3]"):
        shown = look(text)
        assert len(shown.text) == len(text)
        assert all(0 <= start <= end <= len(text) for start, end, _ in shown.roles)
    assert look("- a\n- b").text == "• a\n• b" and look("- a\n- b").breaks == [4]
    assert look("x<sup>22</sup>").text == "x<sup>²²</sup>"
    assert look("- not a list in plain text", markdown=False).text.startswith("- ")


def test_the_parser_keeps_lines_of_lists_and_tables_and_marks_headings(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE)
    article = load_library(tmp_path).get("a")
    assert "- first item\n- second item\n- third item" in article.body
    structure = [tuple(article.structure[i : i + 3]) for i in range(0, len(article.structure), 3)]
    heading = article.body.index("The first heading")
    assert (heading, heading + len("The first heading"), "h2") in structure
    bold = article.body.index("bold words")
    assert (bold, bold + len("bold words"), "strong") in structure
    sentences = [article.text(span) for span in article.sentences]
    assert "second item" in sentences and "| Red | 3 |" in sentences


async def test_the_reader_draws_markdown_and_highlights_land_on_the_body(
    make_test_app: AppFactory, tmp_path: Path
) -> None:
    articles = tmp_path / "md"
    articles.mkdir()
    (articles / "a.md").write_text(ARTICLE)
    app = make_test_app(articles)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        app.open_article("a")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        lines = screen_lines(app)
        assert any(line.strip() == "• second item" for line in lines)
        assert any(line.strip().startswith("▎ A quoted line") for line in lines)
        assert any("├──────┼" in line for line in lines)
        assert any("²²" in line for line in lines)
        assert not any("## " in line for line in lines)
        view = reader.query_one(ArticleView)
        heading_line = next(y for y in range(30) if "The first heading" in view.render_line(y).text)
        styles = [segment.style for segment in view.render_line(heading_line) if "heading" in segment.text]
        assert styles and all(style is not None and style.bold for style in styles)
        await pilot.press("slash", *"second", "space", *"item", "enter")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert app.store is not None
        (annotation,) = app.store.for_article("a")
        body = reader.article.body
        assert body[annotation.start : annotation.end] == "second item" == annotation.exact
