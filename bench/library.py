"""Library load speed: `tui list --json`, cold and warm, against reading the raw files.

    python bench/library.py [--corpus bbc|reuters] [--articles FOLDER] [--runs 3]

Prints wall time, articles per second and peak memory (max RSS of the child process) for a cold
start (empty cache) and a warm one, next to the baselines measured in the same run: a Python process
that only walks the folder and reads every file's bytes, and one that only walks it and stats every
file (the least a listing that notices edited files can do). "warm, articles" is the warm load of
the articles themselves, text and all (what the app and the other commands do), for comparison.
Targets: BBC (2,225 articles, issue 2) cold < 2 s, warm < 0.5 s, peak memory < 150 MB; Reuters
(19,043 stories, issue 9) cold < 4 s, warm < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DATA = HERE.parent.parent / "shared" / "bench"
# (cold s, warm s, peak MB or None) per corpus
TARGETS: dict[str, tuple[float, float, float | None]] = {
    "bbc": (2.0, 0.5, 150.0),
    "reuters": (4.0, 0.5, None),
}

RAW_READ = """
import os, sys
n = 0
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.lower().endswith(('.txt', '.md')):
            with open(os.path.join(folder, name), 'rb') as handle:
                n += len(handle.read())
print(n)
"""

WALK_STAT = """
import os, sys
n = 0
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.lower().endswith(('.txt', '.md')):
            n += os.stat(os.path.join(folder, name)).st_size
print(n)
"""

LOAD_ARTICLES = """
import sys
from pathlib import Path
from tui.library.loader import load_library
print(len(load_library(Path(sys.argv[1]), Path(sys.argv[2]))))
"""


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one child process."""
    # stdout goes to a file, not a pipe: waiting on a child that fills a pipe would deadlock.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{err.read().decode(errors='replace')}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(TARGETS), default="bbc")
    parser.add_argument("--articles", type=Path, default=None, help="default: the corpus's folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.articles = args.articles or BENCH_DATA / args.corpus
    if not args.articles.is_dir():
        raise SystemExit(f"no library at {args.articles}")

    cache = Path(tempfile.mkdtemp(prefix="tui-bench-cache-"))
    env = {**os.environ, "TUI_CACHE": str(cache)}
    tui = [sys.executable, "-m", "tui", "--articles", str(args.articles), "list", "--json"]
    raw = [sys.executable, "-c", RAW_READ, str(args.articles)]
    walk_stat = [sys.executable, "-c", WALK_STAT, str(args.articles)]
    articles = [sys.executable, "-c", LOAD_ARTICLES, str(args.articles), str(cache)]
    bare = [sys.executable, "-c", "pass"]

    rows: dict[str, list[tuple[float, float]]] = {
        "python -c pass": [],
        "raw read": [],
        "walk + stat": [],
        "cold": [],
        "warm": [],
        "warm, articles": [],
    }
    count = 0
    for _ in range(args.runs):
        rows["python -c pass"].append(run_child(bare, env)[:2])
        rows["raw read"].append(run_child(raw, env)[:2])
        rows["walk + stat"].append(run_child(walk_stat, env)[:2])
        shutil.rmtree(cache, ignore_errors=True)
        seconds, rss, out = run_child(tui, env)
        count = len(json.loads(out))
        rows["cold"].append((seconds, rss))
        rows["warm"].append(run_child(tui, env)[:2])
        rows["warm, articles"].append(run_child(articles, env)[:2])
    shutil.rmtree(cache, ignore_errors=True)

    raw_seconds = statistics.median(s for s, _ in rows["raw read"])
    print(f"library: {args.articles} ({count} articles), median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'run':<16}{'wall s':>9}{'articles/s':>12}{'peak MB':>10}{'x raw read':>12}")
    for name, values in rows.items():
        seconds = statistics.median(s for s, _ in values)
        peak = max(m for _, m in values)
        print(f"{name:<16}{seconds:>9.3f}{count / seconds:>12.0f}{peak:>10.1f}{seconds / raw_seconds:>12.2f}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: every run compiles tui's modules again (10-25 ms)")
    cold = statistics.median(s for s, _ in rows["cold"])
    warm = statistics.median(s for s, _ in rows["warm"])
    peak = max(m for _, m in rows["cold"] + rows["warm"])
    cold_target, warm_target, peak_target = TARGETS[args.corpus]
    peak_verdict = (
        f"peak {peak:.0f} MB < {peak_target:.0f} MB {'OK' if peak < peak_target else 'MISSED'}"
        if peak_target is not None
        else f"peak {peak:.0f} MB"
    )
    print(
        f"targets ({args.corpus}): cold {cold:.2f} s < {cold_target:g} s {'OK' if cold < cold_target else 'MISSED'}; "
        f"warm {warm:.2f} s < {warm_target:g} s {'OK' if warm < warm_target else 'MISSED'}; {peak_verdict}"
    )


if __name__ == "__main__":
    main()
