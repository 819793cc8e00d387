"""Text safety: what must never reach a terminal as itself, and the one escaping of untrusted text.

Pure and tiny, so widgets, the CLI and exports can use it without importing the article parser.
"""

from __future__ import annotations

import re

__all__ = [
    "INVISIBLE_CHARACTERS",
    "UNSAFE_CHARACTERS",
    "json_safe",
    "printable",
    "without_controls",
    "without_surrogates",
    "xml_safe",
]

# Characters that must never reach a terminal as themselves: C0 and C1 controls (ESC, BEL, CSI…),
# DEL, the bidi marks, overrides and isolates that can make a line read differently from what it
# is, and the invisible format characters (zero-width space and joiners, word joiner, BOM) that
# hide inside a word or a name. Tab and newline are layout, not danger. The CLI and export
# (`printable`) and the app's text widget (one character for one, to keep offsets) both neutralise
# exactly this set; the article body keeps them, so offsets never shift.
INVISIBLE_CHARACTERS = frozenset([0x180E, 0x200B, 0x200C, 0x200D, *range(0x2060, 0x2065), 0xFEFF])
UNSAFE_CHARACTERS = frozenset(
    [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *INVISIBLE_CHARACTERS,
    ]
)
# Half a surrogate pair, alone: a JSON `"\ud800"` or a YAML `"\ud800"` decodes to one, a file name
# in bytes that are not UTF-8 comes back holding them, and no UTF-8 file, terminal or hash can take
# them as they are (writing one raises).
_SURROGATE_RANGE = "\ud800-\udfff"
_LONE_SURROGATE = re.compile(f"[{_SURROGATE_RANGE}]")
_CONTROL = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(UNSAFE_CHARACTERS)) + _SURROGATE_RANGE + "]"
)
_CONTROL_OR_LAYOUT = re.compile(_CONTROL.pattern[:-1] + "\n\t]")
_LAYOUT_ESCAPES = {"\n": "\\n", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    if character in _LAYOUT_ESCAPES:
        return _LAYOUT_ESCAPES[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, multiline: bool = False) -> str:
    """The one escaping of untrusted text (an id, title, path, quote, note) for a terminal or a file.

    Every unsafe character is written as its escape (`\\x1b`, `\\u202e`): shown, never obeyed.
    By default the result is one line, so a name holding a newline cannot forge a line of output;
    `multiline` keeps newlines and tabs, for text laid out in lines (a Markdown note or quote).
    Markdown output builds on this (`export.escape_markdown`).
    """
    return (_CONTROL if multiline else _CONTROL_OR_LAYOUT).sub(_escaped, text)


# C0 controls but tab and newline, DEL and the C1 controls: never text, and NUL makes a file binary.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, as a decoder does with bytes it cannot read."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def without_controls(text: str) -> str:
    """`text` without control characters (tab and newline stay; a CR or CRLF becomes a newline) and
    without lone surrogates (U+FFFD instead): what is written into an article file, whatever the
    page or file held."""
    return without_surrogates(_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))


# What XML 1.0 allows (tab, newline, CR, and from U+0020 on, less the surrogates and U+FFFE/FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` with only characters XML may hold: the others (ESC, BEL, NUL…) are dropped."""
    return _NOT_XML.sub("", text)


_JSON_UNSAFE = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in sorted(UNSAFE_CHARACTERS) if code >= 0x20) + "]"
)


def json_safe(document: bytes) -> bytes:
    """A JSON document with every unsafe character written as a JSON escape (`\\u202e`): the data
    is unchanged for a JSON reader, and a terminal or editor shows the escape, as `printable` does.
    (Below U+0020 the JSON encoder has escaped them already.)"""
    if document.isascii() and b"\x7f" not in document:
        return document  # every other unsafe character is beyond ASCII: nothing to escape (C scans)
    text = document.decode("utf-8")
    if _JSON_UNSAFE.search(text) is None:
        return document
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text).encode("utf-8")
