"""The notes of articles as Markdown for Obsidian or Logseq: a file per article, or one document.

Can be run again and again into the same folder: each file's managed part is rewritten from the
store, the user's part below the marker is kept (see `tui.export.markdown`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.durable import write_atomically
from tui.errors import TuiError, UsageError
from tui.export.markdown import (
    Block,
    Flavor,
    document,
    escape_inline,
    existing_files,
    front_matter_date,
    layout,
    render_highlights,
    safe_filename,
    split_existing,
    stamp,
)
from tui.export.selection import ArticleNotes, Keep, collect
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.library.articles import Library


class PartialExportError(TuiError):
    """Some articles' notes could not be written; every other article's were."""

    def __init__(self, written: list[Path], failed: list[tuple[str, str]]) -> None:
        reasons = "; ".join(f"{printable(article_id)}: {printable(reason)}" for article_id, reason in failed)
        super().__init__(f"{len(written)} written, {len(failed)} not exported ({reasons})")
        self.written = written
        self.failed = failed


def _front(notes: ArticleNotes) -> dict[str, Any]:
    """The front matter of an article's notes file."""
    article = notes.article
    return {
        "title": notes.title,
        "source": article.source if article else None,
        "author": article.author if article else None,
        "published": front_matter_date(article.published, article.day_only)
        if article and article.published
        else None,
        "path": str(article.path) if article else None,
        "article_id": notes.article_id,
        "tags": notes.tags(),
        "highlights": len(notes.placed),
        "exported": stamp(),
    }


def render_article(notes: ArticleNotes, flavor: Flavor = "obsidian") -> str:
    heading = layout([Block(f"# {escape_inline(notes.title)}")], flavor)
    return f"{heading}\n\n{render_highlights(notes.placed, notes.article, 2, flavor)}"


def render_collection(collection: list[ArticleNotes], flavor: Flavor = "obsidian") -> str:
    sections = []
    for notes in collection:
        article = notes.article
        facts = [
            value
            for value in (
                article.source if article else None,
                article.author if article else None,
                article.published.date().isoformat() if article and article.published else None,
                f"id {notes.article_id}",
            )
            if value
        ]
        heading = Block(f"## {escape_inline(notes.title)}", children=[escape_inline(" · ".join(facts))])
        sections.append(
            layout([heading], flavor) + "\n\n" + render_highlights(notes.placed, article, 3, flavor)
        )
    empty = layout([Block("*No highlights.*")], flavor)
    return layout([Block("# Notes")], flavor) + "\n\n" + ("\n\n".join(sections) if sections else empty)


def _file_for(notes: ArticleNotes, folder: Path, existing: dict[str, Path], taken: set[Path]) -> Path:
    if notes.article_id in existing:
        return existing[notes.article_id]
    for name in (safe_filename(notes.title), safe_filename(f"{notes.title} ({notes.article_id})")):
        path = folder / f"{name}.md"
        if path not in taken and not path.exists():
            return path
    counter = 2
    while True:  # a third article of that title and id: number it
        path = folder / f"{safe_filename(f'{notes.title} ({notes.article_id})', 110)} {counter}.md"
        if path not in taken and not path.exists():
            return path
        counter += 1


def export_markdown(
    library: Library,
    store: AnnotationStore,
    article_ids: Iterable[str] | None,
    target: Path,
    flavor: Flavor = "obsidian",
    keep: Keep = None,
) -> list[Path]:
    """Write notes as Markdown; returns the files written.

    `target` a folder (or a path without .md): one file per article, named from its title.
    `target` a .md file: one document with every article. Either may be re-exported into.
    """
    collection = collect(library, store, article_ids, keep)
    target = Path(target)
    if target.suffix.lower() in {".md", ".markdown"} and not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        previous, user_part = split_existing(target) if target.exists() else ({}, None)
        if target.exists() and user_part is None:
            raise UsageError(f"{target} exists and was not written by tui export; choose another file")
        front = {
            "title": "Notes",
            "tags": sorted({tag for notes in collection for tag in notes.tags()}, key=str.casefold),
            "highlights": sum(len(notes.placed) for notes in collection),
            "exported": stamp(),
        }
        write_atomically(
            target, [document(front, render_collection(collection, flavor), previous, user_part).encode()]
        )
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    existing = existing_files(target)
    written: list[Path] = []
    taken: set[Path] = set()
    failed: list[tuple[str, str]] = []
    for notes in collection:
        # One article that cannot be written (a name the file system refuses, a full disk, a
        # folder where its file should be) is reported; the others are still exported.
        try:
            path = _file_for(notes, target, existing, taken)
            taken.add(path)
            previous, user_part = split_existing(path) if path.exists() else ({}, None)
            text = document(_front(notes), render_article(notes, flavor), previous, user_part)
            write_atomically(path, [text.encode("utf-8")])
        except OSError as error:
            failed.append((notes.article_id, error.strerror or str(error)))
            continue
        written.append(path)
    if failed:
        raise PartialExportError(written, failed)
    return written


def markdown_text(
    library: Library,
    store: AnnotationStore,
    article_ids: Iterable[str] | None,
    flavor: Flavor = "obsidian",
    keep: Keep = None,
) -> str:
    """The one-document export as text (for stdout)."""
    collection = collect(library, store, article_ids, keep)
    front = {"title": "Notes", "exported": stamp()}
    return document(front, render_collection(collection, flavor), {}, None)
