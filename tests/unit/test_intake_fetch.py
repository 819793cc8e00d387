"""HTTP for intake against a local server: timeouts, caps, redirects, encodings, politeness."""

from __future__ import annotations

import gzip
import socket

import pytest
from intake_web import LocalWeb, local_web_fixture  # noqa: F401  (the fixture)

from tui.intake.fetch import USER_AGENT, Fetcher, FetchError, fetch


def test_plain_page_with_user_agent_and_type(local_web: LocalWeb) -> None:
    url = local_web.route(
        "/page", "<html><body>hello</body></html>", headers={"Last-Modified": "Mon, 17 Jun 2024 09:00:00 GMT"}
    )
    response = fetch(url)
    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.charset == "utf-8"
    assert response.body.startswith(b"<html>")
    assert response.last_modified == "Mon, 17 Jun 2024 09:00:00 GMT"
    assert local_web.hits_for("/page")[0].headers["User-Agent"] == USER_AGENT


def test_gzip_body_is_decoded(local_web: LocalWeb) -> None:
    url = local_web.route("/zipped", "<html>" + "word " * 1000 + "</html>", gzip=True)
    assert fetch(url).body == ("<html>" + "word " * 1000 + "</html>").encode()
    assert "gzip" in local_web.hits_for("/zipped")[0].headers["Accept-Encoding"]


def test_gzip_bomb_stops_at_the_cap(local_web: LocalWeb) -> None:
    bomb = gzip.compress(b"\0" * (5 * 1024 * 1024))
    url = local_web.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"/bomb: larger than the 1 MB cap"):
        fetch(url, max_bytes=1024 * 1024)


def test_huge_page_is_refused(local_web: LocalWeb) -> None:
    url = local_web.route("/huge", b"x" * (11 * 1024 * 1024))
    with pytest.raises(FetchError, match=r"/huge: larger than the 10 MB cap"):
        fetch(url)


def test_huge_page_without_length_is_refused_while_reading(local_web: LocalWeb) -> None:
    # Compressed, so no Content-Length tells the size: the cap is applied to what is decoded.
    url = local_web.route("/huge-zipped", b"y" * (3 * 1024 * 1024), gzip=True)
    with pytest.raises(FetchError, match="larger than the 2 MB cap"):
        fetch(url, max_bytes=2 * 1024 * 1024)


def test_slow_server_times_out(local_web: LocalWeb) -> None:
    url = local_web.route("/slow", "late", delay=2.0)
    with pytest.raises(FetchError, match=r"/slow: timed out"):
        fetch(url, timeout=0.3)


@pytest.mark.parametrize("status", [404, 500, 503])
def test_http_errors_name_the_url(local_web: LocalWeb, status: int) -> None:
    url = local_web.route(f"/e{status}", "nope", status=status)
    with pytest.raises(FetchError, match=rf"^{url}: HTTP {status}"):
        fetch(url)


def test_redirects_are_followed_and_bounded(local_web: LocalWeb) -> None:
    local_web.route("/final", "<html>final</html>")
    for n in range(1, 8):
        target = "/final" if n == 1 else f"/hop{n - 1}"
        local_web.route(f"/hop{n}", "", status=302, headers={"Location": target})
    response = fetch(local_web.url("/hop3"))
    assert response.final_url == local_web.url("/final")
    assert response.body == b"<html>final</html>"
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(local_web.url("/hop7"))


def test_redirect_loop_is_named(local_web: LocalWeb) -> None:
    local_web.route("/loop-a", "", status=301, headers={"Location": "/loop-b"})
    local_web.route("/loop-b", "", status=301, headers={"Location": "/loop-a"})
    with pytest.raises(FetchError, match=r"/loop-a: redirect loop"):
        fetch(local_web.url("/loop-a"))


def test_redirect_to_another_scheme_is_refused(local_web: LocalWeb) -> None:
    local_web.route("/to-file", "", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="non-http"):
        fetch(local_web.url("/to-file"))


def test_conditional_request_gives_not_modified(local_web: LocalWeb) -> None:
    url = local_web.route("/feed", "<rss/>", etag='"v1"')
    first = fetch(url)
    assert first.etag == '"v1"' and not first.not_modified
    second = fetch(url, etag=first.etag)
    assert second.not_modified and second.body == b""
    assert local_web.hits_for("/feed")[1].headers["If-None-Match"] == '"v1"'


def test_refused_connection_and_bad_links() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused"):
        fetch(f"http://127.0.0.1:{port}/x")
    with pytest.raises(FetchError, match="not an http"):
        fetch("ftp://example.org/file")


def test_dns_failure_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError, match=r"^http://news\.invalid/a: host not found \(DNS\)$"):
        fetch("http://news.invalid/a")


def test_a_slow_name_lookup_counts_against_the_deadline(
    local_web: LocalWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the system's resolver took no timeout, so a DNS server slow to answer held the
    # request for as long as it liked (here 3 s) before the deadline was even looked at.
    import threading
    import time

    resolve = socket.getaddrinfo
    answer = threading.Event()

    def slow_dns(host: str, *args: object, **kwargs: object) -> object:
        answer.wait(3)
        return resolve("127.0.0.1", *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    port = local_web.base.rsplit(":", 1)[1]
    start = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"^http://news\.example:\d+/a: timed out$"):
            fetch(f"http://news.example:{port}/a", timeout=0.4)
        assert time.monotonic() - start < 1.5
    finally:
        answer.set()  # the lookup left behind finishes too


def test_one_request_at_a_time_per_host(local_web: LocalWeb) -> None:
    urls = [local_web.route(f"/p{i}", "x", delay=0.15) for i in range(4)]
    fetcher = Fetcher(max_workers=4, min_interval=0)
    results = list(fetcher.map(lambda url: fetcher.fetch(url).body, urls))
    assert results == [b"x"] * 4
    spans = sorted((hit.start, hit.end) for hit in local_web.hits)
    assert all(later[0] >= earlier[1] - 0.01 for earlier, later in zip(spans, spans[1:], strict=False))


def test_different_hosts_run_at_once(local_web: LocalWeb) -> None:
    # 127.0.0.1 and localhost are two hosts to the fetcher.
    first = local_web.route("/a", "a", delay=0.3)
    second = first.replace("127.0.0.1", "localhost").replace("/a", "/b")
    local_web.route("/b", "b", delay=0.3)
    fetcher = Fetcher(max_workers=2)
    assert list(fetcher.map(lambda url: fetcher.fetch(url).body, [first, second])) == [b"a", b"b"]
    (a,), (b,) = local_web.hits_for("/a"), local_web.hits_for("/b")
    assert a.start < b.end and b.start < a.end  # they overlapped


def test_international_links_are_encoded(local_web: LocalWeb) -> None:
    from tui.intake.fetch import ascii_url

    assert ascii_url("https://bücher.example/straße?q=ä b#top") == (
        "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4%20b"
    )
    local_web.route("/caf%C3%A9", "<html>café</html>")
    assert fetch(local_web.url("/café")).body == "<html>café</html>".encode()
