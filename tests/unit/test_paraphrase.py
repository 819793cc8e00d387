"""The sentence-pair paraphrase scorer (tui/similarity/paraphrase.py) and its shipped static model."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tui.similarity import paraphrase

REPO = Path(__file__).resolve().parents[2]
MSRP = REPO.parent / "shared" / "bench" / "msrp" / "train.tsv"

TRICKY = [
    "Seoul has warned Moscow against crossing a red line, an official said on Wednesday.",
    "Shares of <SUSQ.O> rose 1-3/4 to 21-1/2 in U.S. trading; the S&P 500 was flat (-0.1%).",
    "Zürich-based Nestlé's café chain didn't say whether it'd cut 1,200 jobs — \"not yet\".",
    "Ο Πούτιν και ο Κιμ: 北朝鮮 and Россия signed a pact\u00a0in Pyongyang\tyesterday.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism x" + "y" * 120,
    "",
    "...!?",
]


def test_the_model_loads_from_the_package_folder() -> None:
    assert len(paraphrase.WEIGHTS) == len(paraphrase.FEATURES)
    model = paraphrase.load_model(paraphrase.MODEL_DIR)
    assert paraphrase.MODEL_DIR.is_relative_to(REPO / "tui")
    assert model.vectors.shape == (len(model.vocab), 256)
    assert sum(p.stat().st_size for p in paraphrase.MODEL_DIR.iterdir()) < 16_500_000


def test_scoring_needs_no_network_textual_or_torch() -> None:
    # In a fresh process where opening any socket fails: the model loads and a pair is scored.
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('no network in this test')\n"
        "socket.socket = refuse\n"
        "socket.create_connection = refuse\n"
        "import tui.similarity.paraphrase as p\n"
        "assert 'numpy' not in sys.modules, 'numpy imported with the module'\n"
        "score = p.same_content('The bank cut rates.', 'Rates were cut by the bank.')\n"
        "assert 0.0 <= score <= 1.0\n"
        "for name in ('textual', 'rich', 'torch', 'tokenizers', 'model2vec', 'huggingface_hub'):\n"
        "    assert name not in sys.modules, name\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(importlib.util.find_spec("tokenizers") is None, reason="tokenizers (bench extra) absent")
def test_tokenises_as_the_models_own_tokenizer() -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(paraphrase.MODEL_DIR / "tokenizer.json"))
    unknown = tokenizer.token_to_id("[UNK]")
    for text in TRICKY:
        expected = [i for i in tokenizer.encode(text, add_special_tokens=False).ids if i != unknown]
        assert paraphrase.tokenize(text) == expected, text


def test_embeddings_are_unit_rows_and_empty_text_is_zero() -> None:
    import numpy as np

    vectors = paraphrase.embed(TRICKY)
    assert vectors.shape == (len(TRICKY), 256)
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[:5], 1.0, atol=1e-5)
    assert norms[5] == 0.0
    assert paraphrase.embed([]).shape == (0, 256)


def test_a_paraphrase_outscores_the_same_words_saying_something_else() -> None:
    original = "The central bank cut its main interest rate on Thursday to support growth."
    reworded = "On Thursday the central bank lowered its key rate to help the economy grow."
    other = "The central bank said on Thursday that growth, not its main interest rate, was the support."
    assert paraphrase.same_content(original, reworded) > paraphrase.same_content(original, other)
    assert paraphrase.same_content(original, reworded) > paraphrase.THRESHOLD
    assert paraphrase.same_content(original, "Heavy rain flooded the village overnight.") < 0.2


def test_conflicting_figures_lower_the_score() -> None:
    a = "The company said profit rose 12 percent to 3.5 billion dollars in the third quarter."
    same = "Profit at the company climbed 12 percent to 3.5 billion dollars in the third quarter."
    changed = "Profit at the company climbed 7 percent to 2.1 billion dollars in the third quarter."
    assert paraphrase.same_content(a, changed) < paraphrase.same_content(a, same)
    features = dict(zip(paraphrase.FEATURES, paraphrase.pair_features([(a, changed)])[0], strict=True))
    assert features["figures_conflict"] == 1.0


def test_negation_lowers_the_score() -> None:
    a = "The minister said the treaty would be signed this week."
    assert paraphrase.same_content(a, "The minister said the treaty would not be signed this week.") < (
        paraphrase.same_content(a, "The treaty would be signed this week, the minister said.")
    )


def test_the_batch_gives_what_single_calls_give() -> None:
    pairs = [(TRICKY[i], TRICKY[j]) for i in range(len(TRICKY)) for j in range(len(TRICKY))]
    batch = paraphrase.score_pairs(pairs)
    single = []
    for a, b in pairs:
        paraphrase.clear_cache()  # each pair prepared afresh, alone
        single.append(paraphrase.same_content(a, b))
    assert batch.shape == (len(pairs),)
    assert list(batch) == pytest.approx(single, abs=1e-6)
    assert paraphrase.score_pairs([]).shape == (0,)


def test_the_matrix_holds_every_pair() -> None:
    a, b = TRICKY[:3], TRICKY[2:5]
    matrix = paraphrase.score_matrix(a, b)
    assert matrix.shape == (3, 3)
    assert matrix[2, 0] == pytest.approx(paraphrase.same_content(a[2], b[0]), abs=1e-6)
    assert paraphrase.score_matrix([], b).shape == (0, 3)


def test_the_score_is_symmetric() -> None:
    a, b = TRICKY[0], "An official said on Wednesday that Seoul had warned Moscow not to cross a red line."
    assert paraphrase.same_content(a, b) == pytest.approx(paraphrase.same_content(b, a), abs=1e-6)


def _auc(scores: list[float], labels: list[int]) -> float:
    positives = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    negatives = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    import bisect

    wins = sum(
        bisect.bisect_left(negatives, p)
        + 0.5 * (bisect.bisect_right(negatives, p) - bisect.bisect_left(negatives, p))
        for p in positives
    )
    return wins / (len(positives) * len(negatives))


@pytest.mark.skipif(not MSRP.is_file(), reason="../shared/bench/msrp/train.tsv absent")
def test_the_shipped_weights_reproduce_the_msrp_figure() -> None:
    with MSRP.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    pairs = [(r["sentence1"], r["sentence2"]) for r in rows]
    labels = [int(r["paraphrase"]) for r in rows]
    scores = [float(s) for s in paraphrase.score_pairs(pairs)]
    cosine = [float(f[0]) for f in paraphrase.pair_features(pairs)]
    majority = max(sum(labels), len(labels) - sum(labels)) / len(labels)
    accuracy = sum((s > paraphrase.THRESHOLD) == bool(y) for s, y in zip(scores, labels, strict=True))
    # In-sample (the weights were fitted on these pairs); bench/msrp.py gives the cross-validated figures.
    assert _auc(scores, labels) >= 0.80
    assert _auc(scores, labels) > _auc(cosine, labels) + 0.03
    assert accuracy / len(labels) >= majority + 0.07
