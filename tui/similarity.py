"""Near-duplicates, rewrites and related articles: a two-stage engine with sentence alignment.

Stage 1 proposes candidates without comparing all pairs: exact duplicates by a hash of the
normalised text, near-duplicates by MinHash LSH over word 5-shingles (numpy), and rewrites
or related stories by a TF-IDF top-k cosine shortlist over content words, numbers and names. Stage 2
verifies every candidate by aligning sentences (`compare`), which is what tells a reworded copy
(most sentences restated) from independent coverage of the same event (few sentences restated), and
by the agreement of their facts (`tui.facts`), which tells a copy from a template sibling (the same
form about other facts) and from an update (the same story with facts changed or added).

Pure core: no Textual, no Rich; numpy and scipy are imported only
inside the functions that need them, so importing this module is cheap.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import marshal
import math
import re
import time
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from tui.errors import TuiError
from tui.facts import (
    EMPTY,
    GENERIC_CAPITALS,
    NUMBER_WORDS,
    Conflict,
    Facts,
    conflict,
    name_words,
    same_rounded,
    sentence_facts,
)
from tui.grouping import STORY_KINDS as STORY_KINDS
from tui.wording import counted

if TYPE_CHECKING:
    from tui.articles import Article, Library, Span

Kind = Literal["duplicate", "near-duplicate", "rewrite", "update", "partial", "related", "template"]
KINDS: tuple[Kind, ...] = get_args(Kind)
# Listed unless asked for: a template sibling is another story in the same form.
LISTED_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k != "template")

# Bump when features, thresholds or the cache layout change: old caches are then ignored.
INDEX_VERSION = 10

SHINGLE_SIZE = 5
# "Mostly the same words": this share of the shorter text's word 3-grams found in the other. Such a pair
# is a version whatever its headlines, subjects or form say (evidence is monotone): changed figures make
# it an update, never a template sibling.
TRIGRAM_SIZE = 3
MOSTLY_SAME_WORDS = 0.8
NUM_PERM = 128
# LSH threshold below the 0.5 Jaccard we promise to catch, so that MinHash's estimation noise
# (about +-0.045 at 128 permutations) costs almost no recall.
LSH_THRESHOLD = 0.35
TOP_K = 8
# Below this TF-IDF cosine two articles are not even related; checked on the seeds (0.47 for
# other coverage of the same event) and on BBC same-story follow-ups.
RELATED_COSINE = 0.30

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
RESTATED_COVERAGE = 0.3  # a sentence counts as restated when this share of its weight is found
RELATED_COVERAGE = 0.15
# A sentence is copied verbatim when this share of its word pairs (bigrams) is in its partner, and
# counts as a copied passage from MIN_PASSAGE_WORDS words on.
VERBATIM = 0.8
MIN_PASSAGE_WORDS = 6
# How much literalness weighs in the score: a sentence restated in other words counts 1 - LITERAL_WEIGHT
# of a verbatim one.
LITERAL_WEIGHT = 0.5
# Two sentences are linked when their weighted Dice overlap reaches this and they share at least
# MIN_SHARED_WEIGHT worth of words (so one shared name does not link unrelated sentences).
LINK_DICE = 0.25
MIN_SHARED_WEIGHT = 2.5
# Two sentences with other facts are "worded alike" (one changed the other's figures) when the words
# around the facts overlap this much (weighted Dice): half their weight shared.
CONFLICT_DICE = 0.5
# Reports worded alike with some figures changed are one story when sentences that agree still share
# a figure (a correction keeps the rest); sharing none, they are the same form about other facts.
SAME_STORY_FIGURES = 1
# The candidate stage of sentence alignment: each sentence meets the sentences of the other article
# that share one of its RAREST_TERMS rarest terms, at most POSTINGS_CAP per term; so alignment costs
# at most about RAREST_TERMS * POSTINGS_CAP sentence pairs per sentence, whatever the article's size.
RAREST_TERMS = 6
POSTINGS_CAP = 64
# Beyond this many distinct sentences, or words, an article is too large to align in bounded time and
# memory (two articles at either limit align in under 10 s here; a news article has a few hundred words).
MAX_ALIGNED_SENTENCES = 12_000
MAX_ALIGNED_WORDS = 200_000

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_STOPWORDS_TEXT = """
    a about above after again against all almost also although am among an and another any are around
    as at be because been before being below between both but by can could did do does doing done down
    during each either else even ever every few for from further had has have having he her here hers
    herself him himself his how however i if in into is it its itself just least less like made make
    many may me might more most much must my myself neither no nor not now of off often on once one only
    or other others otherwise our ours ourselves out over own per perhaps put rather same says said say
    shall she should since so some still such than that the their theirs them themselves then there
    therefore these they this those though through thus to too toward towards under until up upon us
    very via was we well were what whatever when whenever where whereas whether which while who whoever
    whom whose why will with within without would yet you your yours yourself yourselves s t
"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(slots=True)
class Match:
    """One article's match: the other article's id, how close, what kind, and why."""

    id: str
    score: float
    kind: Kind
    reason: str

    @property
    def article_id(self) -> str:
        return self.id


@dataclass(slots=True)
class PairMatch:
    """A matching pair of the library (a < b)."""

    a: str
    b: str
    score: float
    kind: Kind
    reason: str


@dataclass(slots=True)
class AlignedPair:
    """Two sentences that say the same; `literal` is the share of their word pairs in common (1 = verbatim)."""

    a: Span
    b: Span
    score: float
    literal: float = 0.0


@dataclass(slots=True)
class ChangedPair:
    """One sentence and its other form: worded alike, with figures or names changed."""

    a: Span
    b: Span
    before: str  # the facts as a gives them ("3.5%")
    after: str  # and as b does ("3.25%")
    # The words that differ, in reading order: (a's words, b's words), either side may be "".
    words: list[tuple[str, str]] = field(default_factory=list)
    # Where those words are in each body (for marking them in a view).
    a_words: list[Span] = field(default_factory=list)
    b_words: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Repeat:
    """The same passage found more than once in one article, in text order; spans[1:] are copies."""

    spans: list[Span]


@dataclass(slots=True)
class Alignment:
    a_id: str
    b_id: str
    score: float
    kind: Kind | None
    reason: str
    pairs: list[AlignedPair]
    only_a: list[Span]
    only_b: list[Span]
    repeats_a: list[Repeat]
    repeats_b: list[Repeat]
    coverage_a: float = 0.0
    coverage_b: float = 0.0
    # Facts of one side that the other gives differently, as (in a, in b) surfaces: "66.00 cts" -> "65.75 cts".
    changes: list[tuple[str, str]] = field(default_factory=list)
    # The reason without the counts and figures that back it ("same story" for "same story: 2 of 5
    # sentences restated"): for a view that gives its own counts beside it.
    gist: str = ""
    # Sentences worded alike whose facts changed, each with its other form (not in only_a, only_b).
    changed: list[ChangedPair] = field(default_factory=list)
    # Sentences of each side with a partner (restated, or changed): the one set of counts every view shows.
    matched_a: int = 0
    matched_b: int = 0
    sentences_a: int = 0
    sentences_b: int = 0


# --------------------------------------------------------------------------- text normalisation


def normalise(text: str) -> str:
    """Case-folded, accent-free, NFKC text; curly quotes become straight ones."""
    if text.isascii():
        return text.lower()  # the common case, and 20 times cheaper
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")


def words(text: str) -> list[str]:
    """Normalised word tokens; a possessive or contraction tail ("russia's") is dropped."""
    out = []
    for token in _WORD.findall(normalise(text)):
        head, _, _tail = token.partition("'")
        if head:
            out.append(head)
    return out


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet "warned"/"warning"/"warns", cheap and predictable."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ational", "ate"),
        ("ies", "y"),
        ("ied", "y"),
        ("sses", "ss"),
        ("ness", ""),
        ("ments", ""),
        ("ment", ""),
        ("ingly", ""),
        ("edly", ""),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + replacement
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def _terms_of(tokens: Iterable[str]) -> list[str]:
    return [stem(w) for w in tokens if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]


def _shingle_hashes(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> set[int]:
    if not tokens:
        return set()
    if len(tokens) < size:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    # crc32: stable across runs (unlike hash()), so the shingles can be cached on disk.
    return {zlib.crc32(g.encode()) for g in grams}


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[int]:
    """32-bit hashes of the word `size`-shingles of a text (all words, stopwords included)."""
    return _shingle_hashes(words(text), size)


def _shingle_array(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> Any:
    import numpy as np

    return np.array(sorted(_shingle_hashes(tokens, size)), dtype=np.uint32)


def _trigram_array(keys: Sequence[str]) -> Any:
    """Word 3-grams of the distinct sentences' words, in text order (a repeated sentence counts once)."""
    return _shingle_array(" ".join(keys).split(), TRIGRAM_SIZE)


def _as_shingle_array(values: Any) -> Any:
    import numpy as np

    if isinstance(values, np.ndarray):
        return values
    return np.unique(np.asarray(list(values), dtype=np.uint32))


# --------------------------------------------------------------------------- repeats


def _sentence_spans(article: Article) -> list[Span]:
    return list(article.sentences)


def _sentence_words(article: Article) -> list[list[str]]:
    return [words(article.text(span)) for span in article.sentences]


def find_repeats(article: Article) -> list[Repeat]:
    """Passages (a whole paragraph, or 3+ sentences in a row) present more than once in one article."""
    return _find_repeats(article, _sentence_words(article))


def _find_repeats(article: Article, sentence_words: list[list[str]]) -> list[Repeat]:
    from tui.articles import Span

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


# --------------------------------------------------------------------------- alignment


class AlignmentTooLargeError(TuiError):
    """An article with more distinct sentences than alignment can handle in bounded time and memory."""


@dataclass(slots=True)
class _Prepared:
    """What alignment needs from one article, computed once."""

    id: str
    key: str
    sentences: list[Span]  # distinct sentences (repeated copies dropped), in text order
    terms: list[frozenset[str]]  # content terms of each distinct sentence, numbers normalised ("#0.5")
    keys: list[str]  # each distinct sentence's normalised words, for how literal a restatement is
    facts: list[frozenset[str]]  # numbers, months and tickers of each distinct sentence
    surfaces: dict[str, str]  # how each number fact was written ("#65.75" -> "65.75 cts")
    names: frozenset[str]  # stemmed words the article capitalises mid-sentence: its names
    title_terms: frozenset[str]
    title_facts: frozenset[str]
    counts: Counter[str]
    shingles: Any  # sorted distinct 5-shingle hashes, a numpy uint32 array (a tenth of a set's memory)
    repeats: list[Repeat]
    trigrams: Any = None  # sorted distinct word 3-gram hashes (numpy uint32): how much wording is shared
    published: Any = None  # datetime of publication when known
    outlet: str = ""  # the source (publication) when known, normalised
    wire_headline: bool = False  # an all-capitals headline, whose names cannot be seen
    word_count: int = 0  # words of the distinct sentences
    sentence_count: int = 0


def _sentence_terms(text: str, tokens: list[str]) -> tuple[list[str], Facts]:
    """Content terms with each number (digits or words) replaced by its normalised key, and the facts."""
    facts = sentence_facts(text, tokens)
    if not facts.numbers:
        return _terms_of(tokens), facts
    # Tokens are letters and digits only: one that is not all letters holds a digit.
    kept = [w for w in tokens if w.isalpha() and w not in NUMBER_WORDS]
    return _terms_of(kept) + sorted(facts.numbers), facts


def wording_shared(a: Article, b: Article) -> float:
    """Share of the shorter text's word 3-grams found in the other (MOSTLY_SAME_WORDS and up: a version)."""
    return _containment(_prepare(a).trigrams, _prepare(b).trigrams)


def _prepare(article: Article) -> _Prepared:
    sentence_words = _sentence_words(article)
    repeats = _find_repeats(article, sentence_words)
    copies = [span for repeat in repeats for span in repeat.spans[1:]]
    sentences: list[Span] = []
    terms: list[frozenset[str]] = []
    keys: list[str] = []
    facts: list[frozenset[str]] = []
    surfaces: dict[str, str] = {}
    names: set[str] = set()
    seen_keys: set[str] = set()
    counts: Counter[str] = Counter()
    kept_words: list[str] = []
    # An all-capitals headline hides its names; a body sentence opening with one of its words shows it.
    headline_words = (
        {w for w in words(article.title) if w not in _STOPWORDS and w not in GENERIC_CAPITALS}
        if not any(c.islower() for c in article.title)
        else set()
    )
    for span, tokens in zip(_sentence_spans(article), sentence_words, strict=True):
        if copies and _inside(span, copies):
            continue
        key = " ".join(tokens)
        if not key or key in seen_keys:
            continue  # a sentence repeated verbatim counts once
        seen_keys.add(key)
        text = article.text(span)
        sentence_terms, sentence_fact = _sentence_terms(text, tokens)
        names.update(name_words(text))
        if tokens and tokens[0] in headline_words and text[:1].isupper():
            names.add(tokens[0])  # "TOYOTA MOTOR CREDIT ISSUES ..." and "Toyota Motor Credit Corp is ..."
        counts.update(sentence_terms)
        sentences.append(span)
        terms.append(frozenset(sentence_terms))
        keys.append(key)
        facts.append(sentence_fact.all())
        for number, written in sentence_fact.surface.items():
            surfaces.setdefault(number, written)
        kept_words.extend(tokens)
    title_words = words(article.title)
    if _opening_as_title(title_words, sentence_words):
        # No headline of its own: the title is the text's opening, which says nothing apart from it.
        title_words = []
    title_terms, title_fact = _sentence_terms(article.title if title_words else "", title_words)
    for number, written in title_fact.surface.items():
        surfaces.setdefault(number, written)
    return _Prepared(
        id=article.id,
        key=" ".join(" ".join(tokens) for tokens in sentence_words if tokens),
        sentences=sentences,
        terms=terms,
        keys=keys,
        facts=facts,
        surfaces=surfaces,
        names=frozenset(stem(n) for n in names),
        title_terms=frozenset(title_terms),
        title_facts=title_fact.all(),
        counts=counts,
        shingles=_shingle_array(kept_words),
        repeats=repeats,
        trigrams=_trigram_array(keys),
        published=article.published,
        outlet=normalise(article.source or ""),
        wire_headline=bool(title_words) and not any(c.islower() for c in article.title),
        word_count=len(kept_words),
        sentence_count=len(sentences),
    )


def _opening_as_title(title_words: list[str], sentence_words: list[list[str]]) -> bool:
    """Whether a title is only the text's first words (a file with no headline is titled so)."""
    opening = [w for tokens in sentence_words[:2] for w in tokens]
    return bool(title_words) and opening[: len(title_words)] == title_words


def _pack(p: _Prepared) -> bytes:
    """What verification needs of a prepared article, as compact bytes (marshal keeps shared strings once).

    Spans and repeats are left out (the index needs no offsets); counts and shingles live in the features.
    """
    published = p.published.isoformat() if p.published is not None else None
    return marshal.dumps(
        (
            p.id,
            tuple(p.terms),
            tuple(p.keys),
            tuple(p.facts),
            p.surfaces,
            p.names,
            p.title_terms,
            p.title_facts,
            published,
            p.sentence_count,
            p.wire_headline,
            p.word_count,
            p.outlet,
        )
    )


def _unpack(data: bytes, feature: _Features) -> _Prepared:
    from datetime import datetime

    (
        article_id,
        terms,
        keys,
        facts,
        surfaces,
        names,
        title_terms,
        title_facts,
        published,
        count,
        wire,
        word_count,
        outlet,
    ) = marshal.loads(data)
    counts = feature.terms if isinstance(feature.terms, Counter) else Counter(feature.terms)
    return _Prepared(
        id=article_id,
        key=feature.key,  # the digest: equal for equal texts, like the text itself
        sentences=[],
        terms=list(terms),
        keys=list(keys),
        facts=[f or EMPTY for f in facts],
        surfaces=surfaces,
        names=names,
        title_terms=title_terms,
        title_facts=title_facts or EMPTY,
        counts=counts,
        shingles=_as_shingle_array(feature.shingles),
        repeats=[],
        trigrams=_trigram_array(keys),
        published=datetime.fromisoformat(published) if published else None,
        sentence_count=count,
        wire_headline=wire,
        word_count=word_count,
        outlet=outlet,
    )


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
            clash = conflict(facts_a[i], facts_b[j])
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
    # Coverage: a sentence merged into (or split across) several partners is covered by their union.
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


def _matched(linked: _Linked) -> tuple[int, int]:
    """Sentences of each side restated in the other (a RESTATED_COVERAGE share of their weight found)
    or found there with other facts: the counts every view of a pair gives."""
    changed_a = {i for i, _, _, _ in linked.conflicts}
    changed_b = {j for _, j, _, _ in linked.conflicts}
    matched_a = sum(1 for i, c in enumerate(linked.coverage_a) if c >= RESTATED_COVERAGE or i in changed_a)
    matched_b = sum(1 for j, c in enumerate(linked.coverage_b) if c >= RESTATED_COVERAGE or j in changed_b)
    return matched_a, matched_b


def _bigrams(key: str) -> set[str]:
    tokens = key.split()
    if len(tokens) < 2:
        return set(tokens)
    return {f"{x} {y}" for x, y in itertools.pairwise(tokens)}


def _literal(a_key: str, b_key: str) -> float:
    """Share of the shorter sentence's word pairs found in the other: 1 for a verbatim copy."""
    x, y = _bigrams(a_key), _bigrams(b_key)
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _containment(x: Any, y: Any) -> float:
    """Share of the smaller of two sorted hash arrays found in the other."""
    if not len(x) or not len(y):
        return 0.0
    import numpy as np

    return len(np.intersect1d(x, y, assume_unique=True)) / min(len(x), len(y))


def _weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    total = sum(weights)
    return sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else 0.0


def _cosine(x: Counter[str], y: Counter[str], idf: dict[str, float]) -> float:
    dot = sum(n * y[t] * idf.get(t, 0.0) ** 2 for t, n in x.items() if t in y)
    nx = math.sqrt(sum((n * idf.get(t, 0.0)) ** 2 for t, n in x.items()))
    ny = math.sqrt(sum((n * idf.get(t, 0.0)) ** 2 for t, n in y.items()))
    return dot / (nx * ny) if nx and ny else 0.0


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
    idf = _pair_idf(a, b)
    linked = _link(a, b, idf)
    coverage_a = _weighted_mean(linked.coverage_a, linked.weight_a)
    coverage_b = _weighted_mean(linked.coverage_b, linked.weight_b)
    short_is_a = sum(linked.weight_a) <= sum(linked.weight_b)
    short, long_ = (coverage_a, coverage_b) if short_is_a else (coverage_b, coverage_a)
    short_coverage = linked.coverage_a if short_is_a else linked.coverage_b
    short_weight = linked.weight_a if short_is_a else linked.weight_b
    total = len(short_coverage)
    restated = sum(1 for c in short_coverage if c >= RESTATED_COVERAGE)
    # How literally each linked sentence is restated; a sentence's best link decides.
    literal: dict[tuple[int, int], float] = {
        (i, j): _literal(a.keys[i], b.keys[j]) for i, j, _ in linked.links
    }
    best_literal = [0.0] * total
    for (i, j), value in literal.items():
        k = i if short_is_a else j
        best_literal[k] = max(best_literal[k], value)
    short_keys = a.keys if short_is_a else b.keys
    # A sentence copied verbatim counts as a passage when it has some length ("1." does not).
    verbatim = sum(
        1
        for value, key in zip(best_literal, short_keys, strict=True)
        if value >= VERBATIM and key.count(" ") + 1 >= MIN_PASSAGE_WORDS
    )
    # The score's measure: the share of the shorter article the other restates, weighted by how
    # literally (a reworded sentence counts from 1 - LITERAL_WEIGHT, a verbatim one fully).
    share = _weighted_mean(
        [
            c * (1 - LITERAL_WEIGHT + LITERAL_WEIGHT * lit)
            for c, lit in zip(short_coverage, best_literal, strict=True)
        ],
        short_weight,
    )
    # How much of the shorter article is copied word for word (sentence by sentence, in any order).
    copied = _weighted_mean(
        [c * lit for c, lit in zip(short_coverage, best_literal, strict=True)], short_weight
    )
    # Sentences worded alike whose facts differ, on the shorter side.
    conflicted = {(i if short_is_a else j) for i, j, _, _ in linked.conflicts}
    conflicted_weight = sum(short_weight[k] for k in conflicted)
    conflicted_share = conflicted_weight / sum(short_weight) if sum(short_weight) else 0.0
    changes = [_change_text(a, b, clash) for _, _, _, clash in linked.conflicts]
    if len(a.shingles) and len(b.shingles):
        import numpy as np

        common = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
        containment = common / min(len(a.shingles), len(b.shingles))
        shingle_jaccard = common / (len(a.shingles) + len(b.shingles) - common)
        size_ratio = min(len(a.shingles), len(b.shingles)) / max(len(a.shingles), len(b.shingles))
    else:
        containment = shingle_jaccard = size_ratio = 0.0
    b_first = a.published is not None and b.published is not None and b.published < a.published
    # Mostly the same words: such a pair is a version, whatever headlines, subjects or form say.
    mostly_same = _containment(a.trigrams, b.trigrams) >= MOSTLY_SAME_WORDS
    # Dated on different days: a report in the same form with other figures is another day's report.
    days_apart = (
        a.published is not None and b.published is not None and a.published.date() != b.published.date()
    )

    def verdict(
        kind: Kind | None, reason: str, value: float, band: Kind | None = None, gist: str | None = None
    ) -> _Verdict:
        # `band` scores a pair in another kind's band than its own (see the fuller versions below).
        if kind == "update" and a.outlet and b.outlet and a.outlet != b.outlet:
            # An update is a later version from the same outlet. Another outlet's text with other or
            # more facts is its own report drawn from this one: the copy its wording makes it.
            kind = band or _copy_kind(short, restated, total, verbatim)
            gist = gist or reason
        banded = band or kind
        # No kind is no match: what two texts share below the weakest kind (a few topic words in a
        # sentence or two) is not a measure of copying, so such a pair scores 0, under every kind.
        score = _banded(banded, value) if banded is not None else 0.0
        return _Verdict(
            score, kind, reason, coverage_a, coverage_b, linked, literal, changes, copied, gist or reason
        )

    names = a.names | b.names
    subject_a, subject_b = _subject(a, names), _subject(b, names)
    title_clash = conflict(
        _with_names(a.title_facts, a.title_terms, names), _with_names(b.title_facts, b.title_terms, names)
    )
    # Headlines about other tickers or names, or an article not naming the other's subject at all.
    same_subject = _same_subject(a, b, names)
    if title_clash is not None and any(f[0] in "<=" for f in title_clash.only_a):
        same_subject = False
    worded_alike = short + conflicted_share >= REWRITE_COVERAGE or containment >= 0.5
    # Another month in sentences worded alike: the same report for another period.
    other_period = any(f[0] == "@" for _, _, _, clash in linked.conflicts for f in clash.only_a)

    # Another subject, or the sentences worded alike mostly give other facts: the same form of report
    # about something else.
    # Figures both give in sentences that agree: the same story's facts, beyond its form.
    agreed = {f for i, j, _ in linked.links for f in a.facts[i] & b.facts[j] if f[0] == "#"}
    # Figures one side gives differently: a correction changes fewer figures than it keeps; the same
    # report issued again for another day (a money market's help, a repo, a price list) changes them all.
    changed = {f for _, _, _, clash in linked.conflicts for f in clash.only_a if f[0] == "#"}
    if title_clash is not None:
        changed |= {f for f in title_clash.only_a if f[0] == "#"}
    other_figures = len(agreed) < len(changed) or (
        (title_clash is not None or conflicted_share > short) and len(agreed) < SAME_STORY_FIGURES
    )
    # Another day's report in the same form is told by its dates, not its wording: it may share most
    # words. Headlines, subjects and form never hide a pair that is mostly the same words.
    # Other figures tell another report in the same form when dates say so, or when the form is seen
    # more than once: two sentences (or the headline) worded alike with other figures. One sentence
    # with another figure is one sentence: a later moment of the same story as often as another report.
    # A text of several sentences that keeps none of the other's figures is another report too.
    several = min(a.sentence_count, b.sentence_count) >= 2
    form_seen = title_clash is not None or len(linked.conflicts) >= 2 or (several and not agreed)
    another_day = worded_alike and (
        other_period or (other_figures and (days_apart or (form_seen and not mostly_same)))
    )
    if another_day or (worded_alike and not mostly_same and not same_subject):
        if not same_subject and not mostly_same:
            # Tickers or bracketed names in the headlines: companies; otherwise whatever the subject is.
            companies = any(f[0] == "<" for f in subject_a) and any(f[0] == "<" for f in subject_b)
            reason = "same form, other company" if companies else "same form, other subject"
        elif other_period:
            reason = "same form, other period"
        elif title_clash is not None or changes:
            before, after = _change_text(a, b, title_clash) if title_clash else changes[0]
            reason = f"same form, other facts: {before} / {after}"
        else:
            reason = "same form, other facts"
        return verdict("template", reason, share)
    if title_clash is not None:
        changes.insert(0, _change_text(a, b, title_clash))
    changes[:] = list(dict.fromkeys(changes))  # the headline and the lead often give the same change
    changes.sort(key=lambda change: not any(c.isdigit() for c in change[0] + change[1]))  # figures first
    facts_note = "figures agree" if not changes else f"{len(changes)} changed"
    # Changed figures or dates make an update; names that differ alone do not (another name is another
    # subject, or a name told apart from a common word by its capital only).
    changed_facts = changed or any(f[0] == "@" for _, _, _, clash in linked.conflicts for f in clash.only_a)
    # A correction keeps at least as many figures as it changes; mostly the same words, it is a version.
    if changed_facts and (
        mostly_same
        or (
            same_subject
            and not other_period
            and len(agreed) >= len(changed)
            and (short >= RELATED_COVERAGE or containment >= 0.5)
        )
    ):
        # A change reads older → newer where both are dated, else as the pair is named (a → b).
        before, after = changes[0][::-1] if b_first else changes[0]
        more = f" (and {len(changes) - 1} more)" if len(changes) > 1 else ""
        return verdict("update", f"same story; {before} → {after}{more}", share)
    longer = b if short_is_a else a
    # A fuller version (adding at least as many sentences as the shorter one has, with facts of their
    # own) is an update, unless it is known to be the earlier text: then the shorter one is a cut.
    longer_earlier = (
        a.published is not None
        and b.published is not None
        and a.published != b.published
        and longer.published == min(a.published, b.published)
    )
    longer_coverage = linked.coverage_b if short_is_a else linked.coverage_a
    longer_only = sum(1 for c in longer_coverage if c < RESTATED_COVERAGE)
    if longer_earlier or not _new_sentences(linked, longer, a if longer is b else b, not short_is_a):
        longer_only = 0  # a cut of an earlier text, or an addition without facts of its own
    added = _added_figures(a, b)
    if shingle_jaccard >= 0.5 or max(containment, copied) >= NEAR_DUPLICATE_CONTAINMENT:
        if longer_only >= max(3, total):
            # The longer text adds as many sentences as the shorter has: a fuller version, not a cut.
            # Which of the two came first is often unknown (an undated cut of a longer text reads the
            # same), so the score says what is sure: how much of the shorter text the longer one
            # holds and how literally, in the band of the copy it is.
            return verdict(
                "update", f"same story; adds {counted(longer_only, 'sentence')}", share, "near-duplicate"
            )
        if added:
            return verdict("update", f"same story; the later version adds {added}", share, "near-duplicate")
        if size_ratio < 0.8:
            in_longer = round(100 * max(containment, copied))
            reason = f"excerpt: {in_longer}% of the shorter text is in the longer one; {facts_note}"
        elif shingle_jaccard >= 0.5:
            reason = f"{round(100 * containment)}% of the wording shared; {facts_note}"
        else:
            reason = f"{round(100 * copied)}% copied with edits; {facts_note}"
        return verdict("near-duplicate", reason, share)
    if short >= REWRITE_COVERAGE and restated >= REWRITE_SENTENCES * total:
        # How literally: a reader tells a pasted excerpt from a reworded text by this.
        as_copied = f", {verbatim} verbatim" if verbatim else ""
        if longer_only >= max(3, total):
            return verdict("update", f"same story; adds {counted(longer_only, 'sentence')}", share, "rewrite")
        if added:
            return verdict("update", f"same story; the later version adds {added}", share, "rewrite")
        return verdict(
            "rewrite",
            f"{restated} of {counted(total, 'sentence')} restated{as_copied}; {facts_note}",
            share,
            gist=facts_note,
        )
    if verbatim >= 2 and same_subject:
        return verdict("partial", f"{verbatim} of {counted(total, 'sentence')} copied verbatim", share)
    cosine = _cosine(a.counts, b.counts, idf)
    if short >= RELATED_COVERAGE or cosine >= RELATED_COSINE:
        if not same_subject:
            gist, evidence = "same topic, other subject", f" (topic overlap {cosine:.2f})"
        elif restated:
            gist, evidence = "same story", f": {restated} of {counted(total, 'sentence')} restated"
        else:
            gist, evidence = "same story, separate report", f" (topic overlap {cosine:.2f})"
        return verdict("related", gist + evidence, share, gist=gist)
    return verdict(None, "no match", share)


_SPELLED_NUMBERS: dict[str, float] = {"one": 1, "first": 1, **NUMBER_WORDS}


def _copy_kind(short: float, restated: int, total: int, verbatim: int) -> Kind:
    """What a text drawn from another is by its wording alone: reworded, partly copied, or told apart."""
    if short >= REWRITE_COVERAGE and restated >= REWRITE_SENTENCES * total:
        return "rewrite"
    if verbatim >= 2:
        return "partial"
    return "related"


def _added_figures(a: _Prepared, b: _Prepared) -> str:
    """Figures the later of two dated versions gives that the earlier lacks, as written; "" if none.

    A later version that changes no figure and adds some is a write-through: the story moved on.
    (Figures it leaves out are no change, as a copy may be cut; tried as a condition, it turned 50
    such versions of the whole Reuters library back into rewrites, which claim the same facts.)
    Undated, which text came first is unknown (a cut of a longer text reads like its source).
    """
    if a.published is None or b.published is None or a.published == b.published:
        return ""
    earlier, later = (a, b) if a.published < b.published else (b, a)

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

    from tui.articles import Span

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


# --------------------------------------------------------------------------- the library index


@dataclass(slots=True)
class _Features:
    """Stage-1 features of one article's content, cached by content hash."""

    key: str  # digest of the normalised text: equal digests are duplicates
    shingles: Collection[int]
    terms: dict[str, int]
    minhash: str | None = None  # MinHash signature (base64), filled in by the LSH stage, then cached too


def _features(prepared: _Prepared) -> _Features:
    return _Features(
        key=hashlib.sha1(prepared.key.encode()).hexdigest(),
        shingles=prepared.shingles,  # a numpy array, a list once written to the cache
        terms=prepared.counts,
    )


def _signature(library: Library) -> str:
    digest = hashlib.sha1(f"v{INDEX_VERSION}".encode())
    for article in library:
        digest.update(f"\0{article.id}\0{article.content_hash}".encode())
    return digest.hexdigest()


def _pair_key(hash_a: str, hash_b: str) -> str:
    return "|".join(sorted((hash_a, hash_b)))


def _kind_filter(kinds: Iterable[Kind] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(LISTED_KINDS)
    chosen = frozenset(kinds)
    unknown = chosen - set(KINDS)
    if unknown:
        from tui.errors import UsageError

        raise UsageError(f"unknown kind: {sorted(unknown)[0]!r} (one of {', '.join(KINDS)})")
    return chosen


def _read_json(path: Path) -> Any:
    import orjson

    try:
        return orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None  # missing or damaged cache: rebuild it


def _write_json(path: Path, value: Any) -> None:
    import orjson

    from tui.paths import write_cache_file

    write_cache_file(path, orjson.dumps(value))


class SimilarityIndex:
    """Every library pair worth showing, with its kind and score; built incrementally, kept on disk."""

    def __init__(self, pairs: Iterable[PairMatch], ids: Iterable[str]) -> None:
        self._pairs = sorted(pairs, key=lambda p: (-p.score, p.a, p.b))
        self._ids = set(ids)
        self._by_id: dict[str, list[Match]] = defaultdict(list)
        for pair in self._pairs:
            self._by_id[pair.a].append(Match(id=pair.b, score=pair.score, kind=pair.kind, reason=pair.reason))
            self._by_id[pair.b].append(Match(id=pair.a, score=pair.score, kind=pair.kind, reason=pair.reason))
        self.stats: dict[str, float] = {}

    def matches(self, article_id: str, kinds: Iterable[Kind] | None = None) -> list[Match]:
        """That article's matches, best first."""
        if article_id not in self._ids:
            from tui.errors import UnknownArticleError

            raise UnknownArticleError(article_id)
        chosen = _kind_filter(kinds)
        return [m for m in self._by_id.get(article_id, []) if m.kind in chosen]

    def pairs(self, kinds: Iterable[Kind] | None = None) -> list[PairMatch]:
        """All matching pairs of the library, best first."""
        chosen = _kind_filter(kinds)
        return [p for p in self._pairs if p.kind in chosen]

    def __len__(self) -> int:
        return len(self._pairs)

    @classmethod
    def build(
        cls,
        library: Library,
        cache_dir: Path | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SimilarityIndex:
        """The index of a library; reuses what the cache holds for unchanged content."""
        folder = cache_dir / "similarity" if cache_dir is not None else None
        try:
            return cls._build(library, folder, progress, trust_cache=True)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            # A cache file that parses but has the wrong shape (edited, or from a foreign tool):
            # start again from the articles; a genuine bug raises again here.
            return cls._build(library, folder, progress, trust_cache=False)

    @classmethod
    def _build(
        cls,
        library: Library,
        folder: Path | None,
        progress: Callable[[int, int], None] | None,
        *,
        trust_cache: bool,
    ) -> SimilarityIndex:
        articles = list(library)
        total = 2 * len(articles)
        signature = _signature(library)
        ids = [a.id for a in articles]
        cache = folder if trust_cache else None
        if cache is not None:
            stored = _read_json(cache / "pairs.json")
            if isinstance(stored, dict) and stored.get("signature") == signature:
                index = cls((_pair_from_row(row) for row in stored["pairs"]), ids)
                index.stats = {"reused": 1.0}
                if progress:
                    progress(total, total)
                return index
        cached_features = (_read_json(cache / "features.json") if cache else None) or {}
        if cached_features.get("version") != INDEX_VERSION:
            cached_features = {"version": INDEX_VERSION, "articles": {}}
        cached_verdicts = (_read_json(cache / "verdicts.json") if cache else None) or {}
        if cached_verdicts.get("version") != INDEX_VERSION:
            cached_verdicts = {"version": INDEX_VERSION, "verdicts": {}}
        feature_rows: dict[str, Any] = cached_features["articles"]
        verdict_rows: dict[str, Any] = cached_verdicts["verdicts"]

        started = time.perf_counter()
        features: list[_Features] = []
        # Verification data of the articles prepared in this build, packed (about a tenth of the live
        # objects' memory), so that no article is prepared twice.
        packed: dict[int, bytes] = {}
        computed = 0
        for done, article in enumerate(articles, 1):
            row = feature_rows.get(article.content_hash)
            if row is None:
                fresh = _prepare(article)
                feature = _features(fresh)
                packed[done - 1] = _pack(fresh)
                feature_rows[article.content_hash] = [feature.key, feature.shingles, feature.terms, None]
                computed += 1
            else:
                feature = _Features(key=row[0], shingles=row[1], terms=row[2], minhash=row[3])
            features.append(feature)
            if progress and (done % 64 == 0 or done == len(articles)):
                progress(done, total)

        featured = time.perf_counter()
        candidates = _candidates(features)
        proposed = time.perf_counter()
        for article, feature in zip(articles, features, strict=True):
            feature_rows[article.content_hash][3] = feature.minhash
        pairs: list[PairMatch] = []
        verified = 0
        live_verdicts: dict[str, Any] = {}
        ordered = sorted(candidates)
        last_use: dict[int, int] = {}
        for position, (i, j) in enumerate(ordered):
            last_use[i] = last_use[j] = position
        prepared: dict[int, _Prepared] = {}
        for done, (i, j) in enumerate(ordered, 1):
            a, b = articles[i], articles[j]
            key = _pair_key(a.content_hash, b.content_hash)
            verdict = verdict_rows.get(key)
            if verdict is None:
                for k, article in ((i, a), (j, b)):
                    if k not in prepared:
                        if k not in packed:
                            packed[k] = _pack(_prepare(article))  # features came from the cache
                        prepared[k] = _unpack(packed[k], features[k])
                judged = _judge(prepared[i], prepared[j])
                verdict = [round(judged.score, 4), judged.kind, judged.reason]
                verified += 1
            for k in (i, j):
                if last_use[k] == done - 1:
                    prepared.pop(k, None)  # bounded memory on large libraries
                    packed.pop(k, None)
            live_verdicts[key] = verdict
            if verdict[1] is not None:
                pairs.append(_pair_from_row([a.id, b.id, *verdict]))
            if progress and (done % 256 == 0 or done == len(ordered)):
                progress(len(articles) + len(articles) * done // len(ordered), total)
        if progress:
            progress(total, total)

        if folder is not None:
            live_hashes = {a.content_hash for a in articles}
            feature_rows = {
                h: [row[0], row[1] if isinstance(row[1], list) else row[1].tolist(), *row[2:]]
                for h, row in feature_rows.items()
                if h in live_hashes
            }
            _write_json(folder / "features.json", {"version": INDEX_VERSION, "articles": feature_rows})
            _write_json(folder / "verdicts.json", {"version": INDEX_VERSION, "verdicts": live_verdicts})
            _write_json(
                folder / "pairs.json",
                {"signature": signature, "pairs": [[p.a, p.b, p.score, p.kind, p.reason] for p in pairs]},
            )
        index = cls(pairs, ids)
        index.stats = {
            "reused": 0.0,
            "features_computed": float(computed),
            "candidates": float(len(candidates)),
            "verified": float(verified),
            "features_s": round(featured - started, 2),
            "candidates_s": round(proposed - featured, 2),
            "verify_s": round(time.perf_counter() - proposed, 2),
        }
        return index


def _pair_from_row(row: list[Any]) -> PairMatch:
    a, b, score, kind, reason = row
    if kind not in KINDS or not isinstance(a, str) or not isinstance(b, str):
        raise ValueError(f"not a pair: {row!r}")
    return PairMatch(a, b, float(score), kind, str(reason))


def _candidates(features: Sequence[_Features]) -> set[tuple[int, int]]:
    """Stage 1: pairs worth verifying, without comparing all pairs."""
    candidates: set[tuple[int, int]] = set()
    # Exact duplicates by hash of the normalised text.
    groups: dict[str, list[int]] = defaultdict(list)
    for i, feature in enumerate(features):
        groups[feature.key].append(i)
    for members in groups.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                candidates.add((i, j))
    candidates |= _lsh_candidates(features)
    candidates |= _tfidf_candidates(features)
    return candidates


# MinHash: NUM_PERM hash functions x -> mix(a * x + b mod 2**32) with odd a (each a permutation of the
# 32-bit values; the shingles are crc32 values already), fixed by a seeded generator so signatures can
# be cached; LSH banding in LSH_BANDS bands of LSH_ROWS values (the choice datasketch makes for a 0.35
# threshold at 128 permutations: a pair at Jaccard 0.5 shares a band with probability 0.87, at 0.6 with
# 0.99; the TF-IDF neighbours catch most of the rest).
LSH_BANDS, LSH_ROWS = 32, 4
# Shingles hashed per numpy batch: bounds the (batch x NUM_PERM) work array to about 40 MB.
_MINHASH_BATCH_SHINGLES = 80_000


def _minhash_parameters() -> tuple[Any, Any]:
    import numpy as np

    generator = np.random.default_rng(1)
    a = generator.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = generator.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
    return a, b


def _signatures(features: Sequence[_Features], members: list[int]) -> Any:
    """MinHash signatures (len(members) x NUM_PERM, uint32) of the given articles, reusing cached ones.

    A signature is cached in the article's features as base64 of its little-endian uint32 values.
    """
    import base64

    import numpy as np

    a, b = _minhash_parameters()
    signatures = np.zeros((len(members), NUM_PERM), dtype=np.uint32)
    todo: list[int] = []
    for row, i in enumerate(members):
        cached = features[i].minhash
        raw = base64.b64decode(cached) if isinstance(cached, str) else b""
        if len(raw) == 4 * NUM_PERM:
            signatures[row] = np.frombuffer(raw, dtype="<u4")
        else:
            todo.append(row)
    position = 0
    while position < len(todo):
        batch: list[int] = []
        size = 0
        while position < len(todo):
            length = len(features[members[todo[position]]].shingles)
            if batch and size + length > _MINHASH_BATCH_SHINGLES:
                break
            batch.append(todo[position])
            size += length
            position += 1
        values = np.fromiter(
            itertools.chain.from_iterable(features[members[row]].shingles for row in batch),
            dtype=np.uint32,
            count=size,
        )
        hashed = values[None, :] * a[:, None] + b[:, None]  # wraps modulo 2**32
        hashed ^= hashed >> np.uint32(16)
        hashed *= np.uint32(0x45D9F3B)
        hashed ^= hashed >> np.uint32(16)
        lengths = np.array([len(features[members[row]].shingles) for row in batch])
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        minima = np.minimum.reduceat(hashed, offsets, axis=1).T
        for k, row in enumerate(batch):
            signatures[row] = minima[k]
            features[members[row]].minhash = base64.b64encode(minima[k].astype("<u4").tobytes()).decode()
    return signatures


def _lsh_candidates(features: Sequence[_Features]) -> set[tuple[int, int]]:
    """Near-duplicates: MinHash LSH over word 5-shingles (one entry per distinct text)."""
    import numpy as np

    representative: dict[str, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for i, feature in enumerate(features):
        if not len(feature.shingles):
            continue
        first = representative.setdefault(feature.key, i)
        members[first].append(i)
    distinct = list(members)
    if len(distinct) < 2:
        return set()
    signatures = _signatures(features, distinct)
    found: set[tuple[int, int]] = set()
    for band in range(LSH_BANDS):
        # The band's values as one key: its bytes, compared whole.
        block = np.ascontiguousarray(signatures[:, band * LSH_ROWS : (band + 1) * LSH_ROWS])
        keys = block.view(np.dtype((np.void, 4 * LSH_ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        ends = np.concatenate((starts[1:], [len(sorted_keys)]))
        for lo, hi in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True):
            rows = order[lo:hi].tolist()
            for x, r1 in enumerate(rows):
                for r2 in rows[x + 1 :]:
                    i, j = distinct[r1], distinct[r2]
                    found.add((i, j) if i < j else (j, i))
    candidates: set[tuple[int, int]] = set()
    for i, j in found:
        for x in members[i]:
            for y in members[j]:
                if x != y:
                    candidates.add((min(x, y), max(x, y)))
    return candidates


# In the TF-IDF neighbour search, terms found in more than this share of the articles (and at least
# COMMON_TERM_MIN of them) are left out of the products: they say little about which articles match
# and make every article a neighbour of every other. Norms still count them.
COMMON_TERM_SHARE = 0.02
COMMON_TERM_MIN = 100


def _tfidf_candidates(
    features: Sequence[_Features], top_k: int = TOP_K, floor: float = 0.2
) -> set[tuple[int, int]]:
    """Rewrites and related stories: top-k neighbours by TF-IDF cosine over content words and names."""
    import numpy as np
    from scipy import sparse

    n = len(features)
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for feature in features:
        for term, count in feature.terms.items():
            indices.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(count)
        indptr.append(len(indices))
    if n < 2 or not vocabulary:
        return set()
    columns = np.asarray(indices, dtype=np.int32)
    values = 1.0 + np.log(np.asarray(counts, dtype=np.float32))  # sublinear tf
    df = np.bincount(columns, minlength=len(vocabulary))
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    values *= idf[columns]
    row_of = np.repeat(np.arange(n), np.diff(indptr))
    norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=n)).astype(np.float32)
    norms[norms == 0] = 1.0
    values /= norms[row_of]
    informative = (df >= 2) & (df <= max(COMMON_TERM_MIN, COMMON_TERM_SHARE * n))
    keep = informative[columns]
    matrix = sparse.csr_matrix(
        (
            values[keep],
            columns[keep],
            np.concatenate(([0], np.cumsum(np.bincount(row_of[keep], minlength=n)))),
        ),
        shape=(n, len(vocabulary)),
        dtype=np.float32,
    )
    transposed = matrix.T.tocsr()
    candidates: set[tuple[int, int]] = set()
    chunk = 512
    for start in range(0, n, chunk):
        block = (matrix[start : start + chunk] @ transposed).tocsr()
        for offset in range(block.shape[0]):
            i = start + offset
            lo, hi = block.indptr[offset], block.indptr[offset + 1]
            cols, sims = block.indices[lo:hi], block.data[lo:hi]
            mask = (sims >= floor) & (cols != i)
            cols, sims = cols[mask], sims[mask]
            if len(cols) > top_k:
                best = np.argpartition(-sims, top_k - 1)[:top_k]
                cols = cols[best]
            for j in cols.tolist():
                candidates.add((i, j) if i < j else (j, i))
    return candidates
