"""Notes: every annotation of one article (or of all), with its status; edit, retag, recolor, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from tui.app.messages import AnnotationsChanged, HomesFound, NotesAnchored, StoriesChanged
from tui.app.screens.annotating import edit_note, edit_tags
from tui.app.screens.homes import HomesCache
from tui.app.widgets.article_marks import highlight_style
from tui.app.widgets.history_input import HistoryInput
from tui.app.widgets.safe_text import sanitize
from tui.wording import counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.worker import Worker

    from tui.annotations import Anchored, Annotation, AnnotationStore
    from tui.app.session import SessionApp
    from tui.library.articles import Library
    from tui.stories import Home, Stories

STATUS_STYLE = {"anchored": "", "moved": "italic", "orphaned": "bold reverse"}


def one_line(text: str, limit: int = 80) -> str:
    flat = " ".join(sanitize(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def notes_filter(query: str) -> Callable[[Annotation], bool] | None:
    """The Notes screen's filter: `#tag` words ask for a tag (any of them), the rest for text."""
    from tui.annotations.annotation import note_filter

    words = query.split()
    tags = [word[1:] for word in words if word.startswith("#") and len(word) > 1]
    text = " ".join(word for word in words if not word.startswith("#"))
    return note_filter(tags, text or None)


WIDE = 120  # from this many columns the tags and article columns get their full width
CELL_PADDING = 2  # DataTable's cell padding, one column each side
SCROLLBAR = 2


def column_widths(width: int, all_articles: bool) -> dict[str, int]:
    """Column widths for a table ``width`` columns wide.

    Color and status are never cut (the status is the point of this screen); tags and the
    article id are narrower below ``WIDE``; note and quote share the rest, quote the larger part.
    """
    widths = {"color": 6, "status": 8, "tags": 16 if width >= WIDE else 12}
    if all_articles:
        widths["article"] = 24 if width >= WIDE else 14
    columns = len(widths) + 2
    rest = width - SCROLLBAR - CELL_PADDING * columns - sum(widths.values())
    widths["note"] = max(8, rest // 3)
    widths["quote"] = max(12, rest - widths["note"])
    return widths


def notes_title(scope: str, count: int, width: int) -> str:
    """The header line; the scope's title is cut, never the count."""
    head = "Notes of "
    tail = f" · {count} note{'' if count == 1 else 's'} · A: this article / all · /: filter"
    room = max(8, width - 2 - len(head) - len(tail))
    return head + one_line(scope, room) + tail


class NotesScreen(Screen[None]):
    """A table of annotations. Enter jumps to one in the reader."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "jump", "Go to", id="notes.jump"),
        Binding("a", "edit_note", "Edit note", id="notes.edit"),
        Binding("t", "edit_tags", "Tags", id="notes.tags"),
        Binding("1", "recolor(0)", "Color 1", show=False, id="notes.color_1"),
        Binding("2", "recolor(1)", "Color 2", show=False, id="notes.color_2"),
        Binding("3", "recolor(2)", "Color 3", show=False, id="notes.color_3"),
        Binding("4", "recolor(3)", "Color 4", show=False, id="notes.color_4"),
        Binding("5", "recolor(4)", "Color 5", show=False, id="notes.color_5"),
        Binding("x", "delete", "Delete", id="notes.delete"),
        Binding("r", "reattach", "Re-attach an orphan", show=False, id="notes.reattach"),  # help lists it
        # named in the line under the table when the cursor is on an orphan
        Binding("H", "move_home", "Move the orphan to its home", show=False, id="notes.move_home"),
        Binding("u", "undo", "Undo", id="notes.undo"),
        # named in the moves line and the preview of a moved note
        Binding("U", "move_back", "Move a moved note back where it was", show=False, id="notes.move_back"),
        Binding("slash", "filter", "Filter by text or #tag", show=False, id="notes.filter"),
        Binding("A", "toggle_scope", "This/all", id="notes.scope"),
        Binding("j", "cursor_down", "Down", show=False, id="notes.down"),
        Binding("k", "cursor_up", "Up", show=False, id="notes.up"),
        # priority: the table binds home/end to sideways scrolling, which a row table never needs
        Binding("g,home", "first", "First", show=False, priority=True, id="notes.first"),
        Binding("G,end", "last", "Last", show=False, priority=True, id="notes.last"),
        Binding("space,pagedown", "page_down", "Page down", show=False, priority=True, id="notes.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, priority=True, id="notes.page_up"),
        Binding("q,escape", "back", "Back", id="notes.back"),
    ]

    app: SessionApp

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)

    def __init__(self, article_id: str | None) -> None:
        super().__init__(classes="notes")
        self.home_article_id = article_id
        self.article_id = article_id
        self.rows: list[Anchored] = []  # in table order
        self.anchored: NotesAnchored | None = None  # the rows as last anchored
        self.laid_out_width = 0
        self.homes: dict[str, list[Home]] = {}  # orphan id -> candidate homes in its story, newest first
        self.homes_ready = False
        self.homes_cache = HomesCache()  # homes found by earlier looks, kept across them
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="notes-title")
        yield Static("", id="notes-moved")  # notes moved to their homes at start-up, U moves one back
        yield HistoryInput(
            placeholder="Filter: words of the quote, note or tags; #tag for a tag (Enter keeps it, Esc clears)",
            id="notes-filter",
        )
        yield DataTable(id="notes-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="notes-home")  # the orphan under the cursor: its home, or why it has none
        with VerticalScroll(id="notes-preview-box"):
            yield Static("", id="notes-preview")  # the note under the cursor, whole
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#notes-home").display = False
        self.query_one("#notes-filter").display = False
        self._show_moved()
        self.populate()
        self.query_one("#notes-table", DataTable).focus()

    def populate(self) -> None:
        """Anchor the notes in a worker (every note of every article can take a while); the table
        follows in `on_notes_anchored`."""
        library, store = self.app.library, self.app.store
        if library is None or store is None:
            self.query_one("#notes-title", Static).update(Text("Annotations are unavailable."))
            return
        self._anchor_notes(library, store, self.article_id)

    @work(thread=True, group="anchor", exclusive=True, exit_on_error=False, description="anchoring notes")
    def _anchor_notes(self, library: Library, store: AnnotationStore, article_id: str | None) -> None:
        from tui.annotations import anchor, anchor_all

        rows: list[Anchored] = []
        if article_id is None:
            annotations = sorted(store.all(), key=lambda item: (item.article_id, item.start))
            for annotation in annotations:
                if annotation.article_id in library:
                    rows.append(anchor(annotation, library.get(annotation.article_id)))
                else:
                    rows.append(_orphan(annotation))
            scope = "all articles"
        else:
            article = library.get(article_id)
            rows = anchor_all(store.for_article(article_id), article)
            scope = sanitize(article.title)
        self.post_message(NotesAnchored(article_id, scope, rows))

    def on_notes_anchored(self, message: NotesAnchored) -> None:
        if message.article_id != self.article_id:
            return  # the scope changed meanwhile; its own anchoring follows
        self.anchored = message
        self._fill_table()
        orphans = [placed.annotation for placed in message.rows if placed.orphaned]
        self.homes, self.homes_ready = {}, False
        self._show_home()
        if orphans:
            self._find_homes(self.app.stories, orphans, message.article_id)

    @work(thread=True, group="homes", exclusive=True, exit_on_error=False, description="orphans' homes")
    def _find_homes(self, stories: Stories | None, orphans: list[Annotation], article_id: str | None) -> None:
        from textual.worker import get_current_worker

        from tui.app.screens.homes import find_homes, stories_settled

        ready = stories_settled(self.app)
        homes = find_homes(stories, orphans, self.homes_cache)
        if not get_current_worker().is_cancelled:  # a newer listing asked again
            self.post_message(HomesFound(article_id, orphans, homes, ready))

    def on_homes_found(self, message: HomesFound) -> None:
        if message.article_id != self.article_id:
            return
        self.homes, self.homes_ready = message.homes, message.stories_ready
        self._show_home()

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self.populate()  # an orphan may have a home now

    @on(DataTable.RowHighlighted, "#notes-table")
    def row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_home()
        self._show_preview()

    def _carried_ids(self) -> set[str]:
        return {annotation.id for annotation, _ in self.app.carried}

    def _show_moved(self) -> None:
        """The notes moved at start-up, where the user will see them: a line over the table."""
        line = self.query_one("#notes-moved", Static)
        carried = self.app.carried
        if not carried:
            line.display = False
            return
        targets = sorted({home.article_id for _, home in carried})
        line.update(
            Text(
                f"↪ {counted(len(carried), 'orphaned note')} moved at start-up to "
                f"{', '.join(sanitize(target) for target in targets[:3])}{'…' if len(targets) > 3 else ''}"
                ", where the passage stands verbatim (marked ↪) · U on one moves it back"
            )
        )
        line.display = True

    def _show_preview(self) -> None:
        """The note under the cursor, whole: its quote, note, tags, and where it came from if moved."""
        preview = self.query_one("#notes-preview", Static)
        placed = self.current()
        if placed is None:
            preview.update("")
            return
        annotation = placed.annotation
        text = Text()
        text.append("“" + " ".join(sanitize(annotation.exact).split()) + "”", style="italic")
        note = annotation.note.strip("\n")
        if note.strip():
            text.append("\n")
            text.append("\n".join(sanitize(line) for line in note.split("\n")))
        if annotation.tags:
            text.append("\n" + " ".join(f"#{sanitize(tag)}" for tag in annotation.tags), style="bold")
        origin = annotation.moved_from
        if origin:
            when = str(origin.get("moved", ""))[:10]
            how = "at start-up" if annotation.id in self._carried_ids() else "by hand"
            text.append(
                f"\nMoved {how} from {sanitize(str(origin.get('article_id', '?')))}"
                f"{' on ' + when if when else ''} · U moves it back",
                style="dim",
            )
        preview.update(text)

    def _show_home(self) -> None:
        """Under the table, for the orphan under the cursor: its home and the key, or why none."""
        from tui.app.screens.homes import home_line

        line = self.query_one("#notes-home", Static)
        placed = self.current()
        if placed is None or not placed.orphaned:
            line.display = False
            return
        annotation = placed.annotation
        found = self.homes.get(annotation.id)
        text = home_line(annotation, found, self.app.library, self.homes_ready)
        line.update(Text(f"{text} · r re-attaches by hand"))
        line.display = True

    def _fill_table(self) -> None:
        message = self.anchored
        if message is None:
            return
        library = self.app.library
        table: DataTable[Text] = self.query_one("#notes-table", DataTable)
        title = self.query_one("#notes-title", Static)
        selected = table.cursor_row
        table.clear(columns=True)
        width = self.size.width or self.app.size.width
        self.laid_out_width = width
        widths = column_widths(width, all_articles=self.article_id is None)
        if self.article_id is None:
            table.add_column("Article", width=widths["article"], key="article")
        table.add_column("Quote", width=widths["quote"], key="quote")
        table.add_column("Note", width=widths["note"], key="note")
        table.add_column("Tags", width=widths["tags"], key="tags")
        table.add_column("Color", width=widths["color"], key="color")
        table.add_column("Status", width=widths["status"], key="status")
        keep = notes_filter(self.filter_text)
        self.rows = [placed for placed in message.rows if keep is None or keep(placed.annotation)]
        scope = message.scope if not self.filter_text else f"{message.scope} matching “{self.filter_text}”"
        title.update(Text(notes_title(scope, len(self.rows), width)))
        carried = self._carried_ids()
        for placed in self.rows:
            annotation = placed.annotation
            cells: list[Text] = []
            if self.article_id is None:
                # the title a reader knows the article by; the id only when it is gone
                name = annotation.article_id
                if library is not None and annotation.article_id in library:
                    name = library.get(annotation.article_id).title
                cells.append(Text(one_line(name, widths["article"])))
            cells.extend(
                [
                    Text(one_line(annotation.exact, widths["quote"])),
                    Text(one_line(annotation.note, widths["note"])),
                    Text(one_line(", ".join(annotation.tags), widths["tags"])),
                    Text(annotation.color, style=highlight_style(annotation.color)),
                    Text(
                        ("↪ " if annotation.id in carried else "") + placed.status,
                        style=STATUS_STYLE.get(placed.status, ""),
                    ),
                ]
            )
            table.add_row(*cells, key=annotation.id)
        if self.rows:
            table.move_cursor(row=min(selected, len(self.rows) - 1), animate=False)
        self._show_moved()
        self._show_preview()

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        self.populate()

    def on_resize(self) -> None:
        if self.size.width != self.laid_out_width:
            self._fill_table()  # the column widths follow the terminal's

    def current(self) -> Anchored | None:
        table = self.query_one("#notes-table", DataTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @on(DataTable.RowSelected, "#notes-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        from tui.app.screens.reader import ReaderScreen

        placed = self.current()
        if placed is None:
            return
        annotation = placed.annotation
        if placed.start is None:
            self.notify(
                "This annotation is orphaned: its text is no longer in the article.", severity="warning"
            )
        if self.app.library is None or annotation.article_id not in self.app.library:
            return
        offset = placed.start if placed.start is not None else annotation.start
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, ReaderScreen) and below.article.id == annotation.article_id:
            self.dismiss()
            below.go_to(offset)
        else:
            self.app.open_article(annotation.article_id, offset)

    def action_edit_note(self) -> None:
        placed = self.current()
        if placed is not None:
            edit_note(self.app, placed.annotation)

    def action_edit_tags(self) -> None:
        placed = self.current()
        if placed is not None:
            edit_tags(self.app, placed.annotation)

    def action_recolor(self, index: int) -> None:
        placed = self.current()
        if placed is not None and 0 <= index < len(self.app.highlight_colors):
            self.app.update_annotation(placed.annotation.id, color=self.app.highlight_colors[index])

    def action_delete(self) -> None:
        placed = self.current()
        if placed is not None:
            self.app.delete_annotation(placed.annotation.id)

    def action_reattach(self) -> None:
        """Anchor an orphan again, to a passage of its article the user types (u undoes)."""
        from tui.annotations.anchoring import find_quote
        from tui.app.screens.dialogs import QuoteScreen
        from tui.errors import UsageError

        placed = self.current()
        if placed is None:
            return
        if placed.status != "orphaned":
            self.notify("This note is in its article; only an orphaned note needs re-attaching.", timeout=4)
            return
        annotation = placed.annotation
        library = self.app.library
        if library is None or annotation.article_id not in library:
            self.notify("This note's article is gone from the library.", severity="warning", markup=False)
            return
        article = library.get(annotation.article_id)

        def chosen(quote: str | None) -> None:
            if not quote or not quote.strip():
                return
            try:
                start, end = find_quote(article, quote)
            except UsageError as error:
                # the CLI's wording names its --occurrence flag; here, more of the passage tells them apart
                self.notify(str(error).split("; choose one with")[0], severity="error", markup=False)
                return
            self.app.reattach(annotation.id, article, start, end)

        self.app.push_screen(QuoteScreen(annotation.exact), chosen)

    def action_move_home(self) -> None:
        from tui.app.screens.homes import move_home

        placed = self.current()
        if placed is None:
            return
        if not placed.orphaned:
            self.notify("This note is in its article; only an orphaned note moves to a home.", timeout=4)
            return
        move_home(self.app, placed.annotation, self.homes.get(placed.annotation.id))

    def action_undo(self) -> None:
        self.app.undo()

    def action_move_back(self) -> None:
        placed = self.current()
        if placed is None:
            return
        if not placed.annotation.moved_from:
            self.notify("This note was not moved from another version.", timeout=3)
            return
        self.app.move_back(placed.annotation.id)

    # ------------------------------------------------------------------ filter

    def action_filter(self) -> None:
        box = self.query_one("#notes-filter", HistoryInput)
        box.start()
        box.display = True
        box.focus()

    @on(Input.Changed, "#notes-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = " ".join(event.value.split())
        self._fill_table()

    @on(Input.Submitted, "#notes-filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#notes-filter", HistoryInput)
        box.remember()
        box.display = bool(self.filter_text)
        self.query_one("#notes-table", DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#notes-filter", HistoryInput)
        box.remember()
        box.value = ""
        box.display = False
        self.filter_text = ""
        self._fill_table()
        self.query_one("#notes-table", DataTable).focus()

    def action_toggle_scope(self) -> None:
        self.article_id = None if self.article_id is not None else self.home_article_id
        if self.article_id is None and self.home_article_id is None:
            return
        self.populate()

    def action_cursor_down(self) -> None:
        self.query_one("#notes-table", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one("#notes-table", DataTable).action_cursor_up()

    def action_first(self) -> None:
        self.query_one("#notes-table", DataTable).action_scroll_top()

    def action_last(self) -> None:
        self.query_one("#notes-table", DataTable).action_scroll_bottom()

    def action_page_down(self) -> None:
        self.query_one("#notes-table", DataTable).action_page_down()

    def action_page_up(self) -> None:
        self.query_one("#notes-table", DataTable).action_page_up()

    def action_back(self) -> None:
        """Back, after clearing a filter first."""
        if self.filter_text or self.query_one("#notes-filter").has_focus:
            self.action_clear_filter()
            return
        self.dismiss()


def _orphan(annotation: Annotation) -> Anchored:
    """An annotation whose article is gone from the library."""
    from tui.annotations import Anchored

    return Anchored(annotation, "orphaned", None, None)
