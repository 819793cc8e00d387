"""Two articles aligned sentence by sentence: pairs, changed sentences, what each side has alone.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tui.similarity.alignment import _link, _matched, _pair_idf
from tui.similarity.model import AlignedPair, Alignment, AlignmentTooLargeError, ChangedPair
from tui.similarity.prepared import _prepare, _Prepared
from tui.similarity.text import _literal
from tui.similarity.verdict import MAX_ALIGNED_SENTENCES, MAX_ALIGNED_WORDS, _change_text, _judge

if TYPE_CHECKING:
    from tui.library.articles import Article, Span


def compare(a: Article, b: Article) -> Alignment:
    """Align two articles sentence by sentence; works for any two articles the limit allows.

    Raises AlignmentTooLargeError (a one-line message) for an article with more distinct sentences
    than alignment can handle in bounded time.
    """
    for article in (a, b):
        if len(article.sentences) > MAX_ALIGNED_SENTENCES:
            raise AlignmentTooLargeError(
                f"{article.id} is too large to align ({len(article.sentences):,} sentences; "
                f"the limit is {MAX_ALIGNED_SENTENCES:,})"
            )
        word_count = article.words or len(article.body.split())
        if word_count > MAX_ALIGNED_WORDS:
            raise AlignmentTooLargeError(
                f"{article.id} is too large to align ({word_count:,} words; the limit is {MAX_ALIGNED_WORDS:,})"
            )
    prepared_a, prepared_b = _prepare(a), _prepare(b)
    return _alignment(a, b, prepared_a, prepared_b)


def _alignment(a: Article, b: Article, prepared_a: _Prepared, prepared_b: _Prepared) -> Alignment:
    verdict = _judge(prepared_a, prepared_b)
    linked = verdict.linked or _link(prepared_a, prepared_b, _pair_idf(prepared_a, prepared_b))
    literal = verdict.literal or {
        (i, j): _literal(prepared_a.keys[i], prepared_b.keys[j]) for i, j, _ in linked.links
    }
    pairs = [
        AlignedPair(
            a=prepared_a.sentences[i],
            b=prepared_b.sentences[j],
            score=round(dice, 4),
            literal=round(literal.get((i, j), 0.0), 4),
        )
        for i, j, dice in linked.links
    ]
    changed = [
        _changed_pair(
            a,
            b,
            prepared_a.sentences[i],
            prepared_b.sentences[j],
            _change_text(prepared_a, prepared_b, clash),
        )
        for i, j, _, clash in linked.conflicts
    ]
    linked_a = {i for i, _, _ in linked.links} | {i for i, _, _, _ in linked.conflicts}
    linked_b = {j for _, j, _ in linked.links} | {j for _, j, _, _ in linked.conflicts}
    matched_a, matched_b = _matched(linked)
    return Alignment(
        a_id=a.id,
        b_id=b.id,
        score=round(verdict.score, 4),
        kind=verdict.kind,
        reason=verdict.reason,
        gist=verdict.gist or verdict.reason,
        pairs=pairs,
        only_a=[s for i, s in enumerate(prepared_a.sentences) if i not in linked_a],
        only_b=[s for j, s in enumerate(prepared_b.sentences) if j not in linked_b],
        repeats_a=prepared_a.repeats,
        repeats_b=prepared_b.repeats,
        coverage_a=round(verdict.coverage_a, 4),
        coverage_b=round(verdict.coverage_b, 4),
        changes=verdict.changes,
        changed=changed,
        matched_a=matched_a,
        matched_b=matched_b,
        sentences_a=len(prepared_a.sentences),
        sentences_b=len(prepared_b.sentences),
    )


_TOKEN = re.compile(r"\S+")


def _changed_pair(a: Article, b: Article, span_a: Span, span_b: Span, facts: tuple[str, str]) -> ChangedPair:
    """One sentence in two forms, with the runs of words that differ (difflib's matching of words)."""
    import difflib

    from tui.library.articles import Span

    old = [
        (m.group(0), span_a.start + m.start(), span_a.start + m.end())
        for m in _TOKEN.finditer(a.text(span_a))
    ]
    new = [
        (m.group(0), span_b.start + m.start(), span_b.start + m.end())
        for m in _TOKEN.finditer(b.text(span_b))
    ]
    matcher = difflib.SequenceMatcher(a=[w for w, _, _ in old], b=[w for w, _, _ in new], autojunk=False)
    change = ChangedPair(span_a, span_b, *facts)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        change.words.append((" ".join(w for w, _, _ in old[i1:i2]), " ".join(w for w, _, _ in new[j1:j2])))
        if i2 > i1:
            change.a_words.append(Span(old[i1][1], old[i2 - 1][2]))
        if j2 > j1:
            change.b_words.append(Span(new[j1][1], new[j2 - 1][2]))
    return change
