"""The commands on what articles share: `tui dupes`, `tui compare`, `tui story`, `tui stories`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui import paths
from tui.cli.common import emit_json, indexing_progress, open_library, open_stories, print_lines

if TYPE_CHECKING:
    pass


def cmd_story(args: argparse.Namespace) -> int:
    from tui.annotations import open_store
    from tui.cli.story_json import story_json, story_text
    from tui.stories.views import story_view

    library = open_library(args)
    if not args.id.startswith("s-"):
        library.get(args.id)  # an unknown article id fails before any indexing
    stories = open_stories(args, library)
    story = stories.get(args.id)
    store = open_store(paths.db_path(args.db))
    if args.json:
        emit_json(story_json(stories, story, store))
    else:
        import shutil

        width = max(60, shutil.get_terminal_size((100, 24)).columns)
        sys.stdout.write(story_text(story_view(stories, story, store), width=width))
    stories.save()  # the alignments made for it, for the next run
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    from tui.annotations import open_store
    from tui.cli.printers import stories_lines
    from tui.cli.story_json import stories_json

    library = open_library(args)
    stories = open_stories(args, library)
    rows = stories_json(stories, open_store(paths.db_path(args.db)).counts_by_article())
    if args.json:
        emit_json(rows)
        return 0
    print_lines(stories_lines(rows))
    return 0


def cmd_dupes(args: argparse.Namespace) -> int:
    from tui.cli.printers import matches_json, matches_lines, pair_groups_lines, pair_json
    from tui.similarity import SimilarityIndex
    from tui.similarity.model import STORY_KINDS

    listing = None
    if args.json and not args.id:
        # The pairs alone: when the kept index is current for the listing, no article text is read.
        from tui.library.loader import load_listing

        listing = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
        kept = SimilarityIndex.stored_pairs(
            listing, paths.cache_dir(args.cache_dir), args.kind or STORY_KINDS
        )
        if kept is not None:
            emit_json([pair_json(p) for p in kept])
            return 0
    library = open_library(args, lazy=True, listing=listing)  # the listing read once
    article = library.get(args.id) if args.id else None  # an unknown id fails before any indexing
    # A cold index of a large library takes seconds: on a terminal, show that it moves.
    index = SimilarityIndex.build(library, paths.cache_dir(args.cache_dir), progress=indexing_progress())
    if article is not None:
        matches = index.matches(article.id, args.kind)
        if args.json:
            emit_json(matches_json(matches, library))
        else:
            print_lines(matches_lines(article, matches, library))
        return 0
    # Without an id: the groups of versions of one story; related pairs are counted apart (listed with
    # --kind related), template siblings only when asked for.
    pairs = index.pairs(args.kind or STORY_KINDS)
    if args.json:
        emit_json([pair_json(p) for p in pairs])
        return 0
    siblings = index.pairs(["template"])
    related = 0 if args.kind else len(index.pairs(["related"]))
    print_lines(pair_groups_lines(pairs, siblings, library, kinds_chosen=bool(args.kind), related=related))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    import shutil

    from tui.cli.printers import alignment_json, render_alignment
    from tui.similarity import compare

    library = open_library(args)
    a, b = library.get(args.a), library.get(args.b)
    alignment = compare(a, b)
    if args.json:
        emit_json(alignment_json(alignment, a, b))
        return 0
    width = shutil.get_terminal_size((100, 24)).columns
    sys.stdout.write(render_alignment(alignment, a, b, width=max(width, 40)))
    return 0
