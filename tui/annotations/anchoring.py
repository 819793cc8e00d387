"""Finding an annotation again in an article whose text may have changed since.

The order is Hypothesis's: the stored position first, then the exact quote (its prefix and
suffix choose among repeats), then a fuzzy match of the quote scored with its context and its
distance from where it was. Hypothesis dropped diff-match-patch's matcher for being slow on long
texts; rapidfuzz's alignment runs in well under a millisecond on an article.
An annotation that cannot be placed with confidence is an orphan: better no anchor than a wrong one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tui.errors import UsageError
from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from tui.annotations.annotation import Annotation
    from tui.library.articles import Article

Status = Literal["anchored", "moved", "orphaned"]

# Hypothesis's weights: the quote matters most, its context next, the position breaks ties.
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50.0, 20.0, 20.0, 2.0
# Below this similarity a fuzzy candidate is another passage, not an edited quote. Unrelated English
# of the same length scores about 0.5-0.6 on this measure, and news reuses phrases ("the military
# intervention clause ..."), so the bar is high unless the context on both sides confirms the place.
MIN_FUZZY_QUOTE = 0.8
CONFIRMING_CONTEXT = 0.8
MIN_CONFIRMED_QUOTE = 0.6
# An exact quote found elsewhere is taken when its context agrees this much, or when it is unique
# and long enough not to be a common phrase.
MIN_CONTEXT = 0.5
SPECIFIC_QUOTE_CHARS = 24
MIN_CANDIDATE = 0.6
# Quote and context together (the weighted score): an edited quote whose context also moved away
# is more likely a different passage that happens to read alike.
MIN_FUZZY_SCORE = 0.7
# Edge refinement tries every start and end within this many characters of a rough match; a
# tenth of the quote, but no more, or an 8 KB quote costs thousands of 8 KB comparisons.
MAX_SLACK = 32
# A fuzzy search of a whole long body for a long quote takes seconds (rapidfuzz: ~0.4 s per MB for
# an 8 KB quote). Beyond these sizes the search is confined to windows around pieces of the quote
# found verbatim; news articles and every quote of the anchoring benchmark stay below them.
LONG_BODY_CHARS = 500_000
LONG_QUOTE_CHARS = 256
PIECE_CHARS = 64
PIECES = 16
MAX_PIECE_HITS = 4


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


def _inside_word(text: str, offset: int) -> bool:
    """Whether `offset` falls between two letters or digits of one word (or number) of `text`."""
    return 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum()


def _edges_at_words(annotation: Annotation) -> tuple[bool, bool]:
    """Whether the quote began and ended on word boundaries when it was made (almost always: a
    quote made inside a word, `tui annotate --quote oulites`, may be found inside one again)."""
    quote = annotation.exact
    starts = not _inside_word(annotation.prefix[-1:] + quote[:1], len(annotation.prefix[-1:]))
    ends = not _inside_word(quote[-1:] + annotation.suffix[:1], 1)
    return starts, ends


def _fits_words(annotation: Annotation, body: str, start: int, end: int) -> bool:
    starts, ends = _edges_at_words(annotation)
    return not (starts and _inside_word(body, start)) and not (ends and _inside_word(body, end))


def _snap(annotation: Annotation, body: str, start: int, end: int) -> tuple[int, int]:
    """The span moved to word boundaries, each edge out to take the whole word or in to drop it,
    whichever reads more like the quote: "45" inside "145" becomes "145", never half a number."""
    starts, ends = _edges_at_words(annotation)
    start_options, end_options = [start], [end]
    if starts and _inside_word(body, start):
        out, inward = start, start
        while _inside_word(body, out):
            out -= 1
        while _inside_word(body, inward):
            inward += 1
        start_options = [out, inward]
    if ends and _inside_word(body, end):
        out, inward = end, end
        while _inside_word(body, out):
            out += 1
        while _inside_word(body, inward):
            inward -= 1
        end_options = [out, inward]
    options = [(s, e) for s in start_options for e in end_options if e > s]
    if not options:
        return start, end
    return max(options, key=lambda span: _similarity(annotation.exact, body[span[0] : span[1]]))


def _placed(annotation: Annotation, start: int, end: int, body: str) -> Anchored:
    same = start == annotation.start and end == annotation.end and body[start:end] == annotation.exact
    return Anchored(annotation, "anchored" if same else "moved", start, end)


def _exact(annotation: Annotation, body: str) -> Anchored | None:
    quote = annotation.exact
    # A copy inside a longer word or number ("45" in "145") is not the quote.
    starts = [at for at in _occurrences(body, quote) if _fits_words(annotation, body, at, at + len(quote))]
    if not starts:
        return None
    scored = [(_score(body, at, at + len(quote), annotation, 1.0), at) for at in starts]
    _, best = max(scored)
    context = _context_score(body, best, best + len(quote), annotation)
    if context >= MIN_CONTEXT or (len(starts) == 1 and len(quote) >= SPECIFIC_QUOTE_CHARS):
        return _placed(annotation, best, best + len(quote), body)
    return None


def _refine(body: str, annotation: Annotation, start: int, end: int) -> tuple[int, int, float, float]:
    """Move the edges of a rough alignment to where quote and context together match best.

    Quote similarity alone would rather drop an edited word at an edge; the prefix and suffix say
    where the passage really begins and ends. Returns (start, end, quote similarity, score).
    """
    quote = annotation.exact
    slack = min(MAX_SLACK, max(3, len(quote) // 10))

    def rate(s: int, e: int) -> tuple[float, float]:
        similarity = _similarity(quote, body[s:e])
        return _score(body, s, e, annotation, similarity), similarity

    best_start, best_end = start, end
    best_score, best_similarity = rate(start, end)
    for _ in range(2):
        for s in range(max(0, best_start - slack), min(best_end - 1, best_start + slack) + 1):
            score, similarity = rate(s, best_end)
            if score > best_score:
                best_start, best_score, best_similarity = s, score, similarity
        for e in range(max(best_start + 1, best_end - slack), min(len(body), best_end + slack) + 1):
            score, similarity = rate(best_start, e)
            if score > best_score:
                best_end, best_score, best_similarity = e, score, similarity
    while best_start < best_end and body[best_start].isspace():
        best_start += 1
    while best_end > best_start and body[best_end - 1].isspace():
        best_end -= 1
    return best_start, best_end, best_similarity, best_score


def _between_context(body: str, annotation: Annotation, start: int, end: int) -> tuple[int, int] | None:
    """The stretch between where the prefix ends and the suffix begins, near a rough match.

    Words inserted into a short quote can outgrow what edge refining reaches; the context still
    marks where the passage begins and ends.
    """
    from rapidfuzz import fuzz

    prefix, suffix, quote = annotation.prefix, annotation.suffix, annotation.exact
    reach = len(quote) + len(prefix) + len(suffix)
    lo, hi = max(0, start - reach), min(len(body), end + reach)
    # No prefix: the passage began the article, so it still does; likewise no suffix, the end.
    if prefix:
        before = fuzz.partial_ratio_alignment(prefix, body[lo:end])
        if len(prefix) < 8 or before is None or before.score < 80:
            return None
        begin = lo + before.dest_end
    else:
        begin = 0
    if suffix:
        after = fuzz.partial_ratio_alignment(suffix, body[start:hi])
        if len(suffix) < 8 or after is None or after.score < 80:
            return None
        finish = start + after.dest_start
    else:
        finish = len(body.rstrip())
    if not len(quote) / 2 <= finish - begin <= len(quote) * 2:
        return None
    return begin, finish


def _min_quote(body: str, start: int, end: int, annotation: Annotation) -> float:
    """How alike the quote must be: less when the text on both sides is plainly the old context."""
    prefix, suffix = annotation.prefix, annotation.suffix
    prefix_sim = _similarity(prefix, body[max(0, start - len(prefix)) : start])
    suffix_sim = _similarity(suffix, body[end : end + len(suffix)])
    if min(prefix_sim, suffix_sim) >= CONFIRMING_CONTEXT:
        return MIN_CONFIRMED_QUOTE
    return MIN_FUZZY_QUOTE


def _search_windows(body: str, annotation: Annotation) -> list[tuple[int, int]]:
    """Where in the body to look for the quote: all of it, or, for a long quote in a long body,
    the stretches around verbatim pieces of the quote (the whole body when none is found)."""
    quote = annotation.exact
    if len(body) <= LONG_BODY_CHARS or len(quote) <= LONG_QUOTE_CHARS:
        return [(0, len(body))]
    reach = len(quote) // 2 + len(annotation.prefix) + len(annotation.suffix) + PIECE_CHARS
    step = max(1, (len(quote) - PIECE_CHARS) // (PIECES - 1))
    windows: list[tuple[int, int]] = []
    for offset in range(0, len(quote) - PIECE_CHARS + 1, step):
        piece = quote[offset : offset + PIECE_CHARS]
        hits: list[int] = []
        at = body.find(piece)
        while at != -1 and len(hits) <= MAX_PIECE_HITS:
            hits.append(at)
            at = body.find(piece, at + 1)
        if len(hits) > MAX_PIECE_HITS:  # a piece common in this text says nothing about where
            continue
        for hit in hits:
            begin = hit - offset
            windows.append((max(0, begin - reach), min(len(body), begin + len(quote) + reach)))
    if not windows:
        return [(0, len(body))]
    windows.sort()
    merged = [windows[0]]
    for lo, hi in windows[1:]:
        if lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _fuzzy(annotation: Annotation, body: str) -> Anchored | None:
    from rapidfuzz import fuzz

    quote = annotation.exact
    if not quote.strip() or not body:
        return None
    candidates: set[tuple[int, int]] = set()
    windows = _search_windows(body, annotation)
    regions = list(windows)
    # Near the old place first: a repeated, edited passage is most likely the one that was there.
    margin = len(quote) + 2 * (len(annotation.prefix) + len(annotation.suffix))
    regions.append((max(0, annotation.start - margin), min(len(body), annotation.end + margin)))
    # The quote with its context is far less ambiguous than the quote alone.
    with_context = annotation.prefix + quote + annotation.suffix
    for lo, hi in windows:
        around = fuzz.partial_ratio_alignment(with_context, body[lo:hi])
        if around is not None and around.score >= MIN_FUZZY_QUOTE * 100:
            start, end = lo + around.dest_start, lo + around.dest_end
            regions.append((max(0, start - 8), min(len(body), end + 8)))
    for lo, hi in regions:
        if hi - lo <= 0:
            continue
        found = fuzz.partial_ratio_alignment(quote, body[lo:hi])
        # partial_ratio compares windows of the quote's length, so words deleted from the quote cost
        # it more than the refined similarity below: a loose gate here, the real one after refining.
        if found is not None and found.score >= MIN_CANDIDATE * 100:
            candidates.add((lo + found.dest_start, lo + found.dest_end))
    for rough_start, rough_end in list(candidates):
        between = _between_context(body, annotation, rough_start, rough_end)
        if between:
            candidates.add(between)
    best: tuple[float, int, int] | None = None
    for rough_start, rough_end in candidates:
        start, end, quote_similarity, score = _refine(body, annotation, rough_start, rough_end)
        if end > start and not _fits_words(annotation, body, start, end):
            start, end = _snap(annotation, body, start, end)
            quote_similarity = _similarity(quote, body[start:end])
            score = _score(body, start, end, annotation, quote_similarity)
        if (
            end <= start
            or score < MIN_FUZZY_SCORE
            or quote_similarity < _min_quote(body, start, end, annotation)
        ):
            continue
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
        # Re-anchored from another version of its story: it stays `moved`, with where it came from.
        return Anchored(annotation, "moved" if annotation.moved_from else "anchored", start, end)
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


_QUOTE_CHARS = {"'": "['‘’]", "‘": "['‘’]", "’": "['‘’]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def find_quote(article: Article, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """Where `quote` stands in the article: (start, end), by exact text, else with any whitespace
    and either kind of quotation mark. Not found, or found more than once without `occurrence`
    (1-based), is a UsageError."""
    # Bodies are NFC; a quote typed or pasted in decomposed form (NFD, as macOS may give) is the same text.
    quote = unicodedata.normalize("NFC", quote)
    words = quote.split()
    if not words:
        raise UsageError("the quote is empty")
    pattern = r"\s+".join("".join(_QUOTE_CHARS.get(c, re.escape(c)) for c in word) for word in words)
    spans = [(m.start(), m.end()) for m in re.finditer(pattern, article.body)]
    # Both come from outside (the article file's name, the user's quote): shown, never obeyed.
    shown = printable(repr(quote if len(quote) <= 60 else quote[:59] + "…"))
    where = printable(article.id)
    if not spans:
        raise UsageError(f"quote not found in {where}: {shown}")
    if occurrence is None:
        if len(spans) > 1:
            raise UsageError(
                f"quote found {len(spans)} times in {where}: {shown}; choose one with --occurrence 1-{len(spans)}"
            )
        return spans[0]
    if not 1 <= occurrence <= len(spans):
        raise UsageError(
            f"--occurrence {occurrence}: the quote is found {counted(len(spans), 'time')} in {where}"
        )
    return spans[occurrence - 1]
