"""End to end: the real `tui` command in tmux, driven by keys like a user.

Highlight a sentence of 000_… with a note, export it with `e`, quit; then check annotations.json
and the Markdown file on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTICLE_ID = "000_097ad0791a11b944"
TMUX = shutil.which("tmux")

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it in .ci/run)")


def tui_command() -> str:
    beside_python = Path(sys.executable).parent / "tui"
    found = str(beside_python) if beside_python.exists() else shutil.which("tui")
    if found is None:
        pytest.skip("the `tui` command is not installed (pip install -e .)")
    return found


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-L", self.socket, "-f", os.devnull, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "e2e", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(0.2)

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    # A server of its own for each test: a name reused right after the last test's kill-server can
    # reach that server while it shuts down, and the new session dies with it (an empty screen).
    terminal = Terminal(f"tui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    yield terminal
    terminal.tmux("kill-server")


def wait_for_file(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.1)


def start_tui(terminal: Terminal, tmp_path: Path, size: tuple[int, int] = (100, 30)) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(REPO / "articles", articles)
    environment = " ".join(
        f"{name}={tmp_path / folder}" for name, folder in (("TUI_CACHE", "cache"), ("TUI_STATE", "state"))
    )
    command = (
        f"env -u COLUMNS -u LINES {environment} TERM=xterm-256color {tui_command()} "
        f"--articles {articles} --db {tmp_path / 'annotations.json'} --notes-dir {tmp_path / 'notes'}; sleep 5"
    )
    width, height = size
    terminal.tmux(
        "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), "-c", str(tmp_path), command
    )
    terminal.wait_for(lambda s: "Seoul cautions Mosc" in s and "3 articles" in s, "the library")


def test_highlight_note_and_export_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    start_tui(terminal, tmp_path)
    db, notes = tmp_path / "annotations.json", tmp_path / "notes"
    terminal.keys("/")
    terminal.type("Korea Herald")
    terminal.keys("Enter")  # Enter in the filter opens the first match: 000_…
    terminal.wait_for(lambda s: "Son Ji-hyoung" in s and "Similar articles" in s, "the reader")
    terminal.keys("j")  # the second sentence
    terminal.keys("a")
    terminal.wait_for(lambda s: "ctrl+s: save" in s, "the note editor")
    terminal.type("Chang quotes Seoul's warning.")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "ctrl+s: save" not in s, "the editor to close")
    terminal.keys("e")
    terminal.wait_for(lambda s: "Markdown for Obsidian" in s, "the export format dialog")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Exported notes to" in s, "the export message")
    terminal.keys("q", "q")
    terminal.wait_for(lambda s: "Seoul cautions" not in s, "the app to quit")

    wait_for_file(db)
    data = json.loads(db.read_text(encoding="utf-8"))
    annotations = list(data["annotations"].values())
    assert len(annotations) == 1
    saved = json.dumps(annotations[0])
    assert ARTICLE_ID in saved
    assert "Chang quotes Seoul's warning." in saved
    assert "National Security Adviser Chang Ho-jin told Yonhap News TV" in saved

    [markdown] = list(notes.glob("*.md"))
    text = markdown.read_text(encoding="utf-8")
    assert "Seoul cautions Moscow" in markdown.name or "Seoul cautions Moscow" in text
    assert "National Security Adviser Chang Ho-jin told Yonhap News TV" in text
    assert "Chang quotes Seoul's warning." in text


def test_a_burst_after_slash_and_a_paste_go_to_the_filter(terminal: Terminal, tmp_path: Path) -> None:
    start_tui(terminal, tmp_path)
    terminal.type("/herald")  # one write: the terminal delivers the keys together
    # The filter applies as keys arrive (after a short pause), so wait for the whole word: on a slow
    # machine "heral" may already show "1 of 3 articles".
    screen = terminal.wait_for(lambda s: "1 of 3 articles" in s and "herald" in s, "the filtered library")
    assert "Notes of" not in screen  # `l` did not open the notes
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Son Ji-hyoung" in s, "the reader")
    terminal.keys("q")
    terminal.wait_for(lambda s: "1 of 3 articles" in s and "Son Ji-hyoung" not in s, "the library again")
    terminal.keys("Escape")  # the list has the focus: Escape clears the filter
    terminal.wait_for(lambda s: "3 articles" in s and "1 of 3" not in s, "the whole library")
    terminal.tmux("set-buffer", "hankyoreh")
    terminal.keys("/")
    terminal.tmux("paste-buffer", "-p", "-t", "e2e")  # a bracketed paste, as a terminal sends one
    terminal.wait_for(lambda s: "1 of 3 articles" in s and "hankyoreh" in s, "the pasted filter")
    terminal.keys("q")


def test_compare_at_80x24_opens_with_the_cursor_in_view(terminal: Terminal, tmp_path: Path) -> None:
    start_tui(terminal, tmp_path, (80, 24))
    terminal.wait_for(lambda s: "rewrite" in s, "the near-duplicates")
    terminal.keys("/")
    terminal.type("herald")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Son Ji-hyoung" in s, "the reader")
    terminal.keys("g", "c")
    screen = terminal.wait_for(lambda s: "sentences match" in s, "Compare")
    # the cursor bar stands beside the first sentence, in view
    assert any(line.startswith("▌ Seoul has warned Moscow") for line in screen.splitlines()), screen
    terminal.keys("q", "q", "q")


def test_note_echoes_on_the_other_version_is_adopted_and_exported_in_tmux(
    terminal: Terminal, tmp_path: Path
) -> None:
    """Annotate 000_…, open its rewrite 002_…, see the echo, adopt it, export the story."""
    start_tui(terminal, tmp_path)
    db, notes = tmp_path / "annotations.json", tmp_path / "notes"
    terminal.keys("Enter")  # newest first: 000_…
    terminal.wait_for(lambda s: "Son Ji-hyoung" in s and "Similar articles" in s, "the reader")
    terminal.keys("a")  # a note on the first sentence
    terminal.wait_for(lambda s: "ctrl+s: save" in s, "the note editor")
    terminal.type("Seoul draws a line.")
    terminal.keys("C-s")
    terminal.wait_for(lambda s: "ctrl+s: save" not in s, "the editor to close")
    terminal.keys("q")
    terminal.wait_for(lambda s: "3 articles" in s and "Son Ji-hyoung" not in s, "the library again")
    terminal.keys("G", "Enter")  # newest first, undated last: 002_…, the rewrite
    terminal.wait_for(
        lambda s: "echo of a note from The Korea Herald (reworded here)" in s, "the echo on the rewrite"
    )
    terminal.keys("y")
    terminal.wait_for(lambda s: "Adopted" in s, "the adoption")
    terminal.keys("S")
    terminal.wait_for(lambda s: "carries" in s and "Versions" in s, "the story screen")
    terminal.keys("e")
    terminal.wait_for(lambda s: "Markdown for Logseq" in s, "the export format dialog")
    terminal.keys("o")
    terminal.wait_for(lambda s: "Exported the story to" in s, "the story export")
    terminal.keys("q", "q", "q")
    terminal.wait_for(lambda s: "Seoul cautions" not in s, "the app to quit")

    wait_for_file(db)
    annotations = list(json.loads(db.read_text(encoding="utf-8"))["annotations"].values())
    assert len(annotations) == 2
    original = next(a for a in annotations if a["article_id"] == ARTICLE_ID)
    adopted = next(a for a in annotations if a["article_id"] != ARTICLE_ID)
    assert adopted["linked_to"] == original["id"] and adopted["note"] == "Seoul draws a line."
    [markdown] = list(notes.glob("*.md"))
    text = markdown.read_text(encoding="utf-8")
    assert "story_id: s-" in text and text.count("Seoul draws a line.") == 2
    assert "`reworded` in `002_3b2e89bd4e21a8c9`" in text


def test_filter_then_search_and_highlight_a_phrase_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    """At 80x24, as a user types: `/As Putin visits` Enter opens that article (not one that only
    mentions the words); in it `/` a phrase Enter, `h` highlights the phrase itself; back, a new `/`
    starts a new filter (not the old one with more typed after it)."""
    start_tui(terminal, tmp_path, size=(80, 24))
    db = tmp_path / "annotations.json"
    terminal.keys("/")
    terminal.type("As Putin visits")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Hankyoreh" in s and "words" in s and "h Highlight" in s, "the article")
    terminal.keys("/")
    terminal.wait_for(lambda s: "Search this article" in s, "the search box")  # as a user sees it
    terminal.type("technological support")
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Match 1 of 1" in s, "the search")
    terminal.keys("h")
    terminal.wait_for(lambda s: "Highlighted" in s, "the highlight")
    wait_for_file(db)
    notes = json.loads(db.read_text())
    (annotation,) = notes["annotations"].values()
    quote = next(s for s in annotation["target"]["selector"] if s["type"] == "TextQuoteSelector")
    assert quote["exact"] == "technological support"
    assert annotation["article_id"] == "004_177cef035ac10641"
    terminal.keys("Escape", "Escape")  # the search, then the article
    terminal.wait_for(lambda s: "sorted by" in s or "best match" in s, "the library")
    terminal.keys("/")
    terminal.type("Seoul cautions")
    screen = terminal.wait_for(lambda s: "1 of 3 articles" in s, "the new filter")
    assert "As Putin visitsSeoul" not in screen
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Son Ji-hyoung" in s, "the article of the new filter")
    terminal.keys("q", "q")
    terminal.wait_for(lambda s: "Seoul cautions" not in s, "the app to quit")
