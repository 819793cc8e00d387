"""What the commands share: the program's name, the library and its stories opened with what
was skipped said once, JSON on stdout, one-line messages."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.library.articles import Library
    from tui.library.cache import Listing
    from tui.stories import Stories


PROG = "tui"


def open_library(args: argparse.Namespace, *, lazy: bool = False, listing: Listing | None = None) -> Library:
    """Load the articles (cached); each skipped file is reported once, in one line, on stderr.

    `lazy`: from the listing, each article reading its text when first wanted (the index reads only
    the texts it has not seen, and lets each go once prepared). `listing`: one already loaded (at
    100,000 articles a load walks and stats every file: seconds), which implies `lazy`."""
    from tui.library.loader import load_library, load_listing
    from tui.library.texts import TextSource, library_from_listing

    root, cache = paths.articles_dir(args.articles), paths.cache_dir(args.cache_dir)
    if lazy or listing is not None:
        if listing is None:
            listing = load_listing(root, cache_dir=cache)
        library = library_from_listing(listing, TextSource(root, cache))
    else:
        library = load_library(root, cache_dir=cache)
    # The library lives until the command ends: the cyclic collector need not walk its ~15 objects
    # an article again at every collection (on 19,000 stories, a seventh of a warm `tui list`).
    gc.freeze()
    report_skipped(library, args)
    return library


SKIPPED_SAID_FILE = "skipped-said.json"  # in the state folder: the skipped files last reported, per library


def report_skipped(library: Library | Listing, args: argparse.Namespace) -> None:
    """Each skipped or re-encoded file, one line each on stderr: once after each change to the
    list (a new bad file, one fixed), or every time with --verbose."""
    import hashlib

    lines = [
        f"{PROG}: skipped {printable(str(skipped.path))}: {printable(skipped.reason)}"
        for skipped in library.skipped
    ]
    lines += [f"{PROG}: {printable(notice)}" for notice in library.notices]
    if not lines:
        return
    from tui.state import SmallJson

    said = SmallJson(paths.state_dir(args.state_dir) / SKIPPED_SAID_FILE)
    key = str(library.root.resolve())
    digest = hashlib.blake2b("\n".join(lines).encode(), digest_size=12).hexdigest()
    if said.values.get(key) == digest and not getattr(args, "verbose", False):
        return
    for line in lines:
        print(line, file=sys.stderr)
    if said.values.get(key) != digest:
        with contextlib.suppress(OSError):  # not kept: it is said again next time, no harm
            said.save(**{key: digest})


def _json_document(value: Any) -> bytes:
    """`value` as indented JSON, with untrusted text (titles, quotes, notes) that may hold bidi
    overrides or C1 controls escaped (`\u202e`), as the text outputs escape them."""
    import orjson

    from tui.text_safety import json_safe

    try:
        document = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        # A lone surrogate, which orjson refuses: a file name given in bytes that are not UTF-8
        # (`\udcff`). The standard encoder writes it as its JSON escape, and the reader gets it back.
        import json

        def as_orjson(other: Any) -> Any:  # dates and dataclasses written as orjson writes them
            return orjson.loads(orjson.dumps(other))

        document = json.dumps(value, indent=2, default=as_orjson).encode("ascii")
    return json_safe(document)


def emit_json(value: Any) -> None:
    sys.stdout.buffer.write(_json_document(value) + b"\n")
    sys.stdout.flush()


def emit_json_items(items: Iterable[Any], chunk: int = 4096) -> None:
    """`emit_json(list(items))`, the same bytes, made and written `chunk` items at a time: a listing
    of 95,000 articles is never a list of 95,000 dicts nor one document of tens of megabytes."""
    import itertools

    write = sys.stdout.buffer.write
    remaining = iter(items)
    opening = b"[\n"
    while batch := list(itertools.islice(remaining, chunk)):
        # Each batch as a JSON array of its own, indented alike: its items are the lines between
        # its brackets, and batches join as items do, with ",\n".
        write(opening)
        write(_json_document(batch)[2:-2])
        opening = b",\n"
    write(b"[]\n" if opening == b"[\n" else b"\n]\n")
    sys.stdout.flush()


def indexing_progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        end = "\r" if done < total else "\r\x1b[K"
        print(f"indexing {100 * done // max(total, 1)}%", end=end, file=sys.stderr, flush=True)

    return progress


def open_stories(args: argparse.Namespace, library: Library) -> Stories:
    """The library's stories, from its similarity index (cached); story ids kept in the state folder."""
    from tui.similarity import SimilarityIndex
    from tui.stories import Stories

    cache = paths.cache_dir(args.cache_dir)
    index = SimilarityIndex.build(library, cache, progress=indexing_progress())
    return Stories.build(library, index, state_dir=paths.state_dir(args.state_dir), cache_dir=cache)


def one_line(message: str) -> str:
    return printable(" ".join(message.split()))


def print_lines(lines: Iterable[str]) -> None:
    """Each line on stdout; none at all when there are none."""
    for line in lines:
        print(line)
