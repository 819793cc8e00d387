"""The markup rules applied before extraction (`tui.intake.markup`): each on a small page, and
through `extract_page` on a page that needs it."""

from __future__ import annotations

from lxml import html

from tui.intake.extract import extract_page
from tui.intake.markup import normalise

SENTENCES = [
    "The council approved the budget on Tuesday after a debate that lasted most of the night.",
    "The mayor said the plan would pay for two new schools and repair the old bridge by spring.",
    "Opponents said the rise in local taxes was more than families could bear this year.",
]


def _normalised(body: str) -> html.HtmlElement:
    return normalise(html.fromstring(f"<html><body>{body}</body></html>"))


def _texts(root: html.HtmlElement, tag: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in root.iter(tag)]


def test_br_runs_become_paragraphs_and_a_single_br_stays_a_line_break() -> None:
    root = _normalised(
        f"<div class='story'>{SENTENCES[0]}<br><br>{SENTENCES[1]}<br>\n<br> <b>{SENTENCES[2]}</b>"
        "<br>second line</div>"
    )
    assert _texts(root, "p") == [SENTENCES[0], SENTENCES[1], f"{SENTENCES[2]}second line"]
    assert len(list(root.iter("br"))) == 1


def test_a_block_holding_other_blocks_is_left_as_it_is() -> None:
    root = _normalised(f"<div>{SENTENCES[0]}<br><br><table><tr><td>1</td></tr></table></div>")
    assert not list(root.iter("p"))


def test_presentational_tags_give_way_to_their_content() -> None:
    root = _normalised(f"<center><p><font face='Verdana' size='2'>{SENTENCES[0]}</font></p></center>")
    assert not list(root.iter("font", "center"))
    assert _texts(root, "div") == [SENTENCES[0]]  # the centred block stays a block
    assert _texts(root, "p") == [SENTENCES[0]]


def test_footnote_links_go_and_superscript_words_stay() -> None:
    root = _normalised(
        "<p>The bridge is safe.<sup><a href='#fn1'>[1]</a></sup> It was the 1<sup>st</sup> survey of "
        "40 km<sup>2</sup>, see<sup><a href='https://example.com/'>2</a></sup>.</p>"
    )
    assert _texts(root, "p") == ["The bridge is safe. It was the 1st survey of 40 km2, see2."]


def test_comment_sections_go_unless_they_hold_the_page() -> None:
    root = _normalised(
        f"<article><p>{SENTENCES[0]}</p></article>"
        "<section id='comments'><article class='comment'><p>First!</p></article></section>"
        "<aside role='complementary'><p>Most read</p></aside>"
        f"<div class='page has-comments'><h1>Budget</h1><p>{SENTENCES[1]}</p></div>"
        "<p class='commentary'>Analysis stays.</p>"
    )
    assert _texts(root, "p") == [SENTENCES[0], SENTENCES[1], "Analysis stays."]


def test_a_page_of_br_runs_in_font_with_comments_extracts_as_its_paragraphs() -> None:
    page = (
        "<html><head><title>Council approves the budget</title></head><body><h1>Council approves the budget</h1>"
        f"<div class='text'><font size=2>{SENTENCES[0]}<br><br>{SENTENCES[1]}<br><br>{SENTENCES[2]}</font></div>"
        "<div id='comments'><div class='comment'><p>I do not agree with this at all, the numbers are wrong "
        "and have been for years.</p></div></div></body></html>"
    )
    markdown = extract_page(page, "https://herald.example.com/budget").markdown
    assert markdown.split("\n\n") == SENTENCES


def test_what_the_page_hides_from_every_reader_goes_unless_it_holds_the_page() -> None:
    root = _normalised(
        f"<article><p>{SENTENCES[0]}</p>"
        "<span class='hidden'><span itemprop='url'>http://example.com/logo.jpg</span></span>"
        "<p hidden>Template text.</p><p style='display: none'>Pop-up text.</p>"
        "<p class='promo d-none'>Subscribe now.</p><p style='visibility:hidden'>Ghost.</p>"
        f"<p>{SENTENCES[1]}<span class='sr-only'> (opens in a new window)</span></p></article>"
        f"<div class='hidden'><h1>Budget</h1><p>{SENTENCES[2]}</p></div>"
    )
    assert _texts(root, "p") == [SENTENCES[0], f"{SENTENCES[1]} (opens in a new window)", SENTENCES[2]]
    assert "logo.jpg" not in "".join(root.itertext())


def test_a_page_with_hidden_structured_data_in_its_article_stores_the_article_alone() -> None:
    page = (
        "<html><head><title>Council approves the budget</title></head><body><main><article>"
        f"<h1>Council approves the budget</h1><p>{SENTENCES[0]}</p><p>{SENTENCES[1]}</p><p>{SENTENCES[2]}</p>"
        "<span class='hidden'><span itemprop='image'><span itemprop='url'>"
        "http://herald.example.com/uploads/2018/10/photo.jpeg</span><span itemprop='height'>1200</span>"
        "</span><span itemprop='author'><span itemprop='name'>webadmin</span></span></span>"
        "</article></main></body></html>"
    )
    markdown = extract_page(page, "https://herald.example.com/budget").markdown
    assert markdown.split("\n\n") == SENTENCES
