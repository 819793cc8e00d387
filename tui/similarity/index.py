"""The library's index: every pair worth showing, built incrementally and kept on disk.

Pure core: no Textual, no Rich; numpy and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.similarity.candidates import _candidates
from tui.similarity.model import KINDS, LISTED_KINDS, Kind, Match, PairMatch
from tui.similarity.prepared import _Features, _features, _pack, _prepare, _Prepared, _unpack
from tui.similarity.verdict import _judge

if TYPE_CHECKING:
    from tui.articles import Library


# Bump when features, thresholds or the cache layout change: old caches are then ignored.
INDEX_VERSION = 10


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
            _save(folder, signature, feature_rows, live_hashes, live_verdicts, pairs)
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


def _save(
    folder: Path,
    signature: str,
    feature_rows: dict[str, Any],
    live_hashes: set[str],
    live_verdicts: dict[str, Any],
    pairs: list[PairMatch],
) -> None:
    """The cache: features and verdicts of the live articles (by content hash), and the pairs."""
    features = {
        h: [row[0], row[1] if isinstance(row[1], list) else row[1].tolist(), *row[2:]]
        for h, row in feature_rows.items()
        if h in live_hashes
    }
    _write_json(folder / "features.json", {"version": INDEX_VERSION, "articles": features})
    _write_json(folder / "verdicts.json", {"version": INDEX_VERSION, "verdicts": live_verdicts})
    _write_json(
        folder / "pairs.json",
        {"signature": signature, "pairs": [[p.a, p.b, p.score, p.kind, p.reason] for p in pairs]},
    )


def _pair_from_row(row: list[Any]) -> PairMatch:
    a, b, score, kind, reason = row
    if kind not in KINDS or not isinstance(a, str) or not isinstance(b, str):
        raise ValueError(f"not a pair: {row!r}")
    return PairMatch(a, b, float(score), kind, str(reason))
