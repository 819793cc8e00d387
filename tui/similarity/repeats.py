"""Passages repeated inside one article (a paragraph, or three sentences or more in a row).

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui.similarity.model import Repeat
from tui.similarity.text import words

if TYPE_CHECKING:
    from tui.library.articles import Article, Span


def _sentence_spans(article: Article) -> list[Span]:
    return list(article.sentences)


def _sentence_words(article: Article) -> list[list[str]]:
    return [words(article.text(span)) for span in article.sentences]


def find_repeats(article: Article) -> list[Repeat]:
    """Passages (a whole paragraph, or 3+ sentences in a row) present more than once in one article."""
    return _find_repeats(article, _sentence_words(article))


def _find_repeats(article: Article, sentence_words: list[list[str]]) -> list[Repeat]:
    from tui.library.articles import Span

    sentences = _sentence_spans(article)
    keys = [" ".join(ws) for ws in sentence_words]
    found: dict[tuple[str, ...], set[tuple[int, int]]] = defaultdict(set)
    # Whole paragraphs repeated, whatever their length (a paragraph's key is its sentences' keys).
    paragraph_keys: list[list[str]] = [[] for _ in article.paragraphs]
    p = 0
    for span, key in zip(sentences, keys, strict=True):
        while p < len(article.paragraphs) - 1 and span.start >= article.paragraphs[p].end:
            p += 1
        if key:
            paragraph_keys[p].append(key)
    first_paragraph: dict[str, tuple[int, int]] = {}
    for span, parts in zip(article.paragraphs, paragraph_keys, strict=True):
        key = " ".join(parts)
        if not key:
            continue
        if key in first_paragraph:
            found[(key,)].update({first_paragraph[key], (span.start, span.end)})
        else:
            first_paragraph[key] = (span.start, span.end)
    # Runs of three or more sentences repeated (possibly across paragraph breaks).
    positions: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key:
            positions[key].append(index)
    for occurrences in positions.values():
        for oi, i in enumerate(occurrences):
            for j in occurrences[oi + 1 :]:
                if i > 0 and keys[i - 1] and keys[i - 1] == keys[j - 1] and i - 1 < j - 1:
                    continue  # not the start of a maximal run
                length = 0
                while j + length < len(keys) and i + length < j and keys[i + length] == keys[j + length]:
                    length += 1
                if length >= 3:
                    run = tuple(keys[i : i + length])
                    for start in (i, j):
                        found[run].add((sentences[start].start, sentences[start + length - 1].end))
    repeats: list[Repeat] = []
    seen: set[frozenset[tuple[int, int]]] = set()
    for spans in found.values():
        frozen = frozenset(spans)
        if len(frozen) < 2 or frozen in seen:
            continue
        seen.add(frozen)
        repeats.append(Repeat(spans=[Span(s, e) for s, e in sorted(frozen)]))
    # A paragraph repeat and the same passage found as a sentence run: keep the longer report.
    repeats.sort(key=lambda r: (-(r.spans[0].end - r.spans[0].start), r.spans[0].start))
    kept: list[Repeat] = []
    for repeat in repeats:
        if any(all(_inside(s, k.spans) for s in repeat.spans) for k in kept):
            continue
        kept.append(repeat)
    kept.sort(key=lambda r: r.spans[0].start)
    return kept


def _inside(span: Span, spans: Iterable[Span]) -> bool:
    return any(o.start <= span.start and span.end <= o.end for o in spans)
