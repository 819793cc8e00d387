"""Small modal dialogs: the note editor, the tag editor, a passage to re-attach to, a yes/no question,
the format of an export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import LanguageDoesNotExist

from tui.app.export_format import EXPORT_FORMATS, ExportFormat
from tui.app.widgets.safe_text import safe_text


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; y or Enter says yes, n or Escape says no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(safe_text(self.question), id="question")
            yield Label("y: yes   n or Escape: no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class DetailsScreen(ModalScreen[None]):
    """A list to read (the files the library skipped, what could not be added, and why); any of q,
    Escape, Enter closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "close", "Close", id="details.close"),
    ]

    def __init__(self, title: str, lines: list[str], hint: str = "Escape: close") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.lines = lines
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="details-list"):
                yield Static(safe_text("\n".join(self.lines)))
            yield Label(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#details-list").focus()

    def action_close(self) -> None:
        self.dismiss()


def markdown_language() -> str | None:
    """ "markdown" where its tree-sitter grammar is installed, else None (plain text)."""
    try:
        import tree_sitter  # noqa: F401
        import tree_sitter_markdown  # noqa: F401
    except ImportError:
        return None
    return "markdown"


def note_text_area(text: str) -> TextArea:
    """The note's editing box: Markdown coloured where the grammar is installed."""
    language = markdown_language()
    try:
        return TextArea(text, id="note-text", soft_wrap=True, tab_behavior="indent", language=language)
    except LanguageDoesNotExist:  # a grammar that is installed but does not load
        return TextArea(text, id="note-text", soft_wrap=True, tab_behavior="indent")


class NoteEditorScreen(ModalScreen[str | None]):
    """A multi-line Markdown note. ctrl+s returns the text; Escape returns None (asking first)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: the editor does not use ctrl+s, so it comes up here after the keys
        # typed before it; as a priority binding it ran ahead of them and saved a cut note.
        Binding("ctrl+s", "save", "Save", id="note.save"),
        # A priority binding: the editor itself takes Escape (to leave the text box).
        Binding("escape", "cancel", "Cancel", priority=True, id="note.cancel"),
    ]

    def __init__(self, quote: str, note: str, *, original: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.quote = quote
        self.initial = note
        self.original = note if original is None else original  # Escape asks if the text differs

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Note", classes="dialog-title")
            yield Static(safe_text(self.quote), id="quote")
            editor = note_text_area(self.initial)
            editor.show_line_numbers = False
            yield editor
            yield Label("ctrl+s: save   Escape: cancel   (Markdown is kept as typed)", classes="dialog-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        editor = self.query_one("#note-text", TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def text(self) -> str:
        return self.query_one("#note-text", TextArea).text

    def action_save(self) -> None:
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        if self.text == self.original:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard the changes to this note?"), answered)


class TagSuggester(Suggester):
    """Completes the last comma-separated tag from the tags already in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.tags = sorted(set(tags), key=str.casefold)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        stem = last.lstrip()
        if not stem:
            return None
        taken = {tag.strip().casefold() for tag in head.split(",")}
        for tag in self.tags:
            if tag.casefold().startswith(stem.casefold()) and tag.casefold() not in taken:
                return value[: len(value) - len(stem)] + tag
        return None


def parse_tags(value: str) -> list[str]:
    tags: list[str] = []
    for raw in value.split(","):
        tag = " ".join(raw.split())
        if tag and tag not in tags:
            tags.append(tag)
    return tags


class QuoteScreen(ModalScreen[str | None]):
    """Ask for the passage an orphaned note now belongs to, as it stands in its article."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="quote.cancel"),
    ]

    def __init__(self, quote: str) -> None:
        super().__init__(classes="dialog")
        self.quote = quote

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(
                "Re-attach to this passage (type or paste it as the article now has it)",
                classes="dialog-title",
            )
            yield Input(" ".join(self.quote.split()), id="quote-input")
            yield Label("Enter: re-attach   Escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#quote-input", Input).focus()

    @on(Input.Submitted, "#quote-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagsScreen(ModalScreen[list[str] | None]):
    """Edit an annotation's tags: comma-separated, completed (right arrow) from existing tags."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
    ]
    # Keys the tag box itself handles (Input's own bindings), listed in the help beside ours.
    INPUT_KEYS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Save the tags", id="tags.save"),
        Binding("right", "cursor_right", "Complete the tag from the tags in use", id="tags.complete"),
    ]

    def __init__(self, tags: list[str], known: list[str]) -> None:
        super().__init__(classes="dialog")
        self.tags = tags
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Tags (comma-separated)", classes="dialog-title")
            yield Input(
                ", ".join(self.tags),
                placeholder="e.g. russia, diplomacy",
                suggester=TagSuggester(self.known),
                id="tags-input",
            )
            yield Label("Enter: save   right arrow: complete   Escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#tags-input", Input).focus()

    @on(Input.Submitted, "#tags-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(parse_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EchoNoteScreen(ModalScreen[None]):
    """Another version's note as it echoes here: where from, how the passage stands, quote, note."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q,E", "close", "Close", id="echo.close"),
    ]

    def __init__(self, where: str, match: str, quote: str, here: str, note: str) -> None:
        super().__init__(classes="dialog")
        self.where = where
        self.match = match
        self.quote = quote
        self.here = here
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Echo of a note on another version", classes="dialog-title")
            yield Static(safe_text(f"From: {self.where}"), id="echo-where")
            yield Static(safe_text(f"There ({self.match} here): {self.quote}"), id="quote")
            if self.here != self.quote:
                yield Static(safe_text(f"Here: {self.here}"), id="echo-here")
            yield Static(safe_text(self.note.strip() or "(a highlight without a note)"), id="echo-note")
            yield Label("y in the reader adopts it   Escape: close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ExportFormatScreen(ModalScreen[ExportFormat | None]):
    """Choose what to export notes as; a format's letter or Enter on it exports, Escape does not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "choose('obsidian')", "Obsidian Markdown", id="export.obsidian"),
        Binding("l", "choose('logseq')", "Logseq Markdown", id="export.logseq"),
        Binding("w", "choose('json')", "Web Annotation JSON-LD", id="export.json"),
        Binding("escape,q", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(
        self,
        what: str,
        where: str,
        formats: Sequence[ExportFormat] = tuple(EXPORT_FORMATS),
        current: ExportFormat = "obsidian",
    ) -> None:
        super().__init__(classes="dialog")
        self.what = what
        self.where = where
        self.formats = list(formats)
        self.current = current if current in self.formats else self.formats[0]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(f"Export {self.what} as", classes="dialog-title")
            options = []
            for name in self.formats:
                key, title, detail = EXPORT_FORMATS[name]
                options.append(
                    Option(Text.assemble((key, "bold"), f"  {title}\n", (f"   {detail}", "dim")), id=name)
                )
            yield OptionList(*options, id="export-formats")
            yield Static(safe_text(f"Into {self.where}"), id="export-where")
            keys = " / ".join(EXPORT_FORMATS[name][0] for name in self.formats)
            yield Label(f"{keys} or Enter: export   Escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one("#export-formats", OptionList)
        options.highlighted = self.formats.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected, "#export-formats")
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or self.current)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":  # a story exports Markdown only: no JSON key there
            return parameters[0] in self.formats
        return True

    def action_choose(self, name: str) -> None:
        for offered in self.formats:
            if offered == name:
                self.dismiss(offered)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
