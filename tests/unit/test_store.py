"""The annotation store: round trips, undo, two writers, damaged files, backups, migration."""

from __future__ import annotations

import os
import random
import shutil
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

import orjson
import pytest

from tui.annotations import (
    BACKUPS_KEPT,
    COLORS,
    DEFAULT_COLOR,
    SCHEMA_VERSION,
    Annotation,
    AnnotationStore,
    StoreError,
    TrackedTable,
    find_quote,
    open_store,
)
from tui.errors import UsageError
from tui.library.articles import Article
from tui.library.parsing import article_from_text

TEXT = (
    "Seoul has warned Moscow against going beyond a certain point.\n\n"
    "The quick brown fox jumps over the lazy dog. The quick brown fox rests.\n\n"
    "A third paragraph closes the article."
)


@pytest.fixture
def article() -> Article:
    return article_from_text(TEXT, "a1")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


def span(article: Article, quote: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(quote, start + 1)
    return start, start + len(quote)


def test_palette_has_five_colors_with_yellow_first() -> None:
    assert len(COLORS) == 5
    assert DEFAULT_COLOR == "yellow" == next(iter(COLORS))
    assert all(COLORS.values())


def test_missing_file_is_created_on_first_write_only(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    assert store.all() == [] and store.problem is None
    assert not db.parent.exists()
    store.add(article, *span(article, "quick brown fox"))
    assert db.exists()
    tables = orjson.loads(db.read_bytes())
    assert tables["meta"] == {"1": {"schema": SCHEMA_VERSION}}


def test_round_trip_keeps_every_field(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = store.add(
        article,
        *span(article, "quick brown fox"),
        note="**why** it matters",
        color="green",
        tags=["#Big idea", "x"],
    )
    assert made.exact == "quick brown fox"
    assert made.prefix == article.body[made.start - 32 : made.start]
    assert made.suffix == article.body[made.end : made.end + 32]
    assert made.tags == ["Big-idea", "x"]
    assert made.article_hash == article.content_hash
    assert AnnotationStore(db).get(made.id) == made


def test_document_is_shaped_after_w3c_selectors(article: Article, db: Path) -> None:
    made = AnnotationStore(db).add(article, *span(article, "lazy dog"))
    doc = orjson.loads(db.read_bytes())["annotations"][made.id]
    quote, position = doc["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": "lazy dog",
        "prefix": made.prefix,
        "suffix": made.suffix,
    }
    assert position == {"type": "TextPositionSelector", "start": made.start, "end": made.end}


def test_selection_whitespace_is_trimmed(article: Article, db: Path) -> None:
    start, end = span(article, "quick brown fox")
    made = AnnotationStore(db).add(article, start - 1, end + 1)
    assert made.exact == "quick brown fox"


class AddOptions(TypedDict, total=False):
    color: str
    tags: list[str]


@pytest.mark.parametrize(
    ("start", "end", "kwargs"),
    [(5, 5, {}), (-1, 4, {}), (0, 10_000, {}), (0, 5, {"color": "pink"}), (0, 5, {"tags": ["!!"]})],
)
def test_bad_requests_are_usage_errors(
    article: Article, db: Path, start: int, end: int, kwargs: AddOptions
) -> None:
    with pytest.raises(UsageError):
        AnnotationStore(db).add(article, start, end, **kwargs)
    assert not db.exists()


def test_for_article_is_in_text_order_and_counts(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    late = store.add(article, *span(article, "third paragraph"))
    early = store.add(article, *span(article, "Seoul"))
    other = store.add(article_from_text("Other text here.", "b2"), 0, 5)
    assert [a.id for a in store.for_article("a1")] == [early.id, late.id]
    assert store.counts_by_article() == {"a1": 2, "b2": 1}
    assert store.for_article("nobody") == []
    assert other.id in {a.id for a in store.all()}


def test_ids_resolve_by_unique_prefix(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = store.add(article, *span(article, "Seoul"))
    assert store.get(made.id[:8]).id == made.id
    with pytest.raises(UsageError):
        store.get("nonexistent-id")


def test_update_delete_and_undo(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = store.add(article, *span(article, "lazy dog"), note="first")
    edited = store.update(made.id, note="second", color="red", tags=["t"])
    assert (edited.note, edited.color, edited.tags) == ("second", "red", ["t"])
    assert edited.updated > made.updated
    store.delete(made.id)
    assert store.all() == []
    assert "deletion" in (store.undo() or "")
    assert AnnotationStore(db).get(made.id).note == "second"
    assert "edit" in (store.undo() or "")
    assert AnnotationStore(db).get(made.id).note == "first"
    assert store.undo() is not None  # the add itself
    assert AnnotationStore(db).all() == []
    assert store.undo() is None


def test_all_tags_sorted_without_repeats(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    store.add(article, 0, 5, tags=["beta", "Alpha"])
    store.add(article, 6, 9, tags=["beta"])
    assert store.all_tags() == ["Alpha", "beta"]


def test_reattach_moves_an_annotation_keeping_its_note(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = store.add(article, *span(article, "lazy dog"), note="keep me")
    moved = store.reattach(made.id, article, *span(article, "third paragraph"))
    assert (moved.exact, moved.note) == ("third paragraph", "keep me")


def test_two_stores_on_one_file_lose_nothing(article: Article, db: Path) -> None:
    first, second = AnnotationStore(db), AnnotationStore(db)
    first.all(), second.all()  # both have read the (empty) file
    a = first.add(article, 0, 5)
    b = second.add(article, 6, 9)  # must re-read under the lock, not write its stale view
    c = first.update(a.id, note="edited")
    assert {x.id for x in AnnotationStore(db).all()} == {a.id, b.id}
    assert second.get(c.id).note == "edited"  # a reader sees another process's change


def test_serialized_bytes_equal_a_full_dump_after_changes(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = [store.add(article, i, i + 4) for i in range(0, 40, 5)]
    store.update(made[2].id, note="changed")
    store.delete(made[3].id)
    store.undo()
    store.delete(made[5].id)
    on_disk = orjson.loads(db.read_bytes())
    assert on_disk == orjson.loads(orjson.dumps(store._storage.read()))
    assert on_disk["annotations"][made[2].id]["note"] == "changed"
    assert made[5].id not in on_disk["annotations"] and made[3].id in on_disk["annotations"]


def test_tracked_table_refuses_untracked_bulk_changes() -> None:
    with pytest.raises(TypeError):
        TrackedTable().update({"a": {}})


def test_merge_adds_new_and_keeps_the_newer_copy(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    made = store.add(article, 0, 5, note="mine")
    newer = Annotation(**{**made.__dict__, "note": "theirs", "updated": made.updated + timedelta(seconds=5)})
    older = Annotation(**{**made.__dict__, "note": "stale", "updated": made.updated - timedelta(seconds=5)})
    fresh = Annotation(**{**made.__dict__, "id": "00000000-0000-4000-8000-000000000000"})
    result = store.merge([newer, fresh])
    assert (result.added, result.updated, result.unchanged) == (1, 1, 0)
    assert store.merge([older]).unchanged == 1
    assert AnnotationStore(db).get(made.id).note == "theirs"
    assert len(AnnotationStore(db).all()) == 2


DAMAGES = {
    "not json": (b"{this is not json", "not valid JSON"),
    "cut short": (None, "cut short"),
    "top level list": (b"[1, 2]", "top level is a JSON list"),
    "missing field": (None, "field 'note'"),
    "newer schema": (b'{"meta": {"1": {"schema": 99}}}', "newer tui"),
    "duplicate key": (None, "duplicate key"),
}


def _with_a_duplicate_key(good: bytes, annotation_id: str) -> bytes:
    """A hand edit: the annotation pasted twice under one key, the copy's note changed."""
    tables = orjson.loads(good)
    docs = tables["annotations"]
    entries = [orjson.dumps(key) + b":" + orjson.dumps(doc) for key, doc in docs.items()]
    copy = {**docs[annotation_id], "note": "edited copy"}
    entries.append(orjson.dumps(annotation_id) + b":" + orjson.dumps(copy))
    return b'{"meta":' + orjson.dumps(tables["meta"]) + b',"annotations":{' + b",".join(entries) + b"}}"


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_damaged_file_opens_read_only_and_is_never_overwritten(article: Article, db: Path, case: str) -> None:
    store = AnnotationStore(db)
    made = store.add(article, 0, 5)
    AnnotationStore(db).add(article, 6, 9)  # a second session: the first file is backed up
    good = db.read_bytes()
    damaged, expected = DAMAGES[case]
    if case == "cut short":
        damaged = good[: len(good) // 2]
    elif case == "missing field":
        tables = orjson.loads(good)
        del tables["annotations"][made.id]["note"]
        damaged = orjson.dumps(tables)
    elif case == "duplicate key":
        damaged = _with_a_duplicate_key(good, made.id)
    assert damaged is not None
    db.write_bytes(damaged)

    reopened = AnnotationStore(db)
    assert reopened.read_only
    assert reopened.problem is not None
    assert expected in reopened.problem and str(db) in reopened.problem
    assert "last good backup" in reopened.problem
    assert str(reopened.last_good_backup()) in reopened.problem
    with pytest.raises(StoreError):
        reopened.add(article, 10, 14)
    assert db.read_bytes() == damaged
    # A store that was open when the damage happened stops writing too.
    with pytest.raises(StoreError):
        store.add(article, 10, 14)
    assert db.read_bytes() == damaged and store.read_only


def test_damage_message_says_where(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b'{"annotations": {}\n, oops}')
    problem = AnnotationStore(db).problem or ""
    assert "line 2" in problem and "no backup yet" in problem


def test_backups_rotate_and_are_good_copies(article: Article, db: Path) -> None:
    for session in range(BACKUPS_KEPT + 3):
        AnnotationStore(db).add(article, session, session + 3)
    store = AnnotationStore(db)
    backups = store.backups()
    assert len(backups) == BACKUPS_KEPT
    assert store.last_good_backup() == backups[-1]
    assert len(orjson.loads(backups[-1].read_bytes())["annotations"]) == BACKUPS_KEPT + 2


def test_read_only_store_never_writes(article: Article, db: Path) -> None:
    AnnotationStore(db).add(article, 0, 5)
    before = db.read_bytes()
    store = AnnotationStore(db, read_only=True)
    with pytest.raises(StoreError):
        store.add(article, 6, 9)
    assert db.read_bytes() == before and len(store.all()) == 1


def test_old_schema_is_migrated_after_a_backup(db: Path) -> None:
    db.parent.mkdir(parents=True)
    legacy = {
        "annotations": {
            "1": {
                "id": "abcd1234-0000-4000-8000-000000000001",
                "article_id": "a1",
                "exact": "Seoul",
                "start": 0,
                "end": 5,
                "note": "old",
                "created": "2024-06-17T10:00:00+00:00",
            }
        }
    }
    db.write_bytes(orjson.dumps(legacy))
    store = AnnotationStore(db)
    assert store.problem is None
    migrated = store.get("abcd1234")
    assert (migrated.exact, migrated.color, migrated.tags, migrated.note) == ("Seoul", "yellow", [], "old")
    assert orjson.loads(db.read_bytes())["meta"] == {"1": {"schema": SCHEMA_VERSION}}
    (backup,) = store.backups()
    assert "schema0" in backup.name and orjson.loads(backup.read_bytes()) == legacy


def test_leftovers_of_a_killed_write_are_cleared(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    store.add(article, 0, 5)
    leftover = db.parent / f".{db.name}.dead.tmp"
    leftover.write_bytes(b"half")
    AnnotationStore(db).add(article, 6, 9)
    assert not leftover.exists()


def test_external_change_is_seen_by_an_open_store(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    store.add(article, 0, 5)
    assert store.counts_by_article() == {"a1": 1}
    other = AnnotationStore(db)
    other.add(article_from_text("Else.", "zz"), 0, 4)
    os.utime(db)  # even within one mtime tick, the replaced file has a new inode
    assert store.counts_by_article() == {"a1": 1, "zz": 1}


def test_a_failed_write_is_a_store_error_and_changes_nothing(
    article: Article, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AnnotationStore(db)
    kept = store.add(article, 0, 5)
    before = db.read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.annotations.storage.write_atomically", full_disk)
    with pytest.raises(StoreError, match="No space left"):
        store.add(article, 6, 9)
    with pytest.raises(StoreError):
        store.delete(kept.id)
    monkeypatch.undo()
    assert db.read_bytes() == before
    assert [a.id for a in store.all()] == [kept.id]  # the failed changes are not shown either
    assert len(list(db.parent.glob("*.tmp"))) == 0


def test_serialized_blocks_stay_true_over_many_changes(article: Article, db: Path) -> None:
    store = AnnotationStore(db)
    rng = random.Random(3)
    made = store.merge(Annotation.create(article, i % 100, i % 100 + 5) for i in range(700))
    assert made.added == 700
    ids = [a.id for a in store.all()]
    for step in range(60):  # deletes, edits and adds spread over several blocks of 256
        if step % 3 == 0:
            store.delete(ids.pop(rng.randrange(len(ids))))
        elif step % 3 == 1:
            store.update(rng.choice(ids), note=f"edit {step}")
        else:
            ids.append(store.add(article, step, step + 4).id)
    on_disk = orjson.loads(db.read_bytes())["annotations"]
    assert sorted(on_disk) == sorted(ids)
    assert on_disk == orjson.loads(orjson.dumps(store._storage.read()))["annotations"]


@pytest.mark.parametrize("emptied", [b"", b"  \n"])
def test_an_emptied_file_is_damaged_and_its_backups_survive(
    article: Article, db: Path, emptied: bytes
) -> None:
    AnnotationStore(db).add(article, *span(article, "Seoul has warned Moscow"))
    AnnotationStore(db).add(article, *span(article, "quick brown fox"))  # backs up the first file
    db.write_bytes(emptied)
    for _ in range(BACKUPS_KEPT):  # five sessions used to overwrite it and rotate every backup out
        store = AnnotationStore(db)
        assert store.read_only and "cut short" in (store.problem or "")
        with pytest.raises(StoreError):
            store.add(article, *span(article, "lazy dog"))
    assert db.read_bytes() == emptied
    good = AnnotationStore(db).last_good_backup()
    assert good is not None
    kept = orjson.loads(good.read_bytes())["annotations"].values()
    assert [doc["target"]["selector"][0]["exact"] for doc in kept] == ["Seoul has warned Moscow"]


def test_rotation_never_drops_the_last_good_backup(
    article: Article, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for session in range(BACKUPS_KEPT):
        AnnotationStore(db).add(article, session, session + 3)
    before = AnnotationStore(db).backups()
    store = AnnotationStore(db)
    real_copy = shutil.copyfile

    def truncated_meanwhile(source: Path, target: Path) -> None:
        Path(source).write_bytes(b"")  # someone empties the file between our check and our copy
        real_copy(source, target)

    monkeypatch.setattr("tui.annotations.store.shutil.copyfile", truncated_meanwhile)
    with pytest.raises(StoreError, match="cut short"):
        store.add(article, 10, 14)
    assert store.backups() == before
    assert store.last_good_backup() == before[-1]


@pytest.mark.parametrize("schema", [-1, 0, "1", True, None])
def test_a_bad_schema_version_is_damage_not_a_crash(db: Path, schema: object) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(orjson.dumps({"meta": {"1": {"schema": schema}}, "annotations": {}}))
    store = AnnotationStore(db)
    assert store.read_only and "schema" in (store.problem or "")


def test_a_path_through_a_file_is_a_one_line_store_error(tmp_path: Path, article: Article) -> None:
    (tmp_path / "f").write_text("x")
    db = tmp_path / "f" / "annotations.json"
    store = AnnotationStore(db)
    assert store.read_only and "cannot be read" in (store.problem or "")
    with pytest.raises(StoreError):
        open_store(db)
    with pytest.raises(StoreError):
        store.add(article, 0, 5)


def test_a_decomposed_quote_is_found_in_a_composed_body() -> None:
    import unicodedata

    article = article_from_text("Le café de Séoul ferme.\n\nUn autre paragraphe.", "fr")
    start, end = find_quote(article, unicodedata.normalize("NFD", "café de Séoul"))
    assert article.body[start:end] == "café de Séoul"


def test_errors_never_carry_terminal_controls_from_ids_or_quotes(article: Article, db: Path) -> None:
    hostile = article_from_text(TEXT, "evil\x1b]0;pwned\x07id")
    for call in (
        lambda: find_quote(hostile, "not\x1b[2J in it"),
        lambda: find_quote(hostile, "quick brown fox"),  # found twice
        lambda: find_quote(hostile, "Seoul", occurrence=3),
        lambda: AnnotationStore(db).add(hostile, 5, 10_000),
        lambda: AnnotationStore(db).get("\x1b[2Jnope"),
        lambda: AnnotationStore(db).add(article, 0, 5, color="\x1b[31mred"),
    ):
        with pytest.raises(UsageError) as caught:
            call()
        assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)


def test_a_stored_date_utc_cannot_hold_is_damage(article: Article, db: Path) -> None:
    made = AnnotationStore(db).add(article, 0, 5)
    tables = orjson.loads(db.read_bytes())
    tables["annotations"][made.id]["created"] = "0001-01-01T00:00:00+05:00"
    db.write_bytes(orjson.dumps(tables))
    store = AnnotationStore(db)
    assert store.read_only and "created" in (store.problem or "")


def _backup_sizes(store: AnnotationStore) -> list[int]:
    return [path.stat().st_size for path in store.backups()]


def test_a_full_disk_leaves_no_partial_backup_and_rotation_keeps_the_good_ones(
    article: Article, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    for session in range(BACKUPS_KEPT + 1):
        AnnotationStore(db).add(article, session, session + 3)
    good = AnnotationStore(db).backups()
    assert len(good) == BACKUPS_KEPT and 0 not in _backup_sizes(AnnotationStore(db))

    def disk_full(source: Path, target: Path) -> None:
        data = Path(source).read_bytes()
        Path(target).write_bytes(data[: len(data) // 3])  # part of the copy reached the disk
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr("tui.annotations.store.shutil.copyfile", disk_full)
    for session in range(3):
        with pytest.raises((OSError, StoreError)):
            AnnotationStore(db).add(article, 20 + session, 24 + session)
    store = AnnotationStore(db)
    assert store.backups() == good  # no zero-byte or cut-short copy, no good one rotated out
    assert sorted(p.name for p in store.backup_dir.iterdir()) == sorted(p.name for p in good)
    monkeypatch.undo()
    # Space again: the next session's backup is whole and the rotation drops only the oldest.
    AnnotationStore(db).add(article, 30, 34)
    after = AnnotationStore(db).backups()
    assert after[:-1] == good[1:] and len(after) == BACKUPS_KEPT
    assert all(AnnotationStore(db).last_good_backup() == after[-1] for _ in range(1))


def test_rotation_never_drops_a_good_backup_for_a_cut_short_one(article: Article, db: Path) -> None:
    for session in range(BACKUPS_KEPT + 1):
        AnnotationStore(db).add(article, session, session + 3)
    store = AnnotationStore(db)
    good = store.backups()
    # Left by a version that copied without checking: a zero-byte and a cut-short copy, newest.
    (store.backup_dir / "annotations-29990101T000000000000Z.json").write_bytes(b"")
    (store.backup_dir / "annotations-29990101T000000000001Z.json").write_bytes(good[-1].read_bytes()[:50])
    AnnotationStore(db).add(article, 40, 44)  # a session: one backup, then rotation
    after = AnnotationStore(db).backups()
    assert len(after) == BACKUPS_KEPT and after[:-1] == good[1:]
    assert 0 not in _backup_sizes(AnnotationStore(db))
    for backup in after:
        orjson.loads(backup.read_bytes())
