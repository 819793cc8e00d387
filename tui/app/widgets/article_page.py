"""ArticlePage: the painted page under the article view, built on the line API like Textual's ``Log``.

The text is laid out once per width (``article_layout``), and each block's lines are rendered on
demand and cached. A change re-renders only the blocks whose look changed, so moving the cursor
through a 5,000-word article costs about as much as through a short one.

The page holds what is drawn (the sentences, the cursor's place, the marks) and keeps it in
sight; ``ArticleView`` adds the keys that move the cursor and the messages it posts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.widgets.article_layout import (
    GUTTER,
    MEASURE,
    TEXT_KINDS,
    Block,
    Line,
    Page,
    PageLines,
    build_page,
    lay_out,
    parse_structure,
    sentence_paragraphs,
    visible_sentences,
)
from tui.app.widgets.article_marks import (
    HIGHLIGHT_NAMES,
    EchoMark,
    HighlightMark,
    Mark,
    PageMarks,
    decorations,
    gutter_mark,
)
from tui.library.articles import Article, Span
from tui.markdown_look import ROLES


class ArticlePage(ScrollView):
    """One article's text as lines on a scrollable page, with its marks and a sentence cursor."""

    DEFAULT_CSS = """
    ArticlePage {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    ArticlePage > .article-view--title { text-style: bold; color: $text-primary; }
    ArticlePage > .article-view--meta { color: $text-muted; }
    ArticlePage > .article-view--link { color: $text-muted; text-style: underline; }
    ArticlePage > .article-view--subtitle { text-style: italic; }
    ArticlePage > .article-view--caption { color: $text-muted; text-style: italic; }
    ArticlePage > .article-view--hidden { color: $text-warning; text-style: italic; }
    ArticlePage > .article-view--md-h1 { text-style: bold underline; color: $text-primary; }
    ArticlePage > .article-view--md-h2 { text-style: bold; color: $text-primary; }
    ArticlePage > .article-view--md-h3 { text-style: bold; }
    ArticlePage > .article-view--md-strong { text-style: bold; }
    ArticlePage > .article-view--md-em { text-style: italic; }
    ArticlePage > .article-view--md-code { color: $text-accent; }
    ArticlePage > .article-view--md-marker { color: $text-disabled; }
    ArticlePage > .article-view--md-quote { text-style: italic; }
    ArticlePage > .article-view--md-rule { color: $text-muted; }
    ArticlePage > .article-view--md-bullet { color: $text-accent; text-style: bold; }
    ArticlePage > .article-view--cursor { background: $primary 12%; }
    ArticlePage:focus > .article-view--cursor { background: $primary 45%; }
    ArticlePage > .article-view--cursor-on-highlight { text-style: bold overline; }
    ArticlePage > .article-view--gutter { color: $primary; }
    ArticlePage > .article-view--note-mark { color: $text-accent; text-style: bold; }
    ArticlePage > .article-view--selection { background: $secondary 60%; text-style: bold; }
    ArticlePage > .article-view--search { background: $warning 70%; color: $text; text-style: underline; }
    ArticlePage > .article-view--search-current { background: $error; color: $text; text-style: bold reverse; }
    ArticlePage > .article-view--match-0 { color: $text-success; }
    ArticlePage > .article-view--match-1 { color: $text-accent; }
    ArticlePage > .article-view--current-match { text-style: bold underline; }
    ArticlePage > .article-view--only { color: $text-error; text-style: italic; }
    ArticlePage > .article-view--changed { color: $text-warning; }
    ArticlePage > .article-view--changed-word { text-style: bold reverse; }
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
        self._anchor: Span | None = None  # where a selection grown by sentence started
        self._selection_is_match = False  # the selection is the current search match
        self.sentences: list[Span] = []
        self._sentence_starts: list[int] = []
        self._sentence_paragraph: list[int] = []
        self.cursor = 0
        self._page = Page.of([])
        self._layout: PageLines | None = None  # None: to be laid out at the current width
        self._strips: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._scrolling_to = False  # scrolls the view makes itself are not reported as ViewScrolled
        self._markdown = article.path.suffix.lower() in (".md", ".markdown")
        self._structure = parse_structure(article.structure)
        self._build_blocks()

    # ------------------------------------------------------------------ content

    def _build_blocks(self) -> None:
        article = self.article
        self._page = build_page(
            article,
            hidden=self.hidden,
            show_headline=self.show_headline,
            structure=self._structure,
            markdown=self._markdown,
        )
        self.sentences = visible_sentences(article, self.hidden, show_headline=self.show_headline)
        self._sentence_starts = [span.start for span in self.sentences]
        self._sentence_paragraph = sentence_paragraphs(article, self.sentences)
        self._layout = None
        self._strips.clear()

    @property
    def _blocks(self) -> list[Block]:
        return self._page.blocks

    @property
    def _lines(self) -> list[Line]:
        return self._ensure_layout().lines

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

    # ------------------------------------------------------------------ the cursor's place

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

    # ------------------------------------------------------------------ layout

    @property
    def text_width(self) -> int:
        return max(10, min(self.scrollable_content_region.width - GUTTER - 1, MEASURE))

    def _relayout(self) -> PageLines:
        layout = lay_out(self._page, self.text_width)
        self._layout = layout
        self._strips.clear()
        self.virtual_size = Size(layout.width + GUTTER, len(layout.lines))
        return layout

    def _ensure_layout(self) -> PageLines:
        if self._layout is None or self._layout.width != self.text_width:
            return self._relayout()
        return self._layout

    def _line_of_offset(self, offset: int) -> int:
        """The line (in the whole page) showing body ``offset``."""
        return self._ensure_layout().line_of_offset(offset)

    def _offset_of_line(self, y: int) -> int | None:
        """Body offset at the start of line ``y``, or of the next body line below it."""
        return self._ensure_layout().offset_of_line(y)

    # ------------------------------------------------------------------ scrolling

    def _scroll_to_line(self, y: int) -> None:
        self._scrolling_to = True
        try:
            self.scroll_to(y=max(0, y), animate=False, immediate=True)
        finally:
            self._scrolling_to = False

    def on_resize(self) -> None:
        self._ensure_layout()
        # the least scroll that keeps the cursor in sight: a screen may have placed the page
        # (Compare levels it) and the headline preference would undo that
        self._scroll_cursor_into_view(center=False, headline=False)

    def _scroll_cursor_into_view(self, *, center: bool, headline: bool = True, margin: int = 2) -> None:
        if not self.sentences or self._layout is None:
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

    # ------------------------------------------------------------------ painting

    def on_focus(self) -> None:
        self._repaint_cursor()

    def on_blur(self) -> None:
        self._repaint_cursor()

    def _repaint_cursor(self) -> None:
        """The cursor's look follows focus (the bar, the stronger ground)."""
        self._styles.clear()
        if self.sentences:
            self._repaint_ranges((self.cursor_span.start, self.cursor_span.end))

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
        for block in self._page.blocks_touching(start, end):
            self._strips.pop(block, None)

    def _page_marks(self) -> PageMarks:
        return PageMarks(
            highlights=self.highlights,
            echoes=self.echoes,
            marks=self.marks,
            current_mark=self.current_mark,
            cursor=self.cursor_span if self.sentences else None,
            cursor_bar=self.has_focus,
            selection=self.selection,
            search_matches=self.search_matches,
            search_index=self.search_index,
        )

    def _gutter(self, block: Block, start: int, end: int, marks: PageMarks) -> Segment:
        base = self._base_style
        found = gutter_mark(marks, block.start + start, block.start + end, self._style)
        if block.kind not in TEXT_KINDS or found is None:
            return Segment(" " * GUTTER, base)
        symbol, style = found
        return Segment(symbol.ljust(GUTTER), base + style)

    def _render_block(self, index: int) -> list[Strip]:
        block = self._blocks[index]
        base = self._base_style
        if block.kind != "body":
            base = base + self._style(f"article-view--{block.kind}")
        text = Text(block.text, style=base, end="", no_wrap=True)
        for start, end, role in block.roles:
            text.stylize(self._style(f"article-view--md-{role}"), start, end)
        marks = self._page_marks()
        if block.kind in TEXT_KINDS:
            for start, end, style in decorations(marks, block.start, block.end, self._style):
                text.stylize(style, max(0, start - block.start), min(len(block.text), end - block.start))
        offsets = self._ensure_layout().block_line_starts[index]
        pieces = text.divide(offsets[1:])
        console = self.app.console
        strips: list[Strip] = []
        for piece, start in zip(pieces, offsets, strict=True):
            end = start + len(piece.plain)
            piece.rstrip()
            segments = [self._gutter(block, start, end, marks)]
            if block.prefix:
                segments.append(Segment(block.prefix, base))
            # every segment carries a style: Textual's NO_COLOR filter expects one
            segments.extend(Segment(text, style or base) for text, style, _ in piece.render(console))
            strips.append(Strip(segments))
        return strips

    def render_line(self, y: int) -> Strip:
        layout = self._ensure_layout()
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._base_style
        index = scroll_y + y
        if index >= len(layout.lines) or layout.lines[index].block < 0:
            return Strip.blank(width, base)
        line = layout.lines[index]
        strips = self._strips.get(line.block)
        if strips is None:
            strips = self._render_block(line.block)
            self._strips[line.block] = strips
        position = index - layout.block_first_line[line.block]
        return strips[position].crop_extend(scroll_x, scroll_x + width, base)
