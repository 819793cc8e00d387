"""`tui notes` prints notes whole with their tags, and `tui notes` and `tui export` choose notes by
tag or text; subprocesses, as a user's shell runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

import pytest

ARTICLE = "000_097ad0791a11b944"


class Cli(Protocol):
    """The `tui` fixture: `python -m tui` run with these arguments (at this terminal width)."""

    def __call__(self, *args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]: ...


LONG_NOTE = (
    "Chang's warning reads as a signal to Moscow rather than a threat; compare the wording of June.\n"
    "Second line: check Yonhap's transcript for the exact phrase."
)


@pytest.fixture
def tui(seed_library: Path, tmp_path: Path) -> Cli:
    def call(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
        environment = dict(os.environ)
        if columns is not None:
            environment["COLUMNS"] = str(columns)
        return subprocess.run(
            [sys.executable, "-m", "tui", "--articles", str(seed_library), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            check=False,
        )

    return call


def annotate(tui: Cli, quote: str, *extra: str) -> None:
    result = tui("annotate", ARTICLE, "--quote", quote, *extra)
    assert result.returncode == 0, result.stderr


def test_notes_are_printed_whole_with_their_tags(tui: Cli) -> None:
    assert len(LONG_NOTE) > 120
    annotate(tui, "Seoul has warned Moscow", "--note", LONG_NOTE, "--tag", "russia", "--tag", "doubt")
    shown = tui("notes").stdout  # piped: as it is
    assert (
        "Chang's warning reads as a signal to Moscow rather than a threat; compare the wording of June."
        in shown
    )
    assert "Second line: check Yonhap's transcript for the exact phrase." in shown
    assert "#russia #doubt" in shown


def test_notes_and_export_choose_notes_by_tag_and_text(tui: Cli, tmp_path: Path) -> None:
    annotate(tui, "Seoul has warned Moscow", "--note", "the warning", "--tag", "russia/diplomacy")
    annotate(tui, "Yoon administration", "--note", "who governs", "--tag", "politics")
    annotate(tui, "Chang Ho-jin", "--tag", "people")

    def quotes(*args: str) -> list[str]:
        result = tui("notes", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [row["quote"] for row in json.loads(result.stdout)]

    assert quotes("--tag", "russia") == ["Seoul has warned Moscow"]  # nested tags count
    assert quotes("--tag", "#Politics", "--tag", "people") == ["Chang Ho-jin", "Yoon administration"]
    assert quotes("--text", "GOVERNS") == ["Yoon administration"]
    assert quotes("--tag", "nothing") == []
    none = tui("notes", "--tag", "nothing")
    assert none.returncode == 0 and "no annotations match" in none.stderr

    markdown = tui("export", "--tag", "politics", "-o", "-")
    assert markdown.returncode == 0, markdown.stderr
    assert "Yoon administration" in markdown.stdout and "Seoul has warned Moscow" not in markdown.stdout
    jsonld = json.loads(tui("export", "--format", "json", "--tag", "people").stdout)
    assert jsonld["total"] == 1
    written = tui("export", "--tag", "russia", "--notes-dir", str(tmp_path / "notes"))
    assert written.returncode == 0, written.stderr
    (path,) = (tmp_path / "notes").iterdir()
    assert path.name == "Notes tagged russia.md"
    assert "Seoul has warned Moscow" in path.read_text() and "Yoon administration" not in path.read_text()
