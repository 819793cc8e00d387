"""Faults the store must survive: a writer killed at random moments, and two writers at once.

Each child process is a real Python process writing through AnnotationStore; an annotation counts
as acknowledged once the child has printed its id, which it does only after `add` returned.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.annotations import AnnotationStore

REPO = Path(__file__).resolve().parent.parent

WRITER = """
import sys, time
from pathlib import Path
from tui.library.parsing import article_from_text
from tui.annotations import AnnotationStore

db, count, start_at = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
article = article_from_text("Alpha beta gamma delta epsilon zeta eta theta iota kappa. " * 40, sys.argv[4])
store = AnnotationStore(db)
print("ready", flush=True)
while time.time() < start_at:
    time.sleep(0.001)
for i in range(count):
    start = (i * 7) % 2000
    made = store.add(article, start, start + 30, note=f"note {i}")
    print(made.id, flush=True)
"""


def spawn(db: Path, count: int, start_at: float, article_id: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(count), str(start_at), article_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def seed(db: Path, count: int) -> None:
    """A file big enough that a write takes a few milliseconds: kills land inside writes too."""
    from tui.annotations import Annotation
    from tui.library.parsing import article_from_text

    article = article_from_text("Some seeded text for the store to hold. " * 60, "seed")
    store = AnnotationStore(db)
    store.merge(
        Annotation.create(article, i % 2000, i % 2000 + 40, note="seeded " * 10) for i in range(count)
    )


def test_kill_at_random_moments_loses_no_acknowledged_annotation(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    seed(db, 1500)
    rng = random.Random(20)
    acknowledged: set[str] = set()
    for _ in range(20):
        child = spawn(db, 100_000, 0.0, "killed")
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        lines = [line for line in out.splitlines() if len(line) == 36]
        acknowledged.update(lines)

        reopened = AnnotationStore(db)
        assert reopened.problem is None, reopened.problem
        held = {annotation.id for annotation in reopened.for_article("killed")}
        assert acknowledged <= held, f"lost {len(acknowledged - held)} acknowledged annotations"
    assert len(acknowledged) > 20  # the children did write between kills
    assert len(AnnotationStore(db).for_article("seed")) == 1500


def test_two_processes_adding_500_each_keep_all_1000(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    start_at = time.time() + 1.5  # both start together, after their imports
    children = [spawn(db, 500, start_at, name) for name in ("first", "second")]
    ids: set[str] = set()
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        ids.update(line for line in out.splitlines() if len(line) == 36)
    assert len(ids) == 1000
    store = AnnotationStore(db)
    assert store.problem is None
    assert {annotation.id for annotation in store.all()} == ids
    assert store.counts_by_article() == {"first": 500, "second": 500}
