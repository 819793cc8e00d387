"""HTTP for intake: polite, bounded, standard library only.

Every request has a timeout (per socket operation and for the whole body), a size cap on what is
read (after decompression too, so a gzip bomb stops at the cap), a named user agent and at most
`MAX_REDIRECTS` redirects, followed here rather than by urllib so that a loop is named as one.
Conditional requests (ETag, Last-Modified) come back as `not_modified`. A `Fetcher` runs a few
requests at once and one at a time per host.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from tui import __version__
from tui.errors import TuiError

USER_AGENT = f"tui/{__version__} (a terminal news reader; python-urllib)"
TIMEOUT = 20.0  # seconds, per socket operation and for a whole response
MAX_BYTES = 10 * 1024 * 1024  # the library's own cap on an article file
MAX_REDIRECTS = 5
MAX_WORKERS = 4
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024

T = TypeVar("T")
R = TypeVar("R")


class FetchError(TuiError):
    """A page or feed that could not be fetched; the message names the URL."""


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, lower case, without parameters
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx responses back to us: we follow them ourselves, counted and loop-checked."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects())


def check_url(url: str) -> str:
    """The URL if it is http(s) with a host, else a FetchError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: not an http(s) link")
    return url


def ascii_url(url: str) -> str:
    """The URL as HTTP wants it: an international host in IDNA, other characters percent-encoded."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        host = parts.hostname or ""
        try:
            netloc = netloc.replace(host, host.encode("idna").decode("ascii"))
        except UnicodeError:
            raise FetchError(f"{url}: not a valid host name") from None
    path = urllib.parse.quote(parts.path, safe="/%:@!$&'()*+,;=~")
    query = urllib.parse.quote(parts.query, safe="=&%:@!$'()*+,;/?~")
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, query, ""))


def _read_capped(response: http.client.HTTPResponse, url: str, max_bytes: int, deadline: float) -> bytes:
    """The body, decompressed if gzip/deflate, refused past `max_bytes` or past the deadline."""
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and not encoding and int(declared) > max_bytes:
        raise FetchError(f"{url}: larger than the {max_bytes // (1024 * 1024)} MB cap")
    decompressor = None
    if encoding in ("gzip", "x-gzip"):
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj()
    elif encoding not in ("", "identity"):
        raise FetchError(f"{url}: unsupported content encoding {encoding!r}")
    parts: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: timed out")
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        if decompressor is not None:
            try:
                # max_length bounds what one compressed chunk may expand to: a bomb stops at the cap.
                chunk = decompressor.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as error:
                raise FetchError(f"{url}: damaged compressed body ({error})") from None
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: larger than the {max_bytes // (1024 * 1024)} MB cap")
        parts.append(chunk)
    if decompressor is not None:
        with contextlib.suppress(zlib.error):
            parts.append(decompressor.flush())
    return b"".join(parts)


def _reason(error: BaseException) -> str:
    """A short, plain reason for a network failure."""
    if isinstance(error, urllib.error.URLError):
        error = error.reason if isinstance(error.reason, BaseException) else error
    if isinstance(error, socket.gaierror):
        return "host not found (DNS)"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLError):
        return f"TLS error ({error.reason or error})"
    if isinstance(error, ConnectionError | http.client.HTTPException):
        return f"connection failed ({type(error).__name__})"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable ({error.reason})"
    if isinstance(error, OSError):
        return f"unreachable ({error.strerror or error})"
    return str(error)


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
) -> Response:
    """GET `url`, following up to `max_redirects` redirects. Raises FetchError naming `url`."""
    check_url(url)
    opener = _opener()
    current = ascii_url(url)
    seen = {current}
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(current, headers=headers)
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error  # 3xx (not followed by urllib), 304, 4xx and 5xx all arrive here
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise FetchError(f"{url}: {_reason(error)}") from None
        with contextlib.closing(response):
            status = response.status or 0
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url}: redirect without a location (HTTP {status})")
                target = ascii_url(urllib.parse.urljoin(current, location.strip()))
                if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"{url}: redirect to a non-http(s) link")
                if target in seen:
                    raise FetchError(f"{url}: redirect loop")
                seen.add(target)
                current = target
                continue
            if status == 304:
                return Response(url, current, 304, "", None, b"", etag, last_modified, not_modified=True)
            if status >= 400:
                reason = (getattr(response, "reason", "") or "").strip()
                raise FetchError(f"{url}: HTTP {status}{' ' + reason if reason else ''}")
            try:
                body = _read_capped(response, url, max_bytes, deadline)
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(f"{url}: {_reason(error)}") from None
            message = response.headers
            return Response(
                url=url,
                final_url=current,
                status=status,
                content_type=(message.get_content_type() or "").lower(),
                charset=message.get_content_charset(),
                body=body,
                etag=message.get("ETag"),
                last_modified=message.get("Last-Modified"),
            )
    raise FetchError(f"{url}: more than {max_redirects} redirects")


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def by_turns(items: list[T], host: Callable[[T], str]) -> list[T]:
    """`items` reordered so that hosts take turns: a host's queue does not hold up the others'."""
    queues: dict[str, list[T]] = {}
    for item in items:
        queues.setdefault(host(item), []).append(item)
    ordered: list[T] = []
    while queues:
        for key in list(queues):
            ordered.append(queues[key].pop(0))
            if not queues[key]:
                del queues[key]
    return ordered


@dataclass
class Fetcher:
    """Runs fetches a few at a time, and one at a time for any one host."""

    max_workers: int = MAX_WORKERS
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @contextlib.contextmanager
    def host_slot(self, url: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host_of(url), threading.Lock())
        with lock:
            yield

    def fetch(self, url: str, **options: object) -> Response:
        with self.host_slot(url):
            return fetch(url, **options)  # type: ignore[arg-type]

    def map(self, work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`work` over `items` on a few threads, results in the order of `items`."""
        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="tui-fetch")
        try:
            yield from pool.map(work, items)
        finally:
            # On ctrl+c (or a consumer that stops early) queued requests are dropped, not awaited.
            pool.shutdown(wait=True, cancel_futures=True)
