"""The reading app's speed on a library, each figure next to a baseline from the same run.

- time to an interactive Library (rows shown, a key press handled) on a warm cache, launched as a
  fresh process, against a bare Textual app launched the same way (target < 1.5 s and < 2x bare);
- opening a 5,000-word article in the Reader (target < 150 ms), against opening a screen holding
  one Static;
- one key press (`j`) repainted in the Reader (target < 50 ms), against a key press in a bare app;
- opening Compare of two 1,000-word articles, alignment drawn (target < 300 ms).

All runs are headless, at 100x30. Medians of several runs. In-app figures run from the action
(a key event handed to the driver, a screen pushed) until the screen has been painted again.

`--corpus reuters` (19,043 stories) measures the start at scale instead: on a warm cache, the time
from launch to the library shown, and from the library shown to the near-duplicate marks drawn (the
first row's marks made as the table paints; target < 2 s) and to the app settled after them (the
pilot's next pause returns: it also waits for the start-up's other threads), with the app's peak
memory (target < 600 MB); baselines from the same run are a bare Textual app launched the same way
and `tui dupes --json`, which loads the same library and index. `--library FOLDER --cache DIR` runs
it on another library from a warm cache of it, without the cold runs.
Before that, the cold first start (`--cold-runs`, an empty cache each time: every file parsed, the
index built): library shown, marks painted and peak memory, against the command line doing the same
work from the same empty cache in the same run (`tui list --json` loads the library, `tui dupes
--json` loads it and builds the index).

`--listing-start` (with `--library FOLDER`, say the 95k library of `big_library.py`) measures what
the app pays before and after the first paint on a warm cache, without the near-duplicate index
(its own cost at that size is the index's): launch to the library shown, peak memory to there, and,
once the word index over the text is complete, a filter keystroke (the filter applied to every
title and source, the text searched through the index, the table repainted) and a change of sort,
each against the same app's repaint of an unchanged table. `--cache DIR` reuses a warm cache.

    python bench/app.py [--corpus bbc|reuters] [--library FOLDER] [--runs 5] [--cold-runs 1]
    python bench/app.py --listing-start --library FOLDER [--cache DIR] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench"
DEFAULT_LIBRARY = BENCH_DATA / "bbc"
SIZE = (100, 30)

# A child process: start, wait until the screen is interactive, print the wall-clock time.
LAUNCH_TUI = """
import sys, time, asyncio
from pathlib import Path
from tui.app.factory import make_app
root, cache, state = map(Path, sys.argv[1:4])
app = make_app(root, cache / "annotations.json", cache / "notes", cache, state)
async def auto_pilot(pilot):
    while True:
        screen = pilot.app.screen
        tables = screen.query("#articles") if screen.id == "library" else []
        if tables and tables.first().row_count:
            break
        await asyncio.sleep(0.002)
    await pilot.press("j")
    print(time.time(), flush=True)
    while not pilot.app.background_idle:  # the index too, so the next run finds a warm cache
        await asyncio.sleep(0.05)
    await pilot.app.workers.wait_for_complete()
    pilot.app.exit()
app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
"""

# A child process: start, wait for the library and then for the marks; print both moments. It waits
# on events set by the app's own handlers rather than polling: a main thread that wakes every few
# milliseconds takes the GIL from the loading and indexing workers (7% of the warm marks' time here,
# more on a busy machine).
LAUNCH_MARKS = """
import sys, time, asyncio, threading
from pathlib import Path
from tui.app.factory import make_app
import tui.app.tui_app
root, cache, state = map(Path, sys.argv[1:4])
events = {}
def after(name):
    handler = getattr(tui.app.tui_app.TuiApp, name)
    def wrapped(self, message):
        handler(self, message)
        events[name].set()
    setattr(tui.app.tui_app.TuiApp, name, wrapped)
for name in ("on_library_loaded", "on_library_failed", "on_index_ready", "on_index_failed"):
    after(name)
app = make_app(root, cache / "annotations.json", cache / "notes", cache, state)
class Drawn(threading.Event):
    at = 0.0  # when the Library first drew a row's marks (on the UI thread, as it paints)
    def set(self):
        if not self.is_set():
            Drawn.at = time.time()
        super().set()
app.marks_drawn = Drawn()
async def auto_pilot(pilot):
    for name in ("on_library_loaded", "on_library_failed", "on_index_ready", "on_index_failed"):
        events[name] = asyncio.Event()
    async def first(*names):
        waits = [asyncio.ensure_future(events[name].wait()) for name in names]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
    await first("on_library_loaded", "on_library_failed")
    while True:
        screen = pilot.app.screen
        tables = screen.query("#articles") if screen.id == "library" else []
        if tables and tables.first().row_count:
            break
        await asyncio.sleep(0.002)
    shown = time.time()
    await first("on_index_ready", "on_index_failed")
    await pilot.pause()  # the marks painted
    print(shown, time.time(), Drawn.at or time.time(), pilot.app.index_error, flush=True)
    await pilot.app.workers.wait_for_complete()
    pilot.app.exit()
app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
"""

# A child process: launch to the library shown, then the filter and sort timings, as JSON.
LAUNCH_LISTING = """
import sys, time, asyncio, json, statistics, resource
from pathlib import Path
from tui.app.factory import make_app
from tui.app.screens.library import LibraryScreen
root, cache, state = map(Path, sys.argv[1:4])
started = float(sys.argv[4])
app = make_app(root, cache / "annotations.json", cache / "notes", cache, state, build_index=False)
figures = {}
async def timed(pilot, change):
    start = time.perf_counter()
    change()
    await pilot.pause()  # the table repainted
    return (time.perf_counter() - start) * 1000
async def auto_pilot(pilot):
    while True:
        screen = pilot.app.screen
        tables = screen.query("#articles") if screen.id == "library" else []
        if tables and tables.first().row_count:
            break
        await asyncio.sleep(0.002)
    figures["shown_s"] = time.time() - started
    figures["shown_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["rows"] = tables.first().row_count
    start = time.perf_counter()
    await pilot.app.workers.wait_for_complete()  # the folder listed, the orders made
    figures["verified_s"] = time.perf_counter() - start
    while getattr(pilot.app, "texts", None) is not None and pilot.app.texts.index_pending():
        await asyncio.sleep(0.05)
    await pilot.app.workers.wait_for_complete()
    figures["word_index_s"] = time.perf_counter() - start
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    def set_filter(text):
        screen.filter_text = text
        screen._rebuild()
    def same():
        screen.query_one("#articles").refresh_rows()
    for name, text in (("filter_o", "o"), ("filter_oil", "oil"), ("filter_two_words", "oil prices"),
                       ("filter_none", "zzzqqq"), ("filter_cleared", "")):
        times = []
        for _ in range(int(sys.argv[5])):
            set_filter("")
            await pilot.pause()
            times.append(await timed(pilot, lambda: set_filter(text)))
        figures[name + "_ms"] = statistics.median(times)
        figures[name + "_rows"] = len(screen.shown)
    figures["repaint_ms"] = statistics.median([await timed(pilot, same) for _ in range(3)])
    figures["sort_title_ms"] = await timed(pilot, lambda: screen.set_sort("title"))
    figures["sort_date_ms"] = await timed(pilot, lambda: screen.set_sort("date"))
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)
    await pilot.app.workers.wait_for_complete()
    pilot.app.exit()
app.run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
"""

LAUNCH_BARE = """
import time
from textual.app import App
from textual.widgets import Footer, Static
class Bare(App):
    def compose(self):
        yield Static("hello")
        yield Footer()
async def auto_pilot(pilot):
    await pilot.press("j")
    print(time.time(), flush=True)
    pilot.app.exit()
Bare().run(headless=True, size=(100, 30), auto_pilot=auto_pilot)
"""


def launch(code: str, *args: str) -> float:
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, timeout=120
    )
    return float(result.stdout.split()[-1]) - started


def launch_measured(command: list[str]) -> tuple[float, list[str], float]:
    """(start time, stdout words, peak RSS in MB) of a child process run to its end."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(command)}\n{err.read().decode(errors='replace')}")
        return started, out.read().decode().split(), usage.ru_maxrss / 1024


def cold_run(library: Path, work: Path, runs: int) -> None:
    """The first start, from an empty cache: the app against the command line doing the same work."""
    state = work / "state"
    shown, marks, app_peaks = [], [], []
    listed, listed_peaks, duped, duped_peaks = [], [], [], []
    for _ in range(runs):
        for name in ("cache", "cache-list", "cache-dupes"):
            shutil.rmtree(work / name, ignore_errors=True)
        app = [sys.executable, "-c", LAUNCH_MARKS, str(library), str(work / "cache"), str(state)]
        started, words, peak = launch_measured(app)
        if words[3] != "None":
            sys.exit(f"the index failed: {' '.join(words[3:])}")
        shown.append(float(words[0]) - started)
        marks.append(float(words[1]) - started)
        app_peaks.append(peak)
        for name, command, times, peaks in (
            ("cache-list", ["list", "--json"], listed, listed_peaks),
            ("cache-dupes", ["dupes", "--json"], duped, duped_peaks),
        ):
            cli = [sys.executable, "-m", "tui", "--articles", str(library), "--cache-dir", str(work / name)]
            started, _words, peak = launch_measured(cli + command)
            times.append(time.time() - started)
            peaks.append(peak)
        shutil.rmtree(work / "cache-list", ignore_errors=True)
        shutil.rmtree(work / "cache-dupes", ignore_errors=True)
    print(f"cold first start (empty cache), median of {runs}:")
    print(
        f"  library shown after launch: {statistics.median(shown):.1f} s  "
        f"(`tui list --json` from an empty cache, whole process: {statistics.median(listed):.1f} s, "
        f"peak {max(listed_peaks):.0f} MB)"
    )
    print(
        f"  marks painted after launch: {statistics.median(marks):.1f} s  "
        f"(`tui dupes --json` from an empty cache, whole process: {statistics.median(duped):.1f} s, "
        f"peak {max(duped_peaks):.0f} MB)"
    )
    print(
        f"  app peak memory: {max(app_peaks):.0f} MB (median {statistics.median(app_peaks):.0f}; target < 600 MB)"
    )
    print(
        json.dumps(
            {
                "cold_shown_s": statistics.median(shown),
                "cold_marks_s": statistics.median(marks),
                "cold_peak_mb": max(app_peaks),
                "cold_list_s": statistics.median(listed),
                "cold_list_peak_mb": max(listed_peaks),
                "cold_dupes_s": statistics.median(duped),
                "cold_dupes_peak_mb": max(duped_peaks),
            }
        )
    )


def scale_run(library: Path, runs: int, cold_runs: int, kept_cache: Path | None = None) -> None:
    """The start at scale: library shown, marks painted and peak memory, cold and on a warm cache
    (`kept_cache`: a warm cache of this library to start from, the cold runs left out)."""
    with tempfile.TemporaryDirectory(prefix="tui-bench-app-") as temporary:
        work = Path(temporary)
        cache, state = kept_cache or work / "cache", work / "state"
        marks = [sys.executable, "-c", LAUNCH_MARKS, str(library), str(cache), str(state)]
        dupes = [sys.executable, "-m", "tui", "--articles", str(library), "--cache-dir", str(cache)]
        dupes += ["dupes", "--json"]
        print(f"library: {library}")
        if kept_cache is None:
            cold_run(library, work, max(1, cold_runs))  # leaves the app's cache warm
        shown, drawn, settled, peaks, bare, cli = [], [], [], [], [], []
        for _ in range(runs):
            bare.append(launch(LAUNCH_BARE))
            started = time.time()
            launch_measured(dupes)
            cli.append(time.time() - started)
            started, words, peak = launch_measured(marks)
            if words[3] != "None":
                sys.exit(f"the index failed: {' '.join(words[3:])}")
            shown.append(float(words[0]) - started)
            settled.append(float(words[1]) - float(words[0]))
            drawn.append(float(words[2]) - float(words[0]))
            peaks.append(peak)
        print(f"warm cache, median of {runs}:")
        print(
            f"  library shown after launch: {median_ms(shown):.0f} ms  "
            f"(bare Textual app interactive: {median_ms(bare):.0f} ms)"
        )
        print(
            f"  marks drawn after the library: {median_ms(drawn):.0f} ms, the app settled after the library "
            f"{median_ms(settled):.0f} ms (`tui dupes --json`, same library and index, whole process: "
            f"{median_ms(cli):.0f} ms; target < 2000 ms)"
        )
        print(
            f"  app peak memory: {max(peaks):.0f} MB (median {statistics.median(peaks):.0f}; target < 600 MB)"
        )
        print(
            json.dumps(
                {
                    "shown_ms": median_ms(shown),
                    "marks_drawn_ms": median_ms(drawn),
                    "marks_settled_ms": median_ms(settled),
                    "peak_mb": max(peaks),
                    "bare_ms": median_ms(bare),
                    "dupes_ms": median_ms(cli),
                }
            )
        )


def listing_start(library: Path, cache: Path | None, runs: int) -> None:
    """The first paint from the listing and the filter at scale (see `--listing-start`)."""
    with tempfile.TemporaryDirectory(prefix="tui-bench-app-") as temporary:
        work = Path(temporary)
        cache = cache or work / "cache"
        state = work / "state"
        print(f"library: {library}")
        if not list(cache.glob("library-*.sqlite3")):
            started = time.time()
            launch_measured(
                [sys.executable, "-m", "tui", "--articles", str(library), "--cache-dir", str(cache), "list"]
            )
            print(f"cache warmed by `tui list`: {time.time() - started:.1f} s")
        bare = [launch(LAUNCH_BARE) for _ in range(runs)]
        results = []
        for _ in range(runs):
            command = [sys.executable, "-c", LAUNCH_LISTING, str(library), str(cache), str(state)]
            _started, words, peak = launch_measured([*command, str(time.time()), "3"])
            figures = json.loads(" ".join(words))
            figures["process_peak_mb"] = peak
            results.append(figures)
        median = {key: statistics.median(r[key] for r in results) for key in results[0]}
        print(f"warm cache, median of {runs} launches ({median['rows']:.0f} rows):")
        print(
            f"  library shown after launch: {median['shown_s'] * 1000:.0f} ms, peak to there "
            f"{median['shown_peak_mb']:.0f} MB  (bare Textual app interactive: {median_ms(bare):.0f} ms; "
            f"target <= 1500 ms, <= 1536 MB)"
        )
        print(
            f"  the folder listed after that (the library verified): {median['verified_s']:.1f} s; "
            f"the word index over the text up to date: {median['word_index_s']:.1f} s"
        )
        for name in ("o", "oil", "two_words", "none", "cleared"):
            print(
                f"  filter {name!r}: {median[f'filter_{name}_ms']:.0f} ms, {median[f'filter_{name}_rows']:.0f} rows  "
                f"(repaint of the unchanged table: {median['repaint_ms']:.0f} ms; target <= 200 ms)"
            )
        print(f"  sort by title: {median['sort_title_ms']:.0f} ms; by date: {median['sort_date_ms']:.0f} ms")
        print(f"  peak memory of the whole run: {max(r['process_peak_mb'] for r in results):.0f} MB")
        print(json.dumps(median))


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def long_article(library: Path, target: Path, words: int) -> Path:
    """One article of about ``words`` words: BBC texts concatenated (bodies only)."""
    parts: list[str] = []
    count = 0
    for path in sorted(library.glob("business/*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        body = "\n".join(lines[1:]).strip()
        parts.append(body)
        count += len(body.split())
        if count >= words:
            break
    target.write_text(f"A long article of {words:,} words\n\n" + "\n\n".join(parts) + "\n", encoding="utf-8")
    return target


def pair_of_articles(library: Path, folder: Path, words: int) -> tuple[str, str]:
    """Two ~1,000-word articles sharing most passages: B drops some paragraphs and adds others."""
    paragraphs: list[str] = []
    for path in sorted(library.glob("politics/*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        paragraphs.extend(line.strip() for line in lines[1:] if len(line.split()) > 15)
        if sum(len(p.split()) for p in paragraphs) >= words * 1.3:
            break
    a_paragraphs, total = [], 0
    for paragraph in paragraphs:
        a_paragraphs.append(paragraph)
        total += len(paragraph.split())
        if total >= words:
            break
    extra = paragraphs[len(a_paragraphs) : len(a_paragraphs) + 3]
    b_paragraphs = [p for i, p in enumerate(a_paragraphs) if i % 4 != 1] + extra
    (folder / "compare_a.txt").write_text(
        "Compare A\n\n" + "\n\n".join(a_paragraphs) + "\n", encoding="utf-8"
    )
    (folder / "compare_b.txt").write_text(
        "Compare B\n\n" + "\n\n".join(b_paragraphs) + "\n", encoding="utf-8"
    )
    return "compare_a", "compare_b"


async def painted(widget: Any) -> None:
    """Return once the screen has been refreshed (painted) after what was just done."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    widget.call_after_refresh(lambda: future.done() or future.set_result(None))
    await future


async def key_to_paint(app: Any, key: str, changed: Any) -> float:
    """Send one key as the terminal driver would; time until the change is painted."""
    from textual import events

    before = changed()
    started = time.perf_counter()
    app._driver.send_message(events.Key(key, key))
    while changed() == before:
        await asyncio.sleep(0)
    await painted(app.screen)
    return time.perf_counter() - started


async def in_app_timings(folder: Path, cache: Path, runs: int) -> dict[str, Any]:
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from tui.app.factory import make_app
    from tui.app.screens.compare import CompareScreen
    from tui.app.screens.reader import ReaderScreen
    from tui.app.widgets.article_view import ArticleView

    app = make_app(folder, cache / "ann.json", cache / "notes", cache, cache / "state")
    results: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        while not app.background_idle:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        assert app.library is not None
        article = app.library.get("long")
        results["long_words"] = article.words

        class Plain(Screen[None]):
            def compose(self) -> Any:
                yield Static("a plain screen")

        async def timed_open(screen: Screen[Any], ready: Any = None) -> float:
            started = time.perf_counter()
            await app.push_screen(screen)
            if ready is not None:
                while not ready(screen):
                    await asyncio.sleep(0)
            await painted(screen)
            elapsed = time.perf_counter() - started
            app.pop_screen()
            await pilot.pause(0.2)  # let the screen's leftover workers finish
            return elapsed

        results["open_plain"] = median_ms([await timed_open(Plain()) for _ in range(runs)])
        results["open_long"] = median_ms([await timed_open(ReaderScreen(article)) for _ in range(runs)])

        # one key press, from the driver to the repaint
        app.push_screen(ReaderScreen(article))
        await pilot.pause(0.3)
        view = app.screen.query_one(ArticleView)
        presses = []
        for index in range(60):
            key = "j" if index % 20 < 10 else "k"
            presses.append(await key_to_paint(app, key, lambda: view.cursor))
        results["key_reader"] = median_ms(presses)
        results["key_reader_p95"] = sorted(presses)[int(len(presses) * 0.95)] * 1000
        # The widget's own share: the cursor action plus rendering every visible line.
        direct = []
        for index in range(60):
            started = time.perf_counter()
            (view.action_next_sentence if index % 20 < 10 else view.action_previous_sentence)()
            for y in range(view.size.height):
                view.render_line(y)
            direct.append(time.perf_counter() - started)
        results["key_widget"] = median_ms(direct)
        app.pop_screen()
        await pilot.pause()

        a, b = app.library.get("compare_a"), app.library.get("compare_b")
        results["compare_words"] = (a.words, b.words)
        results["open_compare"] = median_ms(
            [
                await timed_open(
                    CompareScreen(a, b, [b.id]), ready=lambda screen: screen.alignment is not None
                )
                for _ in range(runs)
            ]
        )
        results["open_reader_1000"] = median_ms([await timed_open(ReaderScreen(a)) for _ in range(runs)])

    class Bare(App[None]):
        BINDINGS = [("j", "count", "Count")]
        presses = 0

        def compose(self) -> Any:
            yield Static("0", id="count")

        def action_count(self) -> None:
            self.presses += 1
            self.query_one("#count", Static).update(str(self.presses))

    bare = Bare()
    async with bare.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results["key_bare"] = median_ms(
            [await key_to_paint(bare, "j", lambda: bare.presses) for _ in range(60)]
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["bbc", "reuters"], default="bbc")
    parser.add_argument("--library", type=Path, default=None, help="default: the corpus's folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=1, help="reuters: first starts from an empty cache")
    parser.add_argument("--listing-start", action="store_true", help="first paint and filter at scale")
    parser.add_argument(
        "--cache", type=Path, default=None, help="--listing-start, --corpus reuters: a warm cache to reuse"
    )
    options = parser.parse_args()
    options.library = options.library or BENCH_DATA / options.corpus
    if not options.library.is_dir():
        sys.exit(f"bench/app.py: library not found: {options.library}")
    if options.listing_start:
        listing_start(options.library, options.cache, options.runs)
        return
    if options.corpus == "reuters":
        scale_run(options.library, options.runs, options.cold_runs, options.cache)
        return

    with tempfile.TemporaryDirectory(prefix="tui-bench-app-") as temporary:
        work = Path(temporary)
        cache, state = work / "cache", work / "state"
        print(f"library: {options.library}")
        warm_started = time.perf_counter()
        launch(LAUNCH_TUI, str(options.library), str(cache), str(state))  # warms the caches
        print(f"cold launch (parse + index build, then exit): {time.perf_counter() - warm_started:.1f} s")
        tui_times, bare_times = [], []
        for _ in range(options.runs):
            bare_times.append(launch(LAUNCH_BARE))
            tui_times.append(launch(LAUNCH_TUI, str(options.library), str(cache), str(state)))
        tui_ms, bare_ms = median_ms(tui_times), median_ms(bare_times)
        print(
            f"interactive library, warm cache: {tui_ms:.0f} ms  (bare Textual app: {bare_ms:.0f} ms; "
            f"ratio {tui_ms / bare_ms:.2f}x; target < 1500 ms and < 2x)"
        )

        folder = work / "articles"
        folder.mkdir()
        long_article(options.library, folder / "long.txt", 5000)
        pair_of_articles(options.library, folder, 1000)
        shutil.copy(sorted(options.library.glob("tech/*.txt"))[0], folder / "short.txt")
        timings = asyncio.run(in_app_timings(folder, work / "cache2", options.runs))
        print(
            f"open a {timings['long_words']:,}-word article: {timings['open_long']:.1f} ms  "
            f"(a screen with one Static: {timings['open_plain']:.1f} ms; target < 150 ms)"
        )
        print(
            f"key press repaint in the reader: {timings['key_reader']:.1f} ms median, "
            f"{timings['key_reader_p95']:.1f} ms p95  (bare app: {timings['key_bare']:.1f} ms; target < 50 ms)"
        )
        print(
            f"  of which the article view's own work (action + visible lines): {timings['key_widget']:.2f} ms"
        )
        words = timings["compare_words"]
        print(
            f"open Compare of {words[0]:,} + {words[1]:,} words, alignment drawn: {timings['open_compare']:.1f} ms  "
            f"(the Reader on one of them: {timings['open_reader_1000']:.1f} ms; target < 300 ms)"
        )
        print(json.dumps({"library_ms": tui_ms, "bare_ms": bare_ms, **timings}, default=str))


if __name__ == "__main__":
    main()
