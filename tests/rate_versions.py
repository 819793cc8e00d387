"""Two dated versions of one wire report whose first sentence changed its figure and its verbs."""

from __future__ import annotations

from pathlib import Path

BODY = (
    "The central bank {verb} its key rate {prep} {rate} on Thursday, citing slowing inflation. "
    "Growth was 1.2 percent in the quarter, the bank said. Exports rose for a third month.\n"
)


def write_rate_versions(articles: Path) -> Path:
    """`a` (09:30, "kept … at 3.5%") and `b` (12:30, "cut … to 3.25%"), from one source, in `articles`."""
    articles.mkdir(parents=True, exist_ok=True)
    for name, verb, prep, rate, hour in (
        ("a", "kept", "at", "3.5%", "09"),
        ("b", "cut", "to", "3.25%", "12"),
    ):
        (articles / f"{name}.md").write_text(
            f'---\ntitle: "Bank rate"\nsource: "Wire"\ndate: "2026-11-20T{hour}:30:00"\n---\n\n'
            + BODY.format(verb=verb, prep=prep, rate=rate),
            encoding="utf-8",
        )
    return articles
