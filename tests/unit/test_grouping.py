"""Stories as cores, not chains: one grouping for dupes, stories, the app and the export."""

from __future__ import annotations

from tui.similarity import PairMatch
from tui.similarity.model import Kind
from tui.stories.grouping import group_versions

ORDER = {name: (rank,) for rank, name in enumerate("abcdefghij")}


def order(article_id: str) -> tuple[int]:
    return ORDER[article_id]


def pair(a: str, b: str, kind: Kind, score: float = 0.8) -> PairMatch:
    return PairMatch(a, b, score, kind, "")


def test_versions_of_the_core_form_one_story() -> None:
    pairs = [pair("a", "b", "near-duplicate"), pair("a", "c", "rewrite"), pair("d", "e", "duplicate")]
    assert group_versions(pairs, order) == [["a", "b", "c"], ["d", "e"]]


def test_a_daily_series_is_not_chained_into_one_story() -> None:
    # Three days' reports in one form: each day's is a sibling of the others (template), and an
    # undated copy of Monday's links to Tuesday's as an update. No chain runs through it.
    pairs = [
        pair("a", "b", "template"),
        pair("b", "c", "template"),
        pair("a", "c", "template"),
        pair("a", "d", "near-duplicate"),
        pair("d", "b", "update"),
    ]
    groups = group_versions(pairs, order)
    assert groups == [["a", "d"]]


def test_a_chain_is_cut_where_a_member_is_a_version_of_neither_core_nor_most_of_the_story() -> None:
    # a-b-c-d-e: each a version of the next only. A story is its core's versions, then versions of
    # most of its members: a, b; c is linked to b alone (1 of 2) and starts anew with d.
    pairs = [
        pair("a", "b", "update"),
        pair("b", "c", "update"),
        pair("c", "d", "update"),
        pair("d", "e", "update"),
    ]
    assert group_versions(pairs, order) == [["a", "b"], ["c", "d"]]


def test_an_article_joins_when_it_is_a_version_of_most_members() -> None:
    pairs = [
        pair("a", "b", "update"),
        pair("a", "c", "update"),
        pair("b", "d", "update"),
        pair("c", "d", "update"),
    ]
    assert group_versions(pairs, order) == [["a", "b", "c", "d"]]


def test_a_partial_copy_joins_one_story_and_never_bridges_two() -> None:
    pairs = [
        pair("a", "b", "rewrite"),
        pair("c", "d", "near-duplicate"),
        pair("a", "c", "partial", 0.5),  # two stories: no bridge
        pair("b", "e", "partial", 0.45),  # joins a-b
        pair("e", "f", "partial", 0.44),  # no chain of partial copies
        pair("g", "h", "partial", 0.4),  # two alone: one story
    ]
    assert group_versions(pairs, order) == [["a", "b", "e"], ["c", "d"], ["g", "h"]]


def test_related_pairs_never_join() -> None:
    assert group_versions([pair("a", "b", "related")], order) == []


def test_versions_of_one_page_are_one_story_whatever_their_texts_say() -> None:
    # The same address fetched again after its publisher rewrote it: one story, even with no pair.
    pages = {"a": "example.org/news/1", "c": "example.org/news/1", "d": "example.org/other"}
    assert group_versions([pair("a", "b", "rewrite")], order, pages) == [["a", "b", "c"]]
    assert group_versions([pair("a", "b", "template")], order, {"a": "p", "b": "p"}) == [["a", "b"]]


def test_a_page_key_reads_one_address_however_written() -> None:
    from tui.stories.grouping import page_key

    assert page_key("https://Example.org/news/1/?utm_source=x#top") == page_key("https://example.org/news/1")
    assert page_key("javascript:alert(1)") is None and page_key(None) is None
