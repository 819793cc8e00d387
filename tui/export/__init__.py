"""Notes out and in: Markdown for Obsidian and Logseq, W3C Web Annotation JSON-LD for other tools.

Markdown export can be run again and again into the same folder: each file has a part the app
manages (front matter, highlights in text order, orphans under their own heading, every highlight
with a stable block id `^h-xxxxxxxx`) that is rewritten whole from the store, and a part below a
marker line that belongs to the user and is never touched. File names come from titles, made safe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from tui.annotations.anchoring import Anchored, anchor_all
from tui.annotations.annotation import Annotation, format_time, now
from tui.durable import write_atomically
from tui.errors import StoreError, TuiError, UsageError
from tui.palette import color_meaning, color_swatch
from tui.text_safety import UNSAFE_CHARACTERS, printable

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.library.articles import Article, Library
    from tui.stories import Echo, Stories, Story

MARKER = (
    "<!-- tui:end · everything above is rewritten by `tui export`; write your own notes below this line -->"
)
MARKER_KEY = "<!-- tui:end"
ORPHANS_HEADING = "Orphaned highlights"
ARTICLE_URN = "urn:tui:article:"
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TUI_CONTEXT = {"tui": "urn:tui:terms:"}
# Front matter keys the app writes; any other key a user adds is kept on re-export.
MANAGED_KEYS = (
    "title",
    "source",
    "author",
    "published",
    "url",
    "path",
    "article_id",
    "tags",
    "highlights",
    "exported",
    "story_id",
    "versions",
)


class PartialExportError(TuiError):
    """Some articles' notes could not be written; every other article's were."""

    def __init__(self, written: list[Path], failed: list[tuple[str, str]]) -> None:
        reasons = "; ".join(f"{printable(article_id)}: {printable(reason)}" for article_id, reason in failed)
        super().__init__(f"{len(written)} written, {len(failed)} not exported ({reasons})")
        self.written = written
        self.failed = failed


def block_id(annotation: Annotation) -> str:
    return "h-" + annotation.id.replace("-", "")[:8].lower()


# ---------------------------------------------------------------------------------------------
# File names

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|#^\[\]]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def safe_filename(title: str, max_len: int = 120) -> str:
    """A file name (without suffix) from a title: no path separators, no `..`, no control or
    reserved characters, no leading dot, bounded in characters and in UTF-8 bytes."""
    name = unicodedata.normalize("NFC", title)
    # Bidi overrides and invisible format characters (category Cf) would make a name read other than
    # it is (`Invoice \u202egpj.exe.md`): dropped, not replaced, as they take no room on screen.
    name = "".join(c for c in name if unicodedata.category(c) != "Cf")
    name = _UNSAFE.sub(" ", name)
    name = " ".join(name.split())  # tabs, newlines and runs of spaces become one space
    name = name.strip(" .")  # no hidden files, no "..", no trailing dot (Windows drops it)
    name = re.sub(r"\.{2,}", ".", name)
    if _WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    name = name[: max(1, max_len)]
    # 255 bytes minus room for a suffix; a character is at most 4 bytes, so this loop is short.
    while len(name.encode("utf-8")) > 240:
        name = name[: -max(1, (len(name.encode("utf-8")) - 240) // 4)]
    name = name.rstrip(" .")
    return name or "untitled"


# ---------------------------------------------------------------------------------------------
# Markdown

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~=$^%])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s|$)")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape_inline(text: str) -> str:
    """An id, title or path as literal Markdown on one line: a newline in it cannot start a line."""
    return escape_markdown(printable(text))


def escape_markdown(text: str) -> str:
    """Quoted article text as literal Markdown: no emphasis, links, tags, headings, lists, math,
    Obsidian highlights or comments, Logseq properties or macros."""
    lines = []
    # Article text is untrusted: an ESC or BEL in it must not reach a terminal that `cat`s the file.
    for raw in printable(text, multiline=True).split("\n"):
        line = _INLINE_SPECIAL.sub(r"\\\1", raw.strip())
        line = _ENTITY.sub(r"\\&", line)
        line = line.replace("::", r":\:")
        line = _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)
        lines.append(line)
    return "\n".join(lines)


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in escape_markdown(text).split("\n"))


def _safe_note(note: str) -> str:
    # A note must not end the managed part early: the marker is the one line export looks for.
    return printable(note.strip(), multiline=True).replace(MARKER_KEY, "&lt;!-- tui:end")


def _where(item: Anchored, article: Article | None) -> str:
    if item.status == "orphaned" or item.start is None or article is None:
        return "orphaned: passage not found in the current text"
    caption = article.caption_index(item.start)
    place = (
        f"caption {caption + 1}" if caption is not None else f"¶ {article.paragraph_index(item.start) + 1}"
    )
    return place + (" (moved)" if item.status == "moved" else "")


Flavor = Literal["obsidian", "logseq"]
FLAVORS: tuple[Flavor, ...] = ("obsidian", "logseq")


@dataclass
class _Block:
    """One unit of the managed part: a passage (with the annotation it links to) or a heading,
    and what belongs under it. Laid out as paragraphs for Obsidian, as an outline for Logseq."""

    text: str
    annotation_id: str | None = None
    children: list[str] = field(default_factory=list)
    ref: str | None = None  # Obsidian's block id (`^h-…`)


def _layout(blocks: list[_Block], flavor: Flavor) -> str:
    if flavor == "obsidian":
        parts: list[str] = []
        for block in blocks:
            parts.append(block.text)
            if block.ref:
                parts.append(f"^{block.ref}")
            parts += block.children
        return "\n\n".join(parts)
    # Logseq: every block a list item; a passage carries its annotation's UUID as `id::` (what
    # Logseq links blocks by: `((uuid))`), its note and facts are child blocks.
    lines: list[str] = []
    for block in blocks:
        first, *rest = block.text.split("\n")
        lines.append(f"- {first}")
        lines += [f"  {line}" for line in rest]
        if block.annotation_id:
            lines.append(f"  id:: {block.annotation_id}")
        for child in block.children:
            head, *more = child.split("\n")
            lines.append(f"\t- {head}")
            lines += [f"\t  {line}" for line in more]
    return "\n".join(lines)


def render_highlight(item: Anchored, article: Article | None, flavor: Flavor = "obsidian") -> _Block:
    annotation = item.annotation
    quoted = annotation.exact
    if item.start is not None and item.end is not None and article is not None:
        quoted = article.body[item.start : item.end]  # the text as it reads now
    facts = [
        f"{color_swatch(annotation.color)} {annotation.color} — {color_meaning(annotation.color)}".strip(),
        _where(item, article),
        annotation.created.date().isoformat(),
    ]
    if annotation.tags:
        facts.append(" ".join(f"#{tag}" for tag in annotation.tags))
    children = []
    if quoted != annotation.exact:  # the passage was edited since: say what was highlighted
        children.append(f"*Highlighted as:* {' '.join(escape_markdown(annotation.exact).split())}")
    if annotation.note.strip():
        note = _safe_note(annotation.note)
        # In Logseq a line `key:: value` is a property: a note's own `::` stays text.
        children.append(note.replace("::", r":\:") if flavor == "logseq" else note)
    children.append(" · ".join(facts))
    return _Block(_blockquote(quoted), annotation.id, children, ref=block_id(annotation))


def render_highlights(
    placed: list[Anchored], article: Article | None, level: int, flavor: Flavor = "obsidian"
) -> str:
    """Highlights in text order, then the orphans under their own heading."""
    anchored = [item for item in placed if item.status != "orphaned"]
    orphans = [item for item in placed if item.status == "orphaned"]
    blocks = [render_highlight(item, article, flavor) for item in anchored]
    if not anchored:
        blocks.append(_Block("*No highlights in the current text.*"))
    if orphans:
        blocks.append(
            _Block(
                f"{'#' * level} {ORPHANS_HEADING}",
                children=[
                    "*The article changed and these passages were not found again. "
                    "They are kept: re-attach or delete them in tui.*"
                ],
            )
        )
        blocks += [render_highlight(item, article, flavor) for item in orphans]
    return _layout(blocks, flavor)


@dataclass
class _Notes:
    article_id: str
    article: Article | None
    placed: list[Anchored]

    @property
    def title(self) -> str:
        return self.article.title if self.article else self.article_id

    def tags(self) -> list[str]:
        seen: list[str] = []
        for item in self.placed:
            seen += [tag for tag in item.annotation.tags if tag not in seen]
        return seen

    def front(self) -> dict[str, Any]:
        article = self.article
        return {
            "title": self.title,
            "source": article.source if article else None,
            "author": article.author if article else None,
            "published": _published(article.published, article.day_only)
            if article and article.published
            else None,
            "path": str(article.path) if article else None,
            "article_id": self.article_id,
            "tags": self.tags(),
            "highlights": len(self.placed),
            "exported": _stamp(),
        }


class _Timestamp(str):
    """A date or date-time written as a plain YAML timestamp, not a quoted string."""


def _published(moment: datetime, day_only: bool) -> _Timestamp:
    """The date as Obsidian's Date & time property reads it (`2024-06-17T15:43:00`, the source's
    own clock, unquoted), or its Date (`2024-06-17`) when the source gave no time of day."""
    if day_only:
        return _Timestamp(moment.date().isoformat())
    return _Timestamp(moment.replace(tzinfo=None, microsecond=0).isoformat())


def _stamp() -> str:
    return now().strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_article_ids(library: Library, store: AnnotationStore, article_ids: Iterable[str]) -> list[str]:
    """Full article ids for what a user typed: an id, a unique start of one (as `tui list` shows),
    or the id of an article that left the library but still has notes. Unknown: UnknownArticleError."""
    counts = store.counts_by_article()
    resolved: list[str] = []
    for wanted in article_ids:
        full = wanted if wanted in library or wanted in counts else library.get(wanted).id
        if full not in resolved:
            resolved.append(full)
    return resolved


def _refuse_damaged(store: AnnotationStore) -> None:
    """A damaged store reads as fewer notes than it holds: exporting it would wipe earlier exports."""
    if store.problem is not None:
        raise StoreError(f"not exporting: {store.problem}")


Keep = Callable[[Annotation], bool] | None  # which notes to export (by tag or text); None: all


def _collect(
    library: Library, store: AnnotationStore, article_ids: Iterable[str] | None, keep: Keep = None
) -> list[_Notes]:
    _refuse_damaged(store)
    wanted = (
        resolve_article_ids(library, store, article_ids)
        if article_ids is not None
        else list(store.counts_by_article())
    )
    found: list[_Notes] = []
    for article_id in wanted:
        annotations = store.for_article(article_id)
        if keep is not None:
            annotations = [annotation for annotation in annotations if keep(annotation)]
            if not annotations:
                continue
        if article_id in library:
            article = library.get(article_id)
            found.append(_Notes(article_id, article, anchor_all(annotations, article)))
        else:
            # The article left the library: its notes are still exported, all as orphans.
            orphans = [Anchored(annotation, "orphaned", None, None) for annotation in annotations]
            found.append(_Notes(article_id, None, orphans))
    return found


def _yaml(front: dict[str, Any]) -> str:
    import yaml

    class InertDumper(yaml.SafeDumper):
        """YAML that writes a string holding any unsafe character double-quoted, each such
        character as its YAML escape (`\\e`, `\\u202E`): inert in the file, and the value reads
        back exactly, so an `article_id` with a bidi mark still finds its file on re-export."""

        def write_double_quoted(self, text: str, split: bool = True) -> None:
            wide = bool(getattr(self, "allow_unicode", True))  # the emitter's flag is untyped
            setattr(self, "allow_unicode", wide and not _has_unsafe(text))  # noqa: B010
            try:
                super().write_double_quoted(text, split)
            finally:
                setattr(self, "allow_unicode", wide)  # noqa: B010

    def represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        style = '"' if _has_unsafe(text) or "\n" in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    def represent_timestamp(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(text))

    InertDumper.add_representer(str, represent_text)
    InertDumper.add_representer(_Timestamp, represent_timestamp)
    values = {key: value for key, value in front.items() if value is not None}
    return yaml.dump(
        values,
        Dumper=InertDumper,
        sort_keys=False,
        allow_unicode=True,
        # Lists on one line (`tags: [a, b]`): Logseq's parser drops the whole front matter at a
        # block-style list, and Obsidian reads both.
        default_flow_style=None,
        width=10_000,
    )


def _has_unsafe(text: str) -> bool:
    return any(ord(character) in UNSAFE_CHARACTERS for character in text)


def _split_existing(path: Path) -> tuple[dict[str, Any], str | None]:
    """(front matter, the user's part below the marker) of a file we wrote; (_, None) if not ours."""
    import yaml

    try:
        # Bytes, not read_text: universal newlines would turn the user's CRLF into LF.
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}, None
    front: dict[str, Any] = {}
    rest = text
    # An editor on Windows may have saved the file with CRLF: it is still ours.
    match = re.match(r"\A---\r?\n(.*?)\r?\n---\r?\n", text, re.DOTALL)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            loaded = None
        front = loaded if isinstance(loaded, dict) else {}
        rest = text[match.end() :]
    for line_match in re.finditer(r"^.*$", rest, re.MULTILINE):
        if line_match.group(0).startswith(MARKER_KEY):
            return front, rest[line_match.end() + 1 :]
    return front, None


def _document(front: dict[str, Any], body: str, previous: dict[str, Any], user_part: str | None) -> str:
    merged = dict(front)
    merged.update({key: value for key, value in previous.items() if key not in MANAGED_KEYS})
    tail = user_part if user_part is not None else "\n"
    return f"---\n{_yaml(merged)}---\n\n{body.rstrip()}\n\n{MARKER}\n{tail}"


def render_article(notes: _Notes, flavor: Flavor = "obsidian") -> str:
    heading = _layout([_Block(f"# {escape_inline(notes.title)}")], flavor)
    return f"{heading}\n\n{render_highlights(notes.placed, notes.article, 2, flavor)}"


def render_collection(collection: list[_Notes], flavor: Flavor = "obsidian") -> str:
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
        heading = _Block(f"## {escape_inline(notes.title)}", children=[escape_inline(" · ".join(facts))])
        sections.append(
            _layout([heading], flavor) + "\n\n" + render_highlights(notes.placed, article, 3, flavor)
        )
    empty = _layout([_Block("*No highlights.*")], flavor)
    return _layout([_Block("# Notes")], flavor) + "\n\n" + ("\n\n".join(sections) if sections else empty)


def _existing_files(folder: Path, key: str = "article_id") -> dict[str, Path]:
    """article id (or story id) -> the file an earlier export wrote for it, so a renamed title
    keeps its file."""
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*.md")):
        # The folder may be a whole Obsidian vault: read only a file's front matter, however long
        # it is (a title may run to kilobytes), before reading all of the file.
        if not _front_matter_has_key(path, key):
            continue
        front, user_part = _split_existing(path)
        article_id = front.get(key)
        if user_part is not None and isinstance(article_id, str):
            found.setdefault(article_id, path)
    return found


def _front_matter_has_key(path: Path, key: str) -> bool:
    try:
        with path.open("rb") as handle:
            if handle.readline().rstrip(b"\r\n") != b"---":
                return False
            for line in handle:
                if line.startswith(f"{key}:".encode()):
                    return True
                if line.rstrip(b"\r\n") == b"---":
                    return False
    except OSError:
        return False
    return False


def _file_for(notes: _Notes, folder: Path, existing: dict[str, Path], taken: set[Path]) -> Path:
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
    collection = _collect(library, store, article_ids, keep)
    target = Path(target)
    if target.suffix.lower() in {".md", ".markdown"} and not target.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        previous, user_part = _split_existing(target) if target.exists() else ({}, None)
        if target.exists() and user_part is None:
            raise UsageError(f"{target} exists and was not written by tui export; choose another file")
        front = {
            "title": "Notes",
            "tags": sorted({tag for notes in collection for tag in notes.tags()}, key=str.casefold),
            "highlights": sum(len(notes.placed) for notes in collection),
            "exported": _stamp(),
        }
        write_atomically(
            target, [_document(front, render_collection(collection, flavor), previous, user_part).encode()]
        )
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    existing = _existing_files(target)
    written: list[Path] = []
    taken: set[Path] = set()
    failed: list[tuple[str, str]] = []
    for notes in collection:
        # One article that cannot be written (a name the file system refuses, a full disk, a
        # folder where its file should be) is reported; the others are still exported.
        try:
            path = _file_for(notes, target, existing, taken)
            taken.add(path)
            previous, user_part = _split_existing(path) if path.exists() else ({}, None)
            text = _document(notes.front(), render_article(notes, flavor), previous, user_part)
            write_atomically(path, [text.encode("utf-8")])
        except OSError as error:
            failed.append((notes.article_id, error.strerror or str(error)))
            continue
        written.append(path)
    if failed:
        raise PartialExportError(written, failed)
    return written


# ---------------------------------------------------------------------------------------------
# A story: one file for all its versions


def _carried_line(echoes: list[Echo], labels: dict[str, str]) -> str:
    """`verbatim` in …, `reworded` in …, absent from …: how the passage stands in the other versions."""
    parts = []
    for match, words in (
        ("verbatim", "`verbatim` in"),
        ("reworded", "`reworded` in"),
        ("changed", "`changed` (other figures or names) in"),
        ("absent", "absent from"),
    ):
        names = [labels[echo.article_id] for echo in echoes if echo.match == match]
        if names:
            parts.append(f"{words} {', '.join(names)}")
    return "*Other versions:* " + ("; ".join(parts) if parts else "none") + "."


def _code(text: str) -> str:
    """An id as inline code: shown as is (no Markdown escapes inside), on one line, no backtick."""
    return "`" + printable(" ".join(text.split())).replace("`", "'") + "`"


def render_story(
    stories: Stories, story: Story, store: AnnotationStore, flavor: Flavor = "obsidian"
) -> tuple[dict[str, Any], str]:
    """Front matter and body of a story's notes file: every version's notes, each with how its
    passage stands in the other versions, in the versions' time order."""
    library = stories.library
    stories.align(story)
    labels = {
        version.article_id: (f"{escape_inline(version.source)} " if version.source else "")
        + _code(version.article_id)
        for version in story.versions
    }
    blocks = [_Block(f"# {escape_inline(story.title)}")]
    tags: list[str] = []
    count = 0
    for number, version in enumerate(story.versions, 1):
        article = library.get(version.article_id)
        placed = anchor_all(store.for_article(version.article_id), article)
        date = version.published.date().isoformat() if version.published else "undated"
        kind = version.kind or "first version"
        facts = escape_inline(f"{version.source or 'unknown source'} · {date} · {kind}")
        blocks.append(
            _Block(
                f"## {number}. {escape_inline(version.title)}",
                children=[f"{facts} · {_code(version.article_id)}"],
            )
        )
        if not placed:
            blocks.append(_Block("*No highlights on this version.*"))
        for item in placed:
            count += 1
            tags += [tag for tag in item.annotation.tags if tag not in tags]
            block = render_highlight(item, article, flavor)
            if item.start is not None and item.end is not None:
                echoes = stories.echoes(story, item.annotation, item.start, item.end)
                block.children.append(_carried_line(echoes, labels))
            else:
                homes = stories.homes(item.annotation, story)
                if homes:
                    block.children.append(
                        "*Orphaned; its passage is now in* "
                        + ", ".join(
                            f"{labels.get(home.article_id, home.article_id)} (`{home.match}`)"
                            for home in homes
                        )
                        + "."
                    )
            blocks.append(block)
    front = {
        "title": story.title,
        "story_id": story.id,
        "versions": [
            {
                "article_id": version.article_id,
                "title": version.title,
                "source": version.source,
                # With its zone: versions from several sources are compared by time here.
                "published": version.published.isoformat() if version.published else None,
                "kind": version.kind,
                "score": version.score,
            }
            for version in story.versions
        ],
        "tags": tags,
        "highlights": count,
        "exported": _stamp(),
    }
    stories.save()
    return front, _layout(blocks, flavor)


def export_story(
    stories: Stories, store: AnnotationStore, story: Story, target: Path, flavor: Flavor = "obsidian"
) -> Path:
    """Write one story's notes to Markdown; re-export safe like the article export.

    `target` a folder: the file is named from the story's title (an earlier export of the same
    story id is found again, even after a new title); `target` a .md file: that file.
    """
    _refuse_damaged(store)
    front, body = render_story(stories, story, store, flavor)
    target = Path(target)
    if target.suffix.lower() in {".md", ".markdown"} and not target.is_dir():
        path = target
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
        path = _existing_files(target, key="story_id").get(story.id) or _story_file(story, target)
    previous, user_part = _split_existing(path) if path.exists() else ({}, None)
    if path.exists() and user_part is None:
        raise UsageError(f"{path} exists and was not written by tui export; choose another file")
    write_atomically(path, [_document(front, body, previous, user_part).encode("utf-8")])
    return path


def _story_file(story: Story, folder: Path) -> Path:
    for name in (safe_filename(f"{story.title} (story)"), safe_filename(f"{story.title} ({story.id})")):
        path = folder / f"{name}.md"
        if not path.exists():
            return path
    counter = 2
    while (folder / f"{safe_filename(f'{story.title} ({story.id})', 110)} {counter}.md").exists():
        counter += 1
    return folder / f"{safe_filename(f'{story.title} ({story.id})', 110)} {counter}.md"


def story_markdown_text(
    stories: Stories, store: AnnotationStore, story: Story, flavor: Flavor = "obsidian"
) -> str:
    """The story export as text (for stdout)."""
    _refuse_damaged(store)
    front, body = render_story(stories, story, store, flavor)
    return _document(front, body, {}, None)


def markdown_text(
    library: Library,
    store: AnnotationStore,
    article_ids: Iterable[str] | None,
    flavor: Flavor = "obsidian",
    keep: Keep = None,
) -> str:
    """The one-document export as text (for stdout)."""
    collection = _collect(library, store, article_ids, keep)
    front = {"title": "Notes", "exported": _stamp()}
    return _document(front, render_collection(collection, flavor), {}, None)


# ---------------------------------------------------------------------------------------------
# W3C Web Annotation JSON-LD


def to_web_annotation(annotation: Annotation) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "value": annotation.note,
                "format": "text/markdown",
                "purpose": "commenting",
            }
        )
    bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in annotation.tags]
    return {
        "id": f"urn:uuid:{annotation.id}",
        "type": "Annotation",
        "motivation": "commenting" if annotation.note else "highlighting",
        "created": format_time(annotation.created),
        "modified": format_time(annotation.updated),
        "body": bodies,
        "target": {
            "source": ARTICLE_URN + quote(annotation.article_id, safe="/"),
            "styleClass": annotation.color,
            "tui:articleHash": annotation.article_hash,
            "tui:colorMeaning": color_meaning(annotation.color),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.exact,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        },
    }


def export_jsonld(
    store: AnnotationStore, article_ids: Iterable[str] | None = None, keep: Keep = None
) -> dict[str, Any]:
    _refuse_damaged(store)
    wanted = set(article_ids) if article_ids is not None else None
    items = [
        to_web_annotation(annotation)
        for annotation in store.all()
        if (wanted is None or annotation.article_id in wanted) and (keep is None or keep(annotation))
    ]
    return {
        "@context": [W3C_CONTEXT, TUI_CONTEXT],
        "type": "AnnotationCollection",
        "label": "tui annotations",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _is_our_jsonld(path: Path) -> bool:
    """Whether a file is a JSON-LD export of ours (so re-exporting over it loses nothing)."""
    import orjson

    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return (
        isinstance(data, dict)
        and data.get("type") == "AnnotationCollection"
        and data.get("label") == "tui annotations"
        and data.get("@context") == [W3C_CONTEXT, TUI_CONTEXT]
    )


def export_jsonld_file(
    store: AnnotationStore, article_ids: Iterable[str] | None, target: Path, keep: Keep = None
) -> Path:
    """Write the JSON-LD export to a file (a folder gets `annotations.jsonld`); returns the file."""
    import orjson

    target = Path(target)
    if target.is_dir() or not target.suffix:
        target.mkdir(parents=True, exist_ok=True)
        target = target / "annotations.jsonld"
    data = export_jsonld(store, article_ids, keep)
    if target.exists() and not _is_our_jsonld(target):
        raise UsageError(f"{target} exists and was not written by tui export; choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    from tui.text_safety import json_safe

    write_atomically(target, [json_safe(orjson.dumps(data, option=orjson.OPT_INDENT_2)) + b"\n"])
    return target


# ---------------------------------------------------------------------------------------------
# `tui notes`


def note_records(
    library: Library, store: AnnotationStore, article_ids: Iterable[str] | None, keep: Keep = None
) -> list[dict[str, Any]]:
    """Every annotation as a plain record, articles in id order, each in text order, orphans last."""
    records = []
    for notes in sorted(_collect(library, store, article_ids, keep), key=lambda n: n.article_id):
        for item in notes.placed:
            annotation = item.annotation
            paragraph = caption = None
            if notes.article is not None and item.start is not None:
                caption = notes.article.caption_index(item.start)
                if caption is None:
                    paragraph = notes.article.paragraph_index(item.start) + 1
                else:
                    caption += 1
            records.append(
                {
                    "id": annotation.id,
                    "article_id": annotation.article_id,
                    "title": notes.title,
                    "quote": annotation.exact,
                    "current": notes.article.body[item.start : item.end]
                    if notes.article is not None and item.start is not None
                    else None,
                    "note": annotation.note,
                    "color": annotation.color,
                    "color_meaning": color_meaning(annotation.color),
                    "tags": annotation.tags,
                    "status": item.status,
                    "start": item.start,
                    "end": item.end,
                    "paragraph": paragraph,
                    "caption": caption,
                    "created": format_time(annotation.created),
                    "updated": format_time(annotation.updated),
                }
            )
    return records
