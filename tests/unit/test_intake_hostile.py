"""Hostile and slow servers, two writers at once, and damaged inputs, through the real command.

Every server is on 127.0.0.1; the slow ones are bounded and stop with the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from intake_web import LocalWeb, Trickler, article_html, article_keys, local_web_fixture, truth  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


def tui(
    tmp_path: Path, *args: str, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
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
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


@pytest.fixture(name="trickler")
def trickler_fixture(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    mode, fast = request.param
    server = Trickler(mode=mode, interval=0.2, fast=fast)
    try:
        yield server
    finally:
        server.stop()


NO_ROBOTS = {"/robots.txt": b"User-agent: *\nAllow: /\n"}


@pytest.mark.parametrize(
    "trickler",
    [("body", NO_ROBOTS), ("headers", NO_ROBOTS), ("body", {})],
    ids=["trickled-body", "trickled-headers", "trickled-robots-txt"],
    indirect=True,
)
def test_a_trickling_server_is_stopped_at_the_deadline(trickler: Trickler, tmp_path: Path) -> None:
    # Before: the timeout was checked between 64 KiB blocks (a body took 302 s) and not at all for
    # headers or for the robots.txt read before the page.
    start = time.monotonic()
    done = tui(tmp_path, "add", trickler.url("/story.html"), "--timeout", "1.5", timeout=60)
    elapsed = time.monotonic() - start
    assert done.returncode == 1
    assert "timed out" in done.stderr
    assert elapsed < 6, elapsed  # 1.5 s for the request, robots.txt included, plus the start-up


@pytest.mark.parametrize("trickler", [("body", NO_ROBOTS)], indirect=True)
def test_a_trickling_feed_is_stopped_at_the_deadline(trickler: Trickler, tmp_path: Path) -> None:
    start = time.monotonic()
    done = tui(tmp_path, "feeds", "add", trickler.url("/feed.xml"), "--timeout", "1", timeout=60)
    assert done.returncode == 1 and "timed out" in done.stderr
    assert time.monotonic() - start < 6


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TUI_ARTICLES": str(tmp_path / "articles"),
        "TUI_CACHE": str(tmp_path / "cache"),
        "TUI_STATE": str(tmp_path / "state"),
        "TUI_CONFIG": str(tmp_path / "config"),
    }


def _together(tmp_path: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """The commands started at the same moment; their results."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=_env(tmp_path),
            text=True,
        )
        for command in commands
    ]
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _article_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "articles").glob("*.md"))


def test_four_adds_of_one_page_at_once_add_it_once(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: `… story`, `… 2`, `… 3`, `… 4`: each process decided on the library it had read at start.
    (key,) = article_keys(1)
    url = local_web.route("/story.html", article_html("One story", truth()[key]["articleBody"]))
    results = _together(tmp_path, [["add", url, "--ignore-robots"]] * 4)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(_article_files(tmp_path)) == 1
    lines = [r.stdout for r in results]
    assert sum(line.startswith("added:") for line in lines) == 1
    assert sum("already in the library" in line for line in lines) == 3


def _words_article(seed: int, count: int = 160) -> str:
    """An article of made-up words that shares almost none with another seed's."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(count)]
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, count, 12)]
    return " ".join(sentences)


def _full_text_feed(web: LocalWeb, count: int, path: str = "/big.xml") -> str:
    import html

    items = "".join(
        f"<item><title>Item {n}</title><link>{web.url(f'/item/{n}')}</link><guid>item-{n}</guid>"
        f"<content:encoded>{html.escape('<p>' + _words_article(n) + '</p>')}</content:encoded></item>"
        for n in range(count)
    )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Big</title>'
        f"<link>{web.base}/</link><description>d</description>{items}</channel></rss>"
    )
    return web.route(path, feed, content_type="application/rss+xml")


def test_a_huge_feed_is_taken_in_over_runs_with_a_printed_bound(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: no bound, nothing printed when piped, and the history written only at the end.
    feed = _full_text_feed(local_web, 300)
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    first = tui(tmp_path, "fetch", "--ignore-robots", "--max-items", "40")
    assert first.returncode == 0, first.stderr
    assert "stopped at 40 items of 300 new; 260 left for the next `tui fetch`" in first.stderr
    assert "fetching 40/41" in first.stderr or "fetching 41/41" in first.stderr  # progress, piped
    assert len(_article_files(tmp_path)) == 40
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert len(state["feeds"][feed]["items"]) == 40
    assert "etag" not in state["feeds"][feed]  # not finished: the feed is read again next time
    second = tui(tmp_path, "fetch", "--ignore-robots", "--max-items", "40")
    assert second.returncode == 0, second.stderr
    assert "already in the library" not in second.stdout  # it went on where it stopped
    assert len(_article_files(tmp_path)) == 80


@pytest.mark.parametrize(("stop", "code"), [("SIGINT", 130), ("SIGTERM", 143)], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_keeps_what_was_fetched(
    local_web: LocalWeb, tmp_path: Path, stop: str, code: int
) -> None:
    # SIGTERM too (a cron job's time limit): before, it ended the run without saving the history.
    import signal

    (key,) = article_keys(1)
    body = truth()[key]["articleBody"]
    items = []
    for n in range(12):
        # Each page its own text: a paragraph of its own words before the shared article.
        # The later pages answer slowly, so that the run is surely still going when ctrl+c comes
        # (on a fast machine all twelve could otherwise be in before it, and the run end normally).
        page = article_html(f"Story {n}", _words_article(100 + n) + "\n" + body)
        local_web.route(f"/p{n}.html", page, delay=3.0 if n >= 4 else 0.0)
        items.append((f"Story {n}", f"/p{n}.html", "Mon, 17 Jun 2024 09:00:00 GMT"))
    from intake_web import rss20

    feed = local_web.route("/feed.xml", rss20(local_web, items), content_type="application/rss+xml")
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0

    def as_from_a_shell() -> None:
        # The run hears the signal as a command started from a shell does, whatever the test
        # process did with it (a signal it ignores or blocks, its children would too).
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "fetch", "--ignore-robots"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=_env(tmp_path),
        text=True,
        preexec_fn=as_from_a_shell,
    )
    # The signal comes once the history has been saved with three articles or more (it is saved as
    # the run goes), while the slow pages keep the run going: a fixed pause raced a loaded machine.
    state_file = tmp_path / "state" / "feeds-state.json"

    def saved_items() -> int:
        try:
            return len(json.loads(state_file.read_text())["feeds"][feed]["items"])
        except (OSError, ValueError, KeyError):
            return 0

    deadline = time.monotonic() + 60
    while saved_items() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be stopped"
    process.send_signal(getattr(signal, stop))
    process.communicate(timeout=60)
    assert process.returncode == code
    kept = len(_article_files(tmp_path))
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert len(state["feeds"][feed]["items"]) == kept >= 3
    rest = tui(tmp_path, "fetch", "--ignore-robots")
    assert rest.returncode == 0, rest.stderr
    assert "already in the library" not in rest.stdout
    assert len(_article_files(tmp_path)) == 12


def test_an_item_that_keeps_failing_is_given_up_after_three_fetches(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: a failure on every fetch (the app's `R` showed it every time), with no end.
    from intake_web import rss20

    feed = local_web.route(
        "/feed.xml",
        rss20(local_web, [("Gone", "/gone.html", "Mon, 17 Jun 2024 09:00:00 GMT")]),
        content_type="application/rss+xml",
    )
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    runs = [tui(tmp_path, "fetch", "--ignore-robots") for _ in range(4)]
    assert [r.returncode for r in runs] == [1, 1, 1, 0]
    assert "HTTP 404" in runs[0].stderr and "given up" not in runs[0].stderr
    assert "failed 3 fetches in a row: given up, not tried again" in runs[2].stderr
    assert "0 failed" in runs[3].stderr
    assert len(local_web.hits_for("/gone.html")) == 3


def _annotation(source: str, tags: Sequence[str] = ()) -> dict[str, object]:
    return {
        "type": "Annotation",
        "id": "urn:uuid:aaaaaaaa-1234-4234-8234-123456789abc",
        "body": [{"type": "TextualBody", "value": "a note"}]
        + [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in tags],
        "target": {
            "source": source,
            "selector": [{"type": "TextQuoteSelector", "exact": "quick brown fox"}],
        },
    }


@pytest.mark.parametrize(
    "source",
    [
        "urn:tui:article:../../etc/passwd",
        "urn:tui:article:%2E%2E/%2E%2E/etc/passwd",
        "http://example.com/story",
        "urn:tui:article:/etc/passwd",
        "urn:tui:article:a/\x1b[2Jb",
    ],
)
def test_imported_article_ids_that_are_not_paths_in_the_library_are_refused(
    tmp_path: Path, source: str
) -> None:
    # Before: accepted and stored as the article id.
    file = tmp_path / "in.jsonld"
    file.write_text(json.dumps([_annotation(source)]))
    done = tui(tmp_path, "import", str(file))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "not an article id" in done.stderr
    assert "nothing imported" in done.stderr and "\x1b" not in done.stderr
    assert tui(tmp_path, "notes", "--json").stdout.strip() in ("[]", "")


def test_imported_tags_follow_the_rule_of_annotate(tmp_path: Path) -> None:
    # Before: `\x1b[31m../x` became `31m/x` on import.
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.md").write_text("---\ntitle: T\n---\n\nThe quick brown fox jumps over the lazy dog.\n")
    tag = "\x1b[31m../x"
    made = tui(tmp_path, "annotate", "a", "--quote", "quick brown fox", "--tag", tag)
    assert made.returncode == 0, made.stderr
    file = tmp_path / "in.jsonld"
    file.write_text(json.dumps([_annotation("urn:tui:article:a", [tag, "\x1b[0m"])]))
    assert tui(tmp_path, "import", str(file)).returncode == 0
    notes = json.loads(tui(tmp_path, "notes", "--json").stdout)
    assert [n["tags"] for n in notes] == [["x"], ["x"]]


def _feed(web: LocalWeb, title: str = "Local Times") -> str:
    from intake_web import rss20

    return web.route("/feed.xml", rss20(web, [], title=title), content_type="application/rss+xml")


@pytest.mark.parametrize("how", ["name", "title"])
def test_control_characters_in_a_feed_name_never_damage_the_feed_list(
    local_web: LocalWeb, tmp_path: Path, how: str
) -> None:
    # Before: ESC went into feeds.opml, and from then on every feeds command said it was damaged.
    if how == "name":
        added = tui(tmp_path, "feeds", "add", _feed(local_web), "--name", "a\x1bb\x07c", "--ignore-robots")
    else:
        added = tui(tmp_path, "feeds", "add", _feed(local_web, "Bell\x07 Times\x1b"), "--ignore-robots")
    assert added.returncode == 0, added.stderr
    import xml.etree.ElementTree as ET

    ET.fromstring((tmp_path / "config" / "feeds.opml").read_bytes())  # well-formed XML
    listed = tui(tmp_path, "feeds", "list")
    assert listed.returncode == 0 and listed.stdout.split()[0] in ("abc", "Bell")
    assert tui(tmp_path, "feeds", "export").returncode == 0
    assert tui(tmp_path, "fetch", "--ignore-robots").returncode == 0


def test_a_feed_list_damaged_by_an_old_version_is_read(local_web: LocalWeb, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    url = _feed(local_web)
    (config / "feeds.opml").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>tui feeds</title></head>'
        b'<body><outline type="rss" text="a\x1bb" title="a\x1bb" xmlUrl="' + url.encode() + b'" />'
        b'<outline type="rss" text="ref&#x7;" title="ref&#7;" xmlUrl="https://b.example/f" /></body></opml>\n'
    )
    listed = tui(tmp_path, "feeds", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [f["name"] for f in json.loads(listed.stdout)] == ["ab", "ref"]
    assert tui(tmp_path, "feeds", "remove", "ref").returncode == 0  # saved: now repaired
    import xml.etree.ElementTree as ET

    ET.fromstring((config / "feeds.opml").read_bytes())


def test_json_and_opml_outputs_escape_bidi_c1_and_invisible_characters(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: raw U+202E, U+009B and U+200B in `feeds export` and in every --json output.
    hostile = "evil\u202etxt.exe\u009b31m\u200bname"
    articles = tmp_path / "articles"
    articles.mkdir()
    text = f"The quick brown fox {hostile} jumps over the lazy dog. A second sentence is here."
    (articles / "a.md").write_text(f"---\ntitle: {hostile}\n---\n\n{text}\n")
    (articles / "b.md").write_text(f"---\ntitle: other {hostile}\n---\n\n{text} One more.\n")
    quote = f"fox {hostile} jumps"
    assert tui(tmp_path, "annotate", "a", "--quote", quote, "--note", hostile, "--tag", "t").returncode == 0
    assert (
        tui(tmp_path, "feeds", "add", _feed(local_web), "--name", hostile, "--ignore-robots").returncode == 0
    )
    outputs = {
        "list": tui(tmp_path, "list", "--json").stdout,
        "notes": tui(tmp_path, "notes", "--json").stdout,
        "compare": tui(tmp_path, "compare", "a", "b", "--json").stdout,
        "story": tui(tmp_path, "story", "a", "--json").stdout,
        "export": tui(tmp_path, "export", "--format", "json").stdout,
        "feeds list": tui(tmp_path, "feeds", "list", "--json").stdout,
        "feeds export": tui(tmp_path, "feeds", "export").stdout,
    }
    for name, output in outputs.items():
        assert output, name
        for character in ("\u202e", "\u009b", "\u200b"):
            assert character not in output, (name, character)
    assert json.loads(outputs["notes"])[0]["note"] == hostile  # escaped, not changed
    assert "&#x202e;" in outputs["feeds export"]


def test_opml_import_says_what_it_left_out(tmp_path: Path) -> None:
    # Before: "3 feeds added" of 7, the rest dropped without a word.
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="A" xmlUrl="https://a.example/feed"/>'
        '<outline text="B" xmlUrl="http://b.example/rss"/>'
        '<outline text="C" xmlUrl="https://c.example/atom"/>'
        '<outline text="J" xmlUrl="javascript:alert(1)"/>'
        '<outline text="F" xmlUrl="file:///etc/passwd"/>'
        '<outline text="R" xmlUrl="/relative/feed.xml"/>'
        '<outline text="A again" xmlUrl="https://a.example/feed"/>'
        "</body></opml>"
    )
    done = tui(tmp_path, "feeds", "import", str(opml))
    assert done.returncode == 0
    assert done.stdout.strip() == (
        f"{opml}: 3 feeds added of 7, 4 left out (1 a javascript: link, not http(s), "
        "1 a file: link, not http(s), 1 a relative link, 1 already followed); 3 followed"
    )
    assert len(done.stderr.splitlines()) == 4 and "javascript:alert(1) (J): a javascript: link" in done.stderr


def _front(path: Path) -> dict[str, object]:
    import yaml

    text = path.read_text(encoding="utf-8")
    front: dict[str, object] = yaml.safe_load(text.split("---\n")[1])
    return front


def test_a_canonical_link_to_another_site_is_not_the_page_s_own(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: stored with the other site's URL and reported as "an update of" its article.
    first, second = article_keys(2)
    theirs = "https://news.example.com/2024/story.html"
    original = tmp_path / "theirs.md"
    original.write_text(
        f"---\ntitle: Their story\nsource: Example News\nurl: {theirs}\n---\n\n{truth()[first]['articleBody']}\n"
    )
    assert tui(tmp_path, "add", str(original)).returncode == 0
    page = local_web.route(
        "/copy.html", article_html("A copy", truth()[second]["articleBody"], canonical=theirs)
    )
    done = tui(tmp_path, "add", page, "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["status"] == "added" and "duplicate_of" not in row
    front = _front(Path(row["path"]))
    assert front["url"] == page and "news.example.com" not in json.dumps(front)


def test_the_fetched_address_is_kept_beside_a_canonical_one(local_web: LocalWeb, tmp_path: Path) -> None:
    (key,) = article_keys(1)
    canonical = local_web.url("/news/story")
    page = local_web.route(
        "/amp/story.html?utm_source=x",
        article_html("Story", truth()[key]["articleBody"], canonical=canonical),
    )
    done = tui(tmp_path, "add", page, "--ignore-robots", "--json")
    front = _front(Path(json.loads(done.stdout)[0]["path"]))
    assert front["url"] == canonical and front["fetched"] == page
    again = tui(tmp_path, "add", page, "--ignore-robots")
    assert "already in the library" in again.stdout


@pytest.mark.parametrize("where", ["canonical", "front matter"])
def test_javascript_urls_are_never_stored(local_web: LocalWeb, tmp_path: Path, where: str) -> None:
    (key,) = article_keys(1)
    body = truth()[key]["articleBody"]
    if where == "canonical":
        source = local_web.route("/s.html", article_html("S", body, canonical="javascript:alert(1)"))
    else:
        file = tmp_path / "s.md"
        file.write_text(f"---\ntitle: S\nurl: javascript:alert(document.cookie)\n---\n\n{body}\n")
        source = str(file)
    done = tui(tmp_path, "add", source, "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    text = Path(json.loads(done.stdout)[0]["path"]).read_text()
    assert "javascript" not in text


def test_control_characters_are_cleaned_before_writing(tmp_path: Path) -> None:
    # Before: "added", then `tui list` skipped the file as binary; a title's `# h1` stayed in the body.
    (key,) = article_keys(1)
    body = truth()[key]["articleBody"].replace(". ", ".\x00 ", 3)
    file = tmp_path / "nul.md"
    file.write_bytes(f"# Bell\x07 title\x1b[2J\n\n{body}\n".encode())
    done = tui(tmp_path, "add", str(file), "--json")
    assert done.returncode == 0, done.stderr
    path = Path(json.loads(done.stdout)[0]["path"])
    data = path.read_bytes()
    assert b"\x00" not in data and b"\x1b" not in data and b"\x07" not in data
    assert "Bell" not in data.decode().split("---\n", 2)[2]  # the title line is not in the body
    listed = tui(tmp_path, "list", "--json")
    assert listed.returncode == 0 and "skipped" not in listed.stderr
    assert json.loads(listed.stdout)[0]["title"] == "Bell title[2J"


def test_a_utf8_page_with_some_bad_bytes_stays_utf8(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: decoded as Windows-1251, every accented letter turned to Cyrillic.
    (key,) = article_keys(1)
    body = "Le café de la gare a rouvert à Genève, déclare le maire. " + truth()[key]["articleBody"]
    page = article_html("Café à Genève", body).replace(b"rouvert", b"rouv\xff\xfeert")
    for route, ctype in (("/declared.html", "text/html; charset=utf-8"), ("/meta.html", "text/html")):
        url = local_web.route(route, page, content_type=ctype)
        done = tui(tmp_path, "add", url, "--ignore-robots", "--json", "--force")
        assert done.returncode == 0, done.stderr
        text = Path(json.loads(done.stdout)[0]["path"]).read_text()
        assert "Le café de la gare" in text and "Genève" in text


def test_a_feed_item_with_its_text_and_a_javascript_link_uses_the_text(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    import html

    (key,) = article_keys(1)
    content = "".join(
        f"<p>{html.escape(p)}</p>" for p in truth()[key]["articleBody"].split("\n") if p.strip()
    )
    feed = local_web.route(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>T</title><link>http://x.example/</link><description>d</description>"
        "<item><title>Whole</title><link>javascript:alert(1)</link><guid>g1</guid>"
        f"<content:encoded>{html.escape(content)}</content:encoded></item></channel></rss>",
        content_type="application/rss+xml",
    )
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    done = tui(tmp_path, "fetch", "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["status"] == "added"
    assert "javascript" not in Path(row["path"]).read_text()


def test_two_fetches_at_once_add_every_article_once(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: the app's `R` beside a cron `tui fetch` added every article twice.
    feed = _full_text_feed(local_web, 20)
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    results = _together(tmp_path, [["fetch", "--ignore-robots"]] * 2)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(_article_files(tmp_path)) == 20
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert len(state["feeds"][feed]["items"]) == 20
    assert tui(tmp_path, "fetch", "--ignore-robots").stdout == ""  # nothing left to take in


def test_what_add_reports_is_the_title_as_written(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: the file was named from the title before cleaning (a NUL became a space: `Ti tle`), and
    # `tui add`/`tui fetch` reported the raw title, while the file held the cleaned one.
    from intake_web import json_feed

    feed = local_web.route(
        "/feed.json",
        json_feed(
            local_web,
            [{"id": "1", "title": "Ti\u0000tle\u001b[2J", "content_text": _words_article(7)}],
        ),
        content_type="application/feed+json",
    )
    file = tmp_path / "y.md"
    file.write_text(f'---\ntitle: "Y\\0our\\e title"\nsource: "Lo\\acal"\n---\n\n{_words_article(8)}\n')
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    rows = json.loads(tui(tmp_path, "fetch", "--ignore-robots", "--json").stdout)
    rows += json.loads(tui(tmp_path, "add", str(file), "--json").stdout)
    assert [(row["status"], row["id"], row["title"]) for row in rows] == [
        ("added", "Title 2J", "Title[2J"),
        ("added", "Local - Your title", "Your title"),
    ]
    assert [_front(Path(row["path"]))["title"] for row in rows] == ["Title[2J", "Your title"]


def _followed_and_fetched_once(tmp_path: Path, feed: str) -> dict[str, Any]:
    """The feed "Half\ud800 Times" followed and fetched: its one item, "Ti\udc00tle", added, each half
    pair read as U+FFFD."""
    added = tui(tmp_path, "feeds", "add", feed, "--ignore-robots")
    assert added.returncode == 0 and "Half\ufffd Times" in added.stdout, added.stderr
    fetched = tui(tmp_path, "fetch", "--ignore-robots", "--json")
    assert fetched.returncode == 0, fetched.stderr
    (row,) = json.loads(fetched.stdout)
    assert row["status"] == "added" and row["title"] == "Ti\ufffdtle"
    return dict(row)


def test_lone_surrogates_in_a_json_feed_never_stop_a_fetch(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: JSON's "\ud800" decodes to half a surrogate pair, which no UTF-8 file holds: `feeds add`
    # ended in a traceback printing the feed's title, and `fetch` in one writing its history, so
    # every later fetch took the same items in again and failed the same way.
    content = _words_article(9)
    document = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Half\\ud800 Times", "items": [{"id": '
        f'"k\\ud800", "title": "Ti\\udc00tle", "authors": [{{"name": "A\\ud800n"}}], "content_text": "{content}"'
        "}]}"
    )
    feed = local_web.route("/feed.json", document, content_type="application/feed+json")
    row = _followed_and_fetched_once(tmp_path, feed)
    assert _front(Path(row["path"]))["author"] == "A\ufffdn"
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert list(state["feeds"][feed]["items"]) == ["k\ufffd"]
    assert tui(tmp_path, "fetch", "--ignore-robots").stdout == ""  # nothing taken in twice


def test_lone_surrogates_in_a_file_or_its_name_are_one_line_each(tmp_path: Path) -> None:
    # Before: a front matter's "\ud800" (YAML decodes it) and a file name in bytes that are not
    # UTF-8 (`\udcff` in Python) each ended `tui add` in a traceback.
    file = tmp_path / "half.md"
    file.write_text(f'---\ntitle: "Half\\ud800 title"\ntags: ["a\\udc00b"]\n---\n\n{_words_article(10)}\n')
    done = tui(tmp_path, "add", str(file), "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["title"] == "Half\ufffd title"
    assert tui(tmp_path, "list").returncode == 0
    missing = tui(tmp_path, "add", "missing\udcff.md", "--json")
    assert missing.returncode == 1 and missing.stderr == ""
    (row,) = json.loads(missing.stdout)
    assert row["input"] == "missing\udcff.md" and row["error"] == "missing\udcff.md: no such file"


def test_a_reference_to_half_a_surrogate_pair_in_an_rss_feed_is_read(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: feedparser's lenient parser turned `&#xd800;` into a character no UTF-8 text holds and
    # failed on it, so `feeds add` and `fetch` ended in a traceback.
    content = f"&lt;p&gt;{_words_article(11)} &amp;#xD800; &amp;#57343;&lt;/p&gt;"
    feed = local_web.route(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Half&#xd800; Times</title><link>{local_web.base}/</link><description>d</description>"
        f"<item><title>Ti&#55296;tle</title><link>{local_web.url('/a.html')}</link><guid>g&#xdfff;1</guid>"
        f"<content:encoded>{content}</content:encoded></item></channel></rss>",
        content_type="application/rss+xml",
    )
    _followed_and_fetched_once(tmp_path, feed)
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    (key,) = state["feeds"][feed]["items"]
    assert key.endswith("g\ufffd1")


def test_a_title_with_invisible_characters_leaves_no_heading_in_the_body(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: the heading had lost the bidi mark the title kept, so the two differed and the
    # title stayed in the body as `# …`.
    page = article_html("TITLE", _words_article(12)).replace(
        b"TITLE", b"Bidi&#x202e; and &#x1b;zero&#x200b;width"
    )
    done = tui(tmp_path, "add", local_web.route("/p.html", page), "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    body = Path(json.loads(done.stdout)[0]["path"]).read_text().split("---\n", 2)[2]
    assert "Bidi" not in body and "#" not in body


def test_a_note_in_bytes_that_are_not_utf8_is_kept_as_text(tmp_path: Path) -> None:
    # Before: `--note $'n\xff'` reached the store as half a surrogate pair and the save ended in a
    # traceback; tags already lost it by the rule of tags.
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.md").write_text("---\ntitle: T\n---\n\nThe quick brown fox jumps over the lazy dog.\n")
    made = tui(
        tmp_path, "annotate", "a", "--quote", "quick brown fox", "--note", "n\udcff", "--tag", "t\udcff"
    )
    assert made.returncode == 0, made.stderr
    (note,) = json.loads(tui(tmp_path, "notes", "--json").stdout)
    assert (note["note"], note["tags"]) == ("n\ufffd", ["t"])


def test_a_damaged_feed_list_stops_only_the_feed_commands_and_is_never_overwritten(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    damaged = b'<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"'
    (config / "feeds.opml").write_bytes(damaged)
    for command in (["feeds", "list"], ["feeds", "add", _feed(local_web), "--ignore-robots"], ["fetch"]):
        done = tui(tmp_path, *command)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, (command, done.stderr)
        assert "the feed list is damaged" in done.stderr and "move it away" in done.stderr
    (key,) = article_keys(1)
    page = local_web.route("/story.html", article_html("One story", truth()[key]["articleBody"]))
    assert tui(tmp_path, "add", page, "--ignore-robots").returncode == 0  # the rest goes on
    assert tui(tmp_path, "list").returncode == 0
    assert (config / "feeds.opml").read_bytes() == damaged
    # Emptied (an editor, a `touch`), it holds no feeds and nothing to lose: it is a new list.
    (config / "feeds.opml").write_bytes(b"\n")
    assert tui(tmp_path, "feeds", "list").returncode == 0
    assert tui(tmp_path, "feeds", "add", _feed(local_web), "--ignore-robots").returncode == 0
    assert tui(tmp_path, "feeds", "list").stdout.startswith("Local Times")


def test_feeds_added_at_the_same_moment_are_all_followed(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: each `feeds add` read the list when it started and wrote it back with its own feed
    # once it had read that feed: of four at once, the last to finish was the only one kept.
    from intake_web import rss20

    urls = [
        local_web.route(
            f"/feed{n}.xml", rss20(local_web, [], title=f"Times {n}"), content_type="application/rss+xml"
        )
        for n in range(4)
    ]
    results = _together(tmp_path, [["feeds", "add", url, "--ignore-robots"] for url in urls])
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    listed = json.loads(tui(tmp_path, "feeds", "list", "--json").stdout)
    assert sorted(feed["url"] for feed in listed) == sorted(urls)


def test_links_python_cannot_parse_are_one_line_each(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: `http://[::1` and a port past 65535 raised from Python's URL parser wherever they
    # came from (the command line, a redirect, a canonical link, a feed, a front matter already in
    # the library), and the command ended in a traceback.
    for bad in ("http://127.0.0.1:99999/x", "http://[::1/x"):
        done = tui(tmp_path, "add", bad)
        assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
        assert done.stderr.startswith(f"tui: failed: {bad}: a malformed link (")
        assert "Traceback" not in tui(tmp_path, "feeds", "add", bad).stderr
    local_web.route("/away", b"", status=302, headers={"Location": "http://127.0.0.1:99999/x"})
    away = tui(tmp_path, "add", local_web.url("/away"))
    assert away.returncode == 1 and away.stderr.endswith(": redirect to a malformed link\n"), away.stderr
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "old.md").write_text(
        f"---\ntitle: Old\nurl: http://x.example:99999/a\n---\n\n{_words_article(13)}\n"
    )
    pages = [
        local_web.route(f"/c{n}.html", article_html(f"C{n}", _words_article(14 + n), canonical=canonical))
        for n, canonical in enumerate(("http://127.0.0.1:99999/c", "http://[::1/c"))
    ]
    done = tui(tmp_path, "add", *pages, "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    assert [_front(Path(row["path"]))["url"] for row in json.loads(done.stdout)] == pages
    from intake_web import json_feed

    feed = local_web.route(
        "/feed.json",
        json_feed(
            local_web, [{"id": "1", "url": "http://[::1/a", "title": "T", "content_text": _words_article(16)}]
        ),
        content_type="application/feed+json",
    )
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    fetched = tui(tmp_path, "fetch", "--ignore-robots", "--json")
    assert fetched.returncode == 0 and json.loads(fetched.stdout)[0]["status"] == "added", fetched.stderr


def test_opml_import_leaves_out_malformed_links(tmp_path: Path) -> None:
    # Before: a traceback from Python's URL parser, and nothing imported.
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="V6" xmlUrl="http://[::1/f"/>'
        '<outline text="P" xmlUrl="http://x.example:99999/f"/><outline text="ok" xmlUrl="https://ok.example/f"/>'
        "</body></opml>"
    )
    done = tui(tmp_path, "feeds", "import", str(opml))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{opml}: 1 feed added of 3, 2 left out (2 a malformed link); 1 followed"
    assert "left out http://[::1/f (V6): a malformed link" in done.stderr


def test_a_canonical_link_to_a_parent_or_child_host_is_not_the_page_s_own(
    local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: any host inside the other counted as the same site, so on a platform that gives each
    # writer a host of its own (`someone.medium.com`, `someone.github.io`) one could claim another's
    # page, or the platform's own, and be stored as an update of it.
    first, second = article_keys(2)
    theirs = "http://news.localhost/2024/story.html"
    original = tmp_path / "theirs.md"
    original.write_text(f"---\ntitle: Their story\nurl: {theirs}\n---\n\n{truth()[first]['articleBody']}\n")
    assert tui(tmp_path, "add", str(original)).returncode == 0
    # `localhost` is 127.0.0.1; the page there names a host inside it as its own.
    page = local_web.route(
        "/copy.html", article_html("A copy", truth()[second]["articleBody"], canonical=theirs)
    )
    page = page.replace("127.0.0.1", "localhost")
    done = tui(tmp_path, "add", page, "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["status"] == "added" and "duplicate_of" not in row
    assert _front(Path(row["path"]))["url"] == page


def test_another_edition_of_the_same_site_is_the_page_s_own() -> None:
    from tui.intake.extract import canonical_for

    for fetched, claimed in [
        ("https://m.example.com/a", "https://www.example.com/a"),
        ("https://en.m.wikipedia.org/wiki/A", "https://en.wikipedia.org/wiki/A"),
        ("https://amp.example.co.uk/a", "https://example.co.uk/a"),
    ]:
        assert canonical_for(fetched, claimed) == claimed
    for fetched, claimed in [
        ("https://someone.medium.com/a", "https://medium.com/@other/a"),
        ("https://medium.com/@someone/a", "https://other.medium.com/a"),
        ("https://someone.github.io/a", "https://other.github.io/a"),
    ]:
        assert canonical_for(fetched, claimed) is None


def test_a_pipe_or_a_device_named_like_an_article_is_one_line(tmp_path: Path) -> None:
    # Before: a named pipe called `x.md` waited forever for a writer, and `z.md` linked to /dev/zero
    # was read until memory ran out (its size is 0, so the 10 MB cap never saw it).
    os.mkfifo(tmp_path / "x.md")
    (tmp_path / "z.md").symlink_to("/dev/zero")
    done = tui(tmp_path, "add", "x.md", "z.md", timeout=30)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"tui: failed: {name}: not a regular file (a pipe or a device)" for name in ("x.md", "z.md")
    ]
    # The same for the files `feeds import` and `import` read.
    for name in ("x.opml", "x.jsonld"):
        os.mkfifo(tmp_path / name)
    for name in ("z.opml", "z.jsonld"):
        (tmp_path / name).symlink_to("/dev/zero")
    for command in (["feeds", "import"], ["import"]):
        suffix = ".opml" if command[0] == "feeds" else ".jsonld"
        for name in ("x" + suffix, "z" + suffix):
            done = tui(tmp_path, *command, name, timeout=30)
            assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
            assert done.stderr.endswith(f"{name}: not a regular file (a pipe or a device)\n")


def test_a_feed_list_left_as_it_was_is_not_rewritten(local_web: LocalWeb, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    url = _feed(local_web)
    mine = f'<?xml version="1.0"?>\n<!-- my feeds, by hand -->\n<opml version="1.0"><body><outline text="L" xmlUrl="{url}"/></body></opml>\n'
    (config / "feeds.opml").write_text(mine)
    opml = tmp_path / "same.opml"
    opml.write_text(mine)
    assert "already following" in tui(tmp_path, "feeds", "add", url, "--ignore-robots").stdout
    assert tui(tmp_path, "feeds", "import", str(opml)).returncode == 0
    assert (config / "feeds.opml").read_text() == mine


def test_an_item_never_asked_for_is_not_given_up(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: an item whose turn at its host was too far away (`Crawl-delay: 3600`) failed without
    # being asked for, and three such runs gave it up for good, though its page was never tried.
    from intake_web import rss20

    local_web.route("/robots.txt", "User-agent: *\nCrawl-delay: 3600\n", content_type="text/plain")
    feed = local_web.route(
        "/feed.xml",
        rss20(local_web, [("Later", "/later.html", "Mon, 17 Jun 2024 09:00:00 GMT")]),
        content_type="application/rss+xml",
    )
    config = tmp_path / "config"
    config.mkdir()
    (config / "feeds.opml").write_text(
        f'<opml version="2.0"><body><outline text="L" xmlUrl="{feed}"/></body></opml>'
    )
    runs = [tui(tmp_path, "fetch") for _ in range(4)]
    assert all("not fetched" in run.stderr and "given up" not in run.stderr for run in runs), [
        r.stderr for r in runs
    ]
    assert local_web.hits_for("/later.html") == []
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert state["feeds"][feed]["items"] == {} and not state["feeds"][feed].get("failures")


@pytest.mark.parametrize("trickler", [("body", NO_ROBOTS)], indirect=True)
def test_a_server_that_ran_out_of_time_is_not_asked_again_in_the_run(
    trickler: Trickler, local_web: LocalWeb, tmp_path: Path
) -> None:
    # Before: every item on a trickling server waited out its own deadline, one after another, so a
    # feed of 200 such items held a cron fetch for 200 deadlines.
    from intake_web import rss20

    items = [(f"Slow {n}", f"/slow{n}.html", "Mon, 17 Jun 2024 09:00:00 GMT") for n in range(4)]
    feed = rss20(local_web, items)
    for n in range(4):
        feed = feed.replace(local_web.url(f"/slow{n}.html"), trickler.url(f"/slow{n}.html"))
    url = local_web.route("/feed.xml", feed, content_type="application/rss+xml")
    assert tui(tmp_path, "feeds", "add", url, "--ignore-robots").returncode == 0
    done = tui(tmp_path, "fetch", "--ignore-robots", "--timeout", "1")
    assert done.returncode == 1
    assert done.stderr.count(": timed out\n") == 1
    assert done.stderr.count("timed out earlier in this run; tried again next time") == 3
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert len(state["feeds"][url]["failures"]) == 1  # only the one asked for counts as a try


def _paged_feed(web: LocalWeb, count: int) -> str:
    """A feed of `count` items whose pages (each its own words) are on the local web."""
    from intake_web import rss20

    items = []
    for n in range(count):
        web.route(f"/t{n}.html", article_html(f"Timed {n}", _words_article(300 + n, 320)))
        items.append((f"Timed {n}", f"/t{n}.html", "Mon, 17 Jun 2024 09:00:00 GMT"))
    return web.route("/feed.xml", rss20(web, items), content_type="application/rss+xml")


def test_a_fetch_stops_at_its_time_bound_and_the_next_goes_on(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: a run had a bound on items but none on time; one request a second to one host, and
    # slow servers, held it as long as they liked.
    feed = _paged_feed(local_web, 6)
    assert tui(tmp_path, "feeds", "add", feed, "--ignore-robots").returncode == 0
    start = time.monotonic()
    first = tui(tmp_path, "fetch", "--ignore-robots", "--max-time", "2.5s")
    elapsed = time.monotonic() - start
    assert first.returncode == 0, first.stderr
    kept = len(_article_files(tmp_path))
    assert 1 <= kept < 6, first.stderr  # one page a second from this host: some, not all
    line = f"tui: stopped after 2.5 s, the time bound; {6 - kept} items left for the next `tui fetch`"
    assert line in first.stderr.splitlines(), first.stderr
    assert elapsed < 2.5 + 5, elapsed  # the bound, plus starting Python twice over at most
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert len(state["feeds"][feed]["items"]) == kept and not state["feeds"][feed].get("failures")
    assert "etag" not in state["feeds"][feed]
    second = tui(tmp_path, "fetch", "--ignore-robots")
    assert second.returncode == 0, second.stderr
    assert "already in the library" not in second.stdout and "time bound" not in second.stderr
    assert len(_article_files(tmp_path)) == 6


@pytest.mark.parametrize("trickler", [("body", NO_ROBOTS)], indirect=True)
def test_a_request_under_way_at_the_time_bound_is_cut_off_and_not_a_try(
    trickler: Trickler, local_web: LocalWeb, tmp_path: Path
) -> None:
    from intake_web import rss20

    feed = rss20(local_web, [("Slow", "/slow.html", "Mon, 17 Jun 2024 09:00:00 GMT")])
    url = local_web.route(
        "/feed.xml",
        feed.replace(local_web.url("/slow.html"), trickler.url("/slow.html")),
        content_type="application/rss+xml",
    )
    assert tui(tmp_path, "feeds", "add", url, "--ignore-robots").returncode == 0
    start = time.monotonic()
    done = tui(tmp_path, "fetch", "--ignore-robots", "--timeout", "60", "--max-time", "2")
    assert time.monotonic() - start < 2 + 5
    assert done.returncode == 0, done.stderr
    assert "tui: stopped after 2 s, the time bound; 1 item left for the next `tui fetch`" in done.stderr
    assert "timed out" not in done.stderr and "0 failed" in done.stderr
    state = json.loads((tmp_path / "state" / "feeds-state.json").read_text())
    assert state["feeds"][url]["items"] == {} and not state["feeds"][url].get("failures")


@pytest.mark.parametrize("trickler", [("body", NO_ROBOTS)], indirect=True)
def test_a_feed_not_read_by_the_time_bound_is_said_and_read_next_time(
    trickler: Trickler, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    feed = trickler.url("/feed.xml")
    (config / "feeds.opml").write_text(
        f'<opml version="2.0"><body><outline text="S" xmlUrl="{feed}"/></body></opml>'
    )
    done = tui(tmp_path, "fetch", "--ignore-robots", "--timeout", "60", "--max-time", "1.5")
    assert done.returncode == 0, done.stderr
    assert "tui: stopped after 1.5 s, the time bound; 1 feed not read left for the next `tui fetch`" in (
        done.stderr
    )
    assert "0 feeds" in done.stderr and "timed out" not in done.stderr


@pytest.mark.parametrize("value", ["soon", "-1", "0", "2d", "25h", "nan"])
def test_a_time_bound_that_is_not_one_is_a_one_line_error(tmp_path: Path, value: str) -> None:
    done = tui(tmp_path, "fetch", "--max-time", value)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) <= 2 and "Traceback" not in done.stderr
    assert "--max-time" in done.stderr


@pytest.mark.parametrize("theirs", ["https://news.example.com/story", "https://www.evil-news.co.uk/story"])
def test_a_canonical_link_to_another_site_never_names_the_page(
    local_web: LocalWeb, tmp_path: Path, theirs: str
) -> None:
    # Before: a page that gives no site name was named after the host of its canonical link, so a
    # copy claiming another site's address was filed as that site's article (`news.example.com - …`).
    (key,) = article_keys(1)
    html = article_html("A copy", truth()[key]["articleBody"], canonical=theirs)
    html = html.replace(b'<meta property="og:site_name" content="Local Times">', b"")
    page = local_web.route("/copy.html", html)
    done = tui(tmp_path, "add", page, "--ignore-robots", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    text = Path(row["path"]).read_text()
    assert "example.com" not in row["id"] + text and "evil-news" not in row["id"] + text
    assert str(_front(Path(row["path"]))["source"]).startswith("127.0.0.1")
