"""The file format: validation of each document, the schema version and the migrations."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import orjson

from tui.annotations.annotation import format_time, now, parse_time, selectors
from tui.annotations.tables import TrackedTable
from tui.collector import collector_paused
from tui.errors import DamagedFileError, NewerSchemaError
from tui.palette import DEFAULT_COLOR
from tui.text_safety import printable

SCHEMA_VERSION = 1
ANNOTATIONS_TABLE = "annotations"
META_TABLE = "meta"


def _doc_problem(key: str, doc: object) -> str | None:
    """What is wrong with one stored annotation, or None when it is sound."""
    if not isinstance(doc, dict):
        return f"annotation {key!r} is not an object"
    for name, kind in (
        ("id", str),
        ("article_id", str),
        ("article_hash", str),
        ("color", str),
        ("note", str),
        ("tags", list),
        ("created", str),
        ("updated", str),
        ("target", dict),
    ):
        if not isinstance(doc.get(name), kind):
            return f"annotation {key!r}: field {name!r} is missing or not a {kind.__name__}"
    if doc["id"] != key:
        return f"annotation {key!r}: its id field says {doc['id']!r}"
    try:
        quote, position = selectors(doc)
    except (KeyError, TypeError, AttributeError):
        return f"annotation {key!r}: target.selector lacks a TextQuoteSelector or TextPositionSelector"
    for name in ("exact", "prefix", "suffix"):
        if not isinstance(quote.get(name), str):
            return f"annotation {key!r}: TextQuoteSelector.{name} is missing or not a string"
    for name in ("start", "end"):
        value = position.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"annotation {key!r}: TextPositionSelector.{name} is missing or not a count"
    if not all(isinstance(tag, str) for tag in doc["tags"]):
        return f"annotation {key!r}: tags must be strings"
    if not isinstance(doc.get("linked_to", ""), str) or not isinstance(doc.get("moved_from", {}), dict):
        return f"annotation {key!r}: linked_to must be an id and moved_from an object"
    for name in ("created", "updated"):
        try:
            format_time(parse_time(doc[name]))  # one UTC cannot hold (year 1, east) fails on save
        except (ValueError, OverflowError):
            return f"annotation {key!r}: {name} is not an ISO date: {doc[name]!r}"
    return None


def _schema_version(tables: dict[str, Any]) -> int:
    meta = tables.get(META_TABLE)
    if not meta:
        return 0
    if not isinstance(meta, dict):
        raise DamagedFileError("the 'meta' table is not an object")
    for doc in meta.values():
        if isinstance(doc, dict) and "schema" in doc:
            version = doc["schema"]
            # Version 0 is a file without a meta table; a written version is 1 or more.
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise DamagedFileError(f"the 'meta' table gives schema {version!r}, which no tui writes")
            if version < SCHEMA_VERSION and any(
                step not in MIGRATIONS for step in range(version, SCHEMA_VERSION)
            ):
                raise DamagedFileError(
                    f"the 'meta' table gives schema {version}, which this tui cannot migrate"
                )
            return version
    raise DamagedFileError("the 'meta' table has no schema version")


def _migrate_0_to_1(tables: dict[str, Any]) -> None:
    """Version 0: a bare TinyDB file (no meta table), documents with flat selector fields and
    possibly without color, tags or updated. Version 1 nests the selectors as W3C does."""
    annotations = tables.get(ANNOTATIONS_TABLE, {})
    migrated: dict[str, Any] = {}
    for key, doc in annotations.items():
        if not isinstance(doc, dict):
            migrated[key] = doc  # left for validation to report
            continue
        doc = dict(doc)
        ident = str(doc.get("id") or key)
        if "target" not in doc:
            doc["target"] = {
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": doc.pop("exact", ""),
                        "prefix": doc.pop("prefix", ""),
                        "suffix": doc.pop("suffix", ""),
                    },
                    {"type": "TextPositionSelector", "start": doc.pop("start", 0), "end": doc.pop("end", 0)},
                ]
            }
        doc["id"] = ident
        doc.setdefault("article_hash", "")
        doc.setdefault("color", DEFAULT_COLOR)
        doc.setdefault("note", "")
        doc.setdefault("tags", [])
        doc.setdefault("created", format_time(now()))
        doc.setdefault("updated", doc["created"])
        migrated[ident] = doc
    tables[ANNOTATIONS_TABLE] = migrated


# from-version -> step to the next version
MIGRATIONS: dict[int, Callable[[dict[str, Any]], None]] = {0: _migrate_0_to_1}


def set_schema(tables: dict[str, Any]) -> None:
    tables[META_TABLE] = {"1": {"schema": SCHEMA_VERSION}}


def load_tables(payload: bytes) -> tuple[dict[str, Any], int]:
    """Parse and check a store file: (tables at the current schema, the version it was written at).

    Raises DamagedFileError saying what is wrong and where.
    """
    if not payload.strip():
        # Only a missing file is an empty store: we never write an empty file (every write is a
        # whole JSON object), so an empty one was truncated by something else, and writing over
        # it would throw away what it held (and, five sessions on, every backup of it).
        raise DamagedFileError("cut short: empty file" if not payload else "cut short: only whitespace")
    # Parsing 10,000 annotations makes ~200,000 objects, none of them garbage.
    with collector_paused():
        return _load_tables(payload)


def _load_tables(payload: bytes) -> tuple[dict[str, Any], int]:
    try:
        tables = orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        cut_short = error.pos >= len(payload.rstrip()) - 1
        what = (
            "cut short (it ends in the middle of the JSON)" if cut_short else f"not valid JSON ({error.msg})"
        )
        raise DamagedFileError(
            f"{what} at line {error.lineno}, column {error.colno} (byte {error.pos})"
        ) from None
    if not isinstance(tables, dict):
        raise DamagedFileError(f"the top level is a JSON {type(tables).__name__}, not an object of tables")
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise DamagedFileError(f"the table {name!r} is not an object")
    version = _schema_version(tables)
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(f"schema {version}; this tui reads up to {SCHEMA_VERSION}; update tui")
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](tables)
    if version < SCHEMA_VERSION:
        set_schema(tables)
    annotations = tables.get(ANNOTATIONS_TABLE, {})
    # JSON parsers keep the last of two equal keys: a hand-pasted copy would hide an annotation,
    # and the next save would drop it. Each annotation holds one TextQuoteSelector, so a count
    # that disagrees (cheap, in C) calls for the exact check.
    if payload.count(b'"TextQuoteSelector"') != len(annotations):
        _refuse_duplicate_keys(payload)
    for key, doc in annotations.items():
        problem = _doc_problem(key, doc)
        if problem:
            raise DamagedFileError(problem)
    if ANNOTATIONS_TABLE in tables:
        tables[ANNOTATIONS_TABLE] = TrackedTable(tables[ANNOTATIONS_TABLE])
    return tables, version


def _refuse_duplicate_keys(payload: bytes) -> None:
    """DamagedFileError naming the first key that an object of the file gives twice."""
    import json

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise DamagedFileError(
                    f"duplicate key {printable(repr(key))}: an entry is given twice, one would hide the other"
                )
            seen.add(key)
        return dict(items)

    with contextlib.suppress(ValueError):  # orjson read it; anything json alone rejects is no duplicate
        json.loads(payload, object_pairs_hook=pairs)
