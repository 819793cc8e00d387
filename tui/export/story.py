"""A story's notes as one Markdown file: every version's notes, each with how its passage stands
in the other versions, in the versions' time order.

Reads the story model (`tui.stories.views.StoryView`, aligned, with echoes and homes) as it is: an
export aligns nothing itself. Re-export safe like the notes of articles (`tui.export.markdown`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.durable import write_atomically
from tui.errors import UsageError
from tui.export.markdown import (
    Block,
    Flavor,
    document,
    escape_inline,
    existing_files,
    layout,
    render_highlight,
    safe_filename,
    split_existing,
    stamp,
)
from tui.export.selection import refuse_damaged
from tui.text_safety import printable

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.library.articles import Library
    from tui.stories import Echo, Story
    from tui.stories.views import StoryView


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
    view: StoryView, library: Library, flavor: Flavor = "obsidian"
) -> tuple[dict[str, Any], str]:
    """Front matter and body of a story's notes file: every version's notes, each with how its
    passage stands in the other versions, in the versions' time order."""
    story = view.story
    labels = {
        version.article_id: (f"{escape_inline(version.source)} " if version.source else "")
        + _code(version.article_id)
        for version in story.versions
    }
    blocks = [Block(f"# {escape_inline(story.title)}")]
    tags: list[str] = []
    count = 0
    for number, version in enumerate(story.versions, 1):
        article = library.get(version.article_id)
        notes = view.notes_on(version.article_id)
        date = version.published.date().isoformat() if version.published else "undated"
        kind = version.kind or "first version"
        facts = escape_inline(f"{version.source or 'unknown source'} · {date} · {kind}")
        blocks.append(
            Block(
                f"## {number}. {escape_inline(version.title)}",
                children=[f"{facts} · {_code(version.article_id)}"],
            )
        )
        if not notes:
            blocks.append(Block("*No highlights on this version.*"))
        for note in notes:
            count += 1
            tags += [tag for tag in note.placed.annotation.tags if tag not in tags]
            block = render_highlight(note.placed, article, flavor)
            if note.in_place:
                block.children.append(_carried_line(list(note.echoes), labels))
            elif note.homes:
                block.children.append(
                    "*Orphaned; its passage is now in* "
                    + ", ".join(
                        f"{labels.get(home.article_id, home.article_id)} (`{home.match}`)"
                        for home in note.homes
                    )
                    + "."
                )
            blocks.append(block)
    return _front(story, tags, count), layout(blocks, flavor)


def _front(story: Story, tags: list[str], count: int) -> dict[str, Any]:
    return {
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
        "exported": stamp(),
    }


def export_story(
    view: StoryView, library: Library, store: AnnotationStore, target: Path, flavor: Flavor = "obsidian"
) -> Path:
    """Write one story's notes to Markdown; re-export safe like the article export.

    `target` a folder: the file is named from the story's title (an earlier export of the same
    story id is found again, even after a new title); `target` a .md file: that file.
    """
    refuse_damaged(store)
    story = view.story
    front, body = render_story(view, library, flavor)
    target = Path(target)
    if target.suffix.lower() in {".md", ".markdown"} and not target.is_dir():
        path = target
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
        path = existing_files(target, key="story_id").get(story.id) or _story_file(story, target)
    previous, user_part = split_existing(path) if path.exists() else ({}, None)
    if path.exists() and user_part is None:
        raise UsageError(f"{path} exists and was not written by tui export; choose another file")
    write_atomically(path, [document(front, body, previous, user_part).encode("utf-8")])
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
    view: StoryView, library: Library, store: AnnotationStore, flavor: Flavor = "obsidian"
) -> str:
    """The story export as text (for stdout)."""
    refuse_damaged(store)
    front, body = render_story(view, library, flavor)
    return document(front, body, {}, None)
