"""How counts read in messages: "1 version", "2 versions", never "2 version(s)"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it takes: counted(1, "note") is "1 note"."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"
