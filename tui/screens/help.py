"""Help: every key of every screen, generated from the binding tables the app itself uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from textual.app import App


def binding_tables() -> list[tuple[str, list[BindingType]]]:
    """The sections of the help, in the order a user meets them: (title, BINDINGS)."""
    from tui.app import TuiApp
    from tui.screens.compare import CompareScreen
    from tui.screens.dialogs import ConfirmScreen, NoteEditorScreen, TagsScreen
    from tui.screens.library import LibraryScreen
    from tui.screens.notes import NotesScreen
    from tui.screens.reader import ReaderScreen
    from tui.widgets.article_table import ArticleTable
    from tui.widgets.article_view import ArticleView

    return [
        ("Everywhere", TuiApp.BINDINGS),
        ("Library", [*ArticleTable.BINDINGS, *LibraryScreen.BINDINGS]),
        ("Reader", ReaderScreen.BINDINGS),
        ("Reading and annotating (Reader and both Compare panes)", ArticleView.BINDINGS),
        ("Compare", CompareScreen.BINDINGS),
        ("Notes", NotesScreen.BINDINGS),
        ("Note editor", NoteEditorScreen.BINDINGS),
        ("Tags", TagsScreen.BINDINGS),
        ("Questions", ConfirmScreen.BINDINGS),
        ("Help", HelpScreen.BINDINGS),
    ]


def grouped_keys(app: App[Any], bindings: Iterable[BindingType]) -> list[tuple[str, str, str | None]]:
    """(keys, description, id) with the aliases of one action joined: "j / ↓"."""
    rows: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str | None] = {}
    keymap: dict[str, str] = getattr(app, "_keymap", {})  # the user's overrides, as the app applies them
    for binding in Binding.make_bindings(bindings):
        key = (binding.action, binding.description)
        if binding.id in keymap:
            if key in ids:
                continue  # the keymap replaces every alias of this binding
            displays = [
                app.get_key_display(Binding(remapped, binding.action))
                for remapped in keymap[binding.id].split(",")
            ]
            rows[key] = displays
        else:
            rows.setdefault(key, []).append(app.get_key_display(binding))
        ids[key] = binding.id
    return [
        (" / ".join(keys), description, ids[(action, description)])
        for (action, description), keys in rows.items()
    ]


def help_renderable(app: App[Any]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", min_width=12)
    table.add_column()
    # The id is what keymap.json remaps, so it is shown (dim) beside each action.
    table.add_column(style="dim")
    for title, bindings in binding_tables():
        table.add_row("", "")
        table.add_row(Text(""), Text(title, style="bold underline"))
        for keys, description, binding_id in grouped_keys(app, bindings):
            table.add_row(Text(keys), Text(description), Text(binding_id or ""))
    table.add_row("", "")
    table.add_row(Text("ctrl+p"), Text("Command palette: every action above, by name"))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,question_mark", "close", "Close", id="help.close"),
        Binding("j,down", "scroll_down", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="help.up"),
    ]

    def __init__(self, under: Screen[Any] | None = None) -> None:
        super().__init__(classes="dialog")
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_renderable(self.app), id="help-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_up(animate=False)
