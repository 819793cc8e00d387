"""`tui list`: the articles with their metadata."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import paths
from tui.cli.common import emit_json, report_skipped
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.library.cache import ListedArticle


def _published_iso(article: ListedArticle) -> str | None:
    """The date as `published_iso` gives it, from the text the cache keeps when it has it."""
    from tui.library.dates import published_iso

    text = article.published_text
    if text is not None and len(text) >= 10:
        return text[:10] if article.day_only else text
    return published_iso(article.published, article.day_only) if article.published else None


def cmd_list(args: argparse.Namespace) -> int:
    from tui.library.loader import load_listing

    # The listing, not the library: on a warm cache only the metadata is read, not the articles' text.
    library = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
    report_skipped(library, args)
    if args.json:
        emit_json(
            [
                {
                    "id": article.id,
                    "title": article.title,
                    "source": article.source,
                    "author": article.author,
                    "published": _published_iso(article),
                    "words": article.words,
                    "path": article.path,
                    "hash": article.content_hash,
                }
                for article in library
            ]
        )
        return 0
    for article in library:
        date = article.published.date().isoformat() if article.published else "----------"
        source = printable(article.source or "")[:20]
        print(
            f"{printable(article.id):<28} {date}  {source:<20} {article.words:>6}w  {printable(article.title)}"
        )
    return 0
