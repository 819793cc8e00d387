"""Stories as cores, not chains: which articles are versions of one report.

One grouping for the whole product (`tui dupes`, `tui stories`, the app, the story export). Grouping by
single link over pairs chains a daily series into one "story" of months (each day's report a version
of the day before's); so a story starts from its first report, its core, and an article joins it only
when it is a version of the core or of most of the story's members, and never when it is a
known sibling (a `template` pair: the same form of report with other facts, such as another day's) of
one of them. A `partial` copy joins the story it shares passages with, but never draws another article
in: a shared preview paragraph must not join two stories.

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, Protocol

from tui.similarity.model import STORY_KINDS

if TYPE_CHECKING:
    from tui.library.articles import Article


class PairOfArticles(Protocol):
    """What grouping reads of a pair (`similarity.PairMatch` is one)."""

    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> float: ...


# A partial copy joins a story but never links two stories, or a second partial copy, together.
LEAF_KINDS: frozenset[str] = frozenset({"partial"})
SIBLING_KINDS: frozenset[str] = frozenset({"template"})


def report_order(article: Article) -> tuple[int, float, int, int, str]:
    """Dated reports first and oldest first; undated ones after, the fullest first.

    A day given without a time of day counts from the end of that day: it is not known to come before
    any report timed that day, so those come first (and of several such, the fullest)."""
    published = article.published
    if published is None:
        return (1, 0.0, 0, -article.words, article.id)
    if article.day_only:
        end_of_day = datetime.combine(published.date(), time.max, tzinfo=published.tzinfo)
        return (0, end_of_day.timestamp(), 1, -article.words, article.id)
    return (0, published.timestamp(), 0, 0, article.id)


def page_key(url: str | None) -> str | None:
    """One page's address however it was written: scheme and host in lower case, no fragment, no
    trailing slash, no tracking parameters (`utm_*`)."""
    if not url:
        return None
    from urllib.parse import parse_qsl, urlencode, urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_")])
    path = parts.path.rstrip("/") or "/"
    return f"{parts.netloc.lower()}{path}" + (f"?{query}" if query else "")


def group_versions(
    pairs: Iterable[PairOfArticles],
    order: Callable[[str], tuple[Any, ...]],
    pages: dict[str, str] | None = None,
) -> list[list[str]]:
    """Groups of two or more articles that are versions of one report, each in `order` (core first).

    `pairs` may hold any kinds: only STORY_KINDS link, SIBLING_KINDS keep apart, the rest is ignored.
    `order` ranks articles (the earliest report first): the first unplaced article becomes a core.
    `pages` (article -> `page_key` of its address): versions of one page (fetched again after its
    publisher edited it) are always one story, whatever their texts say.
    """
    links: dict[str, set[str]] = defaultdict(set)
    siblings: dict[str, set[str]] = defaultdict(set)
    leaves: list[PairOfArticles] = []
    for pair in pairs:
        if pair.kind in LEAF_KINDS:
            leaves.append(pair)
        elif pair.kind in STORY_KINDS:
            links[pair.a].add(pair.b)
            links[pair.b].add(pair.a)
        elif pair.kind in SIBLING_KINDS:
            siblings[pair.a].add(pair.b)
            siblings[pair.b].add(pair.a)
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for core in sorted(links, key=order):
        if core in group_of:
            continue
        members = _grow(core, links, siblings, group_of, order)
        for member in members:
            group_of[member] = len(groups)
        groups.append(members)
    # Partial copies last, best first: each joins the one story it shares passages with, as a leaf.
    for pair in sorted(leaves, key=lambda p: (-p.score, p.a, p.b)):
        a_in, b_in = pair.a in group_of, pair.b in group_of
        if a_in and b_in:
            continue  # both already in a story: a shared passage does not make them one
        if a_in or b_in:
            member, newcomer = (pair.a, pair.b) if a_in else (pair.b, pair.a)
            story = groups[group_of[member]]
            # A partial copy joins through a member with versions of its own, never through another leaf.
            if (member in links or len(story) == 1) and not siblings[newcomer] & set(story):
                story.append(newcomer)
                group_of[newcomer] = group_of[member]
            continue
        group_of[pair.a] = group_of[pair.b] = len(groups)
        groups.append([pair.a, pair.b])
    _join_pages(groups, group_of, pages or {})
    return [sorted(members, key=order) for members in groups if len(members) > 1]


def _join_pages(groups: list[list[str]], group_of: dict[str, int], pages: dict[str, str]) -> None:
    """Versions of one page into one story: the story of the page's first placed version."""
    by_page: dict[str, list[str]] = defaultdict(list)
    for article_id, page in sorted(pages.items()):
        by_page[page].append(article_id)
    for members in by_page.values():
        if len(members) < 2:
            continue
        placed = [m for m in members if m in group_of]
        target = group_of[placed[0]] if placed else len(groups)
        if not placed:
            groups.append([])
        for member in members:
            current = group_of.get(member)
            if current == target:
                continue
            if current is not None:
                groups[current].remove(member)
            groups[target].append(member)
            group_of[member] = target


def _grow(
    core: str,
    links: dict[str, set[str]],
    siblings: dict[str, set[str]],
    placed: dict[str, int],
    order: Callable[[str], tuple[Any, ...]],
) -> list[str]:
    """The story that starts from `core`: its versions, and versions of most of its members, until none joins."""
    members = [core]
    inside = {core}
    changed = True
    while changed:
        changed = False
        reachable = {other for member in members for other in links[member]} - inside - placed.keys()
        for candidate in sorted(reachable, key=order):
            if siblings[candidate] & inside:
                continue  # another day's report, or another subject's, in the same form
            linked = links[candidate] & inside
            if core in linked or 2 * len(linked) > len(members):
                members.append(candidate)
                inside.add(candidate)
                changed = True
    return members
