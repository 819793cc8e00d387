"""Sentences and words: where each sentence of a body starts and ends, and how many words a text has."""

from __future__ import annotations

import re

from tui.library.articles import Span, SpanList


def split_sentences(text: str) -> list[Span]:
    """Sentences of one paragraph as trimmed spans of `text`.

    sentencex (Wikimedia's rule-based segmenter) knows abbreviations such as "Sept.", "U.S.", "Mr.",
    keeps decimals and hyphenated names whole and does not split inside quotations; it needs no
    downloaded model and segments the 5 MB BBC corpus in about 0.1 s.
    """
    flat = _sentence_offsets(text)
    return [Span(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def paragraph_sentences(paragraph: str) -> list[int]:
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


def sentences_of(body: str, paragraphs: list[int]) -> list[Span]:
    """The sentences of a body whose paragraphs stand at `paragraphs` (flat offsets), found when
    first read: segmentation was a fifth of the cost of parsing, and a listing never reads them."""

    def make() -> list[int]:
        flat: list[int] = []
        for index in range(0, len(paragraphs), 2):
            start = paragraphs[index]
            flat += [start + value for value in paragraph_sentences(body[start : paragraphs[index + 1]])]
        return flat

    return SpanList(None, make)  # type: ignore[return-value]  # a read-only list, as spans_from


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
