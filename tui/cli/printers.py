"""What the CLI prints, a function per output: the listing, matches and groups of copies, the
two-column comparison, the `tui notes` listing, the feeds and a fetch's summary.

Presentation only; the engine (`tui.similarity`) and the notes (`tui.export.selection.note_records`) give the
data. Every text from an article or a user is shown through `printable`, never obeyed.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tui.cli.common import PROG
from tui.text_safety import printable
from tui.wording import counted, length_of_time

if TYPE_CHECKING:
    from tui.intake.feed_intake import FetchReport
    from tui.intake.feeds import Feed
    from tui.library.articles import Article, Library, Span
    from tui.library.cache import ListedArticle
    from tui.similarity import AlignedPair, Alignment, Match, PairMatch


def group_pairs(pairs: Sequence[PairMatch], library: Library) -> list[list[PairMatch]]:
    """The versions of each story (the one grouping of `tui.stories.grouping`) with their pairs, best group first."""
    from tui.stories.grouping import group_versions, page_key, report_order

    pages = {a.id: key for a in library if (key := page_key(a.url)) is not None}
    groups = group_versions(pairs, lambda article_id: report_order(library.get(article_id)), pages)
    found: list[list[PairMatch]] = []
    for members in groups:
        inside = set(members)
        within = [p for p in pairs if p.a in inside and p.b in inside and p.kind != "template"]
        if within:
            found.append(within)
    return sorted(found, key=lambda g: (-max(p.score for p in g), min(p.a for p in g)))


def listing_json(listing: Iterable[ListedArticle]) -> Iterator[dict[str, object]]:
    """`tui list --json`: each article's metadata, made as it is written."""
    return (
        {
            "id": article.id,
            "title": article.title,
            "source": article.source,
            "author": article.author,
            "published": _published_iso(article),
            "words": article.words,
            "path": article.path,
            "hash": article.content_hash,
        }
        for article in listing
    )


def _published_iso(article: ListedArticle) -> str | None:
    """The date as `published_iso` gives it, from the text the cache keeps when it has it."""
    text = article.published_text
    if text is not None and len(text) >= 10:
        return text[:10] if article.day_only else text
    if article.published is None:
        return None
    # Imported only for a date the cache keeps no text of: an import in every call cost 0.2 s at 95k.
    from tui.library.dates import published_iso

    return published_iso(article.published, article.day_only)


def listing_lines(listing: Iterable[ListedArticle]) -> Iterator[str]:
    """`tui list`: a line per article, made as it is printed."""
    for article in listing:
        date = article.published.date().isoformat() if article.published else "----------"
        source = printable(article.source or "")[:20]
        yield f"{printable(article.id):<28} {date}  {source:<20} {article.words:>6}w  {printable(article.title)}"


def fetch_summary_lines(
    report: FetchReport, max_items: int, max_seconds: float, *, counts: bool
) -> list[str]:
    """`tui fetch`, for stderr: what came in (with `counts`), and what waits for the next run."""
    lines: list[str] = []
    if counts:
        count = {status: sum(o.status == status for o in report.outcomes) for status in ("added", "update")}
        lines.append(
            f"{counted(report.feeds_checked, 'feed')} ({report.feeds_unchanged} unchanged): "
            f"{count['added']} added, {counted(count['update'], 'update')}, {len(report.failed)} failed"
        )
    if report.out_of_time:
        lines.append(
            f"{PROG}: stopped after {length_of_time(max_seconds)}, the time bound; "
            f"{report.left_over or 'nothing'} left for the next `{PROG} fetch`"
        )
    elif report.items_left:
        lines.append(
            f"{PROG}: stopped at {max_items} items of {report.items_new} new; "
            f"{report.items_left} left for the next `{PROG} fetch`"
        )
    return lines


def pair_json(pair: PairMatch) -> dict[str, object]:
    """One pair of `tui dupes --json`."""
    return {"a": pair.a, "b": pair.b, "score": pair.score, "kind": pair.kind, "reason": pair.reason}


def matches_json(matches: Sequence[Match], library: Library) -> list[dict[str, object]]:
    """`tui dupes ID --json`: the article's matches, best first."""
    return [
        {"id": m.id, "title": library.get(m.id).title, "score": m.score, "kind": m.kind, "reason": m.reason}
        for m in matches
    ]


def matches_lines(article: Article, matches: Sequence[Match], library: Library) -> list[str]:
    """`tui dupes ID`: the article, then a line per match."""
    lines = [f"{printable(article.id)}  {printable(article.title)}"]
    if not matches:
        lines.append("  no matches")
    for m in matches:
        title = printable(library.get(m.id).title)
        lines.append(f"  {m.score:.3f}  {m.kind:<14} {printable(m.id):<28} {title}  ({printable(m.reason)})")
    return lines


def pair_groups_lines(
    pairs: Sequence[PairMatch],
    siblings: Sequence[PairMatch],
    library: Library,
    *,
    kinds_chosen: bool,
    related: int,
) -> list[str]:
    """`tui dupes`: the groups of versions, then the related pairs counted (or, with --kind, listed).

    `pairs` are of the kinds asked for, `siblings` the template pairs, `related` how many related
    pairs there are (counted when no kind was chosen)."""
    lines: list[str] = []
    if not pairs:
        lines.append(
            "no duplicates, near-duplicates, rewrites, updates or partial copies"
            if not kinds_chosen
            else "no matches of that kind"
        )
    lines += _group_lines(pairs, siblings, library)
    if not kinds_chosen:
        if related:
            lines.append(
                f"related: {counted(related, 'pair')} of the same story or topic written apart"
                " (list them with --kind related)"
            )
        return lines
    for kind in ("related", "template"):
        listed = [p for p in pairs if p.kind == kind]
        if listed:
            lines.append(f"{kind}: {counted(len(listed), 'pair')}")
        for p in listed:
            a_title, b_title = printable(library.get(p.a).title), printable(library.get(p.b).title)
            lines.append(f"  {p.score:.3f}  {printable(p.a)} ~ {printable(p.b)}  ({printable(p.reason)})")
            lines.append(f"         {a_title} ~ {b_title}")
    return lines


def _group_lines(pairs: Sequence[PairMatch], siblings: Sequence[PairMatch], library: Library) -> list[str]:
    from tui.similarity.model import STORY_KINDS

    # Versions form groups; related stories and templates chain whole topics together, so they are listed.
    copies = [p for p in pairs if p.kind in STORY_KINDS]
    lines: list[str] = []
    for number, group in enumerate(group_pairs([*copies, *siblings], library), 1):
        members = sorted({p.a for p in group} | {p.b for p in group})
        lines.append(f"group {number}: {counted(len(members), 'article')}")
        for member in members:
            lines.append(f"  {printable(member):<28} {printable(library.get(member).title)}")
        for p in group:
            lines.append(
                f"    {p.score:.3f}  {p.kind:<14} {printable(p.a)} ~ {printable(p.b)}  ({printable(p.reason)})"
            )
    return lines


def feeds_json(feeds: Sequence[Feed], state: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`tui feeds list --json`: each feed with when it was last checked (None before its first fetch)."""
    return [{"name": f.name, "url": f.url, "checked": state.get(f.url, {}).get("checked")} for f in feeds]


def feeds_lines(feeds: Sequence[Feed]) -> list[str]:
    """`tui feeds list`: a line per feed, its name and its link."""
    return [f"{printable(feed.name):<30} {printable(feed.url)}" for feed in feeds]


def feeds_import_lines(
    file: str, added: int, left_out: Sequence[tuple[Feed, str]], *, followed: int
) -> tuple[list[str], str]:
    """`tui feeds import`: a line per feed left out, with why (for stderr), and the summary."""
    said = [
        f"{PROG}: left out {printable(feed.url)} ({printable(feed.name)}): {reason}"
        for feed, reason in left_out
    ]
    counts: dict[str, int] = {}
    for _, reason in left_out:
        counts[reason] = counts.get(reason, 0) + 1
    dropped = len(left_out)
    why = f" ({', '.join(f'{count} {reason}' for reason, count in counts.items())})" if dropped else ""
    summary = (
        f"{printable(file)}: {counted(added, 'feed')} added of {added + dropped}, "
        f"{dropped} left out{why}; {followed} followed"
    )
    return said, summary


def _span_json(article: Article, span: Span) -> dict[str, Any]:
    return {"text": article.text(span), "start": span.start, "end": span.end}


def alignment_json(alignment: Alignment, a: Article, b: Article) -> dict[str, Any]:
    """The JSON shape of `tui compare --json`: character offsets into each article's body."""
    return {
        "a": alignment.a_id,
        "b": alignment.b_id,
        "score": alignment.score,
        "kind": alignment.kind,
        "reason": alignment.reason,
        "coverage_a": alignment.coverage_a,
        "coverage_b": alignment.coverage_b,
        "changes": [{"a": before, "b": after} for before, after in alignment.changes],
        "matched_a": alignment.matched_a,
        "matched_b": alignment.matched_b,
        "sentences_a": alignment.sentences_a,
        "sentences_b": alignment.sentences_b,
        "changed": [
            {
                "a_text": a.text(change.a),
                "b_text": b.text(change.b),
                "a_start": change.a.start,
                "a_end": change.a.end,
                "b_start": change.b.start,
                "b_end": change.b.end,
                "facts": {"a": change.before, "b": change.after},
                "words": [{"a": old, "b": new} for old, new in change.words],
            }
            for change in alignment.changed
        ],
        "pairs": [
            {
                "a_text": a.text(pair.a),
                "b_text": b.text(pair.b),
                "a_start": pair.a.start,
                "a_end": pair.a.end,
                "b_start": pair.b.start,
                "b_end": pair.b.end,
                "score": pair.score,
                "literal": pair.literal,
            }
            for pair in alignment.pairs
        ],
        "only_a": [_span_json(a, span) for span in alignment.only_a],
        "only_b": [_span_json(b, span) for span in alignment.only_b],
        "repeats_a": [{"spans": [_span_json(a, s) for s in r.spans]} for r in alignment.repeats_a],
        "repeats_b": [{"spans": [_span_json(b, s) for s in r.spans]} for r in alignment.repeats_b],
    }


def matched_counts(alignment: Alignment) -> str:
    """The pair's counts as every view gives them: sentences of each side restated or changed in the other."""
    return (
        f"A {alignment.matched_a} of {counted(alignment.sentences_a, 'sentence')} matched, "
        f"B {alignment.matched_b} of {alignment.sentences_b}"
    )


def render_alignment(alignment: Alignment, a: Article, b: Article, width: int = 100) -> str:
    """A plain-text two-column view: A's sentences in reading order beside what they became in B.

    Article text is untrusted: control characters are shown escaped, never sent to the terminal.
    """

    def clean(text: str) -> str:
        return printable(" ".join(text.split()))

    column = max((width - 9) // 2, 16)
    lines = [
        f"A  {clean(a.id)}  {clean(a.title)}",
        f"B  {clean(b.id)}  {clean(b.title)}",
        f"{alignment.kind or 'no match'}  score {alignment.score:.3f}  {clean(alignment.reason)}  "
        f"({matched_counts(alignment)})",
        "",
        f"{'A':<{column}} {'':>5}  B",
        f"{'-' * column} {'':>5}  {'-' * column}",
    ]

    def row(left: str, middle: str, right: str) -> None:
        left_lines = textwrap.wrap(clean(left), column) or [""]
        right_lines = textwrap.wrap(clean(right), column) or [""]
        for k in range(max(len(left_lines), len(right_lines))):
            lhs = left_lines[k] if k < len(left_lines) else ""
            rhs = right_lines[k] if k < len(right_lines) else ""
            lines.append(f"{lhs:<{column}} {middle if k == 0 else '':>5}  {rhs}".rstrip())
        lines.append("")

    by_a: dict[Span, list[AlignedPair]] = defaultdict(list)
    for pair in alignment.pairs:
        by_a[pair.a].append(pair)
    only_a = set(alignment.only_a)
    changed = {change.a: change for change in alignment.changed}
    a_sentences = sorted(set(by_a) | only_a | set(changed), key=lambda s: s.start)
    for span in a_sentences:
        if span in only_a:
            row(a.text(span), "", "")
        for pair in by_a.get(span, []):
            row(a.text(span), f"{pair.score:.2f}", b.text(pair.b))
        if span in changed:
            # One sentence in two forms: the words that differ marked [-as A has them-] {+as B does+}.
            change = changed[span]
            row(a.text(span), "Δ", b.text(change.b))
            marks = "; ".join(f"[-{old}-] {{+{new}+}}" for old, new in change.words)
            lines.insert(len(lines) - 1, f"{'':<{column}} {'':>5}  changed: {clean(marks)}")
    if alignment.only_b:
        lines.append("only in B:")
        for span in alignment.only_b:
            row("", "", b.text(span))
    for label, article, repeats in (("A", a, alignment.repeats_a), ("B", b, alignment.repeats_b)):
        for repeat in repeats:
            first = clean(article.text(repeat.spans[0]))
            preview = first if len(first) <= 70 else first[:69] + "…"
            lines.append(f"repeated in {label} {len(repeat.spans)} times: {preview!s}")
    return "\n".join(lines).rstrip() + "\n"


def notes_text(records: list[dict[str, Any]], width: int | None = 100) -> str:
    """The records for a terminal: a line per article, a line per highlight, its note under it.

    Every note is printed whole, line by line, with its tags: wrapped to ``width`` (a terminal's),
    or as it is when ``width`` is None (piped into another program or a file).
    """
    indent = " " * 12

    def block(text: str) -> list[str]:
        out: list[str] = []
        for line in text.split("\n"):
            shown = printable(line.rstrip())
            if width is None or not shown:
                out.append(f"{indent}{shown}".rstrip())
            else:
                out.extend(
                    textwrap.wrap(
                        shown,
                        max(20, width - len(indent)),
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_long_words=True,
                        break_on_hyphens=False,
                    )
                )
        return out

    lines: list[str] = []
    current = None
    for record in records:
        if record["article_id"] != current:
            current = record["article_id"]
            lines.append(f"{printable(current)}  {printable(record['title'])}")
        where = (
            f"¶{record['paragraph']}"
            if record["paragraph"]
            else f"caption {record['caption']}"
            if record.get("caption")
            else record["status"]
        )
        if record["status"] == "moved":
            where += "*"
        head = f"  {record['id'][:8]}  {where:<9} {record['color']:<7} "
        flat = printable(" ".join(record["quote"].split()))
        quote_lines = (
            [f"“{flat}”"]
            if width is None
            else textwrap.wrap(f"“{flat}”", max(20, width - len(head)), break_on_hyphens=False) or ["“”"]
        )
        lines.append(head + quote_lines[0])
        lines.extend(" " * len(head) + more for more in quote_lines[1:])
        note = record["note"].strip("\n")
        if note.strip():
            lines.extend(block(note))
        if record["tags"]:
            lines.extend(block(" ".join(f"#{tag}" for tag in record["tags"])))
    return "\n".join(lines)


def stories_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """`tui stories`: each story's id, versions, notes and title, its articles under it."""
    if not rows:
        return ["no stories: no article has another version"]
    lines: list[str] = []
    for row in rows:
        lines.append(
            f"{row['id']:<14} {counted(row['versions'], 'version'):>11} {counted(row['notes'], 'note'):>9}  "
            f"{printable(row['title'])}"
        )
        lines += [f"    {printable(article_id)}" for article_id in row["articles"]]
    return lines
