"""The similarity index on the BBC library (2,225 articles): recall, build times, query latency, memory.

Prints, each next to a baseline measured in the same run:
- recall of the pairs whose exact word-5-shingle Jaccard is >= 0.5 (the baseline: brute force over all pairs);
- cold build (empty cache) and current build (nothing changed) times, and an incremental build
  after adding, changing and removing one article each;
- one article's matches, p50/p95 over every article;
- `compare` of two 1,000-word articles;
- peak memory (max RSS) of this process;
- the kinds found, and the related pairs among same-story follow-ups.

    python bench/similarity.py [--library ../shared/bench/bbc]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from tui.library.articles import Article, Library
from tui.library.loader import load_library
from tui.library.parsing import article_from_text
from tui.similarity import SimilarityIndex, compare, shingles

DEFAULT_LIBRARY = Path(__file__).resolve().parents[2] / "shared" / "bench" / "bbc"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def exact_jaccard_pairs(library: Library, threshold: float = 0.5) -> set[tuple[str, str]]:
    """Every pair with exact word-5-shingle Jaccard >= threshold, by brute force (sparse products)."""
    import numpy as np
    from scipy import sparse

    articles = list(library)
    vocabulary: dict[int, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, article in enumerate(articles):
        for value in shingles(article.body):
            rows.append(i)
            cols.append(vocabulary.setdefault(value, len(vocabulary)))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    common = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    union = sizes[common.row] + sizes[common.col] - common.data
    keep = common.data >= threshold * union
    return {
        tuple(sorted((articles[i].id, articles[j].id)))  # type: ignore[misc]
        for i, j in zip(common.row[keep], common.col[keep], strict=True)
    }


def thousand_words(articles: list[Article], seed: int) -> Article:
    """About 1,000 words of real paragraphs, drawn from a few articles."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    count = 0
    while count < 1000:
        article = rng.choice(articles)
        for span in article.paragraphs:
            text = article.text(span)
            paragraphs.append(text)
            count += len(text.split())
            if count >= 1000:
                break
    return article_from_text("\n\n".join(paragraphs), f"synthetic-{seed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=DEFAULT_LIBRARY)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tui-bench-"))
    try:
        run(args.library, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(library_dir: Path, work: Path) -> None:
    started = time.perf_counter()
    library = load_library(library_dir, cache_dir=work / "load-cache")
    print(
        f"library: {len(library)} articles loaded in {time.perf_counter() - started:.2f} s (not counted below)"
    )
    titles = {a.id: a.title for a in library}

    cache = work / "cache"
    started, cpu = time.perf_counter(), time.process_time()
    index = SimilarityIndex.build(library, cache)
    cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
    rss_after_build = peak_mb()
    started = time.perf_counter()
    current = SimilarityIndex.build(library, cache)
    warm = time.perf_counter() - started
    assert current.pairs() == index.pairs()
    print(f"cold build: {cold:.2f} s wall, {cold_cpu:.2f} s CPU  ({index.stats})   target < 10 s")
    print(
        f"current build: {warm * 1000:.1f} ms  (reused: {bool(current.stats.get('reused'))})   target < 1 s"
    )

    # Incremental: a copy of the library with one article added, one changed and one removed,
    # indexed with the cache of the original (features and verdicts are keyed by content hash).
    copy = work / "library"
    shutil.copytree(library_dir, copy)
    files = sorted(p for p in copy.rglob("*.txt") if p.name != "README.TXT")
    files[0].unlink()
    files[1].write_text(files[1].read_text(errors="replace") + "\n\nA late paragraph was added here.\n")
    (copy / "business" / "999.txt").write_text(files[2].read_text(errors="replace").replace(" the ", " a "))
    changed = load_library(copy, cache_dir=work / "load-cache2")
    started = time.perf_counter()
    incremental = SimilarityIndex.build(changed, cache)
    print(
        f"incremental build (1 added, 1 changed, 1 removed): {time.perf_counter() - started:.2f} s  "
        f"({incremental.stats})   (baseline: the cold build above)"
    )

    # Recall against brute-force exact Jaccard (the baseline costs all pairs).
    started = time.perf_counter()
    truth = exact_jaccard_pairs(library)
    brute = time.perf_counter() - started
    found = {(p.a, p.b) for p in index.pairs()}
    found_close = {(p.a, p.b) for p in index.pairs(["duplicate", "near-duplicate"])}
    recall = len(truth & found) / len(truth) if truth else 1.0
    recall_close = len(truth & found_close) / len(truth) if truth else 1.0
    print(
        f"recall of {len(truth)} pairs with exact 5-shingle Jaccard >= 0.5: {recall:.4f} as any kind, "
        f"{recall_close:.4f} as duplicate/near-duplicate   target >= 0.98   "
        f"(baseline: brute force over all pairs, {brute:.2f} s)"
    )
    missed = sorted(truth - found)
    for a, b in missed[:5]:
        print(f"  missed: {a} ~ {b}")

    # Query latency.
    timings = []
    for article in library:
        started = time.perf_counter()
        index.matches(article.id)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"matches: p50 {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms   target p95 < 20 ms")

    # compare of two 1,000-word articles (built from real paragraphs), and of the same pair's shingles
    # Jaccard as the baseline cost of a whole-document measure.
    articles = list(library)
    compare_times = []
    baseline_times = []
    for seed in range(20):
        a, b = thousand_words(articles, seed), thousand_words(articles, seed + 100)
        started = time.perf_counter()
        compare(a, b)
        compare_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        x, y = shingles(a.body), shingles(b.body)
        _ = len(x & y) / len(x | y)
        baseline_times.append((time.perf_counter() - started) * 1000)
    compare_times.sort()
    print(
        f"compare two ~1,000-word articles: median {statistics.median(compare_times):.1f} ms, "
        f"max {compare_times[-1]:.1f} ms   target < 50 ms   "
        f"(baseline 5-shingle Jaccard: {statistics.median(baseline_times):.1f} ms)"
    )
    print(
        f"peak memory (max RSS) after the cold build: {rss_after_build:.0f} MB; at the end {peak_mb():.0f} MB"
    )
    print("   target < 400 MB")

    kinds = Counter(p.kind for p in index.pairs())
    print(f"pairs by kind: {dict(kinds)}")
    related = index.pairs(["related"])
    print(f"related pairs (same story or topic, written independently): {len(related)}; the first 12:")
    for pair in related[:12]:
        print(f"  {pair.score:.3f} {titles[pair.a][:38]!r:<42} ~ {titles[pair.b][:38]!r:<42} {pair.reason}")
    for topic in ("LSE", "Kilroy"):
        story = [p for p in related if topic in titles[p.a] or topic in titles[p.b]]
        print(f"related pairs about {topic!r}: {len(story)}")
        for pair in story[:6]:
            print(f"  {pair.score:.3f} {titles[pair.a][:40]!r} ~ {titles[pair.b][:40]!r}")
    rewrites = index.pairs(["rewrite"])
    print(f"rewrite pairs: {len(rewrites)}; the first 8:")
    for pair in rewrites[:8]:
        print(
            f"  {pair.score:.3f} {pair.a} {titles[pair.a][:34]!r} ~ {pair.b} {titles[pair.b][:34]!r} {pair.reason}"
        )


if __name__ == "__main__":
    main()
