"""A local web for intake tests: pages and feeds served from 127.0.0.1 by a threaded http.server.

Nothing here touches the internet. Article pages are built from the texts people marked in
../shared/bench/extraction/ (real articles, distinct from each other); real saved pages from there
are served as they are. Routes can be changed while the server runs (`web.route(...)`), and every
request is recorded with its headers and the time it was served.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# TUI_SHARED names the shared data where a checkout is not beside it (a second worktree).
EXTRACTION = Path(os.environ.get("TUI_SHARED") or REPO.parent / "shared") / "bench" / "extraction"


def _extraction() -> Path:
    """The marked pages of ../shared/bench/extraction, or a skip where they are not beside the repo."""
    if not (EXTRACTION / "ground-truth.json").is_file():
        pytest.skip("needs ../shared/bench/extraction beside the repository (CI has it)")
    return EXTRACTION


def truth() -> dict[str, dict[str, str]]:
    _extraction()
    data: dict[str, dict[str, str]] = json.loads((EXTRACTION / "ground-truth.json").read_text())
    return data


def real_page(key: str) -> bytes:
    return gzip.decompress((_extraction() / "html" / f"{key}.html.gz").read_bytes())


def article_keys(count: int, min_words: int = 300) -> list[str]:
    """Keys of `count` marked articles long enough to be articles, in a fixed order."""
    keys = [k for k, v in sorted(truth().items()) if len(v["articleBody"].split()) >= min_words]
    return keys[:count]


def article_html(title: str, body: str, *, canonical: str | None = None, author: str = "Ann Writer") -> bytes:
    """A plain news page around `body`: navigation and footer furniture, the article in <article>."""
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip())
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Local Times</title>
<meta property="og:site_name" content="Local Times">
<meta name="author" content="{html.escape(author)}">
<meta property="article:published_time" content="2024-06-17T09:30:00+00:00">
{link}</head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav>
<article><h1>{html.escape(title)}</h1>
{paragraphs}
</article>
<footer><p>Copyright Local Times. All rights reserved.</p></footer></body></html>""".encode()


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    gzip: bool = False
    etag: str | None = None


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    start: float
    end: float
    status: int


class LocalWeb:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                start = time.monotonic()
                route = web.routes.get(self.path.split("#")[0])
                if route is not None and route.delay:
                    time.sleep(route.delay)
                content_type: str | None
                status, body, content_type, headers = 404, b"not found", "text/plain", {}
                if route is not None:
                    status, body, content_type, headers = (
                        route.status,
                        route.body,
                        route.content_type,
                        dict(route.headers),
                    )
                    if route.etag and self.headers.get("If-None-Match") == route.etag:
                        status, body, content_type, headers = 304, b"", None, {"ETag": route.etag}
                    elif route.etag:
                        headers["ETag"] = route.etag
                    if route.gzip and status != 304:
                        body = gzip.compress(body)
                        headers["Content-Encoding"] = "gzip"
                # Recorded before the answer goes out: a client that has its answer sees its hit.
                with web._lock:
                    web.hits.append(Hit(self.path, dict(self.headers), start, time.monotonic(), status))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
                    self._send(status, body, content_type, headers)

            def _send(
                self, status: int, body: bytes, content_type: str | None, headers: dict[str, str]
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str = Route.content_type,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        gzip: bool = False,
        etag: str | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(
            data, status, content_type, {} if headers is None else headers, delay, gzip, etag
        )
        return self.url(path)

    def hits_for(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]


@pytest.fixture(name="local_web")
def local_web_fixture() -> Iterator[LocalWeb]:
    """Import `local_web_fixture` into a test module to use the `local_web` fixture."""
    web = LocalWeb()
    web.start()
    try:
        yield web
    finally:
        web.stop()


# --------------------------------------------------------------------------- feeds written for the tests


def rss20(web: LocalWeb, items: list[tuple[str, str, str]], title: str = "Local Times") -> str:
    """RSS 2.0; items are (title, path, pubDate)."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{web.url(p)}</link><guid>{web.url(p)}</guid>"
        f"<pubDate>{d}</pubDate><description>Short summary.</description></item>"
        for t, p, d in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{html.escape(title)}</title><link>{web.base}/</link>
<description>news</description>{entries}</channel></rss>"""


def rss091(web: LocalWeb, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{web.url(p)}</link></item>" for t, p in items
    )
    return f"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old Times</title><link>{web.base}/</link>
<description>old</description><language>en</language>{entries}</channel></rss>"""


def rss10(web: LocalWeb, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f'<item rdf:about="{web.url(p)}"><title>{html.escape(t)}</title><link>{web.url(p)}</link></item>'
        for t, p in items
    )
    return f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{web.base}/"><title>RDF Times</title><link>{web.base}/</link><description>rdf</description></channel>
{entries}</rdf:RDF>"""


def atom(web: LocalWeb, items: list[tuple[str, str, str, str | None]]) -> str:
    """Atom; items are (title, path, updated, full content HTML or None)."""
    entries = "".join(
        f'<entry><title>{html.escape(t)}</title><link href="{web.url(p)}"/><id>{web.url(p)}</id>'
        f"<updated>{u}</updated><author><name>Atom Author</name></author>"
        + (f'<content type="html">{html.escape(c)}</content>' if c else "")
        + "</entry>"
        for t, p, u, c in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Times</title><id>{web.base}/atom</id>
<updated>2024-06-17T10:00:00Z</updated>{entries}</feed>"""


def json_feed(web: LocalWeb, items: list[dict[str, object]]) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "JSON Times",
            "home_page_url": web.base,
            "items": items,
        }
    )


@pytest.fixture(name="no_pause")
def no_pause_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pause between requests to one host, for tests whose subject is not the pause itself
    (every page of the local web is on one host). Import `no_pause_fixture` to use `no_pause`."""
    monkeypatch.setattr("tui.intake.fetch.MIN_INTERVAL", 0.0)


class FakeClock:
    """A monotonic clock that only `sleep` moves: a test of the pause between requests sees every
    pause asked for, and waits for none of them."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(round(seconds, 6))
            self.now += seconds


# --------------------------------------------------------------------------- a hostile server


class Trickler:
    """A server on 127.0.0.1 that answers one byte (or one header line) every `interval` seconds.

    `mode`: `body` sends its headers at once with `Content-Length: 100000`, then the body a byte at
    a time; `headers` sends the status line and then one header line at a time, never ending them.
    Paths in `fast` are answered at once (a robots.txt that is not the subject of a test). Bounded:
    each connection stops after `limit` pieces or when the client goes, and `stop` ends them all.
    """

    def __init__(
        self,
        mode: str = "body",
        interval: float = 0.2,
        limit: int = 600,
        fast: dict[str, bytes] | None = None,
    ) -> None:
        import socket

        self.mode, self.interval, self.limit = mode, interval, limit
        self.fast = fast or {}
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.base = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: object) -> None:
        import socket

        assert isinstance(connection, socket.socket)
        with contextlib.suppress(OSError), connection:
            request = connection.recv(65536).decode("latin-1")
            path = request.split(" ", 2)[1] if request.count(" ") >= 2 else "/"
            if path in self.fast:
                body = self.fast[path]
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                return
            if self.mode == "body":
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>"
                )
                pieces = [b"x"] * self.limit
            else:
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                pieces = [f"X-Slow-{n}: {n}\r\n".encode() for n in range(self.limit)]
            for piece in pieces:
                if self._stop.wait(self.interval):
                    return
                connection.sendall(piece)

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=2)
