"""Article text and metadata from a web page, by trafilatura.

Settings (measured by `bench/extraction.py` on 88 real pages, two-fold cross-validated):
comments are left out (a reader's comments are not the article) and trafilatura's precision mode is
on (it prunes link-dense and short boilerplate blocks harder). Both are the library's own documented
switches, not rules written for particular sites, so they carry to pages we have not seen.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from tui.errors import TuiError
from tui.text_safety import without_controls

# The extraction settings, shared with the benchmark so that it measures what `tui add` does.
EXTRACT_OPTIONS: dict[str, Any] = {"include_comments": False, "favor_precision": True}
MIN_WORDS = 20  # fewer words than this is a teaser, a paywall or an index page, not an article
# trafilatura parses with lxml parser objects kept at module level, and an lxml parser must not be
# used by two threads at once (two pages extracted together crashed the process: "double free").
# Pages are fetched a few at a time; they are extracted one at a time.
_EXTRACTION = threading.Lock()


class ExtractError(TuiError):
    """A page with no article in it; the message names the input."""


@dataclass(frozen=True, slots=True)
class Page:
    """What a page holds: its article as Markdown (no title line) and plain text, and metadata."""

    title: str | None
    author: str | None
    date: str | None  # ISO 8601, as the page gives it
    source: str | None  # the site's name
    url: str | None  # where it was read from
    canonical_url: str | None
    language: str | None
    markdown: str
    text: str
    tags: tuple[str, ...] = ()  # a Markdown source's own front-matter tags, cleaned


def _clean(value: object) -> str | None:
    from tui.text_safety import without_controls

    if not isinstance(value, str):
        return None
    text = " ".join(without_controls(value).split())
    return text or None


def web_url(value: object) -> str | None:
    """`value` if it is an http(s) link with a host; a `javascript:`, `data:` or `file:` link (or
    anything else) is never kept as where an article came from."""
    from urllib.parse import urlsplit

    text = _clean(value)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _site(host: str) -> str:
    return host.lower().removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    """Whether two links are on one site: the same host, or one a subdomain of the other
    (`m.example.com` and `www.example.com`). A canonical link elsewhere is not the page's own."""
    from urllib.parse import urlsplit

    a, b = _site(urlsplit(url).hostname or ""), _site(urlsplit(other).hostname or "")
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def canonical_for(fetched: str | None, claimed: str | None) -> str | None:
    """The canonical URL a page gives, kept only when it is a web link on the site it came from."""
    claimed = web_url(claimed)
    if claimed is None:
        return None
    if fetched is None:
        return claimed  # a saved page or standard input: nothing to hold it against
    return claimed if same_site(fetched, claimed) else None


def drop_title_line(markdown: str, title: str | None) -> str:
    """The body without a leading heading or line that repeats the title."""
    lines = markdown.lstrip("\n").split("\n")
    if lines and title:
        first = re.sub(r"^\s{0,3}#{1,6}\s+", "", lines[0]).strip().strip("*_").strip()
        if first.casefold() == title.casefold():
            lines = lines[1:]
    return "\n".join(lines).strip("\n")


# Stands for "> " through trafilatura's Markdown writer, which drops unusual characters and
# escapes a leading ">"; a word no page holds passes through untouched.
_QUOTE_MARK = "tuiblockquote9f3e "


def _mark_block_quotes(body: Any) -> None:
    """Turn each block quote into paragraphs led by a mark that becomes `> ` in the Markdown.

    trafilatura keeps block quotes in its tree but writes them as plain paragraphs.
    """
    from lxml import etree

    for quote in list(body.iter("quote")):
        if quote.getparent() is None or any(a.tag == "quote" for a in quote.iterancestors()):
            continue
        text = " ".join(" ".join(quote.itertext()).split())
        replacement = etree.Element("p")
        replacement.text = f"{_QUOTE_MARK}{text}" if text else ""
        replacement.tail = quote.tail
        quote.getparent().replace(quote, replacement)


def _page_hints(tree: Any) -> tuple[str | None, str | None]:
    """(canonical URL, language) from the page's own markup."""
    canonical = None
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in str(link.get("rel", "")).lower().split() and link.get("href"):
            canonical = str(link.get("href")).strip()
            break
    language = tree.get("lang") or tree.get("xml:lang")
    if not language:
        meta = tree.find(".//meta[@http-equiv='content-language']")
        language = meta.get("content") if meta is not None else None
    return canonical or None, _clean(language)


def extract_page(html: bytes | str, url: str | None = None, *, name: str | None = None) -> Page:
    """The article in `html`. Raises ExtractError (naming `name` or `url`) when there is none."""
    with _EXTRACTION:
        return _extract(html, url, name or url or "page")


def _extract(html: bytes | str, url: str | None, label: str) -> Page:
    import trafilatura
    from trafilatura.xml import xmltotxt

    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractError(f"{label}: not an HTML page")
    canonical, language = _page_hints(tree)
    url = web_url(url)
    document: Any = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_formatting=True, **EXTRACT_OPTIONS
    )
    if document is None or document.body is None:
        raise ExtractError(f"{label}: no article text found")
    title = _clean(document.title)
    text = without_controls(xmltotxt(document.body, False))
    _mark_block_quotes(document.body)
    markdown = re.sub(rf"^{_QUOTE_MARK}", "> ", xmltotxt(document.body, True), flags=re.MULTILINE)
    markdown = drop_title_line(without_controls(markdown), title)
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        raise ExtractError(f"{label}: no article text found")
    if canonical and url:
        from urllib.parse import urljoin

        canonical = urljoin(url, canonical)
    canonical = canonical_for(url, canonical) or canonical_for(url, document.url) or url
    return Page(
        title=title,
        author=_clean(document.author),
        date=_clean(document.date),
        source=_clean(document.sitename) or _host(canonical or url) or _clean(document.hostname),
        url=url,
        canonical_url=canonical,
        language=_clean(document.language) or language,
        markdown=markdown,
        text=text,
    )


def _host(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    return _site(urlsplit(url).hostname or "") or None if url else None


def extract_text(html: bytes | str, url: str | None = None) -> str:
    """Only the article's plain text (the benchmark's measure), '' when there is none."""
    import trafilatura

    return trafilatura.extract(html, url=url, **EXTRACT_OPTIONS) or ""
