"""What the app can export notes as: the two Markdown flavours of `tui export --flavor`, and the
W3C Web Annotation JSON-LD of `tui export --format json`.

At the bottom of the shell: the session exports in a format and the export dialog offers them.
"""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["obsidian", "logseq", "json"]
# format -> (its key in the dialog, its name, what it writes)
EXPORT_FORMATS: dict[ExportFormat, tuple[str, str, str]] = {
    "obsidian": ("o", "Markdown for Obsidian", "a file per article; block ids ^h-…"),
    "logseq": ("l", "Markdown for Logseq", "an outline; block ids as id:: properties"),
    "json": ("w", "W3C Web Annotation JSON-LD", "one .jsonld file, as tui export --format json"),
}
