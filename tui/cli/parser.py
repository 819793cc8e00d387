"""The arguments: `tui [OPTIONS] [COMMAND]`, global options accepted before or after any
subcommand, a usage error in one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from tui import paths
from tui.cli.common import PROG
from tui.errors import UsageError
from tui.text_safety import without_surrogates


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# Where the data lives: (flag, metavar, help). Each also comes from its environment variable (`paths`).
DATA_LOCATIONS: tuple[tuple[str, str, str], ...] = (
    ("--articles", "DIR", f"articles folder (default ./articles, or ${paths.ARTICLES_ENV})"),
    ("--db", "FILE", f"annotation store (default ./annotations.json, or ${paths.DB_ENV})"),
    ("--notes-dir", "DIR", f"where `e` in the app exports notes (default ./notes, or ${paths.NOTES_ENV})"),
    (
        "--cache-dir",
        "DIR",
        f"derived data, safe to delete (default: the platform cache folder, or ${paths.CACHE_ENV})",
    ),
    (
        "--state-dir",
        "DIR",
        "kept between runs: reading positions, story ids, what feeds gave "
        f"(default: the platform state folder, or ${paths.STATE_ENV})",
    ),
)

# The settings folder, listed after -v as it always has been.
SETTINGS_LOCATION: tuple[str, str, str] = (
    "--config-dir",
    "DIR",
    f"settings: the feed list, keymap.json (default: the platform config folder, or ${paths.CONFIG_ENV})",
)


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On subparsers the defaults are SUPPRESS so that a value given before the subcommand is not
    # overwritten by the subparser's default: `tui --articles X list` and `tui list --articles X` agree.
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("data locations")
    for flag, metavar, help_text in DATA_LOCATIONS:
        group.add_argument(flag, metavar=metavar, default=default, help=help_text)
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="say every skipped or re-encoded file every time (by default: once after each change)",
    )
    flag, metavar, help_text = SETTINGS_LOCATION
    group.add_argument(flag, metavar=metavar, default=default, help=help_text)


# Adds a subcommand by name and help, with the global options, and gives its parser.
AddCommand = Callable[[str, str], argparse.ArgumentParser]


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

    _add_reading_commands(command)
    _add_annotation_commands(command)
    export = _add_notes_commands(command)
    _add_story_commands(command, export)
    _add_intake_commands(command)
    return parser


def _add_reading_commands(command: AddCommand) -> None:
    """`list`, `dupes` and `compare`: the library and what its articles share."""
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


def _add_annotation_commands(command: AddCommand) -> None:
    annotate = command("annotate", "highlight a passage of an article, with an optional note")
    annotate.add_argument("id", metavar="ID")
    annotate.add_argument("--quote", required=True, metavar="TEXT", help="the exact passage")
    # A note is kept as text: bytes that are not UTF-8 (half surrogates in Python) become U+FFFD.
    annotate.add_argument(
        "--note", default="", type=without_surrogates, metavar="TEXT", help="a Markdown note"
    )
    annotate.add_argument("--color", default=None, metavar="NAME", help="highlight color")
    annotate.add_argument("--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")
    _add_occurrence_option(annotate)

    reattach = command(
        "reattach", "place an annotation (an orphan) on a passage again; its note and tags stay"
    )
    reattach.add_argument(
        "annotation", metavar="ANNOTATION_ID", help="its id, or a unique start of it (see `tui notes`)"
    )
    reattach.add_argument("--quote", required=True, metavar="TEXT", help="the passage it now belongs to")
    _add_occurrence_option(reattach)
    reattach.add_argument(
        "--article", default=None, metavar="ID", help="the article to place it in (default: its own article)"
    )


def _add_occurrence_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--occurrence",
        type=int,
        default=None,
        metavar="N",
        help="which occurrence of a repeated quote (1-based)",
    )


def _add_notes_commands(command: AddCommand) -> argparse.ArgumentParser:
    """`notes`, `export` and `import`; gives `export`'s parser, which the story commands extend."""
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
    return export


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


def _add_story_commands(command: AddCommand, export: argparse.ArgumentParser) -> None:
    story = command("story", "the story of an article: its versions, passages and notes with their echoes")
    story.add_argument("id", metavar="ID", help="an article id (or a story id)")
    story.add_argument("--json", action="store_true", help="print one JSON object")
    stories = command("stories", "the library's stories (articles that are versions of each other)")
    stories.add_argument("--json", action="store_true", help="print one JSON array")
    export.add_argument(
        "--story", metavar="ID", help="one Markdown file for the story of this article (or story id)"
    )


def _add_intake_commands(command: AddCommand) -> None:
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
    fetching.add_argument(
        "--max-time",
        type=_duration,
        default=None,
        metavar="TIME",
        help="stop reading feeds and pages after TIME (90s, 10m, 1h; seconds when bare);"
        " the rest come at the next run (default: 10m)",
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


def _duration(value: str) -> float:
    """`90`, `90s`, `2.5m`, `1h`: seconds, more than none and at most a day."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    text = value.strip().lower()
    unit = units.get(text[-1:], 0.0)
    try:
        seconds = float(text[:-1] if unit else text) * (unit or 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a length of time: {value!r} (say 90s, 10m or 1h)") from None
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError(f"{value}: give more than none and at most 24h")
    return seconds


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)
