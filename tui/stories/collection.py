"""The stories of a library: every group of versions, with stable ids, and what is asked of them.

A story is a connected group of articles that the similarity index calls versions of each other
(`STORY_KINDS`, grouped by `tui.stories.grouping`); related coverage stands beside a story, never in
it, since it would chain whole topics together. Passages come from `tui.stories.alignment`, echoes
and homes of notes from `tui.stories.echoes`, ids from `tui.stories.ids`.

Pure core: no Textual, no Rich. Only the public API of `tui.similarity` is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.similarity.model import STORY_KINDS
from tui.stories.alignment import Alignments
from tui.stories.echoes import echoes_of, homes_of
from tui.stories.grouping import group_versions, page_key, report_order
from tui.stories.ids import STORIES_FILE, assign_ids, read_state, write_state
from tui.stories.model import STORY_ID_PREFIX, Echo, Home, Story, UnknownStoryError, Version

if TYPE_CHECKING:
    from tui.annotations import Annotation, AnnotationStore
    from tui.annotations.anchoring import Anchored
    from tui.library.articles import Article, Library
    from tui.similarity import PairMatch, SimilarityIndex


class Stories:
    """The stories of a library: every group of versions, with stable ids."""

    def __init__(self, stories: list[Story], library: Library, cache_dir: Path | None = None) -> None:
        self.library = library
        self.alignments = Alignments(library, cache_dir)
        self._stories = stories
        self._by_id = {story.id: story for story in stories}
        self._by_article = {version.article_id: story for story in stories for version in story.versions}
        self._by_hash: dict[str, str] = {}

    def __iter__(self) -> Iterator[Story]:
        return iter(self._stories)

    def __len__(self) -> int:
        return len(self._stories)

    @classmethod
    def build(
        cls,
        library: Library,
        index: SimilarityIndex,
        state_dir: Path | None = None,
        cache_dir: Path | None = None,
    ) -> Stories:
        """The stories of a library from its similarity index; ids are kept in `state_dir`."""
        all_pairs = index.pairs()
        story_pairs = [p for p in all_pairs if p.kind in STORY_KINDS and p.a in library and p.b in library]
        related_pairs = [p for p in all_pairs if p.kind == "related"]
        known = read_state(state_dir / STORIES_FILE) if state_dir is not None else {}
        siblings = [p for p in index.pairs(["template"]) if p.a in library and p.b in library]
        groups = _groups(library, story_pairs + siblings)
        ids = assign_ids([[article.content_hash for article in ordered] for ordered in groups], known)
        pairs_by_member: dict[str, list[PairMatch]] = defaultdict(list)
        for pair in story_pairs:
            pairs_by_member[pair.a].append(pair)
        related_by_member: dict[str, list[PairMatch]] = defaultdict(list)
        for pair in related_pairs:
            related_by_member[pair.a].append(pair)
            related_by_member[pair.b].append(pair)
        stories = [
            _story(story_id, ordered, pairs_by_member, related_by_member)
            for story_id, ordered in zip(ids, groups, strict=True)
        ]
        result = cls(stories, library, cache_dir)
        remembered = dict(known)
        for story in stories:
            for version in story.versions:
                remembered[version.content_hash] = story.id
        result._by_hash = remembered
        if state_dir is not None and remembered != known:
            write_state(state_dir / STORIES_FILE, remembered)
        return result

    # -- looking up ------------------------------------------------------------------------------

    def of(self, article_id: str) -> Story | None:
        """The story an article is a version of, or None when it has no other version."""
        return self._by_article.get(article_id)

    def by_hash(self, content_hash: str) -> Story | None:
        """The story a (possibly since removed or changed) text belonged to."""
        story_id = self._by_hash.get(content_hash)
        return self._by_id.get(story_id) if story_id else None

    def get(self, wanted: str) -> Story:
        """A story by its id (or a unique start of it), or the story of an article (id or prefix).

        An article with no other version is a story of one version.
        """
        wanted = wanted.strip()
        if wanted in self._by_id:
            return self._by_id[wanted]
        if wanted.startswith(STORY_ID_PREFIX):
            starting = [story for story_id, story in self._by_id.items() if story_id.startswith(wanted)]
            if len(starting) == 1:
                return starting[0]
            raise UnknownStoryError(wanted)
        if not wanted:
            raise UnknownStoryError(wanted)
        article = self.library.get(wanted)  # unknown or ambiguous article ids say so
        return self.of(article.id) or self.single(article)

    def single(self, article: Article) -> Story:
        story_id = self._by_hash.get(article.content_hash) or STORY_ID_PREFIX + article.content_hash[:10]
        return Story(
            id=story_id,
            title=article.title,
            versions=[_version_of(article, article, set(), [])],
            related=[],
            pairs=[],
        )

    # -- passages, echoes and homes --------------------------------------------------------------

    def align(self, story: Story) -> Story:
        """Fill in the story's passages (sentence alignment of its versions), cached by content hash."""
        return self.alignments.align(story)

    def save(self) -> None:
        """Write alignments computed since the last save to the cache (best effort)."""
        self.alignments.save()

    def echoes(
        self,
        story: Story,
        annotation: Annotation,
        start: int,
        end: int,
        targets: Iterable[str] | None = None,
    ) -> list[Echo]:
        """Where an annotation placed at [start, end) of its version stands in every other version
        (or in `targets` only)."""
        return echoes_of(self.alignments, story, annotation, start, end, targets)

    def echoes_on(self, article_id: str, store: AnnotationStore) -> list[Echo]:
        """Every other version's annotations as they fall on this article, placed ones in text order."""
        from tui.annotations.anchoring import anchor_all

        story = self.of(article_id)
        if story is None:
            return []
        # An echo already adopted here is this article's own note now; and a note adopted from
        # this article must not echo back onto its original.
        own = store.for_article(article_id)
        adopted = {annotation.linked_to for annotation in own if annotation.linked_to}
        own_ids = {annotation.id for annotation in own}
        found: list[Echo] = []
        for version_id in story.version_ids:
            if version_id == article_id:
                continue
            version = self.library.get(version_id)
            for placed in anchor_all(store.for_article(version_id), version):
                if placed.start is None or placed.end is None:
                    continue
                if placed.annotation.id in adopted or placed.annotation.linked_to in own_ids:
                    continue
                for echo in self.echoes(story, placed.annotation, placed.start, placed.end, [article_id]):
                    if echo.article_id == article_id:
                        found.append(echo)
        found.sort(key=lambda e: (e.start is None, e.start or 0, e.end or 0))
        self.save()
        return found

    def homes(self, annotation: Annotation, story: Story | None = None) -> list[Home]:
        """Candidate homes for an orphaned annotation, newest first (see `echoes.homes_of`)."""
        story = story or self.of(annotation.article_id) or self.by_hash(annotation.article_hash)
        return homes_of(self.alignments, annotation, story)

    def orphans(self, story: Story, store: AnnotationStore) -> list[tuple[Anchored, list[Home]]]:
        """The story's orphaned annotations (on a version, or on an article since removed), with homes."""
        from tui.annotations.anchoring import anchor_all

        found: list[tuple[Anchored, list[Home]]] = []
        for version_id in story.version_ids:
            for placed in anchor_all(store.for_article(version_id), self.library.get(version_id)):
                if placed.orphaned:
                    found.append((placed, self.homes(placed.annotation, story)))
        for placed in self.orphans_of_removed(story, store):
            found.append((placed, self.homes(placed.annotation, story)))
        return found

    def orphans_of_removed(self, story: Story, store: AnnotationStore) -> list[Anchored]:
        """The annotations of the story's versions since removed from the library: all orphaned."""
        from tui.annotations.anchoring import Anchored

        members = set(story.version_ids)
        return [
            Anchored(annotation, "orphaned", None, None)
            for annotation in store.all()
            if annotation.article_id not in members
            and annotation.article_id not in self.library
            and self._by_hash.get(annotation.article_hash) == story.id
        ]


def _groups(library: Library, pairs: Sequence[PairMatch]) -> list[list[Article]]:
    """The library's groups of versions (`pairs`: story pairs and siblings), each earliest first."""
    pages = {a.id: key for a in library if (key := page_key(a.url)) is not None}
    return sorted(
        (
            [library.get(member) for member in group]
            for group in group_versions(pairs, lambda m: report_order(library.get(m)), pages)
        ),
        key=lambda ordered: report_order(ordered[0]),
    )


def _story(
    story_id: str,
    ordered: list[Article],
    pairs_by_member: dict[str, list[PairMatch]],
    related_by_member: dict[str, list[PairMatch]],
) -> Story:
    """One group of versions as a story: its pairs within, each version's match, related articles."""
    members = {article.id for article in ordered}
    within = sorted(
        (p for member in members for p in pairs_by_member.get(member, ()) if p.b in members),
        key=lambda p: (-p.score, p.a, p.b),
    )
    touching: dict[str, list[PairMatch]] = defaultdict(list)
    for pair in within:
        touching[pair.a].append(pair)
        touching[pair.b].append(pair)
    versions: list[Version] = []
    earlier: set[str] = set()
    for article in ordered:
        versions.append(_version_of(article, ordered[0], earlier, touching[article.id]))
        earlier.add(article.id)
    related_scores: dict[str, float] = {}
    for member in members:
        for pair in related_by_member.get(member, ()):
            other = pair.b if pair.a == member else pair.a
            if other not in members:
                related_scores[other] = max(related_scores.get(other, 0.0), pair.score)
    related = sorted(related_scores, key=lambda other: (-related_scores[other], other))
    return Story(id=story_id, title=_story_title(ordered), versions=versions, related=related, pairs=within)


def _story_title(ordered: Sequence[Article]) -> str:
    dated = [article for article in ordered if article.published is not None]
    if dated:
        return dated[0].title
    return max(ordered, key=lambda article: (article.words, -ordered.index(article))).title


def _version_of(article: Article, first: Article, earlier: set[str], touching: list[PairMatch]) -> Version:
    """`touching`: the story's pairs that hold this article, best first."""
    kind: str | None = None
    score: float | None = None
    reason = ""
    if article.id != first.id:
        with_first = [p for p in touching if first.id in (p.a, p.b)]
        with_earlier = [p for p in touching if (p.b if p.a == article.id else p.a) in earlier]
        chosen = (with_first or with_earlier or touching)[0] if touching else None
        if chosen is not None:
            kind, score, reason = chosen.kind, chosen.score, chosen.reason
    return Version(
        article_id=article.id,
        title=article.title,
        source=article.source,
        published=article.published,
        kind=kind,
        score=score,
        reason=reason,
        words=article.words,
        content_hash=article.content_hash,
    )


def carry_over(stories: Stories, store: AnnotationStore) -> list[tuple[Annotation, Home]]:
    """Move every orphan whose passage stands verbatim in a copy or update of its story (the one
    move made without asking); reworded homes wait for the user. Returns what moved, and where."""
    moved: list[tuple[Annotation, Home]] = []
    if store.read_only:
        return moved
    for story in stories:
        for placed, homes in stories.orphans(story, store):
            home = next((home for home in homes if home.carry), None)
            if home is not None:
                article = stories.library.get(home.article_id)
                moved.append((store.move(placed.annotation.id, article, home.start, home.end), home))
    return moved
