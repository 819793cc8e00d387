"""The highlight palette: one definition that the store, exports, the reader and help all read.

Pure (no textual, no rich): a colour here is a hex string, which a Rich or Textual style takes as
is. The order is the order keys 1-5 pick the colours in the reader.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COLORS",
    "DEFAULT_COLOR",
    "PALETTE",
    "HighlightColor",
    "color_meaning",
    "color_swatch",
    "find_color",
]


@dataclass(frozen=True, slots=True)
class HighlightColor:
    """One highlight colour: its stored name, what it means, how exports and the reader show it."""

    name: str  # stored in annotations and exports (W3C styleClass): never rename one
    meaning: str  # written beside the name by help and every export, so a user can filter by it
    swatch: str  # an emoji square for Markdown
    background: str  # hex ground of highlighted text; dark text on it reads in dark and light themes
    key: str  # the reader's key that picks it


PALETTE: tuple[HighlightColor, ...] = (
    HighlightColor("yellow", "key point", "🟨", "#f2d45c", "1"),
    HighlightColor("green", "evidence or fact", "🟩", "#8fd694", "2"),
    HighlightColor("blue", "question, to follow up", "🟦", "#8ec5f0", "3"),
    HighlightColor("red", "doubtful or disputed", "🟥", "#f28b82", "4"),
    HighlightColor("purple", "worth quoting", "🟪", "#c7a6f0", "5"),
)

# Name -> meaning, in key order: what the store validates against.
COLORS: dict[str, str] = {color.name: color.meaning for color in PALETTE}
DEFAULT_COLOR = PALETTE[0].name


def find_color(name: str) -> HighlightColor | None:
    """The palette entry called `name`, or None for a name of another tool or an old palette."""
    return next((color for color in PALETTE if color.name == name), None)


def color_meaning(name: str) -> str:
    """What the colour stands for; empty for an unknown name."""
    found = find_color(name)
    return found.meaning if found else ""


def color_swatch(name: str) -> str:
    """The Markdown swatch of the colour; empty for an unknown name."""
    found = find_color(name)
    return found.swatch if found else ""
