"""The library index: candidates, kinds, the on-disk cache and incremental updates."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from tui.errors import UnknownArticleError, UsageError
from tui.library.loader import load_library, load_listing
from tui.library.texts import LazyArticle, TextSource, library_from_listing
from tui.similarity import SimilarityIndex
from tui.similarity import index as similarity_index
from tui.similarity.model import Kind

PARAGRAPHS = [
    "The regional rail operator cancelled all night trains on the northern line from Friday.",
    "Managing director Tomas Ek blamed a shortage of 120 trained drivers for the decision.",
    "Commuter groups called the move a betrayal of promises made during the 2022 tender.",
    "The operator expects to restore the full timetable by the end of the summer.",
    "Union leaders said drivers had warned about staffing for more than two years.",
]
REWORDED = [
    "From Friday, no night trains will run on the northern line, the regional operator said.",
    "A lack of 120 qualified drivers was behind the move, according to managing director Tomas Ek.",
    "Groups representing commuters said the decision broke promises given in the 2022 tender.",
    "A full timetable should return before the summer ends, the operator expects.",
    "Drivers had raised staffing concerns for over two years, union leaders said.",
]
UNRELATED = [
    "Scientists have found a new species of frog in the cloud forests of Ecuador.",
    "The tiny amphibian is smaller than a fingernail and lives among mosses.",
    "Researchers fear its habitat is threatened by mining and farming.",
]


def write(folder: Path, name: str, title: str, paragraphs: list[str]) -> None:
    (folder / f"{name}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n")


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    write(folder, "original", "Night trains cancelled", PARAGRAPHS)
    write(folder, "copy", "Night trains cancelled", PARAGRAPHS)
    write(folder, "rewrite", "Operator scraps night services", REWORDED)
    write(folder, "frog", "New frog species found", UNRELATED)
    return folder


def build(folder: Path, cache: Path, progress: list[tuple[int, int]] | None = None) -> SimilarityIndex:
    calls = progress if progress is not None else []
    return SimilarityIndex.build(load_library(folder), cache, progress=lambda d, t: calls.append((d, t)))


def test_kinds_and_order(library_dir: Path, tmp_path: Path) -> None:
    index = build(library_dir, tmp_path / "cache")
    kinds = {(p.a, p.b): p.kind for p in index.pairs()}
    assert kinds[("copy", "original")] == "duplicate"
    assert kinds[("copy", "rewrite")] == kinds[("original", "rewrite")] == "rewrite"
    assert not any("frog" in pair for pair in kinds)
    matches = index.matches("original")
    assert [m.id for m in matches] == ["copy", "rewrite"]
    assert matches[0].score == 1.0 and matches[0].reason == "identical text"
    assert index.matches("frog") == []
    assert [m.id for m in index.matches("original", ["rewrite"])] == ["rewrite"]
    assert [p.kind for p in index.pairs(["duplicate"])] == ["duplicate"]


def test_unknown_id_and_kind(library_dir: Path, tmp_path: Path) -> None:
    index = build(library_dir, tmp_path / "cache")
    with pytest.raises(UnknownArticleError):
        index.matches("nope")
    with pytest.raises(UsageError):
        index.pairs(["twin"])  # type: ignore[list-item]  # a kind that is not one, on purpose


def test_progress_is_reported_up_to_the_total(library_dir: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    build(library_dir, tmp_path / "cache", calls)
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert all(0 <= done <= total for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_current_index_does_no_recomputation(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(library_dir, tmp_path / "cache")

    def fail(*_args: object) -> None:
        raise AssertionError("recomputed")

    monkeypatch.setattr(similarity_index, "_prepare", fail)
    monkeypatch.setattr(similarity_index, "_candidates", fail)
    second = build(library_dir, tmp_path / "cache")
    assert second.stats["reused"] == 1.0
    assert second.pairs() == first.pairs()


def test_incremental_add_change_remove(library_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(library_dir, cache)
    write(library_dir, "copy2", "Night trains cancelled again", [*PARAGRAPHS, "A late sixth paragraph."])
    (library_dir / "frog.txt").unlink()
    write(library_dir, "copy", "Night trains cancelled", [p.upper() for p in PARAGRAPHS])  # changed bytes
    index = build(library_dir, cache)
    assert index.stats["features_computed"] == 2  # the new article and the changed one, nothing else
    kinds = {(p.a, p.b): p.kind for p in index.pairs()}
    assert kinds[("copy2", "original")] == "near-duplicate"
    assert kinds[("copy", "original")] == "duplicate"
    assert not any("frog" in pair for pair in kinds)
    with pytest.raises(UnknownArticleError):
        index.matches("frog")
    # Verdicts of unchanged pairs came from the cache.
    assert index.stats["verified"] < index.stats["candidates"]


def test_an_article_added_to_a_library_of_unrelated_ones_keeps_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kept neighbour list settled at once: the refresh computed nothing in doubt (it once
    raised there, and the build threw the whole cache away and computed every article again)."""
    from tui.similarity import neighbours

    monkeypatch.setattr(neighbours, "KEPT_FROM", 0)
    folder, cache = tmp_path / "lib", tmp_path / "cache"
    folder.mkdir()
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    for number in range(21):
        tagged = [f"{w}{number}" for w in words]
        write(
            folder,
            f"a{number}",
            f"Title {number}",
            [" ".join(tagged) + ".", " ".join(reversed(tagged)) + "."],
        )
        if number == 19:
            build(folder, cache)
    assert build(folder, cache).stats["features_computed"] == 1


def database(cache: Path) -> sqlite3.Connection:
    return sqlite3.connect(cache / "similarity" / "index.sqlite", isolation_level=None)


def test_damaged_cache_is_rebuilt(library_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = build(library_dir, cache).pairs()
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (cache / "similarity" / name).unlink(missing_ok=True)
    (cache / "similarity" / "index.sqlite").write_bytes(b"{not a database" * 100)
    assert build(library_dir, cache).pairs() == expected
    assert build(library_dir, cache).stats["reused"] == 1.0  # and the rebuilt file is used


def test_deleted_cache_is_rebuilt(library_dir: Path, tmp_path: Path) -> None:
    import shutil

    cache = tmp_path / "cache"
    expected = build(library_dir, cache).pairs()
    shutil.rmtree(cache / "similarity")
    rebuilt = build(library_dir, cache)
    assert rebuilt.stats["features_computed"] == 3  # original and copy are one text, prepared once
    assert rebuilt.pairs() == expected


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE features SET term_ids = x'01'",
        "UPDATE vocabulary SET number = number + 1000",
        "UPDATE features SET minhash = x'0102'",
        "UPDATE verdicts SET kind = 'twin'",
        "UPDATE pairs SET kind = 'twin'",
        "DROP TABLE verdicts; CREATE TABLE verdicts (x)",
    ],
)
def test_cache_rows_of_the_wrong_shape_are_ignored(library_dir: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    expected = build(library_dir, cache).pairs()
    write(library_dir, "late", "Frogs again", UNRELATED[:2])  # so that the stored pairs are not current
    expected_after = build(library_dir, tmp_path / "fresh").pairs()
    (library_dir / "late.txt").unlink()
    db = database(cache)
    db.executescript(damage)
    db.close()
    assert build(library_dir, cache).pairs() == expected
    write(library_dir, "late", "Frogs again", UNRELATED[:2])
    assert build(library_dir, cache).pairs() == expected_after


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE pairs SET kind = 'twin'",
        "UPDATE pairs SET score = 'high'",
        "UPDATE pairs SET a = x'00'",
        "UPDATE pairs SET reason = x'00'",
    ],
)
def test_kept_pairs_of_the_wrong_shape_are_not_read_as_current(
    library_dir: Path, tmp_path: Path, damage: str
) -> None:
    from tui.library.loader import load_listing

    cache = tmp_path / "cache"
    expected = build(library_dir, cache).pairs()
    db = database(cache)
    db.executescript(damage)
    db.close()
    assert SimilarityIndex.stored(load_listing(library_dir), cache) is None
    assert SimilarityIndex.stored_pairs(load_listing(library_dir), cache) is None
    assert build(library_dir, cache).pairs() == expected  # built again from the articles


def test_a_reader_sees_the_index_before_or_after_a_build_never_between(
    library_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before = build(library_dir, cache).pairs()
    writer = database(cache)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM pairs")  # a build half written, not yet committed
    writer.execute("UPDATE built SET value = 'other' WHERE name = 'signature'")
    during = build(library_dir, cache)
    assert during.stats["reused"] == 1.0 and during.pairs() == before
    writer.execute("COMMIT")
    writer.close()
    assert build(library_dir, cache).pairs() == before  # the signature no longer matched: built again


@pytest.mark.parametrize("kept_from", [0, None], ids=["kept-neighbour-lists", "full-passes"])
def test_incremental_index_equals_a_full_rebuild(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept_from: int | None
) -> None:
    """After any sequence of adds, edits and deletions, the kept index gives the pairs a fresh one
    does: with the TF-IDF neighbour lists kept in the store (as from KEPT_FROM articles on), and without."""
    import random

    from tui.similarity import neighbours

    served: list[bool] = []
    if kept_from is not None:
        monkeypatch.setattr(neighbours, "KEPT_FROM", kept_from)
        monkeypatch.setattr(neighbours, "FULL_PASS_SHARE", 1.0)  # a handful of articles: never a full pass
        kept_pass = neighbours._kept_pass

        def spied(*args: Any) -> Any:
            found = kept_pass(*args)
            served.append(found is not None)
            return found

        monkeypatch.setattr(neighbours, "_kept_pass", spied)
    cache = tmp_path / "cache"
    bodies = [PARAGRAPHS, REWORDED, UNRELATED, PARAGRAPHS[:3], REWORDED[1:], [*PARAGRAPHS, *UNRELATED[:1]]]
    shuffle = random.Random(7)
    for step in range(12):
        name = f"n{shuffle.randrange(6)}"
        action = shuffle.choice(["add", "edit", "delete"])
        target = library_dir / f"{name}.txt"
        if action == "delete":
            target.unlink(missing_ok=True)
        else:
            body = list(shuffle.choice(bodies))
            if action == "edit":
                body[0] = body[0].replace("the", "a", 1)
            write(library_dir, name, f"Story {step}", body)
        kept = build(library_dir, cache).pairs()
        fresh = build(library_dir, tmp_path / f"fresh{step}").pairs()
        assert kept == fresh, (step, action, name)
    assert served.count(True) >= (8 if kept_from is not None else 0)


def test_without_a_cache_folder(library_dir: Path) -> None:
    index = SimilarityIndex.build(load_library(library_dir), None)
    assert len(index.pairs(["duplicate"])) == 1


def test_the_stored_index_is_read_from_ids_and_hashes_alone(library_dir: Path, tmp_path: Path) -> None:
    from tui.library.loader import load_listing

    cache = tmp_path / "cache"
    assert SimilarityIndex.stored(load_listing(library_dir), cache) is None  # nothing built yet
    built = build(library_dir, cache)
    kept = SimilarityIndex.stored(load_listing(library_dir), cache)
    assert kept is not None and kept.pairs() == built.pairs()
    # The pairs of some kinds alone, read already sorted: the order a built index gives them.
    choices: list[list[Kind] | None] = [None, ["duplicate"], ["related", "near-duplicate"], []]
    for kinds in choices:
        chosen = SimilarityIndex.stored_pairs(load_listing(library_dir), cache, kinds)
        assert chosen == built.pairs(kinds)
    write(library_dir, "late", "Frogs again", UNRELATED[:2])
    assert SimilarityIndex.stored(load_listing(library_dir), cache) is None  # no longer current
    assert SimilarityIndex.stored_pairs(load_listing(library_dir), cache) is None


def test_kept_pairs_come_best_first_with_ties_in_the_order_of_their_ids(tmp_path: Path) -> None:
    """SQLite sorts the kept pairs: equal scores fall back on the ids, compared as Python compares
    them, whatever the order in which they were written and whatever their letters; scores come
    back exactly."""
    from tui.similarity.store import IndexStore, PairRow

    rows: list[PairRow] = [
        ("b", "é", 1.0, "duplicate", "identical text"),
        ("a", "z", 0.1 + 0.2, "rewrite", 'r "quoted" \\ and\nmore'),
        ("a", "ä", 1.0, "duplicate", "identical text"),
        ("a", "b", 1.0, "duplicate", "identical text"),
        ("Z", "a", 0.3, "related", "r"),
        ("a", "中", 0.1 + 0.2, "rewrite", "r"),
        ("a", "c", 1 / 3, "partial", "r"),
    ]
    store = IndexStore(tmp_path, 1)
    store.save([], [], [], [], [], "signature", rows)
    expected = sorted(rows, key=lambda row: (-row[2], row[0], row[1]))
    assert store.pairs() == expected
    assert store.pairs(["rewrite"]) == [row for row in expected if row[3] == "rewrite"]
    assert store.pairs([]) == []
    store.close()


def test_pairs_judged_in_worker_processes_give_the_same_index(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.similarity import judging

    write(library_dir, "partial", "Night trains", PARAGRAPHS[:3])
    write(library_dir, "frog2", "Frog found", UNRELATED[1:])
    serial = build(library_dir, tmp_path / "serial").pairs()
    monkeypatch.setattr(judging, "worker_count", lambda pairs: 2)
    monkeypatch.setattr(judging, "CHUNK_PAIRS", 2)  # several chunks, some in flight together
    calls: list[tuple[int, int]] = []
    parallel = build(library_dir, tmp_path / "parallel", calls)
    assert parallel.pairs() == serial and parallel.stats["verified"] >= 4
    assert calls[-1][0] == calls[-1][1]


def test_worker_count_follows_the_size_of_the_work_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.similarity import judging

    assert judging.worker_count(10) == 1
    monkeypatch.setenv(judging.WORKERS_ENV, "1")
    assert judging.worker_count(10**6) == 1
    monkeypatch.setenv(judging.WORKERS_ENV, "not a number")
    assert 1 <= judging.worker_count(10**6) <= 8


def test_a_progress_callback_that_raises_stops_the_build_and_saves_nothing(
    library_dir: Path, tmp_path: Path
) -> None:
    """How the app cancels a long build when it quits: the exception goes through, the cache keeps
    the last complete build."""

    class Stop(Exception):
        pass

    cache = tmp_path / "cache"
    before = build(library_dir, cache).pairs()
    write(library_dir, "late", "Frogs again", UNRELATED[:2])

    def stop(done: int, total: int) -> None:
        if done > 0:
            raise Stop

    with pytest.raises(Stop):
        SimilarityIndex.build(load_library(library_dir), cache, progress=stop)
    (library_dir / "late.txt").unlink()
    kept = build(library_dir, cache)
    assert kept.stats["reused"] == 1.0 and kept.pairs() == before


def test_a_lazy_library_lets_each_text_go_once_the_index_has_prepared_it(
    library_dir: Path, tmp_path: Path
) -> None:
    from tui.library.loader import load_listing
    from tui.library.texts import LazyArticle, TextSource, library_from_listing

    cache = tmp_path / "cache"
    load_listing(library_dir, cache)  # the texts in the cache
    library = library_from_listing(load_listing(library_dir, cache), TextSource(library_dir, cache))
    index = SimilarityIndex.build(library, cache)
    assert index.pairs() == build(library_dir, tmp_path / "whole").pairs()
    lazy = [a for a in library if isinstance(a, LazyArticle)]
    assert lazy and not any(a.text_read for a in lazy)
    assert lazy[0].body  # and read again when wanted


def test_articles_prepared_in_worker_processes_give_the_same_index(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.similarity import featuring

    write(library_dir, "partial", "Night trains", PARAGRAPHS[:3])
    write(library_dir, "frog2", "Frog found", UNRELATED[1:])
    write(library_dir, "frog3", "Frog found", UNRELATED[1:])  # one text twice: prepared once
    serial = build(library_dir, tmp_path / "serial")
    monkeypatch.setattr(featuring, "worker_count", lambda work, parallel_from: 2)
    monkeypatch.setattr(featuring, "CHUNK_ARTICLES", 2)  # several chunks, some in flight together
    from_workers: list[object] = []
    in_workers = featuring._in_workers

    def counted(*args: Any) -> Iterator[featuring.Computed]:
        for result in in_workers(*args):
            from_workers.append(result)
            yield result

    monkeypatch.setattr(featuring, "_in_workers", counted)
    calls: list[tuple[int, int]] = []
    parallel = build(library_dir, tmp_path / "parallel", calls)
    assert len(from_workers) == serial.stats["features_computed"] >= 5  # none prepared here
    assert parallel.pairs() == serial.pairs() and len(parallel.pairs()) >= 3
    assert parallel.stats["features_computed"] == serial.stats["features_computed"]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    # The app's and the CLI's library: lazy articles, whose texts the workers read themselves.
    cache = tmp_path / "lazy"
    lazy = library_from_listing(load_listing(library_dir, cache), TextSource(library_dir, cache))
    from_workers.clear()
    built = SimilarityIndex.build(lazy, cache)
    assert len(from_workers) == serial.stats["features_computed"]
    assert built.pairs() == serial.pairs()
    assert not any(cast(LazyArticle, a).text_read for a in lazy)  # the texts were read elsewhere


def test_a_signature_made_where_a_text_is_prepared_is_the_one_the_candidate_stage_makes() -> None:
    import numpy as np

    from tui.similarity.candidates import _signatures, signature
    from tui.similarity.prepared import _Features

    generator = np.random.default_rng(5)
    shingles = [
        np.unique(generator.integers(0, 2**32, size=n, dtype=np.uint64)).astype(np.uint32)
        for n in (1, 7, 300)
    ]
    features = [_Features(key=str(k), shingle_count=len(s), shingles=s) for k, s in enumerate(shingles)]
    batched = _signatures(features, [0, 1, 2])
    assert [signature(s) for s in shingles] == [row.astype("<u4").tobytes() for row in batched]
    assert signature(np.zeros(0, dtype=np.uint32)) is None


CAPTURED_STDERR_POOL = """
import io, os, sys
from tui.similarity.judging import spawn_pool

class Capture(io.StringIO):  # as the app's print capture: no descriptor of its own
    def fileno(self) -> int:
        return -1

def shout() -> None:  # a worker's warning, written where its stderr goes
    os.write(2, b"drawn over the screen\\n")


if __name__ == "__main__":
    sys.stderr = Capture()
    with spawn_pool(1) as pool:
        print(pool.apply(os.getpid) != os.getpid())
        pool.apply(shout)
"""


def test_worker_processes_start_while_the_app_captures_stderr(tmp_path: Path) -> None:
    """Inside the app, sys.stderr has descriptor -1; multiprocessing's resource tracker, started by
    the first pool, took it and the index failed with "bad value(s) in fds_to_keep"."""
    import subprocess
    import sys

    script = tmp_path / "pool.py"
    script.write_text(CAPTURED_STDERR_POOL)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
    # The inherited terminal is the app's screen: a worker writes nothing there.
    assert "drawn over the screen" not in done.stderr


def test_tfidf_neighbours_found_in_blocks_on_threads_are_those_of_one_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The neighbour search multiplies blocks of rows on threads: however the rows are cut and
    however many threads take them, the pairs are those of one product of the whole library."""
    import numpy as np

    from tui.similarity import tfidf

    generator = np.random.default_rng(7)
    term_rows = []
    for article in range(400):
        story = generator.integers(0, 40)  # articles of one story share its terms
        terms = np.unique(
            np.concatenate([story * 25 + generator.integers(0, 25, 20), generator.integers(1000, 3000, 10)])
        )
        counts = generator.integers(1, 4, len(terms))
        term_rows.append((terms.astype("<i4"), counts.astype("<i4")))
        if article % 50 == 0:
            term_rows.append(term_rows[-1])  # the same text twice: tied neighbours
    monkeypatch.setattr(tfidf, "TFIDF_THREADS", 1)
    monkeypatch.setattr(tfidf, "TFIDF_BLOCK_ROWS", 10_000)
    whole = tfidf.tfidf_pairs(term_rows)
    assert len(whole) > 400
    monkeypatch.setattr(tfidf, "TFIDF_THREADS", 2)
    monkeypatch.setattr(tfidf, "_cores", lambda: 2)
    for rows in (7, 64, 333):
        monkeypatch.setattr(tfidf, "TFIDF_BLOCK_ROWS", rows)
        assert tfidf.tfidf_pairs(term_rows) == whole


def test_kept_pairs_are_read_row_by_row_where_sqlite_has_no_json_functions(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.library.loader import load_listing

    cache = tmp_path / "cache"
    built = build(library_dir, cache)
    real_connect = sqlite3.connect

    def without_json(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = real_connect(*args, **kwargs)

        def refuse(*_args: object) -> None:
            raise sqlite3.OperationalError("no such function: json_group_array")

        db.create_function("json_group_array", 1, refuse)
        return db

    monkeypatch.setattr(sqlite3, "connect", without_json)
    kept = SimilarityIndex.stored(load_listing(library_dir), cache)
    assert kept is not None and kept.pairs() == built.pairs()


def test_kept_pairs_are_read_row_by_row_where_sqlite_prints_floats_loosely(
    library_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.library.loader import load_listing
    from tui.similarity import store as index_store

    cache = tmp_path / "cache"
    built = build(library_dir, cache)
    asked: list[int] = []

    def loose(db: sqlite3.Connection) -> bool:
        asked.append(1)
        return False

    monkeypatch.setattr(index_store, "_prints_floats_exactly", loose)
    kept = SimilarityIndex.stored(load_listing(library_dir), cache)
    assert asked and kept is not None and kept.pairs() == built.pairs()
