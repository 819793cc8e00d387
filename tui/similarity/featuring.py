"""Stage 1 at scale: the articles a build has not seen prepared, here or in worker processes.

Preparing an article (sentences, terms, facts, shingles) is a pure function of its text, about a
third of a cold build, and was done in one process while the other cores waited. A large build now
sends chunks of whole articles to spawned workers, as stage 2 sends its pairs (`judging`), and takes
back what the index keeps: the features, the term counts in their order and the packed article. The
results come back in the articles' order, so terms are numbered as a build in one process numbers
them and the index is the same.

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.similarity.candidates import signature
from tui.similarity.judging import in_workers_in_order, worker_count
from tui.similarity.prepared import _Features, _features, _pack, _prepare

if TYPE_CHECKING:
    from tui.library.articles import Article

# Articles to prepare before worker processes pay for their start (about a second each).
PARALLEL_FROM = 1_000
# Articles a worker prepares per task: a few seconds of work, a few MB of text sent.
CHUNK_ARTICLES = 250


@dataclass(slots=True)
class Computed:
    """What a build keeps of one prepared article."""

    feature: _Features
    counts: list[tuple[str, int]]  # its terms and their counts, in the order they were met
    packed: bytes  # what stage 2 needs of it (`_pack`)


def _compute(article: Article) -> Computed:
    prepared = _prepare(article)
    feature = _features(prepared)
    # The MinHash signature is all the candidate stage needs of the shingles: made here, in the
    # worker, and the shingles neither sent back nor kept.
    feature.minhash, feature.shingles = signature(feature.shingles), ()
    return Computed(feature, list(prepared.counts.items()), _pack(prepared))


def computed(articles: Sequence[Article], advance: Callable[[int], None]) -> Iterator[Computed]:
    """Each article prepared, in order; `advance(n)` after each n. Their texts are let go of
    (a library's lazy articles read them again if a screen wants them)."""
    workers = worker_count(len(articles), PARALLEL_FROM)
    given = 0
    if workers > 1:
        try:
            for result in _in_workers(articles, advance, workers):
                yield result
                given += 1
        except (OSError, RuntimeError, ValueError):
            pass  # no processes to be had here (a sandbox, a broken pool): the rest are prepared here
    for article in articles[given:]:
        yield _compute(article)
        article.forget_text()
        advance(1)


def _in_workers(
    articles: Sequence[Article], advance: Callable[[int], None], workers: int
) -> Iterator[Computed]:
    # A library's lazy article travels as its listing and reads its text in the worker.
    tasks = (
        (_compute_chunk, (list(articles[start : start + CHUNK_ARTICLES]),))
        for start in range(0, len(articles), CHUNK_ARTICLES)
    )
    return in_workers_in_order(tasks, advance, workers)


def _compute_chunk(articles: list[Article]) -> list[Computed]:
    """In a worker: one chunk of articles prepared, each text let go of once prepared."""
    done = []
    for article in articles:
        done.append(_compute(article))
        article.forget_text()
    return done
