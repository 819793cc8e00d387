"""The article folder: walking it, reading each file, and the on-disk cache of parsed articles.

The parser (`tui.articles`) turns one text into an `Article`; this module finds the files, decodes
them, reports the ones that are not articles, and keeps parsed articles in a cache keyed by path,
size, mtime and content hash. `load_library` gives the articles; `load_listing` gives what `tui list`
prints, from the cache's small listing alone when it is current. Knows nothing of Textual.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from tui.articles import (
    CACHE_VERSION,
    MAX_FILE_BYTES,
    NOT_ARTICLE_NAMES,
    NOT_ARTICLE_REASON,
    SUFFIXES,
    Article,
    ArticleError,
    Library,
    Skipped,
    hash_bytes,
    parse_article_text,
    spans_flat,
    spans_from,
)
from tui.errors import TuiError

_Loaded = TypeVar("_Loaded")

# Byte order marks of the wide encodings, UTF-32 first: its little-endian mark starts like UTF-16's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 when the data starts with its byte order mark (its zero bytes are not binary)."""
    return next((encoding for bom, encoding in _WIDE_BOMS if data.startswith(bom)), None)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16/32 by their byte order mark, else UTF-8, then Windows-1252, then
    Latin-1 (which always succeeds)."""
    wide = _wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def read_article(path: Path, article_id: str, data: bytes | None = None) -> Article:
    """Read and parse one file; ArticleError says why it is not an article."""
    if data is None:
        try:
            size = path.stat().st_size
        except OSError as error:
            raise ArticleError(_os_reason(error)) from None
        if size > MAX_FILE_BYTES:
            raise ArticleError(_too_large(size))
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ArticleError(_os_reason(error)) from None
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data[:8192] and _wide_encoding(data) is None:
        raise ArticleError("binary file (not text)")
    text, encoding = decode(data)
    return parse_article_text(
        text, article_id, path, path.suffix, content_hash=hash_bytes(data), encoding=encoding
    )


def _too_large(size: int) -> str:
    return f"too large ({size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)"


def _os_reason(error: OSError) -> str:
    import errno

    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "broken link or file vanished"
    return error.strerror or str(error)


# --------------------------------------------------------------------------- the library


# A file the walk found: its path relative to the root, its id (that path without the suffix), and
# its stat.
_Found = tuple[str, str, os.stat_result]


def _walk(root: Path) -> list[_Found | Skipped]:
    """Every candidate file under root, sorted, following links once; the files skipped on the way
    are in their place, so skips are reported in walk order.

    Works on strings, not Path objects, and appends to one list rather than yielding through nested
    generators: on a warm start this walk and its 19,000 `stat` calls are half of `tui list`.
    """
    found: list[_Found | Skipped] = []
    seen_dirs: set[tuple[int, int]] = set()

    def visit(folder: str, prefix: str) -> None:
        try:
            folder_stat = os.stat(folder)
        except OSError as error:
            found.append(Skipped(Path(folder), _os_reason(error)))
            return
        key = (folder_stat.st_dev, folder_stat.st_ino)
        if key in seen_dirs:
            found.append(Skipped(Path(folder), "symbolic link loop (folder already read)"))
            return
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            found.append(Skipped(Path(folder), _os_reason(error)))
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                visit(entry.path, f"{prefix}{name}/")
                continue
            # os.path.splitext, for a name that does not start with a dot, in two string operations.
            dot = name.rfind(".")
            if dot <= 0 or name[dot:].lower() not in SUFFIXES:
                continue
            stem = name[:dot]
            if stem.lower() in NOT_ARTICLE_NAMES:
                found.append(Skipped(Path(entry.path), NOT_ARTICLE_REASON))
                continue
            try:
                stat = entry.stat(follow_symlinks=True)
            except OSError as error:
                found.append(Skipped(Path(entry.path), _os_reason(error)))
                continue
            found.append((prefix + name, prefix + stem, stat))

    visit(str(root), "")
    return found


# --------------------------------------------------------------------------- the cache

# The cache of a library is two files, both keyed by the path of each file relative to the root:
# - the listing: size and mtime, content hash, the metadata `tui list` prints, or why the file is not
#   an article (~250 bytes a file), read on every start;
# - the text: body, paragraph and sentence offsets, captions (~1 KB a Reuters story), read only when
#   the articles themselves are wanted. `tui list` on a warm cache never decodes it.
# Bump CACHE_FORMAT when the layout of either file changes (CACHE_VERSION covers the parser's output);
# a cache of another version is ignored and written again.
CACHE_FORMAT = 3
_CACHE_STAMP = f"{CACHE_VERSION}.{CACHE_FORMAT}"


def _cache_files(root: Path, cache_dir: Path) -> tuple[Path, Path]:
    """(listing, text) cache files of the library at root."""
    key = _cache_key(root)
    return cache_dir / f"library-{key}.list.json", cache_dir / f"library-{key}.text.json"


def _cache_key(root: Path) -> str:
    return hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()


def _records(article: Article, stat: os.stat_result) -> tuple[dict[str, object], dict[str, object]]:
    """The (listing, text) cache records of a parsed article."""
    listing: dict[str, object] = {
        "size": stat.st_size,
        "mtime": stat.st_mtime_ns,
        "hash": article.content_hash,
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "day_only": article.day_only,
        "url": article.url,
        "added": article.added.isoformat() if article.added else None,
        "subtitle": article.subtitle,
        "encoding": article.encoding,
        "words": article.words,
    }
    text: dict[str, object] = {
        "hash": article.content_hash,
        "body": article.body,
        "paragraphs": spans_flat(article.paragraphs),
        "sentences": spans_flat(article.sentences),
        "captions": article.captions,
        "caption_spans": spans_flat(article.caption_spans),
        "structure": article.structure,
    }
    return listing, text


def _listing_ok(record: dict) -> bool:  # type: ignore[type-arg]
    """Whether a listing record has the fields an article needs, each of its type."""
    # Plain type tests, each field by name: a `str | None` union built per call and a generator per
    # record were a fifth of a warm start. JSON gives exact types, so `type(...) is` is enough.
    try:
        source, author, subtitle, published, url, added = (
            record["source"],
            record["author"],
            record["subtitle"],
            record["published"],
            record["url"],
            record["added"],
        )
        return (
            type(record["title"]) is str
            and type(record["hash"]) is str
            and type(record["encoding"]) is str
            and type(record["words"]) is int
            and (source is None or type(source) is str)
            and (author is None or type(author) is str)
            and (subtitle is None or type(subtitle) is str)
            and (published is None or type(published) is str)
            and type(record["day_only"]) is bool
            and (url is None or type(url) is str)
            and (added is None or type(added) is str)
        )
    except KeyError:
        return False


def _published(record: dict) -> datetime | None:  # type: ignore[type-arg]
    published = record["published"]
    return datetime.fromisoformat(published) if published else None


def _added(record: dict) -> datetime | None:  # type: ignore[type-arg]
    added = record["added"]
    return datetime.fromisoformat(added) if added else None


def _from_records_or_none(listing: dict, text: object, article_id: str, path: Path) -> Article | None:  # type: ignore[type-arg]
    """The cached article, or None when either record is damaged in any way or the text record is
    of other bytes than the listing (then the file is parsed)."""
    if not _listing_ok(listing) or type(text) is not dict or text.get("hash") != listing["hash"]:
        return None
    try:
        body, captions, structure = text["body"], text["captions"], text["structure"]
        flats = (text["paragraphs"], text["sentences"], text["caption_spans"])
        published = _published(listing)
        added = _added(listing)
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
    return Article(
        id=article_id,
        path=path,
        title=listing["title"],
        source=listing["source"],
        author=listing["author"],
        published=published,
        subtitle=listing["subtitle"],
        body=body,
        paragraphs=spans_from(flats[0]),
        sentences=spans_from(flats[1]),
        captions=captions,
        content_hash=listing["hash"],
        encoding=listing["encoding"],
        words=listing["words"],
        caption_spans=spans_from(flats[2]),
        day_only=listing["day_only"],
        structure=structure,
        url=listing["url"],
        added=added,
    )


def _read_cache(file: Path) -> dict[str, object]:
    """The cached entries, or nothing when the cache is missing, stale in format, or damaged."""
    import orjson

    try:
        data = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_STAMP:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(files: tuple[Path, Path], listing: dict[str, object], text: dict[str, object]) -> None:
    import orjson

    from tui.paths import remove_cache_file, write_cache_file

    listing_file, text_file = files
    # The text first: a listing is never newer than the text it lists. Either may still be lost (the
    # writes are best effort); a text record that is missing or of other bytes is parsed again.
    write_cache_file(text_file, orjson.dumps({"version": _CACHE_STAMP, "entries": text}))
    write_cache_file(listing_file, orjson.dumps({"version": _CACHE_STAMP, "entries": listing}))
    # The one-file cache of earlier versions would otherwise lie there for good.
    remove_cache_file(listing_file.with_name(listing_file.name.replace(".list.json", ".json")))


# --------------------------------------------------------------------------- the library


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


def _paused_collector(load: Callable[[], _Loaded]) -> _Loaded:
    # Loading makes a dozen objects per article, and all of them live on: the cyclic collector would
    # walk the growing heap again and again and free nothing (a quarter of a warm start of 19,000
    # stories). It is paused while loading and runs as usual afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return load()
    finally:
        if collecting:
            gc.enable()


def load_library(root: Path, cache_dir: Path | None = None) -> Library:
    """Every article under `root`; files that are not articles are listed in `skipped` with why.

    With a cache folder, a file whose size and mtime are unchanged is not read again, and one whose
    bytes are unchanged (same hash) is not parsed again.
    """
    root = Path(root)
    return _paused_collector(lambda: _load_library(root, cache_dir, _walk(_checked_root(root))))


def load_listing(root: Path, cache_dir: Path | None = None) -> Listing:
    """What `load_library` would load, as `tui list` shows it: the same articles, in the same order,
    with the same skipped files and notices.

    When every file is in the cache's listing with its size and mtime, only the listing is read;
    otherwise the library is loaded (which brings the cache up to date) and listed.
    """
    root = Path(root)
    return _paused_collector(lambda: _load_listing(root, cache_dir))


def _checked_root(root: Path) -> Path:
    if not root.exists():
        raise TuiError(f"articles folder not found: {root}")
    if not root.is_dir():
        raise TuiError(f"not a folder: {root}")
    return root


def _article_id(stem_id: str, relative: str, seen_ids: set[str]) -> str:
    # `a.txt` and `a.md` side by side: the second keeps its suffix so every id stays unique.
    article_id = stem_id if stem_id not in seen_ids else relative
    seen_ids.add(article_id)
    return article_id


def _notice(path: object, encoding: str) -> str | None:
    if encoding in ("utf-8", "utf-16", "utf-32"):  # a byte order mark is no guess
        return None
    return f"{path}: not valid UTF-8; read as {encoding}"


def _load_listing(root: Path, cache_dir: Path | None) -> Listing:
    found = list(_walk(_checked_root(root)))
    if cache_dir is not None:
        listing = _listing_from_cache(root, found, _read_cache(_cache_files(root, cache_dir)[0]))
        if listing is not None:
            return listing
    library = _load_library(root, cache_dir, found)
    listed = [
        ListedArticle(
            id=article.id,
            path=str(article.path),
            title=article.title,
            source=article.source,
            author=article.author,
            published=article.published,
            subtitle=article.subtitle,
            words=article.words,
            content_hash=article.content_hash,
            encoding=article.encoding,
            day_only=article.day_only,
        )
        for article in library
    ]
    return Listing(root=root, articles=listed, skipped=library.skipped, notices=library.notices)


def _listing_from_cache(
    root: Path, found: list[_Found | Skipped], cached: dict[str, object]
) -> Listing | None:
    """The listing from the cache alone, or None when any file is new, changed or damaged in it."""
    # Paths as `root / relative` prints them, without making a Path a file (a seventh of a warm listing).
    root_text = str(root)
    prefix = "" if root_text == "." else root_text if root_text.endswith("/") else root_text + "/"
    articles: list[ListedArticle] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    seen_ids: set[str] = set()
    for item in found:
        if type(item) is Skipped:
            skipped.append(item)
            continue
        relative, stem_id, stat = item  # type: ignore[misc]
        path = prefix + relative
        article_id = _article_id(stem_id, relative, seen_ids)
        entry = cached.get(relative)
        if entry is None and stat.st_size > MAX_FILE_BYTES:  # never cached: the size alone says it
            skipped.append(Skipped(Path(path), _too_large(stat.st_size)))
            continue
        if (
            type(entry) is not dict
            or entry.get("size") != stat.st_size
            or entry.get("mtime") != stat.st_mtime_ns
        ):
            return None
        if "skip" in entry:
            if type(entry["skip"]) is not str:
                return None
            skipped.append(Skipped(Path(path), entry["skip"]))
            continue
        if not _listing_ok(entry):
            return None
        try:
            published = _published(entry)
        except ValueError:
            return None
        encoding = entry["encoding"]
        articles.append(
            ListedArticle(
                article_id,
                path,
                entry["title"],
                entry["source"],
                entry["author"],
                published,
                entry["subtitle"],
                entry["words"],
                entry["hash"],
                encoding,
                entry["day_only"],
            )
        )
        notice = _notice(path, encoding)
        if notice is not None:
            notices.append(notice)
    articles.sort(key=lambda a: a.id)
    return Listing(root=root, articles=articles, skipped=skipped, notices=notices)


def _load_library(root: Path, cache_dir: Path | None, found: Iterable[_Found | Skipped]) -> Library:
    cache_files = _cache_files(root, cache_dir) if cache_dir is not None else None
    listing_cache = _read_cache(cache_files[0]) if cache_files is not None else {}
    text_cache = _read_cache(cache_files[1]) if cache_files is not None else {}
    listing_entries: dict[str, object] = {}
    text_entries: dict[str, object] = {}
    changed = False
    articles: list[Article] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    seen_ids: set[str] = set()
    for item in found:
        if type(item) is Skipped:
            skipped.append(item)
            continue
        relative, stem_id, stat = item  # type: ignore[misc]
        path = root / relative
        article_id = _article_id(stem_id, relative, seen_ids)
        entry = listing_cache.get(relative)
        if type(entry) is not dict:
            entry = None  # a damaged entry is parsed again, like a missing one
        fresh = (
            entry is not None and entry.get("size") == stat.st_size and entry.get("mtime") == stat.st_mtime_ns
        )
        if fresh and entry is not None and "skip" in entry and type(entry["skip"]) is str:
            # Not an article when last read, and not changed since: the same bytes would fail the same way.
            skipped.append(Skipped(path, entry["skip"]))
            listing_entries[relative] = entry
            continue
        text_entry = text_cache.get(relative)
        article: Article | None = None
        if fresh and entry is not None:
            article = _from_records_or_none(entry, text_entry, article_id, path)
        if article is None:
            if stat.st_size > MAX_FILE_BYTES:
                skipped.append(Skipped(path, _too_large(stat.st_size)))
                continue
            try:
                data = path.read_bytes()
            except OSError as error:  # not kept: a permission or a link can change without the file
                skipped.append(Skipped(path, _os_reason(error)))
                continue
            # Hashed here only to compare with a cached record: the parser hashes what it parses.
            if entry is not None and entry.get("hash") == hash_bytes(data):
                article = _from_records_or_none(entry, text_entry, article_id, path)
            if article is None:
                try:
                    article = read_article(path, article_id, data)
                except ArticleError as error:
                    skipped.append(Skipped(path, str(error)))
                    listing_entries[relative] = {
                        "size": stat.st_size,
                        "mtime": stat.st_mtime_ns,
                        "skip": str(error),
                    }
                    changed = True
                    continue
            entry, text_entry = _records(article, stat)
            changed = True
        listing_entries[relative] = entry
        text_entries[relative] = text_entry
        notice = _notice(path, article.encoding)
        if notice is not None:
            notices.append(notice)
        articles.append(article)
    if cache_files is not None and (
        changed or listing_entries.keys() != listing_cache.keys() or text_entries.keys() != text_cache.keys()
    ):
        _write_cache(cache_files, listing_entries, text_entries)
    articles.sort(key=lambda a: a.id)
    return Library(root=root, articles=articles, skipped=skipped, notices=notices)
