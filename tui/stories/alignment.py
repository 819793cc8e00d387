"""A story's passages: its versions aligned sentence by sentence, and the alignments cached.

Passages are sets of sentences aligned across the versions (by `similarity.compare`), for the story
screen's matrix and the story export. Alignments are cached by the content hashes of both sides, in
memory and (on `save`) in the cache folder; the echoes of a note read the same links.

Pure core: no Textual, no Rich. Only the public API of `tui.similarity` is used.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.library.articles import Span
from tui.stories.disjoint import DisjointSets
from tui.stories.model import Passage, Story

if TYPE_CHECKING:
    from tui.library.articles import Article, Library
    from tui.similarity import PairMatch

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

# A sentence's links to the other version: (its number, the partner's number, score).
Links = list[tuple[int, int, float]]
# The links of a story's sentences, each named (version, sentence number), to their partners.
SentenceLinks = dict[tuple[str, int], dict[tuple[str, int], float]]


class Alignments:
    """The sentence links between versions of a library's stories, computed once per pair of texts."""

    def __init__(self, library: Library, cache_dir: Path | None = None) -> None:
        self.library = library
        self.cache_dir = cache_dir
        self._alignments: dict[str, list[list[float]]] | None = None
        self._alignments_dirty = False
        # The app aligns from worker threads (two Compare panes at once): one at a time.
        self._lock = threading.RLock()

    def align(self, story: Story) -> Story:
        """Fill in the story's passages (sentence alignment of its versions), cached by content hash."""
        with self._lock:
            return self._align(story)

    def _align(self, story: Story) -> Story:
        if story.aligned:
            return story
        articles = {version.article_id: self.library.get(version.article_id) for version in story.versions}
        links, copies = self._story_links(story, articles)
        sentences: DisjointSets[tuple[str, int]] = DisjointSets()
        for article_id in story.version_ids:
            for index in range(len(articles[article_id].sentences)):
                if index not in copies[article_id]:
                    sentences.add((article_id, index))
        for node, partners in links.items():
            for partner in partners:
                if node[1] not in copies[node[0]] and partner[1] not in copies[partner[0]]:
                    sentences.join(node, partner)

        def place(nodes: list[tuple[str, int]]) -> float:
            # Where the passage falls in the story: the mean relative position in its versions.
            return sum(
                index / max(1, len(articles[article_id].sentences)) for article_id, index in nodes
            ) / len(nodes)

        ordered_groups = sorted(sentences.groups(), key=lambda nodes: (place(nodes), min(nodes)))
        rank = {article_id: position for position, article_id in enumerate(story.version_ids)}
        passages: list[Passage] = []
        for nodes in ordered_groups:
            by_article: dict[str, list[int]] = defaultdict(list)
            for member, index in nodes:
                by_article[member].append(index)
            members = set(nodes)
            spans: dict[str, Span | None] = {}
            for article_id in sorted(by_article, key=rank.__getitem__):
                run = _best_run(sorted(by_article[article_id]), article_id, members, links)
                found = articles[article_id].sentences
                spans[article_id] = Span(found[run[0]].start, found[run[-1]].end)
            passages.append(Passage(spans=spans, figures=_figures(spans, articles)))
        story.passages = passages
        story.aligned = True
        return story

    def _story_links(
        self, story: Story, articles: dict[str, Article]
    ) -> tuple[SentenceLinks, dict[str, set[int]]]:
        """The links between the sentences of the story's versions (every pair of versions up to
        ALL_PAIRS_UP_TO, else the spanning pairs), and each version's repeated copies."""
        ids = story.version_ids
        if len(ids) <= ALL_PAIRS_UP_TO:
            wanted = {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]}
        else:
            wanted = _spanning_pairs(story.pairs)
        links: SentenceLinks = defaultdict(dict)
        copies: dict[str, set[int]] = {article_id: set() for article_id in ids}
        for a_id, b_id in sorted(wanted):
            rows, repeats_a, repeats_b = self.links(articles[a_id], articles[b_id])
            copies[a_id] |= repeats_a
            copies[b_id] |= repeats_b
            for i, j, score in rows:
                links[(a_id, i)][(b_id, j)] = score
                links[(b_id, j)][(a_id, i)] = score
        return links, copies

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

    def links(self, a: Article, b: Article) -> tuple[Links, set[int], set[int]]:
        """Aligned sentence numbers of a and b, and the sentence numbers of repeated copies in each."""
        with self._lock:
            return self._links(a, b)

    def _links(self, a: Article, b: Article) -> tuple[Links, set[int], set[int]]:
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
    links: SentenceLinks,
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
    versions: DisjointSets[str] = DisjointSets()
    return {
        (pair.a, pair.b)
        for pair in sorted(pairs, key=lambda p: (-p.score, p.a, p.b))
        if versions.join(pair.a, pair.b)
    }


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


def word_share(quote: str, text: str) -> float:
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
            share = min(word_share(text_a, text_b), word_share(text_b, text_a))
            if share >= SAME_WORDS_OTHER_FIGURES:
                found.append([float(index_a[(span_a.start, span_a.end)]), float(j), round(share, 4)])
                taken.add(j)
                break
    return found


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
