"""Hostile and slow servers, two writers at once, and damaged inputs, through the real command.

Every server is on 127.0.0.1; the slow ones are bounded and stop with the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from intake_web import LocalWeb, Trickler, article_html, article_keys, local_web_fixture, truth  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


def tui(
    tmp_path: Path, *args: str, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUI_ARTICLES": str(tmp_path / "articles"),
        "TUI_CACHE": str(tmp_path / "cache"),
        "TUI_STATE": str(tmp_path / "state"),
        "TUI_CONFIG": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


@pytest.fixture(name="trickler")
def trickler_fixture(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    mode, fast = request.param
    server = Trickler(mode=mode, interval=0.2, fast=fast)
    try:
        yield server
    finally:
        server.stop()


NO_ROBOTS = {"/robots.txt": b"User-agent: *\nAllow: /\n"}


@pytest.mark.parametrize(
    "trickler",
    [("body", NO_ROBOTS), ("headers", NO_ROBOTS), ("body", {})],
    ids=["trickled-body", "trickled-headers", "trickled-robots-txt"],
    indirect=True,
)
def test_a_trickling_server_is_stopped_at_the_deadline(trickler: Trickler, tmp_path: Path) -> None:
    # Before: the timeout was checked between 64 KiB blocks (a body took 302 s) and not at all for
    # headers or for the robots.txt read before the page.
    start = time.monotonic()
    done = tui(tmp_path, "add", trickler.url("/story.html"), "--timeout", "1.5", timeout=60)
    elapsed = time.monotonic() - start
    assert done.returncode == 1
    assert "timed out" in done.stderr
    assert elapsed < 6, elapsed  # 1.5 s for the request, robots.txt included, plus the start-up


@pytest.mark.parametrize("trickler", [("body", NO_ROBOTS)], indirect=True)
def test_a_trickling_feed_is_stopped_at_the_deadline(trickler: Trickler, tmp_path: Path) -> None:
    start = time.monotonic()
    done = tui(tmp_path, "feeds", "add", trickler.url("/feed.xml"), "--timeout", "1", timeout=60)
    assert done.returncode == 1 and "timed out" in done.stderr
    assert time.monotonic() - start < 6


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TUI_ARTICLES": str(tmp_path / "articles"),
        "TUI_CACHE": str(tmp_path / "cache"),
        "TUI_STATE": str(tmp_path / "state"),
        "TUI_CONFIG": str(tmp_path / "config"),
    }


def _together(tmp_path: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """The commands started at the same moment; their results."""
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=_env(tmp_path),
            text=True,
        )
        for command in commands
    ]
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _article_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "articles").glob("*.md"))


def test_four_adds_of_one_page_at_once_add_it_once(local_web: LocalWeb, tmp_path: Path) -> None:
    # Before: `… story`, `… 2`, `… 3`, `… 4`: each process decided on the library it had read at start.
    (key,) = article_keys(1)
    url = local_web.route("/story.html", article_html("One story", truth()[key]["articleBody"]))
    results = _together(tmp_path, [["add", url, "--ignore-robots"]] * 4)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len(_article_files(tmp_path)) == 1
    lines = [r.stdout for r in results]
    assert sum(line.startswith("added:") for line in lines) == 1
    assert sum("already in the library" in line for line in lines) == 3
