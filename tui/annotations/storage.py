"""The TinyDB adapter: our storage (atomic writes, change detection by stat) and a table keyed by
annotation id. The only module that touches TinyDB's internals (`Table._update_table`,
`Table._storage`); tests/unit/test_private_apis.py fails if an upgrade removes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui.annotations.annotation import Doc
from tui.annotations.schema import ANNOTATIONS_TABLE, SCHEMA_VERSION, load_tables, set_schema
from tui.annotations.tables import Fragments, TrackedTable
from tui.durable import write_atomically
from tui.errors import StoreError, UnreadableFileError


def file_signature(path: Path) -> tuple[int, int, int, int] | None:
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
        signature = file_signature(self.path)
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
            signature = file_signature(self.path) if signature is None else signature
        self._data, self._signature, self._loaded = data, signature, True
        self.generation += 1
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; nothing was saved")
        set_schema(data)
        try:
            write_atomically(self.path, self.serialize(data), free_later=True)
        except BaseException:
            # TinyDB changed the tables we handed out in place: forget them, the file is the truth.
            self._loaded = False
            raise
        self._data, self._signature, self._loaded = data, file_signature(self.path), True
        self.generation += 1

    def forget(self) -> None:
        self._loaded = False

    @property
    def last_read(self) -> dict[str, Any] | None:
        """The tables as last read or written (None before the first read), without looking again."""
        return self._data

    @property
    def loaded(self) -> bool:
        """Whether `last_read` is what the file held (False after `forget` or a failed write)."""
        return self._loaded

    @property
    def signature(self) -> tuple[int, int, int, int] | None:
        """The file's (inode, size, mtime, ctime) when it was last read or written."""
        return self._signature

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


class TextIdTable(Table):
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

    def change(self, updater: Callable[[dict[str, Doc]], None]) -> None:
        """Change the table in one write: `updater` gets the documents by id, to set or delete."""
        self._update_table(updater)


class Database(TinyDB):
    table_class = TextIdTable
