"""The cache of a library, as records: what the listing keeps of an article (`ListedArticle`, what
`tui list` prints) and its text row, and the article made again from them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

from tui.library.articles import (
    CACHE_VERSION,
    Article,
    Skipped,
    Span,
    spans_flat,
    spans_from,
)
from tui.library.segmentation import sentences_of
from tui.library.store import LISTING_COLUMNS, SCHEMA_VERSION, LibraryStore, Record, TextRow

# The cache of a library is one SQLite file (`tui.library.store`): the listing (size and mtime,
# content hash, the metadata `tui list` prints, or why the file is not an article), read on every
# start; the text of each distinct content (body, paragraph offsets, captions; sentences are found
# when first read), read only when the articles themselves are wanted; and a word index over the text.
# Bump CACHE_FORMAT when the layout of a record changes (CACHE_VERSION covers the parser's output);
# a cache of another version is deleted and written again.
CACHE_FORMAT = 5


_CACHE_STAMP = f"{CACHE_VERSION}.{CACHE_FORMAT}.{SCHEMA_VERSION}"


def cache_file(root: Path, cache_dir: Path) -> Path:
    """The cache file of the library at root."""
    return cache_dir / f"library-{_cache_key(root)}.sqlite3"


def _cache_key(root: Path) -> str:
    return hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()


def open_store(root: Path, cache_dir: Path) -> LibraryStore | None:
    """The library's cache, created when missing; None when the cache folder is not usable."""
    from tui.paths import remove_cache_file

    file = cache_file(root, cache_dir)
    # The JSON files of earlier versions would otherwise lie there for good.
    for old in (".json", ".list.json", ".text.json"):
        remove_cache_file(file.with_name(file.name.replace(".sqlite3", old)))
    return LibraryStore.open(file, _CACHE_STAMP)


# Positions in a listing record (`tui.library.store.LISTING_COLUMNS`).
SIZE, MTIME, SKIP, HASH, _TITLE, _SOURCE, _AUTHOR, _PUBLISHED = 1, 2, 3, 4, 5, 6, 7, 8


_SUBTITLE, _WORDS, _ENCODING, _DAY_ONLY, _URL, _ADDED = 9, 10, 11, 12, 13, 14


def cache_records(article: Article) -> tuple[Record, TextRow]:
    """The article's fields of a listing record (from the hash on) and its text row."""
    fields: Record = (
        article.content_hash,
        article.title,
        article.source,
        article.author,
        article.published.isoformat() if article.published else None,
        article.subtitle,
        article.words,
        article.encoding,
        int(article.day_only),
        article.url,
        article.added.isoformat() if article.added else None,
    )
    layout = {
        "paragraphs": spans_flat(article.paragraphs),
        "captions": article.captions,
        "caption_spans": spans_flat(article.caption_spans),
        "structure": article.structure,
    }
    return fields, (article.content_hash, article.body, orjson.dumps(layout))


def skip_record(relative: str, stat: os.stat_result, reason: str) -> Record:
    return (relative, stat.st_size, stat.st_mtime_ns, reason, *(None,) * (len(LISTING_COLUMNS) - 4))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# An article's text fields: body, paragraphs, sentences, captions, caption spans, structure.
_TextFields = tuple[str, list[Span], list[Span], list[str], list[Span], list[int | str]]


def _text_fields(text: tuple[str, bytes]) -> _TextFields | None:
    """The text fields of a cached text row, or None when it is damaged in any way."""
    body, layout_bytes = text
    try:
        layout = orjson.loads(layout_bytes)
        captions, structure = layout["captions"], layout["structure"]
        flats = (layout["paragraphs"], layout["caption_spans"])
    except (KeyError, TypeError, ValueError):  # the cache is ours but the disk is not
        return None
    if type(body) is not str or type(captions) is not list:  # `list()` would split a string
        return None
    if captions and not all(type(caption) is str for caption in captions):
        return None
    if type(structure) is not list or len(structure) % 3:
        return None
    limit = len(body)
    for flat in flats:
        if type(flat) is not list or len(flat) % 2:
            return None
        try:  # min and max run in C: a per-item check was a third of a warm start
            if flat and (min(flat) < 0 or max(flat) > limit):
                return None
        except TypeError:  # a string among the offsets
            return None
    paragraphs = flats[0]
    if not all(type(offset) is int for offset in paragraphs):  # they slice the body for its sentences
        return None
    sentences = sentences_of(body, paragraphs)
    return body, spans_from(paragraphs), sentences, captions, spans_from(flats[1]), structure


def from_records_or_none(
    listing: Record, text: tuple[str, bytes] | None, article_id: str, path: Path
) -> Article | None:
    """The cached article, or None when its text is missing or damaged in any way (then the file is
    parsed). The listing record is whole: the store reads no other."""
    fields = _text_fields(text) if text is not None else None
    if fields is None:
        return None
    try:
        published = _moment(listing[_PUBLISHED])
        added = _moment(listing[_ADDED])
    except ValueError:
        return None
    body, paragraphs, sentences, captions, caption_spans, structure = fields
    return Article(
        id=article_id,
        path=path,
        title=listing[_TITLE],
        source=listing[_SOURCE],
        author=listing[_AUTHOR],
        published=published,
        subtitle=listing[_SUBTITLE],
        body=body,
        paragraphs=paragraphs,
        sentences=sentences,
        captions=captions,
        content_hash=listing[HASH],
        encoding=listing[_ENCODING],
        words=listing[_WORDS],
        caption_spans=caption_spans,
        day_only=bool(listing[_DAY_ONLY]),
        structure=structure,
        url=listing[_URL],
        added=added,
    )


def article_with_text(article: Article, text: tuple[str, bytes]) -> Article | None:
    """A whole article from one whose text is not read yet (its metadata) and a cached text row;
    None when the row is damaged."""
    fields = _text_fields(text)
    if fields is None:
        return None
    body, paragraphs, sentences, captions, caption_spans, structure = fields
    return Article(
        id=article.id,
        path=article.path,
        title=article.title,
        source=article.source,
        author=article.author,
        published=article.published,
        subtitle=article.subtitle,
        body=body,
        paragraphs=paragraphs,
        sentences=sentences,
        captions=captions,
        content_hash=article.content_hash,
        encoding=article.encoding,
        words=article.words,
        caption_spans=caption_spans,
        day_only=article.day_only,
        structure=structure,
        url=article.url,
        added=article.added,
    )


def listed_or_none(record: Record, article_id: str, path: str) -> ListedArticle | None:
    """The listed article of a whole listing record, or None when a date of it is damaged."""
    published = record[_PUBLISHED]
    try:
        moment = datetime.fromisoformat(published) if published else None
        added = _moment(record[_ADDED])
    except ValueError:
        return None
    return ListedArticle(
        article_id,
        path,
        record[_TITLE],
        record[_SOURCE],
        record[_AUTHOR],
        moment,
        record[_SUBTITLE],
        record[_WORDS],
        record[HASH],
        record[_ENCODING],
        record[_DAY_ONLY] == 1,
        record[_URL],
        added,
        published,
    )


@dataclass(slots=True)
class ListedArticle:
    """An article as `tui list` shows it: its metadata, without its text."""

    id: str
    path: str
    title: str
    source: str | None
    author: str | None
    published: datetime | None
    subtitle: str | None
    words: int
    content_hash: str
    encoding: str
    day_only: bool = False  # the source gave a day, no time of day
    url: str | None = None
    added: datetime | None = None
    # `published` as the cache keeps it (its isoformat): `tui list --json` prints it without
    # formatting 95,000 dates again.
    published_text: str | None = None


@dataclass(slots=True)
class Listing:
    """The articles of a folder as `tui list` shows them, and the files that are not articles."""

    root: Path
    articles: list[ListedArticle]
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[ListedArticle]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)
