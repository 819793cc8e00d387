"""`compare` stays bounded: a candidate stage before the alignment, and a clear refusal beyond a size."""

from __future__ import annotations

import random
import time

import pytest

from tui.errors import TuiError
from tui.library.articles import Article
from tui.library.parsing import article_from_text
from tui.similarity import MAX_ALIGNED_SENTENCES, AlignmentTooLargeError, compare

VOCABULARY = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "omicron",
]


def short_sentences(seed: int, count: int) -> Article:
    """Short sentences drawn from a 15-word vocabulary: every sentence shares words with every other."""
    rng = random.Random(seed)
    sentences = [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(3, 7))).capitalize() + "."
        for _ in range(count)
    ]
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, count, 5)]
    return article_from_text("\n\n".join(paragraphs), f"synthetic-{seed}")


def test_many_sentences_of_a_tiny_vocabulary_align_in_bounded_time() -> None:
    a, b = short_sentences(1, 4000), short_sentences(2, 4000)
    # CPU time of this process, not wall time: other work on a busy machine does not count against it.
    # About 2 s here; quadratic work (16 million pairs scored in Python) would take minutes.
    started = time.process_time()
    alignment = compare(a, b)
    elapsed = time.process_time() - started
    assert elapsed < 20.0
    assert alignment.pairs  # identical short sentences still meet


def test_an_article_beyond_the_limit_is_refused_with_one_line() -> None:
    big = short_sentences(3, MAX_ALIGNED_SENTENCES + 10)
    small = short_sentences(4, 10)
    with pytest.raises(AlignmentTooLargeError) as raised:
        compare(small, big)
    assert isinstance(raised.value, TuiError)
    message = str(raised.value)
    assert "\n" not in message and "too large to align" in message and big.id in message


def test_an_article_of_too_many_words_is_refused_too() -> None:
    from tui.similarity import MAX_ALIGNED_WORDS

    sentence = " ".join(["word"] * 1000) + "."
    big = article_from_text("\n\n".join([sentence] * (MAX_ALIGNED_WORDS // 1000 + 1)), "wordy")
    with pytest.raises(AlignmentTooLargeError, match="wordy is too large to align .* words"):
        compare(big, short_sentences(5, 10))
