"""Stories: the versions of one news story, the passages they share, and notes that follow them.

A story is a connected group of articles that the similarity index calls versions of each other
(`STORY_KINDS`); related coverage stands beside a story, never in it, since it would chain whole
topics together. Passages are sets of sentences aligned across the versions (by
`similarity.compare`), for the story screen's matrix. A highlight on one version is shown on every
other version that carries its passage ("echoes", from the alignment of the two versions), and a
note orphaned by an edit can be offered a new home in the newest version that still carries it.

Story ids are stable: a story takes the id its members had before (kept in `stories.json` in the
state folder, by content hash), so adding a version keeps the id; a new story's id comes from its
earliest version's content hash. Alignments are cached by the content hashes of both sides.

Pure core: no Textual, no Rich. Only the public API of `tui.similarity` is used.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tui.errors import UsageError
from tui.library.articles import Span
from tui.similarity.facts import fact_change
from tui.stories.grouping import STORY_KINDS, group_versions, page_key, report_order
from tui.wording import counted

if TYPE_CHECKING:
    from tui.annotations import Annotation, AnnotationStore
    from tui.annotations.anchoring import Anchored
    from tui.library.articles import Article, Library
    from tui.similarity import PairMatch, SimilarityIndex

# Kinds whose verbatim passages are the same text edited, not retold: an orphaned note whose quote
# is found verbatim in such a version (or verbatim with its context) is carried over at once;
# anywhere else the user decides.
CARRY_KINDS: frozenset[str] = frozenset({"duplicate", "near-duplicate", "update"})
STORIES_FILE = "stories.json"
STORY_ID_PREFIX = "s-"
_STATE_VERSION = 1
# Bump when passages are computed differently; tied to the article and index versions too, since
# sentence numbers come from segmentation.
ALIGNMENT_VERSION = 4
# Up to this many versions every pair is aligned; beyond it, a maximum spanning tree of the pairs
# the index reported (the closest pairs that connect every version: one alignment per version).
ALL_PAIRS_UP_TO = 6
# Alignment links every sentence to its best partner in both directions, so a sentence deleted
# from a copy still links, weakly, to a neighbour that has a far better partner of its own. A link
# is kept for passages and echoes only when it reaches this share of the best link of each of its
# two sentences. Measured (bench/stories.py): such wrong links scored 0.26-0.46 beside a verbatim
# partner; in the seed rewrite a sentence restating two keeps both links, at 0.27 beside 0.54.
CLEAR_LINK_SHARE = 0.5
# An orphan's home in its own article's new text (a re-fetched page) must hold this share of the
# quote's words (of 4 letters or more): a reworded sentence keeps its names and facts (0.62 for a
# seed sentence rewritten by hand), a neighbour of a deleted sentence shares a few (0.23 in the seeds).
OWN_HOME_WORDS = 0.5
# A quote this long found verbatim is that passage even where alignment did not link it.
SPECIFIC_QUOTE_CHARS = 24

EchoMatch = Literal["verbatim", "reworded", "changed", "absent"]


class UnknownStoryError(UsageError):
    def __init__(self, wanted: str) -> None:
        super().__init__(f"no story or article with id {wanted!r} (see `tui stories`)")


@dataclass(slots=True)
class Version:
    """One article of a story; `kind` and `score` say how it matches the story's first version
    (or the closest earlier one); both are None for the first version itself."""

    article_id: str
    title: str
    source: str | None
    published: datetime | None
    kind: str | None
    score: float | None
    reason: str
    words: int
    content_hash: str


@dataclass(slots=True)
class Passage:
    """Sentences aligned across versions: the span of each version that carries it, in time order
    (`spans.get(article_id)` is None for a version without it)."""

    spans: dict[str, Span | None]
    # The figures (numbers) of each carrying version, when they do not all agree.
    figures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def figures_changed(self) -> bool:
        return bool(self.figures)

    def carriers(self) -> list[str]:
        return [article_id for article_id, span in self.spans.items() if span is not None]


@dataclass(slots=True)
class Story:
    id: str
    title: str
    versions: list[Version]  # in time order: dated first, oldest first; undated after, fullest first
    related: list[str]
    pairs: list[PairMatch]
    passages: list[Passage] = field(default_factory=list)
    aligned: bool = False

    @property
    def version_ids(self) -> list[str]:
        return [version.article_id for version in self.versions]

    def version(self, article_id: str) -> Version:
        for version in self.versions:
            if version.article_id == article_id:
                return version
        raise KeyError(article_id)

    def __contains__(self, article_id: object) -> bool:
        return any(version.article_id == article_id for version in self.versions)

    def newest_first(self) -> list[str]:
        """Version ids, newest first: dated ones by date, then undated ones."""
        dated = [v for v in self.versions if v.published is not None]
        undated = [v for v in self.versions if v.published is None]
        return [v.article_id for v in reversed(dated)] + [v.article_id for v in undated]


@dataclass(slots=True)
class Echo:
    """Where an annotation of one version stands in another version of its story."""

    annotation_id: str
    source_id: str  # the version the annotation was made on
    article_id: str  # the version this echo falls on
    start: int | None
    end: int | None
    text: str
    match: EchoMatch
    note: str = ""
    color: str = "yellow"
    # For a `changed` echo: the quote's facts that this version gives otherwise ("6-3/8 pct → 6-1/16 pct").
    change: str = ""

    @property
    def placed(self) -> bool:
        return self.start is not None


@dataclass(slots=True)
class Home:
    """A place in another version where an orphaned note can live again."""

    article_id: str
    start: int
    end: int
    text: str
    match: EchoMatch  # verbatim or reworded
    carry: bool  # verbatim in a copy or update: carried over at once, without asking


# --------------------------------------------------------------------------- building stories


def _new_id(content_hash: str, taken: set[str]) -> str:
    length = 10
    while True:
        candidate = STORY_ID_PREFIX + content_hash[:length]
        if candidate not in taken or length >= len(content_hash):
            return candidate
        length += 2


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


class Stories:
    """The stories of a library: every group of versions, with stable ids."""

    def __init__(self, stories: list[Story], library: Library, cache_dir: Path | None = None) -> None:
        self.library = library
        self.cache_dir = cache_dir
        self._stories = stories
        self._by_id = {story.id: story for story in stories}
        self._by_article = {version.article_id: story for story in stories for version in story.versions}
        self._by_hash: dict[str, str] = {}
        self._alignments: dict[str, list[list[float]]] | None = None
        self._alignments_dirty = False
        # The app aligns from worker threads (two Compare panes at once): one at a time.
        self._lock = threading.RLock()

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
        known = _read_state(state_dir / STORIES_FILE) if state_dir is not None else {}

        siblings = [p for p in index.pairs(["template"]) if p.a in library and p.b in library]
        pages = {a.id: key for a in library if (key := page_key(a.url)) is not None}
        groups = sorted(
            (
                [library.get(member) for member in group]
                for group in group_versions(
                    story_pairs + siblings,
                    lambda m: report_order(library.get(m)),
                    pages,
                )
            ),
            key=lambda ordered: report_order(ordered[0]),
        )
        # Stable ids: a group takes the id most of its members had; a split story keeps its id in
        # the part with more of the old members, and the other part gets a new one.
        claims: list[tuple[int, int, str, int]] = []
        for number, ordered in enumerate(groups):
            votes: dict[str, list[int]] = defaultdict(list)
            for rank, article in enumerate(ordered):
                old = known.get(article.content_hash)
                if old is not None:
                    votes[old].append(rank)
            for story_id, ranks in votes.items():
                claims.append((-len(ranks), min(ranks), story_id, number))
        chosen: dict[int, str] = {}
        taken: set[str] = set()
        for _, _, story_id, number in sorted(claims):
            if number not in chosen and story_id not in taken:
                chosen[number] = story_id
                taken.add(story_id)
        stories: list[Story] = []
        pairs_by_member: dict[str, list[PairMatch]] = defaultdict(list)
        for pair in story_pairs:
            pairs_by_member[pair.a].append(pair)
        related_by_member: dict[str, list[PairMatch]] = defaultdict(list)
        for pair in related_pairs:
            related_by_member[pair.a].append(pair)
            related_by_member[pair.b].append(pair)
        for number, ordered in enumerate(groups):
            assigned = chosen.get(number)
            if assigned is None:
                assigned = _new_id(ordered[0].content_hash, taken | set(known.values()))
                taken.add(assigned)
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
            stories.append(
                Story(
                    id=assigned, title=_story_title(ordered), versions=versions, related=related, pairs=within
                )
            )
        result = cls(stories, library, cache_dir)
        remembered = dict(known)
        for story in stories:
            for version in story.versions:
                remembered[version.content_hash] = story.id
        result._by_hash = remembered
        if state_dir is not None and remembered != known:
            _write_state(state_dir / STORIES_FILE, remembered)
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

    # -- passages ----------------------------------------------------------------------------------

    def align(self, story: Story) -> Story:
        """Fill in the story's passages (sentence alignment of its versions), cached by content hash."""
        with self._lock:
            return self._align(story)

    def _align(self, story: Story) -> Story:
        if story.aligned:
            return story
        articles = {version.article_id: self.library.get(version.article_id) for version in story.versions}
        ids = story.version_ids
        wanted: set[tuple[str, str]] = set()
        if len(ids) <= ALL_PAIRS_UP_TO:
            wanted = {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
        else:
            wanted = _spanning_pairs(story.pairs)
        links: dict[tuple[str, int], dict[tuple[str, int], float]] = defaultdict(dict)
        copies: dict[str, set[int]] = {article_id: set() for article_id in ids}
        for a_id, b_id in sorted(wanted):
            rows, repeats_a, repeats_b = self._links(articles[a_id], articles[b_id])
            copies[a_id] |= repeats_a
            copies[b_id] |= repeats_b
            for i, j, score in rows:
                links[(a_id, i)][(b_id, j)] = score
                links[(b_id, j)][(a_id, i)] = score

        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def root(node: tuple[str, int]) -> tuple[str, int]:
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for article_id in ids:
            for index in range(len(articles[article_id].sentences)):
                if index not in copies[article_id]:
                    root((article_id, index))
        for node, partners in links.items():
            for partner in partners:
                if node[1] in copies[node[0]] or partner[1] in copies[partner[0]]:
                    continue
                x, y = root(node), root(partner)
                if x != y:
                    parent[max(x, y)] = min(x, y)
        groups: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
        for node in list(parent):
            groups[root(node)].append(node)

        def place(nodes: list[tuple[str, int]]) -> float:
            # Where the passage falls in the story: the mean relative position in its versions.
            return sum(
                index / max(1, len(articles[article_id].sentences)) for article_id, index in nodes
            ) / len(nodes)

        ordered_groups = sorted(groups.values(), key=lambda nodes: (place(nodes), min(nodes)))
        rank = {article_id: position for position, article_id in enumerate(ids)}
        passages: list[Passage] = []
        for nodes in ordered_groups:
            by_article: dict[str, list[int]] = defaultdict(list)
            for member, index in nodes:
                by_article[member].append(index)
            members = set(nodes)
            spans: dict[str, Span | None] = {}
            for article_id in sorted(by_article, key=rank.__getitem__):
                run = _best_run(sorted(by_article[article_id]), article_id, members, links)
                sentences = articles[article_id].sentences
                spans[article_id] = Span(sentences[run[0]].start, sentences[run[-1]].end)
            passages.append(Passage(spans=spans, figures=_figures(spans, articles)))
        story.passages = passages
        story.aligned = True
        return story

    def _alignment_file(self) -> Path | None:
        return self.cache_dir / "stories" / "alignments.json" if self.cache_dir is not None else None

    def _load_alignments(self) -> dict[str, list[list[float]]]:
        if self._alignments is None:
            self._alignments = {}
            file = self._alignment_file()
            if file is not None:
                try:
                    data = json.loads(file.read_bytes())
                    if isinstance(data, dict) and data.get("version") == _alignment_version():
                        stored = data.get("pairs")
                        if isinstance(stored, dict):
                            self._alignments = stored
                except (OSError, ValueError):
                    pass  # a missing or damaged cache is rebuilt
        return self._alignments

    def save(self) -> None:
        """Write alignments computed since the last save to the cache (best effort)."""
        with self._lock:
            self._save_alignments()

    def _save_alignments(self) -> None:
        file = self._alignment_file()
        if file is None or not self._alignments_dirty or self._alignments is None:
            return
        from tui.paths import write_cache_file

        live = {article.content_hash for article in self.library}
        kept = {key: rows for key, rows in self._alignments.items() if set(key.split(":")) <= live}
        write_cache_file(file, json.dumps({"version": _alignment_version(), "pairs": kept}).encode())
        self._alignments_dirty = False

    def _links(self, a: Article, b: Article) -> tuple[list[tuple[int, int, float]], set[int], set[int]]:
        """Aligned sentence numbers of a and b, and the sentence numbers of repeated copies in each."""
        cache = self._load_alignments()
        swap = a.content_hash > b.content_hash
        first, second = (b, a) if swap else (a, b)
        key = f"{first.content_hash}:{second.content_hash}"
        rows = cache.get(key)
        valid = isinstance(rows, list) and len(rows) >= 3 and all(isinstance(r, list) for r in rows)
        if not valid or rows is None:
            from tui.similarity import compare

            alignment = compare(first, second)
            index_a = {(s.start, s.end): i for i, s in enumerate(first.sentences)}
            index_b = {(s.start, s.end): i for i, s in enumerate(second.sentences)}
            # A sentence whose figures changed is one passage with its other form (Δ in the matrix).
            spans = [(p.a, p.b, p.score) for p in alignment.pairs] + [
                (c.a, c.b, 1.0) for c in alignment.changed
            ]
            links = [
                [index_a[(sa.start, sa.end)], index_b[(sb.start, sb.end)], score]
                for sa, sb, score in spans
                if (sa.start, sa.end) in index_a and (sb.start, sb.end) in index_b
            ]
            copies_a = sorted(_copies(first, alignment.repeats_a))
            copies_b = sorted(_copies(second, alignment.repeats_b))
            rows = [[float(len(links))], [float(i) for i in copies_a], [float(i) for i in copies_b], *links]
            cache[key] = rows
            self._alignments_dirty = True
        count = int(rows[0][0])
        copies_first = {int(i) for i in rows[1]}
        copies_second = {int(i) for i in rows[2]}
        pairs = [(int(r[0]), int(r[1]), float(r[2])) for r in rows[3 : 3 + count]]
        n_first, n_second = len(first.sentences), len(second.sentences)
        pairs = _clear_links([(i, j, s) for i, j, s in pairs if i < n_first and j < n_second])
        # Sentences left without a clear partner on both sides may be one sentence whose figures
        # changed (an engine that keeps other facts apart links them weakly elsewhere, or not at all).
        linked_first = {i for i, _, _ in pairs} | copies_first
        linked_second = {j for _, j, _ in pairs} | copies_second
        loose_first = [span for i, span in enumerate(first.sentences) if i not in linked_first]
        loose_second = [span for j, span in enumerate(second.sentences) if j not in linked_second]
        pairs += [
            (int(i), int(j), score)
            for i, j, score in _restated_with_other_figures(first, second, loose_first, loose_second)
        ]
        if swap:
            return [(j, i, s) for i, j, s in pairs], copies_second, copies_first
        return pairs, copies_first, copies_second

    # -- echoes and homes ------------------------------------------------------------------------

    def echoes(
        self,
        story: Story,
        annotation: Annotation,
        start: int,
        end: int,
        targets: Iterable[str] | None = None,
    ) -> list[Echo]:
        """Where an annotation placed at [start, end) of its version stands in every other version
        (or in `targets` only). Each version is aligned with the annotation's own directly, so an
        echo needs one (cached) alignment, never the whole story's."""
        source = annotation.article_id
        article = self.library.get(source)
        echoes: list[Echo] = []
        for other_id in story.version_ids if targets is None else targets:
            if other_id == source or other_id not in story:
                continue
            other = self.library.get(other_id)
            with self._lock:
                rows, copies, _ = self._links(article, other)
            alias = _first_occurrences(article, copies)
            touched = {
                alias.get(index, index)
                for index, span in enumerate(article.sentences)
                if span.start < end and start < span.end
            }
            echoes.append(_echo_in(annotation, other, _region(rows, touched)))
        return echoes

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
        """Candidate homes for an orphaned annotation, newest first: the passage in its own article's
        new text when it was clearly reworded there (a re-fetched page), then in the story's other
        versions. A passage gone from a version gets no home there."""
        story = story or self.of(annotation.article_id) or self.by_hash(annotation.article_hash)
        own = self.library.get(annotation.article_id) if annotation.article_id in self.library else None
        found: list[Home] = []
        if own is not None:
            home = self._home_in(annotation, own, None, None, own_text=True)
            if home is not None:
                found.append(home)
        for version_id in story.newest_first() if story is not None else []:
            if version_id == annotation.article_id:
                continue
            other = self.library.get(version_id)
            home = self._home_in(annotation, other, story.version(version_id).kind, own)  # type: ignore[union-attr]
            if home is not None:
                found.append(home)
        return found

    def _home_in(
        self,
        annotation: Annotation,
        other: Article,
        kind: str | None,
        own: Article | None,
        *,
        own_text: bool = False,
    ) -> Home | None:
        from tui.library.parsing import article_from_text
        from tui.similarity import compare

        if other.id != annotation.article_id:  # in its own text, anchoring has looked already
            verbatim = _find_verbatim(annotation, other, None)
            if verbatim is not None:
                start, end = verbatim
                carry = kind in CARRY_KINDS or _context_agrees(annotation, other, start, end)
                return Home(other.id, start, end, other.body[start:end], "verbatim", carry)
        # A sentence of `other` that has a far better partner in the annotation's own (current)
        # article is that sentence's twin, not the lost passage (see CLEAR_LINK_SHARE).
        rivals: dict[int, float] = {}
        if own is not None and own.id != other.id:
            with self._lock:
                rows, _, _ = self._links(own, other)
            for _, j, score in rows:
                rivals[j] = max(rivals.get(j, 0.0), score)
        index_of = {(s.start, s.end): i for i, s in enumerate(other.sentences)}
        for probe in (annotation.exact, f"{annotation.prefix}{annotation.exact}{annotation.suffix}"):
            alignment = compare(article_from_text(probe, article_id="quote"), other)
            linked = {
                index_of[(p.b.start, p.b.end)]: p.score
                for p in alignment.pairs
                if (p.b.start, p.b.end) in index_of
                and p.score >= CLEAR_LINK_SHARE * rivals.get(index_of[(p.b.start, p.b.end)], 0.0)
                and (not own_text or _word_share(annotation.exact, other.text(p.b)) >= OWN_HOME_WORDS)
            }
            if linked:
                best = max(linked, key=lambda index: (linked[index], -index))
                run = _run_around(sorted(linked), best)
                start, end = other.sentences[run[0]].start, other.sentences[run[-1]].end
                return Home(other.id, start, end, other.body[start:end], "reworded", False)
        return None

    def orphans(self, story: Story, store: AnnotationStore) -> list[tuple[Anchored, list[Home]]]:
        """The story's orphaned annotations (on a version, or on an article since removed), with homes."""
        from tui.annotations.anchoring import Anchored, anchor_all

        found: list[tuple[Anchored, list[Home]]] = []
        for version_id in story.version_ids:
            for placed in anchor_all(store.for_article(version_id), self.library.get(version_id)):
                if placed.orphaned:
                    found.append((placed, self.homes(placed.annotation, story)))
        members = set(story.version_ids)
        for annotation in store.all():
            if annotation.article_id in members or annotation.article_id in self.library:
                continue
            if self._by_hash.get(annotation.article_hash) == story.id:
                found.append((Anchored(annotation, "orphaned", None, None), self.homes(annotation, story)))
        return found


def _alignment_version() -> str:
    from tui.library.articles import CACHE_VERSION
    from tui.similarity import INDEX_VERSION

    return f"{ALIGNMENT_VERSION}.{CACHE_VERSION}.{INDEX_VERSION}"


def _copies(article: Article, repeats: Sequence[Any]) -> set[int]:
    spans = [span for repeat in repeats for span in repeat.spans[1:]]
    return {
        index
        for index, sentence in enumerate(article.sentences)
        if any(s.start <= sentence.start and sentence.end <= s.end for s in spans)
    }


def _best_run(
    indexes: list[int],
    article_id: str,
    members: set[tuple[str, int]],
    links: dict[tuple[str, int], dict[tuple[str, int], float]],
) -> list[int]:
    """The contiguous run of sentence numbers with the strongest links (a passage is one span)."""
    runs: list[list[int]] = [[indexes[0]]]
    for index in indexes[1:]:
        if index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    if len(runs) == 1:
        return runs[0]

    def strength(run: list[int]) -> float:
        return sum(
            score
            for index in run
            for partner, score in links.get((article_id, index), {}).items()
            if partner in members
        )

    return max(runs, key=strength)


def _spanning_pairs(pairs: Sequence[PairMatch]) -> set[tuple[str, str]]:
    """The best-scoring pairs that connect every version (Kruskal's maximum spanning tree)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    chosen: set[tuple[str, str]] = set()
    for pair in sorted(pairs, key=lambda p: (-p.score, p.a, p.b)):
        a, b = root(pair.a), root(pair.b)
        if a != b:
            parent[a] = b
            chosen.add((pair.a, pair.b))
    return chosen


def _clear_links(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The links that are not a sentence's weak second choice (see CLEAR_LINK_SHARE)."""
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for i, j, score in pairs:
        best_a[i] = max(best_a.get(i, 0.0), score)
        best_b[j] = max(best_b.get(j, 0.0), score)
    return [
        (i, j, score)
        for i, j, score in pairs
        if score >= CLEAR_LINK_SHARE * best_a[i] and score >= CLEAR_LINK_SHARE * best_b[j]
    ]


_LONG_WORD = re.compile(r"[^\W\d_]{4,}")


def _word_share(quote: str, text: str) -> float:
    """The share of the quote's words of 4 letters or more that the text holds too."""
    wanted = {word.casefold() for word in _LONG_WORD.findall(quote)}
    if not wanted:
        return 0.0
    held = {word.casefold() for word in _LONG_WORD.findall(text)}
    return len(wanted & held) / len(wanted)


# Two sentences without a clear partner that share this much of their words (figures aside) both
# ways are one sentence whose figures changed: an engine that keeps such sentences apart, so as not
# to call versions with other facts the same, still leaves them one passage of a story.
SAME_WORDS_OTHER_FIGURES = 0.8


def _restated_with_other_figures(
    first: Article, second: Article, only_a: Sequence[Span], only_b: Sequence[Span]
) -> list[list[float]]:
    index_a = {(s.start, s.end): i for i, s in enumerate(first.sentences)}
    index_b = {(s.start, s.end): i for i, s in enumerate(second.sentences)}
    found: list[list[float]] = []
    taken: set[int] = set()
    for span_a in only_a:
        text_a = first.text(span_a)
        if not _FIGURE.search(text_a) or (span_a.start, span_a.end) not in index_a:
            continue
        for span_b in only_b:
            j = index_b.get((span_b.start, span_b.end))
            text_b = second.text(span_b)
            if j is None or j in taken or not _FIGURE.search(text_b):
                continue
            share = min(_word_share(text_a, text_b), _word_share(text_b, text_a))
            if share >= SAME_WORDS_OTHER_FIGURES:
                found.append([float(index_a[(span_a.start, span_a.end)]), float(j), round(share, 4)])
                taken.add(j)
                break
    return found


def _run_around(indexes: list[int], anchor_index: int) -> list[int]:
    run = [anchor_index]
    present = set(indexes)
    while run[0] - 1 in present:
        run.insert(0, run[0] - 1)
    while run[-1] + 1 in present:
        run.append(run[-1] + 1)
    return run


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def _figures(spans: dict[str, Span | None], articles: dict[str, Article]) -> dict[str, list[str]]:
    """Each carrying version's figures in this passage, when two versions disagree on them."""
    figures = {
        article_id: _FIGURE.findall(articles[article_id].text(span))
        for article_id, span in spans.items()
        if span is not None
    }
    if len(figures) < 2 or not any(figures.values()):
        return {}
    distinct = {tuple(sorted(set(found))) for found in figures.values()}
    return figures if len(distinct) > 1 else {}


def _region(rows: list[tuple[int, int, float]], touched: set[int]) -> list[int]:
    """The other version's sentences linked to the touched ones: the run around the best link."""
    direct: dict[int, float] = {}
    for i, j, score in rows:
        if i in touched:
            direct[j] = max(direct.get(j, 0.0), score)
    if not direct:
        return []
    best = max(direct, key=lambda index: (direct[index], -index))
    return _run_around(sorted(direct), best)


def _first_occurrences(article: Article, copies: set[int]) -> dict[int, int]:
    """Each sentence of a repeated copy -> the same sentence's first occurrence (the one aligned)."""
    if not copies:
        return {}
    first_of: dict[str, int] = {}
    for index, span in enumerate(article.sentences):
        if index not in copies:
            first_of.setdefault(" ".join(article.text(span).split()), index)
    alias: dict[int, int] = {}
    for index in copies:
        if index < len(article.sentences):
            found = first_of.get(" ".join(article.text(article.sentences[index]).split()))
            if found is not None:
                alias[index] = found
    return alias


_SPACE = re.compile(r"\s+")
_QUOTE_CHARS = {"'": "['‘’]", "‘": "['‘’]", "’": "['‘’]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def _quote_pattern(quote: str) -> re.Pattern[str]:
    parts = []
    for word in quote.split():
        parts.append("".join(_QUOTE_CHARS.get(char, re.escape(char)) for char in word))
    return re.compile(r"\s+".join(parts))


def _find_verbatim(
    annotation: Annotation, other: Article, region: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The quote, word for word, in the other version: inside the aligned region if it is there,
    else a single long occurrence anywhere (alignment may have missed an excerpt)."""
    if not annotation.exact.strip():
        return None
    hits = [(m.start(), m.end()) for m in _quote_pattern(annotation.exact).finditer(other.body)]
    if not hits:
        return None
    if region is not None:
        inside = [hit for hit in hits if region[0] <= hit[0] and hit[1] <= region[1]]
        if inside:
            return inside[0]
    if len(hits) == 1 and len(annotation.exact) >= SPECIFIC_QUOTE_CHARS:
        return hits[0]
    if len(hits) > 1 and len(annotation.exact) >= SPECIFIC_QUOTE_CHARS:
        # Several copies (a repeated passage): the one whose context agrees.
        def context(hit: tuple[int, int]) -> int:
            before = other.body[max(0, hit[0] - len(annotation.prefix)) : hit[0]]
            return int(before == annotation.prefix) + int(
                other.body[hit[1] : hit[1] + len(annotation.suffix)] == annotation.suffix
            )

        return max(hits, key=lambda hit: (context(hit), -hit[0]))
    return None


def _context_agrees(annotation: Annotation, other: Article, start: int, end: int) -> bool:
    """The words around the quote are the same there too: the same text, edited elsewhere."""
    before = " ".join(annotation.prefix.split()[-3:])
    after = " ".join(annotation.suffix.split()[:3])
    there_before = " ".join(other.body[max(0, start - 64) : start].split()[-3:])
    there_after = " ".join(other.body[end : end + 64].split()[:3])
    return bool(before or after) and (before == there_before or after == there_after)


def _echo_in(annotation: Annotation, other: Article, region: list[int]) -> Echo:
    bounds = (other.sentences[region[0]].start, other.sentences[region[-1]].end) if region else None
    verbatim = _find_verbatim(annotation, other, bounds)
    common = {
        "annotation_id": annotation.id,
        "source_id": annotation.article_id,
        "article_id": other.id,
        "note": annotation.note,
        "color": annotation.color,
    }
    if verbatim is not None:
        start, end = verbatim
        return Echo(start=start, end=end, text=other.body[start:end], match="verbatim", **common)
    if bounds is not None:
        start, end = bounds
        text = other.body[start:end]
        # Aligned, but its figures or names differ from the note's passage: not the same fact reworded.
        change = fact_change(annotation.exact, text)
        if change:
            return Echo(start=start, end=end, text=text, match="changed", change=change, **common)
        return Echo(start=start, end=end, text=text, match="reworded", **common)
    return Echo(start=None, end=None, text="", match="absent", **common)


# --------------------------------------------------------------------------- the id file


def _read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # ids are a convenience: a lost file only means stories get ids anew
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, dict):
        return {}
    return {str(key): value for key, value in members.items() if isinstance(value, str)}


def _write_state(path: Path, members: dict[str, str]) -> None:
    from tui.durable import write_atomically  # the one durable writer: temp file, fsync, replace

    payload = json.dumps({"version": _STATE_VERSION, "members": members}, indent=0, sort_keys=True).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, [payload])
    except OSError:
        pass  # an unwritable state folder costs id stability only, never the command


# --------------------------------------------------------------------------- JSON shapes


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


def story_json(stories: Stories, story: Story, store: AnnotationStore) -> dict[str, Any]:
    """`tui story ID --json`: versions, passages, and every annotation with its echoes (or homes)."""
    from tui.annotations.anchoring import anchor_all

    stories.align(story)
    annotations: list[dict[str, Any]] = []
    for version_id in story.version_ids:
        for placed in anchor_all(store.for_article(version_id), stories.library.get(version_id)):
            annotation = placed.annotation
            row: dict[str, Any] = {
                "id": annotation.id,
                "article_id": annotation.article_id,
                "quote": annotation.exact,
                "note": annotation.note,
                "color": annotation.color,
                "status": placed.status,
                "start": placed.start,
                "end": placed.end,
            }
            if placed.start is not None and placed.end is not None:
                row["echoes"] = [
                    echo_json(e) for e in stories.echoes(story, annotation, placed.start, placed.end)
                ]
            else:
                row["echoes"] = []
                row["homes"] = [home_json(h) for h in stories.homes(annotation, story)]
            annotations.append(row)
    for placed, homes in stories.orphans(story, store):
        if placed.annotation.article_id not in story:
            annotation = placed.annotation
            annotations.append(
                {
                    "id": annotation.id,
                    "article_id": annotation.article_id,
                    "quote": annotation.exact,
                    "note": annotation.note,
                    "color": annotation.color,
                    "status": "orphaned",
                    "start": None,
                    "end": None,
                    "echoes": [],
                    "homes": [home_json(h) for h in homes],
                }
            )
    stories.save()
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
        "annotations": annotations,
    }


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


def story_text(data: dict[str, Any], width: int = 100) -> str:
    """`tui story ID` without --json: the versions, then each note with where it echoes."""
    from tui.text_safety import printable

    def cut(text: str, room: int) -> str:
        text = printable(" ".join(text.split()))
        room = max(8, room)
        return text if len(text) <= room else text[: room - 1] + "…"

    lines = [f"{data['id']}  {cut(data['title'], width - 16)}", counted(len(data["versions"]), "version")]
    for number, version in enumerate(data["versions"], 1):
        date = (version["published"] or "undated")[:10]
        kind = version["kind"] or "first"
        score = f"{version['score']:.2f}" if version["score"] is not None else ""
        source = cut(version["source"] or "", 20)
        lines.append(f"  {number}. {printable(version['id'])}  {date}  {kind} {score}  {source}".rstrip())
        lines.append(f"     {cut(version['title'], width - 5)}")
    if data["related"]:
        lines.append("related: " + ", ".join(printable(article_id) for article_id in data["related"]))
    lines.append(counted(len(data["passages"]), "passage"))
    lines.append(counted(len(data["annotations"]), "note") if data["annotations"] else "no notes")
    for row in data["annotations"]:
        lines.append(f"  {row['id'][:8]} on {printable(row['article_id'])} ({row['status']})")
        lines.append(f"      quote: {cut(row['quote'], width - 13)}")
        if row["note"].strip():
            lines.append(f"      note: {cut(row['note'], width - 12)}")
        for echo in row["echoes"]:
            where = f": {cut(echo['text'], width - 40)}" if echo["start"] is not None else ""
            lines.append(f"      {echo['match']} in {printable(echo['article_id'])}{where}")
        for home in row.get("homes", []):
            carry = " (carried over at once: verbatim)" if home["carry"] else " (moves on your say)"
            lines.append(f"      home, {home['match']}, in {printable(home['article_id'])}{carry}")
            lines.append(f"        {cut(home['text'], width - 8)}")
    return "\n".join(lines) + "\n"


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
