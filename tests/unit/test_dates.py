"""Publication dates keep the time and zone a source gives, and invent no midnight where it gives none."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from tui.library.dates import format_published, parse_date_and_time
from tui.library.loader import load_library

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs | Local Times</title>
<meta property="og:site_name" content="Local Times">
<meta property="article:published_time" content="2026-11-20T09:30Z">
</head><body><article><h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Friday morning after eight months of repairs to its
deck and cables, the city council said in a statement issued before dawn.</p>
<p>Engineers replaced more than two hundred cables and resurfaced the whole deck, and the council
said the work finished three weeks ahead of the schedule agreed with the contractor last spring.</p>
<p>Commuters who had used the ferry since March welcomed the news, though some said the tolls that
return with the bridge would cost them more than the ferry did during the closure.</p>
</article></body></html>"""


def test_the_time_and_zone_a_text_gives_are_kept_and_a_day_alone_has_no_time() -> None:
    moment, timed = parse_date_and_time("2026-11-20T09:30Z")
    assert timed and moment == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert format_published(moment, day_only=not timed) == "20 Nov 2026, 09:30 UTC"
    day, timed = parse_date_and_time("2026-11-20")
    assert day is not None and not timed
    assert format_published(day, day_only=True) == "20 Nov 2026"
    seoul, timed = parse_date_and_time("June 17, 2024 - 15:43", "The Korea Herald")
    assert timed and seoul == datetime(2024, 6, 17, 15, 43, tzinfo=timezone(timedelta(hours=9)))
    assert format_published(seoul, day_only=False) == "17 Jun 2024, 15:43 UTC+9"


def test_front_matter_dates_with_and_without_a_time(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    body = "Something happened in the harbour today. People watched it from the quay."
    (articles / "timed.md").write_text(f"---\ntitle: Timed\ndate: '2026-11-20T09:30Z'\n---\n\n{body}\n")
    (articles / "day.md").write_text(f"---\ntitle: Day\ndate: '2026-11-20'\n---\n\n{body}\n")
    library = load_library(articles, tmp_path / "cache")
    timed, day = library.get("timed"), library.get("day")
    assert not timed.day_only and timed.published == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert day.day_only
    again = load_library(articles, tmp_path / "cache")  # from the cache: the same
    assert again.get("day").day_only and not again.get("timed").day_only


def tui(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--articles", str(tmp_path / "articles"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


def test_a_saved_page_keeps_its_published_time_and_list_shows_a_day_alone_as_a_date(
    tmp_path: Path,
) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(PAGE)
    added = tui(tmp_path, "add", str(page))
    assert added.returncode == 0, added.stderr
    (stored,) = (tmp_path / "articles").glob("*.md")
    assert (
        "date: '2026-11-20T09:30Z'" in stored.read_text() or "date: 2026-11-20T09:30Z" in stored.read_text()
    )
    (tmp_path / "articles" / "day.md").write_text(
        "---\ntitle: Day\ndate: '2026-11-21'\n---\n\nSomething happened. People watched it.\n"
    )
    listed = tui(tmp_path, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    published = {row["title"]: row["published"] for row in json.loads(listed.stdout)}
    assert published["Harbour bridge reopens after repairs"] == "2026-11-20T09:30:00+00:00"
    assert published["Day"] == "2026-11-21"
