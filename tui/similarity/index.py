"""The library's index: every pair worth showing, built incrementally and kept on disk.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tui.collector import collector_paused
from tui.similarity.candidates import _candidates
from tui.similarity.featuring import computed
from tui.similarity.judging import judge_pairs
from tui.similarity.model import KINDS, LISTED_KINDS, Kind, Match, PairMatch
from tui.similarity.neighbours import Baseline
from tui.similarity.prepared import _Features, _pack, _prepare
from tui.similarity.store import FILE_NAME, IndexStore, PairRow, VerdictRow

if TYPE_CHECKING:
    from tui.library.articles import Article, Library


# Bump when features, thresholds or the cache layout change: old caches are then ignored.
INDEX_VERSION = 16


class _Identified(Protocol):
    """An article as the index's signature reads it: a library's `Article` or a listing's entry."""

    @property
    def id(self) -> str: ...

    @property
    def content_hash(self) -> str: ...


def _signature(articles: Iterable[_Identified]) -> str:
    digest = hashlib.sha1(f"v{INDEX_VERSION}".encode())
    for article in articles:
        digest.update(f"\0{article.id}\0{article.content_hash}".encode())
    return digest.hexdigest()


def _pair_key(hash_a: str, hash_b: str) -> str:
    return f"{hash_a}|{hash_b}" if hash_a <= hash_b else f"{hash_b}|{hash_a}"


def _kind_filter(kinds: Iterable[Kind] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(LISTED_KINDS)
    chosen = frozenset(kinds)
    unknown = chosen - set(KINDS)
    if unknown:
        from tui.errors import UsageError

        raise UsageError(f"unknown kind: {sorted(unknown)[0]!r} (one of {', '.join(KINDS)})")
    return chosen


class SimilarityIndex:
    """Every library pair worth showing, with its kind and score; built incrementally, kept on disk."""

    def __init__(self, pairs: Iterable[PairMatch], ids: Iterable[str], best_first: bool = False) -> None:
        """`best_first`: the pairs come in their order already (the store sorts what it gives)."""
        self._pairs = list(pairs) if best_first else sorted(pairs, key=_best_first)
        self._ids = set(ids)
        self._partners: dict[str, list[int]] | None = None
        self.stats: dict[str, float] = {}

    def prepare_matches(self) -> None:
        """Make each article's list of pairs now (a worker does, so that the first `matches` call,
        on the UI thread, does not)."""
        self._pairs_of()

    def _pairs_of(self) -> dict[str, list[int]]:
        """Each article's pairs (their positions, best first): made when first asked for, since a
        listing of every pair (`tui dupes`) never needs them. Positions, not `Match` objects: at
        100,000 articles the app's first marks waited 1.7 s for 360,000 of them to be made."""
        if self._partners is None:
            partners: dict[str, list[int]] = defaultdict(list)
            with collector_paused():
                for position, pair in enumerate(self._pairs):
                    partners[pair.a].append(position)
                    partners[pair.b].append(position)
            self._partners = partners
        return self._partners

    def matches(self, article_id: str, kinds: Iterable[Kind] | None = None) -> list[Match]:
        """That article's matches, best first."""
        if article_id not in self._ids:
            from tui.errors import UnknownArticleError

            raise UnknownArticleError(article_id)
        chosen = _kind_filter(kinds)
        matches = []
        for position in self._pairs_of().get(article_id, ()):
            pair = self._pairs[position]
            if pair.kind in chosen:
                other = pair.b if pair.a == article_id else pair.a
                matches.append(Match(id=other, score=pair.score, kind=pair.kind, reason=pair.reason))
        return matches

    def pairs(self, kinds: Iterable[Kind] | None = None) -> list[PairMatch]:
        """All matching pairs of the library, best first."""
        chosen = _kind_filter(kinds)
        return [p for p in self._pairs if p.kind in chosen]

    def __len__(self) -> int:
        return len(self._pairs)

    @classmethod
    def stored(cls, articles: Iterable[_Identified], cache_dir: Path | None) -> SimilarityIndex | None:
        """The index kept on disk when it is current for these articles (ids and content hashes, as a
        listing gives them, no text read); None when it must be built."""
        articles = list(articles)
        pairs = _stored_pairs(articles, cache_dir, None)
        if pairs is None:
            return None
        index = cls(pairs, (a.id for a in articles), best_first=True)
        index.stats = {"reused": 1.0}
        return index

    @staticmethod
    def stored_pairs(
        articles: Iterable[_Identified], cache_dir: Path | None, kinds: Iterable[Kind] | None = None
    ) -> list[PairMatch] | None:
        """`stored(...).pairs(kinds)`, reading only the pairs of those kinds: `tui dupes --json` on a
        current index."""
        return _stored_pairs(list(articles), cache_dir, _kind_filter(kinds))

    @classmethod
    def build(
        cls,
        library: Library,
        cache_dir: Path | None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SimilarityIndex:
        """The index of a library; reuses what the cache holds for unchanged content."""
        store = IndexStore(cache_dir / "similarity" if cache_dir is not None else None, INDEX_VERSION)
        try:
            try:
                return cls._build(library, store, progress)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError, EOFError):
                # Cached rows that read but have the wrong shape (edited, or from a foreign tool):
                # start again from the articles; a genuine bug raises again here.
                store.clear()
                return cls._build(library, store, progress)
        finally:
            store.close()

    @classmethod
    def _build(
        cls,
        library: Library,
        store: IndexStore,
        progress: Callable[[int, int], None] | None,
    ) -> SimilarityIndex:
        articles = list(library)
        total = 2 * len(articles)
        signature = _signature(library)
        ids = [a.id for a in articles]
        with store.snapshot():
            if store.signature() == signature:
                index = cls(_pair_matches(store.pairs()), ids, best_first=True)
                index.stats = {"reused": 1.0}
                if progress:
                    progress(total, total)
                return index
            stored = store.features()
            vocabulary = store.vocabulary()
            numbered = len(vocabulary)
            started = time.perf_counter()
            features, packed = _article_features(articles, stored, vocabulary, progress, total)
            featured = time.perf_counter()
            computed = len(packed)
            term_rows = _term_rows(articles, features, store.term_rows(), vocabulary)
            kept = store.neighbours()
            baseline = Baseline.from_bytes(kept) if kept else None
            hashes = [a.content_hash for a in articles]
            candidates, new_baseline = _candidates(features, term_rows, hashes, baseline)
            known_verdicts = store.verdicts()
        proposed = time.perf_counter()
        pairs, new_verdicts = _verify(articles, features, packed, candidates, known_verdicts, progress)
        if progress:
            progress(total, total)
        store.save(
            new_features=(
                (a.content_hash, f.key, f.shingle_count, f.minhash, ids.tobytes(), counts.tobytes())
                for a, f, (ids, counts) in zip(articles, features, term_rows, strict=True)
                if a.content_hash not in stored and f.term_ids is not None
            ),
            minhashes=(
                (a.content_hash, f.minhash)
                for a, f in zip(articles, features, strict=True)
                if a.content_hash in stored and stored[a.content_hash][2] is None and f.minhash is not None
            ),
            new_verdicts=new_verdicts.items(),
            new_terms=((t, n) for t, n in vocabulary.items() if n >= numbered),
            gone_hashes=stored.keys() - set(hashes),
            signature=signature,
            pairs=((p.a, p.b, p.score, p.kind, p.reason) for p in pairs),
            neighbours=_baseline_bytes(baseline, new_baseline),
        )
        index = cls(pairs, ids)
        index.stats = {
            "reused": 0.0,
            "features_computed": float(computed),
            "candidates": float(len(candidates)),
            "verified": float(len(new_verdicts)),
            "features_s": round(featured - started, 2),
            "candidates_s": round(proposed - featured, 2),
            "verify_s": round(time.perf_counter() - proposed, 2),
        }
        return index


def _article_features(
    articles: list[Article],
    stored: dict[str, tuple[str, int, bytes | None]],
    vocabulary: dict[str, int],
    progress: Callable[[int, int], None] | None,
    total: int,
) -> tuple[list[_Features], dict[int, bytes]]:
    """Each article's stage-1 features, from the store or computed (new terms numbered into
    `vocabulary`); and the verification data of the articles prepared here, packed (about a tenth of
    the live objects' memory), so that no article is prepared twice. Nothing of a computed article
    is kept but these: a cold build of a large library holds arrays, not dictionaries."""
    import numpy as np

    # Which articles are prepared here: not in the store, and one text stored twice only once.
    todo: dict[str, int] = {}
    for position, article in enumerate(articles):
        if article.content_hash not in stored:
            todo.setdefault(article.content_hash, position)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress and (done % 64 < count or done == len(todo)):
            progress(len(articles) - len(todo) + done, total)

    fresh: dict[str, _Features] = {}
    packed: dict[int, bytes] = {}
    for (content_hash, position), result in zip(
        todo.items(), computed([articles[k] for k in todo.values()], advance), strict=True
    ):
        feature = fresh[content_hash] = result.feature
        # Terms are numbered in the articles' order, as they always were: the same vocabulary.
        feature.term_ids = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for t, _ in result.counts), dtype="<i4"
        )
        feature.term_counts = np.fromiter(
            (n for _, n in result.counts), dtype="<i4", count=len(result.counts)
        )
        packed[position] = result.packed
    features: list[_Features] = []
    for article in articles:
        row = stored.get(article.content_hash)
        if row is not None:
            features.append(_Features(key=row[0], shingle_count=row[1], minhash=row[2]))
        else:
            features.append(fresh[article.content_hash])
    if progress:
        progress(len(articles), total)
    return features, packed


def _term_rows(
    articles: list[Article],
    features: list[_Features],
    stored: dict[str, tuple[bytes, bytes]],
    vocabulary: dict[str, int],
) -> list[tuple[Any, Any]]:
    """Each article's (term numbers, counts) as int32 arrays: computed in this build, or from the store."""
    import numpy as np

    rows: list[tuple[Any, Any]] = []
    for article, feature in zip(articles, features, strict=True):
        if feature.term_ids is not None:
            rows.append((feature.term_ids, feature.term_counts))
        else:
            raw_ids, raw_counts = stored[article.content_hash]
            ids, counts = np.frombuffer(raw_ids, dtype="<i4"), np.frombuffer(raw_counts, dtype="<i4")
            if len(ids) != len(counts):
                raise ValueError(f"term rows of {article.content_hash} do not match")
            rows.append((ids, counts))
    if rows and any(len(ids) for ids, _ in rows):
        numbers = np.concatenate([ids for ids, _ in rows])
        if numbers.min() < 0 or numbers.max() >= len(vocabulary):
            raise ValueError("term numbers outside the vocabulary")
    return rows


def _verify(
    articles: list[Article],
    features: list[_Features],
    packed: dict[int, bytes],
    candidates: set[tuple[int, int]],
    known: dict[str, VerdictRow],
    progress: Callable[[int, int], None] | None,
) -> tuple[list[PairMatch], dict[str, VerdictRow]]:
    """Stage 2: each candidate pair judged, or its verdict taken from the store by content hashes."""
    ordered = sorted(candidates)
    hashes = [a.content_hash for a in articles]
    keys = [_pair_key(hashes[i], hashes[j]) for i, j in ordered]
    todo: dict[str, tuple[int, int]] = {}  # one judgement per pair of texts
    for key, pair in zip(keys, ordered, strict=True):
        if key not in known:
            todo.setdefault(key, pair)

    def packed_of(k: int) -> bytes:
        if k not in packed:
            packed[k] = _pack(_prepare(articles[k]))  # features came from the store
            articles[k].forget_text()
        return packed[k]

    def release(k: int) -> None:
        packed.pop(k, None)  # bounded memory on large libraries

    judged = 0

    def advance(count: int) -> None:
        nonlocal judged
        judged += count
        if progress and todo and (judged % 256 < count or judged >= len(todo)):
            progress(len(articles) + len(articles) * min(judged, len(todo)) // len(todo), 2 * len(articles))

    rows = judge_pairs(list(todo.values()), packed_of, [f.key for f in features], release, advance)
    computed = dict(zip(todo, rows, strict=True))
    ids = [a.id for a in articles]
    pairs = []
    for key, (i, j) in zip(keys, ordered, strict=True):
        score, kind, reason = known.get(key) or computed[key]
        if kind is not None:
            if kind not in KINDS:
                raise ValueError(f"not a kind: {kind!r}")
            pairs.append(PairMatch(ids[i], ids[j], float(score), kind, str(reason)))
    return pairs, computed


def _baseline_bytes(kept: Baseline | None, made: Baseline | None) -> bytes | None:
    """What the store is to keep of the TF-IDF baseline: None to leave it as it is (the kept one
    served, or there was none and is none), an empty value to clear it (the library became too small
    for one), or the new one."""
    if made is None:
        return b"" if kept is not None else None
    return None if made is kept else made.to_bytes()


def _best_first(pair: PairMatch) -> tuple[float, str, str]:
    return -pair.score, pair.a, pair.b


def _stored_pairs(
    articles: list[_Identified], cache_dir: Path | None, kinds: frozenset[str] | None
) -> list[PairMatch] | None:
    """The kept pairs (of those kinds), best first, when the index on disk is current for these
    articles; None when it must be built."""
    if cache_dir is None or not (cache_dir / "similarity" / FILE_NAME).is_file():
        return None
    signature = _signature(articles)
    store = IndexStore(cache_dir / "similarity", INDEX_VERSION)
    try:
        # Hundreds of thousands of objects that all live on: the collector would walk them again
        # and again (a third of the time at 95,000 articles) and free nothing.
        with collector_paused(), store.snapshot():
            if store.signature() != signature:
                return None
            return _pair_matches(store.pairs(kinds))
    except (IndexError, KeyError, TypeError, ValueError):
        return None  # rows of the wrong shape: `build` starts again
    finally:
        store.close()


def _pair_matches(rows: list[PairRow]) -> list[PairMatch]:
    """The store's current pairs as pairs (their shapes and kinds checked by the store)."""
    return [PairMatch(*row) for row in rows]  # type: ignore[arg-type]
