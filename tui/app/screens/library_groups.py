"""The Library's grouping by story: one row per story (its versions under it when expanded)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from tui.library.articles import Article
    from tui.stories import Stories, Story


@dataclass(frozen=True, slots=True)
class GroupRow:
    story: Story
    head: bool  # the story's row; else one of its versions, shown under it when expanded
    expanded: bool


def group_by_story(
    articles: list[Article], stories: Stories, expanded: set[str]
) -> tuple[list[Article], dict[str, GroupRow]]:
    """The shown articles with each story's versions folded under its first shown version.

    The order of `articles` (the sort, the filter) is kept: a story stands where its first shown
    version stands; an expanded story's other shown versions follow it in time order.
    """
    shown = {article.id: article for article in articles}
    rows: list[Article] = []
    groups: dict[str, GroupRow] = {}
    seen: set[str] = set()
    for article in articles:
        story = stories.of(article.id)
        if story is None or len(story.versions) < 2:
            rows.append(article)
            continue
        if story.id in seen:
            continue
        seen.add(story.id)
        is_open = story.id in expanded
        rows.append(article)
        groups[article.id] = GroupRow(story, head=True, expanded=is_open)
        if is_open:
            for version_id in story.version_ids:
                if version_id != article.id and version_id in shown:
                    rows.append(shown[version_id])
                    groups[version_id] = GroupRow(story, head=False, expanded=True)
    return rows, groups


def group_title(row: GroupRow, title: Text) -> Text:
    """The title cell: a fold mark and the version count on a story's row, an indent under it."""
    if not row.head:
        return Text("  └ ") + title
    versions = len(row.story.versions)
    cell = Text("▾ " if row.expanded else "▸ ", style="bold") + title
    cell.append(f"  ({versions} versions)", style="italic")
    return cell


def group_notes(row: GroupRow, counts: dict[str, int], own: int) -> int:
    """A folded story's row counts the notes of all its versions."""
    if row.head and not row.expanded:
        return sum(counts.get(article_id, 0) for article_id in row.story.version_ids)
    return own
