"""ArticleView: one article as a scrollable page with a sentence cursor.

Built on the line API (``ScrollView.render_line``), like Textual's ``Log``: the text is wrapped
once per width into blocks (headline, captions, paragraphs), and each block's lines are rendered
on demand and cached. A key press re-renders only the blocks whose look changed, so moving the
cursor through a 5,000-word article costs about as much as through a short one.

The view never saves anything: highlight, note, tag, delete and undo are posted as messages
(``tui.app.messages``) for the screen to act on.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from rich._wrap import divide_line
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.widgets.safe_text import sanitize
from tui.library.dates import format_published
from tui.markdown_look import ROLES, look
from tui.palette import PALETTE

if TYPE_CHECKING:
    from tui.library.articles import Article, Span

BlockKind = Literal["title", "meta", "link", "subtitle", "caption", "body", "hidden", "gap"]
# Blocks of the article's text, with body offsets: a cursor, a search and highlights reach them.
TEXT_KINDS = ("body", "caption")
MEASURE = 92  # longest line of text: long lines are hard to read
GUTTER = 2  # a cursor bar or match mark, then a space

# Highlight colors by name. Fixed (not theme) colors, dark text on a light ground, so a
# highlight reads the same in dark and light themes; underlined so it still shows under NO_COLOR.
# The highlight colours of tui/palette.py as Rich styles (dark text reads on each ground).
HIGHLIGHT_STYLES: dict[str, Style] = {
    color.name: Style(color="black", bgcolor=color.background) for color in PALETTE
}
HIGHLIGHT_NAMES = tuple(HIGHLIGHT_STYLES)  # in key order: keys 1-5
_FALLBACK_HIGHLIGHT = Style(color="black", bgcolor="#d0d0d0")


def highlight_style(color: str) -> Style:
    style = HIGHLIGHT_STYLES.get(color)
    if style is None:
        try:
            style = Style(color="black", bgcolor=color)
        except Exception:  # an unknown color name from a hand-edited file
            style = _FALLBACK_HIGHLIGHT
    return style + Style(underline=True)


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    text: str  # display text, already sanitised; same length as the body range for body blocks
    start: int = -1  # body offset of text[0] (body blocks only)
    prefix: str = ""
    roles: tuple[tuple[int, int, str], ...] = ()  # Markdown's look (tui.markdown_look), in text offsets
    breaks: tuple[int, ...] = ()  # where a line of a list, table or quote starts a new screen line

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class HighlightMark:
    annotation_id: str
    start: int
    end: int
    color: str
    note: str = ""  # a highlight with a note is marked ✎ in the gutter


@dataclass(frozen=True, slots=True)
class EchoMark:
    """Another version's annotation as it falls on this article (drawn apart from our own)."""

    annotation_id: str
    start: int
    end: int
    color: str
    match: str  # verbatim, reworded or changed
    origin: str  # a word or two saying where it comes from (the other version's source or id)
    change: str = ""  # a changed echo: the note's facts as this version gives them ("6-3/8 → 6-1/16")


ECHO_SYMBOL = "≈"


def echo_style(color: str) -> Style:
    """An echo is the highlight's color as text, italic and underlined, on the page's ground:
    plainly not one of this article's own (solid) highlights, in every theme and under NO_COLOR."""
    ground = HIGHLIGHT_STYLES.get(color, _FALLBACK_HIGHLIGHT).bgcolor
    return Style(color=ground, italic=True, underline=True)


@dataclass(frozen=True, slots=True)
class Mark:
    """A compare mark: a body range drawn in a component style with a gutter symbol."""

    start: int
    end: int
    component: str  # one of ArticleView.COMPONENT_CLASSES
    symbol: str = ""


@dataclass(slots=True)
class _Line:
    block: int  # -1: a blank line between blocks
    start: int = 0  # offsets in the block's text
    end: int = 0


_WORD = re.compile(r"\S+")


def format_byline(article: Article) -> str:
    parts = [part for part in (article.source, article.author) if part]
    if article.published is not None:
        parts.append(format_published(article.published, article.day_only))
    parts.append(f"{article.words:,} words")
    return " · ".join(parts)


_WRAP_WORD = re.compile(r"\S+\s*")


def wrap_offsets(text: str, width: int) -> list[int]:
    """Where lines break, as rich's ``divide_line`` would; a quicker path for plain ASCII text."""
    if not text.isascii():
        return divide_line(text, width, fold=True)
    breaks: list[int] = []
    line_start = 0
    for word in _WRAP_WORD.finditer(text):
        start = word.start()
        word_end = start + len(word.group().rstrip())
        if word_end - start > width:
            return divide_line(text, width, fold=True)  # a word to fold: rare, leave it to rich
        if word_end - line_start > width and start > line_start:
            breaks.append(start)
            line_start = start
    return breaks


def _hull(first: Span, second: Span) -> tuple[int, int]:
    return min(first.start, second.start), max(first.end, second.end)


class ArticleView(ScrollView, can_focus=True):
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

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    ArticleView > .article-view--title { text-style: bold; color: $text-primary; }
    ArticleView > .article-view--meta { color: $text-muted; }
    ArticleView > .article-view--link { color: $text-muted; text-style: underline; }
    ArticleView > .article-view--subtitle { text-style: italic; }
    ArticleView > .article-view--caption { color: $text-muted; text-style: italic; }
    ArticleView > .article-view--hidden { color: $text-warning; text-style: italic; }
    ArticleView > .article-view--md-h1 { text-style: bold underline; color: $text-primary; }
    ArticleView > .article-view--md-h2 { text-style: bold; color: $text-primary; }
    ArticleView > .article-view--md-h3 { text-style: bold; }
    ArticleView > .article-view--md-strong { text-style: bold; }
    ArticleView > .article-view--md-em { text-style: italic; }
    ArticleView > .article-view--md-code { color: $text-accent; }
    ArticleView > .article-view--md-marker { color: $text-disabled; }
    ArticleView > .article-view--md-quote { text-style: italic; }
    ArticleView > .article-view--md-rule { color: $text-muted; }
    ArticleView > .article-view--md-bullet { color: $text-accent; text-style: bold; }
    ArticleView > .article-view--cursor { background: $primary 12%; }
    ArticleView:focus > .article-view--cursor { background: $primary 45%; }
    ArticleView > .article-view--cursor-on-highlight { text-style: bold overline; }
    ArticleView > .article-view--gutter { color: $primary; }
    ArticleView > .article-view--note-mark { color: $text-accent; text-style: bold; }
    ArticleView > .article-view--selection { background: $secondary 60%; text-style: bold; }
    ArticleView > .article-view--search { background: $warning 70%; color: $text; text-style: underline; }
    ArticleView > .article-view--search-current { background: $error; color: $text; text-style: bold reverse; }
    ArticleView > .article-view--match-0 { color: $text-success; }
    ArticleView > .article-view--match-1 { color: $text-accent; }
    ArticleView > .article-view--current-match { text-style: bold underline; }
    ArticleView > .article-view--only { color: $text-error; text-style: italic; }
    ArticleView > .article-view--changed { color: $text-warning; }
    ArticleView > .article-view--changed-word { text-style: bold reverse; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--title",
        "article-view--meta",
        "article-view--link",
        "article-view--subtitle",
        "article-view--caption",
        "article-view--hidden",
        *(f"article-view--md-{role}" for role in ROLES),
        "article-view--cursor",
        "article-view--cursor-on-highlight",
        "article-view--gutter",
        "article-view--note-mark",
        "article-view--selection",
        "article-view--search",
        "article-view--search-current",
        "article-view--match-0",
        "article-view--match-1",
        "article-view--current-match",
        "article-view--only",
        "article-view--changed",
        "article-view--changed-word",
    }

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

    def __init__(
        self,
        article: Article,
        *,
        colors: Sequence[str] = HIGHLIGHT_NAMES,
        show_headline: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article = article
        self.highlight_colors = list(colors)
        self.show_headline = show_headline
        self.hidden: list[Span] = []
        self.highlights: list[HighlightMark] = []
        self.echoes: list[EchoMark] = []
        self.marks: list[Mark] = []
        self.current_mark: tuple[int, int] | None = None
        self.search_matches: list[tuple[int, int]] = []
        self.search_index = -1
        self.selection: tuple[int, int] | None = None
        self._anchor: Span | None = None
        self._selection_is_match = False  # the selection is the current search match
        self.sentences: list[Span] = []
        self._sentence_starts: list[int] = []
        self._sentence_paragraph: list[int] = []
        self.cursor = 0
        self._blocks: list[Block] = []
        self._body_blocks: list[int] = []  # indexes of body blocks, in text order
        self._body_starts: list[int] = []
        self._lines: list[_Line] = []
        self._block_first_line: list[int] = []
        self._block_line_starts: list[list[int]] = []
        self._layout_width = -1
        self._strips: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._scrolling_to = False  # scrolls the view makes itself are not reported as ViewScrolled
        self._markdown = article.path.suffix.lower() in (".md", ".markdown")
        flat = article.structure
        self._structure: list[tuple[int, int, str]] = []
        for i in range(0, len(flat) - 2, 3):
            start, end, kind = flat[i], flat[i + 1], flat[i + 2]
            if isinstance(start, int) and isinstance(end, int) and isinstance(kind, str):
                self._structure.append((start, end, kind))
        self._build_blocks()

    # ------------------------------------------------------------------ content

    def _build_blocks(self) -> None:
        article = self.article
        blocks: list[Block] = []
        if self.show_headline:
            blocks.append(Block("title", sanitize(article.title)))
            blocks.append(Block("meta", sanitize(format_byline(article))))
            if article.url:
                blocks.append(Block("link", sanitize(f"{article.url}  (o opens it)")))
            if article.subtitle:
                blocks.append(Block("subtitle", sanitize(article.subtitle)))
        hidden = sorted(self.hidden, key=lambda span: span.start)
        for paragraph in article.paragraphs:
            position = paragraph.start
            for cut in hidden:
                if cut.end <= position or cut.start >= paragraph.end:
                    continue
                if cut.start > position:
                    blocks.append(self._body_block(position, cut.start))
                if not blocks or blocks[-1].kind != "hidden":
                    blocks.append(Block("hidden", "⋯ repeated passage hidden (r shows it)"))
                position = max(position, min(cut.end, paragraph.end))
            if position < paragraph.end:
                blocks.append(self._body_block(position, paragraph.end))
        caption_spans = article.caption_spans if self.show_headline else []
        for caption in caption_spans:  # in the body after the paragraphs, so shown after them
            blocks.append(Block("caption", sanitize(article.text(caption)), start=caption.start, prefix="▎ "))
        blocks = [block for block in blocks if block.kind != "body" or block.text.strip()]
        self._blocks = blocks
        self._body_blocks = [index for index, block in enumerate(blocks) if block.kind in TEXT_KINDS]
        self._body_starts = [blocks[index].start for index in self._body_blocks]

        def visible(span: Span) -> bool:
            return not any(cut.start <= span.start and span.end <= cut.end for cut in hidden)

        self.sentences = [span for span in article.sentences if visible(span)] + list(caption_spans)
        self._sentence_starts = [span.start for span in self.sentences]
        paragraph_starts = [paragraph.start for paragraph in article.paragraphs]
        self._sentence_paragraph = [
            max(0, bisect_right(paragraph_starts, span.start) - 1) for span in self.sentences
        ]
        self._layout_width = -1
        self._strips.clear()

    def _body_block(self, start: int, end: int) -> Block:
        raw = self.article.body[start:end]
        structure = [
            (s - start, e - start, kind) for s, e, kind in self._structure if start <= s and e <= end
        ]
        shown = look(raw, structure, markdown=self._markdown)
        return Block(
            "body", sanitize(shown.text), start=start, roles=tuple(shown.roles), breaks=tuple(shown.breaks)
        )

    def set_hidden(self, spans: Iterable[Span]) -> None:
        """Hide passages (a repeat of the article's own text); the cursor stays on its text."""
        offset = self.cursor_span.start if self.sentences else 0
        self.hidden = list(spans)
        self._build_blocks()
        self._relayout()
        self.cursor = self._sentence_at_offset(offset)
        self.selection = None
        self._anchor = None
        self._scroll_cursor_into_view(center=True)
        self.refresh()

    def set_highlights(self, highlights: Iterable[HighlightMark]) -> None:
        self.highlights = sorted(highlights, key=lambda mark: (mark.start, mark.end))
        self._invalidate()

    def set_echoes(self, echoes: Iterable[EchoMark]) -> None:
        self.echoes = sorted(echoes, key=lambda mark: (mark.start, mark.end))
        self._invalidate()

    def echo_under_cursor(self) -> EchoMark | None:
        """The echo on the sentence under the cursor (or the selection), if any."""
        if not self.sentences or not self.echoes:
            return None
        start, end = self.selection or (self.cursor_span.start, self.cursor_span.end)
        inside = [mark for mark in self.echoes if mark.start < end and start < mark.end]
        return inside[0] if inside else None

    def set_marks(self, marks: Iterable[Mark]) -> None:
        self.marks = sorted(marks, key=lambda mark: mark.start)
        self._invalidate()

    def set_current_mark(self, span: tuple[int, int] | None) -> None:
        old, self.current_mark = self.current_mark, span
        self._repaint_ranges(old, span)

    def _repaint_ranges(self, *ranges: tuple[int, int] | None) -> None:
        """Repaint only the lines a moved range left and reached."""
        for changed in ranges:
            if changed is not None:
                self._invalidate_range(*changed)
        self.refresh()

    # ------------------------------------------------------------------ cursor model

    @property
    def cursor_span(self) -> Span:
        return self.sentences[self.cursor]

    @property
    def cursor_offset(self) -> int:
        return self.sentences[self.cursor].start if self.sentences else 0

    def _sentence_at_offset(self, offset: int) -> int:
        """The sentence holding ``offset``, or the next one after it."""
        if not self.sentences:
            return 0
        index = bisect_right(self._sentence_starts, offset) - 1
        if index < 0:
            return 0
        if self.sentences[index].end <= offset and index + 1 < len(self.sentences):
            return index + 1
        return index

    def target_range(self) -> tuple[int, int] | None:
        """What an action applies to: the selection, else the sentence under the cursor."""
        if self.selection is not None:
            return self.selection
        if not self.sentences:
            return None
        span = self.cursor_span
        return span.start, span.end

    def annotation_under_cursor(self) -> HighlightMark | None:
        if not self.sentences:
            return None
        if self.selection is not None:
            start, end = self.selection
        else:
            start, end = self.cursor_span.start, self.cursor_span.end
        inside = [mark for mark in self.highlights if mark.start < end and start < mark.end]
        if not inside:
            return None
        # prefer the one holding the start of the sentence, then the latest
        for mark in inside:
            if mark.start <= start < mark.end:
                return mark
        return inside[-1]

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
            self._set_selection(_hull(self._anchor, new_span))
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

    def _set_selection(self, selection: tuple[int, int] | None) -> None:
        old, self.selection = self.selection, selection
        self._repaint_ranges(old, selection)

    # ------------------------------------------------------------------ layout

    @property
    def text_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width - GUTTER - 1, MEASURE))

    def _relayout(self) -> None:
        width = self.text_width
        lines: list[_Line] = []
        first_lines: list[int] = []
        line_starts: list[list[int]] = []
        for index, block in enumerate(self._blocks):
            if index and self._gap_before(index):
                lines.append(_Line(-1))
            first_lines.append(len(lines))
            available = max(5, width - len(block.prefix))
            offsets = self._wrap_block(block, available)
            line_starts.append(offsets)
            ends = [*offsets[1:], len(block.text)]
            lines.extend(_Line(index, start, end) for start, end in zip(offsets, ends, strict=True))
        lines.append(_Line(-1))
        self._lines = lines
        self._block_first_line = first_lines
        self._block_line_starts = line_starts
        self._layout_width = width
        self._strips.clear()
        self.virtual_size = Size(width + GUTTER, len(lines))

    @staticmethod
    def _wrap_block(block: Block, width: int) -> list[int]:
        """Line starts of a block: wrapped to ``width``, each of its hard breaks a new line."""
        if not block.breaks:
            return [0, *wrap_offsets(block.text, width)]
        offsets = [0]
        edges = [0, *block.breaks, len(block.text)]
        for first, (start, end) in enumerate(zip(edges, edges[1:], strict=False)):
            if first:
                offsets.append(start)
            offsets.extend(start + cut for cut in wrap_offsets(block.text[start:end], width))
        return offsets

    def _gap_before(self, index: int) -> bool:
        """A blank line between paragraphs, and around the headline's parts."""
        kind, previous = self._blocks[index].kind, self._blocks[index - 1].kind
        if kind in ("body", "hidden") or previous in ("body", "hidden"):
            return True
        return kind == "caption" and previous != "caption"

    def _ensure_layout(self) -> None:
        if self._layout_width != self.text_width:
            self._relayout()

    def _line_of_offset(self, offset: int) -> int:
        """The line (in the whole page) showing body ``offset``."""
        self._ensure_layout()
        if not self._body_blocks:
            return 0
        position = max(0, bisect_right(self._body_starts, offset) - 1)
        block_index = self._body_blocks[position]
        block = self._blocks[block_index]
        within = min(max(0, offset - block.start), max(0, len(block.text) - 1))
        line = bisect_right(self._block_line_starts[block_index], within) - 1
        return self._block_first_line[block_index] + max(0, line)

    def _offset_of_line(self, y: int) -> int | None:
        """Body offset at the start of line ``y``, or of the next body line below it."""
        self._ensure_layout()
        for line in self._lines[max(0, y) :]:
            if line.block >= 0 and self._blocks[line.block].kind in TEXT_KINDS:
                return self._blocks[line.block].start + line.start
        return None

    def _scroll_to_line(self, y: int) -> None:
        self._scrolling_to = True
        try:
            self.scroll_to(y=max(0, y), animate=False, immediate=True)
        finally:
            self._scrolling_to = False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value) and not self._scrolling_to:
            self.post_message(self.ViewScrolled(self))

    def on_focus(self) -> None:
        self._repaint_cursor()

    def on_blur(self) -> None:
        self._repaint_cursor()

    def _repaint_cursor(self) -> None:
        """The cursor's look follows focus (the bar, the stronger ground)."""
        self._styles.clear()
        if self.sentences:
            self._repaint_ranges((self.cursor_span.start, self.cursor_span.end))

    def on_resize(self) -> None:
        self._ensure_layout()
        # the least scroll that keeps the cursor in sight: a screen may have placed the page
        # (Compare levels it) and the headline preference would undo that
        self._scroll_cursor_into_view(center=False, headline=False)

    def _scroll_cursor_into_view(self, *, center: bool, headline: bool = True, margin: int = 2) -> None:
        if not self.sentences or self._layout_width < 0:
            return
        span = self.cursor_span
        top = self._line_of_offset(span.start)
        bottom = self._line_of_offset(max(span.start, span.end - 1))
        height = max(1, self.scrollable_content_region.height)
        scroll_y = int(self.scroll_y)
        margin = min(margin, height // 4)
        if headline and self.cursor == 0 and bottom < height - margin:
            top = 0  # show the headline above the first sentence, when both fit
        if center and not (scroll_y + margin <= top and bottom < scroll_y + height - margin):
            target = max(0, top - height // 3)
        elif top < scroll_y + margin:
            target = max(0, top - margin)
        elif bottom >= scroll_y + height - margin:
            target = min(top - margin, bottom - height + 1 + margin)
        else:
            return
        self._scroll_to_line(target)

    def keep_cursor_in_view(self) -> None:
        """Scroll the least that brings the cursor's sentence on screen (after a level scroll)."""
        self._scroll_cursor_into_view(center=False, headline=False, margin=0)

    def top_offset(self) -> int | None:
        """Body offset of the first body line on screen."""
        return self._offset_of_line(int(self.scroll_y))

    def offset_at_row(self, row: int) -> int | None:
        """Body offset of screen row ``row`` (or of the next body line below it)."""
        return self._offset_of_line(int(self.scroll_y) + row)

    def line_offset_of(self, offset: int) -> int:
        """Line of body ``offset`` relative to the top of the view (for level scrolling)."""
        return self._line_of_offset(offset) - int(self.scroll_y)

    def scroll_offset_to_row(self, offset: int, row: int) -> int:
        """Scroll so that body ``offset`` shows on screen row ``row`` (level scrolling).

        Returns the row it is on now: another one where the page cannot scroll that far.
        """
        line = self._line_of_offset(offset)
        self._scroll_to_line(min(line - row, self.max_scroll_y))
        return line - int(self.scroll_y)

    # ------------------------------------------------------------------ rendering

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    @property
    def _base_style(self) -> Style:
        """The widget's own style; cached because ``rich_style`` walks every ancestor."""
        style = self._styles.get("")
        if style is None:
            style = self.rich_style
            self._styles[""] = style
        return style

    def _style(self, component: str) -> Style:
        style = self._styles.get(component)
        if style is None:
            style = self.get_component_rich_style(component, partial=True)
            if style.bgcolor is not None:
                # A partial style keeps a translucent ground ($primary 12%) at full strength; the
                # full style has it blended over the view's ground, as the stylesheet means it.
                style += Style(bgcolor=self.get_component_rich_style(component).bgcolor)
            self._styles[component] = style
        return style

    def _invalidate(self) -> None:
        self._strips.clear()
        self.refresh()

    def _invalidate_range(self, start: int, end: int) -> None:
        if not self._body_blocks:
            return
        first = max(0, bisect_right(self._body_starts, start) - 1)
        last = bisect_left(self._body_starts, end)
        for position in range(first, min(last + 1, len(self._body_blocks))):
            self._strips.pop(self._body_blocks[position], None)

    def _decorations(self, start: int, end: int) -> Iterable[tuple[int, int, Style]]:
        """Styles over body ranges, lowest layer first."""
        for mark in self.marks:
            if mark.start < end and start < mark.end:
                yield mark.start, mark.end, self._style(mark.component)
        if self.current_mark is not None and self.current_mark[0] < end and start < self.current_mark[1]:
            yield self.current_mark[0], self.current_mark[1], self._style("article-view--current-match")
        for echo in self.echoes:
            if echo.start < end and start < echo.end:
                yield echo.start, echo.end, echo_style(echo.color)
        for highlight in self.highlights:
            if highlight.start < end and start < highlight.end:
                yield highlight.start, highlight.end, highlight_style(highlight.color)
        if self.sentences:
            span = self.cursor_span
            if span.start < end and start < span.end:
                yield from self._cursor_layer(span.start, span.end)
        if self.selection is not None and self.selection[0] < end and start < self.selection[1]:
            yield self.selection[0], self.selection[1], self._style("article-view--selection")
        current = self.search_matches[self.search_index] if self.search_index >= 0 else None
        for match in self.search_matches:
            if match[0] < end and start < match[1]:
                component = "article-view--search-current" if match == current else "article-view--search"
                yield match[0], match[1], self._style(component)

    def _cursor_layer(self, start: int, end: int) -> Iterable[tuple[int, int, Style]]:
        """The cursor's ground, except on highlights: there the highlight keeps its colour (a
        ground over it would hide it and leave dark text on a dark ground) and the cursor shows as
        bold, overlined text, besides the bar in the gutter."""
        ground = self._style("article-view--cursor")
        on_highlight = self._style("article-view--cursor-on-highlight")
        position = start
        for highlight in self.highlights:  # sorted by start
            if highlight.end <= position or highlight.start >= end:
                continue
            if highlight.start > position:
                yield position, highlight.start, ground
            covered_end = min(end, highlight.end)
            yield max(position, highlight.start), covered_end, on_highlight
            position = max(position, covered_end)
        if position < end:
            yield position, end, ground

    def _gutter(self, block: Block, start: int, end: int, base: Style) -> Segment:
        """The cursor bar, else ✎ where a highlight with a note starts, else a compare mark."""
        blank = Segment(" " * GUTTER, base)
        if block.kind not in TEXT_KINDS:
            return blank
        line_start, line_end = block.start + start, block.start + end
        if self.sentences and self.has_focus:
            # the bar only where keys go: beside another view (Compare) it tells which one that is
            span = self.cursor_span
            if span.start < line_end and line_start < span.end:
                return Segment("▌".ljust(GUTTER), base + self._style("article-view--gutter"))
        for highlight in self.highlights:
            if highlight.note and line_start <= highlight.start < line_end:
                return Segment("✎".ljust(GUTTER), base + self._style("article-view--note-mark"))
        for mark in self.marks:
            if mark.symbol and mark.start < line_end and line_start < mark.end:
                return Segment(mark.symbol.ljust(GUTTER), base + self._style(mark.component))
        for echo in self.echoes:
            if echo.start < line_end and line_start < echo.end:
                return Segment(ECHO_SYMBOL.ljust(GUTTER), base + echo_style(echo.color))
        return blank

    def _render_block(self, index: int) -> list[Strip]:
        block = self._blocks[index]
        base = self._base_style
        if block.kind != "body":
            base = base + self._style(f"article-view--{block.kind}")
        text = Text(block.text, style=base, end="", no_wrap=True)
        for start, end, role in block.roles:
            text.stylize(self._style(f"article-view--md-{role}"), start, end)
        if block.kind in TEXT_KINDS:
            for start, end, style in self._decorations(block.start, block.end):
                text.stylize(style, max(0, start - block.start), min(len(block.text), end - block.start))
        offsets = self._block_line_starts[index]
        pieces = text.divide(offsets[1:])
        console = self.app.console
        strips: list[Strip] = []
        for piece, start in zip(pieces, offsets, strict=True):
            end = start + len(piece.plain)
            piece.rstrip()
            segments = [self._gutter(block, start, end, self._base_style)]
            if block.prefix:
                segments.append(Segment(block.prefix, base))
            # every segment carries a style: Textual's NO_COLOR filter expects one
            segments.extend(Segment(text, style or base) for text, style, _ in piece.render(console))
            strips.append(Strip(segments))
        return strips

    def render_line(self, y: int) -> Strip:
        self._ensure_layout()
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._base_style
        index = scroll_y + y
        if index >= len(self._lines) or self._lines[index].block < 0:
            return Strip.blank(width, base)
        line = self._lines[index]
        strips = self._strips.get(line.block)
        if strips is None:
            strips = self._render_block(line.block)
            self._strips[line.block] = strips
        position = index - self._block_first_line[line.block]
        return strips[position].crop_extend(scroll_x, scroll_x + width, base)

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
        if not self.sentences:
            return
        here = self._sentence_paragraph[self.cursor]
        index = bisect_right(self._sentence_paragraph, here)
        self._set_cursor(index if index < len(self.sentences) else len(self.sentences) - 1)

    def action_previous_paragraph(self) -> None:
        if not self.sentences:
            return
        here = self._sentence_paragraph[self.cursor]
        first_here = bisect_left(self._sentence_paragraph, here)
        if self.cursor > first_here:
            self._set_cursor(first_here)
            return
        if first_here == 0:
            self._set_cursor(0)
            return
        previous = self._sentence_paragraph[first_here - 1]
        self._set_cursor(bisect_left(self._sentence_paragraph, previous))

    def action_top(self) -> None:
        self._set_cursor(0)
        self._scroll_to_line(0)

    def action_bottom(self) -> None:
        self._set_cursor(len(self.sentences) - 1)

    def _page(self, direction: int) -> None:
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
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

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

    def _words_within(self, start: int, end: int) -> list[re.Match[str]]:
        return list(_WORD.finditer(self.article.body, start, end))

    def _edit_selection(self, start: int, end: int) -> None:
        self._anchor = None  # changed by hand: moving the cursor no longer grows it by sentence
        self._selection_is_match = False
        self._set_selection((start, end))

    def action_grow_word(self) -> None:
        if self.selection is None:
            return
        start, end = self.selection
        match = _WORD.search(self.article.body, end)
        if match is not None:
            self._edit_selection(start, match.end())

    def action_shrink_word(self) -> None:
        if self.selection is None:
            return
        start, end = self.selection
        words = self._words_within(start, end)
        if len(words) > 1:  # one word at least stays selected
            self._edit_selection(start, words[-2].end())

    def action_grow_word_back(self) -> None:
        if self.selection is None:
            return
        start, end = self.selection
        words = list(_WORD.finditer(self.article.body, 0, start))
        if words:
            self._edit_selection(words[-1].start(), end)

    def action_shrink_word_back(self) -> None:
        if self.selection is None:
            return
        start, end = self.selection
        words = self._words_within(start, end)
        if len(words) > 1:
            self._edit_selection(words[1].start(), end)

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
        if query:
            pattern = re.compile(re.escape(query), re.IGNORECASE)
            hidden = self.hidden
            self.search_matches = [
                (match.start(), match.end())
                for match in pattern.finditer(self.article.body)
                if not any(cut.start <= match.start() < cut.end for cut in hidden)
            ]
        for start, end in (*old, *self.search_matches):
            self._invalidate_range(start, end)
        self.search_index = -1
        self.refresh()
        if self.search_matches:
            self._step_search(+1, from_cursor=True)
        return len(self.search_matches)

    def _step_search(self, direction: int, *, from_cursor: bool = False) -> None:
        if not self.search_matches:
            return
        total = len(self.search_matches)
        if from_cursor or self.search_index < 0:
            here = self.cursor_span.start if self.sentences else 0
            starts = [start for start, _ in self.search_matches]
            index = bisect_left(starts, here) % total
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
