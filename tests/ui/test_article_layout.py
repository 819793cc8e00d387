"""The article view's pure parts without an app: the page's layout, the marks' layers, the cursor's moves."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from tui.app.widgets.article_cursor import (
    annotation_under,
    find_matches,
    grow_word,
    grow_word_back,
    next_paragraph,
    previous_paragraph,
    shrink_word,
    shrink_word_back,
)
from tui.app.widgets.article_layout import TEXT_KINDS, build_page, lay_out, visible_sentences
from tui.app.widgets.article_marks import HighlightMark, PageMarks, cursor_layer, decorations, gutter_mark
from tui.library.articles import Article, Span
from tui.library.parsing import article_from_text, parse_article_text

SEEDS = Path(__file__).resolve().parents[2] / "articles"
TEXT = (
    "The first paragraph has a sentence. It has a second one that runs on for a while longer.\n\n"
    "A second paragraph, shorter.\n\n"
    "The third paragraph speaks of ships, of sealing wax, of cabbages and of kings."
)


def seed() -> Article:
    path = sorted(SEEDS.glob("*.txt"))[0]
    return parse_article_text(path.read_text(encoding="utf-8"), path.stem, path)


@pytest.mark.parametrize("width", [10, 37, 92])
def test_the_lines_of_each_block_cover_its_text_once(width: int) -> None:
    page = build_page(seed())
    layout = lay_out(page, width)
    for index, block in enumerate(page.blocks):
        lines = [line for line in layout.lines if line.block == index]
        assert lines[0].start == 0 and lines[-1].end == len(block.text)
        assert all(before.end == after.start for before, after in zip(lines, lines[1:], strict=False))
        assert all(len(block.text[line.start : line.end].rstrip()) <= width for line in lines)
        assert layout.lines[layout.block_first_line[index]] == lines[0]


def test_blocks_are_apart_by_one_blank_line_and_the_page_ends_with_one() -> None:
    layout = lay_out(build_page(article_from_text(TEXT, title="Title")), 30)
    assert layout.lines[-1].block == -1
    blanks = [i for i, line in enumerate(layout.lines) if line.block < 0]
    assert all(after - before > 1 for before, after in zip(blanks, blanks[1:], strict=False))


def test_a_highlight_maps_to_the_lines_that_show_it() -> None:
    article = article_from_text(TEXT, title="Title")
    layout = lay_out(build_page(article), 20)
    start = article.body.index("sealing wax")
    end = article.body.index("kings") + len("kings")
    first, last = layout.line_of_offset(start), layout.line_of_offset(end - 1)
    assert first < last
    for offset, y in ((start, first), (end - 1, last)):
        line = layout.lines[y]
        block = layout.page.blocks[line.block]
        assert block.kind in TEXT_KINDS
        assert block.start + line.start <= offset < block.start + line.end
    assert (
        layout.offset_of_line(first)
        == layout.page.blocks[layout.lines[first].block].start + layout.lines[first].start
    )
    touched = layout.page.blocks_touching(start, end)
    assert [layout.page.blocks[index].text for index in touched][-1].endswith("kings.")


def test_a_hidden_passage_is_one_stand_in_and_its_sentences_are_skipped() -> None:
    article = article_from_text(TEXT, title="Title")
    second = article.paragraphs[1]
    page = build_page(article, hidden=[second])
    assert [block.kind for block in page.blocks].count("hidden") == 1
    assert all(block.start != second.start for block in page.blocks if block.kind == "body")
    sentences = visible_sentences(article, [second])
    assert len(sentences) == len(article.sentences) - 1
    assert build_page(article, show_headline=False).blocks[0].kind != "title"


def style_of(component: str) -> Style:
    return Style(color="red") if component.endswith("cursor") else Style(bold=True)


def test_the_cursor_leaves_a_highlight_its_colour() -> None:
    highlight = HighlightMark("a", 10, 20, "yellow")
    layers = list(cursor_layer([highlight], 5, 25, style_of))
    assert [(start, end) for start, end, _ in layers] == [(5, 10), (10, 20), (20, 25)]
    assert layers[1][2] == style_of("article-view--cursor-on-highlight")


def test_marks_are_drawn_lowest_first_and_the_gutter_prefers_the_cursor() -> None:
    highlight = HighlightMark("a", 10, 20, "yellow", note="a note")
    marks = PageMarks(highlights=[highlight], cursor=Span(0, 30), cursor_bar=True, selection=(12, 14))
    ranges = [(start, end) for start, end, _ in decorations(marks, 0, 30, style_of)]
    assert ranges[0] == (10, 20) and ranges[-1] == (12, 14)
    assert gutter_mark(marks, 0, 30, style_of) == ("▌", style_of("article-view--gutter"))
    unfocused = PageMarks(highlights=[highlight], cursor=Span(0, 30))
    assert gutter_mark(unfocused, 0, 30, style_of) == ("✎", style_of("article-view--note-mark"))
    assert gutter_mark(unfocused, 21, 30, style_of) is None


def test_paragraph_moves() -> None:
    paragraph_of = [0, 0, 0, 1, 2, 2]
    assert next_paragraph(paragraph_of, 1) == 3
    assert next_paragraph(paragraph_of, 5) == 5
    assert previous_paragraph(paragraph_of, 2) == 0
    assert previous_paragraph(paragraph_of, 3) == 0
    assert previous_paragraph(paragraph_of, 4) == 3


def test_a_selection_changes_by_a_word_and_keeps_one() -> None:
    body = "one two three four"
    assert grow_word(body, (4, 7)) == (4, 13)
    assert shrink_word(body, (4, 13)) == (4, 7)
    assert shrink_word(body, (4, 7)) is None
    assert grow_word_back(body, (4, 7)) == (0, 7)
    assert shrink_word_back(body, (0, 7)) == (4, 7)
    assert grow_word(body, (14, 18)) is None


def test_search_skips_hidden_passages_and_annotations_prefer_the_one_at_the_start() -> None:
    body = "Ship and ship and SHIP"
    assert find_matches(body, "ship", []) == [(0, 4), (9, 13), (18, 22)]
    assert find_matches(body, "ship", [Span(5, 14)]) == [(0, 4), (18, 22)]
    assert find_matches(body, "", []) == []
    first, second = HighlightMark("a", 0, 6, "yellow"), HighlightMark("b", 4, 12, "yellow")
    assert annotation_under([first, second], 5, 10) == first
    assert annotation_under([first, second], 7, 10) == second
    assert annotation_under([first], 7, 10) is None
