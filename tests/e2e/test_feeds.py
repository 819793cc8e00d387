"""End to end: the real `tui` command following a local feed.

A feed with three items: `tui feeds add`, `tui fetch`, `tui list` shows them; a second fetch adds
nothing (and the feed is asked for conditionally); an item whose page changed comes in as an update.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from intake_web import LocalWeb, article_html, article_keys, local_web_fixture, rss20, truth  # noqa: F401

TITLES = ("Harbour reopens after storm", "Council passes budget", "Rail strike called off")
DATES = ("Mon, 17 Jun 2024 09:00:00 GMT", "Mon, 17 Jun 2024 10:00:00 GMT", "Mon, 17 Jun 2024 11:00:00 GMT")


def tui(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        TUI_ARTICLES=str(tmp_path / "articles"),
        TUI_CACHE=str(tmp_path / "cache"),
        TUI_STATE=str(tmp_path / "state"),
        TUI_CONFIG=str(tmp_path / "config"),
    )
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def serve_feed(web: LocalWeb, bodies: list[str], dates: tuple[str, ...] = DATES) -> None:
    items = []
    for number, (title, body, date) in enumerate(zip(TITLES, bodies, dates, strict=True), 1):
        web.route(f"/news/{number}", article_html(title, body))
        items.append((title, f"/news/{number}", date))
    web.route("/feed.xml", rss20(web, items), content_type="application/rss+xml", etag=f'"{hash(dates)}"')


def test_follow_a_feed(local_web: LocalWeb, tmp_path: Path) -> None:
    bodies = [truth()[key]["articleBody"] for key in article_keys(3)]
    serve_feed(local_web, bodies)
    feed_url = local_web.url("/feed.xml")

    added = tui(tmp_path, "feeds", "add", feed_url)
    assert added.returncode == 0, added.stderr
    assert "following Local Times (3 items now" in added.stdout
    listed = tui(tmp_path, "feeds", "list", "--json")
    assert json.loads(listed.stdout)[0]["name"] == "Local Times"
    assert (tmp_path / "config" / "feeds.opml").exists()

    first = tui(tmp_path, "fetch", "--json")
    assert first.returncode == 0, first.stderr
    outcomes = json.loads(first.stdout)
    assert sorted(o["title"] for o in outcomes) == sorted(TITLES)
    assert {o["status"] for o in outcomes} == {"added"}

    library = json.loads(tui(tmp_path, "list", "--json").stdout)
    assert sorted(a["title"] for a in library) == sorted(TITLES)
    assert {a["source"] for a in library} == {"Local Times"}

    second = tui(tmp_path, "fetch", "--json")
    assert second.returncode == 0 and json.loads(second.stdout) == []
    assert local_web.hits_for("/feed.xml")[-1].status == 304  # asked conditionally, nothing sent
    assert len(json.loads(tui(tmp_path, "list", "--json").stdout)) == 3

    # The second story is corrected: its page changes and the feed says it was updated.
    corrected = bodies[1].replace("\n", "\nCorrection: an earlier version misstated the vote count.\n", 1)
    serve_feed(
        local_web, [bodies[0], corrected, bodies[2]], (DATES[0], "Tue, 18 Jun 2024 08:00:00 GMT", DATES[2])
    )
    third = tui(tmp_path, "fetch")
    assert third.returncode == 0, third.stderr
    line, indexed = third.stdout.splitlines()
    assert indexed.startswith("index: 4 articles, ")  # the new version judged against the rest
    earlier = next(a["id"] for a in library if a["title"] == TITLES[1])
    assert line.startswith("update: ") and line.endswith(f"(a new version of {earlier})")
    assert "0 added, 1 update, 0 failed" in third.stderr
    after = json.loads(tui(tmp_path, "list", "--json").stdout)
    assert [a["title"] for a in after].count(TITLES[1]) == 2


def test_fetch_failures_exit_1_and_keep_going(local_web: LocalWeb, tmp_path: Path) -> None:
    [body] = [truth()[key]["articleBody"] for key in article_keys(1)]
    local_web.route("/ok", article_html("Fine story", body))
    local_web.route("/loop", "", status=302, headers={"Location": "/loop"})
    local_web.route(
        "/feed.xml",
        rss20(local_web, [("Fine story", "/ok", DATES[0]), ("Looping", "/loop", DATES[1])]),
        content_type="application/rss+xml",
    )
    local_web.route("/broken.xml", "<rss><channel><item>", content_type="application/rss+xml")
    assert tui(tmp_path, "feeds", "add", local_web.url("/feed.xml"), "--name", "Good").returncode == 0
    bad = tui(tmp_path, "feeds", "add", local_web.url("/page-not-feed"))
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "HTTP 404" in bad.stderr
    result = tui(tmp_path, "fetch")
    assert result.returncode == 1
    assert "added: " in result.stdout
    assert f"tui: failed: {local_web.url('/loop')}: redirect loop" in result.stderr
    assert "Traceback" not in result.stderr
    usage = tui(tmp_path, "feeds", "remove", "Nope")
    assert usage.returncode == 2 and "no feed named 'Nope'" in usage.stderr
    assert tui(tmp_path, "add").returncode == 2
