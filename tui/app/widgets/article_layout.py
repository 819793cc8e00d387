"""An article laid out as a page: blocks of text, wrapped into lines that know their offsets.

Pure: no Textual. Rich only for ``divide_line``, so the page breaks lines where Rich draws them.
The article view paints these lines; everything here is tested without a screen.

A page is built in two steps. ``build_page`` turns an article into blocks (headline, byline,
captions, paragraphs, a hidden passage's stand-in), each text block knowing the body offset of
its first character. ``lay_out`` wraps the blocks to a width into lines, each a range of one
block's text; a body offset then maps to a line and back.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich._wrap import divide_line

from tui.app.widgets.safe_text import sanitize
from tui.library.articles import Article, Span
from tui.library.dates import format_published
from tui.markdown_look import look

BlockKind = Literal["title", "meta", "link", "subtitle", "caption", "body", "hidden", "gap"]
# Blocks of the article's text, with body offsets: a cursor, a search and highlights reach them.
TEXT_KINDS = ("body", "caption")
MEASURE = 92  # longest line of text: long lines are hard to read
GUTTER = 2  # a cursor bar or match mark, then a space

Structure = list[tuple[int, int, str]]  # (start, end, kind) ranges of Markdown's structure


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


@dataclass(slots=True)
class Line:
    block: int  # -1: a blank line between blocks
    start: int = 0  # offsets in the block's text
    end: int = 0


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


def wrap_block(block: Block, width: int) -> list[int]:
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


def parse_structure(flat: Sequence[int | str]) -> Structure:
    """The article's structure, stored flat as start, end, kind, start, end, kind, ..."""
    structure: Structure = []
    for i in range(0, len(flat) - 2, 3):
        start, end, kind = flat[i], flat[i + 1], flat[i + 2]
        if isinstance(start, int) and isinstance(end, int) and isinstance(kind, str):
            structure.append((start, end, kind))
    return structure


@dataclass(frozen=True, slots=True)
class Page:
    """The blocks of one article as shown, and which of them hold its text."""

    blocks: list[Block]
    text_blocks: list[int]  # indexes of body and caption blocks, in text order
    text_starts: list[int]  # the body offset each of them starts at

    @classmethod
    def of(cls, blocks: list[Block]) -> Page:
        text_blocks = [index for index, block in enumerate(blocks) if block.kind in TEXT_KINDS]
        return cls(blocks, text_blocks, [blocks[index].start for index in text_blocks])

    def blocks_touching(self, start: int, end: int) -> list[int]:
        """The text blocks that may show some of body range [start, end)."""
        if not self.text_blocks:
            return []
        first = max(0, bisect_right(self.text_starts, start) - 1)
        last = min(bisect_left(self.text_starts, end) + 1, len(self.text_blocks))
        return self.text_blocks[first:last]


def build_page(
    article: Article,
    *,
    hidden: Iterable[Span] = (),
    show_headline: bool = True,
    structure: Structure | None = None,
    markdown: bool = False,
) -> Page:
    """The article as blocks; a hidden passage is one stand-in block, its text left out."""
    if structure is None:
        structure = parse_structure(article.structure)
    blocks: list[Block] = []
    if show_headline:
        blocks.extend(_headline(article))
    cuts = sorted(hidden, key=lambda span: span.start)
    for paragraph in article.paragraphs:
        position = paragraph.start
        for cut in cuts:
            if cut.end <= position or cut.start >= paragraph.end:
                continue
            if cut.start > position:
                blocks.append(body_block(article.body, position, cut.start, structure, markdown))
            if not blocks or blocks[-1].kind != "hidden":
                blocks.append(Block("hidden", "⋯ repeated passage hidden (r shows it)"))
            position = max(position, min(cut.end, paragraph.end))
        if position < paragraph.end:
            blocks.append(body_block(article.body, position, paragraph.end, structure, markdown))
    captions = article.caption_spans if show_headline else []
    for caption in captions:  # in the body after the paragraphs, so shown after them
        blocks.append(Block("caption", sanitize(article.text(caption)), start=caption.start, prefix="▎ "))
    return Page.of([block for block in blocks if block.kind != "body" or block.text.strip()])


def _headline(article: Article) -> list[Block]:
    blocks = [Block("title", sanitize(article.title)), Block("meta", sanitize(format_byline(article)))]
    if article.url:
        blocks.append(Block("link", sanitize(f"{article.url}  (o opens it)")))
    if article.subtitle:
        blocks.append(Block("subtitle", sanitize(article.subtitle)))
    return blocks


def body_block(body: str, start: int, end: int, structure: Structure, markdown: bool) -> Block:
    """Body range [start, end) as a block, with Markdown's look in the block's own offsets."""
    inside = [(s - start, e - start, kind) for s, e, kind in structure if start <= s and e <= end]
    shown = look(body[start:end], inside, markdown=markdown)
    return Block(
        "body", sanitize(shown.text), start=start, roles=tuple(shown.roles), breaks=tuple(shown.breaks)
    )


def visible_sentences(article: Article, hidden: Iterable[Span], *, show_headline: bool = True) -> list[Span]:
    """The sentences a cursor visits: those outside hidden passages, then the captions."""
    cuts = list(hidden)

    def visible(span: Span) -> bool:
        return not any(cut.start <= span.start and span.end <= cut.end for cut in cuts)

    captions = article.caption_spans if show_headline else []
    return [span for span in article.sentences if visible(span)] + list(captions)


def sentence_paragraphs(article: Article, sentences: Sequence[Span]) -> list[int]:
    """The paragraph index of each sentence (a caption counts with the last paragraph)."""
    starts = [paragraph.start for paragraph in article.paragraphs]
    return [max(0, bisect_right(starts, span.start) - 1) for span in sentences]


def gap_before(blocks: Sequence[Block], index: int) -> bool:
    """A blank line between paragraphs, and around the headline's parts."""
    kind, previous = blocks[index].kind, blocks[index - 1].kind
    if kind in ("body", "hidden") or previous in ("body", "hidden"):
        return True
    return kind == "caption" and previous != "caption"


@dataclass(frozen=True, slots=True)
class PageLines:
    """A page wrapped to a width: every screen line, and where each block's lines begin."""

    page: Page
    width: int
    lines: list[Line]
    block_first_line: list[int]
    block_line_starts: list[list[int]]

    def line_of_offset(self, offset: int) -> int:
        """The line (in the whole page) showing body ``offset``."""
        page = self.page
        if not page.text_blocks:
            return 0
        position = max(0, bisect_right(page.text_starts, offset) - 1)
        block_index = page.text_blocks[position]
        block = page.blocks[block_index]
        within = min(max(0, offset - block.start), max(0, len(block.text) - 1))
        line = bisect_right(self.block_line_starts[block_index], within) - 1
        return self.block_first_line[block_index] + max(0, line)

    def offset_of_line(self, y: int) -> int | None:
        """Body offset at the start of line ``y``, or of the next body line below it."""
        blocks = self.page.blocks
        for line in self.lines[max(0, y) :]:
            if line.block >= 0 and blocks[line.block].kind in TEXT_KINDS:
                return blocks[line.block].start + line.start
        return None


def lay_out(page: Page, width: int) -> PageLines:
    """Wrap every block to ``width`` (less its prefix), a blank line between blocks that want one."""
    lines: list[Line] = []
    first_lines: list[int] = []
    line_starts: list[list[int]] = []
    for index, block in enumerate(page.blocks):
        if index and gap_before(page.blocks, index):
            lines.append(Line(-1))
        first_lines.append(len(lines))
        offsets = wrap_block(block, max(5, width - len(block.prefix)))
        line_starts.append(offsets)
        ends = [*offsets[1:], len(block.text)]
        lines.extend(Line(index, start, end) for start, end in zip(offsets, ends, strict=True))
    lines.append(Line(-1))
    return PageLines(page, width, lines, first_lines, line_starts)
