"""A page's markup made plain before extraction, by rules that hold on any page.

Extractors score blocks of text: a paragraph written as a `<br><br>` run inside one `<div>` is one
block to them, a `<font>` wrapper can hide a paragraph's text density, a link to a footnote adds a
number to the sentence it follows, and readers' comments look like short articles. Each rule
below reads the markup's own meaning (what the tag is for, what a link points at, what an id, class
or ARIA role says a block is), never a particular site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

# Inline presentational wrappers with no meaning of their own: their content stays where they were.
PRESENTATIONAL = frozenset({"font", "basefont"})
# Inline elements a paragraph of text is made of; a `<br><br>` run among only these separates
# paragraphs. A parent that also holds blocks (div, table, list) is left as it is.
INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "big",
        "cite",
        "code",
        "em",
        "i",
        "img",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "br",
        "wbr",
    }
)
# What a footnote reference shows: a number, a letter or a mark, perhaps in brackets.
_NOTE_MARK = re.compile(r"[\[(]?\s*(\d{1,4}|[a-z]|[*†‡§¶])\s*[\])]?")
# Words of an id or class that name a readers' comments section ("comments", "comment-list",
# "comments-area", "disqus_thread"); "commentary" is journalism and is not one of them.
_COMMENT_WORDS = frozenset({"comment", "comments", "commentlist", "disqus"})
_NAME_WORDS = re.compile(r"[a-z]+")
# Class names the common CSS frameworks give to "display: none" (Bootstrap 3 and WordPress themes,
# Bootstrap 4+, Bulma); screen-reader-only classes ("sr-only", "visually-hidden") are text for
# some readers and are not among them.
_HIDDEN_CLASSES = frozenset({"hidden", "d-none", "is-hidden"})
_HIDDEN_STYLE = re.compile(r"(display\s*:\s*none|visibility\s*:\s*hidden)\b", re.I)


def normalise(root: Any) -> Any:
    """`root` (an lxml HTML tree) with the rules applied in place; returned for chaining."""
    drop_footnote_references(root)
    unwrap_presentational(root)
    split_br_runs(root)
    drop_comment_sections(root)
    drop_hidden(root)
    return root


def drop_footnote_references(root: Any) -> None:
    """A superscript that only links to a note elsewhere on the page (`<sup><a href="#fn3">[3]</a>`)
    is a pointer, not a word of the sentence: it goes, and the text after it stays. A superscript
    that is not such a link (`1<sup>st</sup>`, `km<sup>2</sup>`) is text and stays."""
    for sup in list(root.iter("sup")):
        links = list(sup.iter("a"))
        text = " ".join("".join(sup.itertext()).split())
        if links and all((a.get("href") or "").startswith("#") for a in links) and _NOTE_MARK.fullmatch(text):
            _remove_keeping_tail(sup)


def unwrap_presentational(root: Any) -> None:
    """`<font>` and `<basefont>` give way to what they hold; a `<center>` is the block it always
    was, a `<div>` (what HTML5 writes for it): its boundary may be the article's, its look is not."""
    for element in list(root.iter(*PRESENTATIONAL)):
        if element.getparent() is not None:
            unwrap_element(element)
    for element in root.iter("center"):
        element.tag = "div"


def split_br_runs(root: Any) -> None:
    """Text separated by two or more `<br>` (only spaces between them) is paragraphs: a block of
    only text and inline elements with such runs becomes one `<p>` per paragraph."""
    for block in list(root.iter("div", "p", "td", "article", "section", "blockquote")):
        if (
            block.getparent() is None
            or not _has_br_run(block)
            or not all(child.tag in INLINE for child in block)
        ):
            continue
        paragraphs = list(_paragraphs(block))
        if len(paragraphs) < 2:
            continue
        _replace_content(block, paragraphs)


def drop_comment_sections(root: Any) -> None:
    """A block whose id or class names it readers' comments, or whose ARIA role says it is beside
    the main content (`complementary`), is not the article; one that holds the page's headline
    (`<h1>`), `<main>` or `<article>` is the page itself, whatever its class says, and stays."""
    _drop_blocks(root, _is_comments_or_aside)


def drop_hidden(root: Any) -> None:
    """What the page hides from every reader is not its article: an element with the `hidden`
    attribute, an inline style of `display: none` or `visibility: hidden`, or a framework's class
    for it (structured data for search engines, templates, pop-ups). One that holds the headline,
    `<main>` or an `<article>` is the page itself (a script may reveal it) and stays."""
    _drop_blocks(root, _is_hidden)


def _drop_blocks(root: Any, is_not_article: Callable[[Any], bool]) -> None:
    """Remove every element below `<body>` that `is_not_article` names, unless it holds the page
    (the headline, `<main>` or an `<article>`); the text after each stays in place."""
    for element in list(root.iter()):
        if element.getparent() is None or not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        if is_not_article(element) and not _holds_the_page(element):
            _remove_keeping_tail(element)


def _is_hidden(element: Any) -> bool:
    if element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""):
        return True
    return not _HIDDEN_CLASSES.isdisjoint((element.get("class") or "").lower().split())


def _is_comments_or_aside(element: Any) -> bool:
    if (element.get("role") or "").strip().lower() == "complementary":
        return True
    names = f"{element.get('id') or ''} {element.get('class') or ''}".lower()
    return any(word in _COMMENT_WORDS for word in _NAME_WORDS.findall(names))


def _holds_the_page(element: Any) -> bool:
    """Whether `element` holds the headline or the main content (an `<article>` that is no comment)."""
    if next(element.iter("h1", "main"), None) is not None:
        return True
    return any(not _is_comments_or_aside(article) for article in element.iter("article"))


def _has_br_run(block: Any) -> bool:
    children = list(block)
    return any(
        a.tag == "br" and b.tag == "br" and not (a.tail or "").strip()
        for a, b in zip(children, children[1:], strict=False)
    )


def _paragraphs(block: Any) -> Iterator[tuple[str, list[Any]]]:
    """(leading text, inline children) of each paragraph of `block`, split at `<br>` runs; a
    single `<br>` stays inside its paragraph as a line break."""
    text: str = block.text or ""
    children: list[Any] = []
    items = list(block)
    index = 0
    while index < len(items):
        child = items[index]
        run = index
        while (
            run < len(items)
            and items[run].tag == "br"
            and (run == index or not (items[run - 1].tail or "").strip())
        ):
            run += 1
        if run - index >= 2:
            yield text, children
            text, children = items[run - 1].tail or "", []
            index = run
            continue
        children.append(child)
        index += 1
    yield text, children


def _replace_content(block: Any, paragraphs: list[tuple[str, list[Any]]]) -> None:
    """`block`'s content as the paragraphs; a `<p>` itself becomes a `<div>` of paragraphs."""
    from lxml import etree

    for child in list(block):
        block.remove(child)
    block.text = None
    if block.tag == "p":
        block.tag = "div"
    for text, children in paragraphs:
        if not text.strip() and not any(
            "".join(c.itertext()).strip() or (c.tail or "").strip() for c in children
        ):
            continue
        paragraph = etree.SubElement(block, "p")
        paragraph.text = text
        for child in children:
            paragraph.append(child)


def _remove_keeping_tail(element: Any) -> None:
    """Remove `element` and what it holds; the text after it stays in place."""
    parent = element.getparent()
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def unwrap_element(element: Any) -> None:
    """Keep what `element` holds (text and children) in its place, without the element."""
    parent = element.getparent()
    index = parent.index(element)
    children = list(element)
    if element.text:
        _append_text(parent, index, element.text)
    for offset, child in enumerate(children):
        parent.insert(index + 1 + offset, child)
    tail = element.tail
    parent.remove(element)
    if tail:
        _append_text(parent, index + len(children), tail)


def _append_text(parent: Any, index: int, text: str) -> None:
    """Add `text` after the child before position `index` (or to the parent's own text)."""
    if index > 0:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
