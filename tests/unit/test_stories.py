"""Stories: versions grouped from the index, passages, echoes of notes, homes for orphans, stable ids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rate_versions import write_rate_versions
from shared_data import shared_data

from tui.annotations import AnnotationStore, find_quote, open_store
from tui.cli.story_json import story_json
from tui.library.articles import Article, Library
from tui.library.loader import load_library
from tui.similarity import Alignment, SimilarityIndex
from tui.similarity.model import STORY_KINDS
from tui.stories import Stories

A = "000_097ad0791a11b944"
B = "002_3b2e89bd4e21a8c9"
RELATED = "004_177cef035ac10641"
FIRST_SENTENCE = (
    'Seoul has warned Moscow against "going beyond a certain point," amid reports that Russia and North '
    "Korea are seeking to deepen their military ties during President Vladimir Putin's imminent visit to "
    "Pyongyang."
)
RESTATED = "Seoul has issued a warning to Moscow, cautioning against exceeding certain limits"
CHANG = "Chang, who was formerly South Korea's ambassador to Russia"


def _stories(articles: Path, tmp_path: Path) -> tuple[Library, Stories]:
    library = load_library(articles, cache_dir=tmp_path / "cache")
    index = SimilarityIndex.build(library, tmp_path / "cache")
    return library, Stories.build(library, index, state_dir=tmp_path / "state", cache_dir=tmp_path / "cache")


def _copy_of_a(seed_library: Path, name: str, edit: tuple[str, str], date: str | None = None) -> None:
    text = (seed_library / f"{A}.txt").read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    text = text.replace(old, new)
    if date is not None:
        text = text.replace("Published : June 17, 2024 - 15:43", f"Published : {date}")
    (seed_library / f"{name}.txt").write_text(text, encoding="utf-8")


def _highlight(store: AnnotationStore, library: Library, article_id: str, quote: str, note: str = "") -> None:
    article = library.get(article_id)
    start, end = find_quote(article, quote)
    store.add(article, start, end, note=note)


def test_story_kinds_are_the_versions_of_a_story() -> None:
    assert frozenset({"duplicate", "near-duplicate", "rewrite", "update", "partial"}) == STORY_KINDS
    assert "related" not in STORY_KINDS and "template" not in STORY_KINDS


def test_seeds_make_one_story_with_the_related_article_beside_it(seed_library: Path, tmp_path: Path) -> None:
    _, stories = _stories(seed_library, tmp_path)
    assert len(stories) == 1
    story = next(iter(stories))
    assert story.version_ids == [A, B]  # the dated version first
    assert story.title == "Seoul cautions Moscow on Putin's NK visit"
    assert story.versions[0].kind is None and story.versions[1].kind == "rewrite"
    assert story.related == [RELATED]
    assert stories.of(RELATED) is None
    assert stories.get(A) is story and stories.get(story.id) is story and stories.get("002") is story


def test_passages_pair_the_restated_sentences(seed_library: Path, tmp_path: Path) -> None:
    library, stories = _stories(seed_library, tmp_path)
    story = stories.align(stories.get(A))
    a, b = library.get(A), library.get(B)
    first = story.passages[0]
    span_a, span_b = first.spans[A], first.spans[B]
    assert span_a is not None and span_b is not None
    assert a.text(span_a) == FIRST_SENTENCE
    assert b.text(span_b).startswith(RESTATED)
    only_a = [p for p in story.passages if p.spans.get(B) is None]
    assert only_a and all(p.carriers() == [A] for p in only_a)


def test_a_highlight_echoes_reworded_on_the_rewrite_and_not_on_the_related_article(
    seed_library: Path, tmp_path: Path
) -> None:
    library, stories = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, FIRST_SENTENCE, note="the warning")
    annotation = store.for_article(A)[0]
    echoes = stories.echoes(stories.get(A), annotation, annotation.start, annotation.end)
    assert [e.article_id for e in echoes] == [B]
    echo = echoes[0]
    assert echo.match == "reworded"
    assert echo.text.startswith(RESTATED) and echo.text.endswith("upcoming visit to Pyongyang.")
    assert echo.note == "the warning"
    assert stories.echoes_on(RELATED, store) == []
    on_b = stories.echoes_on(B, store)
    assert [(e.start, e.end) for e in on_b] == [(echo.start, echo.end)]


def test_verbatim_and_absent_echoes_in_an_edited_copy(seed_library: Path, tmp_path: Path) -> None:
    deleted = (
        "The presidential office in Seoul was not immediately available for comment as of press time.\n\n"
    )
    _copy_of_a(seed_library, "010_copy", (deleted, ""))
    library, stories = _stories(seed_library, tmp_path)
    story = stories.get(A)
    assert "010_copy" in story
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, CHANG)
    _highlight(store, library, A, deleted.strip())
    chang, press = store.for_article(A)
    echo_chang = {e.article_id: e for e in stories.echoes(story, chang, chang.start, chang.end)}
    assert echo_chang["010_copy"].match == "verbatim"
    assert echo_chang["010_copy"].text == CHANG
    assert echo_chang[B].match == "reworded"
    echo_press = {e.article_id: e for e in stories.echoes(story, press, press.start, press.end)}
    assert echo_press["010_copy"].match == "absent" and echo_press["010_copy"].start is None
    assert echo_press[B].match == "reworded"
    assert "not available" in echo_press[B].text


def test_changed_figures_are_marked_on_their_passage(seed_library: Path, tmp_path: Path) -> None:
    _copy_of_a(seed_library, "010_update", ("scrapped in 1996", "scrapped in 1997"))
    _, stories = _stories(seed_library, tmp_path)
    story = stories.align(stories.get(A))
    changed = [p for p in story.passages if p.figures_changed]
    assert len(changed) == 1
    assert "1996" in changed[0].figures[A] and "1997" in changed[0].figures["010_update"]


def test_an_orphan_finds_its_home_in_the_version_that_restates_it(seed_library: Path, tmp_path: Path) -> None:
    library, _ = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, FIRST_SENTENCE, note="the warning")
    path = seed_library / f"{A}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(FIRST_SENTENCE + "\n\n", ""), encoding="utf-8")

    library, stories = _stories(seed_library, tmp_path)
    story = stories.get(A)
    orphans = stories.orphans(story, store)
    assert len(orphans) == 1
    placed, homes = orphans[0]
    assert placed.orphaned and placed.annotation.note == "the warning"
    assert homes[0].article_id == B
    assert homes[0].match == "reworded" and not homes[0].carry  # reworded: only on the user's say
    assert homes[0].text.startswith(RESTATED)
    row = story_json(stories, story, store)["annotations"][0]
    assert row["status"] == "orphaned" and row["homes"][0]["article_id"] == B


def test_an_orphan_of_a_removed_article_is_carried_to_a_verbatim_copy(
    seed_library: Path, tmp_path: Path
) -> None:
    _copy_of_a(seed_library, "010_copy", ("Chang also said", "Chang said"))
    library, _ = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, CHANG)
    (seed_library / f"{A}.txt").unlink()

    library, stories = _stories(seed_library, tmp_path)
    story = stories.get("010_copy")
    orphans = stories.orphans(story, store)
    assert len(orphans) == 1
    homes = orphans[0][1]
    assert homes[0].article_id == "010_copy" and homes[0].match == "verbatim" and homes[0].carry
    assert homes[0].text == CHANG


def test_story_id_survives_an_added_earlier_version(seed_library: Path, tmp_path: Path) -> None:
    _, stories = _stories(seed_library, tmp_path)
    before = next(iter(stories)).id
    _copy_of_a(seed_library, "001_earlier", ("Chang also said", "Chang said"), date="June 16, 2024 - 09:00")
    _, stories = _stories(seed_library, tmp_path)
    story = stories.get(A)
    assert story.version_ids[0] == "001_earlier"  # now the earliest version
    assert story.id == before


def test_a_version_dated_by_day_alone_follows_that_day_s_timed_report(
    seed_library: Path, tmp_path: Path
) -> None:
    # Not known to come before the report timed 15:43 that day, so that one stays the first.
    _copy_of_a(seed_library, "001_same_day", ("Chang also said", "Chang said"), date="June 17, 2024")
    library, stories = _stories(seed_library, tmp_path)
    assert library.get("001_same_day").day_only
    assert stories.get(A).version_ids[:2] == [A, "001_same_day"]
    # The day before is before, time of day or not.
    _copy_of_a(seed_library, "001_day_before", ("Chang also said", "Chang said so and"), date="June 16, 2024")
    _, stories = _stories(seed_library, tmp_path)
    assert stories.get(A).version_ids[:3] == ["001_day_before", A, "001_same_day"]


def count_alignments(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the first article of every `compare` made from now on."""
    import tui.similarity

    calls: list[str] = []
    real = tui.similarity.compare

    def counting(a: Article, b: Article) -> Alignment:
        calls.append(a.id)
        return real(a, b)

    monkeypatch.setattr(tui.similarity, "compare", counting)
    return calls


def test_alignments_are_cached_by_content(
    seed_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, stories = _stories(seed_library, tmp_path)
    stories.align(stories.get(A))
    cached = tmp_path / "cache" / "stories" / "alignments.json"
    assert not cached.exists()  # written once, when asked, not per story
    stories.save()
    assert cached.exists()
    again = Stories(list(stories), library, tmp_path / "cache")
    for story in again:
        story.aligned = False
    calls = count_alignments(monkeypatch)
    story = again.align(again.get(A))
    assert calls == [] and story.passages


def test_a_damaged_id_file_or_cache_is_not_fatal(seed_library: Path, tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "stories.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "cache" / "stories").mkdir(parents=True)
    (tmp_path / "cache" / "stories" / "alignments.json").write_text('{"version": "x"', encoding="utf-8")
    _, stories = _stories(seed_library, tmp_path)
    assert stories.align(stories.get(A)).passages


def test_stories_is_pure_core() -> None:
    code = (
        "import sys, tui.stories\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_carry_over_moves_verbatim_orphans_only_and_records_where_from(
    seed_library: Path, tmp_path: Path
) -> None:
    from tui.annotations.anchoring import anchor
    from tui.stories import carry_over

    _copy_of_a(seed_library, "010_copy", (FIRST_SENTENCE + "\n\n", ""))
    library, _ = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, CHANG, note="verbatim elsewhere")
    _highlight(store, library, A, FIRST_SENTENCE, note="reworded elsewhere")
    path = seed_library / f"{A}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(FIRST_SENTENCE + "\n\n", "").replace(CHANG, "Chang, once envoy"), encoding="utf-8"
    )

    library, stories = _stories(seed_library, tmp_path)
    moved = carry_over(stories, store)
    assert [(a.note, home.article_id) for a, home in moved] == [("verbatim elsewhere", "010_copy")]
    carried = store.get(moved[0][0].id)
    assert carried.article_id == "010_copy" and carried.exact == CHANG
    assert carried.moved_from is not None and carried.moved_from["article_id"] == A
    assert anchor(carried, library.get("010_copy")).status == "moved"
    left = [a for a in store.all() if a.note == "reworded elsewhere"]
    assert left[0].article_id == A  # reworded: stays an orphan until the user moves it


def test_an_adopted_echo_follows_its_original_until_it_is_edited(seed_library: Path, tmp_path: Path) -> None:
    library, stories = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, FIRST_SENTENCE, note="first")
    original = store.for_article(A)[0]
    echo = stories.echoes_on(B, store)[0]
    assert echo.start is not None and echo.end is not None
    copy = store.adopt(original, library.get(B), echo.start, echo.end)
    assert copy.linked_to == original.id and copy.note == "first"
    store.update(original.id, note="second", color="red")
    assert store.get(copy.id).note == "second" and store.get(copy.id).color == "red"
    store.undo()  # the edit is undone on the original and on the copy that followed it
    assert store.get(original.id).note == "first" and store.get(copy.id).note == "first"
    assert store.get(copy.id).color == "yellow" and store.get(copy.id).linked_to == original.id
    store.update(original.id, note="second", color="red")
    store.update(copy.id, note="mine")
    assert store.get(copy.id).linked_to is None
    store.update(original.id, note="third")
    assert store.get(copy.id).note == "mine"
    # Old documents without the new fields still load; the new ones survive a reopen.
    again = open_store(tmp_path / "annotations.json")
    assert again.get(copy.id).note == "mine" and again.get(original.id).linked_to is None


def test_a_highlight_in_a_repeated_copy_echoes_like_its_first_occurrence(
    seed_library: Path, tmp_path: Path
) -> None:
    library, stories = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    b = library.get(B)
    start, end = find_quote(b, RESTATED, occurrence=2)  # 002 stores its text twice
    store.add(b, start, end)
    (annotation,) = store.for_article(B)
    (echo,) = stories.echoes(stories.get(B), annotation, annotation.start, annotation.end)
    assert echo.article_id == A and echo.match == "reworded" and echo.text == FIRST_SENTENCE


def test_a_deleted_sentence_gets_no_echo_on_a_weakly_linked_neighbour(tmp_path: Path) -> None:
    # Alignment links the deleted sentence to its best partner in the copy, a sentence that has its
    # own verbatim twin; that weak second choice must not carry an echo.
    shared = shared_data("bench", "bbc", "business", "391.txt")
    text = shared.read_text(encoding="utf-8")
    deleted = "Analysts are not optimistic about Yukos' chances in court."
    assert text.count(deleted) == 1
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "yukos.txt").write_text(text, encoding="utf-8")
    (articles / "yukos_copy.txt").write_text(text.replace(deleted, ""), encoding="utf-8")
    library, stories = _stories(articles, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, "yukos", deleted)
    (annotation,) = store.for_article("yukos")
    story = stories.get("yukos")
    (echo,) = stories.echoes(story, annotation, annotation.start, annotation.end)
    assert echo.article_id == "yukos_copy" and echo.match == "absent"


def test_a_large_story_is_aligned_along_a_spanning_tree(
    seed_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(7):
        _copy_of_a(seed_library, f"01{number}_copy", ("Chang also said", f"Chang also said ({number})"))
    library, stories = _stories(seed_library, tmp_path)
    story = stories.get(A)
    assert len(story.versions) == 9  # 000, 002 and the seven copies
    calls = count_alignments(monkeypatch)
    stories.align(story)
    assert len(calls) == len(story.versions) - 1  # one alignment per version, not every pair
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, CHANG)
    (annotation,) = store.for_article(A)
    echoes = stories.echoes(story, annotation, annotation.start, annotation.end)
    assert sorted(e.match for e in echoes) == ["reworded"] + ["verbatim"] * 7


def test_no_home_in_a_version_that_lacks_the_passage(seed_library: Path, tmp_path: Path) -> None:
    _copy_of_a(seed_library, "010_copy", (FIRST_SENTENCE + "\n\n", ""))
    library, _ = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, FIRST_SENTENCE)
    path = seed_library / f"{A}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(FIRST_SENTENCE + "\n\n", ""), encoding="utf-8")
    library, stories = _stories(seed_library, tmp_path)
    ((placed, homes),) = stories.orphans(stories.get(A), store)
    assert [home.article_id for home in homes] == [B]  # not 010_copy, which lost it too


def test_a_re_fetched_article_offers_its_reworded_sentence_as_home(
    seed_library: Path, tmp_path: Path
) -> None:
    first = (
        "A flurry of diplomacy, with North Korea and Russia on one side and South Korea and China on the "
        "other, is slated to play out on the Korean Peninsula in the coming week"
    )
    reworded = (
        "Diplomacy is set to intensify on the Korean Peninsula next week, pitting North Korea and Russia "
        "against South Korea and China"
    )
    library, _ = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, RELATED, first, note="diplomacy")
    path = seed_library / f"{RELATED}.txt"
    text = path.read_text(encoding="utf-8")
    assert first in text
    path.write_text(text.replace(first, reworded), encoding="utf-8")
    library, stories = _stories(seed_library, tmp_path)
    assert stories.of(RELATED) is None  # no other version: the home is in its own new text
    (annotation,) = store.for_article(RELATED)
    from tui.annotations.anchoring import anchor

    assert anchor(annotation, library.get(RELATED)).orphaned
    (home,) = stories.homes(annotation)
    assert home.article_id == RELATED and home.match == "reworded" and not home.carry
    assert home.text.startswith(reworded)


def test_a_sentence_with_other_figures_left_unaligned_is_still_one_passage() -> None:
    # An engine that keeps sentences with other facts apart leaves them in only_a / only_b.
    from tui.library.parsing import article_from_text
    from tui.stories.alignment import _restated_with_other_figures

    a = article_from_text(
        "The treaty was scrapped in 1996 as Russia established trade ties with South Korea. "
        "The office was not available for comment.",
        "a",
    )
    b = article_from_text(
        "The treaty was scrapped in 1997 as Russia established trade ties with South Korea. "
        "Officials declined to discuss the matter.",
        "b",
    )
    links = _restated_with_other_figures(a, b, a.sentences, b.sentences)
    assert links == [[0.0, 0.0, 1.0]]  # the sentence with the changed year; not the other pair


def test_a_partial_copy_joins_a_story_but_never_bridges_two(seed_library: Path, tmp_path: Path) -> None:
    from tui.similarity import PairMatch

    for name in (
        "010_other",
        "011_other_copy",
        "012_partial",
        "013_partial_of_partial",
        "014_lone",
        "015_lone_copy",
    ):
        (seed_library / f"{name}.txt").write_text(f"{name}\n\nSome text of {name}.\n", encoding="utf-8")
    library = load_library(seed_library, cache_dir=tmp_path / "cache")

    class Index:
        """The engine's answer, fixed: a story A-B, a story of two others, partial copies between."""

        def pairs(self, kinds: object = None) -> list[PairMatch]:
            return [
                PairMatch(A, B, 0.71, "rewrite", "r"),
                PairMatch("010_other", "011_other_copy", 0.95, "near-duplicate", "n"),
                PairMatch(A, "010_other", 0.5, "partial", "a shared passage"),  # two stories: no bridge
                PairMatch(B, "012_partial", 0.45, "partial", "p"),  # joins A-B
                PairMatch("012_partial", "013_partial_of_partial", 0.44, "partial", "p"),  # no chain
                PairMatch("014_lone", "015_lone_copy", 0.4, "partial", "p"),  # two alone: one story
                PairMatch(A, RELATED, 0.03, "related", "x"),
            ]

    # a stand-in for SimilarityIndex: build reads only its pairs()
    stories = Stories.build(library, Index(), tmp_path / "state", tmp_path / "cache")  # type: ignore[arg-type]
    groups = sorted(sorted(story.version_ids) for story in stories)
    assert groups == [
        sorted([A, B, "012_partial"]),
        ["010_other", "011_other_copy"],
        ["014_lone", "015_lone_copy"],
    ]
    assert stories.of("013_partial_of_partial") is None
    story = stories.get(A)
    assert all(p.a in story and p.b in story for p in story.pairs)


def test_an_echo_on_a_sentence_whose_figures_differ_is_changed_not_reworded(
    seed_library: Path, tmp_path: Path
) -> None:
    sentence = "Kremlin and Pyongyang signed a new set of treaties in 2000 for economic, science and technology cooperation."
    _copy_of_a(seed_library, "010_update", ("treaties in 2000 for", "treaties in 2001 for"))
    library, stories = _stories(seed_library, tmp_path)
    store = open_store(tmp_path / "annotations.json")
    _highlight(store, library, A, sentence, note="the year of the treaties")
    (annotation,) = store.for_article(A)
    story = stories.get(A)
    echoes = {e.article_id: e for e in stories.echoes(story, annotation, annotation.start, annotation.end)}
    echo = echoes["010_update"]
    assert echo.match == "changed" and echo.change == "2000 → 2001", echo.text
    assert "2001" in echo.text
    data = story_json(stories, story, store)
    (row,) = data["annotations"]
    shown = {e["article_id"]: e for e in row["echoes"]}
    assert shown["010_update"]["match"] == "changed" and shown["010_update"]["change"] == "2000 → 2001"


def test_fact_change_reads_figures_and_names_and_ignores_a_fact_left_out() -> None:
    from tui.similarity.facts import fact_change

    assert fact_change("Federal funds opened at 6-3/8 pct", "Federal funds opened at 6-1/16 pct") == (
        "6-3/8 pct → 6-1/16 pct"
    )
    assert fact_change("rates rose 2 pct in March", "rates rose in March") == ""
    assert fact_change("the rate is 6.5 pct", "the rate is 6.50 pct") == ""


def test_a_sentence_reworded_with_its_figure_changed_is_one_passage_with_figures_changed(
    tmp_path: Path,
) -> None:
    # "kept ... at 3.5%" became "cut ... to 3.25%": more than the figure changed, so the old
    # same-words rule did not pair them; the engine's changed pair does.
    articles = write_rate_versions(tmp_path / "articles")
    _, stories = _stories(articles, tmp_path)
    story = stories.align(stories.get("a"))
    first = story.passages[0]
    assert first.carriers() == ["a", "b"]
    assert first.figures_changed and first.figures == {"a": ["3.5"], "b": ["3.25"]}
