"""The article folder: walking it, the scan that takes each file from the cache or parses it (in
worker processes when there are many), and the listing.

The parser (`tui.library.parsing`) turns one text into an `Article`, `tui.library.files` reads one
file, `tui.library.cache` makes the cache's records; this module finds the files, reports the ones
that are not articles, and keeps parsed articles in a cache keyed by path, size, mtime and content
hash. `load_library` gives the articles; `load_listing` gives what `tui list`
prints, from the cache's small listing alone when it is current. Knows nothing of Textual.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar, cast

from tui.collector import collector_paused
from tui.cores import available_cores
from tui.errors import TuiError
from tui.library.articles import (
    MAX_FILE_BYTES,
    NOT_ARTICLE_NAMES,
    NOT_ARTICLE_REASON,
    SUFFIXES,
    Article,
    ArticleError,
    Library,
    Skipped,
    hash_bytes,
)
from tui.library.cache import (
    HASH,
    MTIME,
    SIZE,
    SKIP,
    ListedArticle,
    Listing,
    cache_file,
    cache_records,
    from_records_or_none,
    listed_or_none,
    open_store,
    skip_record,
)
from tui.library.files import os_reason, read_article, too_large
from tui.library.store import LibraryStore, Record, TextRow

if TYPE_CHECKING:
    import subprocess

_Loaded = TypeVar("_Loaded")


# A file the walk found: its path relative to the root, its id (that path without the suffix), and
# its stat.
_Found = tuple[str, str, os.stat_result]


NOT_UTF8_NAME_REASON = "its name is not valid UTF-8 (rename it to read it)"


def _utf8(name: str) -> bool:
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


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
            found.append(Skipped(Path(folder), os_reason(error)))
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
            found.append(Skipped(Path(folder), os_reason(error)))
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if not name.isascii() and not _utf8(name):
                # Bytes that are not UTF-8 come back as lone surrogates, which no id, cache or output
                # can hold: said once, in one line, and the rest of the library read.
                found.append(Skipped(Path(entry.path), NOT_UTF8_NAME_REASON))
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
                found.append(Skipped(Path(entry.path), os_reason(error)))
                continue
            found.append((prefix + name, prefix + stem, stat))

    visit(str(root), "")
    return found


def _paused_collector(load: Callable[[], _Loaded]) -> _Loaded:
    with collector_paused():  # a dozen objects per article, all of which live on
        return load()


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


def _path_prefix(root: Path) -> str:
    """What goes before a relative path to print it as `root / relative` does, without making a
    Path of each file (a seventh of a warm listing)."""
    root_text = str(root)
    return "" if root_text == "." else root_text if root_text.endswith("/") else root_text + "/"


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


_UNGUESSED = ("utf-8", "utf-16", "utf-32")  # a byte order mark is no guess


def _notice(path: object, encoding: str) -> str:
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
    prefix = _path_prefix(root)
    slots: list[_Slot] = []
    seen_ids: set[str] = set()
    # Nearly the walk's order (which sorts by folder, then name): a name with a character below "/"
    # may come elsewhere, which changes at most the order of notices, set right by `load_listing`.
    for relative in sorted(records):
        record, path = records[relative], prefix + relative
        if record[SKIP] is not None:
            slots.append(Skipped(Path(path), record[SKIP]))
            continue
        stem_id = relative[: relative.rfind(".")] if "." in relative.rsplit("/", 1)[-1] else relative
        listed = listed_or_none(record, _article_id(stem_id, relative, seen_ids), path)
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
    kind, first, second, _article = _read_and_parse(path, article_id)
    return kind, first, second


def _read_bytes(path: str) -> bytes:
    # `open` on the string: `Path.read_bytes` parses the path again and goes through two more calls.
    with open(path, "rb") as handle:
        return handle.read()


def _read_and_parse(path: str, article_id: str) -> tuple[str, object, object, Article | None]:
    """One file read and parsed: a parse (see `_Parsed`) and the article, when there is one."""
    try:
        data = _read_bytes(path)
    except OSError as error:
        return "error", os_reason(error), None, None
    try:
        article = read_article(Path(path), article_id, data)
    except ArticleError as error:
        return "skip", str(error), None, None
    record, text = cache_records(article)
    return "article", record, text, article


# The worker process: reads a pickled list of (path, id) on stdin, writes the pickled parses.
_WORKER_CODE = "from tui.library.loader import parse_files_main; parse_files_main()"


def parse_files_main() -> None:
    """The body of a worker process (see `_parse_jobs`)."""
    import pickle

    jobs: list[tuple[str, str]] = pickle.load(sys.stdin.buffer)
    gc.disable()  # every record made here lives until it is written out
    results = [_parse_file(path, article_id) for path, article_id in jobs]
    pickle.dump(results, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 2000
OWN_SHARE = 0.95  # of an even share, parsed by the process that asked (it also writes its share to the cache)


_cores = available_cores  # a name of its own here: tests set it


# One parse as the scan uses it: (kind, record or reason, text row, article or listing).
_Done = tuple[str, object, object, "Article | ListedArticle | None"]


def _parse_jobs(
    jobs: list[tuple[str, str]],
    want_articles: bool,
    own_share_done: Callable[[list[_Done]], None] | None = None,
) -> list[_Done]:
    """Every job parsed, in order. Many jobs are shared with worker processes, one per other core,
    each given a contiguous share; this process parses the first share meanwhile, and hands it to
    `own_share_done` before it waits for the workers. A worker that fails has its share parsed
    here: it costs time, never files."""
    cores = min(_cores(), 4)
    if len(jobs) < PARALLEL_MIN_FILES or cores < 2:
        return _parse_all_here(jobs, want_articles)
    # This process also writes the cache and gathers the results: its share is a little smaller.
    own = int(len(jobs) / cores * OWN_SHARE)
    size = -(-(len(jobs) - own) // (cores - 1))
    shares = [jobs[:own]] + [jobs[start : start + size] for start in range(own, len(jobs), size)]
    workers = [_start_worker(share) for share in shares[1:]]
    done = _parse_all_here(shares[0], want_articles)
    if own_share_done is not None:
        own_share_done(done)
    for share, worker in zip(shares[1:], workers, strict=True):
        parsed = _worker_results(worker, len(share))
        if parsed is None:
            done.extend(_parse_all_here(share, want_articles))
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


@dataclass(slots=True)
class _ScanState:
    """What a scan gathers: a slot per file, the parses still to make, and the cache's changes."""

    slots: list[_Slot] = field(default_factory=list)
    jobs: list[tuple[str, str]] = field(default_factory=list)  # (path, id) of each file to parse
    pending: list[tuple[str, int, os.stat_result]] = field(default_factory=list)  # relative, slot, stat
    kept: set[str] = field(default_factory=set)  # relative paths whose cache records stay
    changed: list[Record] = field(default_factory=list)
    new_texts: dict[str, TextRow] = field(default_factory=dict)


def _scan_with(
    root: Path, store: LibraryStore | None, found: list[_Found | Skipped], want_articles: bool
) -> tuple[list[Article] | list[ListedArticle], list[Skipped], list[str]]:
    cached: dict[str, Record] = {}
    texts: dict[str, tuple[str, bytes]] = {}
    if store is not None:
        cached, texts = store.listing_and_texts() if want_articles else (store.listing(), {})
    state = _ScanState()
    _take_from_cache(state, _path_prefix(root), found, cached, texts, want_articles)
    taken, written = 0, False

    def write_own_share(parses: list[_Done]) -> None:
        # While the workers still parse, this process would only wait: it writes what it has (a
        # write that fails leaves it all to the whole write below).
        nonlocal taken, written
        _take_parses(state, parses, 0)
        taken = len(parses)
        if store is not None and state.changed:
            written = store.write(state.changed, state.new_texts.values(), (), whole=False)
            if written:
                state.changed.clear()
                state.new_texts.clear()

    parses = _parse_jobs(state.jobs, want_articles, write_own_share)
    _take_parses(state, parses[taken:], taken)
    # A record left out as not whole is rewritten too: its file was parsed again.
    removed = [relative for relative in cached if relative not in state.kept]
    if store is not None and (state.changed or removed or written):
        store.write(state.changed, state.new_texts.values(), removed)
    return _collected(state.slots)


def _take_from_cache(
    state: _ScanState,
    prefix: str,
    found: list[_Found | Skipped],
    cached: dict[str, Record],
    texts: dict[str, tuple[str, bytes]],
    want_articles: bool,
) -> None:
    """A slot for each file found: from the cache where it is current, else a job to parse it."""
    slots, kept, changed = state.slots, state.kept, state.changed
    seen_ids: set[str] = set()
    # Run once per file (95,000 at a time): the common case, a current article listed, goes first,
    # with names looked up once.
    append, keep, get, listed_of = slots.append, kept.add, cached.get, listed_or_none
    for item in found:
        if type(item) is Skipped:
            append(item)
            continue
        relative, stem_id, stat = item  # type: ignore[misc]
        path = prefix + relative
        article_id = stem_id if stem_id not in seen_ids else relative  # _article_id, inline
        seen_ids.add(article_id)
        entry = get(relative)
        size = stat.st_size
        if entry is None and size > MAX_FILE_BYTES:  # never cached: the size alone says it
            append(Skipped(Path(path), too_large(size)))
            continue
        fresh = entry is not None and entry[SIZE] == size and entry[MTIME] == stat.st_mtime_ns
        if fresh and entry is not None and not want_articles and entry[SKIP] is None:
            listed = listed_of(entry, article_id, path)
            if listed is not None:
                append(listed)
                keep(relative)
                continue
        if fresh and entry is not None and entry[SKIP] is not None:
            # Not an article when last read, and not changed since: the same bytes would fail the same way.
            slots.append(Skipped(Path(path), entry[SKIP]))
            kept.add(relative)
            continue
        resolved: Article | ListedArticle | None = None
        if fresh and entry is not None:
            resolved = _resolved(entry, texts, article_id, path, want_articles)
        elif entry is not None and entry[SKIP] is None and stat.st_size <= MAX_FILE_BYTES:
            resolved = _same_bytes(entry, texts, article_id, path, want_articles)
            if resolved is not None:  # touched, same bytes: read and hashed, not parsed
                changed.append((relative, stat.st_size, stat.st_mtime_ns, *entry[SKIP:]))
        if resolved is not None:
            slots.append(resolved)
            kept.add(relative)
            continue
        if stat.st_size > MAX_FILE_BYTES:
            slots.append(Skipped(Path(path), too_large(stat.st_size)))
            continue
        state.pending.append((relative, len(slots), stat))
        slots.append(len(state.jobs))
        state.jobs.append((path, article_id))


def _take_parses(state: _ScanState, parses: list[_Done], first_job: int) -> None:
    """Each parse (of the jobs from `first_job` on) into its file's slot, and into the cache's changes."""
    slots, kept, changed = state.slots, state.kept, state.changed
    for number, (kind, first, second, resolved) in enumerate(parses, first_job):
        path = state.jobs[number][0]
        relative, position, stat = state.pending[number]
        if kind == "error":
            slots[position] = Skipped(Path(path), str(first))
            continue
        if kind == "skip":
            slots[position] = Skipped(Path(path), str(first))
            changed.append(skip_record(relative, stat, str(first)))
            kept.add(relative)
            continue
        record, text = first, second
        if resolved is None or not isinstance(record, tuple) or not isinstance(text, tuple):
            slots[position] = Skipped(Path(path), "could not be parsed")  # a worker's garbled answer
            continue
        changed.append((relative, stat.st_size, stat.st_mtime_ns, None, *record))
        state.new_texts[text[0]] = text
        kept.add(relative)
        slots[position] = resolved


def _resolved(
    entry: Record, texts: dict[str, tuple[str, bytes]], article_id: str, path: str, want_articles: bool
) -> Article | ListedArticle | None:
    """The article (or its listing) from its cached records, or None when they will not do."""
    if want_articles:
        return from_records_or_none(entry, texts.get(entry[HASH]), article_id, Path(path))
    return listed_or_none(entry, article_id, path)


def _same_bytes(
    entry: Record,
    texts: dict[str, tuple[str, bytes]],
    article_id: str,
    path: str,
    want_articles: bool,
) -> Article | ListedArticle | None:
    """The cached article of a file whose size or mtime changed but whose bytes did not."""
    try:
        data = _read_bytes(path)
    except OSError:
        return None
    if entry[HASH] != hash_bytes(data):
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
        return from_records_or_none(whole, (text[1], text[2]), article_id, Path(path))
    return listed_or_none(whole, article_id, path)


def _parse_here(
    path: str, article_id: str, want_articles: bool
) -> tuple[str, object, object, Article | ListedArticle | None]:
    """One file parsed in this process: (kind, record or reason, text row, article or listing)."""
    kind, first, second, article = _read_and_parse(path, article_id)
    if want_articles:
        return kind, first, second, article
    return kind, first, second, _from_parse(kind, first, second, article_id, path, want_articles=False)


def _parse_all_here(jobs: list[tuple[str, str]], want_articles: bool) -> list[_Done]:
    return [_parse_here(path, article_id, want_articles) for path, article_id in jobs]


def _collected(slots: list[_Slot]) -> tuple[list[Article] | list[ListedArticle], list[Skipped], list[str]]:
    """(articles sorted by id, skipped files and notices in walk order) of the resolved slots."""
    articles: list[Article | ListedArticle] = []
    skipped: list[Skipped] = []
    notices: list[str] = []
    for slot in slots:
        if type(slot) is Skipped:
            skipped.append(slot)
            continue
        article = cast("Article | ListedArticle", slot)  # every pending parse is resolved by now
        articles.append(article)
        if article.encoding not in _UNGUESSED:
            notices.append(_notice(article.path, article.encoding))
    articles.sort(key=attrgetter("id"))
    return articles, skipped, notices  # type: ignore[return-value]
