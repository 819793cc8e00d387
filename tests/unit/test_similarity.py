"""The similarity engine on the seeds, on hand-made cases of each kind, and on alignment edge cases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.library.articles import Article, Library
from tui.library.loader import load_library
from tui.library.parsing import article_from_text
from tui.similarity import SimilarityIndex, compare, find_repeats, stem, words

SEEDS = Path(__file__).resolve().parents[2] / "articles"
ORIGINAL, REWRITE, OTHER = "000_097ad0791a11b944", "002_3b2e89bd4e21a8c9", "004_177cef035ac10641"

# Each distinct sentence of 002 (by its opening words) and the sentence of 000 it restates.
RESTATES = {
    "Seoul has issued a warning": 'Seoul has warned Moscow against "going beyond',
    "National Security Adviser Chang Ho-jin mentioned": '"Our intelligence suggests',
    "Additionally, there is speculation": "Seoul also observes chances",
    "This is amid the Yoon administration": "The conservative Yoon administration",
    "Chang, who previously served": "Chang, who was formerly",
    "He highlighted the potential impact": '"The more Russia offers',
    "Furthermore, there are indications": "According to local reports",
    "However, the presidential office": "The presidential office in Seoul",
    "Notably, the original treaty": "The treaty between Kremlin and Pyongyang",
    "Subsequently, the Kremlin and Pyongyang": "Kremlin and Pyongyang signed",
}
LEFT_OUT_OF_REWRITE = ("Putin in 2000 visited", "He added that Russia", "Chang also said the high-level")


@pytest.fixture(scope="module")
def seeds() -> Library:
    return load_library(SEEDS)


def test_rewrite_comes_first_and_other_coverage_is_at_most_related(seeds: Library, tmp_path: Path) -> None:
    index = SimilarityIndex.build(seeds, tmp_path / "cache")
    matches = index.matches(ORIGINAL)
    assert matches[0].id == REWRITE
    assert matches[0].kind in ("duplicate", "near-duplicate", "rewrite")
    other = [m for m in matches if m.id == OTHER]
    assert not other or other[0].kind == "related"
    assert all(m.score < matches[0].score for m in matches[1:])


def test_rewrite_alignment_pairs_nine_of_ten_sentences_with_the_sentence_they_restate(seeds: Library) -> None:
    original, rewrite = seeds.get(ORIGINAL), seeds.get(REWRITE)
    alignment = compare(original, rewrite)
    assert alignment.kind == "rewrite"
    partners: dict[str, set[str]] = {}
    for pair in alignment.pairs:
        partners.setdefault(rewrite.text(pair.b), set()).add(original.text(pair.a))
    right = 0
    for rewrite_start, original_start in RESTATES.items():
        found = [texts for sentence, texts in partners.items() if sentence.startswith(rewrite_start)]
        if found and any(text.startswith(original_start) for text in found[0]):
            right += 1
    assert right >= 9


def test_sentences_the_rewrite_leaves_out_are_only_in_the_original(seeds: Library) -> None:
    original, rewrite = seeds.get(ORIGINAL), seeds.get(REWRITE)
    alignment = compare(original, rewrite)
    only_a = [original.text(span) for span in alignment.only_a]
    for start in LEFT_OUT_OF_REWRITE:
        assert any(text.startswith(start) for text in only_a), start
    # Restated sentences are not reported as left out.
    assert not any(text.startswith("Seoul has warned Moscow") for text in only_a)
    assert alignment.only_b == []


def test_repeat_inside_the_rewrite_is_found_and_does_not_inflate_the_score(seeds: Library) -> None:
    rewrite = seeds.get(REWRITE)
    repeats = find_repeats(rewrite)
    assert len(repeats) == 1
    first, copy = repeats[0].spans
    assert words(rewrite.text(first)) == words(rewrite.text(copy))  # equal but for case, spacing, punctuation
    assert copy.start > first.end
    once = article_from_text(rewrite.text(first), "once")
    original = seeds.get(ORIGINAL)
    assert compare(original, rewrite).score == pytest.approx(compare(original, once).score, abs=1e-3)
    assert compare(original, rewrite).repeats_b == repeats


def test_other_coverage_of_the_same_event_is_related_not_rewrite(seeds: Library) -> None:
    alignment = compare(seeds.get(ORIGINAL), seeds.get(OTHER))
    assert alignment.kind in ("related", None)
    assert alignment.score < compare(seeds.get(ORIGINAL), seeds.get(REWRITE)).score


# --------------------------------------------------------------------------- hand-made kinds

STORY = [
    "The city council approved a new budget for the harbour district on Tuesday evening.",
    "Mayor Elena Brandt said the plan would fund three ferry terminals and a sea wall.",
    "Opposition members argued that the 42 million euro price tag was far too high.",
    "Construction is expected to begin in March and last about four years.",
    "Residents near the docks have complained about flooding since the storm of 2019.",
    "The council will publish the detailed spending plan on its website next week.",
]
REWORDED = [
    "On Tuesday evening, councillors gave the green light to a fresh harbour district budget.",
    "According to Mayor Elena Brandt, the scheme will pay for a sea wall and three ferry terminals.",
    "Members of the opposition complained that 42 million euros was an excessive cost.",
    "Building work should start in March and take roughly four years.",
    "Since the 2019 storm, people living near the docks have protested about floods.",
    "Next week the detailed spending plan will be published on the council website.",
]
SAME_TOPIC = [
    "Harbour towns across the region are struggling to pay for flood defences.",
    "Engineers warn that sea levels along the coast could rise faster than expected.",
    "Several councils have asked the national government for emergency funding.",
    "Ferry operators say rising costs could force them to cut routes this winter.",
]


def _article(sentences: list[str], article_id: str, paragraph_size: int = 2) -> Article:
    paragraphs = [
        " ".join(sentences[i : i + paragraph_size]) for i in range(0, len(sentences), paragraph_size)
    ]
    return article_from_text("\n\n".join(paragraphs), article_id)


def test_exact_copy_with_other_case_and_spacing_is_a_duplicate() -> None:
    copy = [s.upper().replace(" ", "  ") for s in STORY]
    alignment = compare(_article(STORY, "a"), _article(copy, "b", paragraph_size=3))
    assert alignment.kind == "duplicate"
    assert alignment.score == 1.0
    assert alignment.reason == "identical text"


def test_copy_with_a_paragraph_inserted_is_a_near_duplicate() -> None:
    inserted = [*STORY[:3], *SAME_TOPIC[:2], *STORY[3:]]
    alignment = compare(_article(STORY, "a"), _article(inserted, "b"))
    assert alignment.kind == "near-duplicate"
    assert 0.9 <= alignment.score < 1.0
    only_b = {s for s in alignment.only_b}
    assert len(only_b) == 2


def test_reordered_rewrite_is_a_rewrite_with_every_sentence_aligned() -> None:
    order = [3, 0, 5, 1, 4, 2]
    reordered = [REWORDED[i] for i in order]
    a, b = _article(STORY, "a"), _article(reordered, "b")
    alignment = compare(a, b)
    assert alignment.kind == "rewrite"
    assert 0.6 <= alignment.score < 0.9
    for pair in alignment.pairs:
        assert STORY.index(a.text(pair.a)) == order[[b.text(s) for s in b.sentences].index(b.text(pair.b))]
    assert alignment.only_a == [] and alignment.only_b == []


def test_merged_and_split_sentences_align_one_to_many() -> None:
    merged = [STORY[0][:-1] + ", and " + STORY[1][0].lower() + STORY[1][1:], *STORY[2:]]
    a, b = _article(STORY, "a"), _article(merged, "b")
    alignment = compare(a, b)
    first_of_b = b.sentences[0]
    partners = {a.text(p.a) for p in alignment.pairs if p.b == first_of_b}
    assert partners == {STORY[0], STORY[1]}
    assert alignment.only_a == []


def test_same_topic_article_is_at_most_related() -> None:
    alignment = compare(_article(STORY, "a"), _article(SAME_TOPIC, "b"))
    assert alignment.kind in ("related", None)
    assert alignment.score < 0.6


def test_unrelated_articles_do_not_match() -> None:
    sport = [
        "The home side won the cup final 3-1 after extra time.",
        "Their striker scored twice in ten minutes.",
    ]
    alignment = compare(_article(STORY, "a"), _article(sport, "b"))
    assert alignment.kind is None
    assert alignment.pairs == []


# --------------------------------------------------------------------------- edge cases


def test_empty_article_compares_without_error() -> None:
    empty = article_from_text("", "empty")
    alignment = compare(empty, _article(STORY, "a"))
    assert alignment.kind is None
    assert alignment.pairs == [] and alignment.only_a == []
    assert len(alignment.only_b) == len(STORY)
    assert compare(empty, empty).pairs == []


def test_one_sentence_articles() -> None:
    one = article_from_text(STORY[0], "one")
    assert compare(one, one).kind == "duplicate"
    alignment = compare(one, article_from_text(REWORDED[0], "two"))
    assert len(alignment.pairs) == 1


def test_article_compared_with_itself_is_a_duplicate_with_every_sentence_paired() -> None:
    article = _article(STORY, "a")
    alignment = compare(article, article)
    assert alignment.kind == "duplicate" and alignment.score == 1.0
    assert [(p.a, p.b) for p in alignment.pairs] == [(s, s) for s in article.sentences]


def test_very_long_sentences_align_quickly() -> None:
    import time

    long_a = " ".join(s[:-1] + "," for s in STORY * 40) + " end."
    long_b = " ".join(s[:-1] + "," for s in REWORDED * 40) + " end."
    compare(_article(STORY, "warm"), _article(REWORDED, "up"))  # the model is read once, not timed
    started = time.process_time()
    alignment = compare(article_from_text(long_a, "a"), article_from_text(long_b, "b"))
    # A guard against work quadratic in the words (minutes), loose enough for a busy machine.
    assert time.process_time() - started < 10.0
    assert len(alignment.pairs) == 1


def test_repeats_need_a_paragraph_or_three_sentences() -> None:
    two_sentences = article_from_text(
        f"{STORY[0]} {STORY[1]} {STORY[2]}\n\n{STORY[3]} {STORY[0]} {STORY[1]}", "x"
    )
    assert find_repeats(two_sentences) == []
    three = article_from_text(
        f"{STORY[0]} {STORY[1]} {STORY[2]} {STORY[3]}\n\n{STORY[4]} {STORY[0]} {STORY[1]} {STORY[2]}", "y"
    )
    repeats = find_repeats(three)
    assert len(repeats) == 1 and len(repeats[0].spans) == 2
    assert three.text(repeats[0].spans[1]) == f"{STORY[0]} {STORY[1]} {STORY[2]}"
    paragraph = article_from_text(f"{STORY[0]}\n\n{STORY[1]}\n\n{STORY[0]}", "z")
    assert [[paragraph.text(s) for s in r.spans] for r in find_repeats(paragraph)] == [[STORY[0], STORY[0]]]


def test_light_stemming_meets_word_forms() -> None:
    assert stem("warned") == stem("warning") == stem("warns") == stem("warn")
    assert stem("issues") == stem("issued") == stem("issue")
    assert stem("2000") == "2000"


def test_similarity_imports_no_textual_and_no_heavy_libraries() -> None:
    code = (
        "import sys, tui.similarity; "
        "bad = [m for m in ('textual', 'rich', 'numpy', 'sklearn', 'datasketch', 'scipy') if m in sys.modules]; "
        "print(bad)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_the_gist_is_the_reason_without_the_counts_that_back_it(seeds: Library) -> None:
    rewrite = compare(seeds.get(ORIGINAL), seeds.get(REWRITE))
    assert rewrite.reason.endswith("sentences restated; figures agree")
    assert rewrite.gist == "figures agree"
    other = compare(seeds.get(OTHER), seeds.get(ORIGINAL))
    assert other.reason.startswith(other.gist + " (topic overlap")
    assert other.gist == "same story, separate report"


SEED_VERSIONS = Path(__file__).resolve().parents[1] / "data" / "seed_versions"


def test_a_paraphrase_of_004_is_a_rewrite_and_a_pasted_excerpt_ranks_above_it(seeds: Library) -> None:
    # Written for the tests from 004: a paraphrase restating every sentence in other words ("fortify
    # the ties" → "strengthen relations between Moscow and Pyongyang"), and an excerpt pasting 5 of
    # its sentences verbatim among 3 of its own.
    versions = load_library(SEED_VERSIONS)
    paraphrase = compare(seeds.get(OTHER), versions.get("004_paraphrase"))
    excerpt = compare(seeds.get(OTHER), versions.get("004_excerpt"))
    assert paraphrase.kind == "rewrite"
    assert excerpt.kind in ("near-duplicate", "rewrite")
    assert excerpt.reason.startswith("5 of 8 sentences restated, 5 verbatim")
    assert excerpt.score > paraphrase.score > compare(seeds.get(OTHER), seeds.get(ORIGINAL)).score


def test_two_single_sentences_score_by_how_surely_one_restates_the_other() -> None:
    """Within its kind, a pair of single sentences is placed by the paraphrase model's probability,
    not by how literally it is worded: a paraphrase would otherwise rank below looser matches."""
    from tui.similarity.verdict import _banded

    alignment = compare(
        article_from_text("The central bank cut its main interest rate to 3.25% on Thursday.", "a"),
        article_from_text("On Thursday the central bank lowered its key rate to 3.25%.", "b"),
    )
    assert alignment.kind is not None and alignment.kind != "near-duplicate"
    assert alignment.pairs and alignment.pairs[0].literal < 1.0  # reworded, not copied
    placed = [_banded(alignment.kind, c) for c in (alignment.coverage_a, alignment.coverage_b)]
    assert any(abs(alignment.score - p) <= 1e-4 for p in placed), (
        alignment.score,
        placed,
    )  # scores are rounded
