"""Stage 2b: the kind and score of a pair, from its alignment and the agreement of its facts.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.similarity.alignment import RESTATED_COVERAGE, _cosine, _link, _Linked, _pair_idf, _with_names
from tui.similarity.facts import (
    NUMBER_WORDS,
    Conflict,
    conflict,
    same_rounded,
)
from tui.similarity.meaning import read_for_meaning
from tui.similarity.model import Kind
from tui.similarity.prepared import _Prepared, published_order
from tui.similarity.text import _containment, _literal, _weighted_mean, stem
from tui.wording import counted

MOSTLY_SAME_WORDS = 0.8


# Below this TF-IDF cosine two articles are not even related; checked on the seeds (0.47 for
# other coverage of the same event) and on BBC same-story follow-ups.
RELATED_COSINE = 0.30


# Below this lexical share restated (and with no sentence restated) a pair is not read for meaning:
# two texts that share so few words are not rewrites of each other, and reading costs time. A text of
# one sentence is always read: its few words give lexical evidence too little to go on.
MEANING_FROM = 0.1
# Beyond this many sentences a text is aligned by its words alone: reading meaning costs about half a
# millisecond a sentence, and alignment must stay bounded (see MAX_ALIGNED_SENTENCES).
MEANING_MAX_SENTENCES = 2_000
# Score bands, one per kind, in the order of KINDS: the kind decides the band and the share of the
# shorter article restated (weighted by how literally) the place inside it, so scores order pairs
# across kinds too. A band is (floor, ceiling).
BANDS: dict[str, tuple[float, float]] = {
    "duplicate": (1.0, 1.0),
    "near-duplicate": (0.9, 1.0),
    "rewrite": (0.75, 0.9),
    "update": (0.6, 0.75),
    "partial": (0.45, 0.6),
    "related": (0.25, 0.45),
    "template": (0.0, 0.25),
}


# Share of the shorter text's 5-shingles found in the other that makes a near-duplicate.
NEAR_DUPLICATE_CONTAINMENT = 0.8


# Coverage of the shorter side (weighted by IDF) that makes a rewrite, and a weaker one for related.
REWRITE_COVERAGE = 0.45


REWRITE_SENTENCES = 0.6  # and this share of the shorter side's sentences restated


RELATED_COVERAGE = 0.15


# A sentence is copied verbatim when this share of its word pairs (bigrams) is in its partner, and
# counts as a copied passage from MIN_PASSAGE_WORDS words on.
VERBATIM = 0.8


MIN_PASSAGE_WORDS = 6


# How much literalness weighs in the score: a sentence restated in other words counts 1 - LITERAL_WEIGHT
# of a verbatim one.
LITERAL_WEIGHT = 0.5


# Reports worded alike with some figures changed are one story when sentences that agree still share
# a figure (a correction keeps the rest); sharing none, they are the same form about other facts.
SAME_STORY_FIGURES = 1


# Beyond this many distinct sentences, or words, an article is too large to align in bounded time and
# memory (two articles at either limit align in under 10 s here; a news article has a few hundred words).
MAX_ALIGNED_SENTENCES = 12_000


MAX_ALIGNED_WORDS = 200_000


@dataclass(slots=True)
class _Verdict:
    score: float
    kind: Kind | None
    reason: str
    coverage_a: float
    coverage_b: float
    linked: _Linked | None
    literal: dict[tuple[int, int], float] = field(default_factory=dict)
    changes: list[tuple[str, str]] = field(default_factory=list)
    copied: float = 0.0
    gist: str = ""


def _banded(kind: Kind, share: float) -> float:
    floor, ceiling = BANDS[kind]
    if ceiling == floor:
        return floor
    return floor + (ceiling - floor - 1e-4) * min(max(share, 0.0), 1.0)


def _subject(p: _Prepared, names: frozenset[str]) -> frozenset[str]:
    """Who or what a report is about: the tickers and names of its headline."""
    return frozenset(f for f in p.title_facts if f[0] == "<") | (p.title_terms & names)


def _mentions(p: _Prepared, subject: frozenset[str]) -> bool:
    """Whether an article names a subject: one of its tickers, or most of its names, anywhere."""
    if not subject:
        return True
    tickers = {f for f in subject if f[0] == "<"}
    if tickers & p.title_facts or any(tickers & f for f in p.facts):
        return True
    plain = subject - tickers
    if not plain:
        return False
    found = plain & (p.title_terms | p.counts.keys())
    return 2 * len(found) >= len(plain)


def _gives_tickers(p: _Prepared) -> bool:
    return any(f[0] == "<" for f in p.title_facts) or any(f[0] == "<" for facts in p.facts for f in facts)


def _checkable(subject: frozenset[str], p: _Prepared) -> frozenset[str]:
    """The part of a subject an article can be checked against: its tickers only where it gives any."""
    return subject if _gives_tickers(p) else frozenset(f for f in subject if f[0] != "<")


def _same_subject(a: _Prepared, b: _Prepared, names: frozenset[str]) -> bool:
    """Whether two reports are about the same company, person or place, as far as can be read."""
    subject_a, subject_b = _subject(a, names), _subject(b, names)
    # An all-capitals headline whose subject cannot be read (no ticker, no word its text shows as a
    # name) vouches for nothing: sameness rests on what of the other side's subject can be checked (a
    # ticker only against a text that gives tickers). A mixed-case headline naming no one is read: it
    # is about something unnamed, which the other's subject may well be.
    if (not subject_a and a.wire_headline) or (not subject_b and b.wire_headline):
        return _mentions(b, _checkable(subject_a, b)) and _mentions(a, _checkable(subject_b, a))
    return _mentions(b, subject_a) or _mentions(a, subject_b)


def _unstemmed(p: _Prepared, stemmed: str) -> str:
    """A word of the article whose stem this is ("exchange" for "exchang"), else the stem itself."""
    for key in p.keys:
        for word in key.split():
            if word.startswith(stemmed) and stem(word) == stemmed:
                return word
    return stemmed


def _change_text(p: _Prepared, q: _Prepared, clash: Conflict) -> tuple[str, str]:
    def shown(side: _Prepared, facts: frozenset[str]) -> str:
        out = []
        for fact in sorted(facts):
            if fact[0] == "#":
                out.append(side.surfaces.get(fact, fact[1:]))
            elif fact[0] == "@":
                out.append(fact[1:].capitalize())
            elif fact[0] == "=":
                out.append(_unstemmed(side, fact[1:]).capitalize())
            else:
                out.append(fact.lstrip("<").rstrip(">"))
        return ", ".join(out[:3])

    return shown(p, clash.only_a), shown(q, clash.only_b)


def _judge(a: _Prepared, b: _Prepared) -> _Verdict:
    """Stage 2: the kind and score of a pair, from its alignment and the agreement of its facts."""
    if a.key and a.key == b.key:
        # The same text is the same report, whatever its headlines say (evidence is monotone).
        headlines_differ = a.title_terms != b.title_terms or a.title_facts != b.title_facts
        reason = "same text, other headline" if headlines_differ else "identical text"
        return _Verdict(1.0, "duplicate", reason, 1.0, 1.0, None)
    if max(a.sentence_count, b.sentence_count) > MAX_ALIGNED_SENTENCES or (
        max(a.word_count, b.word_count) > MAX_ALIGNED_WORDS
    ):
        return _Verdict(0.0, None, "too large to align", 0.0, 0.0, None)
    m = _measure(a, b)
    return _template(a, b, m) or _update(a, b, m) or _copy(a, b, m)


@dataclass(slots=True)
class _Measures:
    """What a verdict reads of a pair: its alignment, how much of the shorter side is restated and how
    literally, how much wording is shared, and which facts agree or changed."""

    idf: dict[str, float]
    linked: _Linked
    literal: dict[tuple[int, int], float]
    coverage_a: float
    coverage_b: float
    short_is_a: bool
    short: float  # weighted share of the shorter side restated
    total: int  # the shorter side's distinct sentences
    restated: int
    verbatim: int
    share: float  # the score's measure: restated, weighted by how literally
    copied: float  # copied word for word
    conflicted_share: float
    changes: list[tuple[str, str]]
    containment: float  # 5-shingles of the smaller found in the other
    shingle_jaccard: float
    size_ratio: float
    mostly_same: bool  # MOSTLY_SAME_WORDS of the shorter text's word 3-grams in the other
    days_apart: bool  # both dated, on different days
    b_first: bool  # both dated, b the older
    same_subject: bool
    subject_a: frozenset[str]
    subject_b: frozenset[str]
    title_clash: Conflict | None
    other_period: bool  # other months in sentences worded alike
    agreed: set[str]  # figures both give in sentences that agree
    changed: set[str]  # figures one side gives differently
    related_short: float = -1.0  # the lexical share restated, kept when meaning is read (`_by_meaning`)
    best_literal: list[float] = field(default_factory=list)  # per shorter-side sentence: how literally


def _measure(a: _Prepared, b: _Prepared) -> _Measures:
    idf = _pair_idf(a, b)
    linked = _link(a, b, idf)
    short_is_a = sum(linked.weight_a) <= sum(linked.weight_b)
    short_coverage = linked.coverage_a if short_is_a else linked.coverage_b
    short_weight = linked.weight_a if short_is_a else linked.weight_b
    # How literally each linked sentence is restated; a sentence's best link decides.
    literal = {(i, j): _literal(a.keys[i], b.keys[j]) for i, j, _ in linked.links}
    best_literal = [0.0] * len(short_coverage)
    for (i, j), value in literal.items():
        k = i if short_is_a else j
        best_literal[k] = max(best_literal[k], value)
    # A sentence copied verbatim counts as a passage when it has some length ("1." does not).
    verbatim = sum(
        1
        for value, key in zip(best_literal, a.keys if short_is_a else b.keys, strict=True)
        if value >= VERBATIM and key.count(" ") + 1 >= MIN_PASSAGE_WORDS
    )
    conflicted = {(i if short_is_a else j) for i, j, _, _ in linked.conflicts}
    names = a.names | b.names
    title_clash = conflict(
        _with_names(a.title_facts, a.title_terms, names), _with_names(b.title_facts, b.title_terms, names)
    )
    # Headlines about other tickers or names, or an article not naming the other's subject at all.
    same_subject = _same_subject(a, b, names)
    if title_clash is not None and any(f[0] in "<=" for f in title_clash.only_a):
        same_subject = False
    changed = {f for _, _, _, clash in linked.conflicts for f in clash.only_a if f[0] == "#"}
    if title_clash is not None:
        changed |= {f for f in title_clash.only_a if f[0] == "#"}
    both_dated = a.published is not None and b.published is not None
    return _Measures(
        idf=idf,
        linked=linked,
        literal=literal,
        coverage_a=_weighted_mean(linked.coverage_a, linked.weight_a),
        coverage_b=_weighted_mean(linked.coverage_b, linked.weight_b),
        short_is_a=short_is_a,
        short=_weighted_mean(short_coverage, short_weight),
        total=len(short_coverage),
        restated=sum(1 for c in short_coverage if c >= RESTATED_COVERAGE),
        verbatim=verbatim,
        # The share of the shorter article the other restates, weighted by how literally (a reworded
        # sentence counts from 1 - LITERAL_WEIGHT, a verbatim one fully).
        share=_weighted_mean(
            [
                c * (1 - LITERAL_WEIGHT + LITERAL_WEIGHT * lit)
                for c, lit in zip(short_coverage, best_literal, strict=True)
            ],
            short_weight,
        ),
        copied=_weighted_mean(
            [c * lit for c, lit in zip(short_coverage, best_literal, strict=True)], short_weight
        ),
        conflicted_share=sum(short_weight[k] for k in conflicted) / sum(short_weight)
        if sum(short_weight)
        else 0.0,
        changes=[_change_text(a, b, clash) for _, _, _, clash in linked.conflicts],
        **_shingle_overlap(a, b),
        mostly_same=_containment(a.trigrams, b.trigrams) >= MOSTLY_SAME_WORDS,
        days_apart=both_dated and a.published.date() != b.published.date(),
        b_first=published_order(a, b) > 0,
        same_subject=same_subject,
        subject_a=_subject(a, names),
        subject_b=_subject(b, names),
        title_clash=title_clash,
        other_period=any(f[0] == "@" for _, _, _, clash in linked.conflicts for f in clash.only_a),
        agreed={f for i, j, _ in linked.links for f in a.facts[i] & b.facts[j] if f[0] == "#"},
        changed=changed,
        best_literal=best_literal,
    )


def _shingle_overlap(a: _Prepared, b: _Prepared) -> dict[str, float]:
    if not (len(a.shingles) and len(b.shingles)):
        return {"containment": 0.0, "shingle_jaccard": 0.0, "size_ratio": 0.0}
    import numpy as np

    common = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    smaller, larger = sorted((len(a.shingles), len(b.shingles)))
    return {
        "containment": common / smaller,
        "shingle_jaccard": common / (smaller + larger - common),
        "size_ratio": smaller / larger,
    }


def _verdict(
    a: _Prepared,
    b: _Prepared,
    m: _Measures,
    kind: Kind | None,
    reason: str,
    band: Kind | None = None,
    gist: str | None = None,
) -> _Verdict:
    """The verdict of a kind, scored by the share restated inside its band (or `band`'s: a fuller
    version is scored as the copy its shorter text is)."""
    if kind == "update" and a.outlet and b.outlet and a.outlet != b.outlet:
        # An update is a later version from the same outlet. Another outlet's text with other or
        # more facts is its own report drawn from this one: the copy its wording makes it.
        kind = band or _copy_kind(m.short, m.restated, m.total, m.verbatim)
        gist = gist or reason
    banded = band or kind
    # No kind is no match: what two texts share below the weakest kind (a few topic words in a
    # sentence or two) is not a measure of copying, so such a pair scores 0, under every kind.
    score = _banded(banded, m.share) if banded is not None else 0.0
    return _Verdict(
        score,
        kind,
        reason,
        m.coverage_a,
        m.coverage_b,
        m.linked,
        m.literal,
        m.changes,
        m.copied,
        gist or reason,
    )


def _template(a: _Prepared, b: _Prepared, m: _Measures) -> _Verdict | None:
    """The same form of report about other facts, told by evidence a reader can check, or None.

    Another day's report in the same form is told by its dates, not its wording: it may share most
    words. Otherwise headlines, subjects and form never hide a pair that is mostly the same words.
    Other figures tell another report when dates say so, or when the form is seen more than once: two
    sentences (or the headline) worded alike with other figures. One sentence with another figure is one sentence: a later moment
    of the same story as often as another report.
    """
    worded_alike = m.short + m.conflicted_share >= REWRITE_COVERAGE or m.containment >= 0.5
    if not worded_alike:
        return None
    other_figures = len(m.agreed) < len(m.changed) or (
        (m.title_clash is not None or m.conflicted_share > m.short) and len(m.agreed) < SAME_STORY_FIGURES
    )
    form_seen = m.title_clash is not None or len(m.linked.conflicts) >= 2
    another_day = m.other_period or (other_figures and (m.days_apart or (form_seen and not m.mostly_same)))
    other_subject = not m.same_subject and not m.mostly_same
    if not (another_day or other_subject):
        return None
    if other_subject:
        # Tickers or bracketed names in the headlines: companies; otherwise whatever the subject is.
        companies = any(f[0] == "<" for f in m.subject_a) and any(f[0] == "<" for f in m.subject_b)
        reason = "same form, other company" if companies else "same form, other subject"
    elif m.other_period:
        reason = "same form, other period"
    elif m.title_clash is not None or m.changes:
        before, after = _change_text(a, b, m.title_clash) if m.title_clash else m.changes[0]
        reason = f"same form, other facts: {before} / {after}"
    else:
        reason = "same form, other facts"
    return _verdict(a, b, m, "template", reason)


def _update(a: _Prepared, b: _Prepared, m: _Measures) -> _Verdict | None:
    """The same story with figures or dates changed, or None. A correction keeps at least as many
    figures as it changes; a pair that is mostly the same words is a version whatever it changes.
    Names that differ alone make no update (another name is another subject, or a name told apart
    from a common word by its capital only)."""
    if m.title_clash is not None:
        m.changes.insert(0, _change_text(a, b, m.title_clash))
    m.changes[:] = list(dict.fromkeys(m.changes))  # the headline and the lead often give the same change
    m.changes.sort(key=lambda change: not any(c.isdigit() for c in change[0] + change[1]))  # figures first
    if not (m.changed or m.other_period):
        return None
    if not (
        m.mostly_same
        or (
            m.same_subject
            and not m.other_period
            and len(m.agreed) >= len(m.changed)
            and (m.short >= RELATED_COVERAGE or m.containment >= 0.5)
        )
    ):
        return None
    # A change reads older → newer where both are dated, else as the pair is named (a → b).
    before, after = m.changes[0][::-1] if m.b_first else m.changes[0]
    more = f" (and {len(m.changes) - 1} more)" if len(m.changes) > 1 else ""
    return _verdict(a, b, m, "update", f"same story; {before} → {after}{more}")


def _copy(a: _Prepared, b: _Prepared, m: _Measures) -> _Verdict:
    """Facts agreeing: a near-duplicate, a rewrite (or a fuller or later version of either: an update),
    a partial copy, related coverage, or no match."""
    facts_note = "figures agree" if not m.changes else f"{len(m.changes)} changed"
    longer = b if m.short_is_a else a
    # A fuller version (adding at least as many sentences as the shorter one has, with facts of their
    # own) is an update, unless it is known to be the earlier text: then the shorter one is a cut.
    order = published_order(a, b)
    longer_earlier = order != 0 and (order < 0) == (longer is a)
    longer_coverage = m.linked.coverage_b if m.short_is_a else m.linked.coverage_a
    longer_only = sum(1 for c in longer_coverage if c < RESTATED_COVERAGE)
    if longer_earlier or not _new_sentences(m.linked, longer, a if longer is b else b, not m.short_is_a):
        longer_only = 0  # a cut of an earlier text, or an addition without facts of its own
    added = _added_figures(a, b)
    copy_kind: Kind | None = None
    if m.shingle_jaccard >= 0.5 or max(m.containment, m.copied) >= NEAR_DUPLICATE_CONTAINMENT:
        copy_kind = "near-duplicate"
    else:
        single = min(a.sentence_count, b.sentence_count) == 1
        # In longer texts meaning only adds evidence: a pair whose words already make it a rewrite is
        # one, and is not read again.
        by_words = m.short >= REWRITE_COVERAGE and m.restated >= REWRITE_SENTENCES * m.total
        if max(a.sentence_count, b.sentence_count) <= MEANING_MAX_SENTENCES and (
            single or (not by_words and (m.short >= MEANING_FROM or m.restated))
        ):
            # Not mostly the same wording: whether sentences are restated is a question of meaning.
            _by_meaning(a, b, m)
        # A rewrite restates the other: one that gives other figures about another subject (another
        # issuer's bond in the same words) is told apart, not copied.
        other_facts_elsewhere = bool(m.changes) and not m.same_subject
        if (
            m.short >= REWRITE_COVERAGE
            and m.restated >= REWRITE_SENTENCES * m.total
            and not other_facts_elsewhere
        ):
            copy_kind = "rewrite"
    if copy_kind is not None:
        # Which of two texts came first is often unknown (an undated cut of a longer text reads the
        # same), so a fuller version is scored by what is sure: how much of the shorter text the
        # longer one holds and how literally, in the band of the copy it is.
        if longer_only >= max(3, m.total):
            return _verdict(
                a, b, m, "update", f"same story; adds {counted(longer_only, 'sentence')}", copy_kind
            )
        if added:
            return _verdict(a, b, m, "update", f"same story; the later version adds {added}", copy_kind)
    if copy_kind == "near-duplicate":
        if m.size_ratio < 0.8:
            in_longer = round(100 * max(m.containment, m.copied))
            reason = f"excerpt: {in_longer}% of the shorter text is in the longer one; {facts_note}"
        elif m.shingle_jaccard >= 0.5:
            reason = f"{round(100 * m.containment)}% of the wording shared; {facts_note}"
        else:
            reason = f"{round(100 * m.copied)}% copied with edits; {facts_note}"
        return _verdict(a, b, m, "near-duplicate", reason)
    if copy_kind == "rewrite":
        # How literally: a reader tells a pasted excerpt from a reworded text by this.
        as_copied = f", {m.verbatim} verbatim" if m.verbatim else ""
        reason = f"{m.restated} of {counted(m.total, 'sentence')} restated{as_copied}; {facts_note}"
        return _verdict(a, b, m, "rewrite", reason, gist=facts_note)
    return _partial_or_related(a, b, m)


def _by_meaning(a: _Prepared, b: _Prepared, m: _Measures) -> None:
    """The measures again, each sentence's coverage now the paraphrase model's probability that the
    other article restates it (`meaning`): a reworded sentence counts, words shared by chance do not."""
    lexical_short = m.short
    read_for_meaning(a, b, m.linked)
    linked = m.linked
    short_coverage = linked.coverage_a if m.short_is_a else linked.coverage_b
    short_weight = linked.weight_a if m.short_is_a else linked.weight_b
    m.coverage_a = _weighted_mean(linked.coverage_a, linked.weight_a)
    m.coverage_b = _weighted_mean(linked.coverage_b, linked.weight_b)
    m.short = _weighted_mean(short_coverage, short_weight)
    m.restated = sum(1 for c in short_coverage if c >= linked.restated_at)
    # Two single sentences: how surely one restates the other is the measure; a verbatim copy is
    # already a near-duplicate, so literalness would only rank paraphrases below looser matches.
    literal_weight = 0.0 if min(a.sentence_count, b.sentence_count) == 1 else LITERAL_WEIGHT
    m.share = _weighted_mean(
        [
            c * (1 - literal_weight + literal_weight * lit)
            for c, lit in zip(short_coverage, m.best_literal, strict=True)
        ],
        short_weight,
    )
    # Whether two texts are related at all stays what their words show: the same story or topic
    # told apart shares its names and terms, and a model's low probabilities add up to noise.
    m.related_short = lexical_short


def _partial_or_related(a: _Prepared, b: _Prepared, m: _Measures) -> _Verdict:
    if m.related_short < 0:
        m.related_short = m.short
    if m.verbatim >= 2 and m.same_subject:
        return _verdict(a, b, m, "partial", f"{m.verbatim} of {counted(m.total, 'sentence')} copied verbatim")
    cosine = _cosine(a.counts, b.counts, m.idf)
    if m.related_short >= RELATED_COVERAGE or cosine >= RELATED_COSINE:
        if not m.same_subject:
            gist, evidence = "same topic, other subject", f" (topic overlap {cosine:.2f})"
        elif m.restated:
            gist, evidence = "same story", f": {m.restated} of {counted(m.total, 'sentence')} restated"
        else:
            gist, evidence = "same story, separate report", f" (topic overlap {cosine:.2f})"
        return _verdict(a, b, m, "related", gist + evidence, gist=gist)
    return _verdict(a, b, m, None, "no match")


_SPELLED_NUMBERS: dict[str, float] = {"one": 1, "first": 1, **NUMBER_WORDS}


def _copy_kind(short: float, restated: int, total: int, verbatim: int) -> Kind:
    """What a text drawn from another is by its wording alone: reworded, partly copied, or told apart."""
    if short >= REWRITE_COVERAGE and restated >= REWRITE_SENTENCES * total:
        return "rewrite"
    if verbatim >= 2:
        return "partial"
    return "related"


def _added_figures(a: _Prepared, b: _Prepared) -> str:
    """Figures the later of two versions gives that the earlier lacks, as written; "" if none or if
    which came first is not known (`published_order`).

    A later version that changes no figure and adds some is a write-through: the story moved on.
    (Figures it leaves out are no change, as a copy may be cut; tried as a condition, it turned 50
    such versions of the whole Reuters library back into rewrites, which claim the same facts.)
    Undated, which text came first is unknown (a cut of a longer text reads like its source).
    """
    order = published_order(a, b)
    if not order:
        return ""
    earlier, later = (a, b) if order < 0 else (b, a)

    def figures(p: _Prepared) -> set[str]:
        found = {f for f in p.title_facts if f[0] == "#"}
        for facts in p.facts:
            found.update(f for f in facts if f[0] == "#")
        return found

    # A small whole number the earlier text spells out ("September one" and "September 1") is not new:
    # "one" is not read as a figure, being a pronoun as often.
    known = figures(earlier)
    added = sorted(figures(later) - known)
    if added:
        earlier_words = set(" ".join(earlier.keys).split())
        spelled_out = {f"#{value:g}" for word, value in _SPELLED_NUMBERS.items() if word in earlier_words}
        # Nor is a figure the earlier text gives more or less rounded ("1,657,000" and "1.7 mln").
        large = [old for old in known if len(old) > 4]  # "#1000" and longer: only large figures round
        added = [f for f in added if f not in spelled_out and not any(same_rounded(f, old) for old in large)]
    return ", ".join(later.surfaces.get(f, f[1:]) for f in added[:3])


def _new_sentences(linked: _Linked, side: _Prepared, other: _Prepared, of_a: bool) -> int:
    """Sentences of one side with nothing restated from the other, bringing facts the other lacks."""
    coverage = linked.coverage_a if of_a else linked.coverage_b
    names = side.names | other.names
    known = set(other.title_facts) | {"=" + t for t in other.counts.keys() & names}
    for facts in other.facts:
        known |= facts
    return sum(
        1
        for c, facts, terms in zip(coverage, side.facts, side.terms, strict=True)
        if c < RESTATED_COVERAGE and _with_names(facts, terms, names) - known
    )
