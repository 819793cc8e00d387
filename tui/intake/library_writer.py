"""New articles as Markdown files: YAML front matter, then the article, never over another file.

The front matter holds what the library loader reads (`title`, `source`, `author`, `date`) and
where the article came from (`url`, `added`, `tags`). File names come from the source and the
title through the export's sanitiser; an existing name gets ` 2`, ` 3`… and the file is put in
place by the store's durable writer only if its name is still free, so nothing is overwritten
and nothing partial is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.durable import write_atomically
from tui.export.markdown import safe_filename
from tui.text_safety import without_controls

NAME_MAX_CHARS = 100
MAX_ATTEMPTS = 1000


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article to write: its metadata and its Markdown body (no title line)."""

    title: str
    body: str
    source: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None  # the canonical URL (on the site it was fetched from), else the fetched one
    fetched: str | None = None  # where it was fetched from, when that is not `url`
    added: datetime | None = None
    tags: list[str] = field(default_factory=list)


def _yaml_front(record: ArticleRecord) -> str:
    import yaml

    fields: dict[str, object] = {"title": without_controls(record.title)}
    for key, value in (
        ("source", record.source),
        ("author", record.author),
        ("date", record.date),
        ("url", record.url),
        ("fetched", record.fetched),
    ):
        if value:
            fields[key] = " ".join(without_controls(value).split())
    if record.added is not None:
        fields["added"] = record.added.isoformat(timespec="seconds")
    fields["tags"] = [without_controls(tag) for tag in record.tags]
    # Every value a plain string or list of strings: the loader reads them as text, never as YAML dates.
    text = yaml.safe_dump(
        fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    return f"---\n{text}---\n"


def markdown_document(record: ArticleRecord) -> str:
    """The file's text. NUL and other control characters never reach it (a NUL would make the
    library read the file as binary); tab and newline are layout and stay."""
    body = without_controls(record.body).strip("\n")
    return f"{_yaml_front(record)}\n{body}\n"


def file_stem(record: ArticleRecord) -> str:
    """`Source - Title`, sanitised, bounded."""
    title = record.title or "untitled"
    stem = f"{record.source} - {title}" if record.source else title
    return safe_filename(stem, max_len=NAME_MAX_CHARS)


def write_new_article(folder: Path, record: ArticleRecord) -> Path:
    """Write `record` as a new `.md` file in `folder`; returns its path. Never replaces a file."""
    folder.mkdir(parents=True, exist_ok=True)
    data = markdown_document(record).encode("utf-8")
    stem = file_stem(record)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        name = stem if attempt == 1 else f"{stem} {attempt}"
        path = folder / f"{name}.md"
        # Any article file of that name (`.txt`, `.markdown`…) would share its id: skip it too.
        if any(path.with_suffix(suffix).exists() for suffix in (".md", ".txt", ".text", ".markdown")):
            continue
        try:
            write_atomically(path, [data], overwrite=False)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free file name for {stem!r} in {folder}")
