"""What alignment and the index need of one article, computed once and packed for the cache.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.similarity.facts import (
    EMPTY,
    GENERIC_CAPITALS,
    NUMBER_WORDS,
    Facts,
    names_and_acronyms,
    sentence_facts,
)
from tui.similarity.model import Repeat
from tui.similarity.repeats import _find_repeats, _inside, _sentence_spans, _sentence_words
from tui.similarity.text import (
    _STOPWORDS,
    _containment,
    _shingle_array,
    _terms_of,
    _trigram_array,
    normalise,
    stem,
    words,
)

if TYPE_CHECKING:
    from tui.library.articles import Article, Span


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
    day_only: bool = False  # the source gave the day of publication, no time of day
    outlet: str = ""  # the source (publication) when known, normalised
    wire_headline: bool = False  # an all-capitals headline, whose names cannot be seen
    word_count: int = 0  # words of the distinct sentences
    sentence_count: int = 0
    acronyms: frozenset[str] = frozenset()  # name facts ("=eu") the text writes as acronyms ("EU")


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
    acronyms: set[str] = set()
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
        sentence_names, sentence_acronyms = names_and_acronyms(text)
        names.update(sentence_names)
        acronyms.update(sentence_acronyms)
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
        day_only=article.day_only,
        outlet=normalise(article.source or ""),
        wire_headline=bool(title_words) and not any(c.islower() for c in article.title),
        word_count=len(kept_words),
        sentence_count=len(sentences),
        acronyms=frozenset("=" + stem(n) for n in acronyms),
    )


def _opening_as_title(title_words: list[str], sentence_words: list[list[str]]) -> bool:
    """Whether a title is only the text's first words (a file with no headline is titled so)."""
    opening = [w for tokens in sentence_words[:2] for w in tokens]
    return bool(title_words) and opening[: len(title_words)] == title_words


def _pack(p: _Prepared) -> bytes:
    """What verification needs of a prepared article, as compact bytes (marshal keeps shared strings once).

    Spans and repeats are left out (the index needs no offsets).
    """
    published = None
    if p.published is not None:
        # A day alone is kept as a day (ten characters), so the order of two versions stays a day's.
        published = p.published.date().isoformat() if p.day_only else p.published.isoformat()
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
            p.trigrams.tobytes(),
            dict(p.counts),
            p.shingles.tobytes(),
            p.acronyms,
        )
    )


def _unpack(data: bytes, key: str) -> _Prepared:
    from datetime import datetime

    import numpy as np

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
        trigrams,
        counts,
        shingles,
        acronyms,
    ) = marshal.loads(data)
    return _Prepared(
        id=article_id,
        key=key,  # the digest: equal for equal texts, like the text itself
        sentences=[],
        terms=list(terms),
        keys=list(keys),
        facts=[f or EMPTY for f in facts],
        surfaces=surfaces,
        names=names,
        title_terms=title_terms,
        title_facts=title_facts or EMPTY,
        counts=Counter(counts),
        shingles=np.frombuffer(shingles, dtype=np.uint32),
        repeats=[],
        trigrams=np.frombuffer(trigrams, dtype=np.uint32),
        published=datetime.fromisoformat(published) if published else None,
        day_only=bool(published) and len(published) == len("2024-06-17"),
        sentence_count=count,
        wire_headline=wire,
        word_count=word_count,
        outlet=outlet,
        acronyms=acronyms,
    )


@dataclass(slots=True)
class _Features:
    """Stage-1 features of one article's content, cached by content hash."""

    key: str  # digest of the normalised text: equal digests are duplicates
    shingle_count: int
    shingles: Collection[int] = ()  # needed only until the MinHash signature is known
    term_ids: Any = None  # int32 term numbers (the index's vocabulary) of a text prepared in this build
    term_counts: Any = None  # their counts; both None when the terms are in the index's store
    minhash: bytes | None = None  # MinHash signature (little-endian uint32), filled in by the LSH stage


def _features(prepared: _Prepared) -> _Features:
    return _Features(
        key=hashlib.sha1(prepared.key.encode()).hexdigest(),
        shingle_count=len(prepared.shingles),
        shingles=prepared.shingles,
    )


def published_order(a: _Prepared, b: _Prepared) -> int:
    """-1 when a was published first, 1 when b was, 0 when that is not known: either undated, or at the
    same moment. A day given without a time of day is compared as a day: a report dated "17 June" is not
    earlier than another's "17 June, 15:43"."""
    if a.published is None or b.published is None:
        return 0
    if a.day_only or b.day_only:
        first, second = a.published.date(), b.published.date()
        return -1 if first < second else 1 if second < first else 0
    return -1 if a.published < b.published else 1 if b.published < a.published else 0
