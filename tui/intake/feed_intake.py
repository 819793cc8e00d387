"""Fetching the feeds: every feed read (conditionally), its new items fetched a few at a time and
added through the door, and what each gave kept so that the next run takes up where this stopped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.errors import TuiError
from tui.intake.extract import (
    ExtractError,
    Page,
    extract_page,
    web_url,
)
from tui.intake.feeds import Feed, FeedItem, FeedState, parse_feed
from tui.intake.fetch import NotAsked, OutOfTime, Response, by_turns, host_of
from tui.intake.intake import (
    Intake,
    Outcome,
    Progress,
    utc_now,
    with_label,
)
from tui.intake.pages import (
    IntakeError,
    page_from_response,
)
from tui.wording import counted

FULL_CONTENT_WORDS = 150  # a feed item carrying this many words is the article itself
# A run of `tui fetch` takes at most this many new items (a 10,000-item feed is taken in over
# several runs, each saving what it got); at one request a second per host that is under 4 minutes.
MAX_ITEMS = 200
# And at most this many seconds: feeds and pages not read by then (a server that trickles, a site
# that asks for a long pause) are left, as the items past MAX_ITEMS are, for the next run.
MAX_SECONDS = 600.0
MAX_ITEM_TRIES = 3  # an item that failed this many fetches in a row is given up on
SAVE_EVERY = 2.0  # seconds between two saves of the fetch history during a run


@dataclass(slots=True)
class FetchReport:
    outcomes: list[Outcome] = field(default_factory=list)
    feeds_checked: int = 0
    feeds_unchanged: int = 0
    items_new: int = 0  # new or edited items found in the feeds
    items_left: int = 0  # of those, left for the next run by a bound
    feeds_left: int = 0  # feeds not read before the time bound (read first at the next run)
    out_of_time: bool = False  # the time bound stopped the run (and left something)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def left_over(self) -> str:
        """What a bound left for the next run, in words ("37 items and 1 feed not read"); empty
        when the run took everything."""
        parts = [counted(self.items_left, "item")] if self.items_left else []
        if self.feeds_left:
            parts.append(f"{counted(self.feeds_left, 'feed')} not read")
        return " and ".join(parts)


def _item_page(intake: Intake, item: FeedItem) -> Page:
    """The article of a feed item: the feed's own text when it is whole (or when there is no page
    to fetch), else its page."""
    link = web_url(item.link)
    page = None
    if item.content_html:
        try:
            page = extract_page(f"<html><body><article>{item.content_html}</article></body></html>", link)
        except ExtractError:
            page = None
        if page is not None and (link is None or len(re.findall(r"\w+", page.text)) >= FULL_CONTENT_WORDS):
            return _with_item_metadata(page, item)
    if link is None:
        if item.link:
            raise IntakeError(f"{item.link}: not an http(s) link, and the feed does not carry the article")
        raise IntakeError("feed item has no link")  # the caller names the feed and the item
    return _with_item_metadata(page_from_response(intake.fetcher.fetch(link), link), item)


def _with_item_metadata(page: Page, item: FeedItem) -> Page:
    from dataclasses import replace

    link = web_url(item.link)
    return replace(
        page,
        title=page.title or item.title,
        author=page.author or item.author,
        date=page.date or item.date,
        url=page.url or link,
        canonical_url=page.canonical_url or link,
    )


def fetch_feeds(
    intake: Intake,
    feeds: list[Feed],
    state: FeedState,
    progress: Progress | None = None,
    *,
    max_items: int = MAX_ITEMS,
    max_seconds: float = MAX_SECONDS,
    clock: Callable[[], float] | None = None,
) -> FetchReport:
    """Every feed read (conditionally), then at most `max_items` new or edited items added, all
    within `max_seconds` (what is not in by then is left: `report.out_of_time`).

    What each item gave is saved as it goes (every few seconds and at the end, even on ctrl+c), so a
    run that stops, or stops at a bound, is taken up where it stopped by the next. An item that
    failed `MAX_ITEM_TRIES` runs in a row is given up on, and the outcome says so.
    """
    import time

    intake.fetcher.stop_after(max_seconds)
    intake.load()
    report = FetchReport()
    ticker = _Ticker(progress, total=len(feeds))
    ticker.tick()
    read = list(intake.fetcher.map(lambda feed: _read_feed(intake, state, feed), feeds))
    todo = by_turns(_new_items(read, state, report, ticker), lambda pair: host_of(pair[1].link or ""))
    report.items_new = len(todo)
    unfinished = {feed.url for feed, _item in todo[max_items:]}  # left for the next run
    todo = todo[:max_items]
    report.items_left = report.items_new - len(todo)
    ticker.total += len(todo)
    ticker.tick()
    try:
        failed_feeds = _add_items(intake, state, todo, report, ticker, clock or time.monotonic)
        _keep_validators(read, state, failed_feeds | unfinished)
    finally:
        state.save()  # what came in is kept, whatever stopped the run
    return report


@dataclass(slots=True)
class _Ticker:
    """The run's progress: `done` of `total` feeds and items, told to `progress` at each step."""

    progress: Progress | None
    total: int
    done: int = 0

    def tick(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


# A feed as read: its items (none when unchanged, None when it failed) and the response or the error.
_ReadFeed = tuple[Feed, list[FeedItem] | None, Response | TuiError]

FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
)


def _read_feed(intake: Intake, state: FeedState, feed: Feed) -> _ReadFeed:
    memory = state.of(feed.url)
    try:
        response = intake.fetcher.fetch(
            feed.url,
            etag=memory.get("etag"),
            last_modified=memory.get("last_modified"),
            accept=FEED_TYPES,
        )
        if response.not_modified:
            return feed, [], response
        return feed, parse_feed(response.body, feed.url).items, response
    except TuiError as error:
        return feed, None, error


def _new_items(
    read: list[_ReadFeed], state: FeedState, report: FetchReport, ticker: _Ticker
) -> list[tuple[Feed, FeedItem]]:
    """The items not seen before, feed by feed; a feed that failed is an outcome of its own."""
    todo: list[tuple[Feed, FeedItem]] = []
    for feed, items, response in read:
        ticker.done += 1
        if isinstance(response, OutOfTime):
            report.feeds_left += 1  # not read: its items are not known, nor lost
            report.out_of_time = True
            continue
        report.feeds_checked += 1
        if items is None:
            report.outcomes.append(Outcome(feed.url, "failed", error=with_label(str(response), feed.url)))
            continue
        if isinstance(response, Response) and response.not_modified:
            report.feeds_unchanged += 1
        fresh = [item for item in items if not state.seen(feed.url, item)]
        todo.extend((feed, item) for item in fresh)
    return todo


def _add_items(
    intake: Intake,
    state: FeedState,
    todo: list[tuple[Feed, FeedItem]],
    report: FetchReport,
    ticker: _Ticker,
    clock: Callable[[], float],
) -> set[str]:
    """Each item fetched (a few at a time) and added, in order, what it gave remembered and saved
    every few seconds; gives the feeds whose items are to be tried again."""

    def read_item(pair: tuple[Feed, FeedItem]) -> Page | TuiError:
        if intake.fetcher.out_of_time():  # a feed's own text too: the run stops at its bound
            return OutOfTime("not taken: the run's time is up")
        try:
            return _item_page(intake, pair[1])
        except TuiError as error:
            return error

    failed_feeds: set[str] = set()
    last_save = clock()
    for (feed, item), result in zip(todo, intake.fetcher.map(read_item, todo), strict=True):
        if isinstance(result, OutOfTime):  # left for the next run, as the items past the bound are
            report.items_left += 1
            report.out_of_time = True
            failed_feeds.add(feed.url)
        else:
            report.outcomes.append(_settle(intake, state, feed, item, result, failed_feeds))
        ticker.done += 1
        ticker.tick()
        if clock() - last_save >= SAVE_EVERY:
            state.save()
            last_save = clock()
    return failed_feeds


def _settle(
    intake: Intake, state: FeedState, feed: Feed, item: FeedItem, result: Page | TuiError, retried: set[str]
) -> Outcome:
    """The item added (or its failure counted) and remembered; its feed put in `retried` when the
    item is to be tried again."""
    label = item.link or f"{feed.name}: {item.title or item.key}"
    if isinstance(result, TuiError):
        outcome = Outcome(label, "failed", title=item.title, error=with_label(str(result), label))
    else:
        outcome = intake.add_page(result, label)
    if outcome.status == "failed" and isinstance(result, NotAsked):
        retried.add(feed.url)  # never asked for in this run: tried next time, no try counted
    elif outcome.status == "failed":
        tries = state.failed(feed.url, item, outcome.error or "", utc_now())
        if tries >= MAX_ITEM_TRIES:
            state.give_up(feed.url, item, outcome.error or "", utc_now())
            outcome.error = f"{outcome.error} (failed {tries} fetches in a row: given up, not tried again)"
        else:
            retried.add(feed.url)  # tried again next time
    else:
        state.remember(feed.url, item, outcome.id or outcome.duplicate_of, utc_now())
    return outcome


def _keep_validators(read: list[_ReadFeed], state: FeedState, retried: set[str]) -> None:
    """A feed's validators kept only when all its items came in: else the next fetch would get
    "304 Not Modified" and never retry the items that failed or were left for the next run."""
    for feed, items, response in read:
        if items is None or not isinstance(response, Response):
            continue
        if feed.url in retried:
            continue
        memory = state.of(feed.url)
        memory["checked"] = utc_now().isoformat(timespec="seconds")
        if not response.not_modified:
            memory["etag"], memory["last_modified"] = response.etag, response.last_modified
