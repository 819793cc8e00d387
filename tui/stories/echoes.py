"""Echoes and homes: where a note made on one version of a story stands in the others.

A highlight on one version is shown on every other version that carries its passage (an echo,
found from the alignment of the two versions), and a note orphaned by an edit can be offered a new
home in the newest version that still carries it; a verbatim home in a copy or update is taken at
once (`carry`), any other waits for the user.

Pure core: no Textual, no Rich. Only the public API of `tui.similarity` is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui.similarity.facts import fact_change
from tui.stories.alignment import CLEAR_LINK_SHARE, Alignments, word_share
from tui.stories.model import Echo, Home, Story

if TYPE_CHECKING:
    from tui.annotations import Annotation
    from tui.library.articles import Article

# Kinds whose verbatim passages are the same text edited, not retold: an orphaned note whose quote
# is found verbatim in such a version (or verbatim with its context) is carried over at once;
# anywhere else the user decides.
CARRY_KINDS: frozenset[str] = frozenset({"duplicate", "near-duplicate", "update"})
# An orphan's home in its own article's new text (a re-fetched page) must hold this share of the
# quote's words (of 4 letters or more): a reworded sentence keeps its names and facts (0.62 for a
# seed sentence rewritten by hand), a neighbour of a deleted sentence shares a few (0.23 in the seeds).
OWN_HOME_WORDS = 0.5
# A quote this long found verbatim is that passage even where alignment did not link it.
SPECIFIC_QUOTE_CHARS = 24


def echoes_of(
    alignments: Alignments,
    story: Story,
    annotation: Annotation,
    start: int,
    end: int,
    targets: Iterable[str] | None = None,
) -> list[Echo]:
    """Where an annotation placed at [start, end) of its version stands in every other version
    (or in `targets` only). Each version is aligned with the annotation's own directly, so an
    echo needs one (cached) alignment, never the whole story's."""
    library = alignments.library
    source = annotation.article_id
    article = library.get(source)
    echoes: list[Echo] = []
    for other_id in story.version_ids if targets is None else targets:
        if other_id == source or other_id not in story:
            continue
        other = library.get(other_id)
        rows, copies, _ = alignments.links(article, other)
        alias = _first_occurrences(article, copies)
        touched = {
            alias.get(index, index)
            for index, span in enumerate(article.sentences)
            if span.start < end and start < span.end
        }
        echoes.append(_echo_in(annotation, other, _region(rows, touched)))
    return echoes


def homes_of(alignments: Alignments, annotation: Annotation, story: Story | None) -> list[Home]:
    """Candidate homes for an orphaned annotation, newest first: the passage in its own article's
    new text when it was clearly reworded there (a re-fetched page), then in the story's other
    versions. A passage gone from a version gets no home there."""
    library = alignments.library
    own = library.get(annotation.article_id) if annotation.article_id in library else None
    found: list[Home] = []
    if own is not None:
        home = _home_in(alignments, annotation, own, None, None, own_text=True)
        if home is not None:
            found.append(home)
    if story is None:
        return found
    for version_id in story.newest_first():
        if version_id == annotation.article_id:
            continue
        other = library.get(version_id)
        home = _home_in(alignments, annotation, other, story.version(version_id).kind, own)
        if home is not None:
            found.append(home)
    return found


def _home_in(
    alignments: Alignments,
    annotation: Annotation,
    other: Article,
    kind: str | None,
    own: Article | None,
    *,
    own_text: bool = False,
) -> Home | None:
    from tui.library.parsing import article_from_text
    from tui.similarity import compare

    if other.id != annotation.article_id:  # in its own text, anchoring has looked already
        verbatim = _find_verbatim(annotation, other, None)
        if verbatim is not None:
            start, end = verbatim
            carry = kind in CARRY_KINDS or _context_agrees(annotation, other, start, end)
            return Home(other.id, start, end, other.body[start:end], "verbatim", carry)
    # A sentence of `other` that has a far better partner in the annotation's own (current)
    # article is that sentence's twin, not the lost passage (see CLEAR_LINK_SHARE).
    rivals: dict[int, float] = {}
    if own is not None and own.id != other.id:
        rows, _, _ = alignments.links(own, other)
        for _, j, score in rows:
            rivals[j] = max(rivals.get(j, 0.0), score)
    index_of = {(s.start, s.end): i for i, s in enumerate(other.sentences)}
    for probe in (annotation.exact, f"{annotation.prefix}{annotation.exact}{annotation.suffix}"):
        alignment = compare(article_from_text(probe, article_id="quote"), other)
        linked = {
            index_of[(p.b.start, p.b.end)]: p.score
            for p in alignment.pairs
            if (p.b.start, p.b.end) in index_of
            and p.score >= CLEAR_LINK_SHARE * rivals.get(index_of[(p.b.start, p.b.end)], 0.0)
            and (not own_text or word_share(annotation.exact, other.text(p.b)) >= OWN_HOME_WORDS)
        }
        if linked:
            best = max(linked, key=lambda index: (linked[index], -index))
            run = _run_around(sorted(linked), best)
            start, end = other.sentences[run[0]].start, other.sentences[run[-1]].end
            return Home(other.id, start, end, other.body[start:end], "reworded", False)
    return None


def _run_around(indexes: list[int], anchor_index: int) -> list[int]:
    run = [anchor_index]
    present = set(indexes)
    while run[0] - 1 in present:
        run.insert(0, run[0] - 1)
    while run[-1] + 1 in present:
        run.append(run[-1] + 1)
    return run


def _region(rows: list[tuple[int, int, float]], touched: set[int]) -> list[int]:
    """The other version's sentences linked to the touched ones: the run around the best link."""
    direct: dict[int, float] = {}
    for i, j, score in rows:
        if i in touched:
            direct[j] = max(direct.get(j, 0.0), score)
    if not direct:
        return []
    best = max(direct, key=lambda index: (direct[index], -index))
    return _run_around(sorted(direct), best)


def _first_occurrences(article: Article, copies: set[int]) -> dict[int, int]:
    """Each sentence of a repeated copy -> the same sentence's first occurrence (the one aligned)."""
    if not copies:
        return {}
    first_of: dict[str, int] = {}
    for index, span in enumerate(article.sentences):
        if index not in copies:
            first_of.setdefault(" ".join(article.text(span).split()), index)
    alias: dict[int, int] = {}
    for index in copies:
        if index < len(article.sentences):
            found = first_of.get(" ".join(article.text(article.sentences[index]).split()))
            if found is not None:
                alias[index] = found
    return alias


_QUOTE_CHARS = {"'": "['‘’]", "‘": "['‘’]", "’": "['‘’]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def _quote_pattern(quote: str) -> re.Pattern[str]:
    parts = []
    for word in quote.split():
        parts.append("".join(_QUOTE_CHARS.get(char, re.escape(char)) for char in word))
    return re.compile(r"\s+".join(parts))


def _find_verbatim(
    annotation: Annotation, other: Article, region: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The quote, word for word, in the other version: inside the aligned region if it is there,
    else a single long occurrence anywhere (alignment may have missed an excerpt)."""
    if not annotation.exact.strip():
        return None
    hits = [(m.start(), m.end()) for m in _quote_pattern(annotation.exact).finditer(other.body)]
    if not hits:
        return None
    if region is not None:
        inside = [hit for hit in hits if region[0] <= hit[0] and hit[1] <= region[1]]
        if inside:
            return inside[0]
    if len(hits) == 1 and len(annotation.exact) >= SPECIFIC_QUOTE_CHARS:
        return hits[0]
    if len(hits) > 1 and len(annotation.exact) >= SPECIFIC_QUOTE_CHARS:
        # Several copies (a repeated passage): the one whose context agrees.
        def context(hit: tuple[int, int]) -> int:
            before = other.body[max(0, hit[0] - len(annotation.prefix)) : hit[0]]
            return int(before == annotation.prefix) + int(
                other.body[hit[1] : hit[1] + len(annotation.suffix)] == annotation.suffix
            )

        return max(hits, key=lambda hit: (context(hit), -hit[0]))
    return None


def _context_agrees(annotation: Annotation, other: Article, start: int, end: int) -> bool:
    """The words around the quote are the same there too: the same text, edited elsewhere."""
    before = " ".join(annotation.prefix.split()[-3:])
    after = " ".join(annotation.suffix.split()[:3])
    there_before = " ".join(other.body[max(0, start - 64) : start].split()[-3:])
    there_after = " ".join(other.body[end : end + 64].split()[:3])
    return bool(before or after) and (before == there_before or after == there_after)


def _echo_in(annotation: Annotation, other: Article, region: list[int]) -> Echo:
    bounds = (other.sentences[region[0]].start, other.sentences[region[-1]].end) if region else None
    verbatim = _find_verbatim(annotation, other, bounds)
    common = {
        "annotation_id": annotation.id,
        "source_id": annotation.article_id,
        "article_id": other.id,
        "note": annotation.note,
        "color": annotation.color,
    }
    if verbatim is not None:
        start, end = verbatim
        return Echo(start=start, end=end, text=other.body[start:end], match="verbatim", **common)
    if bounds is not None:
        start, end = bounds
        text = other.body[start:end]
        # Aligned, but its figures or names differ from the note's passage: not the same fact reworded.
        change = fact_change(annotation.exact, text)
        if change:
            return Echo(start=start, end=end, text=text, match="changed", change=change, **common)
        return Echo(start=start, end=end, text=text, match="reworded", **common)
    return Echo(start=None, end=None, text="", match="absent", **common)
