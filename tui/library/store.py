"""The cache of one library folder, in one SQLite file: the listing, the text, and a word index.

Four tables, all derived data (delete the file and the next load rebuilds it):
- `files`: one row per file found, keyed by its path relative to the root: size and mtime, content
  hash, the metadata `tui list` prints, or why the file is not an article. Read on every start.
- `texts`: one row per distinct content hash: the body and its layout (paragraph and caption
  offsets, structure) as one JSON blob; sentences are found when an article is read. Read only
  when the articles themselves are wanted, or one at a time when an article is opened.
- `listing_copy`: the whole listing as the rows `files` reads, in one blob (marshal): a warm start
  reads it in about half the time the rows take. Any change to `files`, by a write or from outside,
  drops it (triggers); each whole write makes it again from the rows (a cold scan writes its own
  share of the parses first, without it). Damaged or missing, the rows are read.
- `text_search`: an FTS5 index over the bodies (external content: the words, not a second copy of
  the text), filled in batches by `index_pending_texts` after the library is shown, so a cold
  `tui list` never pays for it; a text is indexed once whatever the number of files holding it.

WAL mode: a reader sees the state of the last committed write, never half of one, while another
process writes. Each write is one transaction. A cache that cannot be opened, is damaged or of
another version is deleted and created again; one that cannot be written only costs time.
Knows nothing of Textual.
"""

from __future__ import annotations

import contextlib
import marshal
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# Bump when the tables change; a file of another version is deleted and written again.
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 5000  # a writer waits this long for another; then the write is skipped

# The columns of a listing record, in the order of a record's tuple (the relative path first).
LISTING_COLUMNS = (
    "relative",
    "size",
    "mtime",
    "skip",
    "hash",
    "title",
    "source",
    "author",
    "published",
    "subtitle",
    "words",
    "encoding",
    "day_only",
    "url",
    "added",
)
# A record's article fields, all present and of their type (the tables are STRICT, so a value that
# is not NULL has its column's type). A record that is neither this nor a skipped file is left out
# of what is read, so its file is read again.
_RECORD_IS_WHOLE = (
    "skip IS NOT NULL OR (hash IS NOT NULL AND title IS NOT NULL AND words IS NOT NULL"
    " AND encoding IS NOT NULL AND day_only IN (0, 1))"
)

# Any change to the rows of `files` drops the listing's copy: a row damaged from outside is seen.
_COPY_TRIGGERS = tuple(
    f"CREATE TRIGGER files_{change} AFTER {change.upper()} ON files BEGIN DELETE FROM listing_copy; END"
    for change in ("insert", "update", "delete")
)

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT",
    """CREATE TABLE files (
        relative TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime INTEGER NOT NULL,
        hash TEXT,
        skip TEXT,
        title TEXT,
        source TEXT,
        author TEXT,
        published TEXT,
        day_only INTEGER,
        url TEXT,
        added TEXT,
        subtitle TEXT,
        encoding TEXT,
        words INTEGER
    ) STRICT""",
    "CREATE INDEX files_by_hash ON files (hash)",
    "CREATE TABLE listing_copy (id INTEGER PRIMARY KEY CHECK (id = 0), records BLOB NOT NULL) STRICT",
    *_COPY_TRIGGERS,
    """CREATE TABLE texts (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        layout BLOB NOT NULL,
        indexed INTEGER NOT NULL DEFAULT 0
    ) STRICT""",
    """CREATE VIRTUAL TABLE text_search USING fts5 (
        body, content = 'texts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    )""",
    # An indexed text leaves the index with its row: external content is not kept in step by itself.
    """CREATE TRIGGER texts_forget BEFORE DELETE ON texts WHEN old.indexed BEGIN
        INSERT INTO text_search (text_search, rowid, body) VALUES ('delete', old.id, old.body);
    END""",
)

# A listing record: the columns above, in their order (a tuple: 100,000 dicts cost a warm start).
Record = tuple[Any, ...]
# A text record: (hash, body, layout JSON).
TextRow = tuple[str, str, bytes]


class LibraryStore:
    """The SQLite cache of one library; every method is best effort and never raises for the cache."""

    def __init__(self, file: Path, connection: sqlite3.Connection) -> None:
        self.file = file
        self._connection = connection

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, file: Path, stamp: str) -> LibraryStore | None:
        """The store in `file`, created when missing; one damaged or of another stamp (parser and
        schema version) is deleted and created again. None when the folder is not usable."""
        for _attempt in range(2):
            connection: sqlite3.Connection | None = None
            try:
                connection = _connect(file)
                found = _stamp_of(connection)
                if found == stamp:
                    return cls(file, connection)
                if found is None and _is_empty(connection):
                    _create(connection, stamp)
                    return cls(file, connection)
            except (sqlite3.Error, OSError):
                pass
            if connection is not None:
                connection.close()
            _delete(file)
        return None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()

    def __enter__(self) -> LibraryStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- reading

    def listing(self) -> dict[str, Record]:
        """Every file's whole listing record, by relative path; nothing when the cache cannot be read."""
        try:
            with self._reading() as connection:
                found = connection.execute("SELECT records FROM listing_copy").fetchone()
                rows = _records_of(found[0]) if found is not None else None
                if rows is None:
                    rows = connection.execute(_SELECT_RECORDS).fetchall()
        except sqlite3.Error:
            return {}
        return {row[0]: row for row in rows}

    def listing_and_texts(self) -> tuple[dict[str, Record], dict[str, tuple[str, bytes]]]:
        """The listing and every text (body, layout) by hash, read in one transaction: a text a
        listing record names is there, even while another process writes."""
        try:
            with self._reading():
                rows = self._connection.execute(_SELECT_RECORDS).fetchall()
                texts = self._connection.execute("SELECT hash, body, layout FROM texts").fetchall()
        except sqlite3.Error:
            return {}, {}
        return {row[0]: row for row in rows}, {h: (body, layout) for h, body, layout in texts}

    def text(self, content_hash: str) -> tuple[str, bytes] | None:
        """(body, layout) of one text, or None when it is not cached."""
        try:
            row = self._connection.execute(
                "SELECT body, layout FROM texts WHERE hash = ?", (content_hash,)
            ).fetchone()
        except sqlite3.Error:
            return None
        return (row[0], row[1]) if row else None

    # ----------------------------------------------------------------- writing

    def write(
        self,
        records: Iterable[Record],
        texts: Iterable[TextRow],
        removed: Iterable[str],
        whole: bool = True,
    ) -> bool:
        """Upsert listing records and texts, drop the removed files and the texts no file holds any
        more, in one transaction. False when it could not be written (then nothing was).

        `whole=False`: a first part of a scan's changes, the rest to follow in a whole write; the
        listing's copy is dropped and not made again (readers read the rows meanwhile), and texts
        no file holds are left for the whole write to drop."""
        columns = ", ".join(LISTING_COLUMNS)
        insert = f"INSERT OR REPLACE INTO files ({columns}) VALUES ({', '.join('?' * len(LISTING_COLUMNS))})"
        try:
            with self._writing() as connection:
                # A write drops the copy once and makes it again, rather than through a trigger
                # per row (which doubled the cost of writing 95,000 rows); the triggers are back
                # before the transaction ends, so no other process sees them gone.
                connection.execute("DELETE FROM listing_copy")
                for change in ("insert", "update", "delete"):
                    connection.execute(f"DROP TRIGGER files_{change}")
                connection.executemany("DELETE FROM files WHERE relative = ?", ((r,) for r in removed))
                # Records that were not whole were left out when read; their files were read again.
                connection.execute(f"DELETE FROM files WHERE NOT ({_RECORD_IS_WHOLE})")
                connection.executemany(insert, records)
                connection.executemany(
                    "INSERT OR IGNORE INTO texts (hash, body, layout) VALUES (?, ?, ?)", texts
                )
                for statement in _COPY_TRIGGERS:
                    connection.execute(statement)
                if whole:
                    connection.execute(
                        "DELETE FROM texts WHERE hash NOT IN (SELECT hash FROM files WHERE hash IS NOT NULL)"
                    )
                    # The copy, made again from the rows as they now stand.
                    rows = connection.execute(_SELECT_RECORDS).fetchall()
                    connection.execute(
                        "INSERT OR REPLACE INTO listing_copy (id, records) VALUES (0, ?)",
                        (marshal.dumps(rows, _MARSHAL_VERSION),),
                    )
        except sqlite3.Error:
            return False
        return True

    # ----------------------------------------------------------------- the word index

    def index_pending_texts(self, batch: int = 2000) -> int:
        """Index up to `batch` texts not yet in the word index, in one transaction; how many."""
        try:
            with self._writing() as connection:
                rows = connection.execute(
                    "SELECT id, body FROM texts WHERE indexed = 0 LIMIT ?", (batch,)
                ).fetchall()
                connection.executemany("INSERT INTO text_search (rowid, body) VALUES (?, ?)", rows)
                connection.executemany("UPDATE texts SET indexed = 1 WHERE id = ?", ((r[0],) for r in rows))
        except sqlite3.Error:
            return 0
        return len(rows)

    def pending_texts(self) -> int:
        """How many texts the word index does not hold yet."""
        try:
            return int(self._connection.execute("SELECT count(*) FROM texts WHERE indexed = 0").fetchone()[0])
        except sqlite3.Error:
            return 0

    def search(self, words: str) -> set[str] | None:
        """The content hashes of the texts holding every word (each as a word's start), or None
        when the index cannot answer (no words, or no usable cache)."""
        query = match_query(words)
        if query is None:
            return None
        try:
            rows = self._connection.execute(
                "SELECT texts.hash FROM text_search JOIN texts ON texts.id = text_search.rowid"
                " WHERE text_search MATCH ?",
                (query,),
            ).fetchall()
        except sqlite3.Error:
            return None
        return {row[0] for row in rows}

    # ----------------------------------------------------------------- transactions

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            connection.execute("COMMIT")

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


_WORD = re.compile(r"\w+")
_SELECT_RECORDS = f"SELECT {', '.join(LISTING_COLUMNS)} FROM files WHERE {_RECORD_IS_WHOLE}"


_MARSHAL_VERSION = 4  # the format of Python 3.4 on; a copy another Python cannot read is not used


def _records_of(blob: object) -> list[Record] | None:
    """The rows of a listing copy, or None when it is not one (damaged, or of another format)."""
    if type(blob) is not bytes:
        return None
    try:
        rows = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    width = len(LISTING_COLUMNS)
    if type(rows) is not list or not all(type(row) is tuple and len(row) == width for row in rows):
        return None
    return rows


def match_query(words: str) -> str | None:
    """An FTS5 query for texts holding every word of `words` as the start of a word, or, when
    `words` is in double quotes, holding them in that order; None when it has no word. Only the
    words found here reach the query, each quoted, so no character of the user's is FTS5 syntax."""
    found = _WORD.findall(words.lower())
    if not found:
        return None
    stripped = words.strip()
    if len(found) > 1 and len(stripped) > 1 and stripped[0] == stripped[-1] == '"':
        return '"' + " ".join(found) + '"*'
    return " ".join(f'"{word}"*' for word in found)


def _connect(file: Path) -> sqlite3.Connection:
    file.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: transactions are begun and ended by the methods above, nothing implicit.
    connection = sqlite3.connect(file, isolation_level=None, check_same_thread=False, timeout=0)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    # A lost commit in a power cut is a cache rebuilt, not lost data.
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _stamp_of(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.OperationalError:  # no such table: a new file
        return None
    return row[0] if row else None


def _is_empty(connection: sqlite3.Connection) -> bool:
    return bool(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)


def _create(connection: sqlite3.Connection, stamp: str) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        if _stamp_of(connection) is None:  # not created by another process meanwhile
            for statement in _SCHEMA:  # not executescript: it would commit the open transaction
                connection.execute(statement)
            connection.execute("INSERT INTO meta (key, value) VALUES ('stamp', ?)", (stamp,))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _delete(file: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{file}{suffix}").unlink()
