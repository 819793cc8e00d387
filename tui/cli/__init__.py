"""The command line: `tui [OPTIONS] [COMMAND]`. Without a command it opens the app.

Global options are accepted before or after any subcommand. Errors a user can cause end in one
line on stderr and exit code 2 (usage, unknown ids) or 1 (anything else); never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.errors import TuiError, UsageError
from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from pathlib import Path

    from tui.library.articles import Library
    from tui.library.loader import ListedArticle, Listing
    from tui.similarity import PairMatch
    from tui.stories import Stories

PROG = "tui"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On subparsers the defaults are SUPPRESS so that a value given before the subcommand is not
    # overwritten by the subparser's default: `tui --articles X list` and `tui list --articles X` agree.
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("data locations")
    group.add_argument(
        "--articles",
        metavar="DIR",
        default=default,
        help=f"articles folder (default ./articles, or ${paths.ARTICLES_ENV})",
    )
    group.add_argument(
        "--db",
        metavar="FILE",
        default=default,
        help=f"annotation store (default ./annotations.json, or ${paths.DB_ENV})",
    )
    group.add_argument(
        "--notes-dir",
        metavar="DIR",
        default=default,
        help=f"where `e` in the app exports notes (default ./notes, or ${paths.NOTES_ENV})",
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=default,
        help=f"derived data, safe to delete (default: the platform cache folder, or ${paths.CACHE_ENV})",
    )
    group.add_argument(
        "--state-dir",
        metavar="DIR",
        default=default,
        help=f"kept between runs: reading positions, story ids, what feeds gave (default: the platform state folder, or ${paths.STATE_ENV})",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="say every skipped or re-encoded file every time (by default: once after each change)",
    )
    group.add_argument(
        "--config-dir",
        metavar="DIR",
        default=default,
        help=f"settings: the feed list, keymap.json (default: the platform config folder, or ${paths.CONFIG_ENV})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Read, compare and annotate news articles. Without a command, opens the app.",
    )
    from tui import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _add_global_options(sub, top=False)
        return sub

    listing = command("list", "list the articles with their metadata")
    listing.add_argument("--json", action="store_true", help="print one JSON array")

    dupes = command("dupes", "duplicates, rewrites and related articles")
    dupes.add_argument("id", nargs="?", metavar="ID", help="one article's matches, best first")
    dupes.add_argument("--json", action="store_true", help="print one JSON array")
    dupes.add_argument(
        "--kind",
        action="append",
        choices=["duplicate", "near-duplicate", "rewrite", "update", "partial", "related", "template"],
        help="only this kind (repeatable); template siblings are listed only when asked for",
    )

    compare = command("compare", "two articles aligned sentence by sentence")
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    compare.add_argument("--json", action="store_true", help="print one JSON object")

    annotate = command("annotate", "highlight a passage of an article, with an optional note")
    annotate.add_argument("id", metavar="ID")
    annotate.add_argument("--quote", required=True, metavar="TEXT", help="the exact passage")
    annotate.add_argument("--note", default="", metavar="TEXT", help="a Markdown note")
    annotate.add_argument("--color", default=None, metavar="NAME", help="highlight color")
    annotate.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")
    annotate.add_argument(
        "--occurrence",
        type=int,
        default=None,
        metavar="N",
        help="which occurrence of a repeated quote (1-based)",
    )

    reattach = command(
        "reattach", "place an annotation (an orphan) on a passage again; its note and tags stay"
    )
    reattach.add_argument(
        "annotation", metavar="ANNOTATION_ID", help="its id, or a unique start of it (see `tui notes`)"
    )
    reattach.add_argument("--quote", required=True, metavar="TEXT", help="the passage it now belongs to")
    reattach.add_argument(
        "--occurrence",
        type=int,
        default=None,
        metavar="N",
        help="which occurrence of a repeated quote (1-based)",
    )
    reattach.add_argument(
        "--article", default=None, metavar="ID", help="the article to place it in (default: its own article)"
    )

    notes = command("notes", "the annotations, in text order")
    notes.add_argument("id", nargs="?", metavar="ID")
    notes.add_argument("--json", action="store_true", help="print one JSON array")
    _add_note_filters(notes)

    export = command("export", "export notes to Markdown or W3C Web Annotation JSON-LD")
    export.add_argument("ids", nargs="*", metavar="ID")
    export.add_argument("-o", "--output", metavar="PATH", help="a folder (one file per article) or a file")
    export.add_argument("--format", choices=["md", "json"], default="md")
    export.add_argument(
        "--flavor",
        choices=["obsidian", "logseq"],
        default="obsidian",
        help="Markdown for Obsidian (block ids ^h-…) or Logseq (an outline, block ids as id:: properties)",
    )
    _add_note_filters(export)

    importing = command("import", "merge W3C Web Annotation JSON-LD into the store")
    importing.add_argument("file", metavar="FILE")
    _add_story_commands(command, export)
    _add_intake_commands(command)
    return parser


def _add_note_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="only notes with this tag, or one nested under it (repeatable: any of them)",
    )
    parser.add_argument(
        "--text", metavar="TEXT", help="only notes whose quote, note or tags hold TEXT (any case)"
    )


def _note_filter(args: argparse.Namespace) -> Any:
    from tui.annotations.annotation import note_filter

    return note_filter(args.tag, args.text)


def _add_story_commands(
    command: Callable[[str, str], argparse.ArgumentParser], export: argparse.ArgumentParser
) -> None:
    story = command("story", "the story of an article: its versions, passages and notes with their echoes")
    story.add_argument("id", metavar="ID", help="an article id (or a story id)")
    story.add_argument("--json", action="store_true", help="print one JSON object")
    stories = command("stories", "the library's stories (articles that are versions of each other)")
    stories.add_argument("--json", action="store_true", help="print one JSON array")
    export.add_argument(
        "--story", metavar="ID", help="one Markdown file for the story of this article (or story id)"
    )


def open_library(args: argparse.Namespace, *, lazy: bool = False) -> Library:
    """Load the articles (cached); each skipped file is reported once, in one line, on stderr.

    `lazy`: from the listing, each article reading its text when first wanted (the index reads only
    the texts it has not seen, and lets each go once prepared)."""
    from tui.library.loader import load_library, load_listing
    from tui.library.texts import TextSource, library_from_listing

    root, cache = paths.articles_dir(args.articles), paths.cache_dir(args.cache_dir)
    if lazy:
        library = library_from_listing(load_listing(root, cache_dir=cache), TextSource(root, cache))
    else:
        library = load_library(root, cache_dir=cache)
    # The library lives until the command ends: the cyclic collector need not walk its ~15 objects
    # an article again at every collection (on 19,000 stories, a seventh of a warm `tui list`).
    gc.freeze()
    _report_skipped(library, args)
    return library


SKIPPED_SAID_FILE = "skipped-said.json"  # in the state folder: the skipped files last reported, per library


def _report_skipped(library: Library | Listing, args: argparse.Namespace) -> None:
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


def emit_json(value: Any) -> None:
    import orjson

    from tui.text_safety import json_safe

    # Untrusted text (titles, quotes, notes) may hold bidi overrides or C1 controls: escaped in the
    # JSON (`\u202e`), as the text outputs escape them, so a terminal shows them and a reader gets them.
    sys.stdout.buffer.write(json_safe(orjson.dumps(value, option=orjson.OPT_INDENT_2)) + b"\n")
    sys.stdout.flush()


def _published_iso(article: ListedArticle) -> str | None:
    """The date as `published_iso` gives it, from the text the cache keeps when it has it."""
    from tui.library.articles import published_iso

    text = article.published_text
    if text is not None and len(text) >= 10:
        return text[:10] if article.day_only else text
    return published_iso(article.published, article.day_only) if article.published else None


def cmd_list(args: argparse.Namespace) -> int:
    from tui.library.loader import load_listing

    # The listing, not the library: on a warm cache only the metadata is read, not the articles' text.
    library = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
    _report_skipped(library, args)
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


def _progress() -> Callable[[int, int], None] | None:
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
    index = SimilarityIndex.build(library, cache, progress=_progress())
    return Stories.build(library, index, state_dir=paths.state_dir(args.state_dir), cache_dir=cache)


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
    from tui.cli.story_json import stories_json

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
    from tui.similarity import SimilarityIndex
    from tui.similarity.model import STORY_KINDS

    if args.json and not args.id:
        # The pairs alone: when the kept index is current for the listing, no article text is read.
        from tui.library.loader import load_listing

        listing = load_listing(paths.articles_dir(args.articles), cache_dir=paths.cache_dir(args.cache_dir))
        kept = SimilarityIndex.stored(listing, paths.cache_dir(args.cache_dir))
        if kept is not None:
            emit_json([_pair_json(p) for p in kept.pairs(args.kind or STORY_KINDS)])
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
    pairs = index.pairs(args.kind or STORY_KINDS)
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
    copies = [p for p in pairs if p.kind in STORY_KINDS]
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


def cmd_annotate(args: argparse.Namespace) -> int:
    from tui.annotations import DEFAULT_COLOR, find_quote, open_store

    article = open_library(args).get(args.id)
    start, end = find_quote(article, args.quote, args.occurrence)
    store = open_store(paths.db_path(args.db))
    made = store.add(article, start, end, note=args.note, color=args.color or DEFAULT_COLOR, tags=args.tag)
    print(made.id)
    return 0


def cmd_reattach(args: argparse.Namespace) -> int:
    from tui.annotations import find_quote, open_store

    store = open_store(paths.db_path(args.db))
    annotation = store.get(args.annotation)  # an unknown or ambiguous id is a UsageError
    article = open_library(args).get(args.article or annotation.article_id)
    start, end = find_quote(article, args.quote, args.occurrence)
    placed = store.reattach(annotation.id, article, start, end)
    print(f"{placed.id}  {printable(placed.article_id)}  characters {placed.start}-{placed.end}")
    return 0


def cmd_notes(args: argparse.Namespace) -> int:
    from tui.annotations import open_store
    from tui.cli.printers import notes_text
    from tui.export.selection import note_records

    library = open_library(args)
    keep = _note_filter(args)
    records = note_records(library, open_store(paths.db_path(args.db)), [args.id] if args.id else None, keep)
    if args.json:
        emit_json(records)
    elif records:
        import shutil

        # whole notes: wrapped to a terminal's width, as they are when piped
        width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else None
        print(notes_text(records, width))
    elif keep is not None:
        print(f"{PROG}: no annotations match", file=sys.stderr)
    else:
        print(f"{PROG}: no annotations yet (see `{PROG} annotate --help`)", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tui.annotations import open_store
    from tui.export.markdown import safe_filename
    from tui.export.notes import PartialExportError, export_markdown, markdown_text
    from tui.export.selection import resolve_article_ids
    from tui.export.web_annotation import export_jsonld, export_jsonld_file

    library = open_library(args)
    store = open_store(paths.db_path(args.db))
    if args.story is not None:
        if args.tag or args.text:
            raise UsageError("--tag and --text choose notes of articles, not of a story")
        return _export_story(args, library, store)
    ids = resolve_article_ids(library, store, args.ids) or None  # unknown ids: exit 2 before writing
    keep = _note_filter(args)
    if args.format == "json":
        if args.output in (None, "-"):
            emit_json(export_jsonld(store, ids, keep))
        else:
            print(printable(str(export_jsonld_file(store, ids, Path(args.output), keep))))
        return 0
    if args.output == "-":
        sys.stdout.write(markdown_text(library, store, ids, args.flavor, keep))
        return 0
    target = Path(args.output) if args.output else paths.notes_dir(args.notes_dir)
    if keep is not None and not args.output:
        # A chosen part of the notes is one document of its own, not the articles' files (which a
        # re-export would then cut down to that part): "Notes tagged climate.md" in the notes folder.
        target = target / f"{safe_filename(_chosen_title(args))}.md"
    try:
        written = export_markdown(library, store, ids, target, args.flavor, keep)
    except PartialExportError as error:
        for path in error.written:  # the files that were written are listed; the failures end it
            print(printable(str(path)))
        raise
    for path in written:
        print(printable(str(path)))
    return 0


def _chosen_title(args: argparse.Namespace) -> str:
    parts = []
    if args.tag:
        parts.append("tagged " + ", ".join(tag.lstrip("#") for tag in args.tag))
    if args.text:
        parts.append(f"with “{' '.join(args.text.split())[:40]}”")
    return "Notes " + " ".join(parts)


def _export_story(args: argparse.Namespace, library: Library, store: Any) -> int:
    from pathlib import Path

    from tui.export.story import export_story, story_markdown_text
    from tui.stories.views import story_view

    if args.ids:
        raise UsageError("give either article ids or --story, not both")
    if args.format != "md":
        raise UsageError("--story exports Markdown only")
    if not args.story.startswith("s-"):
        library.get(args.story)  # an unknown article id fails before any indexing
    stories = open_stories(args, library)
    view = story_view(stories, stories.get(args.story), store)
    stories.save()  # the alignments made for it, for the next run
    if args.output == "-":
        sys.stdout.write(story_markdown_text(view, library, store, args.flavor))
        return 0
    target = Path(args.output) if args.output else paths.notes_dir(args.notes_dir)
    print(printable(str(export_story(view, library, store, target, args.flavor))))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tui.annotations import open_store
    from tui.export.web_annotation import read_jsonld

    annotations = read_jsonld(Path(args.file))
    result = open_store(paths.db_path(args.db)).merge(annotations)
    print(
        f"{printable(args.file)}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def _offer_to_create(articles: Path) -> bool:
    """On a terminal, offer to create a missing articles folder (then the app opens empty and says
    how to add articles); elsewhere, or on no, the caller says how to go on."""
    if articles.exists() or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    try:
        answer = input(f"{PROG}: no articles folder at {printable(str(articles))}. Create it? [Y/n] ")
    except EOFError:
        return False
    if answer.strip().lower() not in ("", "y", "yes"):
        return False
    articles.mkdir(parents=True, exist_ok=True)
    print(f"created {printable(str(articles))}: add articles with A in the app or `{PROG} add URL-or-FILE`")
    return True


def cmd_app(args: argparse.Namespace) -> int:
    from tui.app.factory import make_app

    articles = paths.articles_dir(args.articles)
    if not articles.is_dir() and not _offer_to_create(articles):
        raise TuiError(
            f"articles folder not found: {articles}; create it (`mkdir {articles}`) and add articles with "
            f"`{PROG} add URL-or-FILE` or `{PROG} feeds add URL`, or choose a folder with --articles DIR "
            f"or ${paths.ARTICLES_ENV}"
        )
    app = make_app(
        articles_dir=articles,
        db_path=paths.db_path(args.db),
        notes_dir=paths.notes_dir(args.notes_dir),
        cache_dir=paths.cache_dir(args.cache_dir),
        state_dir=paths.state_dir(args.state_dir),
        config_dir=paths.config_dir(args.config_dir),
    )
    app.run()
    return int(app.return_code or 0)


# --------------------------------------------------------------------------- getting articles in


def _add_intake_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    adding = command("add", "add web pages, saved pages or article files to the library")
    adding.add_argument("sources", nargs="+", metavar="SOURCE", help="an http(s) link, a file, or - (stdin)")
    adding.add_argument("--json", action="store_true", help="print one JSON array")
    adding.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")
    adding.add_argument("--force", action="store_true", help="add even what is already in the library")
    _add_robots_option(adding)
    _add_index_option(adding)

    feeds = command("feeds", "the feeds you follow")
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", parser_class=_Parser)
    actions.required = True

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        _add_global_options(sub, top=False)
        return sub

    feed_add = action("add", "follow a feed (RSS, Atom or JSON Feed)")
    feed_add.add_argument("url", metavar="URL")
    feed_add.add_argument("--name", metavar="NAME", help="what to call it (default: the feed's title)")
    _add_robots_option(feed_add)
    feed_list = action("list", "the feeds you follow")
    feed_list.add_argument("--json", action="store_true", help="print one JSON array")
    feed_remove = action("remove", "stop following a feed")
    feed_remove.add_argument("name", metavar="NAME", help="its name or URL")
    feed_import = action("import", "follow the feeds of an OPML file")
    feed_import.add_argument("file", metavar="FILE")
    feed_export = action("export", "the feed list as OPML")
    feed_export.add_argument("-o", "--output", metavar="FILE", help="a new file (default: stdout)")

    fetching = command("fetch", "fetch every feed and add its new articles")
    fetching.add_argument("--json", action="store_true", help="print one JSON array")
    fetching.add_argument(
        "--max-items",
        type=_count,
        default=None,
        metavar="N",
        help="take at most N new items this run; the rest come at the next (default: 200)",
    )
    _add_robots_option(fetching)
    _add_index_option(fetching)


def _add_index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-index",
        action="store_true",
        help="leave the near-duplicate index for the next command that needs it",
    )


def _add_robots_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ignore-robots",
        action="store_true",
        help="do not read robots.txt (for your own sites); the pause between requests stays",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="the most one request may take, from connecting to the last byte (default: 20)",
    )


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{value}: give between 0 and 3600 seconds")
    return seconds


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)


def _fetcher(args: argparse.Namespace) -> Any:
    from tui.intake.fetch import TIMEOUT, Fetcher

    return Fetcher(ignore_robots=args.ignore_robots, timeout=args.timeout or TIMEOUT)


def _progress_bar(label: str, *, piped: bool = False) -> Callable[[int, int], None] | None:
    """A one-line bar on stderr when it is a terminal. When piped, nothing; or with `piped` (a long
    fetch run by cron, into a log) a plain line at each tenth of the way, so it says how far it got."""
    if not sys.stderr.isatty():
        if not piped:
            return None
        shown: set[tuple[int, int]] = set()

        def log(done: int, total: int) -> None:
            step = (10 * done // total) if total else 10
            if done and (step, total) not in shown:
                shown.add((step, total))
                print(f"{label} {done}/{total}", file=sys.stderr, flush=True)

        return log

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\r\x1b[K" if done >= total else "\r"
        bar = "█" * filled + "·" * (width - filled)
        print(f"{label} {bar} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _intake(args: argparse.Namespace, *, tags: Sequence[str] = (), force: bool = False) -> Any:
    from tui.intake.intake import Intake

    return Intake(
        articles_dir=paths.articles_dir(args.articles),
        cache_dir=paths.cache_dir(args.cache_dir),
        fetcher=_fetcher(args),
        tags=list(tags),
        force=force,
    )


def _report(outcomes: Sequence[Any], as_json: bool) -> int:
    """Print outcomes (failures on stderr, one line each); 1 if any failed."""
    if as_json:
        emit_json([outcome.as_json() for outcome in outcomes])
    else:
        for outcome in outcomes:
            if outcome.status == "failed":
                print(f"{PROG}: {_one_line(outcome.line())}", file=sys.stderr)
            else:
                print(_one_line(outcome.line()))
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def cmd_add(args: argparse.Namespace) -> int:
    if args.sources.count("-") > 1:
        raise UsageError("standard input (-) can be given once")
    intake = _intake(args, tags=args.tag, force=args.force)
    outcomes = intake.add_sources(args.sources, progress=_progress_bar("adding"))
    code = _report(outcomes, args.json)
    _refresh_index(args, outcomes)
    return code


def _refresh_index(args: argparse.Namespace, outcomes: Sequence[Any]) -> None:
    """After articles came in: the near-duplicate index brought up to date, the new articles judged
    against their candidates (the rest comes from the index's store), with progress on stderr."""
    if args.no_index or not any(outcome.status in ("added", "update") for outcome in outcomes):
        return
    from tui.similarity import SimilarityIndex

    cache = paths.cache_dir(args.cache_dir)
    try:
        library = open_library(args, lazy=True)
        index = SimilarityIndex.build(library, cache, progress=_progress_bar("indexing"))
    except TuiError as error:  # the articles are saved; the index follows at the next command
        print(f"{PROG}: the index was not updated: {_one_line(str(error))}", file=sys.stderr)
        return
    if not args.json:  # beside the report of what came in; failures alone go to stderr
        judged = int(index.stats.get("verified", 0))
        print(f"index: {len(library)} articles, {counted(judged, 'pair')} judged anew")


def cmd_feeds(args: argparse.Namespace) -> int:
    from tui.intake.feeds import (
        Feed,
        FeedList,
        FeedState,
        feed_name,
        opml_document,
        parse_feed,
        read_opml_file,
    )
    from tui.intake.fetch import check_url, host_of

    feeds = FeedList.load(paths.config_dir(args.config_dir))
    if args.feeds_command == "list":
        if args.json:
            state = FeedState.load(paths.state_dir(args.state_dir)).feeds
            emit_json(
                [
                    {"name": f.name, "url": f.url, "checked": state.get(f.url, {}).get("checked")}
                    for f in feeds.feeds
                ]
            )
        elif not feeds.feeds:
            print(f"{PROG}: no feeds yet (see `{PROG} feeds add --help`)", file=sys.stderr)
        for feed in [] if args.json else feeds.feeds:
            print(f"{printable(feed.name):<30} {printable(feed.url)}")
        return 0
    if args.feeds_command == "export":
        document = opml_document(feeds.feeds)
        if args.output in (None, "-"):
            sys.stdout.write(document)
            return 0
        from pathlib import Path

        from tui.durable import write_atomically

        target = Path(args.output)
        if target.exists():
            raise UsageError(f"{args.output}: already exists; choose a new file")
        write_atomically(target, [document.encode("utf-8")], overwrite=False)
        print(printable(str(target)))
        return 0
    if args.feeds_command == "remove":
        gone = feeds.find(args.name)
        if gone is None:
            raise UsageError(f"no feed named {args.name!r} (see `{PROG} feeds list`)")
        feeds.feeds.remove(gone)
        feeds.save()
        print(f"removed {printable(gone.name)} ({printable(gone.url)})")
        return 0
    if args.feeds_command == "import":
        from pathlib import Path
        from urllib.parse import urlsplit

        added = 0
        left_out: dict[str, int] = {}
        for feed in read_opml_file(Path(args.file)):
            scheme = urlsplit(feed.url).scheme.lower()
            if feeds.find(feed.url) is not None:
                reason = "already followed"
            elif scheme in ("http", "https") and urlsplit(feed.url).hostname:
                feeds.feeds.append(Feed(feeds.unique_name(feed.name or host_of(feed.url)), feed.url))
                added += 1
                continue
            elif not scheme:
                reason = "a relative link"
            else:
                reason = f"a {scheme}: link, not http(s)" if scheme.isalnum() else "not an http(s) link"
            left_out[reason] = left_out.get(reason, 0) + 1
            print(
                f"{PROG}: left out {printable(feed.url)} ({printable(feed.name)}): {reason}", file=sys.stderr
            )
        if added:
            feeds.save()
        dropped = sum(left_out.values())
        why = f" ({', '.join(f'{count} {reason}' for reason, count in left_out.items())})" if dropped else ""
        print(
            f"{printable(args.file)}: {counted(added, 'feed')} added of {added + dropped}, "
            f"{dropped} left out{why}; {len(feeds.feeds)} followed"
        )
        return 0
    # add: read the feed once, so a wrong link is said now rather than at every fetch
    url = args.url.strip()
    try:
        check_url(url)
    except TuiError as error:
        raise UsageError(str(error)) from None
    known = feeds.find(url)
    if known is not None:
        print(f"already following {printable(url)} as {printable(known.name)}")
        return 0
    wanted = feed_name(args.name) if args.name is not None else None
    if args.name is not None and not wanted:
        raise UsageError(f"not a usable feed name: {printable(repr(args.name))}")
    if wanted and feeds.find(wanted) is not None:
        raise UsageError(f"a feed is already named {printable(repr(wanted))}")
    parsed = parse_feed(_fetcher(args).fetch(url).body, url)
    name = wanted or feeds.unique_name(parsed.title or host_of(url))
    feeds.feeds.append(Feed(name, url))
    feeds.save()
    print(
        f"following {printable(name)} ({counted(len(parsed.items), 'item')} now; `{PROG} fetch` to get them)"
    )
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from tui.intake.feeds import FeedList, FeedState
    from tui.intake.intake import fetch_feeds

    feeds = FeedList.load(paths.config_dir(args.config_dir))
    if not feeds.feeds:
        print(f"{PROG}: no feeds to fetch (see `{PROG} feeds add --help`)", file=sys.stderr)
        if args.json:
            emit_json([])
        return 0
    from tui.intake.intake import MAX_ITEMS

    args.max_items = args.max_items or MAX_ITEMS
    state = FeedState.load(paths.state_dir(args.state_dir))
    report = fetch_feeds(
        _intake(args),
        feeds.feeds,
        state,
        progress=_progress_bar("fetching", piped=True),
        max_items=args.max_items,
    )
    code = _report(report.outcomes, args.json)
    if not args.json:
        count = {status: sum(o.status == status for o in report.outcomes) for status in ("added", "update")}
        print(
            f"{counted(report.feeds_checked, 'feed')} ({report.feeds_unchanged} unchanged): "
            f"{count['added']} added, {counted(count['update'], 'update')}, {len(report.failed)} failed",
            file=sys.stderr,
        )
    if report.items_left:
        print(
            f"{PROG}: stopped at {args.max_items} items of {report.items_new} new; "
            f"{report.items_left} left for the next `{PROG} fetch`",
            file=sys.stderr,
        )
    _refresh_index(args, report.outcomes)
    return code


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "list": cmd_list,
    "dupes": cmd_dupes,
    "compare": cmd_compare,
    "annotate": cmd_annotate,
    "reattach": cmd_reattach,
    "notes": cmd_notes,
    "export": cmd_export,
    "import": cmd_import,
    "story": cmd_story,
    "stories": cmd_stories,
    "add": cmd_add,
    "feeds": cmd_feeds,
    "fetch": cmd_fetch,
}


def _one_line(message: str) -> str:
    return printable(" ".join(message.split()))


def run(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except TuiError as error:
        # Messages quote ids, paths and article text: untrusted, so shown, never obeyed.
        print(f"{PROG}: error: {_one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # `tui list | head`: the reader went away; that is not an error of ours.
        # Before OSError, which it is a kind of: that clause would call it a failure.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        # A folder where a file should be, a full disk, a read-only mount: the user's to fix.
        where = f": {error.filename}" if error.filename else ""
        print(f"{PROG}: error: {_one_line((error.strerror or str(error)) + where)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
