"""The command line through its real entry point (a subprocess), as users and scripts call it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_tui(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=full_env,
        timeout=120,
    )


def test_list_json_on_the_seeds() -> None:
    result = run_tui("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == [
        "000_097ad0791a11b944",
        "002_3b2e89bd4e21a8c9",
        "004_177cef035ac10641",
    ]
    first = rows[0]
    assert {"id", "title", "source", "author", "published", "words", "path"} <= first.keys()
    assert first["title"] == "Seoul cautions Moscow on Putin's NK visit"
    assert first["published"] == "2024-06-17T15:43:00+09:00"
    assert first["author"] == "Son Ji-hyoung"
    assert rows[1]["published"] is None
    assert all(isinstance(row["words"], int) and row["words"] > 100 for row in rows)
    assert result.stderr == ""


@pytest.mark.parametrize("order", ["before", "after"])
def test_global_options_before_or_after_the_subcommand(tmp_path: Path, order: str) -> None:
    (tmp_path / "one.txt").write_text("One headline\n\nOne body sentence.\n")
    options = ["--articles", str(tmp_path), "--db", str(tmp_path / "x.json")]
    args = [*options, "list", "--json"] if order == "before" else ["list", "--json", *options]
    result = run_tui(*args)
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == ["one"]


def test_articles_from_environment(tmp_path: Path) -> None:
    (tmp_path / "env.md").write_text("---\ntitle: From env\n---\nBody.\n")
    result = run_tui("list", "--json", env={"TUI_ARTICLES": str(tmp_path)})
    assert [row["title"] for row in json.loads(result.stdout)] == ["From env"]


def test_plain_list_is_readable_and_escapes_terminal_sequences(tmp_path: Path) -> None:
    (tmp_path / "evil.txt").write_text("Evil \x1b]0;pwned\x07 title [bold]x[/]\n\nBody text here.\n")
    result = run_tui("--articles", str(tmp_path), "list")
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout and "[bold]x[/]" in result.stdout


def test_skipped_files_reported_once_each_on_stderr(tmp_path: Path) -> None:
    shutil.copy(REPO / "articles" / "000_097ad0791a11b944.txt", tmp_path)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    result = run_tui("--articles", str(tmp_path), "list", "--json")
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert any("empty.txt: empty file" in line for line in lines)
    assert any("bin.txt: binary file" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_missing_articles_folder_is_one_line_exit_1(tmp_path: Path) -> None:
    result = run_tui("--articles", str(tmp_path / "nope"), "list")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "articles folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2_in_one_line() -> None:
    for args in (["frobnicate"], ["list", "--bogus"], ["dupes", "--kind", "cousin"]):
        result = run_tui(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("tui: error:"), result.stderr


def test_help_and_version() -> None:
    assert "list" in run_tui("--help").stdout
    assert run_tui("--version").stdout.startswith("tui ")


def test_console_script_is_installed() -> None:
    tui = shutil.which("tui", path=str(Path(sys.executable).parent))
    assert tui is not None, "the `tui` console script is not installed beside this Python"
    result = subprocess.run([tui, "list", "--json"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0 and len(json.loads(result.stdout)) == 3


def test_ids_and_paths_with_escapes_are_printed_inert(tmp_path: Path) -> None:
    shutil.copy(REPO / "articles" / "000_097ad0791a11b944.txt", tmp_path / "x\x1b]0;PWNED\x07y.txt")
    (tmp_path / "bad\x1b[2J.txt").write_bytes(b"")
    result = run_tui("--articles", str(tmp_path), "list")
    assert result.returncode == 0
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert "x\\x1b]0;PWNED\\x07y" in result.stdout


def test_file_system_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("a file where a folder should be")
    result = run_tui("export", "-o", str(tmp_path / "f" / "x.md"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tui: error:"), result.stderr
    assert "Traceback" not in result.stderr


def test_list_into_a_closed_pipe_exits_quietly() -> None:
    # `tui list | head -1`: the reader is gone before we write; like ls, say nothing and exit 0.
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""


def test_dependencies_are_pinned_to_what_the_code_uses() -> None:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = {Requirement(line).name.lower(): Requirement(line) for line in project["dependencies"]}
    # MinHash is a few numpy lines of ours now: no dependency is kept for an API the code no longer uses.
    assert "datasketch" not in requirements
    # Every library may move its API in a major release: each has an upper bound.
    unbounded = [
        name for name, req in requirements.items() if not any(s.operator == "<" for s in req.specifier)
    ]
    assert unbounded == []


def test_newlines_in_names_and_titles_cannot_forge_lines(tmp_path: Path) -> None:
    (tmp_path / "real\nfake_id   2024-01-01  Forged              999w  Forged.txt").write_text(
        "A headline\n\nA body sentence for the article.\n"
    )
    (tmp_path / "titled.md").write_text('---\ntitle: "Line one\\nforged line two"\n---\nBody text.\n')
    (tmp_path / "empty\ntui: skipped forged.txt").write_text("")
    result = run_tui("--articles", str(tmp_path), "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, lines
    assert any("real\\nfake_id" in line for line in lines)
    assert any("Line one\\nforged line two" in line for line in lines)
    assert result.stderr.count("\n") == 1 and "empty\\ntui: skipped forged" in result.stderr


def test_a_file_name_that_is_not_utf8_is_skipped_in_one_line(tmp_path: Path) -> None:
    """Its bytes come back as lone surrogates, which no id, cache or JSON can hold: the rest is read."""
    (tmp_path / "good.md").write_text("# A headline\n\nA body sentence for the article.\n")
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.md"), "w") as handle:
        handle.write("# Another\n\nAnother body.\n")
    for args in (["list"], ["list", "--json"], ["-v", "list", "--json"]):
        result = run_tui("--articles", str(tmp_path), "--cache-dir", str(tmp_path / "cache"), *args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "good" in result.stdout and "Another" not in result.stdout
    assert "bad\\udcff.md: its name is not valid UTF-8" in result.stderr


def test_tui_list_imports_neither_the_shell_nor_the_engine(tmp_path: Path) -> None:
    """The command modules import their heavy parts inside the commands: a listing pays for none."""
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"main(['list', '--articles', {str(tmp_path)!r}, '--cache-dir', {str(tmp_path / 'cache')!r},"
        f" '--state-dir', {str(tmp_path / 'state')!r}])\n"
        "heavy = ('textual', 'rich', 'numpy', 'scipy', 'tui.similarity', 'tui.intake.extract', 'tui.app')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_its_function() -> None:
    from tui.cli import COMMANDS
    from tui.cli.parser import build_parser

    subparsers = build_parser()._subparsers
    assert subparsers is not None
    choices = subparsers._group_actions[0].choices  # the subcommands argparse knows
    assert choices is not None
    commands = set(choices)
    assert set(commands) | {None} == set(COMMANDS)


def test_json_safe_escapes_only_the_unsafe_characters_ascii_or_not() -> None:
    from tui.text_safety import json_safe

    for safe in (b'{"a": "plain"}', '{"a": "café — 東京"}'.encode()):
        assert json_safe(safe) is safe
    assert json_safe(b'{"a": "x\x7fy"}') == b'{"a": "x\\u007fy"}'
    assert json_safe('{"a": "é\u202eb\u0085"}'.encode()) == b'{"a": "\xc3\xa9\\u202eb\\u0085"}'


def test_tui_list_runs_no_cyclic_collection_and_leaves_the_collector_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc
    import traceback

    from tui.cli import main

    for number in range(1500):
        (tmp_path / f"{number:04}.txt").write_text(f"Title {number}\n\nThe body of story {number}.\n")
    argv = ["list", "--json", "--articles", str(tmp_path), "--cache-dir", str(tmp_path / "cache")]
    main(argv)  # cold: the cache is written
    capsys.readouterr()
    collections: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and any(frame.name == "cmd_list" for frame in traceback.extract_stack()):
            collections.append(phase)  # argument parsing, before the command, may collect

    gc.collect()
    gc.callbacks.append(note)
    try:
        main(argv)
    finally:
        gc.callbacks.remove(note)
    assert len(json.loads(capsys.readouterr().out)) == 1500
    assert collections == [] and gc.isenabled()


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7])
def test_json_written_in_chunks_is_the_json_written_whole(
    count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli.common import emit_json, emit_json_items

    items = [{"id": f"a/{n}", "title": f"T\u202e{n}", "n": n, "list": [n, None]} for n in range(count)]
    emit_json(items)
    whole = capsys.readouterr().out
    emit_json_items(iter(items), chunk=2)
    assert capsys.readouterr().out == whole


def test_a_warm_tui_list_does_not_import_the_parser(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A title\n\nThe body of a story. A second sentence.\n")
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"main(['list', '--articles', {str(tmp_path)!r}, '--cache-dir', {str(tmp_path / 'cache')!r},"
        f" '--state-dir', {str(tmp_path / 'state')!r}])\n"
        "print('tui.library.parsing' in sys.modules)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True) for _ in "ab"
    ]
    assert [run.stdout.splitlines()[-1] for run in runs] == ["True", "False"]  # cold parses, warm does not
    assert runs[0].stdout.splitlines()[0] == runs[1].stdout.splitlines()[0]
