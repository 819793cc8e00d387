"""How the reader shows the Markdown left in an article's body: by style, never by moving text.

Highlights, the sentence cursor and search all stand on offsets into `Article.body`, so the text
drawn for a paragraph has exactly its characters, one for one. What Markdown says is shown by
the roles given to ranges (a heading, bold, italic, code, a quote, a table's rules) and by a few
characters drawn as what they mean, each as one character: a list's `-` as `•`, a quote's `>` as
`▎`, a table's `|` and `-` as box rules, the digits of `<sup>22</sup>` as `²²`. The tags around
them are drawn faint: hiding them would move the text. Lines of a list, a table or a quote (joined
by a newline in the body) start a new line on screen.

Pure: no Textual, no Rich. The reader maps roles to styles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

ROLES = ("h1", "h2", "h3", "strong", "em", "code", "marker", "quote", "rule", "bullet")

_BULLET = re.compile(r"([-*+])(?=\s)")
_ORDERED = re.compile(r"\d{1,3}[.)](?=\s)")
_QUOTE = re.compile(r"(?:>\s?)+")
_TABLE_RULE = re.compile(r"\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*\|?")
_CODE = re.compile(r"`([^`\n]{1,300})`")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])([^*\n]{1,300}?)(?<=[^\s*])\*(?![\w*])|(?<![\w_])_(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])_(?![\w_])"
)
_SUP_SUB = re.compile(r"<(sup|sub)>([^<>\n]{1,20})</\1>", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\[\^(\w{1,10})\]")
_TAGS = re.compile(r"</?(?:em|i|strong|b|u|small|span|br)\s*/?>", re.IGNORECASE)
_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


@dataclass(slots=True)
class Look:
    """A paragraph as the reader draws it: ``text`` has the paragraph's length, character for
    character; ``roles`` are (start, end, role) ranges in it; a new line starts at each ``breaks``."""

    text: str
    roles: list[tuple[int, int, str]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)


def _heading_role(kind: str) -> str:
    level = int(kind[1:]) if kind[1:].isdigit() else 3
    return "h1" if level <= 1 else "h2" if level == 2 else "h3"


def look(text: str, structure: Sequence[tuple[int, int, str]] = (), *, markdown: bool = True) -> Look:
    """The look of one paragraph's text; ``structure`` holds the parser's marks, in its offsets.

    ``markdown`` False (a plain-text article): only HTML superscripts and footnote marks are
    drawn as such; a `-` or `*` in plain text means what it says.
    """
    chars = list(text)
    roles: list[tuple[int, int, str]] = []
    breaks: list[int] = []
    for start, end, kind in structure:
        if 0 <= start < end <= len(text):
            if kind.startswith("h"):
                roles.append((start, end, _heading_role(kind)))
            elif kind == "strong":
                roles.append((start, end, "strong"))

    def swap(start: int, replacement: str) -> None:
        for offset, character in enumerate(replacement):
            if start + offset < len(chars):
                chars[start + offset] = character

    def small(match: re.Match[str], table: dict[int, int]) -> None:
        inner_start = match.start(2)
        inner = match.group(2)
        shown = inner.translate(table)
        if len(shown) == len(inner):
            swap(inner_start, shown)
        roles.append((match.start(), inner_start, "marker"))
        roles.append((match.end(2), match.end(), "marker"))

    for match in _SUP_SUB.finditer(text):
        small(match, _SUPERSCRIPT if match.group(1).lower() == "sup" else _SUBSCRIPT)
    for match in _FOOTNOTE.finditer(text):
        shown = match.group(1).translate(_SUPERSCRIPT)
        swap(match.start(1), shown)
        roles.append((match.start(), match.start(1), "marker"))
        roles.append((match.end(1), match.end(), "marker"))
    if not markdown:
        return Look("".join(chars), roles, breaks)

    for match in _TAGS.finditer(text):
        roles.append((match.start(), match.end(), "marker"))
    position = 0
    lines = text.split("\n")
    quoted = bool(lines) and lines[0].startswith(">")
    for number, line in enumerate(lines):
        if number and not quoted:  # a quote's lines flow as one text; a list's items and rows do not
            breaks.append(position)
        start = position
        if quote := _QUOTE.match(line):
            for offset, character in enumerate(quote.group()):
                if character == ">":
                    chars[start + offset] = "▎" if number == 0 else " "
            roles.append((start, start + quote.end(), "marker"))
            roles.append((start + quote.end(), start + len(line), "quote"))
        elif bullet := _BULLET.match(line):
            chars[start] = "•"
            roles.append((start, start + bullet.end(), "bullet"))
        elif ordered := _ORDERED.match(line):
            roles.append((start, start + ordered.end(), "bullet"))
        elif line.startswith("|"):
            if _TABLE_RULE.fullmatch(line.strip()):
                for offset, character in enumerate(line):
                    if character == "-":
                        chars[start + offset] = "─"
                    elif character == "|":
                        chars[start + offset] = (
                            "├" if offset == 0 else "┤" if offset == len(line) - 1 else "┼"
                        )
                roles.append((start, start + len(line), "rule"))
            else:
                for offset, character in enumerate(line):
                    if character == "|":
                        chars[start + offset] = "│"
                        roles.append((start + offset, start + offset + 1, "rule"))
        position += len(line) + 1
    if quoted:
        roles.append((0, len(text), "quote"))
    for match in _CODE.finditer(text):
        roles.append((match.start(), match.start(1), "marker"))
        roles.append((match.start(1), match.end(1), "code"))
        roles.append((match.end(1), match.end(), "marker"))
    for match in _EMPHASIS.finditer(text):
        group = 1 if match.group(1) is not None else 2
        roles.append((match.start(), match.start(group), "marker"))
        roles.append((match.start(group), match.end(group), "em"))
        roles.append((match.end(group), match.end(), "marker"))
    return Look("".join(chars), roles, breaks)
