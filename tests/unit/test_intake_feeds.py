"""Feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed read; OPML in and out; the feed list and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake_web import (
    LocalWeb,
    article_html,
    article_keys,
    atom,
    json_feed,
    local_web_fixture,  # noqa: F401
    no_pause_fixture,  # noqa: F401
    rss091,
    rss10,
    rss20,
    truth,
)

from tui.errors import TuiError, UsageError
from tui.intake.feed_intake import fetch_feeds
from tui.intake.feeds import Feed, FeedError, FeedList, FeedState, opml_document, parse_feed, read_opml_file
from tui.intake.intake import Intake

# The pause between requests to one host is tested in test_intake_politeness.py.
pytestmark = pytest.mark.usefixtures("no_pause")


def test_rss_versions_atom_and_json_feed(local_web: LocalWeb) -> None:
    old = parse_feed(rss091(local_web, [("One", "/1"), ("Two", "/2")]).encode(), "http://x/old")
    rdf = parse_feed(rss10(local_web, [("Uno", "/u")]).encode(), "http://x/rdf")
    new = parse_feed(
        rss20(local_web, [("A", "/a", "Mon, 17 Jun 2024 09:00:00 GMT")]).encode(), "http://x/rss"
    )
    atom_feed = parse_feed(
        atom(local_web, [("At", "/at", "2024-06-17T10:00:00Z", None)]).encode(), "http://x/atom"
    )
    jf = parse_feed(
        json_feed(
            local_web, [{"id": "j1", "url": "/j1", "title": "Jay", "authors": [{"name": "J. Son"}]}]
        ).encode(),
        local_web.url("/feed.json"),
    )
    assert [i.link for i in old.items] == [local_web.url("/1"), local_web.url("/2")]
    assert old.title == "Old Times"
    assert [(i.title, i.link) for i in rdf.items] == [("Uno", local_web.url("/u"))]
    [item] = new.items
    assert (item.title, item.date) == ("A", "2024-06-17T09:00:00+00:00")
    assert atom_feed.items[0].author == "Atom Author" and atom_feed.items[0].link == local_web.url("/at")
    assert (jf.title, jf.items[0].link, jf.items[0].author) == ("JSON Times", local_web.url("/j1"), "J. Son")


def test_not_a_feed_is_named() -> None:
    with pytest.raises(FeedError, match=r"^http://x/f: not a feed"):
        parse_feed(b"<html><body>a page</body></html>", "http://x/f")
    with pytest.raises(FeedError, match=r"^http://x/j: not a feed \(JSON, but not a JSON Feed\)"):
        parse_feed(b'{"hello": 1}', "http://x/j")
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"\x00\x01 binary", "http://x/b")


def test_opml_round_trip_and_nested_outlines(tmp_path: Path) -> None:
    feeds = [Feed("News & more", "https://a.example/rss"), Feed("Blog", "https://b.example/atom")]
    path = tmp_path / "out.opml"
    path.write_text(opml_document(feeds))
    assert read_opml_file(path) == feeds
    nested = tmp_path / "newsboat.opml"
    nested.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head/><body><outline text="Folder">'
        '<outline text="Inner" type="rss" xmlUrl="https://c.example/feed"/></outline>'
        '<outline text="just a link" htmlUrl="https://d.example/"/></body></opml>'
    )
    assert read_opml_file(nested) == [Feed("Inner", "https://c.example/feed")]


def test_bad_opml_is_a_usage_error(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>')
    with pytest.raises(UsageError, match="declares entities"):
        read_opml_file(bomb)
    with pytest.raises(UsageError, match="no such file|No such file"):
        read_opml_file(tmp_path / "missing.opml")
    page = tmp_path / "page.opml"
    page.write_text("<html/>")
    with pytest.raises(UsageError, match="not an OPML file"):
        read_opml_file(page)


def test_feed_list_lives_in_the_config_folder(tmp_path: Path) -> None:
    feeds = FeedList.load(tmp_path / "config")
    assert feeds.feeds == []
    feeds.feeds.append(Feed("A", "https://a.example/rss"))
    feeds.save()
    assert FeedList.load(tmp_path / "config").feeds == [Feed("A", "https://a.example/rss")]
    assert feeds.unique_name("A") == "A 2"
    (tmp_path / "config" / "feeds.opml").write_text("<broken")
    with pytest.raises(TuiError, match="the feed list is damaged"):
        FeedList.load(tmp_path / "config")
    assert (tmp_path / "config" / "feeds.opml").read_text() == "<broken"  # never overwritten


def test_damaged_history_is_refused(tmp_path: Path) -> None:
    (tmp_path / "feeds-state.json").write_text("{not json")
    with pytest.raises(TuiError, match="fetch history .* is damaged"):
        FeedState.load(tmp_path)


def test_fetch_takes_full_content_and_reports_every_failure(local_web: LocalWeb, tmp_path: Path) -> None:
    first, second = article_keys(2)
    full = "".join(f"<p>{p}</p>" for p in truth()[first]["articleBody"].split("\n") if p.strip())
    local_web.route("/page2", article_html("Second", truth()[second]["articleBody"]))
    local_web.route(
        "/atom",
        atom(
            local_web,
            [
                ("Whole in the feed", "/never-fetched", "2024-06-17T10:00:00Z", full),
                ("From its page", "/page2", "2024-06-17T11:00:00Z", None),
                ("Broken link", "/missing", "2024-06-17T12:00:00Z", None),
            ],
        ),
        content_type="application/atom+xml",
    )
    local_web.route("/not-xml", "this is not a feed", content_type="text/plain")
    local_web.route(
        "/feed.json",
        json_feed(local_web, [{"id": "no-link", "title": "Nothing to follow", "summary": "short"}]),
        content_type="application/feed+json",
    )
    feeds = [
        Feed("Atom", local_web.url("/atom")),
        Feed("Bad", local_web.url("/not-xml")),
        Feed("Json", local_web.url("/feed.json")),
    ]
    state = FeedState.load(tmp_path / "state")
    intake = Intake(articles_dir=tmp_path / "articles", cache_dir=tmp_path / "cache")
    report = fetch_feeds(intake, feeds, state)
    by_status = sorted((o.status, o.title or "") for o in report.outcomes)
    assert [s for s, _ in by_status].count("added") == 2
    errors = sorted(o.error or "" for o in report.failed)
    assert len(errors) == 3
    assert errors[0] == "Json: Nothing to follow: feed item has no link"
    assert errors[1] == f"{local_web.url('/missing')}: HTTP 404 Not Found"
    assert errors[2].startswith(f"{local_web.url('/not-xml')}: not a feed (not RSS, Atom or JSON Feed)")
    assert not local_web.hits_for("/never-fetched")
    # the failed item is tried again; the others are not
    again = fetch_feeds(Intake(articles_dir=tmp_path / "articles"), feeds, FeedState.load(tmp_path / "state"))
    assert [o.input for o in again.outcomes if o.status != "failed"] == []
    assert local_web.url("/missing") in [o.input for o in again.failed]
