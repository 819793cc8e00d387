"""`tui story`, `tui stories` and `tui export --story` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
A = "000_097ad0791a11b944"
B = "002_3b2e89bd4e21a8c9"
RELATED = "004_177cef035ac10641"
QUOTE = 'Seoul has warned Moscow against "going beyond a certain point,"'


def run_tui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=120,
    )


def test_story_json_has_versions_passages_and_echoes() -> None:
    made = run_tui("annotate", A, "--quote", QUOTE, "--note", "the warning")
    assert made.returncode == 0, made.stderr
    result = run_tui("story", "002", "--json")
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["id"].startswith("s-")
    assert [v["id"] for v in story["versions"]] == [A, B]
    assert set(story["versions"][1]) == {"id", "title", "source", "published", "kind", "score"}
    assert story["versions"][1]["kind"] == "rewrite"
    assert story["related"] == [RELATED]
    first = story["passages"][0]["spans"]
    assert first[A] == {"start": 0, "end": 209} and first[B]["start"] == 0
    assert any(p["spans"][B] is None for p in story["passages"])
    (note,) = story["annotations"]
    assert note["article_id"] == A and note["status"] == "anchored"
    (echo,) = note["echoes"]
    assert echo["article_id"] == B and echo["match"] == "reworded"
    assert echo["text"].startswith("Seoul has issued a warning to Moscow")
    assert set(echo) == {"article_id", "start", "end", "text", "match"}
    text = run_tui("story", A)
    assert text.returncode == 0 and "reworded" in text.stdout and "the warning" in text.stdout


def test_stories_lists_the_library_stories_and_keeps_their_ids() -> None:
    result = run_tui("stories", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["versions"] == 2 and row["articles"] == [A, B] and row["notes"] == 0
    again = json.loads(run_tui("stories", "--json").stdout)
    assert again[0]["id"] == row["id"]
    by_id = run_tui("story", row["id"], "--json")
    assert json.loads(by_id.stdout)["id"] == row["id"]
    plain = run_tui("stories")
    assert "2 versions" in plain.stdout


def test_unknown_story_is_one_line_exit_2() -> None:
    for wanted in ("nope", "s-zzzz"):
        result = run_tui("story", wanted)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_export_story_writes_one_file_and_re_exports_safely(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    assert (
        run_tui("annotate", A, "--quote", QUOTE, "--note", "the warning", "--tag", "russia").returncode == 0
    )
    made = run_tui("annotate", B, "--quote", "Additionally, there is speculation", "--occurrence", "1")
    assert made.returncode == 0, made.stderr
    first = run_tui("export", "--story", A, "--notes-dir", str(notes))
    assert first.returncode == 0, first.stderr
    (path,) = notes.glob("*.md")
    assert path == Path(first.stdout.strip())
    text = path.read_text(encoding="utf-8")
    assert "story_id: s-" in text and "versions:" in text and "article_id: 002_3b2e89bd4e21a8c9" in text
    assert "*Other versions:* `reworded` in `002_3b2e89bd4e21a8c9`." in text
    assert "`reworded` in The Korea Herald `000_097ad0791a11b944`." in text
    assert text.count("^h-") == 2
    with path.open("a", encoding="utf-8") as handle:
        handle.write("my own words\n")
    run_tui("annotate", A, "--quote", "The presidential office in Seoul was not immediately available")
    again = run_tui("export", "--story", "002", "--notes-dir", str(notes))
    assert again.returncode == 0, again.stderr
    assert list(notes.glob("*.md")) == [path]
    text = path.read_text(encoding="utf-8")
    assert text.count("^h-") == 3 and text.rstrip().endswith("my own words") and "highlights: 3" in text
    stdout = run_tui("export", "--story", A, "-o", "-")
    assert stdout.returncode == 0 and "story_id:" in stdout.stdout


def test_export_story_refuses_ids_with_story_and_foreign_files(tmp_path: Path) -> None:
    both = run_tui("export", A, "--story", A)
    assert both.returncode == 2 and "not both" in both.stderr
    foreign = tmp_path / "mine.md"
    foreign.write_text("# my file\n", encoding="utf-8")
    refused = run_tui("export", "--story", A, "-o", str(foreign))
    assert refused.returncode == 2 and foreign.read_text(encoding="utf-8") == "# my file\n"


def test_state_dir_flag_wins_over_the_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen-state"
    result = run_tui("stories", "--json", "--state-dir", str(chosen))
    assert result.returncode == 0, result.stderr
    assert (chosen / "stories.json").is_file()
    assert not (tmp_path / "state" / "stories.json").exists()  # $TUI_STATE points there


def test_an_orphans_homes_are_the_same_in_story_json_and_the_story_export(
    seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUI_ARTICLES", str(seed_library))
    sentence = (
        'Seoul has warned Moscow against "going beyond a certain point," amid reports that Russia and North '
        "Korea are seeking to deepen their military ties during President Vladimir Putin's imminent visit to "
        "Pyongyang."
    )
    made = run_tui("annotate", A, "--quote", sentence, "--note", "the warning")
    assert made.returncode == 0, made.stderr
    assert run_tui("story", A, "--json").returncode == 0  # the story is known before the edit
    path = seed_library / f"{A}.txt"
    text = path.read_text(encoding="utf-8")
    start = text.index(sentence)
    path.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    story = json.loads(run_tui("story", A, "--json").stdout)
    (note,) = story["annotations"]
    assert note["status"] == "orphaned"
    assert [home["article_id"] for home in note["homes"]] == [B]
    exported = run_tui("export", "--story", A, "-o", "-")
    assert exported.returncode == 0, exported.stderr
    assert f"`{B}` (`reworded`)" in exported.stdout
