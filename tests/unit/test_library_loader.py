"""The library cache in one SQLite file: the listing `tui list` reads alone, the text read with the
articles, and a word index over the text."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from shared_data import shared_data

import tui.library.loader as loader
from tui.library import files
from tui.library.articles import CACHE_VERSION, NOT_ARTICLE_REASON, Library
from tui.library.cache import Listing
from tui.library.loader import load_library, load_listing
from tui.library.store import LISTING_COLUMNS

REPO = Path(__file__).resolve().parents[2]
SHARED_BBC = REPO.parent / "shared" / "bench" / "bbc"
ALL_PARSED = ["a-empty", "c-latin", "d", "d.txt", "wire/s0", "wire/s1", "wire/s2"]


def _write_library(folder: Path) -> Path:
    """Stories in two folders, a README, an empty file, a dangling link, a cp1252 file and two files
    with the same stem."""
    (folder / "wire").mkdir(parents=True)
    for number in range(3):
        (folder / "wire" / f"s{number}.md").write_text(
            f'---\ntitle: "STORY {number}"\nsource: "Reuters"\ndate: 2024-06-1{number}\n---\n\n'
            f"Shares rose {number} pct. Dealers said so.\n"
        )
    (folder / "README.md").write_text("# Not an article\n")
    (folder / "a-empty.txt").write_bytes(b"")
    (folder / "b-dangling.txt").symlink_to(folder / "nowhere.txt")
    (folder / "c-latin.txt").write_bytes("Caf\xe9 news\n\nThe caf\xe9 cost \xa33.\n".encode("latin-1"))
    (folder / "d.txt").write_text("Delta\n\nBy Kim Ji-soo\n\nThe body of delta. A second sentence.\n")
    (folder / "d.md").write_text("# Delta again\n\nThe markdown twin of delta.\n")
    return folder


def _listed(listing: Listing | Library) -> list[Any]:
    """What `tui list` shows of a listing, or of a library (whose paths are Paths, not strings)."""
    return [
        [
            (
                a.id,
                str(a.path),
                a.title,
                a.source,
                a.author,
                a.published,
                a.subtitle,
                a.words,
                a.content_hash,
                a.encoding,
            )
            for a in listing
        ],
        [(str(s.path), s.reason) for s in listing.skipped],
        list(listing.notices),
    ]


def _library_as_listed(root: Path, cache: Path | None = None) -> list[Any]:
    return _listed(load_library(root, cache))


def _cache_file(cache: Path) -> Path:
    [file] = cache.glob("library-*.sqlite3")
    return file


def _change_cache(cache: Path, *statements: str) -> None:
    """Run SQL on the library's cache, as damage from outside would."""
    connection = sqlite3.connect(_cache_file(cache), isolation_level=None)
    for statement in statements:
        connection.execute(statement)
    connection.close()


def _query_cache(cache: Path, query: str) -> list[Any]:
    connection = sqlite3.connect(_cache_file(cache))
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _no_library(*args: object) -> None:
    raise AssertionError("the listing loaded the library")


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids parsed from their files (not taken from the cache), in order."""
    ids: list[str] = []
    real_read = files.read_article

    def read_article(path: Path, article_id: str, data: bytes | None = None) -> Any:
        ids.append(article_id)
        return real_read(path, article_id, data)

    monkeypatch.setattr(loader, "read_article", read_article)
    return ids


def test_the_listing_is_what_the_library_lists_cold_warm_and_uncached(
    tmp_path: Path, parsed: list[str]
) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _library_as_listed(folder)
    assert [a[0] for a in expected[0]] == ["c-latin", "d", "d.txt", "wire/s0", "wire/s1", "wire/s2"]
    assert expected[1] == [
        (str(folder / "README.md"), NOT_ARTICLE_REASON),
        (str(folder / "a-empty.txt"), "empty file"),
        (str(folder / "b-dangling.txt"), "broken link or file vanished"),
    ]
    assert _listed(load_listing(folder)) == expected
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected  # cold: loads the library, writes the cache
    assert sorted(parsed) == ALL_PARSED
    parsed.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_load_library", _no_library)
        assert _listed(load_listing(folder, cache)) == expected  # warm: from the listing alone
    assert _library_as_listed(folder, cache) == expected
    assert parsed == []  # nor is the empty file read again: it is unchanged, so still not an article


def test_a_warm_listing_never_reads_the_text(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_library(folder, cache)
    expected = _listed(load_listing(folder, cache))
    _change_cache(cache, "DELETE FROM texts")
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected
    assert parsed == [] and _query_cache(cache, "SELECT count(*) FROM texts") == [(0,)]
    # The articles need the text: it is parsed again, and written to the cache again.
    library = load_library(folder, cache)
    assert sorted(parsed) == ["c-latin", "d", "d.txt", "wire/s0", "wire/s1", "wire/s2"]
    assert library.get("wire/s1").body == "Shares rose 1 pct. Dealers said so."
    assert _query_cache(cache, "SELECT count(*) FROM texts") == [(6,)]
    parsed.clear()
    assert (
        load_library(folder, cache).get("d.txt").text(library.get("d.txt").sentences[1])
        == "A second sentence."
    )
    assert parsed == []


def test_the_text_is_read_from_the_cache_with_its_offsets(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    cold = load_library(folder, cache)
    parsed.clear()
    warm = load_library(folder, cache)
    assert parsed == []
    for article in cold:
        other = warm.get(article.id)
        assert other == article  # every field: body, offsets, captions, dates, hash, encoding
        assert [other.text(s) for s in other.sentences] == [article.text(s) for s in article.sentences]


def test_a_warm_listing_reads_the_listing_s_copy_which_any_change_of_the_rows_drops(tmp_path: Path) -> None:
    import marshal

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _listed(load_listing(folder, cache))
    [(blob,)] = _query_cache(cache, "SELECT records FROM listing_copy")
    rows = marshal.loads(blob)
    select_rows = "SELECT " + ", ".join(LISTING_COLUMNS) + " FROM files"
    assert sorted(rows) == sorted(_query_cache(cache, select_rows)) and len(rows) == 7
    assert _listed(load_listing(folder, cache)) == expected
    # The copy is what is read: a title changed in it alone is listed.
    changed = [(*row[:5], "FROM THE COPY", *row[6:]) if row[0] == "wire/s0.md" else row for row in rows]
    _change_cache(cache, f"UPDATE listing_copy SET records = x'{marshal.dumps(changed, 4).hex()}'")
    assert [a.title for a in load_listing(folder, cache)][3] == "FROM THE COPY"
    # A damaged copy is not used: the rows are read.
    _change_cache(cache, "UPDATE listing_copy SET records = x'00ff'")
    assert _listed(load_listing(folder, cache)) == expected
    _change_cache(cache, f"UPDATE listing_copy SET records = x'{marshal.dumps([('a.md', 1)], 4).hex()}'")
    assert _listed(load_listing(folder, cache)) == expected
    # A row changed from outside drops the copy; the listing then reads the rows, and a write makes it again.
    _change_cache(cache, "UPDATE files SET title = 'FROM THE ROWS' WHERE relative = 'wire/s0.md'")
    assert _query_cache(cache, "SELECT count(*) FROM listing_copy") == [(0,)]
    assert [a.title for a in load_listing(folder, cache)][3] == "FROM THE ROWS"
    (folder / "wire" / "s0.md").write_text("# Edited\n\nA new text.\n")
    assert [a.title for a in load_listing(folder, cache)][3] == "Edited"
    [(blob,)] = _query_cache(cache, "SELECT records FROM listing_copy")
    assert sorted(marshal.loads(blob)) == sorted(_query_cache(cache, select_rows))


def test_a_listing_finds_no_sentences_and_an_article_finds_them_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.library import segmentation

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = [[a.text(s) for s in a.sentences] for a in load_library(folder)]
    segmented: list[str] = []
    real_sentences = segmentation.paragraph_sentences

    def paragraph_sentences(paragraph: str) -> list[int]:
        segmented.append(paragraph)
        return real_sentences(paragraph)

    monkeypatch.setattr(segmentation, "paragraph_sentences", paragraph_sentences)
    load_listing(folder, cache)  # cold: every file parsed
    load_listing(folder, cache)
    assert segmented == []
    assert "sentences" not in orjson.loads(_query_cache(cache, "SELECT layout FROM texts")[0][0])
    for library in (load_library(folder, cache), load_library(folder)):
        article = library.get("d.txt")
        assert segmented == []
        assert [article.text(s) for s in article.sentences] == ["The body of delta.", "A second sentence."]
        assert segmented == ["The body of delta. A second sentence."]
        assert [[a.text(s) for s in a.sentences] for a in library] == expected
        segmented.clear()
    import copy
    import pickle

    unread = load_library(folder, cache).get("wire/s1")
    assert pickle.loads(pickle.dumps(unread)).sentences == copy.deepcopy(unread).sentences
    assert [unread.text(s) for s in unread.sentences] == ["Shares rose 1 pct.", "Dealers said so."]


@pytest.mark.parametrize("change", ["edit, same size", "edit, new size", "touch only"])
def test_a_changed_file_is_seen_by_the_listing_and_the_library(
    tmp_path: Path, parsed: list[str], change: str
) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_library(folder, cache)
    story = folder / "wire" / "s1.md"
    before = story.stat()
    if change == "edit, same size":
        story.write_text(story.read_text().replace("STORY 1", "STORY X"))
    elif change == "edit, new size":
        story.write_text(story.read_text().replace("STORY 1", "STORY ONE"))
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    title = {"edit, same size": "STORY X", "edit, new size": "STORY ONE", "touch only": "STORY 1"}[change]
    parsed.clear()
    listing = load_listing(folder, cache)
    assert [a.title for a in listing if a.id == "wire/s1"] == [title]
    # Touched but the same bytes: read and hashed, not parsed again.
    assert parsed == ([] if change == "touch only" else ["wire/s1"])
    assert _listed(listing) == _library_as_listed(folder)
    parsed.clear()
    assert load_library(folder, cache).get("wire/s1").title == title
    assert _listed(load_listing(folder, cache)) == _listed(listing)
    assert parsed == []  # the listing brought the cache up to date


def test_files_added_and_removed_are_listed(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_listing(folder, cache)
    (folder / "wire" / "s0.md").unlink()
    (folder / "e.txt").write_text("Echo\n\nA new story arrives.\n")
    parsed.clear()
    listing = load_listing(folder, cache)
    assert parsed == ["e"]
    assert [a.id for a in listing] == ["c-latin", "d", "d.txt", "e", "wire/s1", "wire/s2"]
    assert _listed(listing) == _library_as_listed(folder)
    articles = ["c-latin.txt", "d.md", "d.txt", "e.txt", "wire/s1.md", "wire/s2.md"]
    # The listing keeps the file that is not an article too, with why; s0's text left with it.
    rows = _query_cache(cache, "SELECT relative, skip FROM files ORDER BY relative")
    assert rows == [("a-empty.txt", "empty file"), *((name, None) for name in articles)]
    assert _query_cache(cache, "SELECT count(*) FROM texts") == [(6,)]


def test_an_empty_file_that_gains_text_is_an_article(tmp_path: Path) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_listing(folder, cache)
    (folder / "a-empty.txt").write_text("Alpha\n\nNow it has a body.\n")
    listing = load_listing(folder, cache)
    assert "a-empty" in [a.id for a in listing]
    assert "empty file" not in [s.reason for s in listing.skipped]


@pytest.mark.parametrize(
    "damage", [b"{not json", b"", b"SQLite format 3\x00" + b"\xff" * 200, "old", "deleted"]
)
def test_a_corrupt_old_or_deleted_cache_is_rebuilt_silently(
    tmp_path: Path, parsed: list[str], damage: bytes | str
) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _listed(load_listing(folder, cache))
    file = _cache_file(cache)
    if damage == "old":
        _change_cache(cache, "UPDATE meta SET value = '0.0.0' WHERE key = 'stamp'")
    else:
        for part in cache.glob("library-*"):
            part.unlink()
        if isinstance(damage, bytes):
            file.write_bytes(damage)
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected
    assert sorted(parsed) == ALL_PARSED  # without the listing, no text record can be trusted
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected
    assert parsed == []


def test_damaged_listing_records_are_read_again(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _listed(load_listing(folder, cache))
    _change_cache(
        cache,
        "UPDATE files SET words = NULL WHERE relative = 'wire/s0.md'",
        "UPDATE files SET published = 'yesterday' WHERE relative = 'wire/s1.md'",
        "UPDATE files SET title = NULL WHERE relative = 'wire/s2.md'",
        "UPDATE files SET encoding = NULL WHERE relative = 'd.txt'",
        "UPDATE files SET skip = NULL WHERE relative = 'a-empty.txt'",
    )
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected
    assert sorted(parsed) == ["a-empty", "d.txt", "wire/s0", "wire/s1", "wire/s2"]


def test_a_missing_or_damaged_text_record_is_parsed_again(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_library(folder, cache)
    [(s0_hash,)] = _query_cache(cache, "SELECT hash FROM files WHERE relative = 'wire/s0.md'")
    [(s1_hash,)] = _query_cache(cache, "SELECT hash FROM files WHERE relative = 'wire/s1.md'")
    _change_cache(
        cache,
        f"DELETE FROM texts WHERE hash = '{s0_hash}'",
        f"UPDATE texts SET layout = x'7b6e6f' WHERE hash = '{s1_hash}'",
    )
    parsed.clear()
    library = load_library(folder, cache)
    assert parsed == ["wire/s0", "wire/s1"]
    assert library.get("wire/s0").body == "Shares rose 0 pct. Dealers said so."


def test_the_json_caches_of_earlier_versions_are_removed(tmp_path: Path) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_library(folder, cache)
    file = _cache_file(cache)
    olds = [
        file.with_name(file.name.replace(".sqlite3", suffix))
        for suffix in (".json", ".list.json", ".text.json")
    ]
    for old in olds:
        old.write_bytes(orjson.dumps({"version": CACHE_VERSION - 1, "entries": {}}))
    load_listing(folder, cache)
    assert not any(old.exists() for old in olds) and file.exists()


def test_an_unwritable_cache_folder_costs_time_not_the_listing(tmp_path: Path) -> None:
    folder = _write_library(tmp_path / "lib")
    cache = tmp_path / "cache-is-a-file"
    cache.write_text("")
    assert _listed(load_listing(folder, cache)) == _library_as_listed(folder)


@pytest.mark.parametrize("root_form", [".", "lib", "lib/", "./lib/wire/.."])
def test_listed_paths_read_as_the_library_s_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_form: str
) -> None:
    _write_library(tmp_path / "lib")
    monkeypatch.chdir(tmp_path / "lib" if root_form == "." else tmp_path)
    cache = tmp_path / "cache"
    expected = _library_as_listed(Path(root_form))
    assert _listed(load_listing(Path(root_form), cache)) == expected  # cold
    assert _listed(load_listing(Path(root_form), cache)) == expected  # warm
    assert expected[0][0][1] == str(Path(root_form) / "c-latin.txt")


def test_the_bbc_listing_is_the_library_s(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shared_data("bench", "bbc")
    expected = _library_as_listed(SHARED_BBC, cache)
    assert len(expected[0]) == 2225
    assert _listed(load_listing(SHARED_BBC, cache)) == expected


def test_a_file_too_large_to_read_keeps_the_listing_to_the_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    with (folder / "huge.txt").open("wb") as huge:
        huge.truncate(11 * 1024 * 1024)  # sparse: no 11 MB written
    expected = _library_as_listed(folder)
    assert (str(folder / "huge.txt"), "too large (11.5 MB; the limit is 10 MB)") in expected[1]
    load_library(folder, cache)
    monkeypatch.setattr(loader, "_load_library", _no_library)
    assert _listed(load_listing(folder, cache)) == expected


def test_tui_list_prints_the_same_cold_warm_and_without_the_text(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"

    def tui_list(*args: str) -> tuple[str, str]:
        command = [sys.executable, "-m", "tui", "--articles", str(folder), "--cache-dir", str(cache), "list"]
        result = subprocess.run([*command, *args], capture_output=True, text=True, cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr

    cold = tui_list("--json")
    rows = orjson.loads(cold[0])
    assert [row["id"] for row in rows] == ["c-latin", "d", "d.txt", "wire/s0", "wire/s1", "wire/s2"]
    assert rows[3] == {
        "id": "wire/s0",
        "title": "STORY 0",
        "source": "Reuters",
        "author": None,
        "published": "2024-06-10",
        "words": 7,
        "path": str(folder / "wire" / "s0.md"),
        "hash": rows[3]["hash"],
    }
    assert cold[1].splitlines() == [
        f"tui: skipped {folder / 'README.md'}: {NOT_ARTICLE_REASON}",
        f"tui: skipped {folder / 'a-empty.txt'}: empty file",
        f"tui: skipped {folder / 'b-dangling.txt'}: broken link or file vanished",
        f"tui: {folder / 'c-latin.txt'}: not valid UTF-8; read as cp1252",
    ]
    plain = tui_list()
    assert plain[1] == ""  # the skipped files are said once, until the list of them changes
    assert tui_list("--json") == (cold[0], "")
    assert tui_list("--json", "--verbose") == cold  # or every time, when asked
    _change_cache(cache, "DELETE FROM texts")  # the text: `tui list` does not need it
    assert tui_list("--json") == (cold[0], "") and tui_list() == plain
    assert _query_cache(cache, "SELECT count(*) FROM texts") == [(0,)]


def test_many_files_are_parsed_in_worker_processes_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _library_as_listed(folder)
    started: list[int] = []
    real_start = loader._start_worker

    def start_worker(share: list[tuple[str, str]]) -> Any:
        started.append(len(share))
        return real_start(share)

    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(loader, "_cores", lambda: 2)
    monkeypatch.setattr(loader, "_start_worker", start_worker)
    assert _listed(load_listing(folder, cache)) == expected  # cold, shared with a worker
    assert started and sum(started) < len(ALL_PARSED)
    assert _library_as_listed(folder, cache) == expected  # the worker's records make whole articles
    for part in cache.glob("library-*"):
        part.unlink()
    assert _library_as_listed(folder, cache) == expected


def test_this_process_writes_its_share_while_the_worker_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share parsed here is in the cache before the worker's answer is read (whole records a
    reader can use, no listing copy yet); the last write brings the rest and the copy."""
    from tui.library.cache import open_store
    from tui.library.store import LibraryStore

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _library_as_listed(folder)
    writes: list[tuple[bool, int, int]] = []  # (whole, records written, workers answered by then)
    answered: list[int] = []
    real_write, real_results = LibraryStore.write, loader._worker_results

    def write(store: LibraryStore, records: Any, texts: Any, removed: Any, whole: bool = True) -> bool:
        records = list(records)
        writes.append((whole, len(records), len(answered)))
        return real_write(store, records, texts, removed, whole)

    def worker_results(worker: Any, expected_count: int) -> Any:
        answered.append(expected_count)
        reader = open_store(folder, cache)  # another reader, between the two writes
        assert reader is not None
        with reader:
            assert len(reader.listing()) == writes[0][1]
        return real_results(worker, expected_count)

    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(loader, "_cores", lambda: 2)
    monkeypatch.setattr(LibraryStore, "write", write)
    monkeypatch.setattr(loader, "_worker_results", worker_results)
    assert _listed(load_listing(folder, cache)) == expected
    assert [(whole, by_then) for whole, _, by_then in writes] == [(False, 0), (True, 1)]
    assert writes[0][1] + writes[1][1] == len(ALL_PARSED) and writes[0][1] > 0
    assert _query_cache(cache, "SELECT count(*) FROM listing_copy") == [(1,)]
    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 10_000)
    assert _library_as_listed(folder, cache) == expected  # warm, from what both writes left


def test_a_first_write_that_fails_leaves_every_record_to_the_whole_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.library.store import LibraryStore

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _library_as_listed(folder)
    real_write = LibraryStore.write

    def write(store: LibraryStore, records: Any, texts: Any, removed: Any, whole: bool = True) -> bool:
        # Another writer holds the lock during the first write, say: nothing of it is written.
        return real_write(store, records, texts, removed) if whole else False

    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(loader, "_cores", lambda: 2)
    monkeypatch.setattr(LibraryStore, "write", write)
    assert _listed(load_listing(folder, cache)) == expected
    assert len(_query_cache(cache, "SELECT relative FROM files")) == len(ALL_PARSED)
    parsed_again: list[tuple[str, str]] = []

    def parse_jobs(jobs: list[tuple[str, str]], *_: object) -> list[Any]:
        parsed_again.extend(jobs)
        return []

    monkeypatch.setattr(loader, "_parse_jobs", parse_jobs)
    assert _library_as_listed(folder, cache) == expected and parsed_again == []  # all from the cache


def test_a_worker_that_fails_costs_time_not_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _library_as_listed(folder)
    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(loader, "_cores", lambda: 2)
    monkeypatch.setattr(loader, "_WORKER_CODE", "import sys; sys.exit(3)")
    assert _listed(load_listing(folder, cache)) == expected
    monkeypatch.setattr(loader, "_WORKER_CODE", "import sys; sys.stdout.buffer.write(b'garbage')")
    assert _library_as_listed(folder, tmp_path / "other-cache") == expected


def test_a_deleted_cache_is_built_again_whole(tmp_path: Path, parsed: list[str]) -> None:
    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    expected = _listed(load_listing(folder, cache))
    import shutil

    shutil.rmtree(cache)
    parsed.clear()
    assert _listed(load_listing(folder, cache)) == expected
    assert sorted(parsed) == ALL_PARSED
    assert _query_cache(cache, "SELECT count(*) FROM files") == [(7,)]  # six articles and the empty file
    parsed.clear()
    assert _library_as_listed(folder, cache) == expected and parsed == []


WRITER = """
import sys, time
from pathlib import Path
from tui.library.loader import load_listing
folder, cache, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for number in range(rounds):
    for index in range(20):
        (folder / "many" / f"m{index}.txt").write_text(f"Round {number}\\n\\nStory {index} of round {number}.\\n")
    load_listing(folder, cache)
print("done")
"""


def test_a_reader_sees_a_whole_state_while_another_process_writes(tmp_path: Path) -> None:
    """Another process rewrites twenty files and their cache records, round after round; each read
    here finds the twenty records of one round, never a mix and never a record without its text."""
    import subprocess
    import sys

    from tui.library.cache import open_store

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    (folder / "many").mkdir()
    load_library(folder, cache)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder), str(cache), "15"], stdout=subprocess.PIPE, cwd=REPO
    )
    reads = 0
    rounds_seen: set[str] = set()
    while writer.poll() is None or reads == 0:
        store = open_store(folder, cache)
        assert store is not None
        with store:
            listing, texts = store.listing_and_texts()
        many = {relative: record for relative, record in listing.items() if relative.startswith("many/")}
        titles = {record[5] for record in many.values()}
        assert len(titles) <= 1, titles  # one round, not a mix of two
        assert all(record[4] in texts for record in listing.values() if record[3] is None)
        if many:
            assert len(many) == 20
            rounds_seen.update(titles)
        reads += 1
    assert writer.wait() == 0 and writer.stdout is not None and writer.stdout.read() == b"done\n"
    assert reads > 1 and rounds_seen


def test_the_word_index_finds_words_of_the_text_and_follows_edits(tmp_path: Path) -> None:
    from tui.library.texts import TextSource

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    load_listing(folder, cache)
    texts = TextSource(folder, cache)
    assert texts.search("dealers") == set()  # nothing indexed yet: the listing does not pay for it
    while texts.index_pending():
        pass
    hashes = dict(_query_cache(cache, "SELECT relative, hash FROM files WHERE skip IS NULL"))
    wire = {hashes[f"wire/s{n}.md"] for n in range(3)}
    assert texts.search("dealers") == wire
    assert texts.search("DEAL shares") == wire  # every word, each as a word's start, any case
    assert texts.search('"said so"') == wire and texts.search('"so said"') == set()  # a phrase
    assert texts.search("markdown twin") == {hashes["d.md"]}
    assert texts.search('" * -') is None  # no word: the index is not asked
    assert texts.search('" OR') == set()  # FTS5's syntax is the user's words here
    # An edited file: its old text leaves the index with it, the new one is indexed once.
    (folder / "d.md").write_text("# Delta again\n\nNow about tulips.\n")
    load_listing(folder, cache)
    assert texts.search("twin") == set()
    assert texts.index_pending() == 1 and texts.search("tulips") != set()
    texts.close()


def test_the_cached_listing_lists_what_the_cache_saw_without_reading_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.library.loader import cached_listing

    folder, cache = _write_library(tmp_path / "lib"), tmp_path / "cache"
    assert cached_listing(folder, cache) is None  # no cache yet
    listing = load_listing(folder, cache)
    monkeypatch.setattr(loader, "_walk", _no_library)
    cached = cached_listing(folder, cache)
    assert cached is not None
    assert _listed(cached)[0] == _listed(listing)[0] and cached.notices == listing.notices
    # Only what the cache holds of the skipped files: the walk's own (a README, a broken link) are not.
    assert [s.reason for s in cached.skipped] == ["empty file"]
