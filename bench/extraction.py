"""Article extraction on 88 real pages: `tui add`'s extractor against plain trafilatura, same run.

    python bench/extraction.py [--corpus ../shared/bench/extraction]

The measure is the corpus's own (its README, after the Zyte benchmark's evaluate.py): `\\w+` tokens,
4-token shingles with counts; true positives, false positives and false negatives normalised to sum
to 1 per page; precision and recall are means over pages and F1 comes from the two means; accuracy
is the share of pages whose token lists are equal. Prints, for each extractor: P, R, F1, accuracy,
and the median and 90th percentile time per page.

The settings of `tui add` were chosen among trafilatura's own switches; the two-fold
cross-validation at the end picks the best of those candidates on one half of the pages and
scores it on the other half, so the figure is not one fitted to these pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "bench" / "extraction"

CANDIDATES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "no comments": {"include_comments": False},
    "no comments, precision": {"include_comments": False, "favor_precision": True},
    "no comments, recall": {"include_comments": False, "favor_recall": True},
    "no comments, fast": {"include_comments": False, "fast": True},
    "no comments, precision, fast": {"include_comments": False, "favor_precision": True, "fast": True},
    "no comments, no tables": {"include_comments": False, "include_tables": False},
}


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text or "", re.UNICODE)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1)))


def page_score(predicted: str, truth: str) -> tuple[float, float, float]:
    """(tp, fp, fn) normalised to sum to 1 for the page."""
    p, t = shingles(predicted), shingles(truth)
    tp, fp, fn = sum((p & t).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (1.0, 0.0, 0.0)


def summary(scores: list[tuple[float, float, float]], exact: list[bool]) -> tuple[float, float, float, float]:
    precision = statistics.mean(tp / (tp + fp) if tp + fp else 0.0 for tp, fp, _ in scores)
    recall = statistics.mean(tp / (tp + fn) if tp + fn else 0.0 for tp, _, fn in scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, sum(exact) / len(exact)


Pages = list[tuple[str, bytes, str, str]]  # key, html, url, truth


def load(corpus: Path) -> Pages:
    truth = json.loads((corpus / "ground-truth.json").read_text())
    return [
        (
            key,
            gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()),
            item["url"],
            item["articleBody"],
        )
        for key, item in sorted(truth.items())
    ]


def run(
    pages: Pages, extract: Callable[[bytes, str], str]
) -> tuple[list[tuple[float, float, float]], list[bool], list[float]]:
    scores, exact, times = [], [], []
    for _key, html, url, truth in pages:
        start = time.perf_counter()
        text = extract(html, url) or ""
        times.append(time.perf_counter() - start)
        scores.append(page_score(text, truth))
        exact.append(tokens(text) == tokens(truth))
    return scores, exact, times


def row(name: str, pages: Pages, extract: Callable[[bytes, str], str]) -> list[tuple[float, float, float]]:
    scores, exact, times = run(pages, extract)
    precision, recall, f1, accuracy = summary(scores, exact)
    median = statistics.median(times) * 1000
    p90 = sorted(times)[int(0.9 * (len(times) - 1))] * 1000
    print(
        f"| {name} | {precision:.4f} | {recall:.4f} | **{f1:.4f}** | {accuracy:.3f} | {median:.0f} | {p90:.0f} |"
    )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    import trafilatura

    from tui.intake.extract import EXTRACT_OPTIONS, extract_page

    pages = load(args.corpus)
    extract_page(pages[0][1], pages[0][2])  # imports and first-call set-up out of the timings
    print(f"{len(pages)} pages, trafilatura {trafilatura.__version__}\n")
    print("| extractor | precision | recall | F1 | accuracy | median ms/page | p90 ms/page |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    row(
        "plain `trafilatura.extract` (defaults, baseline)",
        pages,
        lambda h, u: trafilatura.extract(h, url=u) or "",
    )
    row(
        "`trafilatura.extract`, comments left out",
        pages,
        lambda h, u: trafilatura.extract(h, url=u, include_comments=False) or "",
    )
    row("**tui add** (`extract_page`: text and metadata)", pages, lambda h, u: extract_page(h, u).text)
    print(f"\ntui add's settings: {EXTRACT_OPTIONS}")

    # Two-fold cross-validation over the candidate settings: choose on one half, score on the other.
    print("\nTwo-fold cross-validation (pages alternate between folds in key order):\n")
    folds = [pages[0::2], pages[1::2]]
    per_candidate: dict[str, list[tuple[list[tuple[float, float, float]], list[bool]]]] = {}
    for name, options in CANDIDATES.items():
        per_candidate[name] = []
        for fold in folds:
            scores, exact, _ = run(fold, lambda h, u, o=options: trafilatura.extract(h, url=u, **o) or "")
            per_candidate[name].append((scores, exact))
    print("| candidate | F1 fold A | F1 fold B |")
    print("|---|---:|---:|")
    for name, results in per_candidate.items():
        print(f"| {name} | {summary(*results[0])[2]:.4f} | {summary(*results[1])[2]:.4f} |")
    held_out: list[tuple[float, float, float]] = []
    held_exact: list[bool] = []
    for train, test in ((0, 1), (1, 0)):
        chosen = max(per_candidate, key=lambda name: summary(*per_candidate[name][train])[2])
        scores, exact = per_candidate[chosen][test]
        held_out += scores
        held_exact += exact
        print(
            f"\nchosen on fold {'AB'[train]}: {chosen!r}; on fold {'AB'[test]}: F1 {summary(scores, exact)[2]:.4f}"
        )
    print(f"held-out F1 over all pages: {summary(held_out, held_exact)[2]:.4f}")


if __name__ == "__main__":
    main()
