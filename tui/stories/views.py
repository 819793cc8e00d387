"""What a screen or an export shows of a story: the story aligned, and every note with where it
stands in the other versions (its echoes) or, orphaned, where it could live again (its homes).

Built once by `story_view`; the story screen, the story export and `tui story` (through
`tui.cli.story_json`) all read it. Building it aligns the story but writes nothing: whoever wants
the alignments kept calls `Stories.save` after.

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.stories.model import Echo, Home, Story

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.annotations.anchoring import Anchored
    from tui.stories.collection import Stories


@dataclass(slots=True, frozen=True)
class StoryNote:
    """One note of a story: anchored in its version, with its echoes when placed, else its homes."""

    placed: Anchored
    echoes: tuple[Echo, ...] = ()
    homes: tuple[Home, ...] = ()

    @property
    def in_place(self) -> bool:
        """Placed in its version's text (echoes apply); else orphaned (homes apply)."""
        return self.placed.start is not None and self.placed.end is not None


@dataclass(slots=True, frozen=True)
class StoryView:
    """A story with its passages, and its notes: each version's in time order, then the orphans of
    versions since removed from the library."""

    story: Story
    notes: tuple[StoryNote, ...]

    def notes_on(self, article_id: str) -> list[StoryNote]:
        return [note for note in self.notes if note.placed.annotation.article_id == article_id]


def story_view(stories: Stories, story: Story, store: AnnotationStore) -> StoryView:
    """The story aligned, with every note of its versions (and of its removed versions)."""
    from tui.annotations.anchoring import anchor_all

    stories.align(story)
    notes: list[StoryNote] = []
    for version_id in story.version_ids:
        for placed in anchor_all(store.for_article(version_id), stories.library.get(version_id)):
            if placed.start is not None and placed.end is not None:
                echoes = stories.echoes(story, placed.annotation, placed.start, placed.end)
                notes.append(StoryNote(placed, echoes=tuple(echoes)))
            else:
                notes.append(StoryNote(placed, homes=tuple(stories.homes(placed.annotation, story))))
    for placed in stories.orphans_of_removed(story, store):
        notes.append(StoryNote(placed, homes=tuple(stories.homes(placed.annotation, story))))
    return StoryView(story, tuple(notes))
