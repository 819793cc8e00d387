"""The annotation store: highlights and notes that no crash, second instance or damaged file loses.

Every write holds a cross-process lock and re-reads the file under it, so two processes on one
file lose nothing. A file that cannot be read is never written: the store opens read-only and
says where the last good backup is. Callers get dataclasses, never TinyDB documents.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Unpack

from tinydb.table import Document

from tui.annotations.annotation import (
    Annotation,
    Doc,
    NoteFields,
    check_color,
    clean_tags,
    format_time,
    now,
    parse_time,
)
from tui.annotations.schema import ANNOTATIONS_TABLE, SCHEMA_VERSION, load_tables
from tui.annotations.storage import AtomicJSONStorage, Database, TextIdTable, file_signature
from tui.durable import fsync_dir, name_start
from tui.errors import DamagedFileError, StoreError, UsageError
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.library.articles import Article


BACKUPS_KEPT = 5
LOCK_TIMEOUT_S = 15.0

T = TypeVar("T")


@dataclass
class MergeResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _UndoStep:
    description: str
    annotation_id: str
    before: Doc | None  # None: the step created the annotation, undo removes it
    # Linked copies the edit was carried to, as they were: undo restores them with it.
    followers: dict[str, Doc] = field(default_factory=dict)


@dataclass
class _Index:
    generation: int = -1
    by_article: dict[str, list[str]] = field(default_factory=dict)


class AnnotationStore:
    """Annotations in one JSON file, safe against crashes, a second process and damage."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.problem: str | None = None
        self.backup_dir = self.path.with_name(f"{self.path.stem}.backups")
        self._storage = AtomicJSONStorage(self.path)
        self._db = Database(storage=lambda: self._storage)
        self._table: TextIdTable = self._db.table(ANNOTATIONS_TABLE, cache_size=0)  # type: ignore[assignment]
        self._lock = _file_lock(self.path)
        self._thread_lock = threading.RLock()
        self._index = _Index()
        self._undo: list[_UndoStep] = []
        self._backed_up = False
        try:
            self._storage.read()
        except DamagedFileError as error:
            self._damaged(error)
            return
        if self.read_only:
            self._storage.read_only = True
        elif self._storage.loaded_version < SCHEMA_VERSION and self.path.exists():
            self._migrate()

    # -- reading -------------------------------------------------------------------------------

    def _docs(self) -> dict[str, Doc]:
        """The annotation documents as last read; a file damaged since is reported, not read."""
        with self._thread_lock:
            if self.problem is not None:
                # Damaged: keep showing what was last read whole; reopen to look again.
                tables = self._storage.last_read if self._storage.loaded else None
            else:
                try:
                    tables = self._storage.read()
                except DamagedFileError as error:
                    self._damaged(error)
                    tables = self._storage.last_read
            docs: dict[str, Doc] = (tables or {}).get(ANNOTATIONS_TABLE, {})
            if self._index.generation != self._storage.generation:
                by_article: dict[str, list[str]] = {}
                for key, doc in docs.items():
                    by_article.setdefault(doc["article_id"], []).append(key)
                self._index = _Index(self._storage.generation, by_article)
            return docs

    def get(self, annotation_id: str) -> Annotation:
        docs = self._docs()
        return Annotation.from_doc(docs[self._resolve(docs, annotation_id)])

    def for_article(self, article_id: str) -> list[Annotation]:
        docs = self._docs()
        found = [Annotation.from_doc(docs[key]) for key in self._index.by_article.get(article_id, ())]
        found.sort(key=lambda annotation: (annotation.start, annotation.end, annotation.created))
        return found

    def all(self) -> list[Annotation]:
        found = [Annotation.from_doc(doc) for doc in self._docs().values()]
        found.sort(key=lambda annotation: (annotation.article_id, annotation.start, annotation.created))
        return found

    def __len__(self) -> int:
        return len(self._docs())

    def counts_by_article(self) -> dict[str, int]:
        self._docs()
        return {article_id: len(keys) for article_id, keys in sorted(self._index.by_article.items())}

    def all_tags(self) -> list[str]:
        tags: set[str] = set()
        for doc in self._docs().values():
            tags.update(doc["tags"])
        return sorted(tags, key=str.casefold)

    @staticmethod
    def _resolve(docs: dict[str, Doc], annotation_id: str) -> str:
        """A full id, or a unique start of one (as `tui notes` prints), to the full id."""
        wanted = annotation_id.strip().lower()
        if wanted in docs:
            return wanted
        if len(wanted) >= 4:
            matches = [key for key in docs if key.startswith(wanted)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise UsageError(
                    f"annotation id {printable(repr(annotation_id))} is ambiguous: give more characters"
                )
        raise UsageError(f"no annotation with id {printable(repr(annotation_id))} (see `tui notes`)")

    # -- writing -------------------------------------------------------------------------------

    def add(
        self,
        article: Article,
        start: int,
        end: int,
        **fields: Unpack[NoteFields],
    ) -> Annotation:
        """A new highlight on article.body[start:end] (see `Annotation.create`), saved."""
        return self._insert(Annotation.create(article, start, end, **fields), "highlight")

    def update(
        self,
        annotation_id: str,
        *,
        note: str | None = None,
        color: str | None = None,
        tags: list[str] | None = None,
    ) -> Annotation:
        fields: Doc = {}
        if note is not None:
            fields["note"] = note
        if color is not None:
            fields["color"] = check_color(color)
        if tags is not None:
            fields["tags"] = clean_tags(tags)
        edited = self._edit(annotation_id, fields, "edit of", follow_links=True)
        return edited

    def adopt(self, original: Annotation, article: Article, start: int, end: int) -> Annotation:
        """A linked copy of another version's annotation on article.body[start:end]: same note,
        color and tags, kept in step with the original until the copy itself is edited."""
        annotation = Annotation.create(
            article, start, end, note=original.note, color=original.color, tags=original.tags
        )
        annotation.linked_to = original.id
        return self._insert(annotation, "adoption of")

    def _insert(self, annotation: Annotation, what: str) -> Annotation:
        """Store a new annotation; undoing it deletes it again."""

        def change() -> Annotation:
            self._table.insert(Document(annotation.to_doc(), doc_id=annotation.id))  # type: ignore[arg-type]
            return annotation

        self._write(change)
        self._undo.append(_UndoStep(f"{what} {_snippet(annotation.exact)}", annotation.id, None))
        return annotation

    def move(self, annotation_id: str, article: Article, start: int, end: int) -> Annotation:
        """Re-anchor an (orphaned) annotation in another version, with a record of where it was."""
        current = self.get(annotation_id)
        placed = Annotation.create(article, start, end).to_doc()
        fields = {key: placed[key] for key in ("article_id", "article_hash", "target")}
        fields["moved_from"] = {
            "article_id": current.article_id,
            "article_hash": current.article_hash,
            "exact": current.exact,
            "prefix": current.prefix,
            "suffix": current.suffix,
            "start": current.start,
            "end": current.end,
            "moved": format_time(now()),
        }
        return self._edit(annotation_id, fields, "move of")

    def move_back(self, annotation_id: str) -> Annotation:
        """Put a moved note back where it was (its `moved_from`): an orphan there again, its note,
        tags and colour as they are now. Undoable, as every edit."""

        def change() -> tuple[Annotation, Doc]:
            docs = self._docs()
            key = self._resolve(docs, annotation_id)
            before = docs[key]
            current = Annotation.from_doc(before)
            origin = current.moved_from
            if not origin:
                raise UsageError(f"annotation {printable(current.id[:8])} was not moved from another version")
            try:
                restored = dataclasses.replace(
                    current,
                    article_id=str(origin["article_id"]),
                    article_hash=str(origin["article_hash"]),
                    exact=str(origin["exact"]),
                    prefix=str(origin.get("prefix", "")),
                    suffix=str(origin.get("suffix", "")),
                    start=int(origin["start"]),
                    end=int(origin["end"]),
                    moved_from=None,
                    updated=now(),
                )
            except (KeyError, TypeError, ValueError) as error:
                raise UsageError(
                    f"cannot tell where annotation {printable(current.id[:8])} came from"
                ) from error
            self._table.put(key, restored.to_doc())
            return Annotation.from_doc(self._docs()[key]), before

        annotation, before = self._write(change)
        self._undo.append(_UndoStep(f"move back of {_snippet(annotation.exact)}", annotation.id, before))
        return annotation

    def reattach(self, annotation_id: str, article: Article, start: int, end: int) -> Annotation:
        """Anchor an annotation (typically an orphan) to a new passage; its note and tags stay."""
        placed = Annotation.create(article, start, end).to_doc()
        fields = {key: placed[key] for key in ("article_id", "article_hash", "target")}
        return self._edit(annotation_id, fields, "re-attachment of")

    def _edit(self, annotation_id: str, fields: Doc, what: str, *, follow_links: bool = False) -> Annotation:
        followers: dict[str, Doc] = {}

        def change() -> tuple[Annotation, Doc]:
            docs = self._docs()
            key = self._resolve(docs, annotation_id)
            before = docs[key]
            moment = format_time(now())
            edited = {**before, **fields, "updated": moment}
            if follow_links:
                # An edited adopted copy is its own note from now on; copies adopted from this one
                # follow the edit.
                edited.pop("linked_to", None)
                for other_key, doc in list(docs.items()):
                    if doc.get("linked_to") == key:
                        followers[other_key] = dict(doc)
                        self._table.put(other_key, {**doc, **fields, "updated": moment})
            self._table.put(key, edited)
            return Annotation.from_doc(self._docs()[key]), before

        annotation, before = self._write(change)
        self._undo.append(_UndoStep(f"{what} {_snippet(annotation.exact)}", annotation.id, before, followers))
        return annotation

    def delete(self, annotation_id: str) -> Annotation:
        def change() -> Annotation:
            docs = self._docs()
            key = self._resolve(docs, annotation_id)
            annotation = Annotation.from_doc(docs[key])
            self._table.remove(doc_ids=[key])  # type: ignore[list-item]
            return annotation

        annotation = self._write(change)
        self._undo.append(
            _UndoStep(f"deletion of {_snippet(annotation.exact)}", annotation.id, annotation.to_doc())
        )
        return annotation

    def undo(self) -> str | None:
        """Undo this session's last add, edit or delete; a description of what was undone, or None."""
        if not self._undo:
            return None
        step = self._undo[-1]

        def change() -> None:
            if step.before is None:
                if step.annotation_id in self._docs():
                    self._table.remove(doc_ids=[step.annotation_id])  # type: ignore[list-item]
            else:
                self._table.put(step.annotation_id, dict(step.before))
            docs = self._docs()
            for key, doc in step.followers.items():
                if key in docs:  # a copy deleted since stays deleted
                    self._table.put(key, dict(doc))

        self._write(change)
        self._undo.pop()
        return f"undid {step.description}"

    def merge(self, annotations: Iterable[Annotation]) -> MergeResult:
        """Add annotations by id in one write: a new id is added, a known one replaced only when
        the incoming copy was updated later."""
        incoming = list(annotations)
        result = MergeResult()
        for annotation in incoming:
            check_color(annotation.color)

        def change(table: dict[str, Doc]) -> None:
            for annotation in incoming:
                current = table.get(annotation.id)
                if current is None:
                    table[annotation.id] = annotation.to_doc()
                    result.added += 1
                elif parse_time(current["updated"]) < annotation.updated:
                    table[annotation.id] = annotation.to_doc()
                    result.updated += 1
                else:
                    result.unchanged += 1

        if incoming:
            self._write(lambda: self._table.change(change))
        return result

    def _write(self, change: Callable[[], T]) -> T:
        with self._thread_lock:
            if self.read_only:
                raise StoreError(self.problem or f"{self.path} is open read-only; nothing was saved")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self._locked():
                    try:
                        self._storage.read()  # what other processes wrote since we last looked
                    except DamagedFileError as error:
                        self._damaged(error)
                        raise StoreError(self.problem or str(error)) from None
                    if not self._backed_up:
                        self._backup()
                        self._clear_temporaries()
                        self._backed_up = True
                    return change()
            except OSError as error:  # a full disk, a read-only folder: the old file is untouched
                self._storage.forget()
                reason = error.strerror or str(error)
                raise StoreError(f"cannot save to {self.path}: {reason}; nothing was saved") from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import filelock

        try:
            with self._lock.acquire(timeout=LOCK_TIMEOUT_S):
                yield
        except filelock.Timeout:
            raise StoreError(
                f"{self.path} is being written by another process (lock {self._lock.lock_file} "
                f"held for {LOCK_TIMEOUT_S:.0f} s); nothing was saved"
            ) from None

    # -- safety nets ---------------------------------------------------------------------------

    def _damaged(self, error: DamagedFileError) -> None:
        self.read_only = True
        self._storage.read_only = True
        backup = self.last_good_backup()
        pointer = (
            f"last good backup: {backup} (copy it over the file to restore)" if backup else "no backup yet"
        )
        self.problem = (
            f"{self.path} {error.verb}: {error}; opened read-only, nothing will be written; {pointer}"
        )

    def _migrate(self) -> None:
        with self._locked():
            self._storage.forget()
            self._storage.read()
            if self._storage.loaded_version < SCHEMA_VERSION:
                self._backup(label=f"schema{self._storage.loaded_version}")
                self._storage.write(self._storage.last_read or {})
                self._backed_up = True

    def backups(self) -> list[Path]:
        """Backups of the last good file, oldest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted(self.backup_dir.glob(f"{self.path.stem}-*.json"))

    def last_good_backup(self) -> Path | None:
        for candidate in reversed(self.backups()):
            try:
                load_tables(candidate.read_bytes())
            except (DamagedFileError, OSError):
                continue
            return candidate
        return None

    def _backup(self, label: str = "") -> None:
        """Copy the current (checked) file aside once per session, keeping the last few.

        A backup counts only when whole: copied to a temporary name, fsynced, checked, then renamed
        into place. A full disk leaves no zero-byte or cut-short backup, and rotation drops the
        oldest whole backups only, so it never trades a good one for a bad one.
        """
        if not self.path.exists():
            return
        self.backup_dir.mkdir(exist_ok=True)
        stamp = now().strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backup_dir / f"{self.path.stem}-{stamp}{'-' + label if label else ''}.json"
        temporary = self.backup_dir / f".{target.name}.tmp"
        try:
            # A copy, not a hard link: an editor that rewrites the file in place would change a link too.
            shutil.copyfile(self.path, temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            if file_signature(self.path) != self._storage.signature or not self._storage.loaded:
                # The file changed since it was read and checked (an editor, a process ignoring the
                # lock): the copy may be bad, and rotating could push out the last good backup.
                try:
                    load_tables(temporary.read_bytes())
                except DamagedFileError as error:
                    self._damaged(error)
                    raise StoreError(self.problem or str(error)) from None
            elif temporary.stat().st_size != (self._storage.signature or (0, -1))[1]:
                raise OSError(errno.EIO, "backup copy is shorter than the file", str(temporary))
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        fsync_dir(self.backup_dir)
        self._rotate_backups()

    def _rotate_backups(self) -> None:
        whole: list[Path] = []
        for backup in self.backups():
            if _looks_whole(backup):
                whole.append(backup)
            else:  # a zero-byte or cut-short copy left by an older tui: it can restore nothing
                with contextlib.suppress(OSError):
                    backup.unlink()
        for old in whole[:-BACKUPS_KEPT]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _clear_temporaries(self) -> None:
        # Under the lock no other writer is mid-write, so any temporary file is a killed write's.
        start = name_start(self.path.name)
        for pattern in (f".{start}.*.tmp", f".{start}.*.old"):
            for leftover in self.path.parent.glob(pattern):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def close(self) -> None:
        self._db.close()


def open_store(path: Path) -> AnnotationStore:
    """A store for the command line: a damaged file is an error there, not a read-only view."""
    store = AnnotationStore(path)
    if store.problem:
        raise StoreError(store.problem)
    return store


def _looks_whole(backup: Path) -> bool:
    """Whether a backup ends as a JSON object does: cheap, and enough to tell a copy cut short."""
    try:
        with backup.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 64))
            return handle.read().rstrip().endswith(b"}")
    except OSError:
        return False


def _file_lock(path: Path) -> Any:
    import filelock

    return filelock.FileLock(str(path) + ".lock")


def _snippet(text: str, width: int = 40) -> str:
    flat = printable(" ".join(text.split()))
    return f"“{flat[: width - 1]}…”" if len(flat) > width else f"“{flat}”"
