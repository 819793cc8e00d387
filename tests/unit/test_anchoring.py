"""Anchoring: every way an article can change under a highlight."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from tui.articles import Article, article_from_text
from tui.store import Annotation, anchor, anchor_all

BODY = (
    "Seoul has warned Moscow against going beyond a certain point, amid reports that Russia and "
    "North Korea are seeking to deepen their military ties.\n\n"
    "National Security Adviser Chang Ho-jin told Yonhap News TV on Sunday evening that Seoul has "
    "cautioned his Russian counterpart.\n\n"
    "The president will visit. Officials said the president will visit. Nobody denied it."
)
QUOTE = "told Yonhap News TV on Sunday evening"
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def article(body: str = BODY, content_hash: str | None = None) -> Article:
    made = article_from_text(body, "a1")
    return dataclasses.replace(made, content_hash=content_hash) if content_hash else made


def highlight(source: Article, quote: str, occurrence: int = 0) -> Annotation:
    start = -1
    for _ in range(occurrence + 1):
        start = source.body.index(quote, start + 1)
    return Annotation.create(source, start, start + len(quote), moment=MOMENT)


def edited(body: str) -> Article:
    return article(body, content_hash="changed")


def test_unchanged_article_is_anchored_in_place() -> None:
    original = article()
    note = highlight(original, QUOTE)
    placed = anchor(note, original)
    assert (placed.status, placed.start, placed.end) == ("anchored", note.start, note.end)


def test_changed_hash_but_same_text_at_the_position_is_still_anchored() -> None:
    note = highlight(article(), QUOTE)
    placed = anchor(note, edited(BODY + "\n\nA paragraph added at the end."))
    assert placed.status == "anchored"


def test_insertion_before_the_quote_moves_it() -> None:
    note = highlight(article(), QUOTE)
    changed = edited("An editor's note added on top of the article.\n\n" + BODY)
    placed = anchor(note, changed)
    assert placed.status == "moved"
    assert placed.start is not None and changed.body[placed.start : placed.end] == QUOTE


def test_quote_words_edited_still_found_where_the_edit_is() -> None:
    note = highlight(article(), QUOTE)
    changed = edited(BODY.replace("on Sunday evening", "late on Sunday night"))
    placed = anchor(note, changed)
    assert placed.status == "moved"
    assert changed.body[placed.start : placed.end] == "told Yonhap News TV late on Sunday night"


def test_quote_deleted_is_an_orphan_that_keeps_its_quote() -> None:
    note = highlight(article(), QUOTE)
    changed = edited(BODY.replace(QUOTE + " ", ""))
    placed = anchor(note, changed)
    assert (placed.status, placed.start, placed.end) == ("orphaned", None, None)
    assert placed.annotation.exact == QUOTE


def test_whole_paragraph_deleted_is_an_orphan() -> None:
    note = highlight(article(), QUOTE)
    changed = edited(BODY.replace(BODY.split("\n\n")[1] + "\n\n", ""))
    assert anchor(note, changed).status == "orphaned"


def test_repeated_quote_keeps_the_occurrence_it_was_made_on() -> None:
    original = article()
    assert original.body.count("president will visit") == 2
    first = highlight(original, "president will visit", occurrence=0)
    second = highlight(original, "president will visit", occurrence=1)
    # Text inserted before both: positions shift, the prefixes tell the copies apart.
    changed = edited("Breaking.\n\n" + BODY)
    placed = [anchor(note, changed) for note in (first, second)]
    shift = len("Breaking.\n\n")
    assert [(p.status, p.start) for p in placed] == [
        ("moved", first.start + shift),
        ("moved", second.start + shift),
    ]


def test_repeated_quote_when_one_copy_is_deleted_keeps_the_right_one() -> None:
    body = "Alpha one. The same words here. Beta two. The same words here. Gamma three."
    original = article(body)
    later = highlight(original, "The same words here.", occurrence=1)
    changed = edited(body.replace("Alpha one. The same words here. ", "Alpha one. "))
    placed = anchor(later, changed)
    assert placed.start == changed.body.index("The same words here.")
    assert changed.body[placed.start - 10 : placed.start] == "Beta two. "


def test_short_quote_gone_does_not_jump_to_a_lookalike() -> None:
    body = "They met in Seoul on Monday. Later, officials in Busan spoke. Nothing more from Seoul."
    original = article(body)
    note = highlight(original, "Seoul on Monday")
    changed = edited(body.replace("They met in Seoul on Monday. ", ""))
    assert anchor(note, changed).status == "orphaned"


def test_anchor_all_is_in_text_order_with_orphans_last() -> None:
    original = article()
    late = highlight(original, "Nobody denied it.")
    gone = highlight(original, QUOTE)
    early = highlight(original, "Seoul has warned Moscow")
    changed = edited(BODY.replace(QUOTE + " ", ""))
    placed = anchor_all([late, gone, early], changed)
    assert [p.annotation.id for p in placed] == [early.id, late.id, gone.id]
    assert [p.status for p in placed] == ["anchored", "moved", "orphaned"]


def test_a_long_quote_in_a_huge_paragraph_is_found_again_quickly() -> None:
    import random
    import time

    rng = random.Random(3)
    words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "zeta",
        "theta",
        "kappa",
        "lambda",
        "sigma",
        "omega",
    ]
    body = " ".join(rng.choice(words) for _ in range(150_000))  # ~1 MB, one paragraph
    original = article(body)
    start = body.index(" ", len(body) // 2) + 1
    note = Annotation.create(original, start, start + 8_000, moment=MOMENT)
    middle = start + 4_000
    changed = edited("A new first sentence. " + body[:middle] + " EDITED " + body[middle:])
    began = time.perf_counter()
    placed = anchor(note, changed)
    took = time.perf_counter() - began
    assert placed.status == "moved"
    assert (placed.start, placed.end) == (note.start + 22, note.end + 22 + len(" EDITED "))
    assert took < 4, f"{took:.1f} s"  # edge refinement and whole-body search took ~13 s
