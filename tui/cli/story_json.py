"""`tui story` and `tui stories`: the story model (`tui.stories.views`) as JSON, and as text.

JSON is made here, at the CLI's edge, and nowhere else: the screens and the export read the typed
model. Making JSON writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tui.stories.model import Echo, Home, Version
from tui.stories.views import StoryNote, StoryView, story_view
from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.stories import Stories, Story


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def version_json(version: Version) -> dict[str, Any]:
    return {
        "id": version.article_id,
        "title": version.title,
        "source": version.source,
        "published": _iso(version.published),
        "kind": version.kind,
        "score": version.score,
    }


def echo_json(echo: Echo | Home) -> dict[str, Any]:
    """Where a note's passage stands in a version, and how it matches there (with the change, if any)."""
    found: dict[str, Any] = {
        "article_id": echo.article_id,
        "start": echo.start,
        "end": echo.end,
        "text": echo.text,
        "match": echo.match,
    }
    if isinstance(echo, Echo) and echo.change:
        found["change"] = echo.change
    return found


def home_json(home: Home) -> dict[str, Any]:
    return {**echo_json(home), "carry": home.carry}


def note_json(note: StoryNote) -> dict[str, Any]:
    """A note of the story: where it is, and its echoes when placed, else its homes."""
    annotation = note.placed.annotation
    row: dict[str, Any] = {
        "id": annotation.id,
        "article_id": annotation.article_id,
        "quote": annotation.exact,
        "note": annotation.note,
        "color": annotation.color,
        "status": note.placed.status,
        "start": note.placed.start,
        "end": note.placed.end,
        "echoes": [echo_json(echo) for echo in note.echoes],
    }
    if not note.in_place:
        row["homes"] = [home_json(home) for home in note.homes]
    return row


def view_json(view: StoryView) -> dict[str, Any]:
    """`tui story ID --json`: versions, passages, and every annotation with its echoes (or homes)."""
    story = view.story
    return {
        "id": story.id,
        "title": story.title,
        "versions": [version_json(v) for v in story.versions],
        "related": list(story.related),
        "passages": [
            {
                "spans": {
                    article_id: (
                        {"start": span.start, "end": span.end}
                        if (span := passage.spans.get(article_id)) is not None
                        else None
                    )
                    for article_id in story.version_ids
                },
                "figures": passage.figures,
            }
            for passage in story.passages
        ],
        "annotations": [note_json(note) for note in view.notes],
    }


def story_json(stories: Stories, story: Story, store: AnnotationStore) -> dict[str, Any]:
    """The story's view (aligned, with its notes) as `tui story ID --json` prints it."""
    return view_json(story_view(stories, story, store))


def stories_json(stories: Stories, counts: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "id": story.id,
            "title": story.title,
            "versions": len(story.versions),
            "notes": sum(counts.get(article_id, 0) for article_id in story.version_ids),
            "articles": story.version_ids,
        }
        for story in stories
    ]


def story_text(view: StoryView, width: int = 100) -> str:
    """`tui story ID` without --json: the versions, then each note with where it echoes."""

    def cut(text: str, room: int) -> str:
        text = printable(" ".join(text.split()))
        room = max(8, room)
        return text if len(text) <= room else text[: room - 1] + "…"

    story = view.story
    lines = [f"{story.id}  {cut(story.title, width - 16)}", counted(len(story.versions), "version")]
    for number, version in enumerate(story.versions, 1):
        date = version.published.isoformat()[:10] if version.published else "undated"
        kind = version.kind or "first"
        score = f"{version.score:.2f}" if version.score is not None else ""
        source = cut(version.source or "", 20)
        lines.append(
            f"  {number}. {printable(version.article_id)}  {date}  {kind} {score}  {source}".rstrip()
        )
        lines.append(f"     {cut(version.title, width - 5)}")
    if story.related:
        lines.append("related: " + ", ".join(printable(article_id) for article_id in story.related))
    lines.append(counted(len(story.passages), "passage"))
    lines.append(counted(len(view.notes), "note") if view.notes else "no notes")
    for note in view.notes:
        lines += _note_lines(note, cut, width)
    return "\n".join(lines) + "\n"


def _note_lines(note: StoryNote, cut: Callable[[str, int], str], width: int) -> list[str]:
    """A note in `tui story`'s text: where it is, its quote and note, its echoes or its homes."""
    annotation = note.placed.annotation
    lines = [
        f"  {annotation.id[:8]} on {printable(annotation.article_id)} ({note.placed.status})",
        f"      quote: {cut(annotation.exact, width - 13)}",
    ]
    if annotation.note.strip():
        lines.append(f"      note: {cut(annotation.note, width - 12)}")
    for echo in note.echoes:
        where = f": {cut(echo.text, width - 40)}" if echo.start is not None else ""
        lines.append(f"      {echo.match} in {printable(echo.article_id)}{where}")
    for home in note.homes:
        carry = " (carried over at once: verbatim)" if home.carry else " (moves on your say)"
        lines.append(f"      home, {home.match}, in {printable(home.article_id)}{carry}")
        lines.append(f"        {cut(home.text, width - 8)}")
    return lines
