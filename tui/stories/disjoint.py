"""Disjoint sets (union-find): which items a set of links joins into one group.

The one union-find of the stories: the passages of a story (sentences joined by alignment) and the
spanning pairs of a long story (versions joined by their best pairs) both use it. Which articles
are versions of one story is not a union-find but a grouping by cores (`tui.stories.grouping`).

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Generic, Protocol, TypeVar


class _Ordered(Protocol):
    """An item: hashable, and ordered so that a group's root does not hang on the links' order."""

    def __hash__(self) -> int: ...
    def __lt__(self, other: Any, /) -> bool: ...


Item = TypeVar("Item", bound=_Ordered)


class DisjointSets(Generic[Item]):
    """Items and the groups links join them into; a group is named by its smallest item."""

    def __init__(self) -> None:
        self._parent: dict[Item, Item] = {}

    def add(self, item: Item) -> Item:
        """Take an item in (alone in its group if new); returns its group's root."""
        self._parent.setdefault(item, item)
        return self.root(item)

    def root(self, item: Item) -> Item:
        parent = self._parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving
            item = parent[item]
        return item

    def join(self, a: Item, b: Item) -> bool:
        """Put a and b in one group; False when they were in one already."""
        x, y = self.root(a), self.root(b)
        if x == y:
            return False
        # The smaller root stays: the groups come out the same whatever order the links came in.
        low, high = (x, y) if x < y else (y, x)
        self._parent[high] = low
        return True

    def groups(self) -> list[list[Item]]:
        """Every group, each in the order its items were first added; groups by first item."""
        found: dict[Item, list[Item]] = defaultdict(list)
        for item in list(self._parent):
            found[self.root(item)].append(item)
        return list(found.values())
