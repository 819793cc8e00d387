"""Annotation store benchmark: save latency and one article's read, next to TinyDB's JSONStorage.

    /work/venv/bin/python bench/store.py [--sizes 1000,10000] [--saves 200] [--no-anchoring]

Annotations are made from the seed articles (quotes of 40-250 characters, half with a note of up
to 200 characters, a few tags), so the file has a realistic size (~710 bytes an annotation). Saves
are timed paced (50 ms apart, still faster than any reader) and back to back. The baseline, in the
same run, is TinyDB's default JSONStorage holding the same documents: stdlib json, the whole file
read and rewritten in place on every insert, with no temporary file, rename, directory fsync or lock.
Then runs the anchoring benchmark (bench/anchoring.py).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from tui.annotations import COLORS, Annotation, AnnotationStore, format_time, now  # noqa: E402
from tui.library.articles import Article  # noqa: E402
from tui.library.loader import load_library  # noqa: E402

WORDS = [
    "policy",
    "summit",
    "missile",
    "treaty",
    "alliance",
    "sanction",
    "envoy",
    "dialogue",
    "border",
    "pledge",
]


def make_annotation(rng: random.Random, article: Article, article_id: str | None = None) -> Annotation:
    length = rng.randint(40, 250)
    start = rng.randrange(0, max(1, len(article.body) - length))
    note = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))) if rng.random() < 0.5 else ""
    made = Annotation.create(
        article,
        start,
        start + length,
        note=note,
        color=rng.choice(list(COLORS)),
        tags=rng.sample(WORDS, rng.randint(0, 3)),
    )
    if article_id:
        made.article_id = article_id
    return made


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def describe(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"p50 {statistics.median(ms):6.1f} ms  p99 {percentile(ms, 0.99):6.1f} ms  max {max(ms):6.1f} ms"


def bench_size(articles: list[Article], size: int, saves: int, folder: Path, gap_s: float) -> None:
    rng = random.Random(size)
    # Spread over 200 article ids, as a library of a few hundred read articles would be.
    population = [
        make_annotation(rng, articles[i % len(articles)], f"{articles[i % len(articles)].id}-{i % 200}")
        for i in range(size)
    ]
    path = folder / f"store-{size}.json"
    store = AnnotationStore(path)
    store.merge(population)
    file_mb = path.stat().st_size / 1e6
    opened = time.perf_counter()
    store = AnnotationStore(path)
    store.for_article("x")
    open_s = time.perf_counter() - opened

    def save_all(gap_s: float) -> list[float]:
        timings: list[float] = []
        for i in range(saves):
            article = articles[i % len(articles)]
            start = rng.randrange(0, len(article.body) - 100)
            t0 = time.perf_counter()
            store.add(article, start, start + rng.randint(40, 100), note="a note")
            timings.append(time.perf_counter() - t0)
            time.sleep(gap_s)
        return timings

    # Paced: a reader saves at most a few times a second; 50 ms apart is still far faster. The old
    # file's blocks are freed in the background meanwhile (see tui.durable._retire).
    ours = save_all(gap_s)
    back_to_back = save_all(0.0)

    reads: list[float] = []
    target = f"{articles[0].id}-0"
    for _ in range(saves):
        t0 = time.perf_counter()
        found = store.for_article(target)
        reads.append(time.perf_counter() - t0)
    assert found, "the benchmark article has annotations"

    baseline_path = folder / f"tinydb-{size}.json"
    baseline = TinyDB(baseline_path, storage=JSONStorage)
    table = baseline.table("annotations")
    table.insert_multiple(annotation.to_doc() for annotation in population)
    theirs: list[float] = []
    for i in range(saves):
        article = articles[i % len(articles)]
        doc = make_annotation(rng, article).to_doc()
        doc["updated"] = format_time(now())
        t0 = time.perf_counter()
        table.insert(doc)
        theirs.append(time.perf_counter() - t0)
    baseline_reads: list[float] = []
    for _ in range(saves):
        t0 = time.perf_counter()
        table.search(lambda doc: doc["article_id"] == target)  # type: ignore[arg-type, return-value]
        baseline_reads.append(time.perf_counter() - t0)
    baseline.close()

    print(f"\n{size:,} annotations, file {file_mb:.1f} MB, {saves} saves each")
    print(f"  save, ours, {gap_s * 1000:.0f} ms apart (target p50 < 20, p99 < 60): {describe(ours)}")
    print(f"  save, ours, back to back:                          {describe(back_to_back)}")
    print(f"  save, TinyDB JSONStorage (in place, no fsync/lock): {describe(theirs)}")
    print(f"  read one article, ours (index; target < 5 ms):     {describe(reads)}")
    print(f"  read one article, TinyDB search:                   {describe(baseline_reads)}")
    print(f"  open (parse + check {size:,} documents): {open_s * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=50.0, help="pause between paced saves")
    parser.add_argument("--no-anchoring", action="store_true")
    args = parser.parse_args()
    library = load_library(REPO / "articles")
    articles = list(library)
    with tempfile.TemporaryDirectory(dir=REPO.parent if (REPO.parent / "main").exists() else None) as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            bench_size(articles, size, args.saves, Path(tmp), args.gap_ms / 1000)
    if not args.no_anchoring:
        from anchoring import main as anchoring_main  # bench/anchoring.py

        anchoring_main([])


if __name__ == "__main__":
    main()
