"""How counts read in messages: "1 version", "2 versions", never "2 version(s)"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it takes: counted(1, "note") is "1 note"."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def length_of_time(seconds: float) -> str:
    """A length of time as a bound states it: "45 s", "10 min", "1.5 h"."""
    if seconds < 60:
        return f"{round(seconds, 1):g} s"
    if seconds < 3600:
        return f"{round(seconds / 60, 1):g} min"
    return f"{round(seconds / 3600, 1):g} h"
