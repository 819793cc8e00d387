"""The story screen: a story's versions in time order, a passage-by-version matrix, and its notes.

The matrix shows which version carries each passage (●), which version adds it (+: no earlier
version has it), which leaves it out (−: an earlier version had it), and where the figures in it
changed (Δ). Keys open any version, compare any two (mark one with `m`, then `c` on the other),
move an orphaned note to its home, and export the story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from tui.app.messages import AnnotationsChanged, StoryLoaded
from tui.app.widgets.safe_text import sanitize
from tui.wording import counted

if TYPE_CHECKING:
    from textual.worker import Worker

    from tui.app.session import SessionApp
    from tui.stories import Story
    from tui.stories.views import StoryNote, StoryView

CARRIES, ADDS, OMITS, CHANGED, NOT_YET = "●", "+", "−", "Δ", " "
LEGEND = f"{CARRIES} carries   {ADDS} adds   {OMITS} leaves out   {CHANGED} figures changed"
# Columns of the matrix: a wire story re-sent dozens of times would push the passages off screen.
MATRIX_VERSIONS = 12


def _cells(*values: str | Text) -> list[Text]:
    """DataTable reads a str cell as markup: article text and notes are untrusted, so pass Text."""
    return [value if isinstance(value, Text) else Text(sanitize(value)) for value in values]


def _fit(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"


def matrix_cells(story: Story) -> list[list[str]]:
    """For each passage, one symbol per version (in time order)."""
    rows: list[list[str]] = []
    ids = story.version_ids
    for passage in story.passages:
        cells: list[str] = []
        first_figures: list[str] | None = None
        for position, article_id in enumerate(ids):
            carried_before = any(passage.spans.get(earlier) is not None for earlier in ids[:position])
            if passage.spans.get(article_id) is None:
                cells.append(OMITS if carried_before else NOT_YET)
                continue
            figures = passage.figures.get(article_id)
            if first_figures is None:
                first_figures = figures
            if (
                carried_before
                and passage.figures
                and sorted(set(figures or [])) != sorted(set(first_figures or []))
            ):
                cells.append(CHANGED)
            elif carried_before or position == 0:
                cells.append(CARRIES)
            else:
                cells.append(ADDS)
        rows.append(cells)
    return rows


class StoryScreen(Screen[None]):
    """One story: versions, passages by version, notes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="story.open"),
        Binding("j,down", "cursor_down", "Down", show=False, id="story.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="story.up"),
        Binding("g,home", "first", "First", show=False, id="story.first"),
        Binding("G,end", "last", "Last", show=False, id="story.last"),
        # its heading is marked ▶ and help names the table that has the keys
        Binding(
            "tab", "next_table", "Next table: versions, passages, notes", show=False, id="story.next_table"
        ),
        Binding("shift+tab", "previous_table", "Previous table", show=False, id="story.previous_table"),
        Binding("m", "mark", "Mark for compare", id="story.mark"),
        Binding("c", "compare", "Compare", id="story.compare"),
        Binding("H", "move_home", "Move orphan home", show=False, id="story.move_home"),
        Binding("e", "export", "Export story", id="story.export"),
        Binding("q,escape", "back", "Back", id="story.back"),
    ]

    app: SessionApp

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)

    def __init__(self, story_id: str, article_id: str | None = None) -> None:
        super().__init__(classes="story")
        self.story_id = story_id
        # What to look the story up by: an article with no other version has a story of one,
        # which only its article id finds.
        self.wanted = article_id or story_id
        self.article_id = article_id
        self.story: Story | None = None
        self.view: StoryView | None = None
        self.marked: str | None = None
        self.passage_texts: list[tuple[str, int]] = []  # (version, offset) to open for each matrix row
        self.note_rows: list[StoryNote] = []
        self.laid_out_width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="story-title")
        yield Label("Versions", classes="story-heading", id="story-versions-heading")
        yield DataTable(id="story-versions", cursor_type="row", zebra_stripes=True)
        yield Label(f"Passages   {LEGEND}", classes="story-heading", id="story-legend")
        yield DataTable(id="story-matrix", cursor_type="row")
        yield Label("Notes", classes="story-heading", id="story-notes-heading")
        yield DataTable(id="story-notes", cursor_type="row")
        yield Footer(compact=True)

    TABLES = ("story-versions", "story-matrix", "story-notes")
    TABLE_NAMES = {"story-versions": "Versions", "story-matrix": "Passages", "story-notes": "Notes"}
    HEADINGS = {
        "story-versions": "story-versions-heading",
        "story-matrix": "story-legend",
        "story-notes": "story-notes-heading",
    }

    def focus_description(self) -> str | None:
        """Which table the keys go to (help says it)."""
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id in self.TABLE_NAMES:
            return f"keys go to {self.TABLE_NAMES[focused.id]}; tab moves on"
        return None

    def on_resize(self) -> None:
        if self.view is not None and self.size.width != self.laid_out_width:
            self.on_story_loaded(StoryLoaded(self.view))

    def on_descendant_focus(self) -> None:
        self._mark_focus()

    def _mark_focus(self) -> None:
        """▶ and a reversed heading over the table that has the keys (shows under NO_COLOR too)."""
        focused = self.focused
        for table_id, heading_id in self.HEADINGS.items():
            self.query_one(f"#{heading_id}", Label).set_class(
                isinstance(focused, DataTable) and focused.id == table_id, "-focused"
            )

    def _focused_table(self) -> DataTable[Text]:
        focused = self.focused
        if isinstance(focused, DataTable):
            return focused
        return self.query_one("#story-versions", DataTable)

    def action_cursor_down(self) -> None:
        self._focused_table().action_cursor_down()

    def action_cursor_up(self) -> None:
        self._focused_table().action_cursor_up()

    def action_first(self) -> None:
        self._focused_table().move_cursor(row=0)

    def action_last(self) -> None:
        table = self._focused_table()
        table.move_cursor(row=max(0, table.row_count - 1))

    def _step_table(self, step: int) -> None:
        focused = self.focused
        current = (
            self.TABLES.index(focused.id)
            if isinstance(focused, DataTable) and focused.id in self.TABLES
            else 0
        )
        target = self.TABLES[(current + step) % len(self.TABLES)]
        self.query_one(f"#{target}", DataTable).focus()

    def action_next_table(self) -> None:
        self._step_table(+1)

    def action_previous_table(self) -> None:
        self._step_table(-1)

    def on_mount(self) -> None:
        self.query_one("#story-title", Static).update(Text("Aligning the versions…", style="italic"))
        self.query_one("#story-versions", DataTable).focus()
        self.load()

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        self.load()

    @work(thread=True, group="story", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        from tui.stories.views import story_view

        stories, store = self.app.stories, self.app.store
        if stories is None or store is None:
            return
        story = stories.get(self.wanted)
        view = story_view(stories, story, store)
        stories.save()  # the alignments made for it, for the next time
        self.post_message(StoryLoaded(view))

    def on_story_loaded(self, message: StoryLoaded) -> None:
        self.story, self.view = message.view.story, message.view
        story = self.story
        width = self.size.width or self.app.size.width or 100
        self.laid_out_width = width
        title = Text()
        title.append(sanitize(story.title), style="bold")
        title.append(f"\n{story.id} · {counted(len(story.versions), 'version')}")
        if story.related:
            title.append(f" · related: {', '.join(sanitize(r) for r in story.related[:3])}", style="italic")
        self.query_one("#story-title", Static).update(title)
        # The title and passage columns take what the others leave: no sideways scrolling at 80.
        room = width - 2 - 2  # the scrollbar, the left edge
        self._fill_versions(message.view, room, narrow=width < 100)
        self._fill_matrix(story, room)
        self._fill_notes(message.view, room)

    def _fill_versions(self, view: StoryView, room: int, *, narrow: bool) -> None:
        """The versions table: date, source, how each matches, its notes, its title."""
        story = view.story
        source_width = min(
            10 if narrow else 18, max((len(v.source or "") for v in story.versions), default=6)
        )
        source_width = max(source_width, 6)
        kinds = max((len(f"{v.kind or 'first'} 0.00") for v in story.versions), default=10)
        fixed = {"#": 2, "Date": 10, "Source": source_width, "Kind": kinds, "✎": 2}
        title_width = max(16, room - sum(fixed.values()) - 2 * (len(fixed) + 1))

        counts: dict[str, int] = {}
        for note in view.notes:
            article_id = note.placed.annotation.article_id
            counts[article_id] = counts.get(article_id, 0) + 1
        versions = self.query_one("#story-versions", DataTable)
        keep = versions.cursor_row
        versions.clear(columns=True)
        for label, column_width in fixed.items():
            versions.add_column(label, width=column_width)
        versions.add_column("Title", width=title_width)
        for number, version in enumerate(story.versions, 1):
            marked = "▶" if version.article_id == self.marked else ""
            versions.add_row(
                *_cells(
                    f"{marked}{number}",
                    version.published.strftime("%Y-%m-%d") if version.published else "undated",
                    _fit(version.source or "", source_width),
                    (version.kind or "first")
                    + (f" {version.score:.2f}" if version.score is not None else ""),
                    str(counts.get(version.article_id, "")),
                    _fit(version.title, title_width),
                ),
                key=version.article_id,
            )
        if self.article_id is not None and self.article_id in story and keep == 0:
            keep = story.version_ids.index(self.article_id)
        versions.move_cursor(row=min(keep, len(story.versions) - 1))

    def _fill_matrix(self, story: Story, room: int) -> None:
        """The passages table: a symbol per version (see `matrix_cells`), and the passage's text."""
        library = self.app.library
        matrix = self.query_one("#story-matrix", DataTable)
        matrix.clear(columns=True)
        shown = min(len(story.versions), MATRIX_VERSIONS)
        for number in range(1, shown + 1):
            matrix.add_column(str(number), width=1)
        passage_width = max(20, room - shown * 3 - 2)
        matrix.add_column("Passage", width=passage_width)
        more = f" (versions 1-{shown} of {len(story.versions)})" if shown < len(story.versions) else ""
        self.query_one("#story-legend", Label).update(Text(f"Passages{more}   {LEGEND}"))
        self.passage_texts = []
        for passage, cells in zip(story.passages, matrix_cells(story), strict=True):
            carrier = passage.carriers()[0]
            span = passage.spans[carrier]
            assert span is not None
            text = library.get(carrier).text(span) if library is not None else ""
            self.passage_texts.append((carrier, span.start))
            flat = " ".join(text.split())
            shown_text = flat if len(flat) <= passage_width else flat[: passage_width - 1] + "…"
            matrix.add_row(*_cells(*cells[:shown], shown_text))

    def _fill_notes(self, view: StoryView, room: int) -> None:
        """The notes table: each note's version, status, quote, where it stands elsewhere, note."""
        story = view.story
        notes = self.query_one("#story-notes", DataTable)
        notes.clear(columns=True)
        quote_width = max(12, (room - 2 - 8 - 2 * 6) * 2 // 5)
        rest = max(10, room - 2 - 8 - 2 * 6 - quote_width)
        for label, column_width in (
            ("On", 2),
            ("Status", 8),
            ("Quote", quote_width),
            ("Elsewhere", rest // 2),
            ("Note", rest - rest // 2),
        ):
            notes.add_column(label, width=column_width)
        numbers = {article_id: str(n) for n, article_id in enumerate(story.version_ids, 1)}
        self.note_rows = list(view.notes)
        for note in self.note_rows:
            annotation = note.placed.annotation
            notes.add_row(
                *_cells(
                    numbers.get(annotation.article_id, "gone"),
                    note.placed.status,
                    _fit(annotation.exact, quote_width),
                    _fit(self._elsewhere(note, numbers), rest // 2),
                    _fit(annotation.note, rest - rest // 2),
                )
            )
        if not self.note_rows:
            notes.add_row(*_cells("", "", Text("No notes yet.", style="italic"), "", ""))

    @staticmethod
    def _elsewhere(note: StoryNote, numbers: dict[str, str]) -> str:
        if note.homes:
            # Every candidate, newest first; H moves the note to the first.
            homes = ", ".join(f"{numbers.get(home.article_id, '?')} ({home.match})" for home in note.homes)
            return f"homes: {homes} · H moves it to the first"
        parts = []
        for match in ("verbatim", "reworded", "changed", "absent"):
            found = [numbers.get(echo.article_id, "?") for echo in note.echoes if echo.match == match]
            if found:
                parts.append(f"{match} {','.join(found)}")
        return "; ".join(parts) or "—"

    # ------------------------------------------------------------------ actions

    def _current_version(self) -> str | None:
        if self.story is None:
            return None
        row = self.query_one("#story-versions", DataTable).cursor_row
        ids = self.story.version_ids
        return ids[row] if 0 <= row < len(ids) else None

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "story-matrix" and self.passage_texts:
            article_id, offset = self.passage_texts[focused.cursor_row]
            self.app.open_article(article_id, offset)
        elif isinstance(focused, DataTable) and focused.id == "story-notes" and self.note_rows:
            placed = self.note_rows[focused.cursor_row].placed
            article_id = placed.annotation.article_id
            if placed.start is not None and self.app.library is not None and article_id in self.app.library:
                self.app.open_article(article_id, placed.start)
            else:
                self.notify("This note is orphaned: H moves it to its home.", severity="warning")
        else:
            current = self._current_version()
            if current is not None:
                self.app.open_article(current)

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_mark(self) -> None:
        current = self._current_version()
        if current is None:
            return
        self.marked = None if self.marked == current else current
        self.notify(
            "Marked: c on another version compares the two." if self.marked else "Unmarked.", timeout=3
        )
        if self.view is not None:
            self.on_story_loaded(StoryLoaded(self.view))

    def action_compare(self) -> None:
        current = self._current_version()
        library = self.app.library
        if current is None or self.story is None or library is None:
            return
        other = self.marked if self.marked and self.marked != current else None
        if other is None:
            others = [article_id for article_id in self.story.version_ids if article_id != current]
            if not others:
                self.notify("This story has one version: nothing to compare.", severity="warning")
                return
            other = others[0]
        self.app.open_compare(library.get(other), current)

    def action_move_home(self) -> None:
        notes = self.query_one("#story-notes", DataTable)
        if not self.note_rows or self.app.stories is None:
            return
        note = self.note_rows[min(notes.cursor_row, len(self.note_rows) - 1)]
        if not note.homes:
            self.notify("Not an orphan with a home (choose one in the Notes list).", severity="warning")
            return
        self.app.move_to_home(note.placed.annotation.id, note.homes[0])

    def action_export(self) -> None:
        from tui.app.screens.exporting import ask_export_story

        ask_export_story(self.app, self.wanted)

    def action_back(self) -> None:
        self.dismiss()
