"""The Library: every article with its source, date, size, notes and near-duplicate mark."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, ProgressBar, Static

from tui.app.messages import AnnotationsChanged, IndexChanged, StoriesChanged
from tui.app.screens.library_groups import GroupRow, group_by_story, group_notes, group_title
from tui.app.widgets.article_table import ArticleTable, Column
from tui.app.widgets.history_input import HistoryInput
from tui.app.widgets.safe_text import safe_text, sanitize
from tui.library.filter import NO_MATCH, FilterRows, folded, twin_labels
from tui.library.filter import sort_key as library_sort_key
from tui.wording import counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.worker import Worker

    from tui.app.session import SessionApp
    from tui.library.articles import Article, Library
    from tui.similarity import Match

SORTS = ("date", "title", "source")
KIND_MARKS = {
    "duplicate": ("◆", "duplicate"),
    "near-duplicate": ("◆", "near-dup"),
    "rewrite": ("◇", "rewrite"),
    "update": ("◇", "update"),
    "partial": ("◇", "partial"),
    "related": ("·", "related"),
    "template": ("·", "template"),
}
FILTER_DELAY = 0.12  # seconds of quiet typing before the table is filtered
NEW_MARK = "●"  # added since the library was last opened, not read yet
UNREAD_MARK = "○"  # not opened yet


def _folded(text: str) -> str:
    return folded(text)


def filter_rank(query: str, head: str, meta: str, body: str) -> int:
    """How well an article matches a filter, best 0; ``NO_MATCH`` when it does not.

    ``head`` is the id and title, ``meta`` the source and author, ``body`` the text, each
    folded by ``_folded``. The screen ranks every row at once with `tui.library.filter.rank_rows`,
    which gives the same ranks and finds the words of the text through the word index. The id or title itself comes first, then the title holding the words
    as typed, then all the words in the title, then in source and author, then the body holding
    them as typed, then the words anywhere: "As Putin visits" opens the article of that title,
    not one that mentions the words.
    """
    phrase = _folded(query)
    if not phrase:
        return 0
    terms = phrase.split()
    lines = head.split("\n")
    if phrase in lines:
        return 0
    if any(line.startswith(phrase) for line in lines):
        return 1
    if phrase in head:
        return 2
    if all(term in head for term in terms):
        return 3
    named = f"{head}\n{meta}"
    if all(term in named for term in terms):
        return 4
    if phrase in body:
        return 5
    if all(term in named or term in body for term in terms):
        return 6
    return NO_MATCH


def similar_mark(matches: list[Match]) -> Text:
    """How many near-duplicates, and what the best one is: "◆ 2 duplicate"."""
    if not matches:
        return Text("")
    symbol, label = KIND_MARKS.get(matches[0].kind, ("·", str(matches[0].kind)))
    return Text(f"{symbol} {len(matches)} {label}", style="bold" if symbol == "◆" else "")


def sort_key(sort: str) -> Callable[[Article], tuple[bool | str | float, ...]]:
    return library_sort_key(sort)


class LibraryScreen(Screen[None]):
    """Browse, filter and sort the articles; Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding: the app runs it as it hands out the key, so every key after it goes
        # to the filter in order. Handled by the list instead, the focus moved only when the list
        # got to it; keys the app had meanwhile handed the list came up to the screen after later
        # ones the filter already had ("Korea Herald" read "eraldKorea H").
        Binding("slash", "focus_filter", "Filter", priority=True, id="library.filter"),
        Binding("s", "cycle_sort", "Sort", id="library.sort"),
        Binding("l", "notes", "All notes", id="library.notes"),
        Binding("S", "story", "Story of this article", show=False, id="library.story"),
        Binding("V", "group_stories", "Group versions by story", show=False, id="library.group"),
        Binding("z", "fold_story", "Open or close a story's versions", show=False, id="library.fold"),
        # Out of the footer (it keeps to 80 columns); listed by help and the palette.
        Binding("A", "add_article", "Add a link or file", show=False, id="library.add"),
        Binding("R", "fetch_feeds", "Fetch feeds", show=False, id="library.fetch"),
        # shown only while there is a notice (check_action): the notice line names them
        Binding("i", "notice_details", "Skipped files", show=False, id="library.notice_details"),
        Binding("x", "dismiss_notice", "Dismiss the notice", show=False, id="library.dismiss_notice"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear_filter"),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    app: SessionApp

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)

    def __init__(self) -> None:
        super().__init__(id="library")
        self.library: Library | None = None
        self.sort = "date"
        self.filter_text = ""
        self.shown: list[Article] = []
        self._rows: FilterRows | None = None  # the folded text and sort orders of every row
        self._body_hits: dict[str, set[str]] = {}  # the filter's phrase and words: texts holding each
        self._twins: dict[str, str] = {}  # what tells apart rows that would read the same
        self._filter_timer: Timer | None = None
        self._counts: dict[str, int] = {}
        self._marks: dict[str, Text] = {}
        self.grouped = False  # one row per story (V); z opens or closes a story's versions
        self.expanded: set[str] = set()
        self._groups: dict[str, GroupRow] = {}
        self.notice_lines: list[str] = []  # everything the loader had to say, for the details
        self.notice_dismissed = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Library"), id="library-title")
        yield Static("", id="library-notice")
        yield Static("", id="library-empty")
        # Not select-on-focus: in a fast `/herald` the `h` can land before the focus event, which
        # would then select it and let `e` replace it.
        yield HistoryInput(
            placeholder="/ filters by title, source, author or text (↑ earlier filters)",
            id="filter",
            select_on_focus=False,
        )
        yield ArticleTable(self._column_specs(100), self._cells, id="articles")
        with Horizontal(id="status-bar"):
            yield Static("Loading the library…", id="status")
            yield ProgressBar(id="index-progress", show_eta=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#library-notice").display = False
        self.query_one("#library-empty").display = False
        self.query_one("#index-progress").display = False
        self.query_one("#articles", ArticleTable).focus()

    # ------------------------------------------------------------------ data in

    def show_library(
        self, library: Library, twins: dict[str, str] | None = None, rows: FilterRows | None = None
    ) -> None:
        """Show the library; `twins` and `rows` made by the loading worker save the UI thread
        their making (at 95,000 articles, a second)."""
        self.library = library
        self._twins = twin_labels(library.articles) if twins is None else twins
        if rows is not None and rows.rows is library.articles:
            self._rows = rows
        tables = self.query("#articles").results(ArticleTable)
        table = next(tables, None)
        if table is None:
            return  # the app is closing: the screen's widgets are gone
        table.set_columns(self._column_specs(self.size.width or 100))
        self._show_empty()
        self.notice_lines = [
            *(f"Skipped {item.path}: {item.reason}" for item in library.skipped),
            *library.notices,
        ]
        self._show_notice()
        self._rebuild()
        if self.app.build_index_enabled and len(library):
            self.show_progress(0, len(library))

    def show_twins(self, twins: dict[str, str]) -> None:
        """Labels for rows that would read the same, made after the first paint."""
        if twins != self._twins:
            self._twins = twins
            self.query_one("#articles", ArticleTable).refresh_rows()

    def _show_empty(self) -> None:
        """An empty library says how to fill it."""
        hint = self.query_one("#library-empty", Static)
        if self.library is None or len(self.library):
            hint.display = False
            return
        hint.update(
            Text(
                f"No articles yet in {sanitize(str(self.library.root))}.\n"
                "A adds a link or a file · R fetches your feeds (follow one with `tui feeds add URL`)\n"
                "or, on the command line, `tui add URL-or-FILE`; .md and .txt files put in the folder show up too.",
            )
        )
        hint.display = True

    def on_screen_resume(self) -> None:
        # back from an article: its unread mark is gone
        self.query_one("#articles", ArticleTable).refresh_rows()

    def show_failure(self, error: str) -> None:
        self.query_one("#status", Static).update(safe_text(error))

    def show_progress(self, done: int, total: int) -> None:
        bar = self.query_one("#index-progress", ProgressBar)
        finished = total == 0 or done >= total
        bar.display = not finished
        if not finished:
            bar.update(total=total, progress=done)
        self._update_status(indexing=not finished)

    def on_index_changed(self, message: IndexChanged) -> None:
        self.show_progress(1, 1)
        self._marks.clear()
        self.query_one("#articles", ArticleTable).refresh_rows()

    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        if self.library is None or self.app.store is None:
            return
        self._counts = self.app.store.counts_by_article()
        self.query_one("#articles", ArticleTable).refresh_rows()

    # ------------------------------------------------------------------ table

    def _cells(self, article: Article) -> list[Text]:
        """A row of the table, computed when the row is drawn."""
        if self.app.is_new(article):
            seen = Text(NEW_MARK, style="bold")
        elif not self.app.is_read(article.id):
            seen = Text(UNREAD_MARK)
        else:
            seen = Text("")
        mark = self._marks.get(article.id)
        if mark is None:
            mark = similar_mark(self.app.matches_for(article.id))
            if self.app.index is not None:
                self._marks[article.id] = mark
                self.app.marks_drawn.set()
        count = self._counts.get(article.id, 0)
        title = Text(sanitize(article.title))
        twin = self._twins.get(article.id)
        if twin:
            title.append(f" · {twin}", style="italic")
        group = self._groups.get(article.id)
        if group is not None:
            title = group_title(group, title)
            count = group_notes(group, self._counts, count)
        return [
            seen,
            title,
            Text(sanitize(article.source or "")),
            Text(article.published.strftime("%Y-%m-%d") if article.published else ""),
            Text(f"{article.words:,}"),
            Text(str(count) if count else ""),
            mark,
        ]

    def _column_specs(self, width: int) -> list[Column]:
        """The other columns take what their cells need (capped); the title takes the rest.

        A header wider than its column is abbreviated by one rule: "Notes" to "✎", "Words" to
        "Wds", "Source" to "Src"; below 100 columns the source is capped at 12 characters.
        """
        articles = self.library.articles if self.library is not None else []
        wide = width >= 100
        source = min(16 if wide else 12, max((len(a.source or "") for a in articles), default=6))
        source = max(source, 6)
        words = max((len(f"{a.words:,}") for a in articles), default=3)
        words = max(words, 5 if wide else 3)
        notes = 5 if wide else 2
        similar = 12
        others = 1 + source + 10 + words + notes + similar
        title = max(12, width - 2 - 1 - others - 6 - 1)  # a scrollbar, the spaces between columns
        return [
            Column("seen", "", 1),
            Column("title", "Title", title),
            Column("source", "Source" if source >= 6 else "Src", source),
            Column("date", "Date", 10),
            Column("words", "Words" if words >= 5 else "Wds", words, "right"),
            Column("notes", "Notes" if notes >= 5 else "✎", notes, "right"),
            Column("similar", "Similar", similar),
        ]

    def _rebuild(self) -> None:
        if self.library is None:
            return
        table = self.query_one("#articles", ArticleTable)
        every = self.library.articles
        if self._rows is None or self._rows.rows is not every:
            self._rows = FilterRows(every)
        if self.filter_text:  # best matches first, each rank in the chosen order
            self._search_bodies()
            positions, _ranks = self._rows.filtered(self.filter_text, self.sort, self._body_hits)
        else:
            positions = self._rows.order(self.sort)
        articles = [every[index] for index in positions]
        self._groups = {}
        if self.grouped and self.app.stories is not None:
            articles, self._groups = group_by_story(articles, self.app.stories, self.expanded)
        self.shown = articles
        if self.app.store is not None:
            self._counts = self.app.store.counts_by_article()
        table.set_articles(articles, keep=table.current_id)
        self._update_status(indexing=self.query_one("#index-progress").display)

    def _notice_summary(self) -> str:
        """One line for the loader's notices: how many files were skipped or re-encoded."""
        assert self.library is not None
        parts = []
        skipped = len(self.library.skipped)
        if skipped:
            parts.append(f"skipped {skipped} file{'' if skipped == 1 else 's'}")
        others = len(self.library.notices)
        if others:
            parts.append(f"{others} other notice{'' if others == 1 else 's'} (files re-encoded)")
        return ", ".join(parts)

    def _show_notice(self) -> None:
        """The notice takes one row until dismissed (x); the details stay one key away (i)."""
        notice = self.query_one("#library-notice", Static)
        if self.library is None or not self.notice_lines or self.notice_dismissed:
            notice.display = False
        else:
            summary = self._notice_summary()
            notice.update(safe_text(f"{summary[0].upper()}{summary[1:]} · i: details · x: dismiss"))
            notice.display = True
        self.refresh_bindings()

    def _update_status(self, *, indexing: bool) -> None:
        if self.library is None:
            return
        total = len(self.library)
        count = (
            f"{len(self.shown)} of {counted(total, 'article')}"
            if self.filter_text
            else counted(total, "article")
        )
        parts = [
            count,
            f"best match first, then by {self.sort}" if self.filter_text else f"sorted by {self.sort}",
        ]
        new = sum(1 for a in self.library.articles if a.added is not None and self.app.is_new(a))
        if new:
            parts.append(f"{NEW_MARK} {new} new since last time, {UNREAD_MARK} unread")
        if self.notice_lines and self.notice_dismissed:
            parts.append(f"{self._notice_summary()} (i)")
        if indexing:
            parts.append("finding near-duplicates…")
        self.query_one("#status", Static).update(Text(" · ".join(parts)))

    def on_resize(self) -> None:
        table = self.query_one("#articles", ArticleTable)
        table.set_columns(self._column_specs(self.size.width))

    def current_article_id(self) -> str | None:
        return self.query_one("#articles", ArticleTable).current_id

    # ------------------------------------------------------------------ filter

    def _search_bodies(self) -> None:
        """Ask the word index, once per filter, which texts hold the phrase and each word: the
        text itself is never read here (a library of 100,000 articles holds 100 MB of it)."""
        self._body_hits = {}
        texts = self.app.texts
        phrase = _folded(self.filter_text)
        if texts is None or not phrase:
            return
        terms = phrase.split()
        # A single letter is looked for in titles, sources and authors only: as the start of a
        # word of the text it would hold most of the library, and ask the index for most of it.
        wanted = {term: term for term in terms if len(term) > 1}
        if len(terms) > 1:
            wanted[phrase] = '"' + phrase.replace('"', " ") + '"'  # the words in this order
        for key, query in wanted.items():
            found = texts.search(query)
            if found is not None:
                self._body_hits[key] = found

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value

        def apply() -> None:
            self.filter_text = value.strip()
            self._rebuild()

        self._filter_timer = self.set_timer(FILTER_DELAY, apply)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.filter_text = event.value.strip()
        self.query_one("#filter", HistoryInput).remember()
        self._rebuild()
        # back from the article, keys go to the list (the filter is one `/` away)
        self.set_focus(self.query_one("#articles", ArticleTable))
        if self.shown:
            self.app.open_article(self.shown[0].id)
        else:
            self.notify("No article matches the filter.", severity="warning")

    @on(ArticleTable.Selected, "#articles")
    def row_selected(self, event: ArticleTable.Selected) -> None:
        self.app.open_article(event.article_id)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.query_one("#filter", Input).has_focus or bool(self.filter_text)
        if action == "dismiss_notice":
            return bool(self.notice_lines) and not self.notice_dismissed
        if action == "notice_details":
            return bool(self.notice_lines)
        return True

    def action_focus_filter(self) -> None:
        """A new query, as `/` in less and vim (the last one is up arrow away)."""
        filter_input = self.query_one("#filter", HistoryInput)
        if self.focused is filter_input:  # a `/` typed in the filter is part of the query
            raise SkipAction()
        filter_input.start()
        # at once (has_focus follows a message later): the app hands the next keys to the filter
        self.set_focus(filter_input)

    def on_paste(self, event: events.Paste) -> None:
        """A paste that reached the screen filters by the pasted text.

        The filter's own pastes stop in the filter. This one went to the list: pasted there, or
        right after `/`, before the filter had the focus.
        """
        filter_input = self.query_one("#filter", Input)
        if not event.text.strip():
            return
        event.stop()
        self.set_focus(filter_input)
        filter_input.insert_text_at_cursor(event.text.splitlines()[0])

    def action_dismiss_notice(self) -> None:
        self.notice_dismissed = True
        self._show_notice()
        self._update_status(indexing=self.query_one("#index-progress").display)

    def action_notice_details(self) -> None:
        from tui.app.screens.dialogs import DetailsScreen

        self.app.push_screen(
            DetailsScreen(
                "Files skipped or re-encoded",
                self.notice_lines,
                "Escape: close   (`tui list` prints the same)",
            )
        )

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", HistoryInput)
        filter_input.remember()
        if filter_input.value:
            filter_input.value = ""
            self.filter_text = ""
            self._rebuild()
        self.query_one("#articles", ArticleTable).focus()

    def action_cycle_sort(self) -> None:
        self.set_sort(SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)])

    def set_sort(self, sort: str) -> None:
        self.sort = sort
        self._rebuild()
        self.notify(f"Sorted by {sort}.", timeout=2)

    def action_notes(self) -> None:
        self.app.open_notes(None)

    def on_stories_changed(self, message: StoriesChanged) -> None:
        if self.grouped:
            self._rebuild()

    def action_group_stories(self) -> None:
        if self.app.stories is None:
            self.notify("Still finding the stories; try again in a moment.", severity="warning")
            return
        self.grouped = not self.grouped
        self._rebuild()
        self.notify(
            "One row per story (z opens a story's versions)." if self.grouped else "One row per article.",
            timeout=3,
        )

    def action_fold_story(self) -> None:
        group = self._groups.get(self.current_article_id() or "")
        if group is None:
            return
        if group.story.id in self.expanded:
            self.expanded.discard(group.story.id)
        else:
            self.expanded.add(group.story.id)
        self._rebuild()
        if group.story.id not in self.expanded:  # back to the story's row
            rows = [self._groups.get(article.id) for article in self.shown]
            head = next(
                (i for i, row in enumerate(rows) if row is not None and row.story.id == group.story.id), 0
            )
            self.query_one("#articles", ArticleTable).move_cursor(head)

    def action_story(self) -> None:
        article_id = self.current_article_id()
        if article_id is not None:
            self.app.open_story(article_id)

    # ------------------------------------------------------------------ getting articles in

    def action_add_article(self) -> None:
        from tui.app.screens.intake import AddArticleScreen, intake_running, start_add

        if intake_running(self):
            self.notify("Still adding; try again when it is done.", severity="warning")
            return

        def chosen(source: str | None) -> None:
            if source:
                start_add(self, self.app, source)

        self.app.push_screen(AddArticleScreen(), chosen)

    def action_fetch_feeds(self) -> None:
        from tui.app.screens.intake import intake_running, start_fetch

        if intake_running(self):
            self.notify("Already fetching.", severity="warning")
            return
        start_fetch(self, self.app)
