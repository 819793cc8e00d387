"""What `tui add` stores from a page: clean Markdown (no HTML, no needless escapes), short
articles kept, the page's headline, and two extractors combined."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tui.intake.extract import ExtractError, extract_page, tidy_markdown
from tui.intake.library_writer import ArticleRecord, markdown_document

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "bench" / "extraction"
sys.path.insert(0, str(REPO / "bench"))

# Any HTML element a reader would see as markup (an escaped `\<` shows as text and is not one).
HTML_TAG = re.compile(r"(?<!\\)</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
NEEDLESS = re.compile(r"\\\[\d+\\\]|\w\\_\w|\\~")


def _page(body: str, head: str = "", title: str = "Council approves the new budget") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Riverside Herald</title>{head}</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{title}</h1>{body}</article><footer>Riverside Herald</footer></body></html>"""


LONG = (
    "<p>The council approved the budget on Tuesday after a debate that lasted most of the night, "
    "with seven votes in favour and four against.</p>"
    "<p>The mayor said the plan would pay for two new schools and repair the old bridge.<sup><a href='#fn1'>1</a></sup> "
    "It was the 1<sup>st</sup> budget to cover the 40 km<sup>2</sup> of the new district.</p>"
    "<p>Opponents said the rise in local taxes, of <u>three per cent</u>, was more than families could bear "
    "this year, and promised to fight it at the next election [again].</p>"
    "<table><tr><th>Item</th><th>2024</th></tr><tr><td>Schools</td><td>4.1m</td></tr></table>"
    "<p>Asked about the bridge, the engineer said: <font face='Verdana'>it will be safe by spring</font>, "
    "and the user_name field of the form is fixed.</p>"
)


def test_superscripts_footnotes_underline_and_font_become_plain_markdown() -> None:
    page = extract_page(_page(LONG), "https://herald.example.com/budget")
    markdown = page.markdown
    assert not HTML_TAG.search(markdown), markdown
    assert not NEEDLESS.search(markdown), markdown
    # A superscript linking to a note elsewhere is a pointer, not a word: it goes (tui.intake.markup).
    assert "repair the old bridge. It was" in markdown and "[1]" not in markdown
    assert "the 1st budget" in markdown and "40 km2" in markdown
    assert "three per cent" in markdown and "election [again]" in markdown
    assert "| Item | 2024 |" in markdown and "|---|" in markdown  # a Markdown table
    assert "user_name" in markdown


def test_tidy_keeps_the_escapes_that_matter() -> None:
    assert tidy_markdown("1\\) not a list\n\\# not a heading") == "1\\) not a list\n\\# not a heading"
    assert tidy_markdown("a \\* b, \\*emphasis\\*") == "a * b, \\*emphasis\\*"
    assert tidy_markdown("see \\[1\\] and \\[link\\](x)") == "see [1] and \\[link\\](x)"
    assert tidy_markdown('text<div id="mocha"></div> and </font>more') == "text and more"
    assert tidy_markdown("watch \\<The Palace: Tale\\> now") == "watch \\<The Palace: Tale\\> now"


def test_a_short_article_is_an_article() -> None:
    # Before: fewer than 20 words (or trafilatura finding nothing) was "no article text found".
    brief = "<p>The Old Mill bridge will stay closed until Friday after inspectors found cracks, the county said.</p>"
    page = extract_page(_page(brief, title="Old Mill bridge closed"), "https://herald.example.com/bridge")
    assert "Old Mill bridge will stay closed" in page.markdown
    with pytest.raises(ExtractError, match="no article text found"):
        extract_page(_page("<p>Subscribe now.</p>", title="Subscribe"), "https://herald.example.com/x")


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        (
            '<meta property="og:title" content="Council approves the new budget">',
            None,
            "Council approves the new budget",
        ),
        ("", "Riverside Herald", "Council approves the new budget"),  # an h1 that is the logo
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget passes"}</script>',
            "Budget passes",
            "Budget passes",
        ),
    ],
)
def test_the_headline_not_the_title_with_the_site_name(head: str, h1: str | None, expected: str) -> None:
    html = _page(LONG, head)
    if h1 is not None:
        html = html.replace("<h1>Council approves the new budget</h1>", f"<h1>{h1}</h1>")
    page = extract_page(html, "https://herald.example.com/budget")
    assert page.title == expected


def test_a_teaser_only_one_extractor_took_is_left_out() -> None:
    teaser = "<p>Read more: Ten things you did not know about bridges and the people who build them.</p>"
    html = _page(LONG).replace("</article>", f"</article><div class='related'>{teaser}</div>")
    assert "Ten things" not in extract_page(html, "https://herald.example.com/budget").markdown


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/bench/extraction is not here")
def test_no_stored_article_of_the_benchmark_or_quirky_sets_holds_html() -> None:
    import quirky
    from extraction import load

    bench = load(SHARED)
    pages = [(k, "benchmark", h, u, t) for k, h, u, t in bench] + quirky.derived(bench) + quirky.written()
    with_tags = []
    for key, _kind, html, url, _truth in pages:
        try:
            page = extract_page(html, url)
        except ExtractError:
            continue
        stored = markdown_document(ArticleRecord(title=page.title or "", body=page.markdown))
        body = stored.split("---\n", 2)[2]
        if HTML_TAG.search(body):
            with_tags.append((key, HTML_TAG.search(body)))
    assert not with_tags, with_tags[:5]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/bench/extraction is not here")
def test_a_second_opinion_on_another_block_never_empties_the_article() -> None:
    """Short pages (the article cut after its first paragraphs): where trafilatura finds an article,
    readability taking another block (a caption, the author's note) does not make it 'no article'."""
    import quirky
    import trafilatura
    from extraction import load

    from tui.intake.extract import EXTRACT_OPTIONS, MIN_WORDS

    short = [page for page in quirky.derived(load(SHARED)) if page[1] == "short"]
    lost = []
    for key, _kind, html, url, _truth in short:
        alone = trafilatura.extract(html, url=url, **EXTRACT_OPTIONS) or ""
        if len(re.findall(r"\w+", alone)) < MIN_WORDS:
            continue
        try:
            extract_page(html, url)
        except ExtractError:
            lost.append(key)
    assert not lost
