"""The paraphrase benchmark's gold links and scoring (bench/paraphrase.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paraphrase_bench", REPO / "bench" / "paraphrase.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_gold_phrase_names_one_sentence(bench: ModuleType) -> None:
    gold = bench.read_gold()
    assert [g.name for g in gold] == ["seed rewrite 000 / 002", "hand-written restatement of 004"]
    seed, reworded = gold
    assert len(seed.required) == 11
    assert len(reworded.required) >= 10
    # Each restated sentence of 004 has its own partner: no sentence of the restatement is used twice.
    assert len({j for _, j in reworded.required}) == len(reworded.required)
    assert not (seed.required & seed.acceptable)


def test_a_repeated_sentence_counts_once(bench: ModuleType) -> None:
    assert bench.distinct(["One.", "Two.", "one", "Three."]) == [0, 1, 0, 3]
    with pytest.raises(SystemExit, match="in 2 distinct sentences"):
        bench.resolve("one", ["Alpha one.", "Beta one."], "x")


def test_precision_counts_acceptable_links_and_recall_only_required(bench: ModuleType) -> None:
    gold = bench.read_gold()[0]
    (a0, b0), (a1, b1) = sorted(gold.required)[:2]
    (xa, xb) = sorted(gold.acceptable)[0]
    wrong = (a0, b1)
    assert wrong not in gold.required | gold.acceptable
    score = bench.score_links({(a0, b0), (xa, xb), wrong}, gold)
    assert (score.links, score.correct, score.found, score.required) == (3, 2, 1, 11)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(1 / 11)


def test_facts_veto_a_mutual_best_link_whose_figures_differ(bench: ModuleType) -> None:
    import numpy as np

    a = ["Putin and Kim met nine months ago, in September 2023.", "The talks went well."]
    b = ["Putin and Kim last met eleven months ago, in July 2023.", "The talks were a success."]
    cos = np.array([[0.9, 0.1], [0.1, 0.8]], dtype=np.float32)
    assert bench.embedding_links(cos, a, b, 0.5, facts=False) == {(0, 0), (1, 1)}
    assert bench.embedding_links(cos, a, b, 0.5, facts=True) == {(1, 1)}
    assert bench.embedding_links(cos, a, b, 0.85, facts=False) == {(0, 0)}
    # The engine's links stay; an embedding link is added only between sentences it left unlinked.
    assert bench.hybrid_links({(0, 1)}, cos, a, b, 0.5) == {(0, 1)}
    assert bench.hybrid_links(set(), cos, a, b, 0.5) == {(1, 1)}


def test_auc_counts_ties_half(bench: ModuleType) -> None:
    assert bench.auc([0.9, 0.5], [0.5, 0.1]) == pytest.approx(0.875)
