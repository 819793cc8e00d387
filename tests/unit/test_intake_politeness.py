"""The pause between requests to one host: robots.txt's Crawl-delay, else MIN_INTERVAL; hosts apart.

A fake clock that only `sleep` moves sees every pause asked for and waits for none; one test on
the real clock checks the pause is really kept.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

import pytest
from intake_web import FakeClock, LocalWeb, article_html, article_keys, local_web_fixture, rss20, truth  # noqa: F401

from tui.intake import fetch as fetch_module
from tui.intake.feed_intake import fetch_feeds
from tui.intake.feeds import Feed, FeedState
from tui.intake.fetch import Fetcher, FetchError
from tui.intake.intake import Intake


def paced(clock: FakeClock, *, ignore_robots: bool = False) -> Fetcher:
    return Fetcher(clock=clock, sleep=clock.sleep, ignore_robots=ignore_robots)


def test_one_host_waits_the_default_interval(local_web: LocalWeb) -> None:
    assert fetch_module.MIN_INTERVAL == 1.0
    urls = [local_web.route(f"/p{i}", "x") for i in range(3)]
    clock = FakeClock()
    fetcher = paced(clock)
    for url in urls:
        fetcher.fetch(url)
    # robots.txt (a 404 here) is read before the first page without a pause; then one a second
    assert clock.sleeps == [1.0, 1.0]
    assert [hit.path for hit in local_web.hits] == ["/robots.txt", "/p0", "/p1", "/p2"]


def test_other_hosts_do_not_wait_for_each_other(local_web: LocalWeb) -> None:
    a = local_web.route("/a", "a")
    b = local_web.route("/b", "b").replace("127.0.0.1", "localhost")  # another host to the fetcher
    clock = FakeClock()
    fetcher = paced(clock)
    for url in (a, b, a, b):
        fetcher.fetch(url)
    # the second /a waits a second after the first; by then /b's turn has come without a wait
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize(
    ("rules", "pause"),
    [
        ("Crawl-delay: 2.5", 2.5),
        ("Crawl-delay: 0.2", 1.0),  # never less than the default
        ("Request-rate: 1/5", 5.0),
        ("Crawl-delay: nonsense", 1.0),
    ],
)
def test_crawl_delay_from_robots_txt(local_web: LocalWeb, rules: str, pause: float) -> None:
    local_web.route("/robots.txt", f"User-agent: *\n{rules}\nDisallow: /private\n", content_type="text/plain")
    urls = [local_web.route(f"/p{i}", "x") for i in range(2)]
    clock = FakeClock()
    fetcher = paced(clock)
    for url in urls:
        fetcher.fetch(url)
    assert clock.sleeps == [pause]


def test_a_crawl_delay_past_the_bound_leaves_the_rest_for_later(local_web: LocalWeb) -> None:
    local_web.route("/robots.txt", "User-agent: tui\nCrawl-delay: 3600\n", content_type="text/plain")
    first, second = (local_web.route(f"/p{i}", "x") for i in range(2))
    clock = FakeClock()
    fetcher = paced(clock)
    fetcher.fetch(first)
    with pytest.raises(FetchError) as later:
        fetcher.fetch(second)
    assert str(later.value) == (
        f"{second}: not fetched: 127.0.0.1's robots.txt asks for 3600 s between requests; try again later"
    )
    assert clock.sleeps == [] and local_web.hits_for("/p1") == []


def test_every_redirect_is_a_request_and_waits_its_turn(local_web: LocalWeb) -> None:
    local_web.route("/final", "done")
    start = local_web.route("/go", "", status=302, headers={"Location": "/final"})
    clock = FakeClock()
    assert paced(clock).fetch(start).body == b"done"
    assert clock.sleeps == [1.0]


def test_ignore_robots_keeps_the_default_pause(local_web: LocalWeb) -> None:
    local_web.route("/robots.txt", "User-agent: *\nCrawl-delay: 7\n", content_type="text/plain")
    urls = [local_web.route(f"/p{i}", "x") for i in range(2)]
    clock = FakeClock()
    fetcher = paced(clock, ignore_robots=True)
    for url in urls:
        fetcher.fetch(url)
    assert clock.sleeps == [1.0]


def test_the_pause_is_kept_on_the_real_clock_with_threads(local_web: LocalWeb) -> None:
    urls = [local_web.route(f"/p{i}", "x") for i in range(3)]
    fetcher = Fetcher(max_workers=3, min_interval=0.5)
    assert list(fetcher.map(lambda url: fetcher.fetch(url).body, urls)) == [b"x"] * 3
    starts = sorted(hit.start for hit in local_web.hits if hit.path != "/robots.txt")
    # Timed where the server's handler starts, which a loaded machine delays by tens of milliseconds
    # for one request and not the next; requests sent without the pause arrive within a few.
    assert all(later - earlier >= 0.4 for earlier, later in zip(starts, starts[1:], strict=False))


def test_fetching_a_feed_paces_its_pages(local_web: LocalWeb, tmp_path: Path) -> None:
    titles = ("One", "Two", "Three")
    items = []
    for number, (title, key) in enumerate(zip(titles, article_keys(3), strict=True), 1):
        local_web.route(f"/news/{number}", article_html(title, truth()[key]["articleBody"]))
        items.append((title, f"/news/{number}", "Mon, 17 Jun 2024 09:00:00 GMT"))
    local_web.route("/robots.txt", "User-agent: *\nCrawl-delay: 2\n", content_type="text/plain")
    local_web.route("/feed.xml", rss20(local_web, items), content_type="application/rss+xml")
    clock = FakeClock()
    intake = Intake(articles_dir=tmp_path / "articles", fetcher=paced(clock))
    report = fetch_feeds(intake, [Feed("Local", local_web.url("/feed.xml"))], FeedState.load(tmp_path))
    assert sorted(o.status for o in report.outcomes) == ["added"] * 3
    assert clock.sleeps == [2.0, 2.0, 2.0]  # the feed, then three pages two seconds apart
    assert len(local_web.hits_for("/robots.txt")) == 1


def test_stopping_early_does_not_wait_out_the_pause(local_web: LocalWeb) -> None:
    urls = [local_web.route(f"/p{i}", "x") for i in range(2)]
    fetcher = Fetcher(max_workers=2, min_interval=30.0)
    began = time.monotonic()
    results = fetcher.map(lambda url: fetcher.fetch(url).body, urls)
    assert next(results) == b"x"
    assert isinstance(results, Generator)  # map is a generator, so that stopping early can close it
    results.close()  # what ctrl+c does to the loop that reads the results
    assert time.monotonic() - began < 10.0
    assert local_web.hits_for("/p1") == []
    other_host = urls[1].replace("127.0.0.1", "localhost")
    assert list(fetcher.map(lambda url: fetcher.fetch(url).status, [other_host])) == [200]  # it goes on


def test_a_turn_given_up_is_given_back(local_web: LocalWeb) -> None:
    urls = [local_web.route(f"/p{i}", "x") for i in range(3)]
    fetcher = Fetcher(max_workers=2, min_interval=1.5)
    results = fetcher.map(lambda url: fetcher.fetch(url).body, urls[:2])
    assert next(results) == b"x"
    began = local_web.hits_for("/p0")[0].start
    assert isinstance(results, Generator)
    results.close()  # /p1 gave up its turn, so /p2 waits for the turn after /p0, not after /p1
    fetcher.fetch(urls[2])
    waited = local_web.hits_for("/p2")[0].start - began
    assert 1.4 <= waited < 2.9


def test_a_long_pause_is_not_counted_against_the_timeout(local_web: LocalWeb) -> None:
    urls = [local_web.route(f"/p{i}", "x", delay=0.2) for i in range(2)]
    clock = FakeClock()

    def slow_sleep(seconds: float) -> None:  # the pause takes real time, longer than the timeout
        time.sleep(0.5)
        clock.sleep(seconds)

    fetcher = Fetcher(clock=clock, sleep=slow_sleep)
    for url in urls:
        assert fetcher.fetch(url, timeout=0.45).body == b"x"
    assert clock.sleeps == [1.0]
