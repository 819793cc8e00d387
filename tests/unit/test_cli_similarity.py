"""`tui dupes` and `tui compare` through the real entry point, with the cache in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.library.loader import load_library

REPO = Path(__file__).resolve().parents[2]
ORIGINAL, REWRITE, OTHER = "000_097ad0791a11b944", "002_3b2e89bd4e21a8c9", "004_177cef035ac10641"


def run_tui(*args: str, articles: Path | None = None) -> subprocess.CompletedProcess[str]:
    # TUI_CACHE comes from the autouse isolated_env fixture (tmp_path); the environment is passed on.
    env = dict(os.environ)
    if articles is not None:
        env["TUI_ARTICLES"] = str(articles)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=120
    )


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    """A small library: an exact copy, a copy with a paragraph inserted, and a hostile title."""
    folder = tmp_path / "lib"
    folder.mkdir()
    body = [
        "The regional rail operator cancelled all night trains on the northern line from Friday.",
        "Managing director Tomas Ek blamed a shortage of 120 trained drivers for the decision.",
        "Commuter groups called the move a betrayal of promises made during the 2022 tender.",
        "The operator expects to restore the full timetable by the end of the summer.",
        "Union leaders said drivers had warned about staffing for more than two years.",
        "The transport ministry will question the operator at a hearing next month.",
    ]
    text = "\n\n".join(body)
    (folder / "a.txt").write_text(f"Night trains cancelled\n\n{text}\n")
    (folder / "b.txt").write_text(f"Night trains cancelled\n\n{text.upper()}\n")
    inserted = "\n\n".join(
        [*body[:3], "Engineers say the new signalling will be the largest upgrade on the coast.", *body[3:]]
    )
    (folder / "c.txt").write_text(f"Night trains: operator says no \x1b]0;pwned\x07\n\n{inserted}\n")
    (folder / "d.txt").write_text("Cup final\n\nThe home side won the cup final 3-1 after extra time.\n")
    return folder


def test_dupes_for_one_article_json_puts_the_rewrite_first() -> None:
    result = run_tui("dupes", ORIGINAL, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [{"id", "title", "score", "kind", "reason"}] * len(rows)
    assert rows[0]["id"] == REWRITE and rows[0]["kind"] == "rewrite"
    assert rows[0]["reason"] == "9 of 10 sentences restated; figures agree"
    assert all(row["kind"] == "related" for row in rows if row["id"] == OTHER)
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)


def test_dupes_kind_filter_and_library_pairs_json(copies: Path) -> None:
    result = run_tui("dupes", "--json", articles=copies)
    assert result.returncode == 0, result.stderr
    pairs = json.loads(result.stdout)
    assert [set(row) for row in pairs] == [{"a", "b", "score", "kind", "reason"}] * len(pairs)
    kinds = {(row["a"], row["b"]): row["kind"] for row in pairs}
    assert kinds[("a", "b")] == "duplicate"
    assert kinds[("a", "c")] == "near-duplicate"
    assert not any("d" in pair for pair in kinds)
    only = run_tui("dupes", "--json", "--kind", "duplicate", articles=copies)
    assert {row["kind"] for row in json.loads(only.stdout)} == {"duplicate"}
    both = run_tui("dupes", "a", "--json", "--kind", "near-duplicate", "--kind", "duplicate", articles=copies)
    assert [row["id"] for row in json.loads(both.stdout)] == ["b", "c"]


def test_dupes_text_groups_and_renders_titles_safely(copies: Path) -> None:
    result = run_tui("dupes", articles=copies)
    assert result.returncode == 0, result.stderr
    assert "group 1: 3 articles" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b" in result.stdout
    one = run_tui("dupes", "d", articles=copies)
    assert one.returncode == 0 and "no matches" in one.stdout


def test_compare_json_gives_offsets_into_each_body() -> None:
    result = run_tui("compare", ORIGINAL, REWRITE, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"a", "b", "score", "kind", "pairs", "only_a", "only_b", "repeats_a", "repeats_b"} <= set(data)
    assert (data["a"], data["b"], data["kind"]) == (ORIGINAL, REWRITE, "rewrite")
    library = load_library(REPO / "articles")
    body_a, body_b = library.get(ORIGINAL).body, library.get(REWRITE).body
    assert len(data["pairs"]) >= 10
    for pair in data["pairs"]:
        assert body_a[pair["a_start"] : pair["a_end"]] == pair["a_text"]
        assert body_b[pair["b_start"] : pair["b_end"]] == pair["b_text"]
        assert 0 < pair["score"] <= 1
    for span in data["only_a"]:
        assert body_a[span["start"] : span["end"]] == span["text"]
    assert any(span["text"].startswith("Putin in 2000 visited") for span in data["only_a"])
    assert data["repeats_a"] == []
    (repeat,) = data["repeats_b"]
    first, copy = repeat["spans"]
    assert first["text"] == copy["text"] == body_b[copy["start"] : copy["end"]]


def test_compare_works_for_any_two_articles_and_renders_two_columns(copies: Path) -> None:
    result = run_tui("compare", "a", "d", "--json", articles=copies)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] is None and data["pairs"] == []
    text = run_tui("compare", "a", "c", articles=copies)
    assert text.returncode == 0, text.stderr
    assert "near-duplicate" in text.stdout
    assert "only in B:" in text.stdout and "largest upgrade" in text.stdout
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    row = next(line for line in text.stdout.splitlines() if line.startswith("The regional rail operator"))
    assert "1.00" in row  # the score column between the two texts


@pytest.mark.parametrize(
    "args",
    [
        ("dupes", "no-such-id"),
        ("dupes", "no-such-id", "--json"),
        ("compare", ORIGINAL, "no-such-id"),
        ("compare", "no-such-id", REWRITE, "--json"),
    ],
)
def test_unknown_ids_exit_2_with_one_line(args: tuple[str, ...]) -> None:
    result = run_tui(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "no-such-id" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_kind_is_a_usage_error() -> None:
    result = run_tui("dupes", "--kind", "twin")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


def test_index_is_kept_in_the_cache_folder(isolated_env: Path) -> None:
    assert run_tui("dupes").returncode == 0
    assert (isolated_env / "cache" / "similarity" / "index.sqlite").is_file()


def test_dupes_lists_related_pairs_apart_from_the_groups() -> None:
    result = run_tui("dupes", "--kind", "related", "--kind", "rewrite")
    assert result.returncode == 0, result.stderr
    head, _, related = result.stdout.partition("related: ")
    assert "group 1: 2 articles" in head and OTHER not in head
    assert related.startswith("2 pairs") and f"{ORIGINAL} ~ {OTHER}" in related


def test_dupes_without_kind_counts_related_pairs_apart_and_says_how_to_list_them() -> None:
    result = run_tui("dupes")
    assert result.returncode == 0, result.stderr
    head, _, related = result.stdout.partition("related: ")
    assert "group 1: 2 articles" in head and OTHER not in head
    assert related.startswith("2 pairs") and "--kind related" in related


def test_kind_choices_are_the_engines_kinds() -> None:
    from tui.similarity import KINDS

    for kind in KINDS:
        result = run_tui("dupes", "--json", "--kind", kind)
        assert result.returncode == 0, (kind, result.stderr)


def test_compare_json_has_literal_shares_and_changes() -> None:
    result = run_tui("compare", ORIGINAL, REWRITE, "--json")
    data = json.loads(result.stdout)
    assert data["changes"] == []
    assert all(0.0 <= pair["literal"] <= 1.0 for pair in data["pairs"])
    # A reworded copy: most aligned sentences are far from verbatim.
    assert sum(pair["literal"] < 0.8 for pair in data["pairs"]) >= len(data["pairs"]) // 2


HAND_CASES = REPO / "tests" / "data" / "neardup"


def test_dupes_json_reports_the_new_kinds_and_hides_templates_unless_asked() -> None:
    versions = json.loads(run_tui("dupes", "--json", articles=HAND_CASES).stdout)
    kinds = {(row["a"], row["b"]): row["kind"] for row in versions}
    assert kinds[("base", "correction")] == "update"
    assert kinds[("base", "inside_longer")] == "partial"
    assert kinds[("base", "paraphrase")] == "rewrite"
    assert not {"related", "template"} & set(kinds.values())
    one = json.loads(run_tui("dupes", "base", "--json", articles=HAND_CASES).stdout)
    assert "template" not in {row["id"] for row in one}
    assert all(set(row) == {"id", "title", "score", "kind", "reason"} for row in one)
    templates = json.loads(
        run_tui("dupes", "base", "--json", "--kind", "template", articles=HAND_CASES).stdout
    )
    assert {row["id"]: row["reason"] for row in templates}["template"] == "same form, other subject"
    text = run_tui("dupes", "--kind", "template", articles=HAND_CASES).stdout
    assert text.startswith("template: ") and "base ~ template" in text


def test_compare_json_of_a_correction_lists_the_changed_figures() -> None:
    result = run_tui("compare", "base", "correction", "--json", articles=HAND_CASES)
    data = json.loads(result.stdout)
    assert data["kind"] == "update"
    assert data["changes"][0] == {"a": "2.20 dlrs", "b": "2.30 dlrs"}
    text = run_tui("compare", "base", "correction", articles=HAND_CASES).stdout
    assert "update" in text and "2.20 dlrs → 2.30 dlrs" in text


def test_compare_refuses_an_article_too_large_to_align_with_one_line(tmp_path: Path) -> None:
    from tui.similarity import MAX_ALIGNED_SENTENCES

    folder = tmp_path / "big"
    folder.mkdir()
    sentences = [f"Line {i} of the list names item {i}." for i in range(MAX_ALIGNED_SENTENCES + 5)]
    (folder / "big.txt").write_text(
        "A long list\n\n" + "\n\n".join(" ".join(sentences[i : i + 50]) for i in range(0, len(sentences), 50))
    )
    (folder / "small.txt").write_text("Short\n\nLine 1 of the list names item 1.\n")
    result = run_tui("compare", "small", "big", articles=folder)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "too large to align" in result.stderr
    assert "Traceback" not in result.stderr


def _changed_pair(folder: Path, source_b: str = "Wire") -> None:
    articles = folder / "articles"
    articles.mkdir()
    body = (
        "The central bank {verb} its key rate {prep} {rate} on Thursday, citing slowing inflation. "
        "Growth was 1.4m tonnes in the quarter, the bank said. Exports rose for a third month.\n"
    )
    (articles / "a.md").write_text(
        '---\ntitle: "Bank holds rate"\nsource: "Wire"\ndate: "2026-11-20T09:30:00"\n---\n\n'
        + body.format(verb="kept", prep="at", rate="3.5%"),
        encoding="utf-8",
    )
    (articles / "b.md").write_text(
        f'---\ntitle: "Bank cuts rate"\nsource: "{source_b}"\ndate: "2026-11-20T12:30:00"\n---\n\n'
        + body.format(verb="cut", prep="to", rate="3.25%").replace("1.4m", "1.4 million"),
        encoding="utf-8",
    )


def test_a_changed_sentence_is_one_pair_with_its_changed_words(tmp_path: Path) -> None:
    _changed_pair(tmp_path)
    env_args = ["--articles", str(tmp_path / "articles"), "--cache-dir", str(tmp_path / "cache")]
    data = json.loads(run_tui(*env_args, "compare", "a", "b", "--json").stdout)
    assert data["kind"] == "update"
    (changed,) = data["changed"]
    assert changed["facts"] == {"a": "3.5%", "b": "3.25%"}
    assert changed["words"] == [{"a": "kept", "b": "cut"}, {"a": "at 3.5%", "b": "to 3.25%"}]
    assert data["only_a"] == [] and data["only_b"] == []  # "1.4m" and "1.4 million" are one figure
    assert (data["matched_a"], data["sentences_a"], data["matched_b"]) == (3, 3, 3)
    text = run_tui(*env_args, "compare", "a", "b").stdout
    assert "A 3 of 3 sentences matched, B 3 of 3" in text
    assert "changed: [-kept-] {+cut+}; [-at 3.5%-] {+to 3.25%+}" in text


def test_a_change_reads_older_to_newer_for_both_partners(tmp_path: Path) -> None:
    _changed_pair(tmp_path)
    env_args = ["--articles", str(tmp_path / "articles"), "--cache-dir", str(tmp_path / "cache")]
    for article_id in ("a", "b"):
        (match,) = json.loads(run_tui(*env_args, "dupes", article_id, "--json").stdout)
        assert match["reason"] == "same story; 3.5% → 3.25%"


def test_another_outlets_text_with_other_facts_is_no_update(tmp_path: Path) -> None:
    # An update is a later version from the same outlet; a paper's rewrite of the wire is its own report.
    _changed_pair(tmp_path, source_b="Daily Paper")
    env_args = ["--articles", str(tmp_path / "articles"), "--cache-dir", str(tmp_path / "cache")]
    data = json.loads(run_tui(*env_args, "compare", "a", "b", "--json").stdout)
    assert data["kind"] in {"near-duplicate", "rewrite"}
    assert data["changes"] == [{"a": "3.5%", "b": "3.25%"}]
