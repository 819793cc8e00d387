"""The Markdown that notes are written in, for Obsidian and Logseq: escaping, blocks, front matter.

A file has a part the app manages (front matter, highlights, every highlight with a stable block id
`^h-xxxxxxxx`) that is rewritten whole, and a part below a marker line that belongs to the user and
is never touched. File names come from titles, made safe. Both the notes of articles
(`tui.export.notes`) and of a story (`tui.export.story`) are written with what is here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tui.annotations.annotation import now
from tui.palette import color_meaning, color_swatch
from tui.text_safety import UNSAFE_CHARACTERS, printable

if TYPE_CHECKING:
    from tui.annotations.anchoring import Anchored
    from tui.annotations.annotation import Annotation
    from tui.library.articles import Article

MARKER = (
    "<!-- tui:end · everything above is rewritten by `tui export`; write your own notes below this line -->"
)
MARKER_KEY = "<!-- tui:end"
ORPHANS_HEADING = "Orphaned highlights"
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
class Block:
    """One unit of the managed part: a passage (with the annotation it links to) or a heading,
    and what belongs under it. Laid out as paragraphs for Obsidian, as an outline for Logseq."""

    text: str
    annotation_id: str | None = None
    children: list[str] = field(default_factory=list)
    ref: str | None = None  # Obsidian's block id (`^h-…`)


def layout(blocks: list[Block], flavor: Flavor) -> str:
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


def render_highlight(item: Anchored, article: Article | None, flavor: Flavor = "obsidian") -> Block:
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
    return Block(_blockquote(quoted), annotation.id, children, ref=block_id(annotation))


def render_highlights(
    placed: list[Anchored], article: Article | None, level: int, flavor: Flavor = "obsidian"
) -> str:
    """Highlights in text order, then the orphans under their own heading."""
    anchored = [item for item in placed if item.status != "orphaned"]
    orphans = [item for item in placed if item.status == "orphaned"]
    blocks = [render_highlight(item, article, flavor) for item in anchored]
    if not anchored:
        blocks.append(Block("*No highlights in the current text.*"))
    if orphans:
        blocks.append(
            Block(
                f"{'#' * level} {ORPHANS_HEADING}",
                children=[
                    "*The article changed and these passages were not found again. "
                    "They are kept: re-attach or delete them in tui.*"
                ],
            )
        )
        blocks += [render_highlight(item, article, flavor) for item in orphans]
    return layout(blocks, flavor)


class _Timestamp(str):
    """A date or date-time written as a plain YAML timestamp, not a quoted string."""


def front_matter_date(moment: datetime, day_only: bool) -> _Timestamp:
    """The date as Obsidian's Date & time property reads it (`2024-06-17T15:43:00`, the source's
    own clock, unquoted), or its Date (`2024-06-17`) when the source gave no time of day."""
    if day_only:
        return _Timestamp(moment.date().isoformat())
    return _Timestamp(moment.replace(tzinfo=None, microsecond=0).isoformat())


def stamp() -> str:
    return now().strftime("%Y-%m-%dT%H:%M:%SZ")


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


def split_existing(path: Path) -> tuple[dict[str, Any], str | None]:
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


def document(front: dict[str, Any], body: str, previous: dict[str, Any], user_part: str | None) -> str:
    merged = dict(front)
    merged.update({key: value for key, value in previous.items() if key not in MANAGED_KEYS})
    tail = user_part if user_part is not None else "\n"
    return f"---\n{_yaml(merged)}---\n\n{body.rstrip()}\n\n{MARKER}\n{tail}"


def existing_files(folder: Path, key: str = "article_id") -> dict[str, Path]:
    """article id (or story id) -> the file an earlier export wrote for it, so a renamed title
    keeps its file."""
    found: dict[str, Path] = {}
    for path in sorted(folder.glob("*.md")):
        # The folder may be a whole Obsidian vault: read only a file's front matter, however long
        # it is (a title may run to kilobytes), before reading all of the file.
        if not _front_matter_has_key(path, key):
            continue
        front, user_part = split_existing(path)
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
