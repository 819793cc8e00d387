"""The commands on annotations: `tui annotate`, `tui reattach`, `tui notes`, `tui export`, `tui import`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.cli.common import PROG, emit_json, open_library, open_stories
from tui.errors import UsageError
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.library.articles import Library


def _note_filter(args: argparse.Namespace) -> Any:
    from tui.annotations.annotation import note_filter

    return note_filter(args.tag, args.text)


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
