"""Stage 2a: each sentence to its best partner in the other article, when their facts agree.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tui.similarity.facts import (
    Conflict,
    conflict,
)
from tui.similarity.prepared import _Prepared

RESTATED_COVERAGE = 0.3  # a sentence counts as restated when this share of its weight is found


# Two sentences are linked when their weighted Dice overlap reaches this and they share at least
# MIN_SHARED_WEIGHT worth of words (so one shared name does not link unrelated sentences).
LINK_DICE = 0.25


MIN_SHARED_WEIGHT = 2.5


# Two sentences with other facts are "worded alike" (one changed the other's figures) when the words
# around the facts overlap this much (weighted Dice): half their weight shared.
CONFLICT_DICE = 0.5


# The candidate stage of sentence alignment: each sentence meets the sentences of the other article
# that share one of its RAREST_TERMS rarest terms, at most POSTINGS_CAP per term; so alignment costs
# at most about RAREST_TERMS * POSTINGS_CAP sentence pairs per sentence, whatever the article's size.
RAREST_TERMS = 6


POSTINGS_CAP = 64


def _pair_idf(a: _Prepared, b: _Prepared) -> dict[str, float]:
    """IDF over the sentences of both articles: words in many sentences say little about which ones match.

    Counted over word occurrences (a word rarely repeats inside one sentence), from the pair alone so
    that `compare` gives the same answer for any two articles, with or without a library around them.
    """
    n = len(a.terms) + len(b.terms)
    log = math.log
    other = b.counts
    idf = {t: log(1 + n / (f + other.get(t, 0))) for t, f in a.counts.items()}
    for t, f in other.items():
        if t not in idf:
            idf[t] = log(1 + n / f)
    return idf


@dataclass(slots=True)
class _Linked:
    links: list[tuple[int, int, float]]  # (sentence in a, sentence in b, dice)
    coverage_a: list[float]  # per distinct sentence of a: share of its weight found in its partners
    coverage_b: list[float]
    weight_a: list[float]
    weight_b: list[float]
    # Sentences worded alike whose facts differ: (sentence in a, sentence in b, dice, conflict).
    conflicts: list[tuple[int, int, float, Conflict]] = field(default_factory=list)
    # The coverage from which a sentence counts as restated: RESTATED_COVERAGE for words found, or the
    # paraphrase model's threshold once coverage is its probability (`meaning.read_for_meaning`).
    restated_at: float = RESTATED_COVERAGE


def _with_names(facts: frozenset[str], terms: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    found = terms & names
    return facts | {"=" + n for n in found} if found else facts


def _link(a: _Prepared, b: _Prepared, idf: dict[str, float]) -> _Linked:
    """Each sentence to its best partner in the other article, in both directions, when facts agree.

    Candidate stage: a sentence meets only the sentences sharing one of its rarest terms (each term's
    list capped), and sentences with identical words always meet; so the cost grows with the number
    of sentences, not its square.
    """
    names = a.names | b.names
    acronyms = a.acronyms | b.acronyms
    weight = idf.__getitem__
    # Sums over a set of strings run in an order that changes between runs: rounded, they do not.
    weight_a = [round(sum(map(weight, terms)), 9) for terms in a.terms]
    weight_b = [round(sum(map(weight, terms)), 9) for terms in b.terms]
    facts_a = [_with_names(f, t, names) for f, t in zip(a.facts, a.terms, strict=True)]
    facts_b = [_with_names(f, t, names) for f, t in zip(b.facts, b.terms, strict=True)]
    # A short article: every term's list is within the cap anyway, so meet every sentence sharing a term
    # and add up the shared weight along the lists (no set intersections).
    exact = len(b.terms) <= POSTINGS_CAP

    postings: dict[str, list[int]] = defaultdict(list)
    for j, terms in enumerate(b.terms):
        for t in terms:
            postings[t].append(j)
    same_key: dict[str, int] = {key: j for j, key in enumerate(b.keys)}
    best_for_a: list[tuple[float, int]] = [(0.0, -1)] * len(a.terms)
    best_for_b: list[tuple[float, int]] = [(0.0, -1)] * len(b.terms)
    conflict_a: dict[int, tuple[float, int, Conflict]] = {}
    for i, terms in enumerate(a.terms):
        twin = same_key.get(a.keys[i])
        shared: dict[int, float] = {}
        if exact:
            for t in terms:
                w = idf[t]
                for j in postings.get(t, ()):
                    shared[j] = shared.get(j, 0.0) + w
        else:
            rarest = sorted((t for t in terms if t in postings), key=lambda t: (len(postings[t]), t))[
                :RAREST_TERMS
            ]
            partners: set[int] = set()
            for t in rarest:
                partners.update(postings[t][:POSTINGS_CAP])
            for j in partners:
                shared[j] = sum(map(weight, terms & b.terms[j]))
        if twin is not None and twin not in shared:
            shared[twin] = sum(map(weight, terms & b.terms[twin]))
        for j, common in shared.items():
            if common < MIN_SHARED_WEIGHT and j != twin:
                continue
            # Rounded likewise, and ties go to the earlier sentence.
            dice = round(2 * common / (weight_a[i] + weight_b[j]), 9) if weight_a[i] + weight_b[j] else 1.0
            if dice < LINK_DICE:
                continue
            clash = conflict(facts_a[i], facts_b[j], a.keys[i], b.keys[j], acronyms)
            if clash is not None:
                # Worded alike means the words around the facts agree: compare those alone.
                form_a, form_b = a.terms[i] - facts_a[i] - names, b.terms[j] - facts_b[j] - names
                form_common = sum(idf[t] for t in form_a & form_b)
                form_total = sum(idf[t] for t in form_a) + sum(idf[t] for t in form_b)
                if not form_total or round(2 * form_common / form_total, 9) < CONFLICT_DICE:
                    continue
                # Worded alike, other facts: evidence against, and what changed if the story is the same.
                held = conflict_a.get(i)
                if held is None or dice > held[0] or (dice == held[0] and j < held[1]):
                    conflict_a[i] = (dice, j, clash)
                continue
            if dice > best_for_a[i][0] or (dice == best_for_a[i][0] and j < best_for_a[i][1]):
                best_for_a[i] = (dice, j)
            if dice > best_for_b[j][0] or (dice == best_for_b[j][0] and i < best_for_b[j][1]):
                best_for_b[j] = (dice, i)
    links: dict[tuple[int, int], float] = {}
    for i, (dice, j) in enumerate(best_for_a):
        if j >= 0:
            links[(i, j)] = dice
    for j, (dice, i) in enumerate(best_for_b):
        if i >= 0:
            links[(i, j)] = dice
    coverage_a, coverage_b = _coverages(a, b, links, idf, weight_a, weight_b)
    linked_b = {j for _, j in links}
    conflicts = [
        (i, j, dice, clash)
        for i, (dice, j, clash) in sorted(conflict_a.items())
        if best_for_a[i][1] < 0 and j not in linked_b
    ]
    return _Linked(
        links=sorted((i, j, d) for (i, j), d in links.items()),
        coverage_a=coverage_a,
        coverage_b=coverage_b,
        weight_a=weight_a,
        weight_b=weight_b,
        conflicts=conflicts,
    )


def _coverages(
    a: _Prepared,
    b: _Prepared,
    links: dict[tuple[int, int], float],
    idf: dict[str, float],
    weight_a: list[float],
    weight_b: list[float],
) -> tuple[list[float], list[float]]:
    """Each sentence's share of its weight found in its partners: a sentence merged into (or split
    across) several partners is covered by their union."""
    partners_a: dict[int, set[str]] = defaultdict(set)
    partners_b: dict[int, set[str]] = defaultdict(set)
    for i, j in links:
        partners_a[i] |= b.terms[j]
        partners_b[j] |= a.terms[i]
    coverage_a = [
        (sum(idf[t] for t in a.terms[i] & partners_a[i]) / weight_a[i])
        if weight_a[i] and i in partners_a
        else 0.0
        for i in range(len(a.terms))
    ]
    coverage_b = [
        (sum(idf[t] for t in b.terms[j] & partners_b[j]) / weight_b[j])
        if weight_b[j] and j in partners_b
        else 0.0
        for j in range(len(b.terms))
    ]
    return coverage_a, coverage_b


def _matched(linked: _Linked) -> tuple[int, int]:
    """Sentences of each side restated in the other (a RESTATED_COVERAGE share of their weight found)
    or found there with other facts: the counts every view of a pair gives."""
    changed_a = {i for i, _, _, _ in linked.conflicts}
    changed_b = {j for _, j, _, _ in linked.conflicts}
    cut = linked.restated_at
    matched_a = sum(1 for i, c in enumerate(linked.coverage_a) if c >= cut or i in changed_a)
    matched_b = sum(1 for j, c in enumerate(linked.coverage_b) if c >= cut or j in changed_b)
    return matched_a, matched_b


def _cosine(x: Counter[str], y: Counter[str], idf: dict[str, float]) -> float:
    dot = sum(n * y[t] * idf.get(t, 0.0) ** 2 for t, n in x.items() if t in y)
    nx = math.sqrt(sum((n * idf.get(t, 0.0)) ** 2 for t, n in x.items()))
    ny = math.sqrt(sum((n * idf.get(t, 0.0)) ** 2 for t, n in y.items()))
    return dot / (nx * ny) if nx and ny else 0.0
