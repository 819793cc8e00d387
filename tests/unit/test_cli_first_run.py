"""A first run of `tui`: no articles folder (the way on, or an offer to create it on a terminal), and
skipped files said once per change rather than on every command."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_tui(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_no_articles_folder_says_how_to_start(tmp_path: Path) -> None:
    result = run_tui(tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "articles folder not found: articles" in result.stderr
    assert "mkdir articles" in result.stderr and "tui add URL-or-FILE" in result.stderr
    assert "tui feeds add URL" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "articles").exists()


def _answer_on_a_terminal(tmp_path: Path, answer: bytes) -> str:
    """Run `tui` on a pseudo-terminal, answer its question, and return what it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: `tui` in the temporary folder, data paths in it too
        os.chdir(tmp_path)
        for name, folder in (("TUI_CACHE", "cache"), ("TUI_STATE", "state"), ("TUI_CONFIG", "config")):
            os.environ[name] = str(tmp_path / folder)
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "tui"])
    seen = b""
    deadline = time.monotonic() + 30
    answered = quitting = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"Create it? [Y/n]" in seen:
            os.write(fd, answer)
            answered = True
        elif answered and b"No articles yet" in seen and not quitting:
            os.write(fd, b"q")  # the app opened on the empty library: leave it
            quitting = True
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
    else:
        os.kill(pid, 9)
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass
    os.close(fd)
    return seen.decode("utf-8", "replace")


def test_on_a_terminal_tui_offers_to_create_the_folder(tmp_path: Path) -> None:
    shown = _answer_on_a_terminal(tmp_path, b"n\n")
    assert "no articles folder at articles. Create it? [Y/n]" in shown
    assert not (tmp_path / "articles").exists()
    shown = _answer_on_a_terminal(tmp_path, b"\n")
    assert (tmp_path / "articles").is_dir()
    assert "created articles" in shown
    assert "No articles yet" in shown  # the app opened on it, saying how to add articles


def test_skipped_files_are_said_once_per_change_or_with_verbose(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(REPO / "articles" / "000_097ad0791a11b944.txt", articles)
    (articles / "empty.txt").write_text("")
    first = run_tui(tmp_path, "list")
    assert "empty.txt: empty file" in first.stderr
    again = run_tui(tmp_path, "list")
    assert again.returncode == 0 and again.stderr == ""
    assert run_tui(tmp_path, "notes").stderr.count("empty.txt") == 0  # other commands too
    assert "empty.txt: empty file" in run_tui(tmp_path, "list", "--verbose").stderr
    (articles / "binary.txt").write_bytes(b"\x00\x01binary")
    changed = run_tui(tmp_path, "list")
    assert "binary.txt" in changed.stderr and "empty.txt" in changed.stderr
