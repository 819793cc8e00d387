"""Getting articles in: `tui add`, `tui feeds`, `tui fetch`, and the index brought up to date after."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tui import paths
from tui.cli.common import PROG, emit_json, one_line, open_library, print_lines
from tui.errors import TuiError, UsageError
from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from tui.intake.feeds import Feed, FeedList


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
                print(f"{PROG}: {one_line(outcome.line())}", file=sys.stderr)
            else:
                print(one_line(outcome.line()))
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
        print(f"{PROG}: the index was not updated: {one_line(str(error))}", file=sys.stderr)
        return
    if not args.json:  # beside the report of what came in; failures alone go to stderr
        judged = int(index.stats.get("verified", 0))
        print(f"index: {len(library)} articles, {counted(judged, 'pair')} judged anew")


def cmd_feeds(args: argparse.Namespace) -> int:
    from tui.intake.feeds import FeedList

    feeds = FeedList.load(paths.config_dir(args.config_dir))
    actions: dict[str, Callable[[argparse.Namespace, FeedList], int]] = {
        "list": _feeds_list,
        "export": _feeds_export,
        "remove": _feeds_remove,
        "import": _feeds_import,
        "add": _feeds_add,
    }
    return actions[args.feeds_command](args, feeds)


def _feeds_list(args: argparse.Namespace, feeds: FeedList) -> int:
    from tui.cli.printers import feeds_json, feeds_lines
    from tui.intake.feeds import FeedState

    if args.json:
        emit_json(feeds_json(feeds.feeds, FeedState.load(paths.state_dir(args.state_dir)).feeds))
        return 0
    if not feeds.feeds:
        print(f"{PROG}: no feeds yet (see `{PROG} feeds add --help`)", file=sys.stderr)
    print_lines(feeds_lines(feeds.feeds))
    return 0


def _feeds_export(args: argparse.Namespace, feeds: FeedList) -> int:
    from tui.intake.feeds import opml_document

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


def _feeds_remove(args: argparse.Namespace, feeds: FeedList) -> int:
    with feeds.changing() as current:
        gone = current.find(args.name)
        if gone is None:
            raise UsageError(f"no feed named {args.name!r} (see `{PROG} feeds list`)")
        current.feeds.remove(gone)
    print(f"removed {printable(gone.name)} ({printable(gone.url)})")
    return 0


def _feeds_import(args: argparse.Namespace, feeds: FeedList) -> int:
    from pathlib import Path

    from tui.cli.printers import feeds_import_lines
    from tui.intake.feeds import Feed, read_opml_file
    from tui.intake.fetch import host_of

    added = 0
    left_out: list[tuple[Feed, str]] = []
    wanted = read_opml_file(Path(args.file))
    with feeds.changing() as current:
        for feed in wanted:
            reason = _not_followed_because(feed, current)
            if reason is None:
                current.feeds.append(Feed(current.unique_name(feed.name or host_of(feed.url)), feed.url))
                added += 1
            else:
                left_out.append((feed, reason))
    report, summary = feeds_import_lines(args.file, added, left_out, followed=len(feeds.feeds))
    for line in report:
        print(line, file=sys.stderr)
    print(summary)
    return 0


def _not_followed_because(feed: Feed, feeds: FeedList) -> str | None:
    """Why a feed of an OPML file is left out: None when it is to be followed."""
    from urllib.parse import urlsplit

    if feeds.find(feed.url) is not None:
        return "already followed"
    try:
        parts = urlsplit(feed.url)
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError:  # `http://[::1`, a port past 65535
        return "a malformed link"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.hostname:
        return None
    if not scheme:
        return "a relative link"
    return f"a {scheme}: link, not http(s)" if scheme.isalnum() else "not an http(s) link"


def _feeds_add(args: argparse.Namespace, feeds: FeedList) -> int:
    """Read the feed once, so a wrong link is said now rather than at every fetch."""
    from tui.intake.feeds import Feed, feed_name, parse_feed
    from tui.intake.fetch import check_url, host_of

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
    with feeds.changing() as current:  # as it is now: another command may have changed it meanwhile
        known = current.find(url)
        if known is not None:
            print(f"already following {printable(url)} as {printable(known.name)}")
            return 0
        if wanted and current.find(wanted) is not None:
            raise UsageError(f"a feed is already named {printable(repr(wanted))}")
        name = wanted or current.unique_name(parsed.title or host_of(url))
        current.feeds.append(Feed(name, url))
    print(
        f"following {printable(name)} ({counted(len(parsed.items), 'item')} now; `{PROG} fetch` to get them)"
    )
    return 0


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM stops the block as ctrl+c does (its `finally` clauses run, the history is saved), and
    the command then exits 143, as a process that SIGTERM ends."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (the app runs fetches in a worker): as before
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_fetch(args: argparse.Namespace) -> int:
    from tui.cli.printers import fetch_summary_lines
    from tui.intake.feed_intake import fetch_feeds
    from tui.intake.feeds import FeedList, FeedState

    feeds = FeedList.load(paths.config_dir(args.config_dir))
    if not feeds.feeds:
        print(f"{PROG}: no feeds to fetch (see `{PROG} feeds add --help`)", file=sys.stderr)
        if args.json:
            emit_json([])
        return 0
    from tui.intake.feed_intake import MAX_ITEMS, MAX_SECONDS

    args.max_items = args.max_items or MAX_ITEMS
    args.max_time = args.max_time or MAX_SECONDS
    state = FeedState.load(paths.state_dir(args.state_dir))
    with _stopped_by_sigterm():  # a cron job's time limit (`timeout 10m tui fetch`) keeps what came in
        report = fetch_feeds(
            _intake(args),
            feeds.feeds,
            state,
            progress=_progress_bar("fetching", piped=True),
            max_items=args.max_items,
            max_seconds=args.max_time,
        )
    code = _report(report.outcomes, args.json)
    for line in fetch_summary_lines(report, args.max_items, args.max_time, counts=not args.json):
        print(line, file=sys.stderr)
    _refresh_index(args, report.outcomes)
    return code
