"""One engine, every corpus: the near-duplicate verdicts measured side by side on data of different kinds.

For `tui.similarity.compare` and, in the same run, two plain baselines (word 3-gram containment of the
shorter text in the longer, word 5-shingle Jaccard), prints:
- seeds: 002 against 000 (kind, sentences aligned), 004 against both;
- Clough (short answers copied or rewritten at known levels): ROC AUC of non-copies against the rest,
  Spearman with the level;
- Reuters hand labels: precision of copies (a pair called a version is labelled `same`, or `update`
  where the engine says update), recall of `same`, templates called versions;
- MSRP (news sentences from different outlets, judged paraphrase or not by people): ROC AUC of the
  score, accuracy of "a version" against the majority class, paraphrases called `template`;
- METER (newspaper stories and their Press Association candidates): the share of newspaper stories
  linked as a version to at least one candidate, beside the published share of derived stories (78%),
  and the kinds of those links.

A baseline's cut (containment or Jaccard at which a pair counts as a version) is chosen on the other
corpora and reported on the held-out one: leave one corpus out.

    python bench/generalise.py [--only msrp,meter,...] [--msrp-limit N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.library.articles import Article  # noqa: E402
from tui.library.files import read_article  # noqa: E402
from tui.library.parsing import article_from_text  # noqa: E402
from tui.similarity import STORY_KINDS, compare, words  # noqa: E402

SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
CLOUGH_LEVELS = {"non": 0, "heavy": 1, "light": 2, "cut": 3}
METER_PUBLISHED_DERIVED = 739 / 944


@dataclass(slots=True)
class Pair:
    """One judged pair of any corpus: what the engine and the baselines say of it."""

    corpus: str
    name: str
    gold: float  # 1 a version (copy, rewrite, paraphrase, derived), 0 not; Clough: the level
    positive: bool
    score: float
    kind: str | None
    containment: float
    jaccard: float
    reason: str = ""


def _grams(tokens: Sequence[str], n: int) -> set[str]:
    if len(tokens) < n:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def baselines(a: Article, b: Article) -> tuple[float, float]:
    """Word 3-gram containment of the shorter text in the longer, and word 5-shingle Jaccard."""
    wa, wb = words(a.body), words(b.body)
    ta, tb = _grams(wa, 3), _grams(wb, 3)
    containment = len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0
    sa, sb = _grams(wa, 5), _grams(wb, 5)
    jaccard = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    return containment, jaccard


def judge(corpus: str, name: str, a: Article, b: Article, gold: float, positive: bool) -> Pair:
    alignment = compare(a, b)
    containment, jaccard = baselines(a, b)
    return Pair(
        corpus,
        name,
        gold,
        positive,
        alignment.score,
        alignment.kind,
        containment,
        jaccard,
        alignment.reason,
    )


def auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """ROC AUC: the chance a positive outranks a negative (ties half), by ranks."""
    order = sorted(range(len(scores)), key=lambda k: scores[k])
    ranks = [0.0] * len(scores)
    k = 0
    while k < len(order):
        m = k
        while m + 1 < len(order) and scores[order[m + 1]] == scores[order[k]]:
            m += 1
        for x in range(k, m + 1):
            ranks[order[x]] = (k + m) / 2 + 1
        k = m + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


# --------------------------------------------------------------------------- corpora


def seeds() -> list[Pair]:
    folder = ROOT / "articles"
    arts = {p.name[:3]: read_article(p, folder) for p in sorted(folder.glob("*.txt"))}
    out = [judge("seeds", "002~000", arts["002"], arts["000"], 1, True)]
    out.append(judge("seeds", "004~000", arts["004"], arts["000"], 0, False))
    out.append(judge("seeds", "004~002", arts["004"], arts["002"], 0, False))
    alignment = compare(arts["002"], arts["000"])
    aligned = len({p.b.start for p in alignment.pairs})
    print(f"  seeds: 002~000 {alignment.kind} {alignment.score:.2f}, {aligned} of 000's sentences aligned")
    for p in out[1:]:
        print(f"  seeds: {p.name} {p.kind} {p.score:.2f} ({p.reason})")
    return out


def _plain(path: Path) -> Article:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return article_from_text(text.replace("\r\n", "\n").replace("\n", "\n\n"), path.stem)


def clough() -> list[Pair]:
    corpus = BENCH / "clough"
    with open(corpus / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sources = {r["Task"]: _plain(corpus / r["File"]) for r in rows if r["Category"] == "orig"}
    return [
        judge(
            "clough",
            r["File"],
            _plain(corpus / r["File"]),
            sources[r["Task"]],
            CLOUGH_LEVELS[r["Category"]],
            r["Category"] != "non",
        )
        for r in rows
        if r["Category"] != "orig"
    ]


def reuters() -> list[Pair]:
    corpus = BENCH / "reuters"
    with open(corpus / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cache: dict[str, Article] = {}

    def article(article_id: str) -> Article:
        if article_id not in cache:
            cache[article_id] = read_article(corpus / f"{article_id}.md", article_id)
        return cache[article_id]

    out = []
    for r in rows:
        pair = judge(
            "reuters", f"{r['a']}~{r['b']}", article(r["a"]), article(r["b"]), 0, r["label"] == "same"
        )
        pair.reason = f"{r['label']}|{pair.reason}"
        out.append(pair)
    return out


def msrp(limit: int | None) -> list[Pair]:
    with open(BENCH / "msrp" / "train.tsv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if limit:
        rows = random.Random(7).sample(rows, limit)
    out = []
    for r in rows:
        a = article_from_text(r["sentence1"], f"m{r['id1']}")
        b = article_from_text(r["sentence2"], f"m{r['id2']}")
        positive = r["paraphrase"] == "1"
        out.append(judge("msrp", f"{r['id1']}~{r['id2']}", a, b, float(positive), positive))
    return out


def meter() -> list[Pair]:
    """Each newspaper story against each of its PA candidates; a story counts once, by its best link."""
    corpus = BENCH / "meter"
    with open(corpus / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    paths = {p.stem: p for p in (corpus / "articles").rglob("*.md")}
    cache: dict[str, Article] = {}

    def article(article_id: str) -> Article:
        if article_id not in cache:
            cache[article_id] = read_article(paths[article_id], article_id)
        return cache[article_id]

    out = []
    for r in rows:
        if r["pa"] not in paths or r["newspaper"] not in paths:
            continue
        out.append(
            judge("meter", f"{r['newspaper']}~{r['pa']}", article(r["newspaper"]), article(r["pa"]), 1, True)
        )
    return out


# --------------------------------------------------------------------------- reports


def is_version(p: Pair) -> bool:
    return p.kind in STORY_KINDS


def report_binary(name: str, pairs: list[Pair], cut: Callable[[str], tuple[float, float]]) -> None:
    labels = [p.positive for p in pairs]
    majority = max(sum(labels), len(labels) - sum(labels)) / len(labels)
    accuracy = sum(is_version(p) == p.positive for p in pairs) / len(pairs)
    templated = sum(1 for p in pairs if p.positive and p.kind == "template") / max(1, sum(labels))
    c_cut, j_cut = cut(name)
    acc_c = sum((p.containment >= c_cut) == p.positive for p in pairs) / len(pairs)
    acc_j = sum((p.jaccard >= j_cut) == p.positive for p in pairs) / len(pairs)
    print(
        f"  {name:<8} n={len(pairs):<5} AUC tui {auc(labels, [p.score for p in pairs]):.3f}"
        f"  3-gram {auc(labels, [p.containment for p in pairs]):.3f}"
        f"  jaccard {auc(labels, [p.jaccard for p in pairs]):.3f} | accuracy tui {accuracy:.3f}"
        f"  3-gram>={c_cut:.2f} {acc_c:.3f}  jaccard>={j_cut:.2f} {acc_j:.3f}  majority {majority:.3f}"
        f" | positives called template {templated:.1%}"
    )
    kinds = Counter((p.positive, p.kind or "none") for p in pairs)
    print("           kinds of positives:", {k: n for (pos, k), n in sorted(kinds.items()) if pos})
    print("           kinds of negatives:", {k: n for (pos, k), n in sorted(kinds.items()) if not pos})


def best_cut(pairs: list[Pair], value: Callable[[Pair], float]) -> float:
    cuts = [round(0.05 * k, 2) for k in range(1, 20)]
    return max(cuts, key=lambda c: sum((value(p) >= c) == p.positive for p in pairs) / max(1, len(pairs)))


def report_reuters(pairs: list[Pair]) -> None:
    called = [p for p in pairs if is_version(p)]
    right = [p for p in called if p.positive or (p.reason.startswith("update|") and p.kind == "update")]
    same = [p for p in pairs if p.positive]
    templates = [p for p in pairs if p.reason.startswith("template|")]
    print(
        f"  reuters  precision {len(right) / max(1, len(called)):.3f} ({len(right)}/{len(called)})"
        f"  recall of same {sum(is_version(p) for p in same) / len(same):.3f}"
        f"  templates called versions {sum(is_version(p) for p in templates)}/{len(templates)}"
    )


def report_meter(pairs: list[Pair]) -> None:
    stories: dict[str, list[Pair]] = {}
    for p in pairs:
        stories.setdefault(p.name.split("~")[0], []).append(p)
    linked = sum(1 for links in stories.values() if any(is_version(p) for p in links))
    by_3gram = sum(1 for links in stories.values() if any(p.containment >= 0.5 for p in links))
    kinds = Counter(max(links, key=lambda p: p.score).kind or "none" for links in stories.values())
    print(
        f"  meter    {linked} of {len(stories)} newspaper stories linked as a version ({linked / len(stories):.1%});"
        f" 3-gram containment >= 0.5: {by_3gram / len(stories):.1%}; published derived {METER_PUBLISHED_DERIVED:.1%}"
    )
    print("           best link's kind:", dict(kinds.most_common()))


def report_clough(pairs: list[Pair]) -> None:
    labels = [p.positive for p in pairs]
    levels = [p.gold for p in pairs]
    print(
        f"  clough   n={len(pairs)} AUC tui {auc(labels, [p.score for p in pairs]):.3f}"
        f" jaccard {auc(labels, [p.jaccard for p in pairs]):.3f} 3-gram {auc(labels, [p.containment for p in pairs]):.3f}"
        f" | Spearman tui {spearman(levels, [p.score for p in pairs]):.3f}"
        f" jaccard {spearman(levels, [p.jaccard for p in pairs]):.3f}"
        f" 3-gram {spearman(levels, [p.containment for p in pairs]):.3f}"
    )
    print("           kinds:", dict(Counter((int(p.gold), p.kind or "none") for p in pairs)))


def balanced_accuracy(pairs: list[Pair]) -> float:
    """Mean of the accuracy on versions and on the rest: a corpus's call of "a version or not"."""
    positives = [p for p in pairs if p.positive]
    negatives = [p for p in pairs if not p.positive]
    hit = sum(is_version(p) for p in positives) / max(1, len(positives))
    rejected = sum(not is_version(p) for p in negatives) / max(1, len(negatives))
    return (hit + rejected) / 2


def leave_one_corpus_out(setting: str, values: list[str], limit: int | None) -> None:
    """For each held-out corpus: the value of `setting` (module.NAME) that calls "a version or not"
    best on the other corpora (mean balanced accuracy), and what it gives on the held-out one."""
    import importlib

    module_name, name = setting.rsplit(".", 1)
    module = importlib.import_module(
        module_name if module_name.startswith("tui.") else f"tui.similarity.{module_name}"
    )
    shipped = getattr(module, name)
    runs: dict[str, dict[str, list[Pair]]] = {}
    try:
        for value in values:
            setattr(module, name, type(shipped)(value))
            runs[value] = {"clough": clough(), "reuters": reuters(), "msrp": msrp(limit)}
    finally:
        setattr(module, name, shipped)
    print(f"\nleave one corpus out: {setting} among {values} (shipped {shipped})")
    print(f"  {'held out':<9} {'chosen':>8} {'balanced accuracy':>18} {'AUC':>6} {'at shipped':>11}")
    for held_out in ("clough", "reuters", "msrp"):
        best = max(
            values,
            key=lambda v: sum(balanced_accuracy(runs[v][c]) for c in runs[v] if c != held_out),
        )
        pairs = runs[best][held_out]
        at_shipped = runs[str(shipped)][held_out] if str(shipped) in runs else pairs
        print(
            f"  {held_out:<9} {best:>8} {balanced_accuracy(pairs):>18.3f}"
            f" {auc([p.positive for p in pairs], [p.score for p in pairs]):>6.3f}"
            f" {balanced_accuracy(at_shipped):>11.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="seeds,clough,reuters,msrp,meter")
    parser.add_argument("--msrp-limit", type=int, default=None)
    parser.add_argument(
        "--loco", default=None, help="module.NAME=v1,v2,...: leave one corpus out over a setting"
    )
    args = parser.parse_args()
    if args.loco:
        setting, _, values = args.loco.partition("=")
        leave_one_corpus_out(setting, values.split(","), args.msrp_limit)
        return
    wanted = args.only.split(",")
    started = time.perf_counter()
    corpora: dict[str, list[Pair]] = {}
    if "seeds" in wanted:
        corpora["seeds"] = seeds()
    if "clough" in wanted:
        corpora["clough"] = clough()
    if "reuters" in wanted:
        corpora["reuters"] = reuters()
    if "msrp" in wanted:
        corpora["msrp"] = msrp(args.msrp_limit)
    if "meter" in wanted:
        corpora["meter"] = meter()
    print(f"  (compared in {time.perf_counter() - started:.1f} s)")
    binary = {k: v for k, v in corpora.items() if k in ("clough", "reuters", "msrp")}

    def cut(held_out: str) -> tuple[float, float]:
        rest = [p for name, pairs in binary.items() if name != held_out for p in pairs]
        return best_cut(rest, lambda p: p.containment), best_cut(rest, lambda p: p.jaccard)

    if "clough" in corpora:
        report_clough(corpora["clough"])
    if "reuters" in corpora:
        report_reuters(corpora["reuters"])
    for name in ("clough", "reuters", "msrp"):
        if name in corpora:
            report_binary(name, corpora[name], cut)
    if "meter" in corpora:
        report_meter(corpora["meter"])


if __name__ == "__main__":
    main()
