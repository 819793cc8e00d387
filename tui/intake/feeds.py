"""Feeds: the list a user follows (OPML, in the config folder), reading RSS, Atom and JSON Feed,
and what was fetched when (state).

The list is kept as OPML, the format every feed reader exchanges, so `feeds export` is the file
itself and a hand edit is an ordinary OPML edit. RSS 0.9x/1.0/2.0 and Atom are read by feedparser;
JSON Feed (which feedparser does not read) by a small reader of its own here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from tui.durable import read_regular_file, write_atomically
from tui.errors import TuiError, UsageError

FEEDS_FILE = "feeds.opml"
STATE_FILE = "feeds-state.json"
OPML_MAX_BYTES = 5 * 1024 * 1024
LOCK_TIMEOUT = 60.0  # seconds a change to the feed list waits for another's


class FeedError(TuiError):
    """A feed that cannot be read; the message names it."""


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed: where its page is, and the article's text if the feed carries it whole."""

    key: str  # stable identity: the guid, else the link, else the title
    version: str  # changes when the item is edited (its updated date, else a hash of what it says)
    title: str | None
    link: str | None
    author: str | None
    date: str | None
    content_html: str | None  # the full article, when the feed has it


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]


# --------------------------------------------------------------------------- OPML


def _opml_outlines(data: bytes, label: str) -> list[Feed]:
    if len(data) > OPML_MAX_BYTES:
        raise UsageError(f"{label}: larger than {OPML_MAX_BYTES // (1024 * 1024)} MB")
    if b"<!ENTITY" in data:  # no entity expansion (billion laughs): OPML never needs one
        raise UsageError(f"{label}: not an OPML file (it declares entities)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        # A list an older version wrote with a control character in a name (ESC, BEL) is not XML;
        # read without those characters, it is the list it was. Anything else is not OPML.
        repaired = _without_xml_illegal(data)
        if repaired == data:
            raise UsageError(f"{label}: not an OPML file ({error})") from None
        try:
            root = ET.fromstring(repaired)
        except ET.ParseError:
            raise UsageError(f"{label}: not an OPML file ({error})") from None
    if root.tag.lower() != "opml":
        raise UsageError(f"{label}: not an OPML file (its root is <{root.tag}>)")
    feeds: list[Feed] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue  # a folder, or a plain link
        feeds.append(Feed(name=feed_name(outline.get("title") or outline.get("text") or ""), url=url))
    return feeds


def feed_name(raw: str) -> str:
    """A feed's name as kept: one line, without control characters (which XML cannot hold)."""
    from tui.text_safety import without_controls, xml_safe

    return " ".join(xml_safe(without_controls(raw)).split())


_ILLEGAL_REFERENCE = re.compile(
    rb"&#(x0*[0-8bcefBCEF]|x0*1[0-9a-fA-F]|0*[0-8]|0*1[1-24-9]|0*2[0-9]|0*3[01]);"
)


def _without_xml_illegal(data: bytes) -> bytes:
    """`data` without the bytes and character references of C0 controls that XML 1.0 forbids."""
    cleaned = re.sub(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", b"", data)
    return _ILLEGAL_REFERENCE.sub(b"", cleaned)


def opml_document(feeds: list[Feed], title: str = "tui feeds") -> str:
    """The feed list as OPML: only characters XML allows; bidi marks, C1 controls and invisible
    characters written as character references (`&#x202e;`), so the file shows them, never obeys."""
    from tui.text_safety import UNSAFE_CHARACTERS, xml_safe

    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = xml_safe(title)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name, url = xml_safe(feed.name), xml_safe(feed.url)
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    text = "".join(f"&#x{ord(c):x};" if ord(c) in UNSAFE_CHARACTERS else c for c in text)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def read_opml_file(path: Path) -> list[Feed]:
    try:
        data = read_regular_file(path, OPML_MAX_BYTES + 1)  # the cap is said by _opml_outlines
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    return _opml_outlines(data, str(path))


@dataclass
class FeedList:
    """The followed feeds, kept in `<config>/feeds.opml`."""

    path: Path
    feeds: list[Feed] = field(default_factory=list)

    @classmethod
    def load(cls, config_dir: Path) -> FeedList:
        path = config_dir / FEEDS_FILE
        if not path.exists():
            return cls(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise TuiError(f"cannot read the feed list {path}: {error.strerror or error}") from None
        if not data.strip():
            return cls(path)  # emptied (by an editor, a `touch`): no feeds, and nothing to lose
        try:
            feeds = _opml_outlines(data, str(path))
        except UsageError as error:  # a damaged list is the user's to fix, never overwritten
            raise TuiError(
                f"the feed list is damaged: {error}; fix it, or move it away to start a new one"
            ) from None
        return cls(path, feeds)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, [opml_document(self.feeds).encode("utf-8")])

    @contextlib.contextmanager
    def changing(self) -> Iterator[FeedList]:
        """The list as it is on disk now, held under a lock (`feeds.opml.lock`) while the block
        changes it, then saved: two commands changing the list at once (four `feeds add` started
        together) each add to what the other saved, never write over it."""
        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with filelock.FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT):
                current = FeedList.load(self.path.parent)
                before = list(current.feeds)
                yield current
                if current.feeds != before:  # a list left as it was is not rewritten
                    current.save()
        except filelock.Timeout:
            raise TuiError(
                f"the feed list {self.path} is being changed by another process; try again later"
            ) from None
        self.feeds = current.feeds

    def find(self, name_or_url: str) -> Feed | None:
        for feed in self.feeds:
            if name_or_url in (feed.name, feed.url):
                return feed
        return None

    def unique_name(self, wanted: str) -> str:
        names = {feed.name for feed in self.feeds}
        if wanted not in names:
            return wanted
        number = 2
        while f"{wanted} {number}" in names:
            number += 1
        return f"{wanted} {number}"


# --------------------------------------------------------------------------- reading feeds


def _digest(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(str(p or "") for p in parts).encode(), digest_size=8).hexdigest()


def _iso(value: Any) -> str | None:
    """A feedparser `*_parsed` struct_time as ISO 8601 (UTC), or None."""
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        document = _without_surrogates(json.loads(data))
    except (ValueError, RecursionError) as error:
        raise FeedError(f"{url}: not a feed (bad JSON: {error})") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise FeedError(f"{url}: not a feed (JSON, but not a JSON Feed)")
    raw_items = document.get("items")
    items: list[FeedItem] = []
    for raw in raw_items if isinstance(raw_items, list) else []:
        if not isinstance(raw, dict):
            continue
        link = _item_link(url, raw.get("url") or raw.get("external_url"))
        authors = raw.get("authors") or ([raw["author"]] if isinstance(raw.get("author"), dict) else [])
        names = [str(a["name"]) for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)]
        title = raw.get("title") if isinstance(raw.get("title"), str) else None
        content = raw.get("content_html") if isinstance(raw.get("content_html"), str) else None
        if content is None and isinstance(raw.get("content_text"), str):
            paragraphs = re.split(r"\n\s*\n", raw["content_text"])
            content = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs if p.strip())
        date = raw.get("date_published") if isinstance(raw.get("date_published"), str) else None
        modified = raw.get("date_modified") if isinstance(raw.get("date_modified"), str) else None
        key = str(raw.get("id") or link or title or "")
        if not key:
            continue
        items.append(
            FeedItem(
                key=key,
                version=modified or date or _digest(title, content),
                title=title,
                link=link,
                author=", ".join(names) or None,
                date=date,
                content_html=content,
            )
        )
    title = document.get("title") if isinstance(document.get("title"), str) else None
    return ParsedFeed(title=title, items=items)


def _without_surrogates(value: Any) -> Any:
    """A JSON document's every string without lone surrogates (JSON's `"\\ud800"` decodes to one,
    and no UTF-8 file, the history's or an article's, can hold it)."""
    from tui.text_safety import without_surrogates

    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def _item_link(feed_url: str, link: object) -> str | None:
    """An item's link made absolute; None when there is none, or none Python can parse
    (`http://[::1`): the item is then taken from the feed's text, or fails as one with no link."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        return urljoin(feed_url, link)
    except ValueError:
        return None


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def parse_feed(data: bytes, url: str) -> ParsedFeed:
    """The items of an RSS, Atom or JSON feed. Raises FeedError naming `url` when it is none."""
    if _looks_like_json(data):
        return _parse_json_feed(data, url)
    import feedparser

    try:
        parsed = feedparser.parse(
            _without_surrogate_references(data), response_headers={"content-location": url}
        )
    except Exception as error:  # a lenient parser's own failure on a hostile feed: not a feed to us
        raise FeedError(f"{url}: not a feed (its parser failed: {type(error).__name__})") from None
    version = parsed.get("version") or ""
    if not version:
        problem = parsed.get("bozo_exception")
        reason = f" ({problem})" if problem else ""
        raise FeedError(f"{url}: not a feed (not RSS, Atom or JSON Feed){reason}")
    with warnings.catch_warnings():
        # feedparser warns of its own `updated` -> `published` fallback on every lookup.
        warnings.simplefilter("ignore", DeprecationWarning)
        items = [item for entry in parsed.entries if (item := _feed_item(entry, url)) is not None]
    feed_title = feed_name(str(parsed.feed.get("title") or "")) or None
    return ParsedFeed(title=feed_title, items=items)


# A character reference to half a surrogate pair (`&#xd800;`, escaped or not): feedparser's lenient
# parser makes it a character that no UTF-8 text holds, and fails on it.
_SURROGATE_REFERENCE = re.compile(rb"#(x0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});")


def _without_surrogate_references(data: bytes) -> bytes:
    def replaced(match: re.Match[bytes]) -> bytes:
        number = match.group(1)
        code = int(number[1:], 16) if number[:1] in (b"x", b"X") else int(number)
        return b"#xfffd;" if 0xD800 <= code <= 0xDFFF else match.group()

    return _SURROGATE_REFERENCE.sub(replaced, data)


def _feed_item(entry: Any, url: str) -> FeedItem | None:
    link = _item_link(url, entry.get("link"))
    title = " ".join(str(entry.get("title") or "").split()) or None
    contents = entry.get("content") or []
    html = max((str(c.get("value") or "") for c in contents), key=len, default="") or None
    key = str(entry.get("id") or link or title or "")
    if not key:
        return None
    updated = entry.get("updated") or entry.get("published")
    return FeedItem(
        key=key,
        version=str(updated) if updated else _digest(title, entry.get("summary"), html),
        title=title,
        link=link,
        author=" ".join(str(entry.get("author") or "").split()) or None,
        date=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
        content_html=html,
    )


# --------------------------------------------------------------------------- state


@dataclass
class FeedState:
    """What was fetched when: per feed its validators and the items already taken in."""

    path: Path
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)
    _changed: set[tuple[str, str]] = field(default_factory=set)  # (feed, item) this run wrote

    @classmethod
    def load(cls, state_dir: Path) -> FeedState:
        path = state_dir / STATE_FILE
        try:
            document = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as error:
            raise TuiError(
                f"the fetch history {path} is damaged ({error}); move it away to start over"
            ) from None
        feeds = document.get("feeds") if isinstance(document, dict) else None
        if not isinstance(feeds, dict):
            raise TuiError(f"the fetch history {path} is damaged (no 'feeds'); move it away to start over")
        return cls(path, {k: v for k, v in feeds.items() if isinstance(v, dict)})

    def of(self, url: str) -> dict[str, Any]:
        entry = self.feeds.setdefault(url, {})
        if not isinstance(entry.get("items"), dict):
            entry["items"] = {}
        return entry

    def seen(self, url: str, item: FeedItem) -> bool:
        known = self.of(url)["items"].get(item.key)
        return isinstance(known, dict) and known.get("version") == item.version

    def remember(self, url: str, item: FeedItem, article_id: str | None, when: datetime) -> None:
        self.of(url)["items"][item.key] = {
            "version": item.version,
            "article": article_id,
            "fetched": when.isoformat(timespec="seconds"),
        }
        self._failures(url).pop(item.key, None)
        self._changed.add((url, item.key))

    def _failures(self, url: str) -> dict[str, Any]:
        entry = self.of(url)
        if not isinstance(entry.get("failures"), dict):
            entry["failures"] = {}
        failures: dict[str, Any] = entry["failures"]
        return failures

    def failed(self, url: str, item: FeedItem, error: str, when: datetime) -> int:
        """Count one more failed fetch of `item` (of this version); returns how many in a row."""
        failures = self._failures(url)
        known = failures.get(item.key)
        tries = (
            known.get("tries", 0) if isinstance(known, dict) and known.get("version") == item.version else 0
        )
        tries = (tries if isinstance(tries, int) else 0) + 1
        failures[item.key] = {
            "version": item.version,
            "tries": tries,
            "error": error,
            "last": when.isoformat(timespec="seconds"),
        }
        self._changed.add((url, item.key))
        return tries

    def give_up(self, url: str, item: FeedItem, error: str, when: datetime) -> None:
        """Never try `item` (this version of it) again; the reason is kept."""
        self.remember(url, item, None, when)
        self.of(url)["items"][item.key]["gave_up"] = error

    def save(self) -> None:
        """Write the history, merged under a lock with what another fetch saved meanwhile: the
        items this run took in (or failed) are ours, every other entry is the file's."""
        import filelock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(self.path) + ".lock", timeout=60):
            try:
                on_disk = FeedState.load(self.path.parent).feeds
            except TuiError:
                on_disk = {}
            for url, entry in self.feeds.items():
                merged = on_disk.setdefault(url, {})
                for name, value in entry.items():
                    if name not in ("items", "failures"):
                        merged[name] = value
                for part in ("items", "failures"):
                    target = merged.get(part)
                    if not isinstance(target, dict):
                        target = merged[part] = {}
                    value = entry.get(part)
                    ours: dict[str, Any] = value if isinstance(value, dict) else {}
                    for key, value in ours.items():
                        if (url, key) in self._changed or key not in target:
                            target[key] = value
                    for key in [k for k in target if k not in ours and (url, k) in self._changed]:
                        del target[key]
            self.feeds = on_disk
            self._changed.clear()
            data = json.dumps({"version": 1, "feeds": self.feeds}, indent=1, ensure_ascii=False)
            write_atomically(self.path, [data.encode("utf-8")])
