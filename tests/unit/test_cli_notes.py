"""`tui annotate`, `tui notes`, `tui export` and `tui import`: the contract scripts rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import pytest

from tui.cli import main as run
from tui.export.markdown import MARKER

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "000_097ad0791a11b944"
EARLY = "Seoul has warned Moscow"
LATE = "Yoon administration"


class Cli(Protocol):
    """The `tui` fixture: the CLI run in-process with these arguments, as (exit code, stdout, stderr)."""

    def __call__(self, *args: str) -> tuple[int, str, str]: ...


@pytest.fixture
def tui(seed_library: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process on a copy of the seeds: (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        code = run(["--articles", str(seed_library), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def test_annotate_prints_the_new_id_and_notes_are_in_text_order(tui: Cli) -> None:
    code, late_id, _ = tui("annotate", ARTICLE, "--quote", LATE, "--note", "check", "--tag", "politics")
    assert code == 0 and len(late_id.strip()) == 36
    code, early_id, _ = tui("annotate", ARTICLE, "--quote", EARLY, "--color", "green")
    assert code == 0
    code, out, _ = tui("notes", "--json")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [early_id.strip(), late_id.strip()]
    required = {"id", "article_id", "quote", "note", "color", "tags", "status", "start", "end", "created"}
    assert required <= rows[0].keys()
    assert (rows[0]["quote"], rows[0]["color"], rows[0]["status"]) == (EARLY, "green", "anchored")
    assert (rows[1]["note"], rows[1]["tags"]) == ("check", ["politics"])
    code, text, _ = tui("notes", ARTICLE)
    assert code == 0 and text.index(EARLY) < text.index(LATE) and "#politics" in text


@pytest.mark.parametrize(
    "args",
    [
        ("annotate", "no-such-article", "--quote", "x"),
        ("annotate", ARTICLE, "--quote", "words that are not in the article"),
        ("annotate", ARTICLE, "--quote", "Russia"),  # many times: needs --occurrence
        ("annotate", ARTICLE, "--quote", "Russia", "--occurrence", "999"),
        ("annotate", ARTICLE, "--quote", EARLY, "--color", "pink"),
        ("notes", "no-such-article"),
        ("export", "no-such-article"),
        ("import", "no-such-file.jsonld"),
    ],
)
def test_bad_requests_are_one_line_exit_2(tui: Cli, args: tuple[str, ...]) -> None:
    code, out, err = tui(*args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("tui: error:") and "Traceback" not in err


def test_occurrence_picks_the_nth_copy(tui: Cli) -> None:
    tui("annotate", ARTICLE, "--quote", "Russia", "--occurrence", "2")
    tui("annotate", ARTICLE, "--quote", "Russia", "--occurrence", "1")
    _, out, _ = tui("notes", "--json")
    first, second = json.loads(out)
    assert first["start"] < second["start"] and first["quote"] == second["quote"] == "Russia"


def test_quote_matches_across_whitespace_and_quote_marks(tui: Cli) -> None:
    code, _, err = tui("annotate", ARTICLE, "--quote", "Seoul  has\nwarned   Moscow")
    assert code == 0, err


def test_edited_article_shows_moved_and_orphaned(tui: Cli, seed_library: Path) -> None:
    tui("annotate", ARTICLE, "--quote", EARLY)
    tui("annotate", ARTICLE, "--quote", LATE)
    path = seed_library / f"{ARTICLE}.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(LATE, "government").replace(EARLY, "An added opening line. " + EARLY, 1))
    _, out, _ = tui("notes", "--json")
    statuses = {row["quote"]: (row["status"], row["start"]) for row in json.loads(out)}
    assert statuses[EARLY][0] == "moved" and statuses[LATE] == ("orphaned", None)


def test_export_import_round_trip(tui: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tui("annotate", ARTICLE, "--quote", EARLY, "--note", "why it matters", "--tag", "x")
    tui("annotate", "004_177cef035ac10641", "--quote", "Kazakhstan")
    code, out, _ = tui("export")
    files = [Path(line) for line in out.splitlines()]
    assert code == 0 and len(files) == 2 and all(f.parent == tmp_path / "notes" for f in files)
    assert all(MARKER in f.read_text(encoding="utf-8") for f in files)
    code, out, _ = tui("export", ARTICLE, "-o", str(tmp_path / "one.md"))
    assert code == 0 and "why it matters" in (tmp_path / "one.md").read_text(encoding="utf-8")
    code, out, _ = tui("export", "--format", "json", "-o", str(tmp_path / "all.jsonld"))
    assert code == 0
    _, before, _ = tui("notes", "--json")

    monkeypatch.setenv("TUI_DB", str(tmp_path / "elsewhere.json"))
    code, out, _ = tui("import", str(tmp_path / "all.jsonld"))
    assert code == 0 and "2 added" in out
    code, out, _ = tui("import", str(tmp_path / "all.jsonld"))
    assert "0 added" in out and "2 unchanged" in out
    _, after, _ = tui("notes", "--json")
    assert json.loads(after) == json.loads(before)


def test_damaged_store_is_a_one_line_error_and_left_alone(tui: Cli, tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    db.write_text('{"annotations": {', encoding="utf-8")
    for args in (("notes",), ("annotate", ARTICLE, "--quote", EARLY)):
        code, _, err = tui(*args)
        assert code == 1 and err.count("\n") == 1 and "cut short" in err and "read-only" in err
    assert db.read_text(encoding="utf-8") == '{"annotations": {'


def test_real_entry_point_annotate_and_notes(seed_library: Path) -> None:
    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", "--articles", str(seed_library), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )

    made = call("annotate", ARTICLE, "--quote", EARLY)
    assert made.returncode == 0, made.stderr
    listed = call("notes", "--json")
    assert json.loads(listed.stdout)[0]["id"] == made.stdout.strip()


def test_a_unique_id_prefix_works_for_notes_and_export(tui: Cli, tmp_path: Path) -> None:
    tui("annotate", "000", "--quote", EARLY)
    code, out, _ = tui("notes", "000", "--json")
    assert code == 0 and json.loads(out)[0]["article_id"] == ARTICLE
    code, out, _ = tui("export", "000", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 1


def test_an_emptied_store_is_refused_and_its_backup_survives(tui: Cli, tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    assert tui("annotate", ARTICLE, "--quote", EARLY)[0] == 0
    assert tui("annotate", ARTICLE, "--quote", LATE)[0] == 0  # a second session backs up the first
    db.write_bytes(b"")
    for _ in range(5):
        code, _, err = tui("annotate", ARTICLE, "--quote", "Putin in 2000")
        assert code == 1 and err.count("\n") == 1 and "empty file" in err and "last good backup" in err
    assert db.read_bytes() == b""
    backups = list((tmp_path / "annotations.backups").glob("*.json"))
    assert backups and EARLY in backups[-1].read_text(encoding="utf-8")


def test_a_db_path_through_a_file_is_a_one_line_error(tui: Cli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    code, _, err = tui("--db", str(tmp_path / "f" / "db.json"), "notes")
    assert code == 1 and err.count("\n") == 1 and "cannot be read" in err


def test_json_export_never_overwrites_a_users_file(tui: Cli, tmp_path: Path) -> None:
    tui("annotate", ARTICLE, "--quote", EARLY)
    mine = tmp_path / "mine.md"
    mine.write_text("mine\n", encoding="utf-8")
    code, _, err = tui("export", "--format", "json", "-o", str(mine))
    assert code == 2 and err.count("\n") == 1 and mine.read_text(encoding="utf-8") == "mine\n"


def test_a_decomposed_quote_is_found(tui: Cli, seed_library: Path) -> None:
    import unicodedata

    (seed_library / "fr.txt").write_text(
        "Le café ferme\n\nLe café de Séoul ferme ses portes après trente ans de service.\n",
        encoding="utf-8",
    )
    code, _, err = tui("annotate", "fr", "--quote", unicodedata.normalize("NFD", "café de Séoul"))
    assert code == 0, err
    _, listed, _ = tui("notes", "fr", "--json")
    assert json.loads(listed)[0]["quote"] == "café de Séoul"


def test_export_lists_what_it_wrote_and_names_what_it_could_not(
    tui: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from tui.durable import write_atomically as real_write
    from tui.export import notes as export_module

    notes = str(tmp_path / "out")
    assert tui("annotate", ARTICLE, "--quote", EARLY)[0] == 0
    assert tui("annotate", "004", "--quote", "Russia", "--occurrence", "1")[0] == 0

    def write(
        path: Path, chunks: Iterable[bytes], *, free_later: bool = False, overwrite: bool = True
    ) -> None:
        if path.name.startswith("Seoul"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, chunks, free_later=free_later, overwrite=overwrite)

    monkeypatch.setattr(export_module, "write_atomically", write)
    code, out, err = tui("export", "-o", notes)
    assert code == 1
    assert len(out.splitlines()) == 1 and "As Putin visits" in out
    assert err.count("\n") == 1 and "1 written, 1 not exported" in err and ARTICLE in err, err


def test_a_caption_can_be_annotated_and_is_placed_as_a_caption(tui: Cli) -> None:
    code, made, err = tui("annotate", "004", "--quote", "Russia's Far East on Sept. 13")
    assert code == 0, err
    code, out, _ = tui("notes", "004", "--json")
    (row,) = json.loads(out)
    assert row["id"] == made.strip() and row["status"] == "anchored"
    assert row["current"] == "Russia’s Far East on Sept. 13" and row["caption"] == 1
    assert row["paragraph"] is None
    code, text, _ = tui("notes", "004")
    assert "caption 1" in text


def test_export_flavor_switch(tui: Cli) -> None:
    code, made, _ = tui("annotate", ARTICLE, "--quote", EARLY)
    assert code == 0
    code, logseq, _ = tui("export", "--flavor", "logseq", "-o", "-")
    assert code == 0 and f"  id:: {made.strip()}" in logseq and "^h-" not in logseq
    code, obsidian, _ = tui("export", "-o", "-")
    assert code == 0 and "^h-" in obsidian and "id::" not in obsidian
    assert tui("export", "--flavor", "roam")[0] == 2


def _orphan(tui: Cli, seed_library: Path) -> str:
    """An annotation on LATE, orphaned by an edit of the article that rewords it."""
    _, made, _ = tui("annotate", ARTICLE, "--quote", LATE, "--note", "keep me", "--tag", "politics")
    path = seed_library / f"{ARTICLE}.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(LATE, "government"), encoding="utf-8")
    return made.strip()


def test_reattach_places_an_orphan_again_keeping_its_note(tui: Cli, seed_library: Path) -> None:
    orphan = _orphan(tui, seed_library)
    code, out, err = tui("reattach", orphan[:8], "--quote", EARLY)
    assert code == 0, err
    assert out.startswith(orphan) and ARTICLE in out
    _, listed, _ = tui("notes", "--json")
    (row,) = json.loads(listed)
    assert (row["status"], row["quote"], row["note"], row["tags"]) == (
        "anchored",
        EARLY,
        "keep me",
        ["politics"],
    )


def test_reattach_into_another_article(tui: Cli, seed_library: Path) -> None:
    orphan = _orphan(tui, seed_library)
    code, _, err = tui("reattach", orphan, "--quote", "Kazakhstan", "--article", "004_177cef035ac10641")
    assert code == 0, err
    _, listed, _ = tui("notes", "004_177cef035ac10641", "--json")
    assert [(row["id"], row["status"]) for row in json.loads(listed)] == [(orphan, "anchored")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("nosuchid", "--quote", EARLY), "no annotation with id"),
        (("{id}", "--quote", "words that are nowhere"), "quote not found"),
        (("{id}", "--quote", "the", "--occurrence", "999"), "--occurrence 999"),
        (("{id}", "--quote", EARLY, "--article", "no-such-article"), "unknown article id"),
    ],
)
def test_reattach_bad_input_is_one_line_exit_2_and_changes_nothing(
    tui: Cli, seed_library: Path, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    orphan = _orphan(tui, seed_library)
    before = (tmp_path / "annotations.json").read_bytes()
    code, out, err = tui("reattach", *(arg.replace("{id}", orphan) for arg in args))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert (tmp_path / "annotations.json").read_bytes() == before
