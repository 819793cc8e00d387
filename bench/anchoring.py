"""Anchoring benchmark: do highlights find their passage again after the article is edited?

    /work/venv/bin/python bench/anchoring.py [--trials 600] [--seed 7]

Built from the seed articles: each trial highlights a random passage (15-250 characters, whole
words, with no near copy elsewhere in the text), then edits the article with one scenario: random insertions,
deletions or word substitutions elsewhere, words of the quote itself changed, all of these mixed,
or the quote deleted. The true place of the passage is carried through every edit, so a result is
judged exactly: re-anchored (overlaps the truth by at least half of their union), orphaned, or
wrong (placed anywhere else, or placed at all when the quote was deleted).
The baseline, measured in the same run, is the naive anchor: the first exact occurrence of the quote.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tui.annotations import Annotation  # noqa: E402
from tui.annotations.anchoring import Anchored, anchor  # noqa: E402
from tui.library.articles import Article  # noqa: E402
from tui.library.loader import load_library  # noqa: E402

Span = tuple[int, int]
SCENARIOS = (
    "insert elsewhere",
    "delete elsewhere",
    "substitute elsewhere",
    "edit inside quote",
    "mixed",
    "quote deleted",
)
WORD = re.compile(r"\S+")


class Edited:
    """A body being edited, with the true place of one passage carried along."""

    def __init__(self, body: str, truth: Span) -> None:
        self.body = body
        self.truth: Span | None = truth

    def edit(self, start: int, end: int, replacement: str) -> None:
        self.body = self.body[:start] + replacement + self.body[end:]
        if self.truth is None:
            return
        delta = len(replacement) - (end - start)
        t0, t1 = self.truth
        if end <= t0:
            self.truth = (t0 + delta, t1 + delta)
        elif start >= t1:
            pass
        elif start >= t0 and end <= t1:
            self.truth = (t0, t1 + delta) if t1 + delta > t0 else None
        else:
            self.truth = None  # an edit across an edge: the passage as such is gone

    def words(self, inside: bool) -> list[Span]:
        spans = [(m.start(), m.end()) for m in WORD.finditer(self.body)]
        if self.truth is None:
            return spans
        t0, t1 = self.truth
        if inside:
            return [s for s in spans if s[0] >= t0 and s[1] <= t1]
        # Outside and not touching the quote, so that its edges stay where they were.
        return [s for s in spans if s[1] < t0 - 1 or s[0] > t1 + 1]


def repeated(quote: str, rest: str) -> bool:
    """The passage, or one nearly like it, stands elsewhere in the text too.

    Such a passage has two right answers once one copy is deleted; repeats are unit-tested apart.
    """
    from rapidfuzz import fuzz

    return quote in rest or fuzz.partial_ratio(quote, rest) >= 75


def pick_passage(rng: random.Random, body: str) -> Span | None:
    words = [(m.start(), m.end()) for m in WORD.finditer(body)]
    for _ in range(50):
        first = rng.randrange(len(words))
        length = rng.randint(15, 250)
        last = first
        while last + 1 < len(words) and words[last + 1][1] - words[first][0] <= length:
            last += 1
        start, end = words[first][0], words[last][1]
        quote = body[start:end]
        if len(quote) >= 15 and not repeated(quote, body[:start] + body[end:]):
            return start, end
    return None


def insert_elsewhere(rng: random.Random, text: Edited, filler: list[str], count: int) -> None:
    for _ in range(count):
        at = rng.choice(text.words(inside=False))[0]
        text.edit(at, at, rng.choice(filler) + " ")


def delete_elsewhere(rng: random.Random, text: Edited, count: int) -> None:
    for _ in range(count):
        words = text.words(inside=False)
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 25))
        start, end = words[first][0], words[last][1]
        if text.truth and start < text.truth[1] and end > text.truth[0]:
            continue  # would swallow the quote: that is the "quote deleted" scenario
        text.edit(start, end, "")


def substitute(rng: random.Random, text: Edited, vocabulary: list[str], count: int, inside: bool) -> None:
    for _ in range(count):
        words = text.words(inside=inside)
        if not words:
            return
        start, end = rng.choice(words)
        text.edit(start, end, rng.choice(vocabulary))


def edit_inside(rng: random.Random, text: Edited, vocabulary: list[str]) -> None:
    inside = text.words(inside=True)
    # About one word in six changed, at least one: what a correction or a rewording does.
    changes = max(1, len(inside) // 6)
    for _ in range(changes):
        words = text.words(inside=True)
        if len(words) < 3:
            substitute(rng, text, vocabulary, 1, inside=True)
            continue
        start, end = rng.choice(words[1:-1])  # keep the quote's first and last words: edges stay known
        kind = rng.choice(("substitute", "insert", "delete"))
        if kind == "substitute":
            text.edit(start, end, rng.choice(vocabulary))
        elif kind == "insert":
            text.edit(start, start, rng.choice(vocabulary) + " ")
        else:
            text.edit(start, min(len(text.body), end + 1), "")


def make_trial(
    rng: random.Random, article: Article, scenario: str, filler: list[str], vocabulary: list[str]
) -> tuple[Annotation, Article, Span | None] | None:
    body = article.body
    passage = pick_passage(rng, body)
    if passage is None:
        return None
    annotation = Annotation.create(article, *passage)
    text = Edited(body, passage)
    if scenario == "insert elsewhere":
        insert_elsewhere(rng, text, filler, rng.randint(1, 5))
    elif scenario == "delete elsewhere":
        delete_elsewhere(rng, text, rng.randint(1, 3))
    elif scenario == "substitute elsewhere":
        substitute(rng, text, vocabulary, rng.randint(1, 10), inside=False)
    elif scenario == "edit inside quote":
        edit_inside(rng, text, vocabulary)
    elif scenario == "mixed":
        insert_elsewhere(rng, text, filler, rng.randint(1, 3))
        delete_elsewhere(rng, text, rng.randint(1, 2))
        substitute(rng, text, vocabulary, rng.randint(1, 5), inside=False)
        edit_inside(rng, text, vocabulary)
    else:  # quote deleted, with a little of its context
        t0, t1 = passage
        text.edit(max(0, t0 - rng.randint(0, 20)), min(len(text.body), t1 + rng.randint(0, 20)), "")
        text.truth = None
    edited = dataclasses.replace(article, body=text.body, content_hash=f"edited-{rng.random()}")
    if scenario != "quote deleted" and text.truth is None:
        return None
    return annotation, edited, text.truth


BBC = REPO.parent / "shared" / "bench" / "bbc"


def filler_sentences(rng: random.Random, files: int = 40) -> list[str]:
    paths = sorted(BBC.glob("*/*.txt"))
    if not paths:
        raise SystemExit(f"the BBC corpus is missing: {BBC}")
    sentences: list[str] = []
    for path in rng.sample(paths, files):
        text = path.read_text(encoding="utf-8", errors="replace")
        sentences += [s.strip() + "." for s in text.split(". ") if 20 <= len(s.strip()) <= 200]
    return sentences


def naive_anchor(annotation: Annotation, article: Article) -> Anchored:
    at = article.body.find(annotation.exact)
    if at < 0:
        return Anchored(annotation, "orphaned", None, None)
    return Anchored(annotation, "moved", at, at + len(annotation.exact))


def judge(result: Anchored, truth: Span | None) -> str:
    if result.start is None or result.end is None:
        return "orphaned"
    if truth is None:
        return "wrong"
    overlap = min(result.end, truth[1]) - max(result.start, truth[0])
    union = max(result.end, truth[1]) - min(result.start, truth[0])
    return "re-anchored" if overlap > 0 and overlap / union >= 0.5 else "wrong"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--articles",
        type=Path,
        default=REPO / "articles",
        help="where the passages come from (default: the seeds; e.g. /work/shared/bench/bbc/politics as a held-out check)",
    )
    parser.add_argument(
        "--limit", type=int, default=200, help="at most this many articles of 1,500+ characters"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as cache:
        articles = [a for a in load_library(args.articles, cache_dir=Path(cache)) if len(a.body) >= 1500]
    articles = articles[: args.limit]
    # Inserted text and substituted words come from other news (BBC), never from the seeds, so
    # that an edit cannot plant a second copy of a highlighted passage.
    sentences = filler_sentences(rng)
    vocabulary = sorted({w.strip(".,;:\"'()") for s in sentences for w in s.split() if len(w) > 3})

    methods: dict[str, Callable[[Annotation, Article], Anchored]] = {
        "ours": anchor,
        "naive find": naive_anchor,
    }
    tallies: dict[str, dict[str, Counter[str]]] = {name: defaultdict(Counter) for name in methods}
    timings: list[float] = []
    made = 0
    while made < args.trials:
        scenario = SCENARIOS[made % len(SCENARIOS)]
        trial = make_trial(rng, rng.choice(articles), scenario, sentences, vocabulary)
        if trial is None:
            continue
        made += 1
        annotation, edited, truth = trial
        for name, method in methods.items():
            t0 = time.perf_counter()
            result = method(annotation, edited)
            if name == "ours":
                timings.append(time.perf_counter() - t0)
            tallies[name][scenario][judge(result, truth)] += 1

    print(
        f"\nAnchoring after edits: {args.trials} trials over {len(articles)} articles of {args.articles} (seed {args.seed})"
    )
    print(f"  {'scenario':<22} {'method':<11} {'right':>6} {'re-anchored':>12} {'orphaned':>9} {'wrong':>6}")
    for scenario in SCENARIOS:
        expected = "orphaned" if scenario == "quote deleted" else "re-anchored"
        for name in methods:
            tally = tallies[name][scenario]
            rate = tally[expected] / max(1, sum(tally.values()))
            print(
                f"  {scenario:<22} {name:<11} {rate:>6.1%} {tally['re-anchored']:>12}"
                f" {tally['orphaned']:>9} {tally['wrong']:>6}"
            )
    for name in methods:
        kept = [tallies[name][s] for s in SCENARIOS if s != "quote deleted"]
        total = sum(sum(t.values()) for t in kept)
        good = sum(t["re-anchored"] for t in kept)
        wrong = sum(t["wrong"] for t in tallies[name].values())
        print(
            f"  {name}: re-anchored {good}/{total} = {good / total:.1%} where the passage still exists; wrong {wrong}"
        )
    timings.sort()
    print(
        f"  time per anchor (ours): p50 {timings[len(timings) // 2] * 1000:.2f} ms, max {timings[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
