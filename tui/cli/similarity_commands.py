"""The commands on what articles share: `tui dupes`, `tui compare`, `tui story`, `tui stories`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui import paths
from tui.cli.common import emit_json, open_library, open_stories
from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from tui.similarity import PairMatch


def cmd_story(args: argparse.Namespace) -> int:
    from tui.annotations import open_store
    from tui.stories import story_json, story_text

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
        sys.stdout.write(story_text(story_json(stories, story, store), width=width))
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    from tui.annotations import open_store
    from tui.stories import stories_json

    library = open_library(args)
    stories = open_stories(args, library)
    rows = stories_json(stories, open_store(paths.db_path(args.db)).counts_by_article())
    if args.json:
        emit_json(rows)
        return 0
    if not rows:
        print("no stories: no article has another version")
    for row in rows:
        print(
            f"{row['id']:<14} {counted(row['versions'], 'version'):>11} {counted(row['notes'], 'note'):>9}  "
            f"{printable(row['title'])}"
        )
        for article_id in row["articles"]:
            print(f"    {printable(article_id)}")
    return 0


def _pair_json(pair: PairMatch) -> dict[str, object]:
    return {"a": pair.a, "b": pair.b, "score": pair.score, "kind": pair.kind, "reason": pair.reason}


def cmd_dupes(args: argparse.Namespace) -> int:
    from tui.cli.printers import group_pairs
    from tui.similarity import Kind, SimilarityIndex

    story_kinds: list[Kind] = ["duplicate", "near-duplicate", "rewrite", "update", "partial"]
    if args.json and not args.id:
        # The pairs alone: when the kept index is current for the listing, no article text is read.
        from tui.library.loader import load_listing

        listing = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
        kept = SimilarityIndex.stored(listing, paths.cache_dir(args.cache_dir))
        if kept is not None:
            emit_json([_pair_json(p) for p in kept.pairs(args.kind or story_kinds)])
            return 0
    library = open_library(args, lazy=True)
    article = library.get(args.id) if args.id else None  # an unknown id fails before any indexing
    progress = None
    if sys.stderr.isatty():  # a cold index of a large library takes seconds: show that it moves

        def progress(done: int, total: int) -> None:
            end = "\r" if done < total else "\r\x1b[K"
            print(f"indexing {100 * done // max(total, 1)}%", end=end, file=sys.stderr, flush=True)

    index = SimilarityIndex.build(library, paths.cache_dir(args.cache_dir), progress=progress)
    if article is not None:
        matches = index.matches(article.id, args.kind)
        if args.json:
            emit_json(
                [
                    {
                        "id": m.id,
                        "title": library.get(m.id).title,
                        "score": m.score,
                        "kind": m.kind,
                        "reason": m.reason,
                    }
                    for m in matches
                ]
            )
            return 0
        print(f"{printable(article.id)}  {printable(article.title)}")
        if not matches:
            print("  no matches")
        for m in matches:
            title = printable(library.get(m.id).title)
            print(f"  {m.score:.3f}  {m.kind:<14} {printable(m.id):<28} {title}  ({printable(m.reason)})")
        return 0
    # Without an id: the groups of versions of one story; related pairs are counted apart (listed with
    # --kind related), template siblings only when asked for.
    pairs = index.pairs(args.kind or story_kinds)
    if args.json:
        emit_json([_pair_json(p) for p in pairs])
        return 0
    if not pairs:
        print(
            "no duplicates, near-duplicates, rewrites, updates or partial copies"
            if not args.kind
            else "no matches of that kind"
        )
    # Versions form groups; related stories and templates chain whole topics together, so they are listed.
    copies = [p for p in pairs if p.kind in story_kinds]
    siblings = index.pairs(["template"])
    for number, group in enumerate(group_pairs(copies + siblings, library), 1):
        members = sorted({p.a for p in group} | {p.b for p in group})
        print(f"group {number}: {counted(len(members), 'article')}")
        for member in members:
            print(f"  {printable(member):<28} {printable(library.get(member).title)}")
        for p in group:
            print(
                f"    {p.score:.3f}  {p.kind:<14} {printable(p.a)} ~ {printable(p.b)}  ({printable(p.reason)})"
            )
    if not args.kind:
        related_count = len(index.pairs(["related"]))
        if related_count:
            print(
                f"related: {counted(related_count, 'pair')} of the same story or topic written apart"
                " (list them with --kind related)"
            )
        return 0
    for kind in ("related", "template"):
        listed = [p for p in pairs if p.kind == kind]
        if listed:
            print(f"{kind}: {counted(len(listed), 'pair')}")
        for p in listed:
            a_title, b_title = printable(library.get(p.a).title), printable(library.get(p.b).title)
            print(f"  {p.score:.3f}  {printable(p.a)} ~ {printable(p.b)}  ({printable(p.reason)})")
            print(f"         {a_title} ~ {b_title}")
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
