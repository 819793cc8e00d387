"""The command line: `tui [OPTIONS] [COMMAND]`. Without a command it opens the app.

Global options are accepted before or after any subcommand. Errors a user can cause end in one
line on stderr and exit code 2 (usage, unknown ids) or 1 (anything else); never a traceback.
The commands live by area beside this module: `library_commands`, `similarity_commands`,
`notes_commands`, `intake_commands`; what they print in `printers`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tui import paths
from tui.cli.common import PROG, one_line
from tui.cli.intake_commands import cmd_add, cmd_feeds, cmd_fetch
from tui.cli.library_commands import cmd_list
from tui.cli.notes_commands import cmd_annotate, cmd_export, cmd_import, cmd_notes, cmd_reattach
from tui.cli.parser import build_parser
from tui.cli.similarity_commands import cmd_compare, cmd_dupes, cmd_stories, cmd_story
from tui.errors import TuiError
from tui.text_safety import printable

if TYPE_CHECKING:
    from pathlib import Path


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (or the app) and give its exit code; a user's error is one line on stderr."""
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except TuiError as error:
        # Messages quote ids, paths and article text: untrusted, so shown, never obeyed.
        print(f"{PROG}: error: {one_line(str(error))}", file=sys.stderr)
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
        print(f"{PROG}: error: {one_line((error.strerror or str(error)) + where)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
