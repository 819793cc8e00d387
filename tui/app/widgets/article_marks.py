"""What the article view draws over the text: highlights, echoes, compare marks, the cursor, a
selection and search matches, as styles over body ranges and as a symbol in the gutter.

Pure: no Textual. Rich only for ``Style``. The view passes in how it styles its component classes,
so the layering (which mark lies over which) is read and tested here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.style import Style

from tui.library.articles import Span
from tui.palette import PALETTE

# Highlight colors by name. Fixed (not theme) colors, dark text on a light ground, so a
# highlight reads the same in dark and light themes; underlined so it still shows under NO_COLOR.
# The highlight colours of tui/palette.py as Rich styles (dark text reads on each ground).
HIGHLIGHT_STYLES: dict[str, Style] = {
    color.name: Style(color="black", bgcolor=color.background) for color in PALETTE
}
HIGHLIGHT_NAMES = tuple(HIGHLIGHT_STYLES)  # in key order: keys 1-5
_FALLBACK_HIGHLIGHT = Style(color="black", bgcolor="#d0d0d0")
ECHO_SYMBOL = "≈"

StyleOf = Callable[[str], Style]  # a component class of the view (`article-view--cursor`) to its style


def highlight_style(color: str) -> Style:
    style = HIGHLIGHT_STYLES.get(color)
    if style is None:
        try:
            style = Style(color="black", bgcolor=color)
        except Exception:  # an unknown color name from a hand-edited file
            style = _FALLBACK_HIGHLIGHT
    return style + Style(underline=True)


def echo_style(color: str) -> Style:
    """An echo is the highlight's color as text, italic and underlined, on the page's ground:
    plainly not one of this article's own (solid) highlights, in every theme and under NO_COLOR."""
    ground = HIGHLIGHT_STYLES.get(color, _FALLBACK_HIGHLIGHT).bgcolor
    return Style(color=ground, italic=True, underline=True)


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


@dataclass(frozen=True, slots=True)
class Mark:
    """A compare mark: a body range drawn in a component style with a gutter symbol."""

    start: int
    end: int
    component: str  # one of ArticlePage.COMPONENT_CLASSES
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class PageMarks:
    """Everything drawn over the text at one moment, each list sorted by start."""

    highlights: Sequence[HighlightMark] = ()
    echoes: Sequence[EchoMark] = ()
    marks: Sequence[Mark] = ()
    current_mark: tuple[int, int] | None = None
    cursor: Span | None = None  # the sentence under the cursor
    cursor_bar: bool = False  # the cursor's bar in the gutter: only where keys go (focus)
    selection: tuple[int, int] | None = None
    search_matches: Sequence[tuple[int, int]] = ()
    search_index: int = -1


def decorations(marks: PageMarks, start: int, end: int, style: StyleOf) -> Iterable[tuple[int, int, Style]]:
    """Styles over body ranges touching [start, end), lowest layer first."""
    for mark in marks.marks:
        if mark.start < end and start < mark.end:
            yield mark.start, mark.end, style(mark.component)
    current_mark = marks.current_mark
    if current_mark is not None and current_mark[0] < end and start < current_mark[1]:
        yield current_mark[0], current_mark[1], style("article-view--current-match")
    for echo in marks.echoes:
        if echo.start < end and start < echo.end:
            yield echo.start, echo.end, echo_style(echo.color)
    for highlight in marks.highlights:
        if highlight.start < end and start < highlight.end:
            yield highlight.start, highlight.end, highlight_style(highlight.color)
    span = marks.cursor
    if span is not None and span.start < end and start < span.end:
        yield from cursor_layer(marks.highlights, span.start, span.end, style)
    selection = marks.selection
    if selection is not None and selection[0] < end and start < selection[1]:
        yield selection[0], selection[1], style("article-view--selection")
    current = marks.search_matches[marks.search_index] if marks.search_index >= 0 else None
    for match in marks.search_matches:
        if match[0] < end and start < match[1]:
            component = "article-view--search-current" if match == current else "article-view--search"
            yield match[0], match[1], style(component)


def cursor_layer(
    highlights: Sequence[HighlightMark], start: int, end: int, style: StyleOf
) -> Iterable[tuple[int, int, Style]]:
    """The cursor's ground, except on highlights: there the highlight keeps its colour (a
    ground over it would hide it and leave dark text on a dark ground) and the cursor shows as
    bold, overlined text, besides the bar in the gutter."""
    ground = style("article-view--cursor")
    on_highlight = style("article-view--cursor-on-highlight")
    position = start
    for highlight in highlights:  # sorted by start
        if highlight.end <= position or highlight.start >= end:
            continue
        if highlight.start > position:
            yield position, highlight.start, ground
        covered_end = min(end, highlight.end)
        yield max(position, highlight.start), covered_end, on_highlight
        position = max(position, covered_end)
    if position < end:
        yield position, end, ground


def gutter_mark(marks: PageMarks, line_start: int, line_end: int, style: StyleOf) -> tuple[str, Style] | None:
    """The cursor bar, else ✎ where a highlight with a note starts, else a compare mark, else an echo."""
    span = marks.cursor
    if marks.cursor_bar and span is not None and span.start < line_end and line_start < span.end:
        # the bar only where keys go: beside another view (Compare) it tells which one that is
        return "▌", style("article-view--gutter")
    for highlight in marks.highlights:
        if highlight.note and line_start <= highlight.start < line_end:
            return "✎", style("article-view--note-mark")
    for mark in marks.marks:
        if mark.symbol and mark.start < line_end and line_start < mark.end:
            return mark.symbol, style(mark.component)
    for echo in marks.echoes:
        if echo.start < line_end and line_start < echo.end:
            return ECHO_SYMBOL, echo_style(echo.color)
    return None
