"""Make untrusted article text safe to put on a terminal.

Every character maps to exactly one character, so offsets into ``Article.body`` stay
valid for the displayed text. Control characters (C0, DEL, C1) become visible symbols,
which defuses ANSI and OSC escape sequences; bidirectional overrides, which could make
text appear in another order than it is stored, become U+FFFD. Markup such as
``[bold]`` needs nothing here: it is only ever put in ``rich.text.Text``, never parsed.
"""

from __future__ import annotations

from rich.text import Text

from tui.text_safety import UNSAFE_CHARACTERS

_REPLACEMENT = "\ufffd"


def _build_table() -> dict[int, str]:
    # The set is the core's, so the app, the CLI and the export never disagree on what is unsafe.
    table: dict[int, str] = {code: _REPLACEMENT for code in UNSAFE_CHARACTERS}
    table.update({code: chr(0x2400 + code) for code in range(0x20)})  # C0 as their control pictures
    table[ord("\t")] = " "
    table[ord("\n")] = " "  # callers split on newlines before sanitising
    table[0x7F] = "\u2421"  # SYMBOL FOR DELETE
    return table


_TABLE = _build_table()


def sanitize(text: str) -> str:
    """Return ``text`` with every unsafe character replaced by one visible character."""
    return text.translate(_TABLE)


def safe_text(text: str, style: str = "") -> Text:
    """A Rich Text of untrusted text: never parsed as markup, no control characters."""
    return Text(sanitize(text), style=style, no_wrap=False, end="")
