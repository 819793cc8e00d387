"""The index's cache on disk: one SQLite database (WAL) of features, verdicts and the current pairs.

Everything in it is derived data, keyed by content hash: features of each article's text, the verdict
of each pair of texts, and the pairs of the library it was last built for (with that library's
signature). A build reads what is there, writes only what it computed, and removes what no article
holds any more, in one transaction: a second process reading meanwhile sees the old index or the new
one, never half of each. A missing, damaged or foreign file is started again; a folder that cannot be
written costs time, not an error (the index is then kept in memory).

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from tui.similarity.model import KINDS

FILE_NAME = "index.sqlite"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS features ("
    " hash TEXT PRIMARY KEY, key TEXT NOT NULL, shingle_count INTEGER NOT NULL,"
    " minhash BLOB, term_ids BLOB NOT NULL, term_counts BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS vocabulary (term TEXT PRIMARY KEY, number INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS verdicts ("
    " pair TEXT PRIMARY KEY, score REAL NOT NULL, kind TEXT, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b TEXT NOT NULL, score REAL NOT NULL,"
    " kind TEXT NOT NULL, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS built (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
)

_TABLES = ("features", "verdicts", "pairs", "built", "vocabulary", "kept")

# (hash, key, shingle count, MinHash signature or None, term numbers, term counts): the numbers and
# counts as little-endian int32 bytes, the numbers from the store's vocabulary
FeatureRow = tuple[str, str, int, bytes | None, bytes, bytes]
VerdictRow = tuple[float, str | None, str]
PairRow = tuple[str, str, float, str, str]


_ODD_PAIR = (
    "SELECT 1 FROM pairs WHERE typeof(a) != 'text' OR typeof(b) != 'text' OR typeof(reason) != 'text'"
    f" OR typeof(score) NOT IN ('real', 'integer') OR kind NOT IN ({', '.join(repr(k) for k in KINDS)})"
    " LIMIT 1"
)


class IndexStore:
    """The index's SQLite cache; `IndexStore(None)` keeps it in memory for one build."""

    def __init__(self, folder: Path | None, version: int) -> None:
        self.version = version
        self.db = _open(folder, version)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, whatever another process writes meanwhile."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def clear(self) -> None:
        """Forget everything (a cache whose rows have the wrong shape)."""
        with contextlib.suppress(sqlite3.OperationalError), self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for table in _TABLES:
                self.db.execute(f"DELETE FROM {table}")

    def signature(self) -> str | None:
        row = self.db.execute("SELECT value FROM built WHERE name = 'signature'").fetchone()
        return str(row[0]) if row else None

    def pairs(self, kinds: Collection[str] | None = None) -> list[PairRow]:
        """The current pairs (of the given kinds), best first: by score, then by the two ids.

        Read as one JSON document made by SQLite, sorted there: a read row by row gives the GIL up
        and back for every row, and in the app, beside a busy thread, 180,000 rows took seconds.
        SQLite sorts text by its UTF-8 bytes, which is Python's order of the ids."""
        where, chosen = "", sorted(kinds) if kinds is not None else []
        if kinds is not None:
            where = f" WHERE kind IN ({', '.join('?' * len(chosen))})"
        # Their types checked by SQLite, not row by row in Python (a file from elsewhere may hold others).
        if self.db.execute(_ODD_PAIR).fetchone() is not None:
            raise ValueError("a stored pair of the wrong shape")
        ordered = f"SELECT a, b, score, kind, reason FROM pairs{where} ORDER BY score DESC, a, b"
        query = (
            "SELECT json_group_array(json_array(a, b, printf('%!.17g', score), kind, reason))"
            f" FROM ({ordered})"
        )
        try:
            if not _prints_floats_exactly(self.db):
                raise sqlite3.OperationalError("printf loses the last digits of a float here")
            (document,) = self.db.execute(query, chosen).fetchone()
        except sqlite3.OperationalError:  # an SQLite without its JSON functions, or that: row by row
            return [(a, b, float(s), k, r) for a, b, s, k, r in self.db.execute(ordered, chosen)]
        rows: list[PairRow] = [(a, b, float(s), k, r) for a, b, s, k, r in orjson.loads(document)]
        # An aggregate keeps its subquery's order in SQLite, which does not promise it: checked.
        keys = [_best_first(row) for row in rows]
        if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
            rows.sort(key=_best_first)
        return rows

    def features(self) -> dict[str, tuple[str, int, bytes | None]]:
        """hash -> (key, shingle count, MinHash signature): the terms stay on disk until asked for."""
        rows = self.db.execute("SELECT hash, key, shingle_count, minhash FROM features")
        return {str(h): (str(k), int(n), bytes(m) if m is not None else None) for h, k, n, m in rows}

    def term_rows(self) -> dict[str, tuple[bytes, bytes]]:
        """hash -> (term numbers, counts), int32 bytes, of every article the store holds."""
        rows = self.db.execute("SELECT hash, term_ids, term_counts FROM features")
        return {str(h): (bytes(i), bytes(c)) for h, i, c in rows}

    def vocabulary(self) -> dict[str, int]:
        """Every term the store has numbered (append-only: a number never changes meaning)."""
        return {str(t): int(n) for t, n in self.db.execute("SELECT term, number FROM vocabulary")}

    def neighbours(self) -> bytes | None:
        """The TF-IDF pass's kept baseline as it was written, or None."""
        row = self.db.execute("SELECT value FROM kept WHERE name = 'neighbours'").fetchone()
        return bytes(row[0]) if row and isinstance(row[0], bytes) else None

    def verdicts(self) -> dict[str, VerdictRow]:
        rows = self.db.execute("SELECT pair, score, kind, reason FROM verdicts")
        return {str(p): (float(s), None if k is None else str(k), str(r)) for p, s, k, r in rows}

    def save(
        self,
        new_features: Iterable[FeatureRow],
        minhashes: Iterable[tuple[str, bytes]],
        new_verdicts: Iterable[tuple[str, VerdictRow]],
        new_terms: Iterable[tuple[str, int]],
        gone_hashes: Collection[str],
        signature: str,
        pairs: Iterable[PairRow],
        neighbours: bytes | None = None,
    ) -> None:
        """One transaction: what was computed added, what no live article holds any more
        (`gone_hashes`) removed, the pairs, and the TF-IDF baseline when it changed (None: the kept
        one stands)."""
        db = self.db
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR IGNORE INTO vocabulary VALUES (?, ?)", new_terms)
                db.executemany("INSERT OR REPLACE INTO features VALUES (?, ?, ?, ?, ?, ?)", new_features)
                db.executemany(
                    "UPDATE features SET minhash = ? WHERE hash = ?", ((m, h) for h, m in minhashes)
                )
                db.executemany(
                    "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                    ((key, *verdict) for key, verdict in new_verdicts),
                )
                if gone_hashes:  # nothing to look for when articles were only added
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (hash TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM temp.gone")
                    db.executemany("INSERT OR IGNORE INTO temp.gone VALUES (?)", ((h,) for h in gone_hashes))
                    db.execute("DELETE FROM features WHERE hash IN temp.gone")
                    # A verdict's key is its two hashes, sorted and joined by "|".
                    db.execute(
                        "DELETE FROM verdicts WHERE substr(pair, 1, instr(pair, '|') - 1) IN temp.gone"
                        " OR substr(pair, instr(pair, '|') + 1) IN temp.gone"
                    )
                db.execute("DELETE FROM pairs")
                db.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?, ?)", pairs)
                db.execute("INSERT OR REPLACE INTO built VALUES ('signature', ?)", (signature,))
                if neighbours is not None:
                    db.execute("INSERT OR REPLACE INTO kept VALUES ('neighbours', ?)", (neighbours,))
        except sqlite3.OperationalError:
            pass  # busy past the timeout, read-only or full: the next build computes it again


def _best_first(row: PairRow) -> tuple[float, str, str]:
    return -row[2], row[0], row[1]


# Floats whose shortest form has 17 digits: an SQLite that prints them back exactly with
# '%!.17g' (it relies on long double before 3.43) returns every score exactly through the JSON read.
_FLOAT_PROBES = (0.1 + 0.2, 1 / 3, 2 / 3, 0.7 * 3, 1e-7 / 3)


def _prints_floats_exactly(db: sqlite3.Connection) -> bool:
    printed = db.execute(
        "SELECT " + ", ".join("printf('%!.17g', ?)" for _ in _FLOAT_PROBES), _FLOAT_PROBES
    ).fetchone()
    return all(float(text) == value for text, value in zip(printed, _FLOAT_PROBES, strict=True))


def _open(folder: Path | None, version: int) -> sqlite3.Connection:
    if folder is not None:
        path = folder / FILE_NAME
        for _attempt in range(2):
            try:
                return _connect(path, version)
            except sqlite3.DatabaseError:
                # Not a database, damaged, or from a foreign tool: derived data, so start again.
                for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                    with contextlib.suppress(OSError):
                        stale.unlink()
            except OSError:
                break
    return _connect(None, version)


def _connect(path: Path | None, version: int) -> sqlite3.Connection:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(":memory:" if path is None else path, timeout=10.0, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # derived data: a crash may lose the last build, no more
        if int(db.execute("PRAGMA user_version").fetchone()[0]) != version:
            with db:
                db.execute("BEGIN IMMEDIATE")
                for table in _TABLES:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute(f"PRAGMA user_version = {int(version)}")
        for statement in _SCHEMA:
            db.execute(statement)
        _check(db)
    except BaseException:
        db.close()
        raise
    return db


def _check(db: sqlite3.Connection) -> None:
    """The tables have the columns this code reads (a file of the same name from elsewhere may not)."""
    expected: dict[str, Any] = {
        "features": ["hash", "key", "shingle_count", "minhash", "term_ids", "term_counts"],
        "vocabulary": ["term", "number"],
        "verdicts": ["pair", "score", "kind", "reason"],
        "pairs": ["a", "b", "score", "kind", "reason"],
        "kept": ["name", "value"],
    }
    for table, columns in expected.items():
        found = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        if found != columns:
            raise sqlite3.DatabaseError(f"{table} has columns {found}")
