"""Compare: an article beside one of its near-duplicates, matching sentences kept level."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from tui.app.messages import AlignmentReady
from tui.app.screens.annotating import AnnotatingScreen
from tui.app.screens.reader import breakpoint_class
from tui.app.widgets.article_marks import Mark
from tui.app.widgets.article_view import ArticleView
from tui.app.widgets.safe_text import sanitize
from tui.wording import counted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tui.library.articles import Article, Span
    from tui.similarity import Alignment, ChangedPair


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: max(1, room - 1)] + "…"


def _cut_middle(text: str, room: int) -> str:
    """An id cut in its middle: its start and its end both tell it apart (`000_09…1b944`)."""
    if len(text) <= room:
        return text
    head = max(1, (room - 1) // 2)
    tail = max(1, room - 1 - head)
    return f"{text[:head]}…{text[-tail:]}"


def pane_title(article: Article, width: int = 200) -> str:
    """What tells two articles apart when their titles are the same: source, date and id, within
    ``width`` columns. Where they do not fit, the id is cut first (its start tells it apart), then
    the source; the date is never cut."""
    source = sanitize(article.source or "")
    date = article.published.strftime("%Y-%m-%d") if article.published else ""
    article_id = sanitize(article.id)
    room = max(12, width - 4)  # the border's corners and a space each side

    def joined(*parts: str) -> str:
        return " · ".join(part for part in parts if part)

    if len(joined(source, date, article_id)) <= room:
        return joined(source, date, article_id)
    fixed = len(joined(source, date)) + (3 if source or date else 0)
    id_room = max(9, room - fixed)
    short_id = _cut_middle(article_id, id_room)
    if len(joined(source, date, short_id)) <= room:
        return joined(source, date, short_id)
    source_room = max(6, room - len(joined(date, short_id)) - 3)
    return _cut(joined(_cut(source, source_room), date, short_id), room)


def summary_text(alignment: Alignment, position: int, candidates: int, width: int = 1000) -> Text:
    """The top line: kind and score, why, how many sentences of each side have a match.

    The counts are sentences (each side's own), so they add up with what the panes mark: ``┃``
    on the matched ones, ``+`` on the rest. The engine's own "N of M sentences restated" counts
    a stricter thing over the shorter side only; beside ours it read as a contradiction, so the
    line gives the reason's gist, without the counts and the topic-overlap figure that back it
    (the score beside it already says how close the two are).
    """
    matched_a, matched_b = alignment.matched_a, alignment.matched_b
    total_a, total_b = alignment.sentences_a, alignment.sentences_b
    reason = sanitize(alignment.gist or alignment.reason)
    # (text, style) parts, each in a long and a short form: at a narrow width the short forms are
    # used, and what still does not fit goes on a second line, broken between parts, never cut.
    verdict = f"{alignment.score:.2f} {alignment.kind or 'unrelated'}"
    parts: list[tuple[str, str, str]] = [(verdict, verdict, "bold")]
    if reason and reason != "no match":
        parts.append((reason, reason, "italic"))
    parts.append(
        (
            f"{matched_a} of {counted(total_a, 'sentence')} match left, {matched_b} of {total_b} right",
            f"matched {matched_a}/{total_a} left, {matched_b}/{total_b} right",
            "",
        )
    )
    if candidates > 1:
        # the candidates are every similar article, related ones too: not all are duplicates
        parts.append(
            (f"similar {position} of {candidates} (d next)", f"similar {position}/{candidates} (d)", "")
        )
    room = max(20, width - 2)
    long_line = " · ".join(part[0] for part in parts)
    chosen = [(long, style) for long, _, style in parts]
    if len(long_line) > 2 * room - 10:  # the long forms on two lines at most, else the short ones
        chosen = [(short, style) for _, short, style in parts]
    summary = Text(overflow="fold")
    used = 0
    for number, (text, style) in enumerate(chosen):
        if number:
            if used + 3 + len(text) > room:
                summary.append("\n")
                used = 0
            else:
                summary.append(" · ")
                used += 3
        summary.append(text, style=style)
        used += len(text)
    return summary


def alignment_marks(
    pairs: list[tuple[Span, Span]], only: list[Span], side: int, changed: Sequence[ChangedPair] = ()
) -> list[Mark]:
    """Marks for one pane: matched sentences alternate two styles; one-sided ones are '+'; a sentence
    whose facts changed is 'Δ', its changed words marked."""
    changed_spans = {(change.a, change.b)[side] for change in changed}
    marks = [
        Mark(pair[side].start, pair[side].end, f"article-view--match-{number % 2}", "┃")
        for number, pair in enumerate(pairs)
        if pair[side] not in changed_spans
    ]
    marks.extend(Mark(span.start, span.end, "article-view--only", "+") for span in only)
    for change in changed:
        span = (change.a, change.b)[side]
        marks.append(Mark(span.start, span.end, "article-view--changed", "Δ"))
        words = (change.a_words, change.b_words)[side]
        marks.extend(Mark(word.start, word.end, "article-view--changed-word") for word in words)
    return marks


class CompareScreen(AnnotatingScreen):
    """Two panes; moving in one brings the other to the matching place."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_match", "Next match", id="compare.next_match"),
        Binding("N,p", "previous_match", "Previous match", show=False, id="compare.previous_match"),
        Binding("d", "next_duplicate", "Next similar", id="compare.next_duplicate"),
        Binding("s", "swap", "Swap", id="compare.swap"),
        # not in the footer (no room at 80 columns): the legend line names the key
        Binding("tab", "switch_pane", "Other pane", show=False, id="compare.switch_pane"),
        Binding("q,escape", "back", "Back", id="compare.back"),
    ]

    def __init__(
        self, left: Article, right: Article, candidates: list[str], offset: int | None = None
    ) -> None:
        super().__init__(classes=f"compare {breakpoint_class(self.HORIZONTAL_BREAKPOINTS)}")
        self.left = left
        self.right = right
        self.candidates = candidates  # near-duplicates of the left article, best first
        self.start_offset = offset  # the reader's place in the left article
        self.alignment: Alignment | None = None
        self.pairs: list[tuple[Span, Span]] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Comparing…"), id="compare-summary")
        with Horizontal(id="panes"):
            for article, pane_id in ((self.left, "pane-a"), (self.right, "pane-b")):
                pane = ArticleView(article, colors=self.app.highlight_colors, id=pane_id, classes="pane")
                pane.border_title = pane_title(article, (self.app.size.width or 100) // 2)
                yield pane
        yield Static(
            # also the footer's hint for tab: keep it within 78 columns
            Text("┃ matched (colors alternate)  + only on this side  n/N step  tab other pane"),
            id="legend",
        )
        yield Footer(compact=True)

    def focus_description(self) -> str | None:
        """Which pane the keys go to (help says it)."""
        side = "right" if self.focused_pane().id == "pane-b" else "left"
        return f"keys go to the {side} pane, its title line reversed; tab moves to the other"

    def panes(self) -> tuple[ArticleView, ArticleView]:
        return self.query_one("#pane-a", ArticleView), self.query_one("#pane-b", ArticleView)

    def on_mount(self) -> None:
        for view in self.panes():
            self.refresh_highlights(view)
        left = self.panes()[0]
        left.focus()
        # also when at the first sentence: the view keeps its cursor in sight once it has a size
        left.move_to_offset(self.start_offset or 0, center=True)
        self.run_compare()

    # ------------------------------------------------------------------ alignment

    @work(thread=True, group="compare", exclusive=True, exit_on_error=False)
    def run_compare(self) -> None:
        from tui.similarity import compare

        left, right = self.left, self.right
        try:
            alignment = compare(left, right)
        except Exception as error:  # shown in the summary line; the panes stay readable
            self.post_message(AlignmentReady(left.id, right.id, None, f"{type(error).__name__}: {error}"))
            return
        self.post_message(AlignmentReady(left.id, right.id, alignment))

    def on_alignment_ready(self, message: AlignmentReady) -> None:
        if (message.a_id, message.b_id) != (self.left.id, self.right.id):
            return  # a result for a pair we have since left
        if message.alignment is None:
            self.query_one("#compare-summary", Static).update(Text(f"Could not compare: {message.error}"))
            return
        alignment = message.alignment
        self.alignment = alignment
        self.pairs = sorted(
            [(pair.a, pair.b) for pair in alignment.pairs] + [(c.a, c.b) for c in alignment.changed],
            key=lambda pair: pair[0].start,
        )
        pane_a, pane_b = self.panes()
        pane_a.set_marks(alignment_marks(self.pairs, alignment.only_a, 0, alignment.changed))
        pane_b.set_marks(alignment_marks(self.pairs, alignment.only_b, 1, alignment.changed))
        self._show_summary()
        view = self.focused_pane()
        other = self.panes()[1 - self._side(view)]
        partner = self._counterpart(view, other)
        if partner is not None:
            # the other cursor on the partner, so tab or a look across finds the same passage
            other.move_to_offset(partner, center=False)
        self._level(view)

    # ------------------------------------------------------------------ level scrolling

    def focused_pane(self) -> ArticleView:
        pane_a, pane_b = self.panes()
        return pane_b if pane_b.has_focus else pane_a

    def _side(self, view: ArticleView) -> int:
        return 0 if view.id == "pane-a" else 1

    def _pair_at(self, side: int, offset: int) -> int | None:
        """The matching pair holding ``offset`` on one side, else the last one before it."""
        if not self.pairs:
            return None
        ordered = sorted(range(len(self.pairs)), key=lambda index: self.pairs[index][side].start)
        starts = [self.pairs[index][side].start for index in ordered]
        position = bisect_right(starts, offset) - 1
        if position < 0:
            return None
        # a sentence matched by several on the other side: the first of them, the one a reader
        # meets first when reading across
        while position > 0 and starts[position - 1] == starts[position]:
            position -= 1
        return ordered[position]

    def _level(self, view: ArticleView) -> None:
        """Bring the other pane to the place matching the cursor of ``view``."""
        if not self.pairs or not view.sentences:
            return
        side = self._side(view)
        other = self.panes()[1 - side]
        index = self._pair_at(side, view.cursor_offset)
        if index is None:
            for pane in self.panes():
                pane.set_current_mark(None)
            return
        here, there = self.pairs[index][side], self.pairs[index][1 - side]
        self._bring_level(view, here.start, other, there.start)
        if here.start <= view.cursor_offset < here.end:
            other.place_cursor(there.start)
        view.set_current_mark((here.start, here.end))
        other.set_current_mark((there.start, there.end))

    @staticmethod
    def _bring_level(view: ArticleView, here: int, other: ArticleView, there: int) -> None:
        """Put ``there`` in ``other`` on the row of ``here`` in ``view``.

        Where ``other`` cannot scroll that far (its partner sits higher on its page, under a
        shorter headline, or the page ends), ``view`` scrolls instead, onto the row ``there``
        reached: the passages stay level whichever pane has more above them.
        """
        row = min(max(0, view.line_offset_of(here)), max(0, view.scrollable_content_region.height - 1))
        reached = other.scroll_offset_to_row(there, row)
        if reached != row:
            view.scroll_offset_to_row(here, reached)
            view.keep_cursor_in_view()  # the cursor may be past ``here``, on an unmatched sentence

    def _show_summary(self) -> None:
        if self.alignment is None:
            return
        position = self.candidates.index(self.right.id) + 1 if self.right.id in self.candidates else 0
        self.query_one("#compare-summary", Static).update(
            summary_text(self.alignment, position, len(self.candidates), self.size.width or 100)
        )

    def _title_panes(self) -> None:
        for pane in self.panes():
            pane.border_title = pane_title(pane.article, pane.size.width or (self.size.width or 100) // 2)

    def on_resize(self) -> None:
        # the panes re-wrap to their new width; level them again once they have
        self.call_after_refresh(lambda: self._level(self.focused_pane()))
        self.call_after_refresh(self._title_panes)
        self._show_summary()

    @on(ArticleView.CursorMoved)
    def cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        if message.view.has_focus:
            self._level(message.view)

    @on(ArticleView.ViewScrolled)
    def view_scrolled(self, message: ArticleView.ViewScrolled) -> None:
        """Wheel or scrollbar: keep the passage at the top of this pane level in the other."""
        view = message.view
        top = view.top_offset()
        if top is None or not self.pairs:
            return
        side = self._side(view)
        index = self._pair_at(side, top)
        if index is None:
            return
        here, there = self.pairs[index][side], self.pairs[index][1 - side]
        self.panes()[1 - side].scroll_offset_to_row(there.start, view.line_offset_of(here.start))

    # ------------------------------------------------------------------ actions

    def _step(self, direction: int) -> None:
        if not self.pairs:
            self.notify("No matching passages.", severity="warning")
            return
        view = self.focused_pane()
        side = self._side(view)
        ordered = sorted(self.pairs, key=lambda pair: pair[side].start)
        here = view.cursor_offset
        if direction > 0:
            target = next((pair for pair in ordered if pair[side].start > here), ordered[0])
        else:
            before = [pair for pair in ordered if pair[side].start < here]
            target = before[-1] if before else ordered[-1]
        view.move_to_offset(target[side].start)

    def action_next_match(self) -> None:
        self._step(+1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def action_switch_pane(self) -> None:
        """Focus the other pane, its cursor on the sentence matching this one (or one in view).

        Without this the other cursor stays wherever it was, often far off screen after level
        scrolling, and `h` there would highlight a sentence the user cannot see.
        """
        current = self.focused_pane()
        other = self.panes()[1 - self._side(current)]
        other.focus()
        target = self._counterpart(current, other)
        if target is not None:
            other.move_to_offset(target, center=False)
            self._level(other)

    def _counterpart(self, view: ArticleView, other: ArticleView) -> int | None:
        """Offset in ``other`` for the cursor of ``view``: its matching sentence, else the same row."""
        if not view.sentences or not other.sentences:
            return None
        side = self._side(view)
        here = view.cursor_span
        index = self._pair_at(side, here.start)
        if index is not None and self.pairs[index][side].end > here.start:
            return self.pairs[index][1 - side].start
        # an unmatched sentence: the other pane's sentence on the cursor's row, which is in view
        height = max(1, other.scrollable_content_region.height)
        row = max(0, min(view.line_offset_of(here.start), height - 1))
        offset = other.offset_at_row(row)
        return offset if offset is not None else other.sentences[-1].start

    def _replace(self, left: Article, right: Article, offset: int | None) -> None:
        self.app.switch_screen(CompareScreen(left, right, self.candidates_for(left), offset))

    def candidates_for(self, article: Article) -> list[str]:
        return [match.id for match in self.app.matches_for(article.id)]

    def action_swap(self) -> None:
        """The right article on the left, opened where the right pane's cursor is (the partner)."""
        pane_a, pane_b = self.panes()
        self._replace(self.right, self.left, pane_b.cursor_offset)

    def action_next_duplicate(self) -> None:
        library = self.app.library
        others = [candidate for candidate in self.candidates if candidate != self.left.id]
        if library is None or not others:
            self.notify("No other near-duplicate.", severity="warning")
            return
        position = others.index(self.right.id) + 1 if self.right.id in others else 0
        next_id = others[position % len(others)]
        if next_id == self.right.id:
            self.notify("This is the only near-duplicate.", severity="information")
            return
        self._replace(self.left, library.get(next_id), self.panes()[0].cursor_offset)

    def action_back(self) -> None:
        self.dismiss()
