"""A year of feeds: `tui list` on a library of ~95,000 articles, beside the Reuters library it grows from.

    python bench/big_library.py build FOLDER            # write the big library into FOLDER (once)
    python bench/big_library.py measure FOLDER [--runs 3]  # the figures, at 19k and at 95k
    python bench/big_library.py profile FOLDER [--cold]    # where `tui list` spends, in one process

The big library is Reuters-21578 as it is (`../shared/bench/reuters/`, 19,043 stories) plus four
copies of it, each with every word renamed by its own fixed random permutation of the vocabulary
(seed 2026): the same lengths, word frequencies and in-copy repeats, but no text shared across
copies, so no copy is a duplicate of another. Figures and punctuation are kept. Copy 0 is the
original; copy k lives in `FOLDER/copy-k/reut2-NNN/NEWID.md`. The data is read from the shared
folder and written only to FOLDER, never into the project.

`measure` runs, as child processes in one run (wall time and peak RSS from `wait4`), for the Reuters
folder and for FOLDER: the raw read of every file (the baseline), `tui list --json` cold (empty
cache) and warm. Targets at 95k: warm <= 1.5 s, cold <= 10 s, peak <= 1.5 GB.
`--before DIR` also runs the same commands with another checkout of the code (say, `git archive` of
the commit before a change, unpacked into DIR) first on PYTHONPATH: a before/after in one run.
`--reuters DIR` names the Reuters library where it is not beside the repository.

`profile` runs `tui list --json` in this one process under cProfile (a cold run parses every file
here, not in worker processes, so the profile sees all of it) and prints the functions that take most.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REUTERS = HERE.parent.parent / "shared" / "bench" / "reuters"
SEED = 2026
COPIES = 4  # renamed copies beside the original
WORD = re.compile(r"[A-Za-z]+")
TITLE_LINE = re.compile(r'^title: "(.*)"$', re.MULTILINE)
TARGETS = {"cold": 10.0, "warm": 1.5, "peak_mb": 1536.0}

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


# --------------------------------------------------------------------------- build


def _stories(source: Path) -> list[tuple[str, str]]:
    """(relative path, text) of every story, in a fixed order."""
    files = sorted(source.glob("reut2-*/*.md"))
    return [(str(path.relative_to(source)), path.read_text(encoding="utf-8")) for path in files]


def _vocabulary(stories: list[tuple[str, str]]) -> list[str]:
    """Every distinct word (lower case) of the corpus, sorted: the permutations' domain."""
    words: set[str] = set()
    for _relative, text in stories:
        words.update(word.lower() for word in WORD.findall(text))
    return sorted(words)


def _renamer(vocabulary: list[str], rng: random.Random) -> Callable[[str], str]:
    """A function renaming every word of a text by one random permutation, keeping its case."""
    shuffled = vocabulary[:]
    rng.shuffle(shuffled)
    mapping = dict(zip(vocabulary, shuffled, strict=True))

    def rename(match: re.Match[str]) -> str:
        word = match.group()
        new = mapping[word.lower()]
        if word.isupper() and len(word) > 1:
            return new.upper()
        if word[0].isupper():
            return new.capitalize()
        return new

    return lambda text: WORD.sub(rename, text)


def _renamed_story(text: str, rename: Callable[[str], str]) -> str:
    """The story with its title and body renamed; the front matter's keys, source and date kept."""
    _open, front, body = text.split("---\n", 2)
    front = TITLE_LINE.sub(lambda m: f'title: "{rename(m.group(1))}"', front)
    return f"---\n{front}---\n{rename(body)}"


def build(folder: Path) -> int:
    """Write the big library into folder; the number of files written."""
    if not REUTERS.is_dir():
        raise SystemExit(f"big_library.py: the Reuters library is not at {REUTERS}")
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"big_library.py: {folder} is not empty; give a new folder")
    stories = _stories(REUTERS)
    vocabulary = _vocabulary(stories)
    rng = random.Random(SEED)
    written = 0
    for copy in range(COPIES + 1):
        rename = _renamer(vocabulary, rng) if copy else (lambda text: text)
        for relative, text in stories:
            target = folder / f"copy-{copy}" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_renamed_story(text, rename) if copy else text, encoding="utf-8")
            written += 1
    return written


# --------------------------------------------------------------------------- measure


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of one child process, its own worker
    processes included. CPU time is the steadier figure on a shared machine: wall time there
    also counts the waits for a core."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # Run from a neutral folder: the current one comes first on sys.path and would choose the code.
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tempfile.gettempdir())
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}\n{err.read().decode(errors='replace')}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().decode()


def measure_library(library: Path, runs: int, before: Path | None) -> dict[str, tuple[float, float, float]]:
    """Median wall and CPU seconds and max peak MB of each run kind, all in this one run."""
    cache = Path(tempfile.mkdtemp(prefix="tui-bench-cache-"))
    env = {**os.environ, "TUI_CACHE": str(cache)}
    tui = [
        sys.executable,
        "-m",
        "tui",
        "--articles",
        str(library),
        "--cache-dir",
        str(cache),
        "list",
        "--json",
    ]
    raw = [sys.executable, "-c", RAW_READ, str(library)]
    rows: dict[str, list[tuple[float, float, float]]] = {"raw read": [], "cold": [], "warm": []}
    before_env = {**env, "PYTHONPATH": str(before)} if before is not None else None
    if before_env is not None:
        rows |= {"cold, before": [], "warm, before": []}
    count = 0
    try:
        for _ in range(runs):
            rows["raw read"].append(run_child(raw, env)[:3])
            shutil.rmtree(cache, ignore_errors=True)
            seconds, cpu, rss, out = run_child(tui, env)
            count = len(json.loads(out))
            rows["cold"].append((seconds, cpu, rss))
            rows["warm"].append(run_child(tui, env)[:3])
            if before_env is not None:
                shutil.rmtree(cache, ignore_errors=True)
                rows["cold, before"].append(run_child(tui, before_env)[:3])
                rows["warm, before"].append(run_child(tui, before_env)[:3])
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    result = {
        name: (
            statistics.median(s for s, _, _ in v),
            statistics.median(c for _, c, _ in v),
            max(m for *_, m in v),
        )
        for name, v in rows.items()
    }
    result["count"] = (float(count), 0.0, 0.0)
    return result


def measure(folder: Path, runs: int, before: Path | None) -> None:
    print(f"median of {runs} runs, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'library':<10}{'articles':>9}  {'run':<14}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'x raw read':>12}"
    )
    verdicts: list[str] = []
    for name, library in (("reuters", REUTERS), ("big", folder)):
        figures = measure_library(library, runs, before)
        count = int(figures.pop("count")[0])
        raw_seconds = figures["raw read"][0]
        for run, (seconds, cpu, peak) in figures.items():
            print(
                f"{name:<10}{count:>9}  {run:<14}{seconds:>8.2f}{cpu:>8.2f}{peak:>9.0f}{seconds / raw_seconds:>12.1f}"
            )
        if name == "big":
            cold, warm = figures["cold"][0], figures["warm"][0]
            peak = max(figures["cold"][2], figures["warm"][2])
            verdicts = [
                f"cold {cold:.2f} s <= {TARGETS['cold']:g} s {'OK' if cold <= TARGETS['cold'] else 'MISSED'}",
                f"warm {warm:.2f} s <= {TARGETS['warm']:g} s {'OK' if warm <= TARGETS['warm'] else 'MISSED'}",
                f"peak {peak:.0f} MB <= {TARGETS['peak_mb']:.0f} MB "
                f"{'OK' if peak <= TARGETS['peak_mb'] else 'MISSED'}",
            ]
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("targets (95k): " + "; ".join(verdicts))


def profile(folder: Path, cold: bool, top: int) -> None:
    """`tui list --json` on folder in this process under cProfile; the `top` functions by own time
    and by cumulative time on stderr."""
    import cProfile
    import pstats
    from contextlib import redirect_stdout

    from tui.cli import main as tui_main
    from tui.library import loader

    cache = Path(tempfile.mkdtemp(prefix="tui-bench-cache-"))
    argv = ["--articles", str(folder), "--cache-dir", str(cache), "--state-dir", str(cache), "list", "--json"]
    loader.PARALLEL_MIN_FILES = sys.maxsize  # every parse in this process, where the profiler is
    try:
        with open(os.devnull, "w") as nowhere, redirect_stdout(nowhere):
            if not cold:
                tui_main(argv)  # the cache the warm run reads
            profiler = cProfile.Profile()
            profiler.runcall(tui_main, argv)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="write the big library into a new folder")
    build_command.add_argument("folder", type=Path)
    measure_command = commands.add_parser("measure", help="tui list at 19k and 95k, beside a raw read")
    measure_command.add_argument("folder", type=Path)
    measure_command.add_argument("--runs", type=int, default=3)
    measure_command.add_argument("--before", type=Path, default=None, help="another checkout of the code")
    for command in (build_command, measure_command):
        command.add_argument("--reuters", type=Path, default=None, help="the Reuters library's folder")
    profile_command = commands.add_parser("profile", help="tui list under cProfile, in one process")
    profile_command.add_argument("folder", type=Path)
    profile_command.add_argument("--cold", action="store_true", help="from an empty cache")
    profile_command.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    if getattr(args, "reuters", None) is not None:
        global REUTERS
        REUTERS = args.reuters.resolve()
    if args.command == "build":
        start = time.perf_counter()
        written = build(args.folder)
        print(f"{written} files written to {args.folder} in {time.perf_counter() - start:.1f} s")
    else:
        if not args.folder.is_dir():
            raise SystemExit(f"big_library.py: no library at {args.folder} (run `build` first)")
        if args.command == "profile":
            profile(args.folder, args.cold, args.top)
        else:
            measure(args.folder, args.runs, args.before)


if __name__ == "__main__":
    main()
