"""`tui add`, `tui feeds` and `tui fetch` through the real entry point, against a local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from intake_web import LocalWeb, article_keys, local_web_fixture, real_page, rss20, truth  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


def tui(tmp_path: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUI_ARTICLES": str(tmp_path / "articles"),
        "TUI_CACHE": str(tmp_path / "cache"),
        "TUI_STATE": str(tmp_path / "state"),
        "TUI_CONFIG": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def test_add_real_pages_then_json_statuses(local_web: LocalWeb, tmp_path: Path) -> None:
    first, second = article_keys(2)
    a = local_web.route("/real/a.html", real_page(first))
    b = local_web.route("/real/b.html", real_page(second), gzip=True)
    added = tui(tmp_path, "add", a, b, "--tag", "bench", "--json")
    assert added.returncode == 0, added.stderr
    assert "\r" not in added.stderr  # no progress bar when piped
    rows = json.loads(added.stdout)
    assert [r["status"] for r in rows] == ["added", "added"]
    assert set(rows[0]) == {"input", "status", "id", "path", "title"}
    text = Path(rows[0]["path"]).read_text()
    assert text.startswith("---\ntitle: ") and "tags:\n- bench\n" in text
    # The marked article text is what the file holds (most of it, at least).
    marked = truth()[first]["articleBody"].split("\n")[1].strip()
    assert marked[:60] in " ".join(text.split())
    listed = json.loads(tui(tmp_path, "list", "--json").stdout)
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in rows)

    again = tui(tmp_path, "add", a, "--json")
    assert again.returncode == 0
    [row] = json.loads(again.stdout)
    assert (row["status"], row["duplicate_of"], row["id"]) == ("duplicate", rows[0]["id"], None)
    plain = tui(tmp_path, "add", a)
    assert plain.stdout.strip() == f"{a}: already in the library as {rows[0]['id']}"
    forced = json.loads(tui(tmp_path, "add", a, "--force", "--json").stdout)
    assert forced[0]["status"] in ("added", "update") and forced[0]["id"] != rows[0]["id"]


def test_a_seed_file_already_in_the_library_is_a_duplicate(tmp_path: Path) -> None:
    seed = next((REPO / "articles").glob("000_*.txt"))
    first = json.loads(tui(tmp_path, "add", str(seed), "--json").stdout)[0]
    assert first["status"] == "added"
    second = json.loads(tui(tmp_path, "add", str(seed), "--json").stdout)[0]
    assert (second["status"], second["duplicate_of"]) == ("duplicate", first["id"])


def test_failures_exit_1_one_line_each_and_the_rest_go_on(local_web: LocalWeb, tmp_path: Path) -> None:
    good = local_web.route("/real/ok.html", real_page(article_keys(1)[0]))
    pdf = local_web.route("/paper.pdf", b"%PDF-1.5\n...", content_type="application/pdf")
    loop = local_web.route("/loop", "", status=301, headers={"Location": "/loop"})
    result = tui(tmp_path, "add", pdf, good, loop, "missing.md")
    assert result.returncode == 1
    assert result.stdout.startswith("added: ")
    assert result.stderr.splitlines() == [
        f"tui: failed: {pdf}: a PDF; PDFs are not supported yet",
        f"tui: failed: {loop}: redirect loop",
        "tui: failed: missing.md: no such file",
    ]
    assert len([p for p in (tmp_path / "articles").iterdir() if not p.name.startswith(".")]) == 1


def test_stdin_page(tmp_path: Path) -> None:
    result = tui(tmp_path, "add", "-", "--json", stdin=real_page(article_keys(1)[0]))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["input"] == "-"
    assert tui(tmp_path, "add", "-", "-").returncode == 2


def test_feeds_list_remove_import_export(local_web: LocalWeb, tmp_path: Path) -> None:
    feed = local_web.route(
        "/rss", rss20(local_web, [], title="Harbour News"), content_type="application/rss+xml"
    )
    assert tui(tmp_path, "feeds", "list").stderr.startswith("tui: no feeds yet")
    assert tui(tmp_path, "feeds", "add", feed, "--name", "Harbour").returncode == 0
    assert tui(tmp_path, "feeds", "add", feed).stdout.startswith("already following")
    opml = tmp_path / "other.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        '<outline text="Harbour" xmlUrl="https://b.example/feed"/>'
        f'<outline text="Again" xmlUrl="{feed}"/></outline></body></opml>'
    )
    imported = tui(tmp_path, "feeds", "import", str(opml))
    assert (
        imported.stdout.strip() == f"{opml}: 1 feed added of 2, 1 left out (1 already followed); 2 followed"
    )
    listed = json.loads(tui(tmp_path, "feeds", "list", "--json").stdout)
    assert [(f["name"], f["url"]) for f in listed] == [
        ("Harbour", feed),
        ("Harbour 2", "https://b.example/feed"),
    ]
    exported = tui(tmp_path, "feeds", "export")
    assert 'xmlUrl="https://b.example/feed"' in exported.stdout and exported.stdout.startswith("<?xml")
    (tmp_path / "taken.opml").write_text("mine")
    refused = tui(tmp_path, "feeds", "export", "-o", str(tmp_path / "taken.opml"))
    assert refused.returncode == 2 and (tmp_path / "taken.opml").read_text() == "mine"
    assert tui(tmp_path, "feeds", "remove", "Harbour 2").stdout.startswith("removed Harbour 2")
    assert [f["name"] for f in json.loads(tui(tmp_path, "feeds", "list", "--json").stdout)] == ["Harbour"]
    assert tui(tmp_path, "feeds", "import", str(tmp_path / "nope.opml")).returncode == 2
    assert tui(tmp_path, "feeds").returncode == 2
    assert tui(tmp_path, "feeds", "add", "file:///etc/passwd").returncode == 2


def test_config_dir_flag_wins(local_web: LocalWeb, tmp_path: Path) -> None:
    feed = local_web.route("/rss", rss20(local_web, []), content_type="application/rss+xml")
    assert tui(tmp_path, "feeds", "add", feed, "--config-dir", str(tmp_path / "elsewhere")).returncode == 0
    assert (tmp_path / "elsewhere" / "feeds.opml").exists()
    assert not (tmp_path / "config" / "feeds.opml").exists()


def test_fetch_without_feeds(tmp_path: Path) -> None:
    result = tui(tmp_path, "fetch", "--json")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    assert "no feeds to fetch" in result.stderr


def test_robots_txt_refusals_are_one_line_and_ignore_robots_overrides(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    local_web.route("/robots.txt", "User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    page = local_web.route("/members/story.html", real_page(article_keys(1)[0]))
    robots = local_web.url("/robots.txt")
    refused = tui(tmp_path, "add", page)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [f"tui: failed: {page}: not fetched: {robots} disallows it for tui"]
    assert local_web.hits_for("/members/story.html") == [] and not (tmp_path / "articles").exists()
    mine = tui(tmp_path, "add", page, "--ignore-robots", "--json")
    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout)[0]["status"] == "added"

    feed = local_web.route("/members/rss", rss20(local_web, []), content_type="application/rss+xml")
    follow = tui(tmp_path, "feeds", "add", feed)
    assert (follow.returncode, follow.stderr) == (
        1,
        f"tui: error: {feed}: not fetched: {robots} disallows it for tui\n",
    )
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    fetched = tui(tmp_path, "fetch")  # the feed itself is now refused at fetch time
    assert fetched.returncode == 1 and f"tui: failed: {feed}: not fetched: {robots}" in fetched.stderr
    assert tui(tmp_path, "fetch", "--ignore-robots").returncode == 0


def test_markdown_tags_and_given_tags_through_the_command(tmp_path: Path) -> None:
    source = tmp_path / "clip.md"
    source.write_text(
        "---\ntitle: Floods recede\ntags: [climate, rivers]\n---\n"
        "Water levels fell overnight across the valley, officials said on Sunday.\n"
    )
    added = tui(tmp_path, "add", str(source), "--tag", "later", "--tag", "rivers", "--json")
    assert added.returncode == 0, added.stderr
    text = Path(json.loads(added.stdout)[0]["path"]).read_text()
    assert "tags:\n- climate\n- rivers\n- later\n" in text
    bad = tui(tmp_path, "add", str(source), "--tag", "!!!")
    assert bad.returncode == 2
    assert bad.stderr == "tui: error: not a usable tag: '!!!' (letters, digits, '-', '_' and '/')\n"


def test_add_brings_the_index_up_to_date_unless_asked_not_to(tmp_path: Path) -> None:
    story = "The regional rail operator cancelled all night trains on the northern line from Friday. " * 3
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("Night trains cancelled\n\n" + story + "\n")
    second.write_text("Night trains cancelled again\n\n" + story + "Drivers are short.\n")
    index_file = tmp_path / "cache" / "similarity" / "index.sqlite"

    skipped = tui(tmp_path, "add", str(first), "--no-index")
    assert skipped.returncode == 0, skipped.stderr
    assert not index_file.exists() and "index:" not in skipped.stdout

    added = tui(tmp_path, "add", str(second))
    assert added.returncode == 0, added.stderr
    assert "index: 2 articles, 1 pair judged anew" in added.stdout and not added.stderr
    assert index_file.is_file()
    # The next command finds the index current: no pair judged again.
    from tui.library.loader import load_library
    from tui.similarity import SimilarityIndex

    kept = SimilarityIndex.stored(load_library(tmp_path / "articles"), tmp_path / "cache")
    assert kept is not None and len(kept.pairs()) == 1
