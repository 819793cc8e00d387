"""Publication dates: read from the many ways pages write them, and written back as ISO or for a reader."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# A source prints its dates in its own zone without saying so; these are the ones we know.
_SOURCE_ZONES = {
    "the korea herald": 9,
    "the korea times": 9,
    "the hankyoreh": 9,
    "hankyoreh": 9,
    "yonhap": 9,
    "yonhap news agency": 9,
    "korea joongang daily": 9,
    "nk news": 9,
    "nikkei asia": 9,
}


_ZONE_NAMES = {
    "KST": 9,
    "JST": 9,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}


_DATE_FORMATS = (
    "%B %d, %Y - %H:%M",
    "%B %d, %Y %H:%M",
    "%b %d, %Y - %H:%M",
    "%b. %d, %Y - %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
)


def parse_date(text: str, source: str | None = None) -> datetime | None:
    """A timezone-aware datetime from the date formats news sites print; None if it is not one.

    A zone printed with the date wins; else the source's home zone where we know it; else UTC.
    """
    return parse_date_and_time(text, source)[0]


def parse_date_and_time(text: str, source: str | None = None) -> tuple[datetime | None, bool]:
    """`parse_date`, and whether the text gave a time of day (a day alone is kept at midnight)."""
    raw = text.strip().rstrip(".")
    zone_hours: int | None = None
    match = re.search(r"\s*\b([A-Z]{1,4})$", raw)
    if match and match.group(1) in _ZONE_NAMES:
        zone_hours = _ZONE_NAMES[match.group(1)]
        raw = raw[: match.start()].strip()
    parsed: datetime | None = None
    timed = False
    try:
        parsed = datetime.fromisoformat(raw)
        timed = "T" in raw or ":" in raw or " " in raw.strip()
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt)
                timed = "%H" in fmt
                break
            except ValueError:
                continue
    if parsed is None:
        return None, False
    if parsed.tzinfo is None:
        if zone_hours is None:
            zone_hours = _SOURCE_ZONES.get((source or "").lower(), 0)
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=zone_hours)))
    return parsed, timed


def format_published(moment: datetime, day_only: bool) -> str:
    """A publication date as a reader reads it: "20 Nov 2026, 09:30 UTC", "17 Jun 2024, 15:43
    UTC+9", or "20 Nov 2026" when the source gave no time of day (never an invented midnight)."""
    day = moment.strftime("%d %b %Y").lstrip("0")
    if day_only:
        return day
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = "UTC"
    if minutes:
        sign = "+" if minutes > 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        zone += f"{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{day}, {moment.strftime('%H:%M')} {zone}"


def published_iso(moment: datetime, day_only: bool) -> str:
    """ISO 8601: the date alone when the source gave no time of day."""
    return moment.date().isoformat() if day_only else moment.isoformat()
