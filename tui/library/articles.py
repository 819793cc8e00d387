"""Articles: the model, and the parser that pulls out metadata, drops page furniture and segments.

The folder walk, file decoding and the cache of parsed articles live in `tui.library.loader`.

Knows nothing of Textual. Everything here works on plain strings and returns dataclasses, so the
CLI, the app and the similarity engine share one reading of every file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import overload

from tui.errors import TuiError, UnknownArticleError, UsageError

SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
MAX_FILE_BYTES = 10 * 1024 * 1024  # a news article is < 100 KB; 10 MB is surely not one
CACHE_VERSION = 9  # bump when parsing or segmentation changes: cached articles are parsed again
TITLE_MAX_CHARS = 90
# A dataset's own papers, not its articles: README.md, LICENSE.txt, CHANGELOG… (any case, any suffix).
NOT_ARTICLE_NAMES = frozenset(
    {"readme", "license", "licence", "changelog", "changes", "copying", "notice", "authors", "contributing"}
)
NOT_ARTICLE_REASON = "not an article: a README, LICENSE or the like (such names are skipped by default)"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range of characters in an article's body."""

    start: int
    end: int


@dataclass(slots=True)
class Article:
    id: str
    path: Path
    title: str
    source: str | None
    author: str | None
    published: datetime | None
    subtitle: str | None
    body: str
    paragraphs: list[Span]
    sentences: list[Span]
    captions: list[str]
    content_hash: str
    encoding: str = "utf-8"
    words: int = 0
    # Captions are text a reader quotes: they follow the paragraphs in `body` (so no offset of the
    # article's own text moves), one span each, and are neither paragraphs nor sentences.
    caption_spans: list[Span] = field(default_factory=list)
    day_only: bool = False  # the source gave the day of publication, no time of day
    # Markdown the body no longer shows: (start, end, kind) flat, kind "h1".."h6" for a heading
    # paragraph, "strong" for a bold passage. The reader draws them; offsets are the body's.
    structure: list[int | str] = field(default_factory=list)
    url: str | None = None  # where the article was read from (front matter `url`), if it says
    added: datetime | None = None  # when `tui add` or a fetch put it in the library (front matter `added`)

    def forget_text(self) -> None:
        """Let go of the text when it can be read again (a library's lazy articles); a whole
        article keeps it. Called by work that reads many texts once (the index's cold build)."""

    def text(self, span: Span) -> str:
        return self.body[span.start : span.end]

    def caption_index(self, offset: int) -> int | None:
        """The 0-based caption holding `offset`, or None when it is in the article's text."""
        for index, span in enumerate(self.caption_spans):
            if span.start <= offset < span.end:
                return index
        return None

    def paragraph_index(self, offset: int) -> int:
        """The 0-based paragraph holding `offset` (the nearest before it, between paragraphs)."""
        found = 0
        for index, paragraph in enumerate(self.paragraphs):
            if paragraph.start > offset:
                break
            found = index
        return found


@dataclass(slots=True)
class Skipped:
    path: Path
    reason: str


@dataclass(slots=True)
class Library:
    root: Path
    articles: list[Article]
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _by_id: dict[str, Article] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {article.id: article for article in self.articles}

    def __repr__(self) -> str:
        # Not every article's repr: a library can hold 100 MB of text, and debug output (a worker's
        # description, a log line) must not copy it.
        return f"Library({str(self.root)!r}, {len(self.articles)} articles, {len(self.skipped)} skipped)"

    def get(self, article_id: str) -> Article:
        """The article with this id, or with the one id that starts with it (`tui compare 000 002`)."""
        found = self._by_id.get(article_id)
        if found is not None:
            return found
        if article_id:
            starting = [key for key in self._by_id if key.startswith(article_id)]
            if len(starting) == 1:
                return self._by_id[starting[0]]
            if len(starting) > 1:
                shown = ", ".join(sorted(starting)[:5]) + (", …" if len(starting) > 5 else "")
                raise UsageError(
                    f"ambiguous article id {article_id!r}: it starts {len(starting)} ids ({shown})"
                )
        raise UnknownArticleError(article_id)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)


class ArticleError(TuiError):
    """A file that cannot be read as an article; the library skips it and says why."""


# --------------------------------------------------------------------------- segmentation


def split_sentences(text: str) -> list[Span]:
    """Sentences of one paragraph as trimmed spans of `text`.

    sentencex (Wikimedia's rule-based segmenter) knows abbreviations such as "Sept.", "U.S.", "Mr.",
    keeps decimals and hyphenated names whole and does not split inside quotations; it needs no
    downloaded model and segments the 5 MB BBC corpus in about 0.1 s.
    """
    flat = _sentence_offsets(text)
    return [Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _paragraph_sentences(paragraph: str) -> list[int]:
    """A paragraph's sentences; each item of a list and row of a table (lines joined by a newline)
    is a sentence of its own, a block quote's lines are one text."""
    if "\n" not in paragraph:
        return _sentence_offsets(paragraph)
    if paragraph.startswith(">"):
        return _sentence_offsets(paragraph.replace("\n", " "))
    flat: list[int] = []
    offset = 0
    for line in paragraph.split("\n"):
        bullet = _MD_BULLET.match(line)
        skip = bullet.end() if bullet else 0  # an item's sentence is its words, not its bullet
        flat += [offset + skip + value for value in _sentence_offsets(line[skip:])]
        offset += len(line) + 1
    return flat


_MD_BULLET = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s+")


def _sentence_offsets(text: str) -> list[int]:
    """`split_sentences` as flat offsets (start, end, start, end…): no Span objects while loading."""
    import sentencex

    flat: list[int] = []
    for boundary in sentencex.get_sentence_boundaries("en", text):
        start, end = int(boundary["start_index"]), int(boundary["end_index"])
        piece = text[start:end]
        trimmed = piece.strip()  # str.strip trims exactly the characters str.isspace names
        if trimmed:
            start += len(piece) - len(piece.lstrip())
            end = start + len(trimmed)
            if flat and _continues(text[flat[-2] : flat[-1]], trimmed):
                flat[-1] = end
            else:
                flat += (start, end)
    return flat


_TIME_ABBREVIATION = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_DAY_OR_MONTH = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s"
)


def _continues(previous: str, current: str) -> bool:
    """Whether the segmenter cut inside a sentence: before a lower-case word, or at "5 p.m. Monday"."""
    if current[:1].islower():
        return True
    if previous[-2:] not in ("m.", "M."):  # a cheap test before the pattern: most sentences end otherwise
        return False
    return bool(_TIME_ABBREVIATION.search(previous) and _DAY_OR_MONTH.match(current))


_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


# For ASCII text: word characters (what `\w` matches there) become "a", the joiners "-" and "'" become
# "j", anything else a space; then words are counted with C string methods instead of the pattern.
_ASCII_WORD_CLASSES = bytes(
    ord("a") if chr(code).isalnum() or chr(code) == "_" else ord("j") if chr(code) in "-'" else ord(" ")
    for code in range(128)
).ljust(256, b" ")
_ASCII_WORD_RUNS = _ASCII_WORD_CLASSES.replace(b"j", b" ")


def count_words(text: str) -> int:
    """Words as `_WORD` finds them: runs of word characters, joined by single hyphens or apostrophes."""
    if not text.isascii():
        return len(_WORD.findall(text))
    data = text.encode("ascii")
    classes = data.translate(_ASCII_WORD_CLASSES)
    runs = len(data.translate(_ASCII_WORD_RUNS).split())
    # A joiner with a word character on each side ("aja") joins two runs into one word.
    joins = classes.count(b"aj") - classes.count(b"aj ") - classes.count(b"ajj") - classes.endswith(b"aj")
    return runs - joins


# --------------------------------------------------------------------------- layout rules

_BULLETS = "•·▪●◦*-–—|>"
_FURNITURE = re.compile(
    r"""^(?:
        link\ copied | copy\ link | copied | share | share\ this(?:\ article|\ story)? | share\ on\ \w+
        | (?:facebook|twitter|x|linkedin|whatsapp|email|e-mail|print|kakaotalk|telegram)(?:\s+\w+)?
        | related\ (?:stories|articles|news|content|topics|coverage)(?::.*)?
        | most\ (?:viewed|read|popular|shared)(?:\ articles|\ stories|\ news)?
        | more\ (?:stories|from\ .{1,40}|on\ this\ story)
        | (?:you\ may\ also\ like|recommended(?:\ for\ you)?|trending(?:\ now)?|top\ stories|latest\ news)
        | advertisement | sponsored(?:\ content)? | ad
        | (?:sign\ up|subscribe)\b.{0,80}
        | (?:read|see)\ (?:more|also|the\ full\ story)\b.{0,60}
        | (?:follow\ us|click\ here)\b.{0,80}
        | please\ direct\ (?:your\ )?(?:questions|comments).{0,80}
        | (?:questions|comments)\ (?:or\ comments\ )?(?:to|:)\ .{0,60}
        | (?:e-?mail|contact)\s*:\s*\S+@\S+
        | \S+@\S+\.\w+
        | button\ that\ move[sd]?\ to\ (?:the\ )?original\ korean\ article.*
        | (?:modified|updated|last\ updated)\s*(?:on)?\s*:.*
        | ©.* | copyright\ ©?.{0,80} | all\ rights\ reserved.*
        | (?:photo|image)\s*(?:credit)?\s*:.{0,60}
        | listen\ to\ (?:this\ )?article.{0,40} | (?:\d+\ min(?:ute)?s?\ read)
        | go\ to\ top | back\ to\ top | top
        | \[\s*\]
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CREDIT = re.compile(
    r"\((?=[^()]{2,60}\)\s*$)[^()]*?"
    r"(?:Yonhap|Reuters|AP|AFP|EPA|KCNA|Xinhua|Getty|Newsis|News1|Bloomberg|Pool|Kyodo|Shutterstock"
    r"|Photo|photo|Courtesy|courtesy|Handout|handout|File|Image|image|Joint Press Corps|Korea Herald|Hankyoreh)"
    r"[^()]*\)\s*$"
)
_BYLINE = re.compile(r"^by\s+(?P<name>[^\W\d_][\w.'’ -]*[\w.](?:\s*(?:,|\||\s-\s|\().*)?)$", re.IGNORECASE)
_PUBLISHED = re.compile(
    r"^(?:published|posted|date|first\s+published)(?:\s+on)?\s*:?\s*(?P<when>.+?)\s*"
    r"(?:(?:modified|updated)(?:\s+on)?\s*:.*)?$",
    re.IGNORECASE,
)
_SOURCE_NAME = re.compile(
    r"^(?:the\s+)?(?:[A-Z][\w.&'-]*\s+){0,3}"
    r"(?:Herald|Times|Post|News|Journal|Tribune|Gazette|Daily|Telegraph|Guardian|Observer|Chronicle"
    r"|Monitor|Star|Sun|Express|Mail|Independent|Economist|Hankyoreh|Yonhap|Reuters|Press|Review|Insider)$"
)
_KNOWN_SOURCES = frozenset(
    s.lower()
    for s in (
        "The Korea Herald",
        "The Korea Times",
        "The Hankyoreh",
        "Hankyoreh",
        "Yonhap",
        "Yonhap News Agency",
        "Korea JoongAng Daily",
        "BBC",
        "BBC News",
        "Reuters",
        "Associated Press",
        "AP",
        "Al Jazeera",
        "CNN",
        "NK News",
        "Nikkei Asia",
        "The New York Times",
        "The Washington Post",
        "The Guardian",
    )
)
# A source prints its dates in its own zone without saying so; these are the ones we know.
_SOURCE_ZONES = {
    "the korea herald": 9,
    "the korea times": 9,
    "the hankyoreh": 9,
    "hankyoreh": 9,
    "yonhap": 9,
    "yonhap news agency": 9,
    "korea joongang daily": 9,
    "nk news": 9,
    "nikkei asia": 9,
}
_ZONE_NAMES = {
    "KST": 9,
    "JST": 9,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}
# Hankyoreh's English edition prints no masthead; its date line and furniture say who it is.
_HANKYOREH_SIGNS = (
    re.compile(r"^posted on\s*:\s*\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\s*KST", re.IGNORECASE),
    re.compile(r"^button that move[sd]? to (?:the )?original korean article", re.IGNORECASE),
)


def _strip_bullets(line: str) -> str:
    return line.strip().strip(_BULLETS).strip()


def is_furniture(line: str) -> bool:
    core = _strip_bullets(line)
    return bool(core) and len(core) <= 160 and bool(_FURNITURE.match(core))


def _is_caption(line: str) -> bool:
    return bool(_CREDIT.search(line.strip()))


def _is_source_line(line: str) -> bool:
    core = line.strip()
    if len(core) > 48 or core.endswith((".", "!", "?", ":")):
        return False
    return core.lower() in _KNOWN_SOURCES or bool(_SOURCE_NAME.match(core))


def _ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip("\"'”’)»」』").endswith((".", "!", "?", "…", "。", "！", "？"))


def _is_headline(line: str, next_is_blank: bool) -> bool:
    words = line.split()
    if not words or len(words) > 25 or len(line) > 220:
        return False
    if not _ends_sentence(line) or line.rstrip().endswith(("?", "!")):
        return True
    if line.rstrip().rstrip("」』”").endswith(("。", "！", "？")):
        return False  # CJK prose: no spaces, so its word count says nothing; a full stop says a sentence
    return next_is_blank and len(words) <= 12


def _clean_author(raw: str) -> str | None:
    name = re.split(r"\s*(?:,|\||\s-\s|\(|\bfor\b)\s*", raw.strip(), maxsplit=1)[0].strip(" .")
    return name or None


_DATE_FORMATS = (
    "%B %d, %Y - %H:%M",
    "%B %d, %Y %H:%M",
    "%b %d, %Y - %H:%M",
    "%b. %d, %Y - %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
)


def parse_date(text: str, source: str | None = None) -> datetime | None:
    """A timezone-aware datetime from the date formats news sites print; None if it is not one.

    A zone printed with the date wins; else the source's home zone where we know it; else UTC.
    """
    return parse_date_and_time(text, source)[0]


def parse_date_and_time(text: str, source: str | None = None) -> tuple[datetime | None, bool]:
    """`parse_date`, and whether the text gave a time of day (a day alone is kept at midnight)."""
    raw = text.strip().rstrip(".")
    zone_hours: int | None = None
    match = re.search(r"\s*\b([A-Z]{1,4})$", raw)
    if match and match.group(1) in _ZONE_NAMES:
        zone_hours = _ZONE_NAMES[match.group(1)]
        raw = raw[: match.start()].strip()
    parsed: datetime | None = None
    timed = False
    try:
        parsed = datetime.fromisoformat(raw)
        timed = "T" in raw or ":" in raw or " " in raw.strip()
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt)
                timed = "%H" in fmt
                break
            except ValueError:
                continue
    if parsed is None:
        return None, False
    if parsed.tzinfo is None:
        if zone_hours is None:
            zone_hours = _SOURCE_ZONES.get((source or "").lower(), 0)
        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=zone_hours)))
    return parsed, timed


def format_published(moment: datetime, day_only: bool) -> str:
    """A publication date as a reader reads it: "20 Nov 2026, 09:30 UTC", "17 Jun 2024, 15:43
    UTC+9", or "20 Nov 2026" when the source gave no time of day (never an invented midnight)."""
    day = moment.strftime("%d %b %Y").lstrip("0")
    if day_only:
        return day
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = "UTC"
    if minutes:
        sign = "+" if minutes > 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        zone += f"{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{day}, {moment.strftime('%H:%M')} {zone}"


def published_iso(moment: datetime, day_only: bool) -> str:
    """ISO 8601: the date alone when the source gave no time of day."""
    return moment.date().isoformat() if day_only else moment.isoformat()


def _title_from_text(text: str) -> str:
    """A title for a file with no headline: its first sentence, cut at a word boundary."""
    first = text.strip()
    spans = split_sentences(first[:2000])
    if spans:
        first = first[spans[0].start : spans[0].end]
    first = " ".join(first.split())
    if len(first) <= TITLE_MAX_CHARS:
        return first.rstrip(".")
    cut = first[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return cut + "…"


# --------------------------------------------------------------------------- markdown


FRONT_MATTER_MAX_CHARS = 64 * 1024


def read_front_matter(text: str) -> tuple[dict[str, object], str, str | None]:
    """(fields, rest, problem) of a Markdown file with YAML front matter.

    Only top-level scalars and lists of scalars are read, from the node graph (`yaml.compose`),
    never constructed: an alias bomb or a value YAML cannot build (`date: 2024-13-45`) cannot
    exhaust memory or raise. Values are kept as the text the file gives.
    """
    if not text.startswith("---\n"):
        return {}, text, None
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text, "front matter has no closing '---'; read as text"
    block, rest = text[4:end], text[end + 4 :]
    rest = rest.split("\n", 1)[1] if "\n" in rest else ""
    if len(block) > FRONT_MATTER_MAX_CHARS:
        return {}, rest, "front matter is larger than 64 KB; ignored"
    simple = _simple_front_matter(block)
    if simple is not None:
        return simple, rest, None
    import yaml

    try:
        root = yaml.compose(block, Loader=yaml.SafeLoader)
    except Exception as error:  # any YAML the parser rejects, however it fails
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        return {}, rest, f"front matter is not valid YAML{where}; ignored"
    if root is None:
        return {}, rest, None
    if not isinstance(root, yaml.MappingNode):
        return {}, rest, "front matter is not a mapping; ignored"
    fields: dict[str, object] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        if isinstance(value_node, yaml.ScalarNode):
            fields[str(key_node.value).lower()] = str(value_node.value)
        elif isinstance(value_node, yaml.SequenceNode):
            items = [str(item.value) for item in value_node.value if isinstance(item, yaml.ScalarNode)]
            fields[str(key_node.value).lower()] = items
    return fields, rest, None


# The front matter most files have: one `key: value` a line, the value quoted or plain, on one line.
# Read here it costs microseconds; PyYAML's pure-Python scanner was nearly half of a cold load of
# 19,000 stories. Anything outside this subset (comments, lists, several lines, escapes other than
# \" and \\) goes to YAML, so the fields are exactly what `yaml.compose` gives; so does any character
# YAML refuses (controls, surrogates, U+FFFE/F) or reads as a line break (U+0085, U+2028/9), a tab or
# a byte-order mark.
_NOT_SIMPLE_FRONT_MATTER_CHARACTER = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_SIMPLE_FRONT_MATTER_LINE = re.compile(
    r"(?P<key>[A-Za-z][A-Za-z0-9_-]*):"
    r"(?: +(?:\"(?P<double>(?:[^\"\\]|\\[\"\\])*)\""
    r"|'(?P<single>(?:[^']|'')*)'"
    r"|(?P<plain>[^ \-?:,\[\]{}#&*!|>'\"%@`](?:[^:#]|:(?! )|(?<! )#)*?)))? *"
)
_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\([\"\\])")


def _simple_front_matter(block: str) -> dict[str, object] | None:
    """The fields of a front matter within the simple subset, or None to let YAML read it."""
    if _NOT_SIMPLE_FRONT_MATTER_CHARACTER.search(block):
        return None
    fields: dict[str, object] = {}
    for line in block.split("\n"):
        if not line.strip(" "):
            continue
        match = _SIMPLE_FRONT_MATTER_LINE.fullmatch(line)
        if match is None:
            return None
        double, single, plain = match.group("double", "single", "plain")
        if double is not None:
            value = _DOUBLE_QUOTED_ESCAPE.sub(r"\1", double)
        elif single is not None:
            value = single.replace("''", "'")
        elif plain is not None:
            if plain.endswith(":"):
                return None
            value = plain
        else:
            value = ""
        fields[match.group("key").lower()] = value
    return fields


# Bounded repeats: a hostile line of "**a **a …" or "[a[a …" must cost linear time, not quadratic.
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\([^)\s]{0,2000}\)")
_MD_LINK = re.compile(
    r"\[([^\[\]\n]{1,500})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,100}(?:\s+\"[^\"]{0,200}\")?\)"
)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)([^*_\n]{1,300}?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def _markdown_to_text(line: str) -> str:
    line = _MD_IMAGE.sub(lambda m: m.group(1), line)
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    return _MD_EMPHASIS.sub(lambda m: m.group(2), line)


Mark = tuple[int, int, str]  # (start, end, kind) in a line, a paragraph or the body: "h1".."h6", "strong"


def _markdown_line(line: str) -> tuple[str, list[Mark]]:
    """`_markdown_to_text`, and where its bold passages (whose `**` it drops) stand in the result."""
    line = _MD_IMAGE.sub(lambda m: m.group(1), line)
    line = _MD_LINK.sub(lambda m: m.group(1), line)
    marks: list[Mark] = []
    pieces: list[str] = []
    position = 0
    length = 0
    for match in _MD_EMPHASIS.finditer(line):
        before = line[position : match.start()]
        pieces.append(before)
        length += len(before)
        inner = match.group(2)
        marks.append((length, length + len(inner), "strong"))
        pieces.append(inner)
        length += len(inner)
        position = match.end()
    pieces.append(line[position:])
    return "".join(pieces), marks


# Lines of a Markdown block that are each a line of their own (list items, table rows, quote lines):
# joined by a newline, not a space, so the reader can show them as such (same length: no offset moves).
_MD_STRUCTURED_LINE = re.compile(r"^(?:[-*+]\s|\d{1,3}[.)]\s|\||>)")


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        joined = ", ".join(str(v).strip() for v in value if str(v).strip())
        return joined or None
    text = str(value).strip()
    return text or None


# --------------------------------------------------------------------------- parsing


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
    if _is_caption(paragraph) or paragraph in near_photo:
        return True
    return len(paragraph.split()) <= CAPTION_LABEL_MAX_WORDS and not _ends_sentence(paragraph)


def _block_paragraphs(block: list[str], markdown: bool = False) -> list[str]:
    """A block of lines is one hard-wrapped paragraph, or one paragraph a line.

    In Markdown, the lines of a list, a table or a block quote are joined by a newline (the same
    length as a space), so each stays a line of its own in the reader.
    """
    wrapped = len(block) > 1 and max(len(line) for line in block) <= 100
    if wrapped and any(not _ends_sentence(line) for line in block[:-1]):
        joint = "\n" if markdown and all(_MD_STRUCTURED_LINE.match(line) for line in block[1:]) else " "
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
    parsed = _Parsed()
    lines = text.split("\n")
    heading_is_title = known_title is None
    near_photo: set[str] = set()  # lines beside a picture: an image's alt text, a line by "[Photo]"
    folded = text.casefold()
    if "posted on" in folded or "button that move" in folded:  # spares a test of every line
        parsed.hankyoreh = any(sign.match(line.strip()) for sign in _HANKYOREH_SIGNS for line in lines)
    line_marks: dict[str, list[Mark]] = {}  # a converted line's headings and bold passages
    if markdown:
        converted: list[str] = []
        for line in lines:
            heading = _MD_HEADING.match(line)
            if heading:
                first = not any(c.strip() for c in converted)
                heading_text, bold = _markdown_line(heading.group(1))
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
                if _MD_IMAGE.fullmatch(line.strip()):
                    near_photo.add(_markdown_to_text(line).strip())
                text, bold = _markdown_line(line)
                if bold:
                    cut = len(text) - len(text.lstrip())
                    line_marks.setdefault(text.strip(), [(s - cut, e - cut, k) for s, e, k in bold])
                converted.append(text)
        lines = converted

    if known_title is not None:
        parsed.title = known_title
    # The header: masthead, headline, byline, date line, a standfirst; furniture in between.
    index = 0
    total = len(lines)

    def next_nonblank(start: int) -> int:
        while start < total and not lines[start].strip():
            start += 1
        return start

    index = next_nonblank(index)
    if index < total and parsed.title is None and _is_source_line(lines[index]):
        nxt = next_nonblank(index + 1)
        if nxt < total:  # a masthead needs something after it
            parsed.source = lines[index].strip()
            index = nxt
    while index < total:
        line = lines[index].strip()
        if not line or is_furniture(line):
            index += 1
            continue
        byline = _BYLINE.match(line)
        if byline and len(line.split()) <= 10:
            parsed.author = parsed.author or _clean_author(byline.group("name"))
            index += 1
            continue
        published = _PUBLISHED.match(line)
        if published and parsed.published_text is None and re.search(r"\d", published.group("when")):
            parsed.published_text = published.group("when")
            index += 1
            continue
        if parsed.title is None and not _is_caption(line):
            next_blank = index + 1 >= total or not lines[index + 1].strip()
            following = next_nonblank(index + 1)
            # A line followed by a byline or a date line is the headline, however long it is.
            before_header = following < total and (
                bool(_BYLINE.match(lines[following].strip()))
                or bool(_PUBLISHED.match(lines[following].strip()))
            )
            if _is_headline(line, next_blank) or (before_header and len(line) <= 400):
                parsed.title = " ".join(line.split())
                index += 1
                continue
            break
        if (
            parsed.title is not None
            and parsed.subtitle is None
            and not _is_caption(line)
            and not _ends_sentence(line)
            and 4 <= len(line.split()) <= 40
            and (parsed.published_text is not None or parsed.author is not None)
        ):
            parsed.subtitle = " ".join(line.split())
            index += 1
            continue
        break

    nonblank = [line.strip() for line in lines[index:] if line.strip()]
    for i, line in enumerate(nonblank):
        if _PHOTO_MARKER.match(line):
            near_photo.update(nonblank[max(0, i - 1) : i] + nonblank[i + 1 : i + 2])
    body_lines = [
        line for line in lines[index:] if not is_furniture(line) and not _PHOTO_MARKER.match(line.strip())
    ]
    # A byline at the foot of the article ("By Park Min-hee, senior staff writer").
    tail = [i for i, line in enumerate(body_lines) if line.strip()][-6:]
    for i in reversed(tail):
        byline = _BYLINE.match(body_lines[i].strip())
        if byline and len(body_lines[i].split()) <= 10:
            parsed.author = parsed.author or _clean_author(byline.group("name"))
            body_lines[i] = ""

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
            elif _is_caption(paragraph):
                if paragraph not in parsed.captions:
                    parsed.captions.append(paragraph)
            else:
                parsed.paragraphs.append(paragraph)
                parsed.marks.append(_paragraph_marks(paragraph, block, line_marks))
            previous = paragraph
    return parsed


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
    parsed = _parse_layout(text, markdown, _as_text(fields.get("title")))
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

    source = _as_text(fields.get("source") or fields.get("publisher") or fields.get("site")) or parsed.source
    if source is None and parsed.hankyoreh:
        source = "The Hankyoreh"
    author = _as_text(fields.get("author") or fields.get("authors") or fields.get("byline")) or parsed.author
    published: datetime | None = None
    timed = False
    raw_date = fields.get("date") or fields.get("published")
    if isinstance(raw_date, str):
        published, timed = parse_date_and_time(raw_date, source)
    if published is None and parsed.published_text:
        published, timed = parse_date_and_time(parsed.published_text, source)
    url = next(
        (
            text
            for key in ("url", "canonical_url", "link", "source_url")
            if (text := _as_text(fields.get(key))) and "\n" not in text
        ),
        None,
    )
    added: datetime | None = None
    raw_added = _as_text(fields.get("added"))
    if raw_added:
        added = parse_date(raw_added)

    text = "\n\n".join(parsed.paragraphs)
    caption_spans: list[Span] = []
    body = text
    for caption in parsed.captions:
        body += "\n\n" if body else ""
        caption_spans.append(Span(len(body), len(body) + len(caption)))
        body += caption
    # Flat offsets, as the cache keeps them: Span objects are made only for the articles read.
    paragraphs: list[int] = []
    sentences: list[int] = []
    structure: list[int | str] = []
    offset = 0
    for paragraph, marks in zip(
        parsed.paragraphs, parsed.marks or [[]] * len(parsed.paragraphs), strict=True
    ):
        paragraphs += (offset, offset + len(paragraph))
        sentences += [offset + value for value in _paragraph_sentences(paragraph)]
        for start, end, kind in marks:
            structure += (offset + start, offset + end, kind)
        offset += len(paragraph) + 2
    title = _as_text(fields.get("title")) or parsed.title or _title_from_text(text)
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
        sentences=spans_from(sentences),
        captions=parsed.captions,
        content_hash=content_hash,
        encoding=encoding,
        words=count_words(text),
        caption_spans=caption_spans,
        day_only=published is not None and not timed,
        structure=structure,
        url=url,
        added=added,
    )


def article_from_text(body_text: str, article_id: str = "t", title: str | None = None) -> Article:
    """An article made from plain text, for tests and tools: no header rules applied to the body."""
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", body_text) if block.strip()]
    parsed = _Parsed(title=title, paragraphs=paragraphs)
    return _build_article(
        parsed, {}, article_id, Path(f"{article_id}.txt"), hash_bytes(body_text.encode()), "utf-8"
    )


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def spans_flat(spans: Sequence[Span]) -> list[int]:
    if isinstance(spans, SpanList):
        return spans._flat
    return [value for span in spans for value in (span.start, span.end)]


class SpanList(Sequence[Span]):
    """Spans kept as a flat list of offsets, made into Span objects only when read.

    A warm start loads ~90,000 sentence spans for the BBC library; most are never looked at by
    `tui list`, and building them all was a fifth of the start-up time.
    """

    __slots__ = ("_flat", "_spans")

    def __init__(self, flat: list[int]) -> None:
        self._flat = flat
        self._spans: list[Span] | None = None

    def _all(self) -> list[Span]:
        if self._spans is None:
            flat = self._flat
            self._spans = [Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
        return self._spans

    def __len__(self) -> int:
        return len(self._flat) // 2

    @overload
    def __getitem__(self, index: int) -> Span: ...
    @overload
    def __getitem__(self, index: slice) -> list[Span]: ...
    def __getitem__(self, index: int | slice) -> Span | list[Span]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Span]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:  # made for the moment, not kept: a repr must not grow the memory held
        flat = self._flat
        return f"SpanList({[Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]!r})"


def spans_from(flat: list[int]) -> list[Span]:
    return SpanList(flat)  # type: ignore[return-value]  # a read-only list for every reader
