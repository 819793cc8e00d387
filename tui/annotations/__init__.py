"""The annotation store, in parts: the durable writer is `tui.durable`, the model `tui.annotations.annotation`,
the file format `schema`, the TinyDB adapter `storage` (with `tables`), the store's API
`annotations`. Callers import from here: `from tui.annotations import AnnotationStore, open_store`.
Only this package imports tinydb; callers get dataclasses.
"""

from __future__ import annotations

from tui.annotations.anchoring import Anchored, Status, anchor, anchor_all, find_quote
from tui.annotations.annotation import Annotation, format_time, normalize_tag, now, parse_time
from tui.annotations.schema import SCHEMA_VERSION, load_tables
from tui.annotations.store import BACKUPS_KEPT, AnnotationStore, MergeResult, open_store
from tui.annotations.tables import TrackedTable
from tui.errors import DamagedFileError, NewerSchemaError, StoreError, UnreadableFileError
from tui.palette import COLORS, DEFAULT_COLOR

__all__ = [
    "BACKUPS_KEPT",
    "COLORS",
    "DEFAULT_COLOR",
    "SCHEMA_VERSION",
    "Anchored",
    "Annotation",
    "AnnotationStore",
    "DamagedFileError",
    "MergeResult",
    "NewerSchemaError",
    "Status",
    "StoreError",
    "TrackedTable",
    "UnreadableFileError",
    "anchor",
    "anchor_all",
    "find_quote",
    "format_time",
    "load_tables",
    "normalize_tag",
    "now",
    "open_store",
    "parse_time",
]
