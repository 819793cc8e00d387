"""HTTP for intake: polite, bounded, standard library only.

Every request has one deadline for all of it (the name lookup, connecting, the headers, the body,
and the origin's robots.txt when it is read first): a watchdog shuts the socket when it passes, so
a server that trickles a byte a second is stopped at the deadline, not at its own pace. A size
cap on what is read (after decompression too, so a gzip bomb stops at the cap), a named user agent
and at most `MAX_REDIRECTS` redirects, followed here rather than by urllib so that a loop is named
as one.
Conditional requests (ETag, Last-Modified) come back as `not_modified`. A `Fetcher` runs a few
requests at once and one at a time per host; before each request (a redirect's too) it reads the
origin's robots.txt once per run and keeps to it, and it leaves at least `MIN_INTERVAL` seconds,
or the site's `Crawl-delay` when longer, between two requests to one host.
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
from typing import TYPE_CHECKING, Any, TypeVar

from tui import __version__
from tui.errors import TuiError

if TYPE_CHECKING:
    from tui.intake.robots import RobotsRules

USER_AGENT = f"tui/{__version__} (a terminal news reader; python-urllib)"
TIMEOUT = 20.0  # seconds for a whole request: connecting, headers and body (and robots.txt before it)
MAX_BYTES = 10 * 1024 * 1024  # the library's own cap on an article file
MAX_REDIRECTS = 5
MAX_WORKERS = 4
MIN_INTERVAL = 1.0  # seconds between the starts of two requests to one host, unless robots.txt asks more
# A request whose turn at its host is further away than this (a `Crawl-delay: 3600`) is not made in
# this run: a run stays bounded, and a feed's item is tried again at the next fetch.
MAX_WAIT = 60.0
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024

T = TypeVar("T")
R = TypeVar("R")


class FetchError(TuiError):
    """A page or feed that could not be fetched; the message names the URL."""


class HttpStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotAsked(FetchError):
    """A request not made in this run (its turn at the host too far away, or the run stopping):
    no try of the page, so it does not count toward giving up on a feed's item."""


class OutOfTime(NotAsked):
    """A request not made, or cut off, because the run's time bound came (`Fetcher.stop_after`)."""


class RobotsRefused(FetchError):
    """robots.txt keeps us from a URL; the message names both."""


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


class Deadline:
    """One deadline for a whole request. Sockets opened for it are shut when it passes, which wakes
    a read blocked on a trickling server; `extend` gives back time spent waiting for a host's turn."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.at = clock() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.at - self._clock()

    def shorten_to(self, seconds: float) -> None:
        """At most `seconds` from now."""
        self.extend(min(0.0, seconds - self.remaining()))

    def extend(self, seconds: float) -> None:
        with self._lock:
            self.at += seconds
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
                self._arm()

    def check(self, url: str) -> None:
        if self.expired or self.remaining() <= 0:
            self.expired = True
            raise FetchError(f"{url}: timed out")

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self._timer is None:
                self._arm()
        return sock

    def _arm(self) -> None:
        self._timer = threading.Timer(max(0.0, self.remaining()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop watching (the request is over); the sockets are the connection's to close."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._sockets = []


def _connection_factory(
    base: type[http.client.HTTPConnection], deadline: Deadline
) -> Callable[..., http.client.HTTPConnection]:
    """`base` whose socket connects within the deadline's time left and is then watched by it."""

    def make(host: str, **options: Any) -> http.client.HTTPConnection:
        connection = base(host, **options)

        def create(
            address: tuple[str, int], timeout: float | None = None, source_address: Any = None
        ) -> socket.socket:
            return deadline.watch(_connect(address, deadline, source_address))

        connection._create_connection = create  # type: ignore[attr-defined]
        return connection

    return make


def _left(deadline: Deadline) -> float:
    left = deadline.remaining()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _resolve(host: str, port: int, deadline: Deadline) -> list[tuple[Any, ...]]:
    """The addresses of `host`, looked up within the deadline's time left. The system's resolver
    takes no timeout (a slow DNS server holds it for many seconds), so it runs in a thread of its
    own that is left to finish alone when the deadline passes first."""
    found: list[tuple[Any, ...]] = []
    failed: list[OSError] = []

    def look_up() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except OSError as error:
            failed.append(error)

    thread = threading.Thread(target=look_up, name="tui-resolve", daemon=True)
    thread.start()
    thread.join(_left(deadline))
    if thread.is_alive():
        raise TimeoutError("timed out")
    if failed:
        raise failed[0]
    return found


def _connect(address: tuple[str, int], deadline: Deadline, source_address: Any) -> socket.socket:
    """A socket connected to `address` (each of its addresses in turn) within the deadline."""
    host, port = address
    last: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _, sockaddr in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_left(deadline))
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
        except OSError as error:
            sock.close()
            if isinstance(error, TimeoutError):
                raise
            last = error
            continue
        return sock
    raise last


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_connection_factory(http.client.HTTPConnection, self.deadline), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = _connection_factory(http.client.HTTPSConnection, self.deadline)
        return self.do_open(factory, req, context=self._context)  # type: ignore[attr-defined]


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects(), _HTTP(deadline), _HTTPS(deadline))


def check_url(url: str) -> str:
    """The URL if it is http(s) with a host (and a port, if it gives one, from 0 to 65535), else a
    FetchError. Python's URL parser raises on `http://[::1` or a port of 99999: said here, once."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError as error:
        raise FetchError(f"{url}: a malformed link ({error})") from None
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


def _read_capped(
    response: http.client.HTTPResponse, url: str, max_bytes: int, deadline: Deadline, truncate: bool = False
) -> bytes:
    """The body, decompressed if gzip/deflate, refused past `max_bytes` (or, if `truncate`, cut
    there) or past the deadline."""
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and not encoding and int(declared) > max_bytes and not truncate:
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
        deadline.check(url)
        # read1: what has arrived (up to a block), so a slow body is checked against the deadline
        # between small reads rather than after a whole block has trickled in.
        chunk = response.read1(_CHUNK)
        if not chunk:
            deadline.check(url)  # a socket shut by the deadline ends the body early: not a whole page
            break
        if decompressor is not None:
            try:
                # max_length bounds what one compressed chunk may expand to: a bomb stops at the cap.
                chunk = decompressor.decompress(chunk, max_bytes + 1 - size)
            except zlib.error as error:
                raise FetchError(f"{url}: damaged compressed body ({error})") from None
        size += len(chunk)
        if size > max_bytes and truncate:
            parts.append(chunk[: max_bytes - size])
            return b"".join(parts)
        if size > max_bytes:
            raise FetchError(f"{url}: larger than the {max_bytes // (1024 * 1024)} MB cap")
        parts.append(chunk)
    if decompressor is not None:
        with contextlib.suppress(zlib.error):
            parts.append(decompressor.flush())
    body = b"".join(parts)
    return body[:max_bytes] if truncate else body


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
    truncate: bool = False,
    before_request: Callable[[str, Deadline], None] | None = None,
    deadline: Deadline | None = None,
) -> Response:
    """GET `url`, following up to `max_redirects` redirects. Raises FetchError naming `url`.

    `truncate` keeps the first `max_bytes` of a larger body instead of refusing it;
    `before_request` is called with each URL about to be asked for (the first and every redirect's)
    and the deadline, and may raise FetchError to stop there. `timeout` bounds the whole request,
    redirects included (`deadline`, if given, instead).
    """
    check_url(url)
    deadline = deadline or Deadline(timeout)
    try:
        return _fetch(
            url, deadline, etag, last_modified, max_bytes, max_redirects, accept, truncate, before_request
        )
    finally:
        deadline.close()


def _fetch(
    url: str,
    deadline: Deadline,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    max_redirects: int,
    accept: str,
    truncate: bool,
    before_request: Callable[[str, Deadline], None] | None,
) -> Response:
    opener = _opener(deadline)
    current = ascii_url(url)
    seen = {current}
    for _ in range(max_redirects + 1):
        headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = urllib.request.Request(current, headers=headers)
        if before_request is not None:
            before_request(current, deadline)
        deadline.check(url)
        try:
            response = opener.open(request, timeout=max(0.001, deadline.remaining()))
        except urllib.error.HTTPError as error:
            response = error  # 3xx (not followed by urllib), 304, 4xx and 5xx all arrive here
        except (OSError, http.client.HTTPException, ValueError) as error:
            deadline.check(url)  # a connection the deadline shut is a timeout, whatever broke
            raise FetchError(f"{url}: {_reason(error)}") from None
        with contextlib.closing(response):
            status = response.status or 0
            if status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url}: redirect without a location (HTTP {status})")
                try:
                    target = ascii_url(urllib.parse.urljoin(current, location.strip()))
                    urllib.parse.urlsplit(target).port  # noqa: B018  (reading it checks it)
                except ValueError:  # `http://[::1`, a port past 65535
                    raise FetchError(f"{url}: redirect to a malformed link") from None
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
                raise HttpStatusError(f"{url}: HTTP {status}{' ' + reason if reason else ''}", status)
            try:
                body = _read_capped(response, url, max_bytes, deadline, truncate)
            except (OSError, http.client.HTTPException) as error:
                deadline.check(url)
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


def _read_robots(origin: str, deadline: Deadline | None = None) -> RobotsRules:
    """An origin's robots.txt, fetched like any page (timeout, redirects) and cut at 500 KiB; within
    `deadline`, the deadline of the request it is read for, when given."""
    from tui.intake.robots import ROBOTS_MAX_BYTES, allow_all, parse_robots, rules_for_status

    robots_url = origin + "/robots.txt"
    try:
        response = fetch(
            robots_url,
            accept="text/plain, */*;q=0.5",
            max_bytes=ROBOTS_MAX_BYTES,
            truncate=True,
            timeout=max(0.001, deadline.remaining()) if deadline is not None else TIMEOUT,
        )
    except HttpStatusError as error:
        return rules_for_status(robots_url, error.status)
    except FetchError:
        return allow_all(robots_url)  # unreachable, a loop, too many redirects: no robots.txt
    return parse_robots(robots_url, response.body)


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
    """Runs fetches a few at a time and one at a time for any one host, keeping to robots.txt and
    leaving `min_interval` seconds (or the site's `Crawl-delay`) between two requests to one host.

    `clock` and `sleep` are injectable so that tests of the spacing need not wait for it; by default
    the pause is a wait that `map` cuts short when it stops early (ctrl+c), so that stopping never
    waits out a site's `Crawl-delay`.
    """

    max_workers: int = MAX_WORKERS
    ignore_robots: bool = False  # for the user's own sites
    timeout: float = TIMEOUT  # for a whole request
    min_interval: float | None = None  # None: MIN_INTERVAL
    max_wait: float = MAX_WAIT
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] | None = None  # None: a wait that stopping interrupts
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _robots: dict[str, RobotsRules] = field(default_factory=dict)
    _robots_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _next_turn: dict[str, float] = field(default_factory=dict)  # host -> earliest start of its next request
    _stopping: threading.Event = field(default_factory=threading.Event)
    _timed_out: set[str] = field(default_factory=set)  # servers a request of this run ran out of time at
    _until: float | None = None  # the run's end by `clock` (`stop_after`); None: no bound

    def stop_after(self, seconds: float) -> None:
        """No request goes past `seconds` from now: one not begun by then is not made, and one
        under way then is cut off; either raises `OutOfTime`, which is no try of the page."""
        self._until = self.clock() + seconds

    def out_of_time(self) -> bool:
        """Whether the run's time bound has come."""
        return self._time_left() <= 0

    def _time_left(self) -> float:
        return float("inf") if self._until is None else self._until - self.clock()

    @contextlib.contextmanager
    def host_slot(self, url: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host_of(url), threading.Lock())
        with lock:
            yield

    def fetch(self, url: str, **options: Any) -> Response:
        """GET `url` in its host's turn. A server (scheme, host and port) that let one request run
        out of time is not asked again in this run: a feed of 200 items on a server that trickles
        would otherwise hold a run for 200 deadlines."""
        check_url(url)
        parts = urllib.parse.urlsplit(url)
        server = f"{parts.scheme}://{parts.netloc}".lower()
        seconds = options.pop("timeout", self.timeout)
        with self.host_slot(url):
            if self.out_of_time():
                raise OutOfTime(f"{url}: not fetched: the run's time is up; tried again next time")
            # from its turn (waiting for the host is not its time), and never past the run's end
            deadline = Deadline(min(seconds, self._time_left()))
            if server in self._timed_out:
                raise NotAsked(
                    f"{url}: not fetched: {server} timed out earlier in this run; tried again next time"
                )
            try:
                return fetch(
                    url,
                    before_request=lambda hop, deadline: self._before_request(url, hop, deadline),
                    deadline=deadline,
                    **options,
                )
            except FetchError:
                if deadline.expired and self._time_left() <= 0.05:  # cut off by the run's bound
                    raise OutOfTime(
                        f"{url}: cut off at the run's time bound; tried again next time"
                    ) from None
                if deadline.expired:
                    with self._guard:
                        self._timed_out.add(server)
                raise

    def robots(self, url: str, deadline: Deadline | None = None) -> RobotsRules:
        """The robots.txt rules of `url`'s origin, read once per run (per Fetcher)."""
        from tui.intake.robots import origin_of

        origin = origin_of(url)
        with self._guard:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # two requests to one origin at once read its robots.txt once
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._robots[origin] = _read_robots(origin, deadline)
            return rules

    def _before_request(self, url: str, hop: str, deadline: Deadline) -> None:
        rules = None
        if not self.ignore_robots:
            rules = self.robots(hop, deadline)  # read within the request's own deadline
            deadline.check(url)
            if not rules.allows(hop):
                if hop == ascii_url(url):
                    message = rules.why_refused(url)
                else:
                    message = f"{url}: redirected to {rules.why_refused(hop)}"
                raise RobotsRefused(message)
        waited_from = self.clock()
        self._wait_turn(hop, rules)
        deadline.extend(self.clock() - waited_from)  # a pause for the host's turn is not the server's time
        if self._until is not None:
            deadline.shorten_to(self._time_left())  # but the run's end stays its end

    def _wait_turn(self, url: str, rules: RobotsRules | None) -> None:
        """Sleep until `url`'s host may be asked again, and book the turn after this one."""
        asked = rules.delay() if rules is not None else None
        least = MIN_INTERVAL if self.min_interval is None else self.min_interval
        interval = max(least, asked or 0.0)
        host = host_of(url)
        with self._guard:
            now = self.clock()
            start = max(now, self._next_turn.get(host, now))
            if start - now > self.max_wait:
                why = f"{host}'s robots.txt asks for {interval:g} s between requests"
                if asked is None or asked < interval:
                    why = f"{host} may be asked again in {start - now:.0f} s"
                raise NotAsked(f"{url}: not fetched: {why}; try again later")
            if start >= now + self._time_left():
                raise OutOfTime(f"{url}: not fetched: its turn comes after the run's time bound")
            self._next_turn[host] = start + interval
        if start > now:
            if self.sleep is not None:
                self.sleep(start - now)
            elif self._stopping.wait(start - now):
                with self._guard:  # the turn booked after this one was never used: give it back
                    if self._next_turn.get(host) == start + interval:
                        self._next_turn[host] = start
                raise NotAsked(f"{url}: not fetched: stopped")

    def map(self, work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`work` over `items` on a few threads, results in the order of `items`."""
        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="tui-fetch")
        try:
            yield from pool.map(work, items)
        finally:
            # On ctrl+c (or a consumer that stops early) queued requests are dropped, not awaited,
            # and a request waiting for its turn at a host gives it up.
            self._stopping.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self._stopping.clear()
