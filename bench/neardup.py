"""Clough & Stevenson plagiarism corpus: does the score order answers by how much they copy?

Each answer is compared with its task's source passage. Prints ROC AUC (plagiarised vs `non`),
Spearman correlation with the level (cut 3, light 2, heavy 1, non 0), and whether every `cut` and
`light` answer scores above every `non` answer of its task, for `tui.similarity.compare` and, in the
same run, for a plain word-5-shingle Jaccard baseline; with and without the two answers the corpus
README names as pasted from other texts.

    python bench/neardup.py [--corpus ../shared/bench/clough] [--verbose]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tui.similarity.verdict
from tui.library.articles import Article
from tui.library.parsing import article_from_text
from tui.similarity import compare, shingles


def jaccard(x: set[int], y: set[int]) -> float:
    """Jaccard similarity of two shingle sets: the textbook near-duplicate baseline."""
    if not x and not y:
        return 1.0
    return len(x & y) / len(x | y)


LEVELS = {"cut": 3, "light": 2, "heavy": 1, "non": 0}
# The one constant of the score this corpus can inform: how much literalness weighs (a reworded sentence
# counts 1 - w of a verbatim one). Leave-one-task-out picks it on two tasks and reports the third.
LITERAL_WEIGHTS = (0.25, 0.5, 0.75, 1.0)
PASTED_FROM_ELSEWHERE = {"g4pD_taskb.txt", "g2pE_taskc.txt"}
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "clough"


@dataclass
class Answer:
    file: str
    task: str
    category: str
    score: float
    kind: str | None
    baseline: float


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def as_article(path: Path) -> Article:
    # In this corpus a line is a paragraph.
    return article_from_text(read_text(path).replace("\r\n", "\n").replace("\n", "\n\n"), path.stem)


def auc(labels: list[bool], scores: list[float]) -> float:
    """ROC AUC as the probability that a positive outranks a negative (ties count half)."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def spearman(x: list[float], y: list[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def violations(answers: list[Answer], score: Callable[[Answer], float]) -> int:
    """Cut and light answers not above every `non` answer of their task."""
    count = 0
    for task in {a.task for a in answers}:
        nons = [score(a) for a in answers if a.task == task and a.category == "non"]
        copied = [score(a) for a in answers if a.task == task and a.category in ("cut", "light")]
        count += sum(1 for s in copied if s <= max(nons))
    return count


def report(name: str, answers: list[Answer]) -> None:
    levels = [float(LEVELS[a.category]) for a in answers]
    labels = [a.category != "non" for a in answers]
    print(f"\n{name} ({len(answers)} answers)")
    print(f"  {'measure':<34} {'ROC AUC':>8} {'Spearman':>9} {'cut/light <= a non':>19}")
    measures: list[tuple[str, Callable[[Answer], float]]] = [
        ("tui.similarity.compare", lambda a: a.score),
        ("baseline: word-5-shingle Jaccard", lambda a: a.baseline),
    ]
    for label, score in measures:
        scores = [score(a) for a in answers]
        print(
            f"  {label:<34} {auc(labels, scores):>8.4f} {spearman(levels, scores):>9.4f} "
            f"{violations(answers, score):>19d}"
        )


def leave_one_task_out(rows: list[dict[str, str]], sources: dict[str, Article], corpus: Path) -> None:
    """Fit the literal weight on two tasks (best Spearman), score the third with it; pool the held-out scores."""
    kept = [r for r in rows if r["Category"] != "orig" and r["File"] not in PASTED_FROM_ELSEWHERE]
    shipped = tui.similarity.verdict.LITERAL_WEIGHT
    by_weight: dict[float, list[float]] = {}
    try:
        for weight in LITERAL_WEIGHTS:
            tui.similarity.verdict.LITERAL_WEIGHT = weight
            by_weight[weight] = [
                compare(as_article(corpus / r["File"]), sources[r["Task"]]).score for r in kept
            ]
    finally:
        tui.similarity.verdict.LITERAL_WEIGHT = shipped
    levels = [float(LEVELS[r["Category"]]) for r in kept]
    held_out = [0.0] * len(kept)
    chosen: dict[str, float] = {}
    for task in sorted({r["Task"] for r in kept}):
        train = [k for k, r in enumerate(kept) if r["Task"] != task]
        best = max(
            LITERAL_WEIGHTS,
            key=lambda w: spearman([levels[k] for k in train], [by_weight[w][k] for k in train]),
        )
        chosen[task] = best
        for k, r in enumerate(kept):
            if r["Task"] == task:
                held_out[k] = by_weight[best][k]
    baseline = [
        jaccard(shingles(as_article(corpus / r["File"]).body), shingles(sources[r["Task"]].body))
        for r in kept
    ]
    labels = [r["Category"] != "non" for r in kept]
    print(f"\nleave one task out ({len(kept)} answers; literal weight chosen per held-out task: {chosen})")
    print(f"  {'measure':<34} {'ROC AUC':>8} {'Spearman':>9}")
    print(
        f"  {'tui, weight fit on the other tasks':<34} {auc(labels, held_out):>8.4f} {spearman(levels, held_out):>9.4f}"
    )
    print(
        f"  {'baseline: word-5-shingle Jaccard':<34} {auc(labels, baseline):>8.4f} {spearman(levels, baseline):>9.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="one line per answer")
    args = parser.parse_args()
    with open(args.corpus / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sources = {r["Task"]: as_article(args.corpus / r["File"]) for r in rows if r["Category"] == "orig"}
    answers: list[Answer] = []
    started = time.perf_counter()
    for row in rows:
        if row["Category"] == "orig":
            continue
        answer, source = as_article(args.corpus / row["File"]), sources[row["Task"]]
        alignment = compare(answer, source)
        baseline = jaccard(shingles(answer.body), shingles(source.body))
        answers.append(
            Answer(row["File"], row["Task"], row["Category"], alignment.score, alignment.kind, baseline)
        )
    elapsed = time.perf_counter() - started
    print(f"Clough corpus: {len(answers)} answers in {len(sources)} tasks, compared in {elapsed:.2f} s")
    leave_one_task_out(rows, sources, args.corpus)
    report(
        "without the 2 answers pasted from other texts",
        [a for a in answers if a.file not in PASTED_FROM_ELSEWHERE],
    )
    report("all answers", answers)
    if args.verbose:
        print()
        for a in sorted(answers, key=lambda a: (a.task, -a.score)):
            print(f"  {a.task} {a.category:<5} {a.score:.4f} {a.baseline:.4f} {a.kind or '-':<15} {a.file}")
    kinds: dict[str, dict[str, int]] = {}
    for a in answers:
        kinds.setdefault(a.category, {}).setdefault(a.kind or "none", 0)
        kinds[a.category][a.kind or "none"] += 1
    print("\nkinds by level:", {level: kinds.get(level, {}) for level in LEVELS})


if __name__ == "__main__":
    main()
