"""The Reader: one article, its highlights, search, and a panel of its near-duplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.messages import AnnotationsChanged, HomesFound, IndexChanged, RepeatsFound, StoriesChanged
from tui.app.screens.annotating import AnnotatingScreen
from tui.app.screens.homes import HomesCache
from tui.app.widgets.article_view import ArticleView
from tui.app.widgets.history_input import HistoryInput
from tui.app.widgets.safe_text import sanitize
from tui.wording import counted

if TYPE_CHECKING:
    from tui.annotations import Annotation
    from tui.library.articles import Article, Span
    from tui.similarity import Match, Repeat
    from tui.stories import Home


def match_prompt(match: Match, title: str, detail: str = "") -> Text:
    """Score and kind, the title, and (dim) what tells it from a namesake: source, date, id."""
    text = Text()
    text.append(f"{match.score:.2f} ", style="bold")
    text.append(str(match.kind))
    text.append("\n")
    text.append(sanitize(title), style="italic")
    if detail:
        text.append("\n")
        text.append(sanitize(detail), style="dim")
    return text


def article_detail(article: Article, *, with_id: bool) -> str:
    parts = [article.source or "", article.published.strftime("%Y-%m-%d") if article.published else ""]
    if with_id:
        parts.append(article.id)
    return " · ".join(part for part in parts if part)


def breakpoint_class(breakpoints: list[tuple[int, str]] | None) -> str:
    """The breakpoint class the screen will get, set up front to spare a restyle on mount."""
    from textual._context import active_app

    width = active_app.get().size.width if active_app.get(None) is not None else 0
    chosen = ""
    for minimum, name in breakpoints or []:
        if width >= minimum:
            chosen = name
    return chosen


class ReaderScreen(AnnotatingScreen):
    """Read one article by sentence; annotate, search, compare."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (96, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding, as the library's filter: the app runs it as it hands out the key, so
        # the keys after it go to the search in order (see LibraryScreen.BINDINGS).
        Binding("slash", "search", "Search", priority=True, id="reader.search"),
        Binding("c", "compare", "Compare", id="reader.compare"),
        Binding("e", "export", "Export", id="reader.export"),
        Binding(
            "o", "open_original", "Open the original in the browser", show=False, id="reader.open_original"
        ),
        # not in the footer (no room at 80 columns): the repeat notice names the key
        Binding("r", "toggle_repeat", "Hide or show the repeat", show=False, id="reader.toggle_repeat"),
        Binding("l", "notes", "Notes", show=False, id="reader.notes"),
        Binding("s", "toggle_panel", "Similar panel", show=False, id="reader.panel"),
        Binding("S", "story", "Story: every version of this article", show=False, id="reader.story"),
        # named in the orphan notice, not the footer
        Binding("H", "move_home", "Move the orphaned note to its home", show=False, id="reader.move_home"),
        Binding("q,escape", "back", "Back", id="reader.back"),
    ]

    def __init__(self, article: Article, offset: int | None = None) -> None:
        super().__init__(classes=f"reader {breakpoint_class(self.HORIZONTAL_BREAKPOINTS)}")
        self.article = article
        self.start_offset = offset
        self.repeats: list[Repeat] = []
        self.repeat_hidden = False
        self.panel_forced: bool | None = None
        self.orphans: list[Annotation] = []  # this article's notes whose passage is gone from its text
        self.homes: dict[str, list[Home]] = {}  # orphan id -> candidate homes in the story, newest first
        self.homes_ready = False
        self.homes_cache = HomesCache()  # homes found by earlier looks, kept across them

    def compose(self) -> ComposeResult:
        yield Static("", id="repeat-notice")
        yield Static("", id="echo-notice")
        yield Static("", id="orphan-notice")
        with Horizontal(id="reader-body"):
            yield ArticleView(self.article, colors=self.app.highlight_colors, id="text")
            with Vertical(id="side"):
                yield Label("Similar articles", id="side-title")
                yield OptionList(id="similar")
        yield Static("", id="note-line")  # the note of the highlight under the cursor
        # Composed (hidden), not mounted on first use: `/` must focus it at once, before the
        # letters typed right after it reach the article (where `t` or `a` would act).
        yield HistoryInput(
            placeholder="Search this article (Enter, then n / N; ↑ earlier searches)", id="search"
        )
        yield Static("", id="search-status")
        yield Footer(compact=True)

    @property
    def view(self) -> ArticleView:
        return self.query_one("#text", ArticleView)

    def on_mount(self) -> None:
        self.query_one("#repeat-notice").display = False
        self.query_one("#echo-notice").display = False
        self.query_one("#orphan-notice").display = False
        self.query_one("#note-line").display = False
        self.query_one("#search").display = False
        self.query_one("#search-status").display = False
        view = self.view
        self.refresh_highlights(view)
        offset = self.start_offset
        if offset is None:
            offset = self.app.positions.get(self.article.id)
        if offset:
            view.move_to_offset(offset)
        else:
            self.app.positions.set(self.article.id, 0)  # opened: no longer unread in the Library
        view.focus()
        self.fill_similar()
        # after the first paint: the search for repeats competes for the GIL with drawing
        self.call_after_refresh(self.find_repeats)
        self.call_after_refresh(self.find_orphans)

    def on_unmount(self) -> None:
        self.app.save_positions()

    # ------------------------------------------------------------------ similar panel

    def on_index_changed(self, message: IndexChanged) -> None:
        self.fill_similar()

    def fill_similar(self) -> None:
        options = self.query_one("#similar", OptionList)
        options.clear_options()
        if self.app.index is None:
            message = self.app.index_error or "Looking for near-duplicates…"
            options.add_option(Option(Text(message, style="italic"), id="-pending", disabled=True))
            return
        library = self.app.library
        matches = self.app.matches_for(self.article.id)
        if not matches or library is None:
            options.add_option(Option(Text("No near-duplicates.", style="italic"), id="-none", disabled=True))
            return
        listed = [library.get(match.id) for match in matches if match.id in library]
        titles = [article.title.casefold() for article in [self.article, *listed]]
        for match in matches:
            if match.id not in library:
                options.add_option(Option(match_prompt(match, match.id), id=match.id))
                continue
            article = library.get(match.id)
            # the id too where another article here has the same title
            namesake = titles.count(article.title.casefold()) > 1
            options.add_option(
                Option(
                    match_prompt(match, article.title, article_detail(article, with_id=namesake)), id=match.id
                )
            )

    @on(OptionList.OptionSelected, "#similar")
    def similar_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and not event.option.id.startswith("-"):
            self.app.open_compare(self.article, event.option.id, self.view.cursor_offset)

    def action_toggle_panel(self) -> None:
        side = self.query_one("#side")
        self.panel_forced = not side.display
        self.set_class(self.panel_forced, "-panel-shown")
        self.set_class(not self.panel_forced, "-panel-hidden")

    # ------------------------------------------------------------------ repeats

    @work(thread=True, group="repeats", exclusive=True, exit_on_error=False)
    def find_repeats(self) -> None:
        try:
            from tui.similarity import find_repeats
        except ImportError:
            return
        self.post_message(RepeatsFound(list(find_repeats(self.article))))

    def on_repeats_found(self, message: RepeatsFound) -> None:
        self.repeats = [repeat for repeat in message.repeats if len(repeat.spans) > 1]
        self._show_repeat_notice()
        self.refresh_bindings()

    def _hidden_spans(self) -> list[Span]:
        return [span for repeat in self.repeats for span in repeat.spans[1:]]

    def _show_repeat_notice(self) -> None:
        notice = self.query_one("#repeat-notice", Static)
        if not self.repeats:
            notice.display = False
            return
        words = sum(len(self.article.text(span).split()) for span in self._hidden_spans())
        copies = len(self._hidden_spans())
        if self.repeat_hidden:
            text = f"Hiding {counted(copies, 'repeated passage')} of this article's own text ({words:,} words). r shows them."
        else:
            text = f"This article repeats a passage of its own text ({copies} cop{'y' if copies == 1 else 'ies'}, {words:,} words). r hides the repeat."
        notice.update(Text(text))
        notice.display = True

    def action_toggle_repeat(self) -> None:
        self.repeat_hidden = not self.repeat_hidden
        self.view.set_hidden(self._hidden_spans() if self.repeat_hidden else [])
        self._show_repeat_notice()

    # ------------------------------------------------------------------ orphans and their homes

    # Textual also runs AnnotatingScreen's handlers of these two messages (it calls every class's).
    def on_annotations_changed(self, message: AnnotationsChanged) -> None:
        if not message.article_ids or self.article.id in message.article_ids:
            self.find_orphans()

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self.find_orphans()

    @work(thread=True, group="orphans", exclusive=True, exit_on_error=False, description="orphans' homes")
    def find_orphans(self) -> None:
        """This article's orphaned notes and their homes (aligning versions takes a while)."""
        from textual.worker import get_current_worker

        from tui.annotations import anchor_all
        from tui.app.screens.homes import find_homes, stories_settled

        article, app = self.article, self.app
        placed = anchor_all(app.annotations_for(article.id), article)
        orphans = [item.annotation for item in placed if item.orphaned]
        ready = stories_settled(app)
        homes = find_homes(app.stories, orphans, self.homes_cache) if orphans else {}
        if not get_current_worker().is_cancelled:  # a newer look was asked for
            self.post_message(HomesFound(article.id, orphans, homes, ready))

    def on_homes_found(self, message: HomesFound) -> None:
        if message.article_id != self.article.id:
            return
        self.orphans, self.homes, self.homes_ready = message.orphans, message.homes, message.stories_ready
        self._show_orphan_notice()

    def _orphan_to_move(self) -> Annotation | None:
        """The orphan `H` moves: the first with a home, else the first."""
        with_home = [annotation for annotation in self.orphans if self.homes.get(annotation.id)]
        candidates = with_home or self.orphans
        return candidates[0] if candidates else None

    def _show_orphan_notice(self) -> None:
        from tui.app.screens.homes import home_line

        notice = self.query_one("#orphan-notice", Static)
        orphan = self._orphan_to_move()
        if orphan is None:
            notice.display = False
            return
        line = home_line(orphan, self.homes.get(orphan.id), self.app.library, self.homes_ready)
        if len(self.orphans) > 1:
            line = f"{len(self.orphans)} orphaned notes (l lists them) · {line}"
        notice.update(Text(line))
        notice.display = True

    def action_move_home(self) -> None:
        from tui.app.screens.homes import move_home

        orphan = self._orphan_to_move()
        if orphan is None:
            self.notify("No orphaned note in this article.", timeout=3)
            return
        move_home(self.app, orphan, self.homes.get(orphan.id))

    # ------------------------------------------------------------------ search

    def _search_box(self) -> tuple[HistoryInput, Static]:
        """The search box and its status line."""
        return self.query_one("#search", HistoryInput), self.query_one("#search-status", Static)

    def action_search(self) -> None:
        """A new search, as `/` in less and vim (the last one is up arrow away)."""
        search, _ = self._search_box()
        if self.focused is search:  # a `/` typed in the search is part of it
            raise SkipAction()
        search.start()
        search.display = True
        self.set_focus(search)  # at once: the app hands the next keys to the search

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view = self.view
        self._search_box()[0].remember()
        total = view.search(event.value)
        _, status = self._search_box()
        event.input.display = False
        view.focus()
        if not event.value:
            status.display = False
        elif total == 0:
            status.update(Text(f"No match for “{sanitize(event.value)}”."))
            status.display = True

    @on(ArticleView.SearchMoved)
    def search_moved(self, message: ArticleView.SearchMoved) -> None:
        _, status = self._search_box()
        status.update(
            Text(
                f"Match {message.index + 1} of {message.total} · n/N next, previous · h highlights it · Esc clears"
            )
        )
        status.display = True

    @on(ArticleView.SearchCleared)
    def search_cleared(self, message: ArticleView.SearchCleared) -> None:
        if self.query("#search-status"):
            self.query_one("#search-status", Static).display = False

    # ------------------------------------------------------------------ the rest

    @on(ArticleView.CursorMoved)
    def cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.app.positions.set(self.article.id, message.offset)
        self.echoes_shown(self.view)
        self.show_note()

    def highlights_placed(self, view: ArticleView) -> None:
        self.show_note()

    def show_note(self) -> None:
        """The note of the highlight under the cursor, under the text; hidden where there is none."""
        if not self.is_mounted:
            return
        line = self.query_one("#note-line", Static)
        mark = self.view.annotation_under_cursor()
        if mark is None or not mark.note.strip():
            line.display = False
            return
        text = Text("✎ ", style="bold")
        text.append(sanitize(mark.note.strip()))
        text.append("  (a edits)", style="dim")
        line.update(text)
        line.display = True

    def echoes_shown(self, view: ArticleView) -> None:
        """Name the echo under the cursor: where it comes from, how the passage stands, the keys."""
        notice = self.query_one("#echo-notice", Static)
        echo = view.echo_under_cursor()
        if echo is None:
            notice.display = False
            return
        here = f"changed here: {echo.change}" if echo.change else f"{echo.match} here"
        notice.update(
            Text(
                f"≈ echo of a note from {sanitize(echo.origin)} ({sanitize(here)}) · E shows the note · y adopts it"
            )
        )
        notice.display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_repeat":
            return bool(self.repeats)
        return True

    def offers(self, action: str) -> bool:
        """The palette offers moving an orphan home only with an orphan here, and opening the
        original only with an address (the keys still say why not)."""
        if action == "move_home":
            return bool(self.orphans)
        if action == "open_original":
            return (self.article.url or "").lower().startswith(("http://", "https://"))
        return super().offers(action)

    def action_back(self) -> None:
        search = self.query("#search")
        if search and search.first().has_focus:
            search.first().display = False
            self.view.focus()
            return
        self.dismiss()

    def action_open_original(self) -> None:
        url = self.article.url
        if not url or not url.lower().startswith(("http://", "https://")):
            self.notify("This article has no web address to open.", severity="warning", timeout=3)
            return
        self.app.open_url(url)
        self.notify(f"Opening {sanitize(url)} in the browser.", timeout=4, markup=False)

    def action_compare(self) -> None:
        self.app.open_compare(self.article, offset=self.view.cursor_offset)

    def action_export(self) -> None:
        from tui.app.screens.exporting import ask_export_notes

        ask_export_notes(self.app, [self.article.id], "this article's notes")

    def action_notes(self) -> None:
        self.app.open_notes(self.article.id)

    def action_story(self) -> None:
        self.app.open_story(self.article.id)

    def go_to(self, offset: int) -> None:
        self.view.move_to_offset(offset)
        self.view.focus()
