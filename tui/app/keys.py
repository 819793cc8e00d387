"""How a key binding is described to a user, the same in the help, the palette and the footer."""

from __future__ import annotations

import re

from tui.palette import COLORS

_COLOR_ACTION = re.compile(r"(highlight_color|recolor)\((\d+)\)")


def binding_description(action: str, description: str) -> str:
    """A binding's description, with the color keys named after the palette.

    "Highlight yellow (key point)" says more than "Highlight in color 1"; the palette (names,
    order, meanings) lives in tui/palette.py, which the help reads rather than repeating it.
    """
    match = _COLOR_ACTION.fullmatch(action)
    if match is None:
        return description
    names = list(COLORS)
    index = int(match.group(2))
    if index >= len(names):
        return description
    verb = "Highlight" if match.group(1) == "highlight_color" else "Recolor"
    return f"{verb} {names[index]} ({COLORS[names[index]]})"
