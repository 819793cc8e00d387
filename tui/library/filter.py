"""The Library's rows: filter and sort over every row at once, fast enough for each keystroke at
100,000 articles, and the labels that tell apart rows that would read the same.

`rank_rows` gives each row the rank `filter_rank` (tui/screens/library.py) would give it, but a
condition at a time over all rows (comprehensions, set and string operations in C) rather than a
Python call per row: 95,000 calls took 1.5 s a keystroke. The text is not read: `body_hits` says,
for the phrase and each word, which content hashes the word index found them in. Knows nothing of
Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

NO_MATCH = 99


class Row(Protocol):
    """What the filter and the sorts read of an article (an Article or a listed one)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def added(self) -> datetime | None: ...


def twin_labels(articles: Sequence[Row]) -> dict[str, str]:
    """For rows that would read the same (title, source and day), what tells them apart:
    a version number in the order they came in, and when each was added where that is known."""
    # By title first, then by source and day within a title held twice: the full key of every row
    # (a date made a string) was most of the cost at 95,000 rows, where few titles repeat.
    by_title: dict[str, list[Row]] = {}
    for article in articles:
        by_title.setdefault(article.title.casefold(), []).append(article)
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for title, same_title in by_title.items():
        if len(same_title) < 2:
            continue
        for article in same_title:
            day = article.published.date().isoformat() if article.published else ""
            groups.setdefault((title, (article.source or "").casefold(), day), []).append(article)
    labels: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda a: (a.added is None, a.added.timestamp() if a.added else 0.0, a.id))
        for number, article in enumerate(group, 1):
            label = f"v{number}"
            if article.added is not None:
                label += f", added {article.added.astimezone():%d %b %H:%M}"
            labels[article.id] = label
    return labels


def folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def sort_key(sort: str) -> Callable[[Row], tuple[bool | str | float, ...]]:
    if sort == "title":
        return lambda article: (article.title.casefold(), article.id)
    if sort == "source":
        return lambda article: ((article.source or "\uffff").casefold(), article.id)
    # newest first, undated last
    return lambda article: (
        article.published is None,
        -(article.published.timestamp() if article.published else 0),
        article.id,
    )


@dataclass
class FilterRows:
    """The folded text of every row, made once per library, and its orders, made once per sort."""

    rows: Sequence[Row]
    _folded: tuple[list[str], list[str], list[str]] | None = field(init=False, default=None)
    _orders: dict[str, list[int]] = field(init=False, default_factory=dict)

    def folded_rows(self) -> tuple[list[str], list[str], list[str]]:
        """(heads, named, hashes): each row's folded id and title; that, its source and author;
        its content hash. Made at the first filter (or ahead of it, by a worker), then kept."""
        if self._folded is None:
            heads = [f"{folded(row.id)}\n{folded(row.title)}" for row in self.rows]
            named = [
                f"{head}\n{folded(row.source or '')}\n{folded(row.author or '')}"
                for head, row in zip(heads, self.rows, strict=True)
            ]
            self._folded = heads, named, [row.content_hash for row in self.rows]
        return self._folded

    def order(self, sort: str) -> list[int]:
        """The rows' positions in this sort order (sorted once, then kept)."""
        found = self._orders.get(sort)
        if found is None:
            key = sort_key(sort)
            rows = self.rows
            found = sorted(range(len(rows)), key=lambda index: key(rows[index]))
            self._orders[sort] = found
        return found

    def filtered(self, query: str, sort: str, body_hits: dict[str, set[str]]) -> tuple[list[int], list[int]]:
        """(positions of the matching rows, best rank first and in sort order within a rank; every
        row's rank)."""
        ranks = rank_rows(query, *self.folded_rows(), body_hits)
        shown = [index for index in self.order(sort) if ranks[index] < NO_MATCH]
        shown.sort(key=ranks.__getitem__)  # stable: the sort order holds within a rank
        return shown, ranks


def rank_rows(
    query: str, heads: list[str], named: list[str], hashes: list[str], body_hits: dict[str, set[str]]
) -> list[int]:
    """Every row's rank for the query, as `filter_rank` gives it: 0 the id or title itself, 1 one
    starting with the words as typed, 2 the title holding them, 3 all the words in the title, 4 in
    source and author too, 5 the text holding the words as typed, 6 the words anywhere."""
    phrase = folded(query)
    if not phrase:
        return [0] * len(heads)
    terms = phrase.split()
    matches = _rows_with_every_term(terms, named, hashes, body_hits)
    ranks = [NO_MATCH] * len(heads)
    # From the loosest condition to the strictest: each row keeps the best rank it meets.
    for index in matches:
        ranks[index] = 6
    in_body = body_hits.get(phrase, set())
    _assign(ranks, [i for i in matches if hashes[i] in in_body], 5)
    _assign(ranks, _holding_every(terms, matches, named), 4)
    holding = _holding_every(terms, matches, heads)
    _assign(ranks, holding, 3)
    holding = [i for i in holding if phrase in heads[i]]
    _assign(ranks, holding, 2)
    line_start = "\n" + phrase
    holding = [i for i in holding if heads[i].startswith(phrase) or line_start in heads[i]]
    _assign(ranks, holding, 1)
    first_line, last_line = phrase + "\n", "\n" + phrase
    _assign(ranks, [i for i in holding if heads[i].startswith(first_line) or heads[i].endswith(last_line)], 0)
    return ranks


def _rows_with_every_term(
    terms: list[str], named: list[str], hashes: list[str], body_hits: dict[str, set[str]]
) -> list[int]:
    """The rows whose head, source, author or text holds every term, in row order."""
    common: set[int] | None = None
    for term in terms:
        rows = {index for index, text in enumerate(named) if term in text}
        in_body = body_hits.get(term)
        if in_body:
            rows |= {index for index, content_hash in enumerate(hashes) if content_hash in in_body}
        common = rows if common is None else common & rows
        if not common:
            return []
    return sorted(common or ())


def _holding_every(terms: list[str], rows: list[int], texts: list[str]) -> list[int]:
    """The rows whose text holds every term (one comprehension per term: no generator per row)."""
    for term in terms:
        rows = [index for index in rows if term in texts[index]]
    return rows


def _assign(ranks: list[int], rows: list[int], rank: int) -> None:
    for index in rows:
        ranks[index] = rank
