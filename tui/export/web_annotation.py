"""Notes as W3C Web Annotations (JSON-LD), out and back in: for other annotation tools.

Out: every annotation with a TextQuoteSelector and a TextPositionSelector, our own terms under
`tui:`. In (`tui import`): JSON-LD files of ours or of other tools, all or nothing: a file with one
bad item imports nothing, and the error names the item.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from tui.annotations.annotation import Annotation, format_time, normalize_tag, now, parse_time
from tui.durable import read_regular_file, write_atomically
from tui.errors import UsageError
from tui.export.selection import Keep, refuse_damaged
from tui.palette import COLORS, DEFAULT_COLOR, color_meaning
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore

ARTICLE_URN = "urn:tui:article:"
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TUI_CONTEXT = {"tui": "urn:tui:terms:"}


# --------------------------------------------------------------------------- out


def to_web_annotation(annotation: Annotation) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "value": annotation.note,
                "format": "text/markdown",
                "purpose": "commenting",
            }
        )
    bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in annotation.tags]
    return {
        "id": f"urn:uuid:{annotation.id}",
        "type": "Annotation",
        "motivation": "commenting" if annotation.note else "highlighting",
        "created": format_time(annotation.created),
        "modified": format_time(annotation.updated),
        "body": bodies,
        "target": {
            "source": ARTICLE_URN + quote(annotation.article_id, safe="/"),
            "styleClass": annotation.color,
            "tui:articleHash": annotation.article_hash,
            "tui:colorMeaning": color_meaning(annotation.color),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.exact,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        },
    }


def export_jsonld(
    store: AnnotationStore, article_ids: Iterable[str] | None = None, keep: Keep = None
) -> dict[str, Any]:
    refuse_damaged(store)
    wanted = set(article_ids) if article_ids is not None else None
    items = [
        to_web_annotation(annotation)
        for annotation in store.all()
        if (wanted is None or annotation.article_id in wanted) and (keep is None or keep(annotation))
    ]
    return {
        "@context": [W3C_CONTEXT, TUI_CONTEXT],
        "type": "AnnotationCollection",
        "label": "tui annotations",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _is_our_jsonld(path: Path) -> bool:
    """Whether a file is a JSON-LD export of ours (so re-exporting over it loses nothing)."""
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return (
        isinstance(data, dict)
        and data.get("type") == "AnnotationCollection"
        and data.get("label") == "tui annotations"
        and data.get("@context") == [W3C_CONTEXT, TUI_CONTEXT]
    )


def export_jsonld_file(
    store: AnnotationStore, article_ids: Iterable[str] | None, target: Path, keep: Keep = None
) -> Path:
    """Write the JSON-LD export to a file (a folder gets `annotations.jsonld`); returns the file."""
    import orjson

    target = Path(target)
    if target.is_dir() or not target.suffix:
        target.mkdir(parents=True, exist_ok=True)
        target = target / "annotations.jsonld"
    data = export_jsonld(store, article_ids, keep)
    if target.exists() and not _is_our_jsonld(target):
        raise UsageError(f"{target} exists and was not written by tui export; choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    from tui.text_safety import json_safe

    write_atomically(target, [json_safe(orjson.dumps(data, option=orjson.OPT_INDENT_2)) + b"\n"])
    return target


# --------------------------------------------------------------------------- in


def _items(data: Any) -> Iterator[Any]:
    """The annotations in a collection, page, list or single annotation, in order.

    A stack rather than recursion: an imported file may nest lists a thousand deep.
    """
    pending: list[Any] = [data]
    while pending:
        entry = pending.pop()
        if isinstance(entry, list):
            pending.extend(reversed(entry))
        elif isinstance(entry, dict):
            kind = entry.get("type")
            if kind == "AnnotationCollection":
                pending.append(entry.get("first", {}))
            elif kind == "AnnotationPage":
                if isinstance(entry.get("next"), dict):
                    pending.append(entry["next"])
                pending.append(entry.get("items", []))
            else:
                yield entry


def from_web_annotation(item: Any) -> Annotation:
    """One W3C Web Annotation as ours; UsageError saying what is missing."""
    if not isinstance(item, dict) or item.get("type") != "Annotation":
        raise UsageError("not an Annotation object")
    ident = str(item.get("id", "")).removeprefix("urn:uuid:")
    if not re.fullmatch(r"[0-9a-fA-F-]{8,64}", ident):
        raise UsageError(f"id {printable(repr(item.get('id')))} is not a urn:uuid")
    target = item.get("target")
    if isinstance(target, list) and target:
        target = target[0]
    if not isinstance(target, dict):
        raise UsageError(f"{ident}: no target")
    source = target.get("source", "")
    if not isinstance(source, str):
        raise UsageError(f"{ident}: target.source is not a string")
    article_id = unquote(source.removeprefix(ARTICLE_URN)) if source.startswith(ARTICLE_URN) else source
    if not article_id:
        raise UsageError(f"{ident}: target has no source")
    problem = _article_id_problem(article_id)
    if problem:
        raise UsageError(f"{ident}: target {printable(repr(source))} is not an article id ({problem})")
    selectors = target.get("selector", [])
    selectors = selectors if isinstance(selectors, list) else [selectors]
    quote_selector = next(
        (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"), None
    )
    if (
        quote_selector is None
        or not isinstance(quote_selector.get("exact"), str)
        or not quote_selector["exact"]
    ):
        raise UsageError(f"{ident}: no TextQuoteSelector with an exact quote")
    for name in ("prefix", "suffix"):
        if not isinstance(quote_selector.get(name), str | None):
            raise UsageError(f"{ident}: TextQuoteSelector.{name} is not a string")
    position = next(
        (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextPositionSelector"), None
    )
    exact = unicodedata.normalize("NFC", quote_selector["exact"])
    start, end = 0, len(exact)  # no position: the quote alone places it
    if position is not None:
        start, end = _position(ident, position, "start"), _position(ident, position, "end")
        if end < start:
            raise UsageError(f"{ident}: TextPositionSelector end {end} is before its start {start}")
    style = target.get("styleClass", DEFAULT_COLOR)
    if not isinstance(style, str):
        raise UsageError(f"{ident}: target.styleClass is not a string (one of: {', '.join(COLORS)})")
    article_hash = target.get("tui:articleHash", "")
    if not isinstance(article_hash, str):
        raise UsageError(f"{ident}: target.tui:articleHash is not a string")
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    for body in bodies:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise UsageError(f"{ident}: a body is not an object with a string value")
        if not isinstance(body.get("purpose", "commenting"), str):
            raise UsageError(f"{ident}: a body's purpose is not a string")
    notes = [b["value"] for b in bodies if b.get("purpose", "commenting") == "commenting"]
    tags = [b["value"] for b in bodies if b.get("purpose") == "tagging" and b["value"]]
    try:
        created = parse_time(item["created"]) if item.get("created") else now()
        updated = parse_time(item["modified"]) if item.get("modified") else created
        # Stored in UTC: a date that UTC cannot hold (year 1 east of Greenwich) must fail here.
        format_time(created), format_time(updated)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{ident}: created/modified is not an ISO date within years 1-9999") from None
    # A color name of another tool (a CSS class) is no error: it gets the default color.
    color = style if style in COLORS else DEFAULT_COLOR

    return Annotation(
        id=ident.lower(),
        article_id=article_id,
        article_hash=article_hash,
        exact=exact,
        prefix=_context(quote_selector.get("prefix")),
        suffix=_context(quote_selector.get("suffix")),
        start=start,
        end=end,
        color=str(color),
        note="\n\n".join(notes),
        tags=_tags(tags),
        created=created,
        updated=updated,
    )


MAX_ID_CHARS = 1000


def _article_id_problem(article_id: str) -> str | None:
    """Why `article_id` cannot name an article file, or None. An id is a path inside the articles
    folder without its suffix (`politics/312`): never absolute, never up and out, never a link."""
    if len(article_id) > MAX_ID_CHARS:
        return f"longer than {MAX_ID_CHARS} characters"
    if printable(article_id, multiline=False) != article_id:
        return "it holds control or invisible characters"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", article_id):
        return "a link, not a path in the articles folder"
    if "\\" in article_id or article_id.startswith(("/", "~")):
        return "an absolute path"
    if any(part in ("", ".", "..") for part in article_id.split("/")):
        return "a path out of or around the articles folder"
    return None


def _tags(values: list[Any]) -> list[str]:
    """The tags by the rule `tui annotate` applies (`normalize_tag`: usable as `#tag`, escape
    sequences and `..` parts gone); one another tool wrote that the rule leaves empty is dropped."""
    tags: list[str] = []
    for value in values:
        tag = normalize_tag(str(value))
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _position(ident: str, selector: dict[str, Any], name: str) -> int:
    value = selector.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise UsageError(
            f"{ident}: TextPositionSelector {name} is {printable(repr(value))}, not a count of characters"
        )
    return value


def _context(value: object) -> str:
    # A null or a number is no context: never the text "None".
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else ""


def read_jsonld(path: Path) -> list[Annotation]:
    """Every annotation in a JSON-LD file (a collection, a page, a list or one annotation).

    All or nothing: the first bad item is a UsageError naming it, and nothing is imported.
    """
    import orjson

    try:
        data = orjson.loads(read_regular_file(Path(path)))  # a pipe or a device is refused, never read
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except orjson.JSONDecodeError as error:
        raise UsageError(
            f"{path} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    annotations = []
    for number, item in enumerate(_items(data), start=1):
        try:
            annotations.append(from_web_annotation(item))
        except UsageError as error:
            raise UsageError(f"{path}: item {number}: {error}; nothing imported") from None
        except (TypeError, ValueError, KeyError, AttributeError) as error:  # a shape no check foresaw
            raise UsageError(
                f"{path}: item {number}: not a usable annotation ({type(error).__name__}); nothing imported"
            ) from None
    if not annotations:
        raise UsageError(f"{path} holds no W3C Web Annotations")
    return annotations
