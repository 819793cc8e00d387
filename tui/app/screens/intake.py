"""Getting articles in from the Library: `A` adds a link or a path, `R` fetches the feeds.

The network and the writing run in a thread worker; the Library shows a progress bar while it goes,
then the library is loaded again so new articles appear and the index (and the near-duplicate
marks) catch up, without a restart. Failures are listed in a dialog, one line each.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar

from tui.app.screens.dialogs import DetailsScreen
from tui.errors import TuiError
from tui.wording import counted, length_of_time

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.app.session import SessionApp
    from tui.intake.feed_intake import FetchReport
    from tui.intake.intake import Intake, Outcome

_LINK = re.compile(r"^https?://\S+$")
# Clipboard readers by platform, tried in order; each must answer within CLIPBOARD_TIMEOUT.
CLIPBOARD_COMMANDS = (
    ("wl-paste", "--no-newline"),
    ("xclip", "-selection", "clipboard", "-o"),
    ("xsel", "--clipboard", "--output"),
    ("pbpaste",),
)
CLIPBOARD_TIMEOUT = 0.5


def clipboard_link(app_clipboard: str = "") -> str | None:
    """The link the clipboard holds, if it holds one: the app's own clipboard, else the system's."""
    candidates = [app_clipboard]
    for command in CLIPBOARD_COMMANDS:
        if shutil.which(command[0]) is None:
            continue
        try:
            done = subprocess.run(command, capture_output=True, timeout=CLIPBOARD_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            candidates.append(done.stdout.decode("utf-8", "replace"))
            break
    for text in candidates:
        text = (text or "").strip()
        if _LINK.match(text) and len(text) <= 2000:
            return text
    return None


class AddArticleScreen(ModalScreen[str | None]):
    """A link or a path to add; the clipboard's link is offered when it holds one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Add an article", classes="dialog-title")
            yield Input(placeholder="https://… or a saved page, .md or .txt file", id="add-source")
            yield Label("Enter: add   Escape: cancel", classes="dialog-hint", id="add-hint")

    def on_mount(self) -> None:
        self.query_one("#add-source", Input).focus()
        self.offer_clipboard(self.app.clipboard)

    @work(thread=True, group="clipboard", exit_on_error=False)
    def offer_clipboard(self, app_clipboard: str) -> None:
        link = clipboard_link(app_clipboard)
        if link is not None:
            self.app.call_from_thread(self._offer, link)

    def _offer(self, link: str) -> None:
        source = self.query_one("#add-source", Input)
        if source.value:
            return  # the user typed first
        source.value = link
        source.select_all()
        self.query_one("#add-hint", Label).update("From the clipboard.   Enter: add   Escape: cancel")

    @on(Input.Submitted, "#add-source")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- the work


def _intake(app: SessionApp) -> Intake:
    from tui.intake.intake import Intake

    return Intake(articles_dir=app.articles_dir, cache_dir=app.cache_dir)


def intake_running(screen: Screen[Any]) -> bool:
    return any(worker.group == "intake" and worker.is_running for worker in screen.workers)


def start_add(screen: Screen[Any], app: SessionApp, source: str) -> None:
    """Add one link or path in a worker; the library reloads when it is in (the bar shows on ``screen``)."""

    def work() -> None:
        _show_bar(screen, 0, 1)
        try:
            outcomes = _intake(app).add_sources([source])
        except (TuiError, OSError) as error:  # the articles folder itself is unusable
            app.call_from_thread(_finish, screen, [], [f"{source}: {error}"])
            return
        _show_bar(screen, 1, 1)
        _reload(app, outcomes)
        app.call_from_thread(_finish, screen, outcomes, [])

    screen.run_worker(work, thread=True, group="intake", exit_on_error=False, name="add")


def start_fetch(screen: Screen[Any], app: SessionApp) -> None:
    """Fetch every feed in a worker, with a progress bar on ``screen``; the library reloads at the end."""

    def work() -> None:
        from tui.intake import feed_intake as intake
        from tui.intake.feeds import FeedList, FeedState

        try:
            feeds = FeedList.load(app.config_dir)
            if not feeds.feeds:
                app.call_from_thread(
                    app.notify, "No feeds yet: add one with `tui feeds add URL`.", severity="warning"
                )
                return
            state = FeedState.load(app.state_dir)
            _show_bar(screen, 0, len(feeds.feeds))
            report = intake.fetch_feeds(
                _intake(app),
                feeds.feeds,
                state,
                progress=lambda done, total: _show_bar(screen, done, total),
                max_items=intake.MAX_ITEMS,  # read at the call: the bounds are the module's, as `tui fetch`'s
                max_seconds=intake.MAX_SECONDS,
            )
        except (TuiError, OSError) as error:
            app.call_from_thread(_finish, screen, [], [str(error)])
            return
        _reload(app, report.outcomes)
        bound = intake.MAX_SECONDS if report.out_of_time else None
        left = left_for_next_time(report, bound)
        app.call_from_thread(
            _finish, screen, report.outcomes, [], counted(report.feeds_checked, "feed"), left
        )

    screen.run_worker(work, thread=True, group="intake", exit_on_error=False, name="fetch")


def _show_bar(screen: Screen[Any], done: int, total: int) -> None:
    screen.app.call_from_thread(_update_bar, screen, done, total)


def _update_bar(screen: Screen[Any], done: int, total: int) -> None:
    bars = screen.query("#intake-progress")
    if bars:
        bar = bars.first(ProgressBar)
    else:
        bar = ProgressBar(id="intake-progress", show_eta=False)
        screen.query_one("#status-bar").mount(bar)
    bar.update(total=max(total, 1), progress=done)


def _reload(app: SessionApp, outcomes: list[Outcome]) -> None:
    """Load the library again when something was written (in the worker's thread)."""
    if not any(outcome.status in ("added", "update") for outcome in outcomes):
        return
    from tui.app.messages import LibraryLoaded
    from tui.library.loader import load_listing
    from tui.library.texts import TextSource, library_from_listing

    # From the listing, as at start-up: the texts are read when wanted, not all again.
    try:
        texts = app.texts or TextSource(app.articles_dir, app.cache_dir)
        library = library_from_listing(load_listing(app.articles_dir, app.cache_dir), texts)
    except TuiError as error:
        app.call_from_thread(app.notify, str(error), severity="error", markup=False)
        return
    # The app shows it and updates the similarity index incrementally, as at start-up.
    app.post_message(LibraryLoaded(library))


def left_for_next_time(report: FetchReport, time_bound: float | None = None) -> str:
    """What a bounded feed run says of what it left (empty when it did all), and of the time bound
    when that stopped it."""
    if not report.left_over:
        return ""
    said = f"{report.left_over} left for the next fetch (R)"
    return f"{said}, at the {length_of_time(time_bound)} bound" if time_bound is not None else said


def _finish(
    screen: Screen[Any], outcomes: list[Outcome], errors: list[str], checked: str = "", left: str = ""
) -> None:
    """Say what came in; `checked` names the feeds read and `left` what a bounded run left."""
    for bar in screen.query("#intake-progress"):
        bar.remove()
    app = screen.app
    failures = errors + [outcome.error or outcome.input for outcome in outcomes if outcome.status == "failed"]
    came_in = [outcome for outcome in outcomes if outcome.status in ("added", "update")]
    duplicates = [outcome for outcome in outcomes if outcome.status == "duplicate"]
    if len(outcomes) == 1 and not errors:
        line = "; ".join(part for part in (outcomes[0].line(), left) if part)
        app.notify(line, severity="error" if failures else "information", markup=False, timeout=8)
    elif outcomes or not failures:
        parts = [checked] if checked else []
        parts.append(f"{len(came_in)} new")
        if duplicates:
            parts.append(f"{len(duplicates)} already in the library")
        if failures:
            parts.append(f"{len(failures)} failed")
        if left:
            parts.append(left)
        app.notify(": ".join([parts[0], ", ".join(parts[1:])]) if checked else ", ".join(parts), timeout=6)
    if failures and (len(outcomes) != 1 or errors):
        app.push_screen(DetailsScreen(f"{len(failures)} could not be added", failures))
