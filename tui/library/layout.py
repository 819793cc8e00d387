"""The rules of a page's layout: furniture (share buttons, bylines, credits), captions, headlines and
the source lines of known outlets, each a plain test on one line of text."""

from __future__ import annotations

import re

from tui.library.articles import (
    TITLE_MAX_CHARS,
)
from tui.library.segmentation import (
    split_sentences,
)

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


BYLINE = re.compile(r"^by\s+(?P<name>[^\W\d_][\w.'’ -]*[\w.](?:\s*(?:,|\||\s-\s|\().*)?)$", re.IGNORECASE)


PUBLISHED = re.compile(
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


# Hankyoreh's English edition prints no masthead; its date line and furniture say who it is.
HANKYOREH_SIGNS = (
    re.compile(r"^posted on\s*:\s*\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\s*KST", re.IGNORECASE),
    re.compile(r"^button that move[sd]? to (?:the )?original korean article", re.IGNORECASE),
)


def is_furniture(line: str) -> bool:
    core = line.strip().strip(_BULLETS).strip()  # bullets off; called for every line
    return bool(core) and len(core) <= 160 and bool(_FURNITURE.match(core))


def is_caption(line: str) -> bool:
    return bool(_CREDIT.search(line.strip()))


def is_source_line(line: str) -> bool:
    core = line.strip()
    if len(core) > 48 or core.endswith((".", "!", "?", ":")):
        return False
    return core.lower() in _KNOWN_SOURCES or bool(_SOURCE_NAME.match(core))


def ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip("\"'”’)»」』").endswith((".", "!", "?", "…", "。", "！", "？"))


def is_headline(line: str, next_is_blank: bool) -> bool:
    words = line.split()
    if not words or len(words) > 25 or len(line) > 220:
        return False
    if not ends_sentence(line) or line.rstrip().endswith(("?", "!")):
        return True
    if line.rstrip().rstrip("」』”").endswith(("。", "！", "？")):
        return False  # CJK prose: no spaces, so its word count says nothing; a full stop says a sentence
    return next_is_blank and len(words) <= 12


def clean_author(raw: str) -> str | None:
    name = re.split(r"\s*(?:,|\||\s-\s|\(|\bfor\b)\s*", raw.strip(), maxsplit=1)[0].strip(" .")
    return name or None


def title_from_text(text: str) -> str:
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
