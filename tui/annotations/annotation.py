"""The annotation model: one highlight or note on a passage of an article, shaped after the W3C Web
Annotation model (a TextQuoteSelector and a TextPositionSelector). Pure: the store saves it,
anchoring places it again, exports write it out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from tui.errors import UsageError
from tui.palette import COLORS, DEFAULT_COLOR
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.library.articles import Article


Doc = dict[str, Any]

CONTEXT_CHARS = 32  # prefix/suffix kept around a quote, as Hypothesis does


class NoteFields(TypedDict, total=False):
    """What a user gives a new annotation besides its passage; each may be left out (`Annotation.create`
    holds the defaults: no note, the default color, no tags). The store's `add` takes the same."""

    note: str
    color: str
    tags: Iterable[str]


@dataclass
class Annotation:
    id: str
    article_id: str
    article_hash: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    color: str
    note: str
    tags: list[str]
    created: datetime
    updated: datetime
    # An adopted echo: the id of the annotation (on another version of the story) whose note,
    # color and tags this one follows until it is edited itself. Absent on older documents.
    linked_to: str | None = None
    # Re-anchored in another version of its story: where it was (article_id, article_hash, exact,
    # start, end) and when it moved. Absent on older documents.
    moved_from: dict[str, Any] | None = None

    @classmethod
    def create(
        cls,
        article: Article,
        start: int,
        end: int,
        *,
        moment: datetime | None = None,
        **fields: Unpack[NoteFields],
    ) -> Annotation:
        """A new annotation on article.body[start:end], with its quote, context and a fresh id."""
        body = article.body
        if not 0 <= start < end <= len(body):
            raise UsageError(
                f"not a passage of {printable(article.id)}: characters {start}-{end} of {len(body)}"
            )
        # A selection's surrounding whitespace is not part of what the reader meant.
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start == end:
            raise UsageError("cannot highlight only whitespace")
        moment = moment or now()
        return cls(
            id=str(uuid.uuid4()),
            article_id=article.id,
            article_hash=article.content_hash,
            exact=body[start:end],
            prefix=body[max(0, start - CONTEXT_CHARS) : start],
            suffix=body[end : end + CONTEXT_CHARS],
            start=start,
            end=end,
            color=check_color(fields.get("color", DEFAULT_COLOR)),
            note=fields.get("note", ""),
            tags=clean_tags(fields.get("tags", ())),
            created=moment,
            updated=moment,
        )

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "article_hash": self.article_hash,
            "target": {
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": self.exact,
                        "prefix": self.prefix,
                        "suffix": self.suffix,
                    },
                    {"type": "TextPositionSelector", "start": self.start, "end": self.end},
                ]
            },
            "color": self.color,
            "note": self.note,
            "tags": list(self.tags),
            "created": format_time(self.created),
            "updated": format_time(self.updated),
            # Written only when set, so documents of annotations without them are as before.
            **({"linked_to": self.linked_to} if self.linked_to else {}),
            **({"moved_from": dict(self.moved_from)} if self.moved_from else {}),
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Annotation:
        quote, position = selectors(doc)
        return cls(
            id=doc["id"],
            article_id=doc["article_id"],
            article_hash=doc["article_hash"],
            exact=quote["exact"],
            prefix=quote["prefix"],
            suffix=quote["suffix"],
            start=position["start"],
            end=position["end"],
            color=doc["color"] if doc["color"] in COLORS else DEFAULT_COLOR,
            note=doc["note"],
            tags=list(doc["tags"]),
            created=parse_time(doc["created"]),
            updated=parse_time(doc["updated"]),
            linked_to=doc["linked_to"] if isinstance(doc.get("linked_to"), str) else None,
            moved_from=dict(doc["moved_from"]) if isinstance(doc.get("moved_from"), dict) else None,
        )


def now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_TAG_SPACE = re.compile(r"\s+")
_TAG_BAD = re.compile(r"[^\w/-]")
# CSI (`ESC [ … letter`), OSC (`ESC ] … BEL or ESC \\`) and two-character escapes, with the C1 CSI.
_TERMINAL_ESCAPE = re.compile(r"(\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[@-_]")


def normalize_tag(raw: str) -> str:
    """A tag usable as `#tag` in Obsidian and Logseq: no '#', no spaces, no punctuation but - and /.

    A terminal escape sequence goes whole (not just its ESC: `\x1b[31m` leaves no `31m`), and so
    do empty and dot-dot parts of a nested tag (`../x` is `x`)."""
    tag = _TAG_SPACE.sub("-", _TERMINAL_ESCAPE.sub("", raw).strip().lstrip("#").strip())
    tag = _TAG_BAD.sub("", tag)
    return "/".join(part for part in tag.split("/") if part not in ("", ".", ".."))


def clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        tag = normalize_tag(raw)
        if not tag:
            raise UsageError(f"not a usable tag: {printable(repr(raw))} (letters, digits, '-', '_' and '/')")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def check_color(color: str) -> str:
    if color not in COLORS:
        raise UsageError(f"unknown color {printable(repr(color))}; choose one of: {', '.join(COLORS)}")
    return color


def selectors(doc: Doc) -> tuple[Doc, Doc]:
    """The quote and position selectors of a stored document (KeyError if one is missing)."""
    quote = position = None
    for selector in doc["target"]["selector"]:
        if selector.get("type") == "TextQuoteSelector":
            quote = selector
        elif selector.get("type") == "TextPositionSelector":
            position = selector
    if quote is None or position is None:
        raise KeyError("selector")
    return quote, position


def tag_matches(tags: Iterable[str], wanted: str) -> bool:
    """Whether a note carries the tag ``wanted`` (any case, `#` or not), or one nested under it
    (`climate` finds `climate/policy`, as in Obsidian)."""
    key = normalize_tag(wanted).casefold()
    if not key:
        return False
    return any((tag := normalize_tag(raw).casefold()) == key or tag.startswith(key + "/") for raw in tags)


def note_filter(tags: Iterable[str] = (), text: str | None = None) -> Callable[[Annotation], bool] | None:
    """Which notes to keep: those with any of ``tags`` (none given: every tag) whose quote, note or
    tags hold ``text`` (any case). None when nothing is asked for."""
    wanted = [tag for tag in tags if tag.strip()]
    needle = " ".join((text or "").split()).casefold()
    if not wanted and not needle:
        return None

    def keep(annotation: Annotation) -> bool:
        if wanted and not any(tag_matches(annotation.tags, tag) for tag in wanted):
            return False
        if needle:
            haystack = " ".join(" ".join((annotation.exact, annotation.note, *annotation.tags)).split())
            return needle in haystack.casefold()
        return True

    return keep
