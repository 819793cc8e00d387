"""The near-duplicate index at scale: cold, warm, and after a day's new articles, with same-run baselines.

On a library folder (Reuters-21578 by default; the 95,214-article library that `big_library.py`
builds for the year-of-feeds figures), each as a fresh child process, wall time and peak memory:
- raw read of every file (baseline) and `tui list --json` warm (baseline);
- `tui dupes --json` cold (empty cache: every article parsed, the index built) and warm;
- `tui dupes --json` after 100 new articles arrive: 50 new versions of stories already there (a
  sentence reworded, one added) and 50 new stories (BBC articles);
- the same grown library indexed from an empty cache: its pairs must be those of the kept index
  (a full rebuild and the incremental index agree, or the run fails);
- with `--previous DIR` (a checkout of the previous code), the previous code's cold, warm and
  after-100 runs in the same way.

The library is not copied: the bench reads it through a folder of symbolic links, beside which the new
articles are written. Target (issue "a year of feeds", 95k): cold <= 180 s, warm <= 2 s, after 100 new
<= 8 s, peak <= 1.5 GB; Reuters: cold <= 30 s and 600 MB, warm <= 1 s.

    python bench/index_scale.py [--library FOLDER] [--previous CHECKOUT] [--skip-cold-previous] [--skip-rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import big_library  # beside this script: its child runner

BENCH_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench"
RAW_READ = """
import os, sys
total = 0
for folder, _dirs, files in os.walk(sys.argv[1], followlinks=True):
    for name in files:
        with open(os.path.join(folder, name), 'rb') as handle:
            total += len(handle.read())
print(total)
"""


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one child process (its reaped workers included), run from
    a neutral folder as `big_library.py` runs its own."""
    seconds, _cpu, peak, out = big_library.run_child(command, env)
    return seconds, peak, out


def linked_library(source: Path, work: Path) -> Path:
    """A folder whose entries are links to the source's: new files can be added beside them."""
    library = work / "library"
    library.mkdir()
    for entry in sorted(source.iterdir()):
        if not entry.name.startswith("."):
            (library / entry.name).symlink_to(entry.resolve())
    return library


def articles_under(folder: Path) -> list[Path]:
    found = []
    for root, _dirs, files in os.walk(folder, followlinks=True):
        found += [
            Path(root) / name for name in files if name.endswith((".md", ".txt")) and name != "README.md"
        ]
    return sorted(found)


def add_a_day(library: Path, seed: int = 1) -> int:
    """50 new versions of stories already there and 50 new stories (BBC articles): 100 files."""
    pick = random.Random(seed)
    existing = [p for p in articles_under(library) if p.stat().st_size > 600]
    new = library / "new-today"
    new.mkdir()
    for number, path in enumerate(pick.sample(existing, 50)):
        text = path.read_text(encoding="utf-8", errors="replace")
        text = (
            re.sub(r"\bsaid\b", "told reporters", text, count=1)
            + "\n\nThe report was updated later in the day.\n"
        )
        (new / f"version-{number}.md").write_text(text, encoding="utf-8")
    bbc = articles_under(BENCH_DATA / "bbc")
    for number, path in enumerate(pick.sample(bbc, 50)):
        shutil.copyfile(path, new / f"story-{number}.txt")
    return 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=BENCH_DATA / "reuters")
    parser.add_argument("--previous", type=Path, default=None, help="a checkout of the previous code")
    parser.add_argument("--skip-cold-previous", action="store_true", help="no runs of the previous code")
    parser.add_argument(
        "--skip-rebuild", action="store_true", help="no full rebuild to check the kept index against"
    )
    args = parser.parse_args()
    if not args.library.is_dir():
        raise SystemExit(f"no library at {args.library}")
    work = Path(tempfile.mkdtemp(prefix="tui-index-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def commands(library: Path, checkout: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    return [sys.executable, "-m", "tui", "--articles", str(library)], env


def run(args: argparse.Namespace, work: Path) -> None:
    library = linked_library(args.library, work)
    tui, env = commands(library, None)
    rows: list[tuple[str, float, float]] = []

    def measure(name: str, command: list[str], environment: dict[str, str]) -> str:
        seconds, peak, out = run_child(command, environment)
        rows.append((name, seconds, peak))
        print(f"  {name}: {seconds:.2f} s, {peak:.0f} MB", flush=True)
        return out

    cache = work / "cache"
    measure("raw read (baseline)", [sys.executable, "-c", RAW_READ, str(library)], env)
    count = len(
        json.loads(measure("tui list --json cold", [*tui, "--cache-dir", str(cache), "list", "--json"], env))
    )
    measure("tui list --json warm (baseline)", [*tui, "--cache-dir", str(cache), "list", "--json"], env)
    previous_cache = work / "previous-cache"
    dupes = ["dupes", "--json"]
    measure("dupes cold", [*tui, "--cache-dir", str(cache), *dupes], env)
    measure("dupes warm", [*tui, "--cache-dir", str(cache), *dupes], env)
    if args.previous is not None and not args.skip_cold_previous:
        old, old_env = commands(library, args.previous)
        # Its own listing first (its cache format is its own), so that both index builds start warm.
        measure(
            "previous code: tui list --json cold",
            [*old, "--cache-dir", str(previous_cache), "list", "--json"],
            old_env,
        )
        measure("previous code: dupes cold", [*old, "--cache-dir", str(previous_cache), *dupes], old_env)
        measure("previous code: dupes warm", [*old, "--cache-dir", str(previous_cache), *dupes], old_env)
    added = add_a_day(library)
    kept = measure(f"dupes after {added} new", [*tui, "--cache-dir", str(cache), *dupes], env)
    if args.previous is not None and not args.skip_cold_previous:
        old, old_env = commands(library, args.previous)
        measure(
            f"previous code: dupes after {added} new",
            [*old, "--cache-dir", str(previous_cache), *dupes],
            old_env,
        )
    fresh = measure(
        "dupes of the grown library, empty cache", [*tui, "--cache-dir", str(work / "fresh"), *dupes], env
    )
    same = json.loads(kept) == json.loads(fresh)

    raw = rows[0][1]
    print(f"\nlibrary: {args.library} ({count} articles, then {count + added}); {os.cpu_count()} cores")
    print(f"{'run':<48}{'wall s':>9}{'peak MB':>9}{'x raw read':>12}")
    for name, seconds, peak in rows:
        print(f"{name:<48}{seconds:>9.2f}{peak:>9.0f}{seconds / raw:>12.1f}")
    print(
        f"kept index after {added} new == full rebuild: {'yes' if same else 'NO'} ({len(json.loads(kept))} pairs)"
    )
    if not same:
        raise SystemExit("the kept index and a full rebuild disagree")


if __name__ == "__main__":
    main()
