"""The parser: an article's text into its title, source, author, date, captions and paragraphs,
page furniture dropped, then segmented into the `Article` the rest of the house reads."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.library.articles import (
    MARKDOWN_SUFFIXES,
    Article,
    ArticleError,
    Span,
    hash_bytes,
    spans_from,
)
from tui.library.dates import parse_date, parse_date_and_time
from tui.library.layout import (
    BYLINE,
    HANKYOREH_SIGNS,
    PUBLISHED,
    clean_author,
    ends_sentence,
    is_caption,
    is_furniture,
    is_headline,
    is_source_line,
    title_from_text,
)
from tui.library.markdown_files import (
    MD_HEADING,
    MD_IMAGE,
    MD_STRUCTURED_LINE,
    Mark,
    as_text,
    markdown_line,
    markdown_to_text,
    read_front_matter,
)
from tui.library.segmentation import count_words, sentences_of


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _split_doubled(block: list[str]) -> list[list[str]]:
    """A block cut around a line printed twice in a row, so each copy stands as its own paragraph
    (the copies are then told apart as a doubled caption or a repeated paragraph)."""
    if len(set(block)) == len(block):  # no line twice at all (most blocks): nothing to cut
        return [block]
    pieces: list[list[str]] = [[]]
    for i, line in enumerate(block):
        doubled = (i > 0 and block[i - 1] == line) or (i + 1 < len(block) and block[i + 1] == line)
        if doubled:
            if pieces[-1]:
                pieces.append([])
            pieces[-1].append(line)
            pieces.append([])
        else:
            pieces[-1].append(line)
    return [piece for piece in pieces if piece]


# A line that only says a picture stands here: "[Photo]", "(Image)", "Photo".
_PHOTO_MARKER = re.compile(
    r"^[\[(]?\s*(?:photo|image|picture|graphic|illustration)s?\s*[\])]?$", re.IGNORECASE
)


CAPTION_LABEL_MAX_WORDS = 20


def _caption_like(paragraph: str, near_photo: set[str]) -> bool:
    """Whether a paragraph printed twice in a row is a caption (image alt text, then the caption):
    credited, next to a picture, or a short label that is no sentence."""
    if is_caption(paragraph) or paragraph in near_photo:
        return True
    return len(paragraph.split()) <= CAPTION_LABEL_MAX_WORDS and not ends_sentence(paragraph)


def _block_paragraphs(block: list[str], markdown: bool = False) -> list[str]:
    """A block of lines is one hard-wrapped paragraph, or one paragraph a line.

    In Markdown, the lines of a list, a table or a block quote are joined by a newline (the same
    length as a space), so each stays a line of its own in the reader.
    """
    wrapped = len(block) > 1 and max(len(line) for line in block) <= 100
    if wrapped and any(not ends_sentence(line) for line in block[:-1]):
        joint = "\n" if markdown and all(MD_STRUCTURED_LINE.match(line) for line in block[1:]) else " "
        return [joint.join(block)]
    return block


def _paragraph_marks(paragraph: str, block: list[str], line_marks: dict[str, list[Mark]]) -> list[Mark]:
    """The marks of a paragraph made of the lines of ``block`` (one of them, or all joined)."""
    if not line_marks:
        return []
    if paragraph in line_marks:
        return list(line_marks[paragraph])
    marks: list[Mark] = []
    offset = 0
    for line in block:
        if paragraph.startswith(line, offset):
            marks.extend(
                (offset + start, offset + end, kind) for start, end, kind in line_marks.get(line, [])
            )
        offset += len(line) + 1
    return marks


@dataclass(slots=True)
class _Parsed:
    title: str | None = None
    source: str | None = None
    author: str | None = None
    published_text: str | None = None
    published: datetime | None = None
    subtitle: str | None = None
    captions: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    marks: list[list[Mark]] = field(default_factory=list)  # each paragraph's headings and bold passages
    hankyoreh: bool = False


def _parse_layout(text: str, markdown: bool, known_title: str | None = None) -> _Parsed:
    """The layout of a page's text: its header's fields, then its body's paragraphs and captions."""
    parsed = _Parsed()
    lines = text.split("\n")
    near_photo: set[str] = set()  # lines beside a picture: an image's alt text, a line by "[Photo]"
    folded = text.casefold()
    if "posted on" in folded or "button that move" in folded:  # spares a test of every line
        parsed.hankyoreh = any(sign.match(line.strip()) for sign in HANKYOREH_SIGNS for line in lines)
    line_marks: dict[str, list[Mark]] = {}  # a converted line's headings and bold passages
    if markdown:
        lines = _markdown_as_lines(lines, parsed, known_title, near_photo, line_marks)
    if known_title is not None:
        parsed.title = known_title
    index = _read_header(lines, parsed)
    body_lines = _body_lines(lines[index:], parsed, near_photo)
    _sort_paragraphs(body_lines, markdown, parsed, near_photo, line_marks)
    return parsed


def _markdown_as_lines(
    lines: list[str],
    parsed: _Parsed,
    known_title: str | None,
    near_photo: set[str],
    line_marks: dict[str, list[Mark]],
) -> list[str]:
    """Markdown lines as text: a leading heading taken as the title, headings and bold passages
    kept in `line_marks`, images' alt text in `near_photo`."""
    heading_is_title = known_title is None
    converted: list[str] = []
    for line in lines:
        heading = MD_HEADING.match(line) if "#" in line else None  # the test spares most lines the pattern
        if heading:
            first = not any(c.strip() for c in converted)
            heading_text, bold = markdown_line(heading.group(1))
            # A leading heading is the title, unless the front matter names another one.
            if first and (heading_is_title or heading_text.strip() == known_title):
                parsed.title = heading_text
                converted.append("")
                continue
            level = len(line.lstrip(" ").split(" ", 1)[0])
            stripped = heading_text.strip()
            cut = len(heading_text) - len(heading_text.lstrip())
            marks = [(0, len(stripped), f"h{min(level, 6)}")]
            marks += [(start - cut, end - cut, kind) for start, end, kind in bold if end - cut > 0]
            line_marks[stripped] = marks
            converted.extend(["", heading_text, ""])
        else:
            if "![" in line and MD_IMAGE.fullmatch(line.strip()):
                near_photo.add(markdown_to_text(line).strip())
            text, bold = markdown_line(line)
            if bold:
                cut = len(text) - len(text.lstrip())
                line_marks.setdefault(text.strip(), [(s - cut, e - cut, k) for s, e, k in bold])
            converted.append(text)
    return converted


def _next_nonblank(lines: list[str], start: int) -> int:
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


def _read_header(lines: list[str], parsed: _Parsed) -> int:
    """The header: masthead, headline, byline, date line, a standfirst; furniture in between.
    Fills `parsed` and gives the index of the body's first line."""
    total = len(lines)
    index = _next_nonblank(lines, 0)
    if index < total and parsed.title is None and is_source_line(lines[index]):
        nxt = _next_nonblank(lines, index + 1)
        if nxt < total:  # a masthead needs something after it
            parsed.source = lines[index].strip()
            index = nxt
    while index < total:
        line = lines[index].strip()
        if not line or is_furniture(line):
            index += 1
            continue
        byline = BYLINE.match(line)
        if byline and len(line.split()) <= 10:
            parsed.author = parsed.author or clean_author(byline.group("name"))
            index += 1
            continue
        published = PUBLISHED.match(line)
        if published and parsed.published_text is None and re.search(r"\d", published.group("when")):
            parsed.published_text = published.group("when")
            index += 1
            continue
        if parsed.title is None and not is_caption(line):
            if not _is_title(lines, index):
                break
            parsed.title = " ".join(line.split())
            index += 1
            continue
        if not _is_subtitle(line, parsed):
            break
        parsed.subtitle = " ".join(line.split())
        index += 1
    return index


def _is_title(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    next_blank = index + 1 >= len(lines) or not lines[index + 1].strip()
    following = _next_nonblank(lines, index + 1)
    # A line followed by a byline or a date line is the headline, however long it is.
    before_header = following < len(lines) and (
        bool(BYLINE.match(lines[following].strip())) or bool(PUBLISHED.match(lines[following].strip()))
    )
    return is_headline(line, next_blank) or (before_header and len(line) <= 400)


def _is_subtitle(line: str, parsed: _Parsed) -> bool:
    return (
        parsed.title is not None
        and parsed.subtitle is None
        and not is_caption(line)
        and not ends_sentence(line)
        and 4 <= len(line.split()) <= 40
        and (parsed.published_text is not None or parsed.author is not None)
    )


def _body_lines(lines: list[str], parsed: _Parsed, near_photo: set[str]) -> list[str]:
    """The body's lines without furniture or photo markers (the lines beside a marker noted in
    `near_photo`), and without a byline at its foot, which is taken as the author."""
    nonblank = [line.strip() for line in lines if line.strip()]
    markers: set[str] = set()  # the photo markers, as stripped lines: each line is tested once
    for i, line in enumerate(nonblank):
        if _PHOTO_MARKER.match(line):
            markers.add(line)
            near_photo.update(nonblank[max(0, i - 1) : i] + nonblank[i + 1 : i + 2])
    body_lines = [line for line in lines if not is_furniture(line) and line.strip() not in markers]
    # A byline at the foot of the article ("By Park Min-hee, senior staff writer").
    tail = [i for i, line in enumerate(body_lines) if line.strip()][-6:]
    for i in reversed(tail):
        byline = BYLINE.match(body_lines[i].strip())
        if byline and len(body_lines[i].split()) <= 10:
            parsed.author = parsed.author or clean_author(byline.group("name"))
            body_lines[i] = ""
    return body_lines


def _sort_paragraphs(
    body_lines: list[str],
    markdown: bool,
    parsed: _Parsed,
    near_photo: set[str],
    line_marks: dict[str, list[Mark]],
) -> None:
    """The body's paragraphs into `parsed`: captions apart, each paragraph with its marks."""
    previous: str | None = None
    blocks = [piece for block in _blocks(body_lines) for piece in _split_doubled(block)]
    for block in blocks:
        for paragraph in _block_paragraphs(block, markdown):
            doubled = paragraph == previous
            # A caption printed twice in a row (image alt text and caption) is kept once; a body
            # paragraph printed twice stays twice in the body, where it is reported as a repeat.
            if doubled and _caption_like(paragraph, near_photo):
                if parsed.paragraphs and parsed.paragraphs[-1] == paragraph:
                    parsed.paragraphs.pop()
                    parsed.marks.pop()
                if paragraph not in parsed.captions:
                    parsed.captions.append(paragraph)
            elif is_caption(paragraph):
                if paragraph not in parsed.captions:
                    parsed.captions.append(paragraph)
            else:
                parsed.paragraphs.append(paragraph)
                parsed.marks.append(_paragraph_marks(paragraph, block, line_marks))
            previous = paragraph


def parse_article_text(
    text: str,
    article_id: str,
    path: Path,
    suffix: str = ".txt",
    *,
    content_hash: str | None = None,
    encoding: str = "utf-8",
) -> Article:
    """Parse the text of one file. Raises ArticleError when there is no article in it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", text)
    fields: dict[str, object] = {}
    markdown = suffix.lower() in MARKDOWN_SUFFIXES
    if markdown:
        fields, text, _problem = read_front_matter(text)
    parsed = _parse_layout(text, markdown, as_text(fields.get("title")))
    if not parsed.paragraphs and parsed.title and not fields.get("title"):
        # A short note of one line reads as a headline; it is the whole text, so it is the body too.
        parsed.paragraphs.append(parsed.title)
        parsed.marks.append([])
    if not parsed.paragraphs:
        raise ArticleError("no article text (empty, or only page furniture)")
    return _build_article(
        parsed, fields, article_id, path, content_hash or hash_bytes(text.encode()), encoding
    )


def _build_article(
    parsed: _Parsed,
    fields: dict[str, object],
    article_id: str,
    path: Path,
    content_hash: str,
    encoding: str,
) -> Article:
    """The article of a parsed layout; the front matter's fields, when given, come first."""
    source = as_text(fields.get("source") or fields.get("publisher") or fields.get("site")) or parsed.source
    if source is None and parsed.hankyoreh:
        source = "The Hankyoreh"
    author = as_text(fields.get("author") or fields.get("authors") or fields.get("byline")) or parsed.author
    published, timed = _published(parsed, fields, source)
    raw_added = as_text(fields.get("added"))
    added = parse_date(raw_added) if raw_added else None
    text = "\n\n".join(parsed.paragraphs)
    caption_spans: list[Span] = []
    body = text
    for caption in parsed.captions:
        body += "\n\n" if body else ""
        caption_spans.append(Span(len(body), len(body) + len(caption)))
        body += caption
    paragraphs, structure = _offsets(parsed)
    title = as_text(fields.get("title")) or parsed.title or title_from_text(text)
    return Article(
        id=article_id,
        path=path,
        title=title,
        source=source,
        author=author,
        published=published,
        subtitle=parsed.subtitle,
        body=body,
        paragraphs=spans_from(paragraphs),
        sentences=sentences_of(body, paragraphs),
        captions=parsed.captions,
        content_hash=content_hash,
        encoding=encoding,
        words=count_words(text),
        caption_spans=caption_spans,
        day_only=published is not None and not timed,
        structure=structure,
        url=_front_matter_url(fields),
        added=added,
    )


def _published(
    parsed: _Parsed, fields: dict[str, object], source: str | None
) -> tuple[datetime | None, bool]:
    """(the date, whether it has a time of day): the front matter's, else the date line's."""
    published: datetime | None = None
    timed = False
    raw_date = fields.get("date") or fields.get("published")
    if isinstance(raw_date, str):
        published, timed = parse_date_and_time(raw_date, source)
    if published is None and parsed.published_text:
        published, timed = parse_date_and_time(parsed.published_text, source)
    return published, timed


def _front_matter_url(fields: dict[str, object]) -> str | None:
    return next(
        (
            text
            for key in ("url", "canonical_url", "link", "source_url")
            if (text := as_text(fields.get(key))) and "\n" not in text
        ),
        None,
    )


def _offsets(parsed: _Parsed) -> tuple[list[int], list[int | str]]:
    """(paragraphs, structure) in the body, as flat offsets, as the cache keeps them: Span objects
    are made only for the articles read, and sentences only when first read (`sentences_of`)."""
    paragraphs: list[int] = []
    structure: list[int | str] = []
    offset = 0
    for paragraph, marks in zip(
        parsed.paragraphs, parsed.marks or [[]] * len(parsed.paragraphs), strict=True
    ):
        paragraphs += (offset, offset + len(paragraph))
        for start, end, kind in marks:
            structure += (offset + start, offset + end, kind)
        offset += len(paragraph) + 2
    return paragraphs, structure


def article_from_text(body_text: str, article_id: str = "t", title: str | None = None) -> Article:
    """An article made from plain text, for tests and tools: no header rules applied to the body."""
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", body_text) if block.strip()]
    parsed = _Parsed(title=title, paragraphs=paragraphs)
    return _build_article(
        parsed, {}, article_id, Path(f"{article_id}.txt"), hash_bytes(body_text.encode()), "utf-8"
    )
