"""Which notes an export or a listing takes: by article (id or a unique start), by tag or text.

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.annotations.anchoring import Anchored, anchor_all
from tui.annotations.annotation import Annotation, format_time
from tui.errors import StoreError
from tui.palette import color_meaning

if TYPE_CHECKING:
    from tui.annotations import AnnotationStore
    from tui.library.articles import Article, Library

Keep = Callable[[Annotation], bool] | None  # which notes to export (by tag or text); None: all


@dataclass
class ArticleNotes:
    """An article's notes, anchored in its current text (all orphans when it left the library)."""

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


def refuse_damaged(store: AnnotationStore) -> None:
    """A damaged store reads as fewer notes than it holds: exporting it would wipe earlier exports."""
    if store.problem is not None:
        raise StoreError(f"not exporting: {store.problem}")


def collect(
    library: Library, store: AnnotationStore, article_ids: Iterable[str] | None, keep: Keep = None
) -> list[ArticleNotes]:
    refuse_damaged(store)
    wanted = (
        resolve_article_ids(library, store, article_ids)
        if article_ids is not None
        else list(store.counts_by_article())
    )
    found: list[ArticleNotes] = []
    for article_id in wanted:
        annotations = store.for_article(article_id)
        if keep is not None:
            annotations = [annotation for annotation in annotations if keep(annotation)]
            if not annotations:
                continue
        if article_id in library:
            article = library.get(article_id)
            found.append(ArticleNotes(article_id, article, anchor_all(annotations, article)))
        else:
            # The article left the library: its notes are still exported, all as orphans.
            orphans = [Anchored(annotation, "orphaned", None, None) for annotation in annotations]
            found.append(ArticleNotes(article_id, None, orphans))
    return found


def note_records(
    library: Library, store: AnnotationStore, article_ids: Iterable[str] | None, keep: Keep = None
) -> list[dict[str, Any]]:
    """Every annotation as a plain record, articles in id order, each in text order, orphans last."""
    records = []
    for notes in sorted(collect(library, store, article_ids, keep), key=lambda n: n.article_id):
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
