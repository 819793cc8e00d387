"""What the CLI prints: groups of copies, the two-column comparison, the `tui notes` listing.

Presentation only; the engine (`tui.similarity`) and the notes (`tui.export.selection.note_records`) give the
data. Every text from an article or a user is shown through `printable`, never obeyed.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.text_safety import printable
from tui.wording import counted

if TYPE_CHECKING:
    from tui.library.articles import Article, Library, Span
    from tui.similarity import AlignedPair, Alignment, PairMatch


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
