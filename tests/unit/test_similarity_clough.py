"""The labelled plagiarism corpus as a regression guard on the issue's targets (skipped without the corpus)."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tui.similarity import compare

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "bench" / "clough"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "labels.csv").is_file(), reason="clough corpus not beside the repo"
)


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("neardup_bench", REPO / "bench" / "neardup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_scores_separate_and_order_copying_levels() -> None:
    bench = bench_module()
    with open(CORPUS / "labels.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sources = {r["Task"]: bench.as_article(CORPUS / r["File"]) for r in rows if r["Category"] == "orig"}
    answers = []
    for row in rows:
        if row["Category"] == "orig" or row["File"] in bench.PASTED_FROM_ELSEWHERE:
            continue
        alignment = compare(bench.as_article(CORPUS / row["File"]), sources[row["Task"]])
        answers.append(
            bench.Answer(row["File"], row["Task"], row["Category"], alignment.score, alignment.kind, 0.0)
        )
    levels = [float(bench.LEVELS[a.category]) for a in answers]
    scores = [a.score for a in answers]
    assert bench.auc([a.category != "non" for a in answers], scores) >= 0.99
    assert bench.spearman(levels, scores) >= 0.90
    assert bench.violations(answers, lambda a: a.score) == 0
