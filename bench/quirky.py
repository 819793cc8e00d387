"""A set of pages with markup quirks, made from the benchmark's pages and from pages written here.

    python bench/extraction.py --write-quirky DIR   # the pages, to look at

The benchmark's pages are third-party data, so the derived pages are never stored in the project:
they are made again, the same each time, whenever `bench/extraction.py` runs. Each benchmark page
whose article paragraphs can be found in its HTML (a `<p>` of eight words or more whose text is in
the marked article text) is changed in two of the ways below (kinds `i mod 8` and `i + 3 mod 8`
for the i-th page in key order), and the marked text is changed to match where the change adds
article text:

- `footnotes`: a footnote marker `<sup><a href="#fn3">[3]</a></sup>` after every other article
  paragraph's first sentence, an ordinal `1<sup>st</sup>` and a unit `km<sup>2</sup>` in one, and a
  footnote list after the article (`<ol class="footnotes">`; its notes are not article text);
- `table`: a four-row `<table>` of figures after the second paragraph (its cells are article text);
- `lazy-images`: `<figure>`s with placeholder `src`, the image in `data-src` and a `<noscript>`
  copy, between paragraphs;
- `br-runs`: the article's paragraphs merged into one `<div>` separated by `<br><br>` runs;
- `font`: each paragraph's content inside `<font face=… size=2>`, paragraphs inside `<center>`;
- `comments`: a readers' comments section (six comments with names and dates) after the article
  (not article text);
- `short`: the article cut after its first paragraphs of 25 words or more (everything after them in
  the article's container removed; the marked text cut at the same place);
- `rtl`: the page marked `dir="rtl"`, with an Arabic paragraph pair added in the article (article
  text).

Pages written here (`bench/data/quirky/*.html` with `truth.json`): short news briefs and
right-to-left articles (Arabic, Hebrew, Persian) written for this set.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree, html

HERE = Path(__file__).resolve().parent
WRITTEN = HERE / "data" / "quirky"
KINDS = ("footnotes", "table", "lazy-images", "br-runs", "font", "comments", "short", "rtl")

QuirkyPage = tuple[str, str, bytes, str, str]  # key, kind, html, url, truth

COMMENTS = [
    ("mike_77", "Great piece, thanks for writing it. I shared it with my brother who works in the field."),
    ("Sarah J.", "I don't agree with the second half at all; the numbers have been wrong for years."),
    ("anon", "Who paid for this study? Follow the money, as always."),
    ("Peter Brandt", "We saw the same thing in our town last spring and nobody listened."),
    ("lucy", "First! Also, the photo caption is wrong, that is not the mayor."),
    ("R. Okafor", "Well reported. Would love a follow-up on what happens next year."),
]
ARABIC = [
    "قال مسؤولون في وزارة الصحة إن عدد الحالات الجديدة انخفض للأسبوع الثالث على التوالي، "
    "مشيرين إلى أن حملة التطعيم وصلت إلى أكثر من نصف السكان في المدن الكبرى.",
    "وأضاف المتحدث باسم الوزارة أن المستشفيات ستعود إلى العمل بطاقتها الكاملة مع بداية الشهر "
    "المقبل، وأن الخطة الجديدة تشمل القرى البعيدة التي لم تصلها الفرق الطبية من قبل.",
]


def _words(text: str) -> str:
    return " ".join(text.split())


def article_paragraphs(tree: html.HtmlElement, truth: str) -> list[html.HtmlElement]:
    """The page's `<p>` elements that hold article text (eight words or more found in the truth)."""
    marked = _words(truth)
    found = []
    for p in tree.iter("p"):
        text = _words(p.text_content())
        if len(text.split()) >= 8 and text in marked:
            found.append(p)
    return found


def _after_sentence(p: html.HtmlElement, marker: html.HtmlElement) -> None:
    """Put `marker` after the first sentence of `p`'s own leading text (or at its end)."""
    text = p.text or ""
    match = re.search(r"[.!?](?=\s)", text)
    if match:
        p.text = text[: match.end()]
        marker.tail = text[match.end() :]
        p.insert(0, marker)
    else:
        p.append(marker)


def footnotes(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    number = 0
    for index, p in enumerate(paragraphs):
        if index % 2:
            continue
        number += 1
        _after_sentence(p, html.fromstring(f'<sup id="r{number}"><a href="#fn{number}">[{number}]</a></sup>'))
    notes = "".join(
        f'<li id="fn{n}"><a href="#r{n}">^</a> Annual report of the agency, {2000 + n}, p. {10 * n}.</li>'
        for n in range(1, number + 1)
    )
    paragraphs[-1].addnext(html.fromstring(f'<ol class="footnotes">{notes}</ol>'))
    # An ordinal and a unit written with <sup>: the marked text gains the words as one reads them.
    extra = html.fromstring(
        "<p>It was the 1<sup>st</sup> survey to cover 40 km<sup>2</sup> of the coast.</p>"
    )
    paragraphs[0].addnext(extra)
    return _insert_after(truth, paragraphs[0], "It was the 1st survey to cover 40 km2 of the coast.")


def _insert_after(truth: str, p: html.HtmlElement, addition: str) -> str:
    """The truth with `addition` as a paragraph after the one `p` holds (before the markers went in)."""
    anchor = _words(p.text_content())
    anchor = re.sub(r"\[\d+\]", "", anchor)
    last_words = anchor.split()[-4:]
    pattern = r"\s+".join(re.escape(w) for w in last_words)
    match = re.search(pattern, truth)
    if match is None:
        return truth + "\n" + addition
    end = truth.find("\n", match.end())
    end = len(truth) if end < 0 else end
    return truth[:end] + "\n" + addition + truth[end:]


def table(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    rows = [
        ("Region", "2022", "2023"),
        ("North", "1,204", "1,310"),
        ("South", "987", "1,042"),
        ("West", "455", "502"),
    ]
    cells = "".join(
        "<tr>"
        + "".join(f"<{'th' if i == 0 else 'td'}>{c}</{'th' if i == 0 else 'td'}>" for c in row)
        + "</tr>"
        for i, row in enumerate(rows)
    )
    anchor = paragraphs[min(1, len(paragraphs) - 1)]
    anchor.addnext(html.fromstring(f'<table class="data"><tbody>{cells}</tbody></table>'))
    return _insert_after(truth, anchor, "\n".join(" ".join(row) for row in rows))


def lazy_images(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    for index, p in enumerate(paragraphs[:-1]):
        if index % 2 == 0:
            p.addnext(
                html.fromstring(
                    '<figure class="lazy"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
                    f'data-src="/img/photo{index}.jpg" class="lazyload" alt="">'
                    f'<noscript><img src="/img/photo{index}.jpg" alt=""></noscript></figure>'
                )
            )
    return truth


def br_runs(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    first = paragraphs[0]
    siblings = [p for p in paragraphs if p.getparent() is first.getparent()]
    if len(siblings) < 2:
        return truth
    merged = etree.Element("div", {"class": "story-text"})
    for index, p in enumerate(siblings):
        if index:
            for _ in range(2):
                merged.append(etree.Element("br"))
        copied = copy.deepcopy(p)
        if len(merged):
            merged[-1].tail = (merged[-1].tail or "") + (copied.text or "")
        else:
            merged.text = (merged.text or "") + (copied.text or "")
        for child in copied:
            merged.append(child)
    first.addprevious(merged)
    for p in siblings:
        p.getparent().remove(p)
    return truth


def font(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    for p in paragraphs:
        wrapper = etree.Element("font", {"face": "Verdana, Arial", "size": "2", "color": "#333333"})
        wrapper.text, p.text = p.text, None
        for child in list(p):
            wrapper.append(child)
        p.append(wrapper)
    parent = paragraphs[0].getparent()
    center = etree.Element("center")
    paragraphs[0].addprevious(center)
    for p in [p for p in paragraphs if p.getparent() is parent]:
        center.append(p)
    return truth


def comments(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author"><b>{name}</b> <span class="date">March {3 + i}, 2019 at '
        f'{9 + i}:15 am</span></div><div class="comment-body"><p>{text}</p></div>'
        f'<a class="reply" href="#reply">Reply</a></li>'
        for i, (name, text) in enumerate(COMMENTS)
    )
    section = html.fromstring(
        f'<section id="comments" class="comments-area"><h3>{len(COMMENTS)} comments</h3>'
        f'<ol class="comment-list">{items}</ol></section>'
    )
    body = tree.find(".//body")
    container = paragraphs[-1].getparent()
    (container if container is not None else body).append(section)
    return truth


def short(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    """The article cut after its first paragraphs (25 words or more): everything after the last
    kept paragraph inside the article's container goes, and the marked text is cut there too."""
    words = 0
    last = paragraphs[0]
    for p in paragraphs:
        last = p
        words += len(_words(p.text_content()).split())
        if words >= 25:
            break
    container = paragraphs[0].getparent()
    while container is not None and not all(_within(p, container) for p in paragraphs):
        container = container.getparent()
    end = _cut_point(truth, _words(last.text_content()))
    node = last
    while node is not None and node is not container:
        for sibling in list(node.itersiblings()):
            node.getparent().remove(sibling)
        node = node.getparent()
    return truth[:end]


def _within(element: html.HtmlElement, container: html.HtmlElement) -> bool:
    return any(ancestor is container for ancestor in element.iterancestors())


def _cut_point(truth: str, paragraph: str) -> int:
    """Where `paragraph` ends in the marked text (whitespace in either may differ)."""
    pattern = r"\s+".join(re.escape(w) for w in paragraph.split()[-6:])
    match = re.search(pattern, truth)
    return match.end() if match else len(truth)


def rtl(tree: html.HtmlElement, paragraphs: list[html.HtmlElement], truth: str) -> str:
    tree.set("dir", "rtl")
    anchor = paragraphs[0]
    for text in reversed(ARABIC):
        anchor.addnext(html.fromstring(f'<p dir="rtl" lang="ar">{text}</p>'))
    return _insert_after(truth, anchor, "\n".join(ARABIC))


TRANSFORMS: dict[str, Callable[[html.HtmlElement, list[html.HtmlElement], str], str]] = {
    "footnotes": footnotes,
    "table": table,
    "lazy-images": lazy_images,
    "br-runs": br_runs,
    "font": font,
    "comments": comments,
    "short": short,
    "rtl": rtl,
}


def parse(data: bytes) -> html.HtmlElement:
    """The page read in the charset intake reads it in. lxml alone reads bytes that declare no
    charset as Latin-1, so a UTF-8 page's "’" became "â\x80\x99" in the derived page itself, a
    fault of the set that no extractor could undo."""
    from tui.intake.pages import decode_page

    text = decode_page(data)
    if isinstance(text, bytes):
        return html.fromstring(text)
    return html.fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", text))


def as_utf8(page: html.HtmlElement) -> bytes:
    """The page as UTF-8 bytes that say so (a `<meta>` declaring the source's charset would lie)."""
    for meta in list(page.iter("meta")):
        if meta.get("charset") is not None or (meta.get("http-equiv") or "").lower() == "content-type":
            meta.getparent().remove(meta)
    head = page.find("head")
    if head is None:
        head = etree.Element("head")
        page.insert(0, head)
    head.insert(0, etree.Element("meta", {"charset": "utf-8"}))
    return bytes(html.tostring(page, encoding="utf-8"))


def derived(pages: list[tuple[str, bytes, str, str]]) -> list[QuirkyPage]:
    """Two quirky versions of each benchmark page whose article paragraphs can be found."""
    made: list[QuirkyPage] = []
    usable = 0
    for key, data, url, truth in pages:
        try:
            tree = parse(data)
        except (etree.ParserError, ValueError):
            continue
        if len(article_paragraphs(tree, truth)) < 3:
            continue
        for kind in (KINDS[usable % len(KINDS)], KINDS[(usable + 3) % len(KINDS)]):
            page = parse(data)
            found = article_paragraphs(page, truth)
            new_truth = TRANSFORMS[kind](page, found, truth)
            made.append((f"{key[:12]}-{kind}", kind, as_utf8(page), url, new_truth))
        usable += 1
    return made


def written() -> list[QuirkyPage]:
    """The pages written for this set, with their article text."""
    truth = json.loads((WRITTEN / "truth.json").read_text(encoding="utf-8"))
    return [
        (name, item["kind"], (WRITTEN / name).read_bytes(), item["url"], item["articleBody"])
        for name, item in sorted(truth.items())
    ]


def fold_of(key: str) -> int:
    """The cross-validation fold of a page: its source page's, so a page and its versions stay together."""
    return hashlib.blake2b(key[:12].encode(), digest_size=1).digest()[0] % 2
