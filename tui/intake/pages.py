"""A source as a page: a fetched response, a saved page or an article file read into the `Page`
the door judges, in the charset it declares; what cannot be read is an `IntakeError` naming it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from tui.durable import read_regular_file
from tui.errors import TuiError
from tui.intake.extract import (
    MIN_WORDS,
    Page,
    drop_title_line,
    extract_page,
)
from tui.intake.fetch import HTML_TYPES, Response
from tui.text_safety import without_controls

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".text")
MARKDOWN_TYPES = ("text/markdown", "text/x-markdown")
MAX_SOURCE_TAGS = 50  # a source's own tags kept at most; more is a keyword dump, not tags
MAX_TAG_CHARS = 100
MAX_FILE_BYTES = 10 * 1024 * 1024


class IntakeError(TuiError):
    """One input that could not be added; the message names it."""


def page_from_response(response: Response, label: str) -> Page:
    """The article of a fetched page; a PDF or another non-HTML body is refused by name."""
    body = response.body
    head = body[:1024].lstrip().lower()
    if response.content_type == "application/pdf" or head.startswith(b"%pdf"):
        raise IntakeError(f"{label}: a PDF; PDFs are not supported yet")
    # A page served with the wrong type ("text/plain", "application/octet-stream") is still read
    # as HTML when it starts like one.
    looks_html = head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head
    if response.content_type in HTML_TYPES or looks_html:
        return extract_page(_decoded(response), response.final_url, name=label)
    path = urlsplit(response.final_url).path.lower()
    if response.content_type in MARKDOWN_TYPES or (
        response.content_type == "text/plain" and path.endswith(MARKDOWN_SUFFIXES)
    ):
        return page_from_text(_decoded(response), label, url=response.final_url, suffix=".md")
    if response.content_type == "text/plain":
        return page_from_text(_decoded(response), label, url=response.final_url)
    shown = response.content_type or "unknown"
    raise IntakeError(f"{label}: not an HTML page (content type {shown})")


def _decoded(response: Response) -> bytes | str:
    return decode_page(response.body, response.charset)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_page(body: bytes, declared: str | None = None) -> bytes | str:
    """A page's text: in the charset the server or the page's own `<meta>` declares (a few bad
    bytes in a page declared UTF-8 become U+FFFD; they do not make it another encoding), else UTF-8
    when it is valid UTF-8, else the bytes, for trafilatura to guess."""
    import codecs

    if not declared:
        found = _META_CHARSET.search(body[:4096])
        declared = found.group(1).decode("ascii", "replace") if found else None
    if declared:
        try:
            name = codecs.lookup(declared.strip()).name
        except LookupError:
            name = None
        if name == "utf-8":
            return body.decode("utf-8", errors="replace").lstrip("\ufeff")
        if name is not None:
            try:
                return body.decode(name)
            except UnicodeDecodeError:
                pass
    try:
        return body.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return body


def page_from_text(text: str | bytes, label: str, url: str | None = None, suffix: str = ".txt") -> Page:
    """A text or Markdown article as a page: metadata from the loader's own rules."""
    from tui.library.articles import ArticleError
    from tui.library.files import decode
    from tui.library.parsing import parse_article_text

    if isinstance(text, bytes):
        text, _encoding = decode(text)
    text = without_controls(text)  # a NUL would make the file binary, an ESC would stay in a title
    try:
        article = parse_article_text(text, "(new)", Path(f"new{suffix}"), suffix)
    except ArticleError as error:
        raise IntakeError(f"{label}: {error}") from None
    if len(re.findall(r"\w+", article.body)) < min(MIN_WORDS, 5):
        raise IntakeError(f"{label}: no article text found")
    markdown = article.body
    fields: dict[str, object] = {}
    if suffix in MARKDOWN_SUFFIXES:
        # Keep the file's own Markdown (headings, lists, quotes); the library reads it as it reads
        # any Markdown file.
        from tui.library.markdown_files import read_front_matter

        fields, rest, _problem = read_front_matter(text.replace("\r\n", "\n"))
        markdown = drop_title_line(rest, article.title)
    url = url or _front_text(fields.get("url"))
    return Page(
        title=article.title,
        author=article.author,
        date=article.published.isoformat() if article.published else None,
        source=article.source,
        url=url,
        canonical_url=url,
        language=None,
        markdown=markdown,
        text=article.body,
        tags=front_matter_tags(fields),
    )


def front_matter_tags(fields: dict[str, object]) -> tuple[str, ...]:
    """A Markdown file's own tags (`tags:` or `tag:`, a list or a comma- or space-separated line),
    cleaned by the project's tag rule; what is left empty by it is dropped, never an error."""
    from tui.annotations.annotation import normalize_tag

    value = fields.get("tags", fields.get("tag"))
    if isinstance(value, str):
        raw = re.split(r"[,\s]+", value)  # `tags: a, b` (Obsidian) and `tags: a b` (Jekyll)
    elif isinstance(value, list):
        raw = [str(item) for item in value]
    else:
        return ()
    tags: list[str] = []
    for item in raw:
        tag = normalize_tag(item)
        if tag and len(tag) <= MAX_TAG_CHARS and tag not in tags:
            tags.append(tag)
    return tuple(tags[:MAX_SOURCE_TAGS])


def merged_tags(own: Iterable[str], given: Iterable[str]) -> list[str]:
    """A source's own tags, then the `--tag` ones it does not have already."""
    merged: list[str] = []
    for tag in [*own, *given]:
        if tag not in merged:
            merged.append(tag)
    return merged


def _front_text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_file(path: Path, label: str) -> Page:
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES + TEXT_SUFFIXES:
        if not path.exists():
            raise IntakeError(f"{label}: no such file, and not an http(s) link")
        raise IntakeError(f"{label}: not a page or an article file (.html, .htm, .xhtml, .md, .txt)")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise IntakeError(f"{label}: larger than 10 MB")
        data = read_regular_file(path, MAX_FILE_BYTES + 1)  # a pipe or a device is refused
        if len(data) > MAX_FILE_BYTES:  # it grew since it was looked at
            raise IntakeError(f"{label}: larger than 10 MB")
    except FileNotFoundError:
        raise IntakeError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise IntakeError(f"{label}: a folder, not a file") from None
    except OSError as error:
        raise IntakeError(f"{label}: {error.strerror or error}") from None
    if suffix in HTML_SUFFIXES:
        return extract_page(decode_page(data), None, name=label)
    return page_from_text(data, label, suffix=suffix)
