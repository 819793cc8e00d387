"""The in-memory annotation table: it remembers what changed, so a save dumps only that."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from tui.annotations.annotation import Doc


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

    update = setdefault = popitem = clear = __ior__ = _untracked
