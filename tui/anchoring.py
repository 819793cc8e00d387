"""Finding an annotation again in an article whose text may have changed since.

The order is Hypothesis's: the stored position first, then the exact quote (its prefix and
suffix choose among repeats), then a fuzzy match of the quote scored with its context and its
distance from where it was. Hypothesis dropped diff-match-patch's matcher for being slow on long
texts; rapidfuzz's alignment runs in well under a millisecond on an article.
An annotation that cannot be placed with confidence is an orphan: better no anchor than a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tui.articles import Article
    from tui.store import Annotation

Status = Literal["anchored", "moved", "orphaned"]

# Hypothesis's weights: the quote matters most, its context next, the position breaks ties.
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50.0, 20.0, 20.0, 2.0
# Below this similarity a fuzzy candidate is another passage, not an edited quote. Unrelated English
# of the same length scores about 0.5-0.6 on this measure.
MIN_FUZZY_QUOTE = 0.75
# An exact quote found elsewhere is taken when its context agrees this much, or when it is unique
# and long enough not to be a common phrase.
MIN_CONTEXT = 0.5
SPECIFIC_QUOTE_CHARS = 24


@dataclass
class Anchored:
    annotation: Annotation
    status: Status
    start: int | None
    end: int | None

    @property
    def orphaned(self) -> bool:
        return self.status == "orphaned"


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Indel

    if not a and not b:
        return 1.0
    return float(Indel.normalized_similarity(a, b))


def _context_score(body: str, start: int, end: int, annotation: Annotation) -> float:
    """How well the text around (start, end) matches the prefix and suffix kept at creation."""
    prefix, suffix = annotation.prefix, annotation.suffix
    before = body[max(0, start - len(prefix)) : start]
    after = body[end : end + len(suffix)]
    return (_similarity(prefix, before) + _similarity(suffix, after)) / 2


def _score(body: str, start: int, end: int, annotation: Annotation, quote_similarity: float) -> float:
    prefix, suffix = annotation.prefix, annotation.suffix
    prefix_sim = _similarity(prefix, body[max(0, start - len(prefix)) : start])
    suffix_sim = _similarity(suffix, body[end : end + len(suffix)])
    closeness = 1.0 - min(1.0, abs(start - annotation.start) / max(1, len(body)))
    total = QUOTE_WEIGHT * quote_similarity + PREFIX_WEIGHT * prefix_sim + SUFFIX_WEIGHT * suffix_sim
    return (total + POSITION_WEIGHT * closeness) / (
        QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT
    )


def _occurrences(body: str, quote: str) -> list[int]:
    found: list[int] = []
    at = body.find(quote)
    while at != -1:
        found.append(at)
        at = body.find(quote, at + 1)
    return found


def _placed(annotation: Annotation, start: int, end: int, body: str) -> Anchored:
    same = start == annotation.start and end == annotation.end and body[start:end] == annotation.exact
    return Anchored(annotation, "anchored" if same else "moved", start, end)


def _exact(annotation: Annotation, body: str) -> Anchored | None:
    quote = annotation.exact
    starts = _occurrences(body, quote)
    if not starts:
        return None
    scored = [(_score(body, at, at + len(quote), annotation, 1.0), at) for at in starts]
    _, best = max(scored)
    context = _context_score(body, best, best + len(quote), annotation)
    if context >= MIN_CONTEXT or (len(starts) == 1 and len(quote) >= SPECIFIC_QUOTE_CHARS):
        return _placed(annotation, best, best + len(quote), body)
    return None


def _refine(body: str, quote: str, start: int, end: int) -> tuple[int, int, float]:
    """Move the edges of a rough alignment to where the text best matches the quote."""
    slack = max(3, len(quote) // 10)
    best = (start, end, _similarity(quote, body[start:end]))
    for _ in range(2):
        s0, e0, _sim = best
        for s in range(max(0, s0 - slack), min(e0, s0 + slack) + 1):
            sim = _similarity(quote, body[s:e0])
            if sim > best[2]:
                best = (s, e0, sim)
        s0, e0, _sim = best
        for e in range(max(s0 + 1, e0 - slack), min(len(body), e0 + slack) + 1):
            sim = _similarity(quote, body[s0:e])
            if sim > best[2]:
                best = (s0, e, sim)
    s, e, sim = best
    # An edge inside a word is a worse reading of the same match: trim to whole words.
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    return s, e, sim


def _fuzzy(annotation: Annotation, body: str) -> Anchored | None:
    from rapidfuzz import fuzz

    quote = annotation.exact
    if not quote.strip() or not body:
        return None
    candidates: set[tuple[int, int]] = set()
    regions = [(0, len(body))]
    # Near the old place first: a repeated, edited passage is most likely the one that was there.
    margin = len(quote) + 2 * (len(annotation.prefix) + len(annotation.suffix))
    regions.append((max(0, annotation.start - margin), min(len(body), annotation.end + margin)))
    # The quote with its context is far less ambiguous than the quote alone.
    with_context = annotation.prefix + quote + annotation.suffix
    around = fuzz.partial_ratio_alignment(with_context, body)
    if around is not None and around.score >= MIN_FUZZY_QUOTE * 100:
        regions.append((max(0, around.dest_start - 8), min(len(body), around.dest_end + 8)))
    for lo, hi in regions:
        if hi - lo <= 0:
            continue
        found = fuzz.partial_ratio_alignment(quote, body[lo:hi])
        if found is not None and found.score >= MIN_FUZZY_QUOTE * 100:
            candidates.add((lo + found.dest_start, lo + found.dest_end))
    best: tuple[float, int, int] | None = None
    for rough_start, rough_end in candidates:
        start, end, quote_similarity = _refine(body, quote, rough_start, rough_end)
        if end <= start or quote_similarity < MIN_FUZZY_QUOTE:
            continue
        score = _score(body, start, end, annotation, quote_similarity)
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return None
    _, start, end = best
    # A short quote that only roughly matches needs its context to agree, or it is a coincidence.
    if len(quote) < SPECIFIC_QUOTE_CHARS and _context_score(body, start, end, annotation) < MIN_CONTEXT:
        return None
    return Anchored(annotation, "moved", start, end)


def anchor(annotation: Annotation, article: Article) -> Anchored:
    """Where an annotation stands in the article now: anchored, moved, or orphaned."""
    body = article.body
    start, end = annotation.start, annotation.end
    if annotation.article_hash == article.content_hash and body[start:end] == annotation.exact:
        return Anchored(annotation, "anchored", start, end)
    return (
        _exact(annotation, body) or _fuzzy(annotation, body) or Anchored(annotation, "orphaned", None, None)
    )


def anchor_all(annotations: Iterable[Annotation], article: Article) -> list[Anchored]:
    """Every annotation placed, in text order, the orphans last (oldest first)."""
    placed = [anchor(annotation, article) for annotation in annotations]
    placed.sort(
        key=lambda item: (
            item.start is None,
            item.start if item.start is not None else 0,
            item.end if item.end is not None else 0,
            item.annotation.created,
        )
    )
    return placed
