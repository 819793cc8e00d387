"""The article folder: walking it, reading each file, and the on-disk cache of parsed articles.

The parser (`tui.articles`) turns one text into an `Article`; this module finds the files, decodes
them, reports the ones that are not articles, and keeps parsed articles in a cache keyed by path,
size, mtime and content hash. Knows nothing of Textual.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

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
            raise ArticleError(f"too large ({size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)")
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


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[tuple[str, str, os.stat_result]]:
    """(relative path, id, stat) of every candidate file under root, sorted, following links once.

    Works on strings, not Path objects: on a warm start of 2,000 files this walk is most of the time.
    """
    seen_dirs: set[tuple[int, int]] = set()

    def visit(folder: str, prefix: str) -> Iterator[tuple[str, str, os.stat_result]]:
        try:
            folder_stat = os.stat(folder)
        except OSError as error:
            skipped.append(Skipped(Path(folder), _os_reason(error)))
            return
        key = (folder_stat.st_dev, folder_stat.st_ino)
        if key in seen_dirs:
            skipped.append(Skipped(Path(folder), "symbolic link loop (folder already read)"))
            return
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            skipped.append(Skipped(Path(folder), _os_reason(error)))
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
                yield from visit(entry.path, f"{prefix}{name}/")
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() not in SUFFIXES:
                continue
            if stem.lower() in NOT_ARTICLE_NAMES:
                skipped.append(Skipped(Path(entry.path), NOT_ARTICLE_REASON))
                continue
            try:
                stat = entry.stat(follow_symlinks=True)
            except OSError as error:
                skipped.append(Skipped(Path(entry.path), _os_reason(error)))
                continue
            yield prefix + name, prefix + stem, stat

    yield from visit(str(root), "")


def _cache_file(root: Path, cache_dir: Path) -> Path:
    key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"library-{key}.json"


def _to_record(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "subtitle": article.subtitle,
        "body": article.body,
        "paragraphs": spans_flat(article.paragraphs),
        "sentences": spans_flat(article.sentences),
        "captions": article.captions,
        "caption_spans": spans_flat(article.caption_spans),
        "hash": article.content_hash,
        "encoding": article.encoding,
        "words": article.words,
    }


def _from_record(record: dict, article_id: str, path: Path) -> Article:  # type: ignore[type-arg]
    published = record["published"]
    return Article(
        id=article_id,
        path=path,
        title=record["title"],
        source=record["source"],
        author=record["author"],
        published=datetime.fromisoformat(published) if published else None,
        subtitle=record["subtitle"],
        body=record["body"],
        paragraphs=spans_from(record["paragraphs"]),
        sentences=spans_from(record["sentences"]),
        captions=list(record["captions"]),
        content_hash=record["hash"],
        encoding=record["encoding"],
        words=int(record["words"]),
        caption_spans=spans_from(record["caption_spans"]),
    )


def _from_record_or_none(record: dict, article_id: str, path: Path) -> Article | None:  # type: ignore[type-arg]
    """The cached article, or None when the record is damaged in any way (then the file is parsed)."""
    try:
        article = _from_record(record, article_id, path)
    except Exception:  # the cache is ours but the disk is not: any damage means "parse again"
        return None
    # Plain type tests, each field by name: a `str | None` union built per call and a generator per
    # record were a fifth of a warm start. JSON gives exact types, so `type(...) is` is enough.
    source, author, subtitle, captions = article.source, article.author, article.subtitle, article.captions
    fields_ok = (
        type(article.title) is str
        and type(article.body) is str
        and type(article.content_hash) is str
        and type(article.encoding) is str
        and (source is None or type(source) is str)
        and (author is None or type(author) is str)
        and (subtitle is None or type(subtitle) is str)
        and type(record["captions"]) is list  # `list()` would have made a string into characters
        and (not captions or all(type(caption) is str for caption in captions))
    )
    if not fields_ok:
        return None
    limit = len(article.body)
    for flat in (record["paragraphs"], record["sentences"], record["caption_spans"]):
        if not isinstance(flat, list) or len(flat) % 2:
            return None
        try:  # min and max run in C: a per-item check was a third of a warm start
            if flat and (min(flat) < 0 or max(flat) > limit):
                return None
        except TypeError:  # a string among the offsets
            return None
    return article


def _read_cache(file: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    """The cached entries, or nothing when the cache is missing, stale in format, or damaged."""
    import orjson

    try:
        data = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(file: Path, entries: dict[str, dict]) -> None:  # type: ignore[type-arg]
    import orjson

    from tui.paths import write_cache_file

    write_cache_file(file, orjson.dumps({"version": CACHE_VERSION, "entries": entries}))


def load_library(root: Path, cache_dir: Path | None = None) -> Library:
    """Every article under `root`; files that are not articles are listed in `skipped` with why.

    With a cache folder, a file whose size and mtime are unchanged is not read again, and one whose
    bytes are unchanged (same hash) is not parsed again.
    """
    # Loading makes a dozen objects per article, and all of them live on: the cyclic collector would
    # walk the growing heap again and again and free nothing (a quarter of a warm start of 19,000
    # stories). It is paused while loading and runs as usual afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_library(Path(root), cache_dir)
    finally:
        if collecting:
            gc.enable()


def _load_library(root: Path, cache_dir: Path | None) -> Library:
    if not root.exists():
        raise TuiError(f"articles folder not found: {root}")
    if not root.is_dir():
        raise TuiError(f"not a folder: {root}")
    cache_file = _cache_file(root, cache_dir) if cache_dir is not None else None
    cached = _read_cache(cache_file) if cache_file is not None else {}
    entries: dict[str, dict] = {}  # type: ignore[type-arg]
    changed = False
    articles: list[Article] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    seen_ids: set[str] = set()
    for relative, stem_id, stat in _walk(root, skipped):
        path = root / relative
        # `a.txt` and `a.md` side by side: the second keeps its suffix so every id stays unique.
        article_id = stem_id if stem_id not in seen_ids else relative
        seen_ids.add(article_id)
        entry = cached.get(relative)
        if not isinstance(entry, dict) or not isinstance(entry.get("article"), dict):
            entry = None  # a damaged entry is parsed again, like a missing one
        article: Article | None = None
        if entry is not None and entry.get("size") == stat.st_size and entry.get("mtime") == stat.st_mtime_ns:
            article = _from_record_or_none(entry["article"], article_id, path)
        if article is None:
            if stat.st_size > MAX_FILE_BYTES:
                skipped.append(
                    Skipped(
                        path,
                        f"too large ({stat.st_size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)",
                    )
                )
                continue
            try:
                data = path.read_bytes()
            except OSError as error:
                skipped.append(Skipped(path, _os_reason(error)))
                continue
            digest = hash_bytes(data)
            if entry is not None and entry["article"].get("hash") == digest:
                article = _from_record_or_none(entry["article"], article_id, path)
            if article is None:
                try:
                    article = read_article(path, article_id, data)
                except ArticleError as error:
                    skipped.append(Skipped(path, str(error)))
                    continue
            entry = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "article": _to_record(article)}
            changed = True
        assert entry is not None  # reused from the cache, or made just above
        entries[relative] = entry
        if article.encoding not in ("utf-8", "utf-16", "utf-32"):  # a byte order mark is no guess
            notices.append(f"{path}: not valid UTF-8; read as {article.encoding}")
        articles.append(article)
    if cache_file is not None and (changed or entries.keys() != cached.keys()):
        _write_cache(cache_file, entries)
    articles.sort(key=lambda a: a.id)
    return Library(root=root, articles=articles, skipped=skipped, notices=notices)
