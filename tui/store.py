"""The annotation store: highlights and notes that no crash, second instance or damaged file loses.

One TinyDB document per annotation, shaped after the W3C Web Annotation model (a TextQuoteSelector
and a TextPositionSelector on the article). The file is written by a storage of our own: the whole
database goes to a temporary file in the same folder, is fsynced and atomically replaces the old
one, so a kill at any instant leaves the old or the new file, whole. Every write holds a
cross-process lock and re-reads the file under it, so two processes on one file lose nothing.
A file that cannot be read is never written: the store opens read-only and says where the last
good backup is. Only this module imports tinydb; callers get dataclasses.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import queue
import re
import shutil
import tempfile
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from tui.anchoring import Anchored, Status, anchor, anchor_all
from tui.articles import printable
from tui.errors import TuiError, UsageError
from tui.palette import COLORS, DEFAULT_COLOR

if TYPE_CHECKING:
    from tui.articles import Article

__all__ = [
    "COLORS",
    "DEFAULT_COLOR",
    "SCHEMA_VERSION",
    "Anchored",
    "Annotation",
    "AnnotationStore",
    "MergeResult",
    "Status",
    "StoreError",
    "anchor",
    "anchor_all",
    "find_quote",
    "normalize_tag",
    "open_store",
]


SCHEMA_VERSION = 1
CONTEXT_CHARS = 32  # prefix/suffix kept around a quote, as Hypothesis does
BACKUPS_KEPT = 5
LOCK_TIMEOUT_S = 15.0
ANNOTATIONS_TABLE = "annotations"
META_TABLE = "meta"

T = TypeVar("T")
Doc = dict[str, Any]


class StoreError(TuiError):
    """The store cannot do what was asked: a damaged file, a read-only store, a held lock."""


class DamagedFileError(StoreError):
    """The file is not a store we can read; the message says what is wrong and where."""

    verb = "is damaged"


class NewerSchemaError(DamagedFileError):
    verb = "was written by a newer tui"


class UnreadableFileError(DamagedFileError):
    """The file system will not let us look at the file (a folder in the way, no permission)."""

    verb = "cannot be read"


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
        note: str = "",
        color: str = DEFAULT_COLOR,
        tags: Iterable[str] = (),
        moment: datetime | None = None,
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
            color=_check_color(color),
            note=note,
            tags=_clean_tags(tags),
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
        quote, position = _selectors(doc)
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


@dataclass
class MergeResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_TAG_SPACE = re.compile(r"\s+")
_TAG_BAD = re.compile(r"[^\w/-]")


def normalize_tag(raw: str) -> str:
    """A tag usable as `#tag` in Obsidian and Logseq: no '#', no spaces, no punctuation but - and /."""
    tag = _TAG_SPACE.sub("-", raw.strip().lstrip("#").strip())
    return _TAG_BAD.sub("", tag)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        tag = normalize_tag(raw)
        if not tag:
            raise UsageError(f"not a usable tag: {printable(repr(raw))} (letters, digits, '-', '_' and '/')")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _check_color(color: str) -> str:
    if color not in COLORS:
        raise UsageError(f"unknown color {printable(repr(color))}; choose one of: {', '.join(COLORS)}")
    return color


# ---------------------------------------------------------------------------------------------
# The file format: validation and migration


def _selectors(doc: Doc) -> tuple[Doc, Doc]:
    quote = position = None
    for selector in doc["target"]["selector"]:
        if selector.get("type") == "TextQuoteSelector":
            quote = selector
        elif selector.get("type") == "TextPositionSelector":
            position = selector
    if quote is None or position is None:
        raise KeyError("selector")
    return quote, position


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
        quote, position = _selectors(doc)
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


def _set_schema(tables: dict[str, Any]) -> None:
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
    # Parsing 10,000 annotations makes ~200,000 objects; the collector would walk the growing heap
    # again and again while they are made (measured: 225 ms with it, 76 ms without). Nothing
    # made here is garbage, so it waits until the parse and check are done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_tables(payload)
    finally:
        if collecting:
            gc.enable()


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
        _set_schema(tables)
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


# ---------------------------------------------------------------------------------------------
# Storage: atomic replace, change detection by stat


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder's entry is on disk too.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# A file name is at most 255 bytes on every common file system. A temporary or retired name adds
# up to 20 bytes to the start of the real one it is named after, so that start is cut to fit.
TEMPORARY_NAME_START_BYTES = 200


def _name_start(name: str) -> str:
    """The start of `name`, at most TEMPORARY_NAME_START_BYTES of UTF-8, cut between characters."""
    return name.encode("utf-8")[:TEMPORARY_NAME_START_BYTES].decode("utf-8", "ignore")


def write_atomically(
    path: Path, chunks: Iterable[bytes], *, free_later: bool = False, overwrite: bool = True
) -> None:
    """Write to a temporary file in the same folder, fsync, then replace `path` in one step.

    `overwrite=False`: put the file in place only if `path` does not exist (FileExistsError if it
    does), by a hard link, so that two writers racing for one name cannot both win.

    `free_later`: free the old file's blocks in a background thread (the store's save budget).
    Its hidden `.old` name may outlive an exiting process, so only the store, which clears such
    leftovers in its folder, asks for it; an export into a user's vault does not.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{_name_start(path.name)}.", suffix=".tmp", dir=path.parent)
    retired: str | None = None
    try:
        try:
            _write_all(fd, chunks)
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.chmod(temporary, 0o644 if not path.exists() else path.stat().st_mode & 0o777)
        retired = _retire(path) if free_later else None
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        for leftover in (temporary, retired):
            if leftover:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
        raise
    _fsync_dir(path.parent)
    if retired:
        _unlink_later(retired)


def _link_new(temporary: str, path: Path) -> None:
    """Give the written file its name only if no file has it; the temporary name goes either way."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: an exclusive create reserves the name, then the
        # replace fills it in one step.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _write_all(fd: int, chunks: Iterable[bytes]) -> None:
    """Write every chunk, in as few system calls as possible (the kernel copies each byte once)."""
    views = [memoryview(chunk) for chunk in chunks if chunk]
    writev = getattr(os, "writev", None)
    while views:
        # Windows has no writev; 1024 is the usual IOV_MAX.
        written = os.write(fd, views[0]) if writev is None else writev(fd, views[:1024])
        while written and views:  # a write may take less than it was given
            if written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            else:
                views[0] = views[0][written:]
                written = 0


def _retire(path: Path) -> str | None:
    """Keep the old file alive under a second name, so that `os.replace` does not free its blocks.

    Freeing a 7 MB file takes ~9 ms here, half the save budget; a background thread does it instead.
    """
    retired = str(path.parent / f".{_name_start(path.name)}.{uuid.uuid4().hex[:12]}.old")
    try:
        os.link(path, retired)
    except OSError:  # no file yet, or a file system without hard links: free it inline
        return None
    return retired


_unlink_queue: queue.SimpleQueue[str] | None = None
_unlink_queue_lock = threading.Lock()


def _unlink_later(name: str) -> None:
    global _unlink_queue
    with _unlink_queue_lock:
        if _unlink_queue is None:
            _unlink_queue = queue.SimpleQueue()
            threading.Thread(
                target=_unlinker, args=(_unlink_queue,), name="tui-store-unlink", daemon=True
            ).start()
    _unlink_queue.put(name)


def _unlinker(names: queue.SimpleQueue[str]) -> None:
    # A name left behind by an exit before this ran is removed by the next session's first write.
    while True:
        name = names.get()
        with contextlib.suppress(OSError):
            os.unlink(name)


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:  # a file where a folder should be, no permission, ...
        raise UnreadableFileError(error.strerror or str(error)) from None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a half-written file and re-reads only what changed.

    `read` returns the tables parsed at the last change of the file (inode, size, mtime, ctime);
    `generation` counts every change of the data seen, so indexes know when to rebuild.
    """

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self.generation = 0
        self.loaded_version = SCHEMA_VERSION
        self._data: dict[str, Any] | None = None
        self._signature: tuple[int, int, int, int] | None = None
        self._loaded = False

    def read(self) -> dict[str, Any] | None:
        signature = _signature(self.path)
        if self._loaded and signature == self._signature:
            return self._data
        if signature is None:
            data: dict[str, Any] | None = None
            self.loaded_version = SCHEMA_VERSION
        else:
            try:
                payload = self.path.read_bytes()
            except FileNotFoundError:  # replaced between stat and open: read the new one
                return self.read()
            except OSError as error:
                raise UnreadableFileError(error.strerror or str(error)) from None
            data, self.loaded_version = load_tables(payload)
            signature = _signature(self.path) if signature is None else signature
        self._data, self._signature, self._loaded = data, signature, True
        self.generation += 1
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; nothing was saved")
        _set_schema(data)
        try:
            write_atomically(self.path, self.serialize(data), free_later=True)
        except BaseException:
            # TinyDB changed the tables we handed out in place: forget them, the file is the truth.
            self._loaded = False
            raise
        self._data, self._signature, self._loaded = data, _signature(self.path), True
        self.generation += 1

    def forget(self) -> None:
        self._loaded = False

    def serialize(self, data: dict[str, Any]) -> list[bytes]:
        """orjson.dumps(data) as a list of pieces, reusing each unchanged annotation's bytes.

        At 10,000 annotations (7 MB) a full dump is ~10 ms, a Python loop over the documents ~5 ms
        and joining them ~2.5 ms on a small machine: the table remembers which keys were set or
        removed since the last write, only those are dumped again, and only their blocks of
        documents joined again. The store never changes a document in place (it puts a new dict),
        so a key not set since the last write has the same bytes. Pieces rather than one bytes
        object, because every concatenation of the payload costs a copy of it.
        """
        chunks: list[bytes] = []
        for name, table in data.items():
            chunks.append(b"," if chunks else b"{")
            if name != ANNOTATIONS_TABLE:
                chunks.append(orjson.dumps(name) + b":" + orjson.dumps(table))
                continue
            if not isinstance(table, TrackedTable):
                table = data[name] = TrackedTable(table)
            if table.fragments is None:
                table.fragments = Fragments(table)
            else:
                for key in table.changed:
                    doc = table.get(key)
                    if doc is None:
                        table.fragments.drop(key)
                    else:
                        table.fragments.put(key, doc)
            table.changed.clear()
            chunks.append(orjson.dumps(name) + b":{")
            for number, block in enumerate(table.fragments.blocks()):
                chunks += [block] if number == 0 else [b",", block]
            chunks.append(b"}")
        chunks.append(b"}" if chunks else b"{}")
        return chunks


class Fragments:
    """Each annotation's JSON bytes, kept in blocks that are joined again only when they change."""

    BLOCK = 256

    def __init__(self, table: dict[str, Doc]) -> None:
        self._blocks: list[dict[str, bytes]] = []
        self._joined: list[bytes | None] = []
        self._where: dict[str, int] = {}
        for key, doc in table.items():
            self.put(key, doc)

    def put(self, key: str, doc: Doc) -> None:
        index = self._where.get(key)
        if index is None:
            if not self._blocks or len(self._blocks[-1]) >= self.BLOCK:
                self._blocks.append({})
                self._joined.append(None)
            index = self._where[key] = len(self._blocks) - 1
        self._blocks[index][key] = orjson.dumps(key) + b":" + orjson.dumps(doc)
        self._joined[index] = None

    def drop(self, key: str) -> None:
        index = self._where.pop(key, None)
        if index is not None:
            del self._blocks[index][key]
            self._joined[index] = None

    def blocks(self) -> Iterator[bytes]:
        """The non-empty blocks, each `"key":{...},"key":{...}`; JSON does not care about key order."""
        for index, block in enumerate(self._blocks):
            if block:
                joined = self._joined[index]
                if joined is None:
                    joined = self._joined[index] = b",".join(block.values())
                yield joined


class TrackedTable(dict[str, Doc]):
    """A table that notes which keys were set or removed, for `AtomicJSONStorage.serialize`."""

    __slots__ = ("changed", "fragments")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.changed: set[str] = set()
        self.fragments: Fragments | None = None

    def __setitem__(self, key: str, value: Doc) -> None:
        self.changed.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.changed.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.changed.add(key)
        return super().pop(key, *default)

    def _untracked(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("change the annotations table key by key")

    update = setdefault = popitem = clear = __ior__ = _untracked  # type: ignore[assignment]


class _TextIdTable(Table):
    # Documents are keyed by the annotation's UUID, so the same id means the same annotation in
    # every process and in every export; no counter to go stale between processes.
    document_id_class = str  # type: ignore[assignment]

    def _update_table(self, updater: Callable[[dict[str, Doc]], None]) -> None:  # type: ignore[override]
        # TinyDB's version copies the whole table twice to convert ids to and from int; ours are
        # strings already, and at 10,000 annotations the copies cost more than the disk write.
        tables = self._storage.read() or {}
        if self.name not in tables:
            tables[self.name] = TrackedTable()
        table = tables[self.name]
        try:
            updater(table)
            self._storage.write(tables)
        except BaseException:
            # The tables are the storage's cached copy: after a failed change, re-read the file.
            self._storage.forget()  # type: ignore[attr-defined]
            raise
        self.clear_cache()

    def put(self, key: str, doc: Doc) -> None:
        """Insert or replace one document with a new dict (never changed in place; see serialize)."""

        def updater(table: dict[str, Doc]) -> None:
            table[key] = doc

        self._update_table(updater)


class _Database(TinyDB):
    table_class = _TextIdTable


# ---------------------------------------------------------------------------------------------
# The store


@dataclass
class _UndoStep:
    description: str
    annotation_id: str
    before: Doc | None  # None: the step created the annotation, undo removes it
    # Linked copies the edit was carried to, as they were: undo restores them with it.
    followers: dict[str, Doc] = field(default_factory=dict)


@dataclass
class _Index:
    generation: int = -1
    by_article: dict[str, list[str]] = field(default_factory=dict)


class AnnotationStore:
    """Annotations in one JSON file, safe against crashes, a second process and damage."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.problem: str | None = None
        self.backup_dir = self.path.with_name(f"{self.path.stem}.backups")
        self._storage = AtomicJSONStorage(self.path)
        self._db = _Database(storage=lambda: self._storage)  # type: ignore[arg-type, return-value]
        self._table: _TextIdTable = self._db.table(ANNOTATIONS_TABLE, cache_size=0)  # type: ignore[assignment]
        self._lock = _file_lock(self.path)
        self._thread_lock = threading.RLock()
        self._index = _Index()
        self._undo: list[_UndoStep] = []
        self._backed_up = False
        try:
            self._storage.read()
        except DamagedFileError as error:
            self._damaged(error)
            return
        if self.read_only:
            self._storage.read_only = True
        elif self._storage.loaded_version < SCHEMA_VERSION and self.path.exists():
            self._migrate()

    # -- reading -------------------------------------------------------------------------------

    def _docs(self) -> dict[str, Doc]:
        """The annotation documents as last read; a file damaged since is reported, not read."""
        with self._thread_lock:
            if self.problem is not None:
                # Damaged: keep showing what was last read whole; reopen to look again.
                tables = self._storage._data if self._storage._loaded else None
            else:
                try:
                    tables = self._storage.read()
                except DamagedFileError as error:
                    self._damaged(error)
                    tables = self._storage._data
            docs: dict[str, Doc] = (tables or {}).get(ANNOTATIONS_TABLE, {})
            if self._index.generation != self._storage.generation:
                by_article: dict[str, list[str]] = {}
                for key, doc in docs.items():
                    by_article.setdefault(doc["article_id"], []).append(key)
                self._index = _Index(self._storage.generation, by_article)
            return docs

    def get(self, annotation_id: str) -> Annotation:
        docs = self._docs()
        return Annotation.from_doc(docs[self._resolve(docs, annotation_id)])

    def for_article(self, article_id: str) -> list[Annotation]:
        docs = self._docs()
        found = [Annotation.from_doc(docs[key]) for key in self._index.by_article.get(article_id, ())]
        found.sort(key=lambda annotation: (annotation.start, annotation.end, annotation.created))
        return found

    def all(self) -> list[Annotation]:
        found = [Annotation.from_doc(doc) for doc in self._docs().values()]
        found.sort(key=lambda annotation: (annotation.article_id, annotation.start, annotation.created))
        return found

    def __len__(self) -> int:
        return len(self._docs())

    def counts_by_article(self) -> dict[str, int]:
        self._docs()
        return {article_id: len(keys) for article_id, keys in sorted(self._index.by_article.items())}

    def all_tags(self) -> list[str]:
        tags: set[str] = set()
        for doc in self._docs().values():
            tags.update(doc["tags"])
        return sorted(tags, key=str.casefold)

    @staticmethod
    def _resolve(docs: dict[str, Doc], annotation_id: str) -> str:
        """A full id, or a unique start of one (as `tui notes` prints), to the full id."""
        wanted = annotation_id.strip().lower()
        if wanted in docs:
            return wanted
        if len(wanted) >= 4:
            matches = [key for key in docs if key.startswith(wanted)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise UsageError(
                    f"annotation id {printable(repr(annotation_id))} is ambiguous: give more characters"
                )
        raise UsageError(f"no annotation with id {printable(repr(annotation_id))} (see `tui notes`)")

    # -- writing -------------------------------------------------------------------------------

    def add(
        self,
        article: Article,
        start: int,
        end: int,
        *,
        note: str = "",
        color: str = DEFAULT_COLOR,
        tags: Iterable[str] = (),
    ) -> Annotation:
        annotation = Annotation.create(article, start, end, note=note, color=color, tags=tags)

        def change() -> Annotation:
            self._table.insert(Document(annotation.to_doc(), doc_id=annotation.id))  # type: ignore[arg-type]
            return annotation

        self._write(change)
        self._undo.append(_UndoStep(f"highlight {_snippet(annotation.exact)}", annotation.id, None))
        return annotation

    def update(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: list[str] | None = None,
    ) -> Annotation:
        fields: Doc = {}
        if note is not None:
            fields["note"] = note
        if color is not None:
            fields["color"] = _check_color(color)
        if tags is not None:
            fields["tags"] = _clean_tags(tags)
        edited = self._edit(annotation_id, fields, "edit of", follow_links=True)
        return edited

    def adopt(self, original: Annotation, article: Article, start: int, end: int) -> Annotation:
        """A linked copy of another version's annotation on article.body[start:end]: same note,
        color and tags, kept in step with the original until the copy itself is edited."""
        annotation = Annotation.create(
            article, start, end, note=original.note, color=original.color, tags=original.tags
        )
        annotation.linked_to = original.id

        def change() -> Annotation:
            self._table.insert(Document(annotation.to_doc(), doc_id=annotation.id))  # type: ignore[arg-type]
            return annotation

        self._write(change)
        self._undo.append(_UndoStep(f"adoption of {_snippet(annotation.exact)}", annotation.id, None))
        return annotation

    def move(self, annotation_id: str, article: Article, start: int, end: int) -> Annotation:
        """Re-anchor an (orphaned) annotation in another version, with a record of where it was."""
        current = self.get(annotation_id)
        placed = Annotation.create(article, start, end).to_doc()
        fields = {key: placed[key] for key in ("article_id", "article_hash", "target")}
        fields["moved_from"] = {
            "article_id": current.article_id,
            "article_hash": current.article_hash,
            "exact": current.exact,
            "start": current.start,
            "end": current.end,
            "moved": format_time(now()),
        }
        return self._edit(annotation_id, fields, "move of")

    def reattach(self, annotation_id: str, article: Article, start: int, end: int) -> Annotation:
        """Anchor an annotation (typically an orphan) to a new passage; its note and tags stay."""
        placed = Annotation.create(article, start, end).to_doc()
        fields = {key: placed[key] for key in ("article_id", "article_hash", "target")}
        return self._edit(annotation_id, fields, "re-attachment of")

    def _edit(self, annotation_id: str, fields: Doc, what: str, *, follow_links: bool = False) -> Annotation:
        followers: dict[str, Doc] = {}

        def change() -> tuple[Annotation, Doc]:
            docs = self._docs()
            key = self._resolve(docs, annotation_id)
            before = docs[key]
            moment = format_time(now())
            edited = {**before, **fields, "updated": moment}
            if follow_links:
                # An edited adopted copy is its own note from now on; copies adopted from this one
                # follow the edit.
                edited.pop("linked_to", None)
                for other_key, doc in list(docs.items()):
                    if doc.get("linked_to") == key:
                        followers[other_key] = dict(doc)
                        self._table.put(other_key, {**doc, **fields, "updated": moment})
            self._table.put(key, edited)
            return Annotation.from_doc(self._docs()[key]), before

        annotation, before = self._write(change)
        self._undo.append(_UndoStep(f"{what} {_snippet(annotation.exact)}", annotation.id, before, followers))
        return annotation

    def delete(self, annotation_id: str) -> Annotation:
        def change() -> Annotation:
            docs = self._docs()
            key = self._resolve(docs, annotation_id)
            annotation = Annotation.from_doc(docs[key])
            self._table.remove(doc_ids=[key])  # type: ignore[list-item]
            return annotation

        annotation = self._write(change)
        self._undo.append(
            _UndoStep(f"deletion of {_snippet(annotation.exact)}", annotation.id, annotation.to_doc())
        )
        return annotation

    def undo(self) -> str | None:
        """Undo this session's last add, edit or delete; a description of what was undone, or None."""
        if not self._undo:
            return None
        step = self._undo[-1]

        def change() -> None:
            if step.before is None:
                if step.annotation_id in self._docs():
                    self._table.remove(doc_ids=[step.annotation_id])  # type: ignore[list-item]
            else:
                self._table.put(step.annotation_id, dict(step.before))
            docs = self._docs()
            for key, doc in step.followers.items():
                if key in docs:  # a copy deleted since stays deleted
                    self._table.put(key, dict(doc))

        self._write(change)
        self._undo.pop()
        return f"undid {step.description}"

    def merge(self, annotations: Iterable[Annotation]) -> MergeResult:
        """Add annotations by id in one write: a new id is added, a known one replaced only when
        the incoming copy was updated later."""
        incoming = list(annotations)
        result = MergeResult()
        for annotation in incoming:
            _check_color(annotation.color)

        def change(table: dict[str, Doc]) -> None:
            for annotation in incoming:
                current = table.get(annotation.id)
                if current is None:
                    table[annotation.id] = annotation.to_doc()
                    result.added += 1
                elif parse_time(current["updated"]) < annotation.updated:
                    table[annotation.id] = annotation.to_doc()
                    result.updated += 1
                else:
                    result.unchanged += 1

        if incoming:
            self._write(lambda: self._table._update_table(change))  # type: ignore[arg-type]
        return result

    def _write(self, change: Callable[[], T]) -> T:
        with self._thread_lock:
            if self.read_only:
                raise StoreError(self.problem or f"{self.path} is open read-only; nothing was saved")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self._locked():
                    try:
                        self._storage.read()  # what other processes wrote since we last looked
                    except DamagedFileError as error:
                        self._damaged(error)
                        raise StoreError(self.problem or str(error)) from None
                    if not self._backed_up:
                        self._backup()
                        self._clear_temporaries()
                        self._backed_up = True
                    return change()
            except OSError as error:  # a full disk, a read-only folder: the old file is untouched
                self._storage.forget()
                reason = error.strerror or str(error)
                raise StoreError(f"cannot save to {self.path}: {reason}; nothing was saved") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import filelock

        try:
            with self._lock.acquire(timeout=LOCK_TIMEOUT_S):
                yield
        except filelock.Timeout:
            raise StoreError(
                f"{self.path} is being written by another process (lock {self._lock.lock_file} "
                f"held for {LOCK_TIMEOUT_S:.0f} s); nothing was saved"
            ) from None

    # -- safety nets ---------------------------------------------------------------------------

    def _damaged(self, error: DamagedFileError) -> None:
        self.read_only = True
        self._storage.read_only = True
        backup = self.last_good_backup()
        pointer = (
            f"last good backup: {backup} (copy it over the file to restore)" if backup else "no backup yet"
        )
        self.problem = (
            f"{self.path} {error.verb}: {error}; opened read-only, nothing will be written; {pointer}"
        )

    def _migrate(self) -> None:
        with self._locked():
            self._storage.forget()
            self._storage.read()
            if self._storage.loaded_version < SCHEMA_VERSION:
                self._backup(label=f"schema{self._storage.loaded_version}")
                self._storage.write(self._storage._data or {})
                self._backed_up = True

    def backups(self) -> list[Path]:
        """Backups of the last good file, oldest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob(f"{self.path.stem}-*.json"))

    def last_good_backup(self) -> Path | None:
        for candidate in reversed(self.backups()):
            try:
                load_tables(candidate.read_bytes())
            except (DamagedFileError, OSError):
                continue
            return candidate
        return None

    def _backup(self, label: str = "") -> None:
        """Copy the current (checked) file aside once per session, keeping the last few.

        A backup counts only when whole: copied to a temporary name, fsynced, checked, then renamed
        into place. A full disk leaves no zero-byte or cut-short backup, and rotation drops the
        oldest whole backups only, so it never trades a good one for a bad one.
        """
        if not self.path.exists():
            return
        self.backup_dir.mkdir(exist_ok=True)
        stamp = now().strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backup_dir / f"{self.path.stem}-{stamp}{'-' + label if label else ''}.json"
        temporary = self.backup_dir / f".{target.name}.tmp"
        try:
            # A copy, not a hard link: an editor that rewrites the file in place would change a link too.
            shutil.copyfile(self.path, temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            if _signature(self.path) != self._storage._signature or not self._storage._loaded:
                # The file changed since it was read and checked (an editor, a process ignoring the
                # lock): the copy may be bad, and rotating could push out the last good backup.
                try:
                    load_tables(temporary.read_bytes())
                except DamagedFileError as error:
                    self._damaged(error)
                    raise StoreError(self.problem or str(error)) from None
            elif temporary.stat().st_size != (self._storage._signature or (0, -1))[1]:
                raise OSError(errno.EIO, "backup copy is shorter than the file", str(temporary))
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        _fsync_dir(self.backup_dir)
        self._rotate_backups()

    def _rotate_backups(self) -> None:
        whole: list[Path] = []
        for backup in self.backups():
            if _looks_whole(backup):
                whole.append(backup)
            else:  # a zero-byte or cut-short copy left by an older tui: it can restore nothing
                with contextlib.suppress(OSError):
                    backup.unlink()
        for old in whole[:-BACKUPS_KEPT]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _clear_temporaries(self) -> None:
        # Under the lock no other writer is mid-write, so any temporary file is a killed write's.
        start = _name_start(self.path.name)
        for pattern in (f".{start}.*.tmp", f".{start}.*.old"):
            for leftover in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def close(self) -> None:
        self._db.close()


def open_store(path: Path) -> AnnotationStore:
    """A store for the command line: a damaged file is an error there, not a read-only view."""
    store = AnnotationStore(path)
    if store.problem:
        raise StoreError(store.problem)
    return store


_QUOTE_CHARS = {"'": "['‘’]", "‘": "['‘’]", "’": "['‘’]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def find_quote(article: Article, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Where `quote` stands in the article: (start, end), by exact text, else with any whitespace
    and either kind of quotation mark. Not found, or found more than once without `occurrence`
    (1-based), is a UsageError."""
    # Bodies are NFC; a quote typed or pasted in decomposed form (NFD, as macOS may give) is the same text.
    quote = unicodedata.normalize("NFC", quote)
    words = quote.split()
    if not words:
        raise UsageError("the quote is empty")
    pattern = r"\s+".join("".join(_QUOTE_CHARS.get(c, re.escape(c)) for c in word) for word in words)
    spans = [(m.start(), m.end()) for m in re.finditer(pattern, article.body)]
    # Both come from outside (the article file's name, the user's quote): shown, never obeyed.
    shown = printable(repr(quote if len(quote) <= 60 else quote[:59] + "…"))
    where = printable(article.id)
    if not spans:
        raise UsageError(f"quote not found in {where}: {shown}")
    if occurrence is None:
        if len(spans) > 1:
            raise UsageError(
                f"quote found {len(spans)} times in {where}: {shown}; choose one with --occurrence 1-{len(spans)}"
            )
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise UsageError(f"--occurrence {occurrence}: the quote is found {len(spans)} time(s) in {where}")
    return spans[occurrence - 1]


def _looks_whole(backup: Path) -> bool:
    """Whether a backup ends as a JSON object does: cheap, and enough to tell a copy cut short."""
    try:
        with backup.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 64))
            return handle.read().rstrip().endswith(b"}")
    except OSError:
        return False


def _file_lock(path: Path) -> Any:
    import filelock

    return filelock.FileLock(str(path) + ".lock")


def _snippet(text: str, width: int = 40) -> str:
    flat = printable(" ".join(text.split()))
    return f"“{flat[: width - 1]}…”" if len(flat) > width else f"“{flat}”"
