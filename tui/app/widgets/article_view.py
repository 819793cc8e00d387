"""ArticleView: one article as a scrollable page with a sentence cursor, a selection and search.

The page under it (``ArticlePage``) lays the text out and paints it; this widget adds the keys:
they move the cursor by sentence, paragraph or page, grow a selection by sentence or word, step
through annotations and search matches, and ask for highlights, notes, tags, deletes and undo.

The view never saves anything: what it asks for is posted as one of its messages, for the screen
to act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message

from tui.app.widgets.article_cursor import (
    Range,
    annotation_under,
    find_matches,
    grow_word,
    grow_word_back,
    hull,
    match_from,
    next_paragraph,
    previous_paragraph,
    shrink_word,
    shrink_word_back,
)
from tui.app.widgets.article_marks import EchoMark, HighlightMark
from tui.app.widgets.article_page import ArticlePage


class ArticleView(ArticlePage, can_focus=True):
    """The text of one article with a sentence cursor, a selection, highlights and search."""

    # ------------------------------------------------------------------ what the view asks for

    @dataclass
    class ViewMessage(Message):
        view: ArticleView

        @property
        def control(self) -> ArticleView:
            return self.view

    @dataclass
    class CursorMoved(ViewMessage):
        offset: int

    @dataclass
    class ViewScrolled(ViewMessage):
        """The view scrolled by itself (mouse wheel, scrollbar), not by a cursor move."""

    @dataclass
    class HighlightRequested(ViewMessage):
        start: int
        end: int
        color: str | None  # None: the default color
        annotation_id: str | None  # set: recolor this annotation instead of adding one

    @dataclass
    class NoteRequested(ViewMessage):
        start: int
        end: int
        annotation_id: str | None

    @dataclass
    class TagsRequested(ViewMessage):
        start: int
        end: int
        annotation_id: str | None

    @dataclass
    class DeleteRequested(ViewMessage):
        annotation_id: str

    @dataclass
    class UndoRequested(ViewMessage):
        pass

    @dataclass
    class SearchMoved(ViewMessage):
        index: int  # 0-based match under the cursor
        total: int

    @dataclass
    class SearchCleared(ViewMessage):
        """Escape put the search away (the matches are no longer marked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "next_sentence", "Next sentence", show=False, id="view.next_sentence"),
        Binding("k,up", "previous_sentence", "Previous sentence", show=False, id="view.previous_sentence"),
        Binding("J,shift+down", "next_paragraph", "Next paragraph", show=False, id="view.next_paragraph"),
        Binding(
            "K,shift+up", "previous_paragraph", "Previous paragraph", show=False, id="view.previous_paragraph"
        ),
        Binding("g,home", "top", "Top", show=False, id="view.top"),
        Binding("G,end", "bottom", "End", show=False, id="view.bottom"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="view.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="view.page_up"),
        Binding("v", "toggle_selection", "Select", show=False, id="view.select"),
        # a selection (v, or the search match) changes by a word at either end
        Binding("w,right", "grow_word", "Selection: end a word later", show=False, id="view.grow_word"),
        Binding("left", "shrink_word", "Selection: end a word sooner", show=False, id="view.shrink_word"),
        Binding(
            "W,shift+left",
            "grow_word_back",
            "Selection: start a word sooner",
            show=False,
            id="view.grow_word_back",
        ),
        Binding(
            "shift+right",
            "shrink_word_back",
            "Selection: start a word later",
            show=False,
            id="view.shrink_word_back",
        ),
        Binding(
            "escape",
            "clear_selection",
            "Cancel the selection, then the search",
            show=False,
            id="view.clear_selection",
        ),
        Binding("h", "highlight", "Highlight", id="view.highlight"),
        Binding("1", "highlight_color(0)", "Highlight in color 1", show=False, id="view.color_1"),
        Binding("2", "highlight_color(1)", "Highlight in color 2", show=False, id="view.color_2"),
        Binding("3", "highlight_color(2)", "Highlight in color 3", show=False, id="view.color_3"),
        Binding("4", "highlight_color(3)", "Highlight in color 4", show=False, id="view.color_4"),
        Binding("5", "highlight_color(4)", "Highlight in color 5", show=False, id="view.color_5"),
        Binding("a", "note", "Note", id="view.note"),
        Binding("t", "tags", "Tags", show=False, id="view.tags"),
        Binding("x", "delete", "Delete", show=False, id="view.delete"),
        Binding("u", "undo", "Undo", show=False, id="view.undo"),
        Binding(
            "right_square_bracket",
            "next_annotation",
            "Next annotation",
            show=False,
            id="view.next_annotation",
        ),
        Binding(
            "left_square_bracket",
            "previous_annotation",
            "Previous annotation",
            show=False,
            id="view.previous_annotation",
        ),
        Binding("n", "next_search_match", "Next search match", show=False, id="view.next_match"),
        Binding("N", "previous_search_match", "Previous search match", show=False, id="view.previous_match"),
    ]

    # ------------------------------------------------------------------ cursor model

    def echo_under_cursor(self) -> EchoMark | None:
        """The echo on the sentence under the cursor (or the selection), if any."""
        if not self.sentences or not self.echoes:
            return None
        start, end = self.selection or (self.cursor_span.start, self.cursor_span.end)
        inside = [mark for mark in self.echoes if mark.start < end and start < mark.end]
        return inside[0] if inside else None

    def target_range(self) -> Range | None:
        """What an action applies to: the selection, else the sentence under the cursor."""
        if self.selection is not None:
            return self.selection
        if not self.sentences:
            return None
        span = self.cursor_span
        return span.start, span.end

    def annotation_under_cursor(self) -> HighlightMark | None:
        """The highlight under the selection or the cursor's sentence, if any."""
        if not self.sentences:
            return None
        start, end = self.selection or (self.cursor_span.start, self.cursor_span.end)
        return annotation_under(self.highlights, start, end)

    def place_cursor(self, offset: int) -> None:
        """Put the cursor on the sentence holding ``offset`` without scrolling or telling anyone.

        For a view beside the one in use (Compare): its cursor follows the partner sentence, so
        it never shows a stale place, and the page stays where the level scrolling put it.
        """
        if not self.sentences or self._anchor is not None:
            return  # a selection in progress here stays as it is
        index = self._sentence_at_offset(offset)
        if index == self.cursor:
            return
        old_span = self.cursor_span
        self.cursor = index
        self._repaint_ranges((old_span.start, old_span.end), (self.cursor_span.start, self.cursor_span.end))

    def move_to_offset(self, offset: int, *, center: bool = True) -> None:
        """Put the cursor on the sentence holding ``offset`` (restoring a reading position)."""
        self._set_cursor(self._sentence_at_offset(offset), center=center)

    def _set_cursor(self, index: int, *, center: bool = False, keep_row: bool = False) -> None:
        if not self.sentences:
            return
        index = max(0, min(index, len(self.sentences) - 1))
        old_span = self.cursor_span
        old_row = self._line_of_offset(old_span.start) - int(self.scroll_y)
        self.cursor = index
        new_span = self.cursor_span
        if self._anchor is not None:
            self._set_selection(hull(self._anchor, new_span))
        elif self._selection_is_match:  # moving on leaves the match: keys act on sentences again
            self._selection_is_match = False
            self._set_selection(None)
        self._invalidate_range(old_span.start, old_span.end)
        self._invalidate_range(new_span.start, new_span.end)
        if keep_row:
            self._scroll_to_line(self._line_of_offset(new_span.start) - old_row)
        self._scroll_cursor_into_view(center=center)
        self.refresh()
        self.post_message(self.CursorMoved(self, new_span.start))

    def _set_selection(self, selection: Range | None) -> None:
        old, self.selection = self.selection, selection
        self._repaint_ranges(old, selection)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value) and not self._scrolling_to:
            self.post_message(self.ViewScrolled(self))

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            # Escape falls through to the screen (back) unless there is something to cancel.
            return self.selection is not None or bool(self.search_matches)
        if action in ("next_search_match", "previous_search_match"):
            return bool(self.search_matches)
        if action in ("grow_word", "grow_word_back", "shrink_word", "shrink_word_back"):
            return self.selection is not None or None
        return True

    def action_next_sentence(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_previous_sentence(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_next_paragraph(self) -> None:
        if self.sentences:
            self._set_cursor(next_paragraph(self._sentence_paragraph, self.cursor))

    def action_previous_paragraph(self) -> None:
        if self.sentences:
            self._set_cursor(previous_paragraph(self._sentence_paragraph, self.cursor))

    def action_top(self) -> None:
        self._set_cursor(0)
        self._scroll_to_line(0)

    def action_bottom(self) -> None:
        self._set_cursor(len(self.sentences) - 1)

    def _move_by_page(self, direction: int) -> None:
        if not self.sentences:
            return
        height = max(1, self.scrollable_content_region.height - 2)
        line = self._line_of_offset(self.cursor_span.start) + direction * height
        offset = self._offset_of_line(max(0, line))
        if offset is None or line >= len(self._lines):
            index = len(self.sentences) - 1
        else:
            index = self._sentence_at_offset(offset)
        if index == self.cursor:
            index += direction
        self._set_cursor(index, keep_row=True)

    def action_page_down(self) -> None:
        self._move_by_page(+1)

    def action_page_up(self) -> None:
        self._move_by_page(-1)

    def action_toggle_selection(self) -> None:
        if not self.sentences:
            return
        if self._anchor is None:
            self._anchor = self.cursor_span
            self._selection_is_match = False
            self._set_selection((self._anchor.start, self._anchor.end))
        else:
            self._finish_selection()

    def action_clear_selection(self) -> None:
        """Escape: the selection goes, then the search (a search match selected goes with it)."""
        if (self.selection is None and self.search_matches) or self._selection_is_match:
            self.clear_search()
        self._anchor = None
        self._selection_is_match = False
        self._set_selection(None)

    def _edit_selection(self, selection: Range | None) -> None:
        if selection is None:
            return
        self._anchor = None  # changed by hand: moving the cursor no longer grows it by sentence
        self._selection_is_match = False
        self._set_selection(selection)

    def action_grow_word(self) -> None:
        if self.selection is not None:
            self._edit_selection(grow_word(self.article.body, self.selection))

    def action_shrink_word(self) -> None:
        if self.selection is not None:
            self._edit_selection(shrink_word(self.article.body, self.selection))

    def action_grow_word_back(self) -> None:
        if self.selection is not None:
            self._edit_selection(grow_word_back(self.article.body, self.selection))

    def action_shrink_word_back(self) -> None:
        if self.selection is not None:
            self._edit_selection(shrink_word_back(self.article.body, self.selection))

    def _finish_selection(self) -> None:
        if self._anchor is not None or self.selection is not None:
            self._anchor = None
            self._selection_is_match = False
            self._set_selection(None)

    def action_highlight(self) -> None:
        self._request_highlight(None)

    def action_highlight_color(self, index: int) -> None:
        if 0 <= index < len(self.highlight_colors):
            self._request_highlight(self.highlight_colors[index])

    def _request_highlight(self, color: str | None) -> None:
        target = self.target_range()
        if target is None:
            return
        existing = None
        if self.selection is None and color is not None:
            # a color key on a highlighted sentence recolors that highlight
            mark = self.annotation_under_cursor()
            existing = mark.annotation_id if mark is not None else None
        self.post_message(self.HighlightRequested(self, target[0], target[1], color, existing))
        self._finish_selection()

    def _annotation_target(self) -> tuple[int, int, str | None] | None:
        """The annotation under the cursor, else the selection or sentence to make one from."""
        target = self.target_range()
        if target is None:
            return None
        mark = self.annotation_under_cursor() if self.selection is None else None
        if mark is not None:
            return mark.start, mark.end, mark.annotation_id
        return target[0], target[1], None

    def action_note(self) -> None:
        target = self._annotation_target()
        if target is not None:
            self.post_message(self.NoteRequested(self, *target))
            self._finish_selection()

    def action_tags(self) -> None:
        target = self._annotation_target()
        if target is not None:
            self.post_message(self.TagsRequested(self, *target))
            self._finish_selection()

    def action_delete(self) -> None:
        mark = self.annotation_under_cursor()
        if mark is None:
            self.notify("No highlight under the cursor.", severity="warning")
            return
        self.post_message(self.DeleteRequested(self, mark.annotation_id))

    def action_undo(self) -> None:
        self.post_message(self.UndoRequested(self))

    def action_next_annotation(self) -> None:
        here = self.cursor_span.end if self.sentences else -1
        for mark in self.highlights:
            if mark.start >= here:
                self._set_cursor(self._sentence_at_offset(mark.start), center=True)
                return
        self.notify("No more annotations below.", severity="information", timeout=2)

    def action_previous_annotation(self) -> None:
        here = self.cursor_span.start if self.sentences else 0
        for mark in reversed(self.highlights):
            if mark.start < here:
                self._set_cursor(self._sentence_at_offset(mark.start), center=True)
                return
        self.notify("No more annotations above.", severity="information", timeout=2)

    # ------------------------------------------------------------------ search

    def search(self, query: str) -> int:
        """Mark every case-insensitive occurrence of ``query``; go to the first after the cursor."""
        old = self.search_matches
        self.search_matches = []
        if self._selection_is_match:
            self._selection_is_match = False
            self._set_selection(None)
        self.search_matches = find_matches(self.article.body, query, self.hidden)
        for start, end in (*old, *self.search_matches):
            self._invalidate_range(start, end)
        self.search_index = -1
        self.refresh()
        if self.search_matches:
            self._step_search(+1, from_cursor=True)
        return len(self.search_matches)

    def clear_search(self) -> None:
        old = self.search_matches
        self.search_matches = []
        self.search_index = -1
        for start, end in old:
            self._invalidate_range(start, end)
        if self._selection_is_match:
            self._selection_is_match = False
            self._set_selection(None)
        self.refresh()
        self.post_message(self.SearchCleared(self))

    def _step_search(self, direction: int, *, from_cursor: bool = False) -> None:
        if not self.search_matches:
            return
        total = len(self.search_matches)
        if from_cursor or self.search_index < 0:
            index = match_from(self.search_matches, self.cursor_span.start if self.sentences else 0)
        else:
            index = (self.search_index + direction) % total
        if 0 <= self.search_index < total:
            self._invalidate_range(*self.search_matches[self.search_index])  # no longer current
        self.search_index = index
        self._invalidate_range(*self.search_matches[index])
        self._set_cursor(self._sentence_at_offset(self.search_matches[index][0]), center=True)
        if self._anchor is None:
            # the match is the selection: h, a, t and the colour keys take it as it is, and the
            # arrows change it by a word at either end
            self._selection_is_match = True
            self._set_selection(self.search_matches[index])
        self.post_message(self.SearchMoved(self, index, total))

    def action_next_search_match(self) -> None:
        self._step_search(+1)

    def action_previous_search_match(self) -> None:
        self._step_search(-1)
