"""The Library's filter over all rows at once gives every row the rank `filter_rank` gives it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

import pytest

from tui.app.screens.library import filter_rank
from tui.library.filter import NO_MATCH, FilterRows, folded, rank_rows


@dataclass
class _Row:
    id: str
    title: str
    source: str | None
    author: str | None
    published: datetime | None
    content_hash: str
    body: str
    added: datetime | None = None


WORDS = ["oil", "prices", "rise", "Oil Prices", "bank", "rates", "cut", "seoul", "putin", "visit", "o", "x"]


def _rows(count: int, seed: int) -> list[_Row]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 8)))
        rows.append(
            _Row(
                id=f"a{number}" if number % 7 else title,  # some ids read as the title
                title=title,
                source=rng.choice([None, "Reuters", "Oil Daily"]),
                author=rng.choice([None, "Kim Rates"]),
                published=rng.choice([None, datetime(2024, 1, 1 + number % 28)]),
                content_hash=f"h{number}",
                body=body,
            )
        )
    return rows


def _body_hits(rows: list[_Row], query: str) -> dict[str, set[str]]:
    """What the word index answers, for these texts: a whole folded word here (it is a prefix there,
    and the test's words are no prefix of one another's but "o")."""
    phrase = folded(query)
    hits: dict[str, set[str]] = {}
    for key in {*phrase.split(), phrase}:
        hits[key] = {row.content_hash for row in rows if key in folded(row.body)}
    return hits


@pytest.mark.parametrize(
    "query", ["oil", "Oil prices", "prices oil", "o", "seoul putin", "a3", "rates", "zzz", "OIL  PRICES", ""]
)
def test_every_row_gets_the_rank_filter_rank_gives(query: str) -> None:
    rows = _rows(300, seed=len(query))
    heads = [f"{folded(r.id)}\n{folded(r.title)}" for r in rows]
    metas = [f"{folded(r.source or '')}\n{folded(r.author or '')}" for r in rows]
    expected = [filter_rank(query, h, m, folded(r.body)) for h, m, r in zip(heads, metas, rows, strict=True)]
    named = [f"{h}\n{m}" for h, m in zip(heads, metas, strict=True)]
    hits = _body_hits(rows, query)
    assert rank_rows(query, heads, named, [r.content_hash for r in rows], hits) == expected
    shown, ranks = FilterRows(rows).filtered(query, "date", hits)
    assert [ranks[i] for i in shown] == sorted(r for r in expected if r < NO_MATCH)


def test_rows_are_shown_in_the_sort_order_within_a_rank() -> None:
    rows = _rows(200, seed=3)
    filter_rows = FilterRows(rows)
    by_title = filter_rows.order("title")
    assert [rows[i].title.casefold() for i in by_title] == sorted(r.title.casefold() for r in rows)
    shown, ranks = filter_rows.filtered("oil", "title", _body_hits(rows, "oil"))
    for rank in set(ranks[i] for i in shown):
        within = [i for i in shown if ranks[i] == rank]
        assert within == [i for i in by_title if i in set(within)]
