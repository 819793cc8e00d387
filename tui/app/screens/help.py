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

from tui.app.keys import binding_description
from tui.app.session import SessionApp

if TYPE_CHECKING:
    from textual.app import App


def binding_tables(under: Screen[Any] | None = None) -> list[tuple[str, list[BindingType]]]:
    """The sections of the help: (title, BINDINGS).

    Those of the screen under the help come first (marked "this screen"), then the rest in the
    order a user meets them.
    """
    from tui.app.screens.compare import CompareScreen
    from tui.app.screens.dialogs import (
        ConfirmScreen,
        DetailsScreen,
        ExportFormatScreen,
        NoteEditorScreen,
        TagsScreen,
    )
    from tui.app.screens.library import LibraryScreen
    from tui.app.screens.notes import NotesScreen
    from tui.app.screens.reader import ReaderScreen
    from tui.app.screens.story import StoryScreen
    from tui.app.widgets.article_table import ArticleTable
    from tui.app.widgets.article_view import ArticleView

    reading = "Reading and annotating, in the Reader and both Compare panes"
    sections: list[tuple[str, list[BindingType], tuple[type[Screen[Any]], ...]]] = [
        ("Everywhere", SessionApp.BINDINGS, ()),
        ("Library", [*ArticleTable.BINDINGS, *LibraryScreen.BINDINGS], (LibraryScreen,)),
        ("Reader", ReaderScreen.BINDINGS, (ReaderScreen,)),
        (reading, ArticleView.BINDINGS, (ReaderScreen, CompareScreen)),
        ("Compare", CompareScreen.BINDINGS, (CompareScreen,)),
        ("Notes", NotesScreen.BINDINGS, (NotesScreen,)),
        ("Story", StoryScreen.BINDINGS, (StoryScreen,)),
        ("Note editor", NoteEditorScreen.BINDINGS, (NoteEditorScreen,)),
        ("Tags", [*TagsScreen.BINDINGS, *TagsScreen.INPUT_KEYS], (TagsScreen,)),
        ("Questions", ConfirmScreen.BINDINGS, (ConfirmScreen,)),
        ("Export format", ExportFormatScreen.BINDINGS, (ExportFormatScreen,)),
        ("Skipped files", DetailsScreen.BINDINGS, (DetailsScreen,)),
        ("Help", HelpScreen.BINDINGS, ()),
    ]
    # the screen's own keys, then what it shares with others (the article view's)
    mine = sorted((section for section in sections if isinstance(under, section[2])), key=lambda s: len(s[2]))
    describe = getattr(under, "focus_description", None)
    focus = describe() if callable(describe) else None
    where = f"this screen; {focus}" if focus else "this screen"
    here = [(f"{title} ({where})", bindings) for title, bindings, _ in mine]
    rest = [(title, bindings) for title, bindings, screens in sections if not isinstance(under, screens)]
    return [*here, *rest]


def grouped_keys(app: App[Any], bindings: Iterable[BindingType]) -> list[tuple[str, str, str | None]]:
    """(keys, description, id) with the aliases of one action joined: "j / ↓"."""
    rows: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str | None] = {}
    keymap = app.keymap_overrides if isinstance(app, SessionApp) else {}
    for binding in Binding.make_bindings(bindings):
        key = (binding.action, binding_description(binding.action, binding.description))
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


def help_renderable(app: App[Any], under: Screen[Any] | None = None) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold", min_width=12)
    table.add_column()
    # The id is what keymap.json remaps, so it is shown (dim) beside each action.
    table.add_column(style="dim")
    for title, bindings in binding_tables(under):
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
        Binding("g,home", "scroll_home", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll_end", "End", show=False, id="help.end"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="help.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="help.page_up"),
    ]

    def __init__(self, under: Screen[Any] | None = None) -> None:
        super().__init__(classes="dialog")
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_renderable(self.app, self.under), id="help-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_end(animate=False)

    def action_page_down(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.query_one("#help-box", VerticalScroll).scroll_page_up(animate=False)


def _binding_contexts() -> list[tuple[str, list[list[BindingType]]]]:
    """The key tables active together, as Textual looks a key up: the focused widget's first,
    then the screen's, then the app's."""
    from tui.app.screens.annotating import AnnotatingScreen
    from tui.app.screens.compare import CompareScreen
    from tui.app.screens.library import LibraryScreen
    from tui.app.screens.notes import NotesScreen
    from tui.app.screens.reader import ReaderScreen
    from tui.app.screens.story import StoryScreen
    from tui.app.widgets.article_table import ArticleTable
    from tui.app.widgets.article_view import ArticleView

    app = SessionApp.BINDINGS
    return [
        ("Library", [ArticleTable.BINDINGS, LibraryScreen.BINDINGS, app]),
        ("Reader", [ArticleView.BINDINGS, ReaderScreen.BINDINGS, AnnotatingScreen.BINDINGS, app]),
        ("Compare", [ArticleView.BINDINGS, CompareScreen.BINDINGS, AnnotatingScreen.BINDINGS, app]),
        ("Notes", [NotesScreen.BINDINGS, app]),
        ("Story", [StoryScreen.BINDINGS, app]),
        ("Help", [HelpScreen.BINDINGS]),
    ]


def keymap_problems(keymap: dict[str, str]) -> list[str]:
    """What is wrong with a user's keymap: ids no binding has, and keys it binds twice where both
    bindings are active (one of them then never runs: `{"view.highlight": "H"}` would take the
    Reader's H from "move the orphaned note home")."""
    problems: list[str] = []
    known: set[str] = set()
    for _, layers in _binding_contexts():
        for layer in layers:
            known.update(binding.id for binding in Binding.make_bindings(layer) if binding.id)
    for binding_id in keymap:
        if binding_id not in known:
            problems.append(f"keymap.json: no binding has the id {binding_id!r} (help lists them)")
    for context, layers in _binding_contexts():
        holders: dict[str, Binding] = {}
        for layer in layers:
            for binding in Binding.make_bindings(layer):
                keys = keymap.get(binding.id or "", binding.key)
                for key in (part.strip() for part in keys.split(",")):
                    first = holders.setdefault(key, binding)
                    if first is binding or first.action == binding.action:
                        continue
                    if first.id not in keymap and binding.id not in keymap:
                        continue  # the app's own layering (Escape cancels, then goes back)
                    problems.append(
                        f"keymap.json: {key} is bound twice in the {context}: {first.id} "
                        f"({first.description}) takes it, so {binding.id} ({binding.description}) has no key there"
                    )
    return list(dict.fromkeys(problems))
