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
