"""`tui list`: the articles with their metadata."""

from __future__ import annotations

import argparse

from tui import paths
from tui.cli.common import emit_json_items, print_lines, report_skipped
from tui.collector import collector_paused


def cmd_list(args: argparse.Namespace) -> int:
    # The listing and the rows printed of it live until the command ends.
    with collector_paused():
        return _list(args)


def _list(args: argparse.Namespace) -> int:
    from tui.cli.printers import listing_json, listing_lines
    from tui.library.loader import load_listing

    # The listing, not the library: on a warm cache only the metadata is read, not the articles' text.
    library = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
    report_skipped(library, args)
    if args.json:
        emit_json_items(listing_json(library))
    else:
        print_lines(listing_lines(library))
    return 0
