"""A library made from the listing alone, whose articles read their text when it is first wanted.

The app shows the library from `load_listing` (the metadata of every file, from the cache's listing
when it is current) and reads an article's body, paragraphs and sentences only when a screen touches
them: opening the Reader or Compare costs one read of the cache (or, failing that, a parse of the
file), and a library of 100,000 articles is shown without reading 100,000 texts. The body is also
searched through the cache's word index rather than read. Knows nothing of Textual.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from tui.collector import collector_paused
from tui.library.articles import Article, ArticleError, Library, spans_from
from tui.library.cache import ListedArticle, Listing, article_with_text, open_store
from tui.library.files import read_article
from tui.library.store import LibraryStore, match_query

# The fields an article reads from its text; the rest come from the listing.
TEXT_FIELDS = ("body", "paragraphs", "sentences", "captions", "caption_spans", "structure")


_FIELD_NAMES = tuple(field.name for field in fields(Article))


class TextSource:
    """Where the articles of one library read their text: the cache, else the file itself.

    One connection to the cache, opened when first needed and used under a lock (articles are read
    from the UI thread and from workers)."""

    def __init__(self, root: Path, cache_dir: Path | None) -> None:
        self.root = root
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._store: LibraryStore | None = None
        self._opened = False

    def _cache(self) -> LibraryStore | None:
        if not self._opened and self.cache_dir is not None:
            self._store = open_store(self.root, self.cache_dir)
        self._opened = True
        return self._store

    def text_of(self, article: Article) -> Article:
        """The whole article: its text from the cache, else parsed from its file, else an empty
        text that says why (a file deleted or unreadable since it was listed)."""
        with self._lock:
            cache = self._cache()
            cached = cache.text(article.content_hash) if cache is not None else None
        whole = article_with_text(article, cached) if cached is not None else None
        if whole is not None:
            return whole
        try:
            return read_article(article.path, article.id)
        except ArticleError as error:
            return _unreadable(article, str(error))

    def search(self, words: str) -> set[str] | None:
        """Content hashes of the texts holding every word of `words` (a word's start), or of the
        phrase when `words` is quoted; None when the index cannot answer."""
        if match_query(words) is None:
            return None
        with self._lock:
            cache = self._cache()
            return cache.search(words) if cache is not None else None

    def index_pending(self, batch: int = 2000) -> int:
        """Add up to `batch` texts to the word index; how many were added (0: it is complete)."""
        with self._lock:
            cache = self._cache()
            return cache.index_pending_texts(batch) if cache is not None else 0

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store, self._opened = None, False


def _unreadable(article: Article, reason: str) -> Article:
    """The article with a text that says why its own could not be read."""
    body = f"(The text of this article could not be read: {reason}.)"
    whole = article_with_text(
        article,
        (body, b'{"paragraphs": [], "captions": [], "caption_spans": [], "structure": []}'),
    )
    assert whole is not None
    whole.paragraphs = whole.sentences = spans_from([0, len(body)])
    return whole


def _lazy_field(name: str) -> property:
    """A text field of a LazyArticle: the text is read the first time any of them is read."""
    slot = Article.__dict__[name]  # the dataclass's slot, set once the text is read

    def get(self: LazyArticle) -> Any:
        try:
            return slot.__get__(self, Article)
        except AttributeError:  # not read yet
            self.read_text()
            return slot.__get__(self, Article)

    def set_(self: LazyArticle, value: Any) -> None:
        slot.__set__(self, value)

    return property(get, set_)


class LazyArticle(Article):
    """An article made from its listing; its text fields are read on first use."""

    __slots__ = ("_path_text", "_source")

    def __init__(self, listed: ListedArticle, source: TextSource) -> None:
        # The metadata slots, set directly: Article's __init__ would set the text fields too. The
        # path stays a string until read: making 95,000 Paths was a third of building the library.
        self._path_text = listed.path
        self.id = listed.id
        self.title = listed.title
        self.source = listed.source
        self.author = listed.author
        self.published = listed.published
        self.subtitle = listed.subtitle
        self.content_hash = listed.content_hash
        self.encoding = listed.encoding
        self.words = listed.words
        self.day_only = listed.day_only
        self.url = listed.url
        self.added = listed.added
        self._source = source

    def __eq__(self, other: object) -> bool:
        # Equal to the same article read whole: the dataclass's own test wants the same class.
        if not isinstance(other, Article):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELD_NAMES)

    __hash__ = None  # type: ignore[assignment]  # mutable, like Article

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to another process (the index's workers) as its listing and where its text is: the
        # text is read there, so the sender neither reads it nor copies it.
        listed = ListedArticle(
            id=self.id,
            path=self._path_text,
            title=self.title,
            source=self.source,
            author=self.author,
            published=self.published,
            subtitle=self.subtitle,
            words=self.words,
            content_hash=self.content_hash,
            encoding=self.encoding,
            day_only=self.day_only,
            url=self.url,
            added=self.added,
        )
        return (_lazy_elsewhere, (listed, self._source.root, self._source.cache_dir))

    @property
    def text_read(self) -> bool:
        """Whether the text has been read (tests, and the memory it holds)."""
        try:
            Article.__dict__["body"].__get__(self, Article)
        except AttributeError:
            return False
        return True

    def forget_text(self) -> None:
        """The text is dropped; it is read again from the cache when next wanted."""
        for name in TEXT_FIELDS:
            with contextlib.suppress(AttributeError):  # not read
                Article.__dict__[name].__delete__(self)

    def read_text(self) -> None:
        whole = self._source.text_of(self)
        for name in TEXT_FIELDS:
            Article.__dict__[name].__set__(self, getattr(whole, name))


for _name in TEXT_FIELDS:
    setattr(LazyArticle, _name, _lazy_field(_name))


def _lazy_path() -> property:
    slot = Article.__dict__["path"]

    def get(self: LazyArticle) -> Path:
        try:
            return slot.__get__(self, Article)  # type: ignore[no-any-return]
        except AttributeError:  # not made yet
            path = Path(self._path_text)
            slot.__set__(self, path)
            return path

    def set_(self: LazyArticle, value: Path) -> None:
        slot.__set__(self, value)

    return property(get, set_)


setattr(LazyArticle, "path", _lazy_path())  # noqa: B010  # mypy would take a class attribute for a clash


_SOURCES: dict[tuple[Path, Path | None], TextSource] = {}


def _lazy_elsewhere(listed: ListedArticle, root: Path, cache_dir: Path | None) -> LazyArticle:
    """A lazy article in the process it was sent to, reading its text through one source per library."""
    source = _SOURCES.get((root, cache_dir))
    if source is None:
        source = _SOURCES[(root, cache_dir)] = TextSource(root, cache_dir)
    return LazyArticle(listed, source)


def library_from_listing(listing: Listing, source: TextSource) -> Library:
    """The library of a listing: its articles read their text when first wanted."""
    with collector_paused():  # 95,000 new objects that all live on
        articles: list[Article] = [LazyArticle(listed, source) for listed in listing.articles]
    return Library(root=listing.root, articles=articles, skipped=listing.skipped, notices=listing.notices)
