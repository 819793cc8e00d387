"""The story model's small parts: one union-find, a view that writes nothing, frozen values."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tui.annotations import find_quote, open_store
from tui.cli.story_json import story_json, view_json
from tui.library.loader import load_library
from tui.similarity import SimilarityIndex
from tui.stories import Stories
from tui.stories.disjoint import DisjointSets
from tui.stories.views import story_view

A = "000_097ad0791a11b944"  # a seed article with a rewrite (see test_stories.py)
QUOTE = "Chang, who was formerly South Korea's ambassador to Russia"


def _stories(articles: Path, tmp_path: Path) -> Stories:
    library = load_library(articles, cache_dir=tmp_path / "cache")
    index = SimilarityIndex.build(library, tmp_path / "cache")
    return Stories.build(library, index, state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")


def test_disjoint_sets_join_groups_whatever_the_order_of_the_links() -> None:
    forward: DisjointSets[str] = DisjointSets()
    backward: DisjointSets[str] = DisjointSets()
    for item in "abcde":
        forward.add(item)
        backward.add(item)
    links = [("a", "b"), ("d", "c"), ("b", "d")]
    assert [forward.join(x, y) for x, y in links] == [True, True, True]
    assert [backward.join(y, x) for x, y in reversed(links)] == [True, True, True]
    assert not forward.join("a", "c")  # one group already
    assert (
        sorted(map(sorted, forward.groups()))
        == sorted(map(sorted, backward.groups()))
        == [
            ["a", "b", "c", "d"],
            ["e"],
        ]
    )
    assert forward.root("c") == backward.root("c") == "a"  # the smallest item names its group


def test_a_story_view_and_its_json_write_nothing_and_save_writes_the_cache(
    seed_library: Path, tmp_path: Path
) -> None:
    stories = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    article = stories.library.get(A)
    store.add(article, *find_quote(article, QUOTE), note="a note")
    story = stories.get(A)
    cached = tmp_path / "cache" / "stories" / "alignments.json"
    view = story_view(stories, story, store)
    data = story_json(stories, story, store)
    assert not cached.exists()
    assert data == view_json(view)
    (note,) = view.notes
    assert note.in_place and note.placed.annotation.note == "a note" and note.echoes
    stories.save()
    assert cached.exists()


def test_versions_echoes_and_homes_are_frozen(seed_library: Path, tmp_path: Path) -> None:
    stories = _stories(seed_library, tmp_path)
    version = stories.get(A).versions[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        version.title = "changed"  # type: ignore[misc]
