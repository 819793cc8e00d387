"""The article folder: walking it, reading each file, and the on-disk cache of parsed articles.

The parser (`tui.library.articles`) turns one text into an `Article`; this module finds the files, decodes
them, reports the ones that are not articles, and keeps parsed articles in a cache keyed by path,
size, mtime and content hash. `load_library` gives the articles; `load_listing` gives what `tui list`
prints, from the cache's small listing alone when it is current. Knows nothing of Textual.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from tui.errors import TuiError
from tui.library.articles import (
    CACHE_VERSION,
    MAX_FILE_BYTES,
    NOT_ARTICLE_NAMES,
    NOT_ARTICLE_REASON,
    SUFFIXES,
    Article,
    ArticleError,
    Library,
    Skipped,
    Span,
    hash_bytes,
    spans_flat,
    spans_from,
)
from tui.library.parsing import parse_article_text
from tui.library.store import LISTING_COLUMNS, SCHEMA_VERSION, LibraryStore, Record, TextRow

if TYPE_CHECKING:
    import subprocess

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

# The cache of a library is one SQLite file (`tui.library.store`): the listing (size and mtime,
# content hash, the metadata `tui list` prints, or why the file is not an article), read on every
# start; the text of each distinct content (body, paragraph and sentence offsets, captions), read
# only when the articles themselves are wanted; and a word index over the text.
# Bump CACHE_FORMAT when the layout of a record changes (CACHE_VERSION covers the parser's output);
# a cache of another version is deleted and written again.
CACHE_FORMAT = 4
_CACHE_STAMP = f"{CACHE_VERSION}.{CACHE_FORMAT}.{SCHEMA_VERSION}"
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 2000
OWN_SHARE = 0.85  # of an even share, parsed by the process that asked


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
_SIZE, _MTIME, _SKIP, _HASH, _TITLE, _SOURCE, _AUTHOR, _PUBLISHED = 1, 2, 3, 4, 5, 6, 7, 8
_SUBTITLE, _WORDS, _ENCODING, _DAY_ONLY, _URL, _ADDED = 9, 10, 11, 12, 13, 14


def _records(article: Article) -> tuple[Record, TextRow]:
    """The article's fields of a listing record (from the hash on) and its text row."""
    import orjson

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
        "sentences": spans_flat(article.sentences),
        "captions": article.captions,
        "caption_spans": spans_flat(article.caption_spans),
        "structure": article.structure,
    }
    return fields, (article.content_hash, article.body, orjson.dumps(layout))


def _skip_record(relative: str, stat: os.stat_result, reason: str) -> Record:
    return (relative, stat.st_size, stat.st_mtime_ns, reason, *(None,) * (len(LISTING_COLUMNS) - 4))


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# An article's text fields: body, paragraphs, sentences, captions, caption spans, structure.
_TextFields = tuple[str, list[Span], list[Span], list[str], list[Span], list[int | str]]


def _text_fields(text: tuple[str, bytes]) -> _TextFields | None:
    """The text fields of a cached text row, or None when it is damaged in any way."""
    import orjson

    body, layout_bytes = text
    try:
        layout = orjson.loads(layout_bytes)
        captions, structure = layout["captions"], layout["structure"]
        flats = (layout["paragraphs"], layout["sentences"], layout["caption_spans"])
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
    return body, spans_from(flats[0]), spans_from(flats[1]), captions, spans_from(flats[2]), structure


def _from_records_or_none(
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
        content_hash=listing[_HASH],
        encoding=listing[_ENCODING],
        words=listing[_WORDS],
        caption_spans=caption_spans,
        day_only=bool(listing[_DAY_ONLY]),
        structure=structure,
        url=listing[_URL],
        added=added,
    )


def article_from_text(article: Article, text: tuple[str, bytes]) -> Article | None:
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


def _listed_or_none(record: Record, article_id: str, path: str) -> ListedArticle | None:
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
        record[_HASH],
        record[_ENCODING],
        record[_DAY_ONLY] == 1,
        record[_URL],
        added,
        published,
    )


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
    found = _walk(_checked_root(root))
    listed, skipped, notices = _scan(root, cache_dir, found, want_articles=False)
    return Listing(root=root, articles=listed, skipped=skipped, notices=notices)  # type: ignore[arg-type]


def cached_listing(root: Path, cache_dir: Path) -> Listing | None:
    """The listing as the cache last saw it, without looking at the folder: no walk, no `stat`
    (at 95,000 files those are most of a warm `load_listing`). None when there is no cache.

    For a first paint only: files changed since are not seen, and the files skipped without being
    read (a README) are not listed; `load_listing` says what is there now.
    """
    if not cache_file(root, cache_dir).exists():
        return None
    store = open_store(root, cache_dir)
    if store is None:
        return None
    with store:
        records = store.listing()
    if not records:
        return None
    return _paused_collector(lambda: _listing_of_records(root, records))


def _listing_of_records(root: Path, records: dict[str, Record]) -> Listing:
    root_text = str(root)
    prefix = "" if root_text == "." else root_text if root_text.endswith("/") else root_text + "/"
    slots: list[_Slot] = []
    seen_ids: set[str] = set()
    # Nearly the walk's order (which sorts by folder, then name): a name with a character below "/"
    # may come elsewhere, which changes at most the order of notices, set right by `load_listing`.
    for relative in sorted(records):
        record, path = records[relative], prefix + relative
        if record[_SKIP] is not None:
            slots.append(Skipped(Path(path), record[_SKIP]))
            continue
        stem_id = relative[: relative.rfind(".")] if "." in relative.rsplit("/", 1)[-1] else relative
        listed = _listed_or_none(record, _article_id(stem_id, relative, seen_ids), path)
        if listed is not None:
            slots.append(listed)
    listed_articles, skipped, notices = _collected(slots)
    return Listing(root=root, articles=listed_articles, skipped=skipped, notices=notices)  # type: ignore[arg-type]


def _load_library(root: Path, cache_dir: Path | None, found: list[_Found | Skipped]) -> Library:
    articles, skipped, notices = _scan(root, cache_dir, found, want_articles=True)
    return Library(root=root, articles=articles, skipped=skipped, notices=notices)  # type: ignore[arg-type]


# What a parse gives back: ("article", listing record, text row), ("skip", reason, None) for a file
# that is not an article (kept in the cache), or ("error", reason, None) for one that could not be
# read (not kept: a permission or a link can change without the file).
_Parsed = tuple[str, object, object]


def _parse_file(path: str, article_id: str) -> _Parsed:
    """Read and parse one file into cache records, in a worker process."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        return "error", _os_reason(error), None
    try:
        article = read_article(file, article_id, data)
    except ArticleError as error:
        return "skip", str(error), None
    listing, text = _records(article)
    return "article", listing, text


# The worker process: reads a pickled list of (path, id) on stdin, writes the pickled parses.
_WORKER_CODE = "from tui.library.loader import parse_files_main; parse_files_main()"


def parse_files_main() -> None:
    """The body of a worker process (see `_parse_jobs`)."""
    import pickle

    jobs: list[tuple[str, str]] = pickle.load(sys.stdin.buffer)
    gc.disable()  # every record made here lives until it is written out
    results = [_parse_file(path, article_id) for path, article_id in jobs]
    pickle.dump(results, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# One parse as the scan uses it: (kind, record or reason, text row, article or listing).
_Done = tuple[str, object, object, "Article | ListedArticle | None"]


def _parse_jobs(jobs: list[tuple[str, str]], want_articles: bool) -> list[_Done]:
    """Every job parsed, in order. Many jobs are shared with worker processes, one per other core,
    each given a contiguous share; this process parses the first share meanwhile. A worker that
    fails has its share parsed here: it costs time, never files."""
    cores = min(_cores(), 4)
    if len(jobs) < PARALLEL_MIN_FILES or cores < 2:
        return [_parse_here(path, article_id, want_articles) for path, article_id in jobs]
    # This process also writes the cache and gathers the results: its share is a little smaller.
    own = int(len(jobs) / cores * OWN_SHARE)
    size = -(-(len(jobs) - own) // (cores - 1))
    shares = [jobs[:own]] + [jobs[start : start + size] for start in range(own, len(jobs), size)]
    workers = [_start_worker(share) for share in shares[1:]]
    done = [_parse_here(path, article_id, want_articles) for path, article_id in shares[0]]
    for share, worker in zip(shares[1:], workers, strict=True):
        parsed = _worker_results(worker, len(share))
        if parsed is None:
            done.extend(_parse_here(path, article_id, want_articles) for path, article_id in share)
            continue
        for (path, article_id), (kind, first, second) in zip(share, parsed, strict=True):
            done.append(
                (kind, first, second, _from_parse(kind, first, second, article_id, path, want_articles))
            )
    return done


_Worker = tuple["subprocess.Popen[bytes] | None", "IO[bytes]"]


def _start_worker(share: list[tuple[str, str]]) -> _Worker:
    """A worker process parsing `share`, its output going to a temporary file (a pipe could fill
    up and stall it)."""
    import pickle
    import subprocess
    import tempfile

    output = tempfile.TemporaryFile()  # noqa: SIM115  # read and closed by _worker_results
    try:
        with tempfile.TemporaryFile() as jobs_file:
            pickle.dump(share, jobs_file, protocol=pickle.HIGHEST_PROTOCOL)
            jobs_file.seek(0)
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE],
                stdin=jobs_file,
                stdout=output,
                stderr=subprocess.DEVNULL,
            )
    except OSError:
        return None, output
    return process, output


def _worker_results(worker: _Worker, expected: int) -> list[_Parsed] | None:
    """The worker's parses, or None when it failed in any way."""
    import pickle

    process, output = worker
    with output:
        if process is None or process.wait() != 0:
            return None
        output.seek(0)
        try:
            parsed = pickle.load(output)
        except Exception:  # a truncated or garbled answer: parsed here instead
            return None
    if type(parsed) is not list or len(parsed) != expected:
        return None
    return parsed


# A file the scan resolved: an article (or its listing), a skipped file, or the index of a pending
# parse in the job list.
_Slot = Article | ListedArticle | Skipped | int


def _scan(
    root: Path, cache_dir: Path | None, found: list[_Found | Skipped], want_articles: bool
) -> tuple[list[Article] | list[ListedArticle], list[Skipped], list[str]]:
    """The articles (or only their listing) of the files found, from the cache where it is current;
    the rest parsed (in worker processes when there are many) and the cache brought up to date.

    With a cache, a file whose size and mtime are unchanged is not read again, and one whose bytes
    are unchanged (same hash) is not parsed again.
    """
    store = open_store(root, cache_dir) if cache_dir is not None else None
    try:
        return _scan_with(root, store, found, want_articles)
    finally:
        if store is not None:
            store.close()


def _scan_with(
    root: Path, store: LibraryStore | None, found: list[_Found | Skipped], want_articles: bool
) -> tuple[list[Article] | list[ListedArticle], list[Skipped], list[str]]:
    cached: dict[str, Record] = {}
    texts: dict[str, tuple[str, bytes]] = {}
    if store is not None:
        cached, texts = store.listing_and_texts() if want_articles else (store.listing(), {})
    # Paths as `root / relative` prints them, without making a Path a file (a seventh of a warm listing).
    root_text = str(root)
    prefix = "" if root_text == "." else root_text if root_text.endswith("/") else root_text + "/"
    kept: set[str] = set()
    changed: list[Record] = []
    new_texts: dict[str, TextRow] = {}
    slots: list[_Slot] = []
    jobs: list[tuple[str, str]] = []
    pending: list[tuple[str, int, os.stat_result]] = []  # relative, slot and stat of each job
    seen_ids: set[str] = set()
    for item in found:
        if type(item) is Skipped:
            slots.append(item)
            continue
        relative, stem_id, stat = item  # type: ignore[misc]
        path = prefix + relative
        article_id = _article_id(stem_id, relative, seen_ids)
        entry = cached.get(relative)
        if entry is None and stat.st_size > MAX_FILE_BYTES:  # never cached: the size alone says it
            slots.append(Skipped(Path(path), _too_large(stat.st_size)))
            continue
        fresh = entry is not None and entry[_SIZE] == stat.st_size and entry[_MTIME] == stat.st_mtime_ns
        if fresh and entry is not None and entry[_SKIP] is not None:
            # Not an article when last read, and not changed since: the same bytes would fail the same way.
            slots.append(Skipped(Path(path), entry[_SKIP]))
            kept.add(relative)
            continue
        resolved: Article | ListedArticle | None = None
        if fresh and entry is not None:
            resolved = _resolved(entry, texts, article_id, path, want_articles)
        elif entry is not None and entry[_SKIP] is None and stat.st_size <= MAX_FILE_BYTES:
            resolved = _same_bytes(entry, texts, article_id, path, want_articles)
            if resolved is not None:  # touched, same bytes: read and hashed, not parsed
                changed.append((relative, stat.st_size, stat.st_mtime_ns, *entry[_SKIP:]))
        if resolved is not None:
            slots.append(resolved)
            kept.add(relative)
            continue
        if stat.st_size > MAX_FILE_BYTES:
            slots.append(Skipped(Path(path), _too_large(stat.st_size)))
            continue
        pending.append((relative, len(slots), stat))
        slots.append(len(jobs))
        jobs.append((path, article_id))
    for number, (kind, first, second, resolved) in enumerate(_parse_jobs(jobs, want_articles)):
        path = jobs[number][0]
        relative, position, stat = pending[number]
        if kind == "error":
            slots[position] = Skipped(Path(path), str(first))
            continue
        if kind == "skip":
            slots[position] = Skipped(Path(path), str(first))
            changed.append(_skip_record(relative, stat, str(first)))
            kept.add(relative)
            continue
        record, text = first, second
        if resolved is None or not isinstance(record, tuple) or not isinstance(text, tuple):
            slots[position] = Skipped(Path(path), "could not be parsed")  # a worker's garbled answer
            continue
        changed.append((relative, stat.st_size, stat.st_mtime_ns, None, *record))
        new_texts[text[0]] = text
        kept.add(relative)
        slots[position] = resolved
    # A record left out as not whole is rewritten too: its file was parsed again.
    removed = [relative for relative in cached if relative not in kept]
    if store is not None and (changed or removed):
        store.write(changed, new_texts.values(), removed)
    return _collected(slots)


def _resolved(
    entry: Record, texts: dict[str, tuple[str, bytes]], article_id: str, path: str, want_articles: bool
) -> Article | ListedArticle | None:
    """The article (or its listing) from its cached records, or None when they will not do."""
    if want_articles:
        return _from_records_or_none(entry, texts.get(entry[_HASH]), article_id, Path(path))
    return _listed_or_none(entry, article_id, path)


def _same_bytes(
    entry: Record,
    texts: dict[str, tuple[str, bytes]],
    article_id: str,
    path: str,
    want_articles: bool,
) -> Article | ListedArticle | None:
    """The cached article of a file whose size or mtime changed but whose bytes did not."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if entry[_HASH] != hash_bytes(data):
        return None
    return _resolved(entry, texts, article_id, path, want_articles)


def _from_parse(
    kind: str, record: object, text: object, article_id: str, path: str, want_articles: bool
) -> Article | ListedArticle | None:
    """The article (or its listing) a worker's records describe."""
    if kind != "article" or not isinstance(record, tuple) or not isinstance(text, tuple):
        return None
    whole = ("", 0, 0, None, *record)
    if want_articles:
        return _from_records_or_none(whole, (text[1], text[2]), article_id, Path(path))
    return _listed_or_none(whole, article_id, path)


def _parse_here(
    path: str, article_id: str, want_articles: bool
) -> tuple[str, object, object, Article | ListedArticle | None]:
    """One file parsed in this process: (kind, record or reason, text row, article or listing)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        return "error", _os_reason(error), None, None
    try:
        article = read_article(file, article_id, data)
    except ArticleError as error:
        return "skip", str(error), None, None
    record, text = _records(article)
    if want_articles:
        return "article", record, text, article
    return "article", record, text, _listed_or_none(("", 0, 0, None, *record), article_id, path)


def _collected(slots: list[_Slot]) -> tuple[list[Article] | list[ListedArticle], list[Skipped], list[str]]:
    """(articles sorted by id, skipped files and notices in walk order) of the resolved slots."""
    articles: list[Article | ListedArticle] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    for slot in slots:
        if type(slot) is Skipped:
            skipped.append(slot)
            continue
        assert not isinstance(slot, int | Skipped)
        articles.append(slot)
        notice = _notice(slot.path, slot.encoding)
        if notice is not None:
            notices.append(notice)
    articles.sort(key=attrgetter("id"))
    return articles, skipped, notices  # type: ignore[return-value]
