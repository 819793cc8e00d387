"""HistoryInput: a one-line input that remembers what was typed into it, as a shell does.

`start()` begins a new query (an empty line, as `/` in less and vim); up and down walk the
earlier ones, newest first, and down past the newest gives back what was being typed.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

HISTORY_KEPT = 50


class HistoryInput(Input):
    """An Input with a history of submitted (or left) queries on up and down."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history_previous", "Earlier query", show=False, id="input.history_previous"),
        Binding("down", "history_next", "Later query", show=False, id="input.history_next"),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []  # oldest first
        self._position: int | None = None  # index into history while walking it
        self._draft = ""

    def remember(self, query: str | None = None) -> None:
        """Keep ``query`` (default: the current value) as the newest entry, once."""
        text = (self.value if query is None else query).strip()
        if not text:
            return
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        del self.history[:-HISTORY_KEPT]

    def start(self) -> None:
        """A new query: the current one goes to the history and the line is emptied."""
        self.remember()
        self._position = None
        self._draft = ""
        self.value = ""

    def _show(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history)
        if self._position > 0:
            self._position -= 1
            self._show(self.history[self._position])

    def action_history_next(self) -> None:
        if self._position is None:
            return
        self._position += 1
        if self._position >= len(self.history):
            self._position = None
            self._show(self._draft)
        else:
            self._show(self.history[self._position])
