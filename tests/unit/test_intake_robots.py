"""robots.txt: read once per origin per run, kept to for our user agent, refusals named in one line."""

from __future__ import annotations

import socket

import pytest
from intake_web import LocalWeb, local_web_fixture, no_pause_fixture  # noqa: F401  (the fixtures)

from tui.intake.fetch import USER_AGENT, Fetcher, FetchError, RobotsRefused
from tui.intake.robots import RobotsRules, origin_of, parse_robots, rules_for_status

pytestmark = pytest.mark.usefixtures("no_pause")

ROBOTS = b"""# a site's rules, in the forms sites write them for Google
User-agent: *
Disallow: /

User-agent: SomeOtherBot
Allow: /

User-agent: tui
Disallow: /news/
Allow: /news/public/
Disallow: /*/print$
Disallow: /*?session=
"""


def serve_robots(web: LocalWeb, body: bytes = ROBOTS, *, status: int = 200) -> None:
    web.route("/robots.txt", body, content_type="text/plain", status=status)


def test_disallowed_page_is_refused_in_one_line_and_never_asked_for(local_web: LocalWeb) -> None:
    serve_robots(local_web)
    url = local_web.route("/news/secret", "<html>secret</html>")
    with pytest.raises(RobotsRefused) as refused:
        Fetcher().fetch(url)
    message = str(refused.value)
    assert message == f"{url}: not fetched: {local_web.url('/robots.txt')} disallows it for tui"
    assert "\n" not in message
    assert local_web.hits_for("/news/secret") == []
    assert local_web.hits_for("/robots.txt")[0].headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/public/story", True),  # the longer Allow beats the shorter Disallow
        ("/news/story", False),
        ("/world/story", True),  # our group replaces `*`, which disallows everything
        ("/world/story/print", False),  # `*` and `$` are wildcards
        ("/world/story/print?page=2", True),  # `$` anchors the end
        ("/world/story?session=42", False),
    ],
)
def test_rules_as_rfc_9309_reads_them(local_web: LocalWeb, path: str, allowed: bool) -> None:
    serve_robots(local_web)
    url = local_web.route(path, "<html>page</html>")  # the local web routes by path and query
    fetcher = Fetcher()
    if allowed:
        assert fetcher.fetch(url).body == b"<html>page</html>"
    else:
        with pytest.raises(RobotsRefused, match="robots.txt disallows it"):
            fetcher.fetch(url)


def test_the_star_group_applies_when_none_names_us(local_web: LocalWeb) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /private\n\nUser-agent: tuiish\nDisallow: /\n")
    allowed = local_web.route("/open", "<html>open</html>")
    refused = local_web.route("/private/a", "<html>no</html>")
    fetcher = Fetcher()
    assert fetcher.fetch(allowed).status == 200  # `tuiish` is another agent, not us
    with pytest.raises(RobotsRefused):
        fetcher.fetch(refused)


def test_robots_txt_is_read_once_per_origin_per_run(local_web: LocalWeb) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /private\n")
    urls = [local_web.route(f"/p{i}", "<html>x</html>") for i in range(3)]
    fetcher = Fetcher(max_workers=3)
    assert list(fetcher.map(lambda url: fetcher.fetch(url).status, urls)) == [200, 200, 200]
    assert len(local_web.hits_for("/robots.txt")) == 1
    Fetcher().fetch(urls[0])  # a new run reads it again: the site may have changed it
    assert len(local_web.hits_for("/robots.txt")) == 2


def test_each_origin_has_its_own_robots_txt(local_web: LocalWeb) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /\n")
    url = local_web.route("/page", "<html>x</html>")
    fetcher = Fetcher()
    with pytest.raises(RobotsRefused):
        fetcher.fetch(url)
    with pytest.raises(RobotsRefused):
        fetcher.fetch(url.replace("127.0.0.1", "localhost"))
    assert len(local_web.hits_for("/robots.txt")) == 2
    assert origin_of("HTTP://Example.org:8080/a?b") == "http://example.org:8080"
    assert origin_of("https://[::1]/x") == "https://[::1]"


@pytest.mark.parametrize("status", [404, 410])
def test_missing_robots_txt_allows_everything(local_web: LocalWeb, status: int) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /\n", status=status)  # the body of an error is no rule
    url = local_web.route("/page", "<html>x</html>")
    assert Fetcher().fetch(url).status == 200


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (401, "answered HTTP 401, which reads as keep out"),
        (403, "answered HTTP 403, which reads as keep out"),
        (429, "answered HTTP 429; try again later"),
        (503, "answered HTTP 503; try again later"),
    ],
)
def test_forbidden_or_failing_robots_txt_refuses(local_web: LocalWeb, status: int, reason: str) -> None:
    serve_robots(local_web, b"", status=status)
    url = local_web.route("/page", "<html>x</html>")
    with pytest.raises(RobotsRefused) as refused:
        Fetcher().fetch(url)
    assert str(refused.value) == f"{url}: not fetched: {local_web.url('/robots.txt')} {reason}"
    assert local_web.hits_for("/page") == []


def test_unreachable_robots_txt_allows_and_the_page_says_why_it_failed() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/page"
    with pytest.raises(FetchError) as failed:
        Fetcher().fetch(url)
    assert not isinstance(failed.value, RobotsRefused)
    assert str(failed.value) == f"{url}: connection refused"


def test_robots_txt_follows_redirects_and_a_loop_allows(local_web: LocalWeb) -> None:
    local_web.route("/robots.txt", "", status=301, headers={"Location": "/rules.txt"})
    local_web.route("/rules.txt", "User-agent: *\nDisallow: /hidden\n", content_type="text/plain")
    hidden = local_web.route("/hidden", "<html>x</html>")
    with pytest.raises(RobotsRefused):
        Fetcher().fetch(hidden)
    local_web.route("/robots.txt", "", status=302, headers={"Location": "/robots.txt"})
    assert Fetcher().fetch(hidden).status == 200


def test_a_large_robots_txt_is_read_up_to_500_kib(local_web: LocalWeb) -> None:
    rules = b"User-agent: *\nDisallow: /early\n" + b"# padding\n" * 60_000 + b"Disallow: /late\n"
    assert len(rules) > 500 * 1024
    serve_robots(local_web, rules)
    early = local_web.route("/early", "<html>x</html>")
    late = local_web.route("/late", "<html>x</html>")
    fetcher = Fetcher()
    with pytest.raises(RobotsRefused):
        fetcher.fetch(early)
    assert fetcher.fetch(late).status == 200  # past the cap, as Google reads it


def test_a_redirect_into_a_disallowed_path_is_refused(local_web: LocalWeb) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /members/\n")
    local_web.route("/members/story", "<html>x</html>")
    start = local_web.route("/go", "", status=302, headers={"Location": "/members/story"})
    with pytest.raises(RobotsRefused) as refused:
        Fetcher().fetch(start)
    target = local_web.url("/members/story")
    assert str(refused.value) == (
        f"{start}: redirected to {target}: not fetched: {local_web.url('/robots.txt')} disallows it for tui"
    )
    assert local_web.hits_for("/members/story") == []


def test_ignore_robots_never_reads_it(local_web: LocalWeb) -> None:
    serve_robots(local_web, b"User-agent: *\nDisallow: /\n")
    url = local_web.route("/mine", "<html>mine</html>")
    assert Fetcher(ignore_robots=True).fetch(url).body == b"<html>mine</html>"
    assert local_web.hits_for("/robots.txt") == []


def test_rules_from_bytes_and_statuses() -> None:
    rules = parse_robots("http://a/robots.txt", "\ufeffUser-agent: TUI\nDisallow: /x\n".encode() + b"\xff\n")
    assert not rules.allows("http://a/x/1") and rules.allows("http://a/y")  # agent names ignore case
    assert rules.allows("http://a/robots.txt")
    assert rules_for_status("http://a/robots.txt", 404) == RobotsRules("http://a/robots.txt")
    assert not rules_for_status("http://a/robots.txt", 500).allows("http://a/")
