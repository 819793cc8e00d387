"""Where the article view's keys take the cursor and the selection: by sentence, paragraph or
word, to an annotation or a search match.

Pure: no Textual, no Rich. Each function answers one question about indexes and body offsets;
the view's actions ask it, then move, repaint and post their messages.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from tui.app.widgets.article_marks import HighlightMark
from tui.library.articles import Span

_WORD = re.compile(r"\S+")
Range = tuple[int, int]  # [start, end) in the body


def hull(first: Span, second: Span) -> Range:
    """The range from the earlier start to the later end (a selection grown by sentence)."""
    return min(first.start, second.start), max(first.end, second.end)


def next_paragraph(paragraph_of: Sequence[int], cursor: int) -> int:
    """The first sentence of the paragraph after the cursor's, else the last sentence."""
    index = bisect_right(paragraph_of, paragraph_of[cursor])
    return index if index < len(paragraph_of) else len(paragraph_of) - 1


def previous_paragraph(paragraph_of: Sequence[int], cursor: int) -> int:
    """The first sentence of the cursor's paragraph, else (already there) of the one before."""
    first_here = bisect_left(paragraph_of, paragraph_of[cursor])
    if cursor > first_here or first_here == 0:
        return first_here
    return bisect_left(paragraph_of, paragraph_of[first_here - 1])


def grow_word(body: str, selection: Range) -> Range | None:
    """The selection ending a word later; None at the end of the text."""
    start, end = selection
    match = _WORD.search(body, end)
    return (start, match.end()) if match is not None else None


def shrink_word(body: str, selection: Range) -> Range | None:
    """The selection ending a word sooner; None when one word is left (it stays selected)."""
    start, end = selection
    words = list(_WORD.finditer(body, start, end))
    return (start, words[-2].end()) if len(words) > 1 else None


def grow_word_back(body: str, selection: Range) -> Range | None:
    """The selection starting a word sooner; None at the start of the text."""
    start, end = selection
    words = list(_WORD.finditer(body, 0, start))
    return (words[-1].start(), end) if words else None


def shrink_word_back(body: str, selection: Range) -> Range | None:
    """The selection starting a word later; None when one word is left."""
    start, end = selection
    words = list(_WORD.finditer(body, start, end))
    return (words[1].start(), end) if len(words) > 1 else None


def annotation_under(highlights: Sequence[HighlightMark], start: int, end: int) -> HighlightMark | None:
    """The highlight on [start, end): the one holding ``start``, else the latest touching it."""
    inside = [mark for mark in highlights if mark.start < end and start < mark.end]
    if not inside:
        return None
    for mark in inside:
        if mark.start <= start < mark.end:
            return mark
    return inside[-1]


def find_matches(body: str, query: str, hidden: Iterable[Span]) -> list[Range]:
    """Every case-insensitive occurrence of ``query`` that does not start in a hidden passage."""
    if not query:
        return []
    cuts = list(hidden)
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    return [
        (match.start(), match.end())
        for match in pattern.finditer(body)
        if not any(cut.start <= match.start() < cut.end for cut in cuts)
    ]


def match_from(matches: Sequence[Range], offset: int) -> int:
    """The index of the first match starting at ``offset`` or after it, round to the first."""
    starts = [start for start, _ in matches]
    return bisect_left(starts, offset) % len(matches)
