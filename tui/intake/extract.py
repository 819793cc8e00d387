"""Article text and metadata from a web page, by trafilatura.

Settings (measured by `bench/extraction.py` on 88 real pages, two-fold cross-validated):
comments are left out (a reader's comments are not the article) and trafilatura's precision mode is
on (it prunes link-dense and short boilerplate blocks harder). Both are the library's own documented
switches, not rules written for particular sites, so they carry to pages we have not seen.
"""

from __future__ import annotations

import html
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tui.errors import TuiError
from tui.intake.markup import unwrap_element
from tui.text_safety import without_controls

# The extraction settings, shared with the benchmark so that it measures what `tui add` does.
EXTRACT_OPTIONS: dict[str, Any] = {"include_comments": False, "favor_precision": True}
# Fewer words than this is no article (an empty page, a bare "subscribe" wall); a news brief of a
# sentence or two is one, and is kept.
MIN_WORDS = 10
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
        parts.port  # noqa: B018  (reading it checks it: a port of 99999 is no link)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


# Labels that name another edition of the same site (`www.`, the mobile `m.` in `en.m.wikipedia.org`,
# AMP pages), never another site.
_EDITION_LABELS = frozenset(["www", "m", "mobile", "amp"])


def _site(host: str) -> str:
    labels = host.lower().rstrip(".").split(".")
    kept = [label for label in labels[:-2] if label not in _EDITION_LABELS] + labels[-2:]
    return ".".join(kept)


def same_site(url: str, other: str) -> bool:
    """Whether two links are on one site: the same host but for the labels that name an edition
    (`m.example.com` and `www.example.com`, `en.m.wikipedia.org` and `en.wikipedia.org`). A parent
    or sibling host is another site: `someone.medium.com` or `someone.github.io` may not claim a
    page of `medium.com` or of `other.github.io`, so a canonical link there is not the page's own."""
    from urllib.parse import urlsplit

    a, b = _site(urlsplit(url).hostname or ""), _site(urlsplit(other).hostname or "")
    return bool(a and b) and a == b


def canonical_for(fetched: str | None, claimed: str | None) -> str | None:
    """The canonical URL a page gives, kept only when it is a web link on the site it came from."""
    claimed = web_url(claimed)
    if claimed is None:
        return None
    if fetched is None:
        return claimed  # a saved page or standard input: nothing to hold it against
    return claimed if same_site(fetched, claimed) else None


def _comparable(line: str) -> str:
    """A heading or title as compared: without the characters a reader never sees (controls, bidi
    marks, zero-width ones), which one copy may have lost and the other kept, and case folded."""
    from tui.text_safety import UNSAFE_CHARACTERS

    return " ".join("".join(c for c in line if ord(c) not in UNSAFE_CHARACTERS).split()).casefold()


def drop_title_line(markdown: str, title: str | None) -> str:
    """The body without a leading heading or line that repeats the title."""
    lines = markdown.lstrip("\n").split("\n")
    if lines and title:
        first = re.sub(r"^\s{0,3}#{1,6}\s+", "", lines[0]).strip().strip("*_").strip()
        if _comparable(first) == _comparable(title):
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


def _published_time(tree: Any, day: str | None) -> str | None:
    """The page's own publication time with its zone (`article:published_time`, `datePublished`)
    where it gives one for the day trafilatura found (which keeps the day alone), else that day."""
    for meta in tree.iterfind(".//meta[@content]"):
        name = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in ("article:published_time", "og:published_time", "datepublished", "pubdate"):
            stamp = _clean(meta.get("content"))
            if stamp and "T" in stamp and (day is None or stamp.startswith(day)):
                return stamp
    return day


# Subscript digits in plain characters (H₂O), which Unicode has all of.
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_ORDINAL = re.compile(r"(st|nd|rd|th|er|re|e|ème|eme|o|a|º|ª)", re.IGNORECASE)
_NOTE_MARK = re.compile(r"[\[(]?\s*(\d{1,4}|[a-z]|[*†‡§¶])\s*[\])]?")


def _superscript_text(text: str, before: str) -> str:
    """What a superscript reads as in plain text: a footnote marker `[3]`, an ordinal's ending
    (`1st`), or an exponent written after its unit (`km2`), as the page reads when copied."""
    mark = _NOTE_MARK.fullmatch(text)
    if before[-1:].isdigit() and _ORDINAL.fullmatch(text):
        return text
    if mark is not None:
        inner = mark.group(1)
        bracketed = text[:1] in "[(" or text[-1:] in "])"
        if not bracketed and inner in ("2", "3") and before[-1:].isalpha():
            return inner  # an exponent (km2), as the page reads when copied
        return f"[{inner}]"
    return f" {text}" if before[-1:].isalnum() and not text[:1].isdigit() else text


def _preceding_text(element: Any) -> str:
    previous = element.getprevious()
    if previous is not None:
        return previous.tail or ""
    parent = element.getparent()
    return (parent.text or "") if parent is not None else ""


def _replace_with_text(element: Any, text: str) -> None:
    """Put `text` (and the element's tail) where `element` was."""
    text += element.tail or ""
    previous, parent = element.getprevious(), element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _plain_marks(body: Any) -> None:
    """Superscripts, subscripts and underlines as plain text: Markdown has none of them, and
    trafilatura would write them as HTML (`<sup>22</sup>`), which a reader then sees as markup."""
    for mark in list(body.iter("hi")):
        rend = mark.get("rend") or ""
        if mark.getparent() is None or rend not in ("#sup", "#sub", "#u"):
            continue
        if rend == "#u":
            unwrap_element(mark)
            continue
        text = " ".join("".join(mark.itertext()).split())
        if rend == "#sup":
            text = _superscript_text(text, _preceding_text(mark))
        elif re.fullmatch(r"[-+=()\d]{1,4}", text):
            text = text.translate(_SUBSCRIPT)
        _replace_with_text(mark, text)


# HTML tags that must never reach the stored Markdown, raw or escaped (`\<div id="x">`): text that
# only looks like a tag (`<The Palace>`, a title in angle brackets) is not one of these and stays.
_HTML_TAG = re.compile(
    r"\\?</?(a|abbr|article|aside|b|big|blockquote|br|center|cite|code|del|details|div|em|embed|figcaption|"
    r"figure|font|footer|form|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|li|main|mark|nav|noscript|object|"
    r"ol|p|picture|pre|q|s|script|section|small|source|span|strike|strong|style|sub|summary|sup|svg|table|"
    r"tbody|td|template|th|thead|tr|tt|u|ul|video|wbr)\b(\s[^<>\n]*)?/?\\?>",
    re.IGNORECASE,
)


def tidy_markdown(markdown: str) -> str:
    """trafilatura's Markdown without HTML tags and without the escapes CommonMark does not need.

    Kept: an escape that stops a line from becoming a list item or heading (`1\\)`, `\\#`), a `\\*`
    that could open emphasis, a `\\<` before text that would read as a tag, brackets followed by
    `(` or `:` (a link)."""
    markdown = _HTML_TAG.sub("", markdown)
    # [text] is a link only when followed by (url), [ref] or a definition's colon.
    markdown = re.sub(r"\\\[([^\[\]\n]*?)\\\](?![(\[:])", r"[\1]", markdown)
    markdown = re.sub(r"(?<=\w)\\_", "_", markdown)  # an underscore after a letter opens no emphasis
    markdown = re.sub(r"(?<=\s)\\\*(?=\s)", "*", markdown)  # a star between spaces is no emphasis
    markdown = re.sub(r"(?<!~)\\~(?!~)", "~", markdown)  # one tilde is no strikethrough
    markdown = re.sub(r"(?m)(?<!^)(?<!^\d)(?<!^\d\d)(?<!^\d\d\d)\\\)", ")", markdown)
    return re.sub(r"[ \t]+\n", "\n", markdown)


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


def title_key(text: str) -> str:
    """A title for comparing: letters and digits only, case and quotation marks aside."""
    import unicodedata

    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


def _json_ld_headlines(tree: Any) -> list[str]:
    import json

    found: list[str] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        pending = [data]
        while pending and len(found) < 10:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(reversed(item))
            elif isinstance(item, dict):
                if isinstance(item.get("headline"), str):
                    found.append(item["headline"])
                pending.extend(value for value in item.values() if isinstance(value, list | dict))
    return found


_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—•·»:]|::)\s+")


def _without_site(title: str, site_names: list[str]) -> str:
    """A `<title>`-like text without the site's name at its end or start ("Story - Site")."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    keys = [title_key(name) for name in site_names if name and title_key(name)]

    host_words = {word for name in keys for word in re.findall(r"\w{4,}", name)}

    def is_site(part: str) -> bool:
        key = title_key(part)
        squashed = key.replace(" ", "")
        if not key:
            return False
        if any(
            key == name or squashed in name.replace(" ", "") or name.replace(" ", "") in squashed
            for name in keys
        ):
            return True
        # A short part naming the host ("Riverside Herald" on herald.example.com).
        words = key.split()
        return len(words) <= 4 and any(word in host_words for word in words if len(word) >= 4)

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    return " - ".join(parts) if len(parts) > 1 else parts[0]


def headline(tree: Any, document: Any) -> str | None:
    """The article's headline as the page shows it, not the `<title>` with the site's name.

    The page's `<h1>` when its metadata vouches for it (og:title, twitter:title, a JSON-LD headline
    or the `<title>` is it, or is mostly it: the site's own headline, not its logo or a teaser's); else the
    metadata title (og:title, JSON-LD, `<title>`) without the site's name; else trafilatura's."""
    metas: list[str] = []
    for meta in tree.iterfind(".//meta"):
        kind = (meta.get("property") or meta.get("name") or "").lower()
        if kind in ("og:title", "twitter:title") and meta.get("content"):
            metas.append(str(meta.get("content")))
    metas += [html.unescape(text) for text in _json_ld_headlines(tree)]
    page_title = tree.findtext(".//title")
    if page_title:
        metas.append(page_title)
    keys = [title_key(m) for m in metas]  # not trafilatura's title: it may be the h1 itself
    if document is not None and document.title:
        metas.append(str(document.title))
    for h1 in tree.iter("h1"):
        text = _clean("".join(h1.itertext()))
        key = title_key(text or "")
        # Vouched for: a metadata title is this h1, or is mostly this h1 (the rest is the site's name).
        if text and len(key) >= 8 and any(key == k or (key in k and len(key) >= len(k) / 2) for k in keys):
            return text
    from urllib.parse import urlsplit

    sites = [str(document.sitename or "") if document is not None else ""]
    for meta in tree.iterfind(".//meta[@property='og:site_name']"):
        sites.append(str(meta.get("content") or ""))
    if document is not None and document.url:
        host = (urlsplit(str(document.url)).hostname or "").removeprefix("www.")
        sites += [host, host.rsplit(".", 1)[0]]
    for meta_title in metas:
        cleaned = _clean(meta_title)
        if cleaned:
            return _without_site(cleaned, sites)
    return None


@dataclass(frozen=True, slots=True)
class Rule:
    """How two extractors are combined (`bench/extraction.py` chooses the numbers by
    cross-validation). trafilatura in precision mode gives the article; readability-lxml, which
    finds the article's block by another method, is the second opinion:

    - agreement: a paragraph of trafilatura's text is kept when readability has at least `share` of
      its words (a teaser line, a byline, a caption that only one of them took goes), provided
      readability found the same block (`SAME_BLOCK`) and the agreement leaves an article;
    - too little: when readability finds `too_little` times as many words and holds nearly all of
      trafilatura's (`CONTAINED`), trafilatura stopped early and readability's article is taken;
    - nothing: when trafilatura finds no article, its recall mode, then readability's, are tried.
    """

    share: float = 0.6
    too_little: float = 2.0


RULE = Rule()
CONTAINED = 0.9  # share of trafilatura's 4-word shingles that readability must hold to replace it
MIN_SECOND_OPINION = 0.3  # readability with fewer words than this share of trafilatura's is no opinion
# readability's opinion on trafilatura's paragraphs counts only when it found the same block: it
# holds most (half or more) of trafilatura's 4-word shingles. Else it took another block (a
# caption, an author's note) and would drop the article's own paragraphs for not being in it.
SAME_BLOCK = 0.5


def extract_page(
    html: bytes | str, url: str | None = None, *, name: str | None = None, rule: Rule = RULE
) -> Page:
    """The article in `html`. Raises ExtractError (naming `name` or `url`) when there is none."""
    with _EXTRACTION:
        return _extract(html, url, name or url or "page", rule)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3)))


def _contained(inner: list[str], outer: list[str]) -> float:
    """The share of `inner`'s 4-word shingles that `outer` has."""
    mine = _shingles(inner)
    total = sum(mine.values())
    return sum((mine & _shingles(outer)).values()) / total if total else 0.0


def readability_article(html: bytes | str) -> tuple[str, str]:
    """readability-lxml's article block: (its HTML, its text); ("", "") when it finds none."""
    import logging

    from lxml import html as lxml_html
    from readability import Document

    logging.getLogger("readability.readability").setLevel(logging.ERROR)
    try:
        summary = Document(html).summary(html_partial=True)
        root = lxml_html.fromstring(summary)
    except Exception:  # readability raises its own and lxml's errors on pages it cannot read
        return "", ""
    for element in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "blockquote"):
        element.tail = "\n" + (element.tail or "")
    return summary, root.text_content()


def _block_text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _agree(body: Any, second: Counter[str], share: float) -> None:
    """Drop the paragraphs of `body` whose words the second extractor mostly lacks. Headings,
    lists, tables and quotes stay whole: readability leaves out tables of figures and short
    headings that are the article's."""
    kept = len(_words(_block_text(body)))
    lacking = []
    for block in list(body):
        if block.tag != "p":
            continue
        words = _words(_block_text(block))
        if words and sum((Counter(words) & second).values()) < share * len(words):
            lacking.append(block)
            kept -= len(words)
    if kept < MIN_WORDS:
        return  # agreement would leave no article: the two found different blocks
    for block in lacking:
        body.remove(block)


def _trafilatura(html: Any, url: str | None, **options: Any) -> Any:
    import trafilatura

    settings = {**EXTRACT_OPTIONS, **options}
    return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_formatting=True, **settings)


def _body_words(document: Any) -> list[str]:
    from trafilatura.xml import xmltotxt

    if document is None or document.body is None:
        return []
    return _words(xmltotxt(document.body, False))


def _extract(html: bytes | str, url: str | None, label: str, rule: Rule) -> Page:
    import trafilatura
    from lxml import html as lxml_html
    from trafilatura.xml import xmltotxt

    from tui.intake.markup import normalise

    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractError(f"{label}: not an HTML page")
    canonical, language = _page_hints(tree)
    page_tree = trafilatura.load_html(html)  # extraction prunes `tree`; the headline is read whole
    url = web_url(url)
    normalise(tree)
    plain_page = lxml_html.tostring(tree, encoding="unicode")  # both extractors read the same markup
    document: Any = _trafilatura(tree, url)
    summary, second_text = readability_article(plain_page)
    second = _words(second_text)
    first = _body_words(document)
    body = document.body if document is not None else None
    wrapped = f"<html><body><article>{summary}</article></body></html>" if summary else ""
    if len(first) < MIN_WORDS:
        # Nothing: trafilatura's recall mode on the page, then readability's block through it.
        recall: Any = _trafilatura(
            lxml_html.fromstring(plain_page), url, favor_precision=False, favor_recall=True
        )
        if len(_body_words(recall)) >= MIN_WORDS:
            body = recall.body
            document = document or recall
        elif wrapped:
            found: Any = _trafilatura(wrapped, url, favor_precision=False, favor_recall=True)
            if len(_body_words(found)) >= MIN_WORDS:
                body = found.body
                document = document or recall or found
    elif len(second) >= rule.too_little * len(first) and _contained(first, second) >= CONTAINED and wrapped:
        found = _trafilatura(wrapped, url, favor_precision=False, favor_recall=True)
        if len(_body_words(found)) > len(first):
            body = found.body
    elif len(second) >= MIN_SECOND_OPINION * len(first) and _contained(first, second) >= SAME_BLOCK:
        _agree(body, Counter(second), rule.share)
    if document is None or body is None:
        raise ExtractError(f"{label}: no article text found")
    title = headline(page_tree, document)
    _plain_marks(body)
    text = without_controls(xmltotxt(body, False))
    _mark_block_quotes(body)
    markdown = re.sub(rf"^{_QUOTE_MARK}", "> ", xmltotxt(body, True), flags=re.MULTILINE)
    markdown = drop_title_line(tidy_markdown(without_controls(markdown)), title)
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        raise ExtractError(f"{label}: no article text found")
    if canonical and url:
        from urllib.parse import urljoin

        try:
            canonical = urljoin(url, canonical)
        except ValueError:  # `http://[::1`: no link, so no canonical one
            canonical = None
    canonical = canonical_for(url, canonical) or canonical_for(url, document.url) or url
    return Page(
        title=title,
        author=_clean(document.author),
        date=_published_time(page_tree, _clean(document.date)),
        source=_site_name(document, url) or _host(canonical or url) or _clean(document.hostname),
        url=url,
        canonical_url=canonical,
        language=_clean(document.language) or language,
        markdown=markdown,
        text=text,
    )


def _site_name(document: Any, url: str | None) -> str | None:
    """The name the page gives its site. Where it gives none, trafilatura names it after the host of
    its canonical link or `og:url`: a link to another site does not make the page that site's."""
    from urllib.parse import urlsplit

    name = _clean(document.sitename)
    claimed = web_url(document.url)
    if url is None or claimed is None or same_site(url, claimed):
        return name
    host = (urlsplit(claimed).hostname or "").lower()
    if name and "." in name and host.endswith(name.lower()):
        return None  # the other site's host, not a name the page gave
    return name


def _host(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    return _site(urlsplit(url).hostname or "") or None if url else None


def extract_text(html: bytes | str, url: str | None = None) -> str:
    """Only the article's plain text (the benchmark's measure), '' when there is none."""
    import trafilatura

    return trafilatura.extract(html, url=url, **EXTRACT_OPTIONS) or ""
