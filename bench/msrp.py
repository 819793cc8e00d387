"""Sentence paraphrase on MSRP: `tui.similarity.paraphrase` against plain lexical scores, 10-fold cross-validated.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/msrp.py            # the table, the cross-corpus check and the costs
    .venv/bin/python bench/msrp.py --fit      # the constants for tui/similarity/paraphrase.py, fitted on all pairs

Data: `../shared/bench/msrp/train.tsv` (3,424 pairs of news sentences judged by people; read its
README). Every method is scored on the same ten stratified folds: a method with a fitted part (the
logistic regression, or a threshold) is fitted on nine folds and scored on the tenth. ROC AUC is over
the pooled out-of-fold scores; accuracy calls a pair a paraphrase above the threshold that gave the
best accuracy on the training folds. The majority baseline calls every pair a paraphrase.

Cross-corpus: the shipped constants (fitted on MSRP only) score every sentence pair of the hand gold
pairs in `bench/data/paraphrase/gold.json`; a required link should outrank the pairs nobody linked
(AUC), and the mutual best pairs above `THRESHOLD` are the links (precision and recall as in
`bench/paraphrase.py`).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.similarity import paraphrase, words  # noqa: E402

MSRP = ROOT.parent / "shared" / "bench" / "msrp" / "train.tsv"
FOLDS = 10
SEED = 0


def read_msrp(path: Path = MSRP) -> tuple[list[tuple[str, str]], list[int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["sentence1"], r["sentence2"]) for r in rows], [int(r["paraphrase"]) for r in rows]


# --------------------------------------------------------------------------- plain baselines


def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = words(text)
    return set(zip(*(tokens[i:] for i in range(n)), strict=False))


def containment3(a: str, b: str) -> float:
    """Share of the shorter sentence's word 3-grams found in the other."""
    x, y = _grams(a, 3), _grams(b, 3)
    shorter = min(len(x), len(y))
    return len(x & y) / shorter if shorter else 0.0


def jaccard5(a: str, b: str) -> float:
    """Jaccard of the two sentences' word 5-shingles."""
    x, y = _grams(a, 5), _grams(b, 5)
    return len(x & y) / len(x | y) if x | y else 0.0


def issue_reference_features(pairs: Sequence[tuple[str, str]]) -> Any:
    """The combination issue 19 measured: the model's plain pooling (mean of token rows), 3-gram
    containment, 5-shingle Jaccard, shared figures (Jaccard of `tui.similarity.facts` numbers) and length ratio."""
    import numpy as np

    from tui.similarity.facts import sentence_facts

    model = paraphrase.default_model()

    def pooled(text: str) -> Any:
        ids = paraphrase.tokenize(text, model)
        if not ids:
            return np.zeros(model.dims, dtype=np.float32)
        vector = model.vectors[ids].astype(np.float32).mean(axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    rows = []
    for a, b in pairs:
        fa, fb = sentence_facts(a).numbers, sentence_facts(b).numbers
        la, lb = len(words(a)), len(words(b))
        rows.append(
            [
                float(pooled(a) @ pooled(b)),
                containment3(a, b),
                jaccard5(a, b),
                len(fa & fb) / len(fa | fb) if fa | fb else 0.0,
                min(la, lb) / max(la, lb, 1),
            ]
        )
    return np.array(rows)


# --------------------------------------------------------------------------- evaluation


def auc(scores: Any, labels: Any) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def best_threshold(scores: Any, labels: Any) -> float:
    """The cut with the best accuracy on these pairs (a pair above it is a paraphrase)."""
    import numpy as np

    order = np.argsort(scores)
    s, y = scores[order], labels[order]
    # Cutting below position k: pairs k.. are called paraphrases.
    positives_above = np.concatenate([[y.sum()], y.sum() - np.cumsum(y)])
    negatives_below = np.concatenate([[0], np.cumsum(1 - y)])
    correct = positives_above + negatives_below
    k = int(np.argmax(correct))
    if k == 0:
        return float(s[0]) - 1e-6
    if k == len(s):
        return float(s[-1]) + 1e-6
    return float((s[k - 1] + s[k]) / 2)


def make_classifier() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))


def folds(labels: Any, seed: int = SEED) -> list[tuple[Any, Any]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    return list(splitter.split(labels, labels))


def cross_validated(
    features: Any, labels: Any, splits: list[tuple[Any, Any]], fitted: bool
) -> tuple[float, float]:
    """(ROC AUC, accuracy) over the out-of-fold scores; `fitted`: a logistic regression over the
    features, else the single feature column is the score."""
    import numpy as np

    scores = np.zeros(len(labels))
    correct = 0
    for train, test in splits:
        if fitted:
            model = make_classifier().fit(features[train], labels[train])
            train_scores = model.predict_proba(features[train])[:, 1]
            scores[test] = model.predict_proba(features[test])[:, 1]
        else:
            train_scores = features[train, 0]
            scores[test] = features[test, 0]
        cut = best_threshold(train_scores, labels[train])
        correct += int(((scores[test] > cut) == (labels[test] == 1)).sum())
    return auc(scores, labels), correct / len(labels)


def raw_constants(features: Any, labels: Any) -> tuple[list[float], float, float]:
    """The logistic regression fitted on all pairs, as weights and bias on the raw features, and the
    probability cut with the best accuracy on them."""
    import numpy as np

    model = make_classifier().fit(features, labels)
    scaler, regression = model[0], model[1]
    weights = regression.coef_[0] / scaler.scale_
    bias = float(regression.intercept_[0] - (weights * scaler.mean_).sum())
    probabilities = 1 / (1 + np.exp(-(features @ weights + bias)))
    return [float(w) for w in weights], bias, best_threshold(probabilities, labels)


# --------------------------------------------------------------------------- cross-corpus: hand gold links


def gold_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paraphrase_bench", ROOT / "bench" / "paraphrase.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def gold_check(score: Callable[[list[str], list[str]], Any], threshold: float | None) -> list[str]:
    """Per gold pair: AUC of required links against unlinked pairs, and links (mutual best above the
    threshold) scored for precision and recall."""
    import numpy as np

    bench = gold_module()
    lines = []
    for gold in bench.read_gold():
        sa, sb = bench.sentences_of(gold.a), bench.sentences_of(gold.b)
        ka, kb = bench.distinct(sa), bench.distinct(sb)
        matrix = np.asarray(score(sa, sb)).reshape(len(sa), len(sb))
        positives, negatives = [], []
        for i in range(len(sa)):
            for j in range(len(sb)):
                key = (ka[i], kb[j])
                if key in gold.required:
                    positives.append(matrix[i, j])
                elif key not in gold.acceptable:
                    negatives.append(matrix[i, j])
        area = bench.auc(positives, negatives)
        text = f"{gold.name}: AUC required vs unlinked {area:.3f}"
        if threshold is not None:
            links = {
                (i, int(matrix[i].argmax()))
                for i in range(len(sa))
                if int(matrix[:, int(matrix[i].argmax())].argmax()) == i and matrix[i].max() > threshold
            }
            s = bench.score_links(links, gold)
            text += f"; links P {s.precision:.2f} R {s.recall:.2f} ({s.found}/{s.required})"
        lines.append(text)
    return lines


# --------------------------------------------------------------------------- cost


def cost_child() -> dict[str, float]:
    """In a fresh process: model load, 1,000 new sentences, 100,000 pairs among prepared sentences."""
    import random

    import numpy as np

    before = _status_mb("VmRSS")
    started = time.perf_counter()
    model = paraphrase.default_model()
    loaded = time.perf_counter()
    model_mb = _status_mb("VmRSS") - before
    pairs, _ = read_msrp()
    sentences = list(dict.fromkeys(s for p in pairs for s in p))
    paraphrase.prepare(sentences[:50], model)  # warm the word cache a little, as a running engine has
    first = sentences[1000:2000]
    t0 = time.perf_counter()
    paraphrase.embed(first, model)
    t1 = time.perf_counter()
    pool = sentences[:3000]
    paraphrase.prepare(pool, model)
    rng = random.Random(SEED)
    many = [(rng.choice(pool), rng.choice(pool)) for _ in range(100_000)]
    t2 = time.perf_counter()
    scores = paraphrase.score_pairs(many, model)
    t3 = time.perf_counter()
    # Same-run baselines: the engine's per-sentence words and stems, and plain 3-gram containment.
    from tui.similarity import stem

    t4 = time.perf_counter()
    for text in sentences[3000:4000]:
        [stem(w) for w in words(text)]
    t5 = time.perf_counter()
    grams = {text: _grams(text, 3) for text in pool}
    t6 = time.perf_counter()
    for a, b in many:
        x, y = grams[a], grams[b]
        len(x & y) / (min(len(x), len(y)) or 1)
    t7 = time.perf_counter()
    assert np.isfinite(scores).all()
    return {
        "load_s": loaded - started,
        "model_rss_mb": model_mb,
        "per_1000_s": t1 - t0,
        "per_100k_pairs_s": t3 - t2,
        "baseline_words_per_1000_s": t5 - t4,
        "baseline_containment_100k_s": t7 - t6,
        "peak_mb": _status_mb("VmHWM"),
        "load_average": os.getloadavg()[0],
    }


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmHWM, not ru_maxrss: that keeps the parent's)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(f"{field}:"))) / 1024


def costs() -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--cost-child"], check=True, capture_output=True, text=True, env=env
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    figures["model_mb"] = sum(p.stat().st_size for p in paraphrase.MODEL_DIR.iterdir()) / 1e6
    return figures


# --------------------------------------------------------------------------- main


def table(pairs: Sequence[tuple[str, str]], labels_list: list[int]) -> None:
    import numpy as np

    labels = np.asarray(labels_list)
    splits = folds(labels)
    started = time.perf_counter()
    features = np.asarray(paraphrase.pair_features(pairs), dtype=np.float64)
    print(f"features of {len(pairs)} pairs: {time.perf_counter() - started:.2f} s")
    majority = max(labels.mean(), 1 - labels.mean())
    print(f"\nMSRP train, {len(pairs)} pairs, {FOLDS}-fold (seed {SEED}); majority class {majority:.1%}\n")
    print("| method | ROC AUC | accuracy | vs majority |")
    print("|---|---:|---:|---:|")

    def row(name: str, columns: Any, fitted: bool) -> None:
        area, accuracy = cross_validated(columns, labels, splits, fitted)
        print(f"| {name} | {area:.3f} | {accuracy:.2%} | {100 * (accuracy - majority):+.2f} |")

    row("**tui.similarity.paraphrase** (logistic regression, all features)", features, True)
    other_seeds = [
        cross_validated(features, labels, folds(labels, seed), True) for seed in range(SEED + 1, SEED + 5)
    ]
    aucs = ", ".join(f"{a:.3f}" for a, _ in other_seeds)
    accuracies = ", ".join(f"{b:.2%}" for _, b in other_seeds)
    print(f"| the same, folds drawn with seeds {SEED + 1}–{SEED + 4} | {aucs} | {accuracies} | |")
    lexical = [i for i, f in enumerate(paraphrase.FEATURES) if f not in ("cosine", "soft_alignment")]
    row("the same, lexical features only", features[:, lexical], True)
    row("static-embedding cosine alone", features[:, [0]], False)
    reference = issue_reference_features(pairs)
    row("issue 19's set: token-mean cosine, containment, Jaccard, shared figures, length", reference, True)
    row("token-mean cosine alone (model2vec's own pooling)", reference[:, [0]], False)
    row("soft alignment alone", features[:, [1]], False)
    plain3 = np.array([[containment3(a, b)] for a, b in pairs])
    plain5 = np.array([[jaccard5(a, b)] for a, b in pairs])
    row("baseline: word 3-gram containment", plain3, False)
    row("baseline: word 5-shingle Jaccard", plain5, False)
    print(f"| baseline: majority (every pair a paraphrase) | 0.500 | {majority:.2%} | +0.00 |")
    print("\nWithout one feature (logistic regression on the others):\n")
    print("| left out | ROC AUC | accuracy |")
    print("|---|---:|---:|")
    for k, name in enumerate(paraphrase.FEATURES):
        keep = [i for i in range(len(paraphrase.FEATURES)) if i != k]
        area, accuracy = cross_validated(features[:, keep], labels, splits, True)
        print(f"| {name} | {area:.3f} | {accuracy:.1%} |")
    shipped = np.asarray(paraphrase.score_pairs(pairs))
    print(
        f"\nshipped constants on all of MSRP train (in-sample): AUC {auc(shipped, labels):.3f}, "
        f"accuracy at THRESHOLD {paraphrase.THRESHOLD:.3f}: "
        f"{((shipped > paraphrase.THRESHOLD) == (labels == 1)).mean():.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--fit", action="store_true", help="print the constants for tui/similarity/paraphrase.py"
    )
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--cost-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cost_child:
        print(json.dumps(cost_child()))
        return
    if not MSRP.is_file():
        raise SystemExit(f"{MSRP} is missing (../shared/ holds the third-party data)")
    pairs, labels = read_msrp()
    if args.fit:
        import numpy as np

        features = np.asarray(paraphrase.pair_features(pairs), dtype=np.float64)
        weights, bias, threshold = raw_constants(features, np.asarray(labels))
        print("WEIGHTS: tuple[float, ...] = (")
        for name, w in zip(paraphrase.FEATURES, weights, strict=True):
            print(f"    {w:.4f},  # {name}")
        print(f")\nBIAS = {bias:.4f}\nTHRESHOLD = {threshold:.3f}")
        return
    table(pairs, labels)
    print(
        "\nCross-corpus: trained on MSRP, scored on the hand gold links (bench/data/paraphrase/gold.json)\n"
    )
    for line in gold_check(paraphrase.score_matrix, paraphrase.THRESHOLD):
        print(f"- tui.similarity.paraphrase, {line}")
    for line in gold_check(lambda a, b: paraphrase.embed(a) @ paraphrase.embed(b).T, None):
        print(f"- static cosine alone, {line}")
    for line in gold_check(lambda a, b: [containment3(x, y) for x in a for y in b], None):
        print(f"- 3-gram containment, {line}")
    if not args.no_cost:
        figures = costs()
        print(
            f"\nCost: model {figures['model_mb']:.1f} MB on disk, loaded in {figures['load_s']:.2f} s; "
            f"{figures['per_1000_s']:.3f} s per 1,000 new sentences (same run, the engine's words and "
            f"stems of 1,000 others: {figures['baseline_words_per_1000_s']:.3f} s); "
            f"{figures['per_100k_pairs_s']:.2f} s per 100,000 pairs of prepared sentences (same run, "
            f"3-gram containment of prepared sets: {figures['baseline_containment_100k_s']:.2f} s); the loaded model {figures['model_rss_mb']:.0f} MB of "
            f"memory, peak {figures['peak_mb']:.0f} MB (with MSRP and 100,000 pairs held); "
            f"load average {figures['load_average']:.1f} on {os.cpu_count()} cores"
        )


if __name__ == "__main__":
    main()
