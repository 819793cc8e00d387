"""robots.txt: what a site lets us fetch, and how often.

Rules are read by Protego (Scrapy's parser) rather than the standard library's
`urllib.robotparser`, because robots.txt files are written for the way Google and RFC 9309 read
them: the most specific (longest) rule wins whatever its place in the file, `Allow` wins a tie,
and `*` and `$` are wildcards (`Disallow: /*/print$`). `urllib.robotparser` takes the first rule
that matches and reads `*` and `$` literally, so it refuses pages a site allows and fetches pages
it forbids.

What an answer other than the file itself means (RFC 9309 section 2.3.1, and Google's reading):
a 404 or any other 4xx, an unreachable host, or more redirects than the fetcher follows mean
there is no robots.txt, so everything is allowed (an unreachable host then fails on the page
itself, with its own reason); a 401 or 403 means the site keeps its rules from us, so nothing
is fetched; a 429 or 5xx is a server in trouble, so nothing is fetched from it in this run.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass
from typing import Any

ROBOTS_AGENT = "tui"  # our product token: the `User-agent:` line that speaks to us
ROBOTS_MAX_BYTES = 500 * 1024  # Google reads the first 500 KiB of a robots.txt; so do we


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """One origin's robots.txt as read in this run."""

    robots_url: str
    parser: Any = None  # a protego.Protego, or None when the rules say nothing
    refusal: str | None = None  # why nothing may be fetched ("answered HTTP 403"), if so

    def allows(self, url: str) -> bool:
        if self.refusal is not None:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, ROBOTS_AGENT))

    def delay(self) -> float | None:
        """Seconds to leave between two requests: `Crawl-delay`, or what `Request-rate` implies."""
        if self.parser is None:
            return None
        delays = [self.parser.crawl_delay(ROBOTS_AGENT)]
        rate = self.parser.request_rate(ROBOTS_AGENT)
        if rate is not None and rate.requests:
            delays.append(rate.seconds / rate.requests)
        usable = [float(d) for d in delays if d is not None and math.isfinite(d) and d > 0]
        return max(usable, default=None)

    def why_refused(self, url: str) -> str:
        """One line naming robots.txt, for a URL `allows` said no to."""
        if self.refusal is not None:
            return f"{url}: not fetched: {self.robots_url} {self.refusal}"
        return f"{url}: not fetched: {self.robots_url} disallows it for {ROBOTS_AGENT}"


def origin_of(url: str) -> str:
    """scheme://host[:port], the scope of one robots.txt."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def robots_url_of(url: str) -> str:
    return origin_of(url) + "/robots.txt"


def parse_robots(robots_url: str, body: bytes) -> RobotsRules:
    """The rules in a robots.txt body (UTF-8 by RFC 9309; undecodable bytes are replaced)."""
    from protego import Protego

    text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return RobotsRules(robots_url, parser=Protego.parse(text))


def rules_for_status(robots_url: str, status: int) -> RobotsRules:
    """The rules an HTTP error answer for robots.txt stands for."""
    if status in (401, 403):
        return RobotsRules(robots_url, refusal=f"answered HTTP {status}, which reads as keep out")
    if status == 429 or status >= 500:
        return RobotsRules(robots_url, refusal=f"answered HTTP {status}; try again later")
    return RobotsRules(robots_url)  # 404, 410 and the other 4xx: no robots.txt, all allowed


def allow_all(robots_url: str) -> RobotsRules:
    return RobotsRules(robots_url)
