"""Stage 2 at scale: the candidate pairs judged one after another, or in several processes.

A verdict is a pure function of the two texts, so pairs may be judged in any process and any order
and give the same index. A cold build of a large library spends most of its time here, so on a
machine with several cores the pairs are cut into chunks judged by worker processes; each chunk
carries its articles packed (`_pack`), never the library. Workers are spawned, not forked: the app
builds its index from a thread, and forking a threaded process is unsafe. They are a
`multiprocessing.Pool`'s daemons, so quitting the app ends them at once (a `ProcessPoolExecutor`
makes the interpreter wait for every queued chunk first).

Pure core: no Textual, no Rich.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from tui.cores import available_cores
from tui.similarity.prepared import _Prepared, _unpack
from tui.similarity.store import VerdictRow
from tui.similarity.verdict import _judge

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

T = TypeVar("T")

# Pairs to judge before worker processes pay for their start (about a second each: imports, model).
PARALLEL_FROM = 3_000
# Pairs a worker judges per task: big enough to amortise sending the articles, small enough for
# progress and for an even share between workers.
CHUNK_PAIRS = 1_000
# Seconds a chunk may take before its worker is taken for dead (a killed worker's chunk never
# returns; the pairs are then judged in this process). A chunk takes 5-60 s.
CHUNK_TIMEOUT = 900.0
# The environment variable that caps the worker processes ("1": judge in this process only).
WORKERS_ENV = "TUI_INDEX_WORKERS"


def worker_count(work: int, parallel_from: int = PARALLEL_FROM) -> int:
    """How many processes share `work` items (pairs, unless another threshold is given): one below
    `parallel_from`, else the cores (capped)."""
    if work < parallel_from:
        return 1
    cores = available_cores()
    try:
        cap = int(os.environ.get(WORKERS_ENV, "") or cores)
    except ValueError:
        cap = cores
    return max(1, min(cores, cap, 8))


def _quiet() -> None:
    """A worker's start where the parent has no terminal stream of its own for errors: its stderr
    goes nowhere (a warning printed to the inherited terminal would be drawn over the app's screen;
    a failed task comes back to the parent as its exception either way)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def spawn_pool(workers: int) -> Pool:
    """A pool of `workers` spawned daemon processes.

    multiprocessing starts its resource tracker with the first pool and hands it the descriptor of
    `sys.stderr`; inside the app that is Textual's capture, whose descriptor is -1, and every pool
    failed with "bad value(s) in fds_to_keep". The tracker is started here with the real stderr, and
    the workers of such a parent write nothing to the terminal (`_quiet`)."""
    import multiprocessing
    from multiprocessing import resource_tracker

    captured = sys.stderr
    try:
        usable = captured is not None and captured.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    try:
        if not usable and sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__  # only while the tracker starts, which reads it once
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured
    return multiprocessing.get_context("spawn").Pool(workers, initializer=None if usable else _quiet)


def judge_pairs(
    todo: Sequence[tuple[int, int]],
    packed_of: Callable[[int], bytes],
    keys: Sequence[str],
    release: Callable[[int], None],
    advance: Callable[[int], None],
) -> list[VerdictRow]:
    """Each pair's verdict, in the order given.

    `packed_of(k)` gives article k packed, `keys[k]` its text digest; `release(k)` is called once
    article k is no longer needed (bounded memory); `advance(n)` after each n pairs judged."""
    workers = worker_count(len(todo))
    if workers > 1:
        try:
            return _in_workers(todo, packed_of, keys, release, advance, workers)
        except (OSError, RuntimeError, ValueError):
            pass  # no processes to be had here (a sandbox, a broken pool): judge them in this one
    with _one_blas_thread():
        return list(_in_this_process(todo, packed_of, keys, release, advance))


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Judging multiplies thousands of tiny matrices: OpenBLAS's threads cost more than they give."""
    from threadpoolctl import threadpool_limits

    limits: contextlib.AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def _last_uses(todo: Sequence[tuple[int, int]], step: int) -> dict[int, int]:
    """For each article, the last position (in steps of `step` pairs) that needs it."""
    last: dict[int, int] = {}
    for position, (i, j) in enumerate(todo):
        last[i] = last[j] = position // step
    return last


def _in_this_process(
    todo: Sequence[tuple[int, int]],
    packed_of: Callable[[int], bytes],
    keys: Sequence[str],
    release: Callable[[int], None],
    advance: Callable[[int], None],
) -> Iterator[VerdictRow]:
    last = _last_uses(todo, 1)
    prepared: dict[int, _Prepared] = {}
    for position, (i, j) in enumerate(todo):
        for k in (i, j):
            if k not in prepared:
                prepared[k] = _unpack(packed_of(k), keys[k])
        judged = _judge(prepared[i], prepared[j])
        yield (round(judged.score, 4), judged.kind, judged.reason)
        for k in (i, j):
            if last[k] == position:
                prepared.pop(k, None)
                release(k)
        advance(1)


def _in_workers(
    todo: Sequence[tuple[int, int]],
    packed_of: Callable[[int], bytes],
    keys: Sequence[str],
    release: Callable[[int], None],
    advance: Callable[[int], None],
    workers: int,
) -> list[VerdictRow]:
    last = _last_uses(todo, CHUNK_PAIRS)

    def tasks() -> Iterator[tuple[Callable[..., list[VerdictRow]], tuple[Any, ...]]]:
        for number, start in enumerate(range(0, len(todo), CHUNK_PAIRS)):
            chunk = list(todo[start : start + CHUNK_PAIRS])
            members = sorted({k for pair in chunk for k in pair})
            yield _judge_chunk, (chunk, {k: (packed_of(k), keys[k]) for k in members})
            for k in members:  # sent: let go of what no later chunk needs
                if last[k] == number:
                    release(k)

    return list(in_workers_in_order(tasks(), advance, workers))


def in_workers_in_order(
    tasks: Iterable[tuple[Callable[..., list[T]], tuple[Any, ...]]],
    advance: Callable[[int], None],
    workers: int,
) -> Iterator[T]:
    """Each task (a function and its arguments, giving a list) run by a pool of `workers` spawned
    processes, the lists' items given back in the tasks' order; `advance(n)` after each list of n.
    A few tasks are in flight at a time (bounded memory). RuntimeError when a worker stops answering.

    A pool's workers are daemons, ended with it: an app that quits, or a build stopped by an exception
    (its progress callback may raise to cancel it), leaves no process behind."""
    import multiprocessing
    from collections import deque
    from multiprocessing.pool import AsyncResult

    pending: deque[AsyncResult[list[T]]] = deque()

    def collect() -> list[T]:
        try:
            done = pending.popleft().get(timeout=CHUNK_TIMEOUT)
        except multiprocessing.TimeoutError:
            raise RuntimeError("a worker process stopped answering") from None
        advance(len(done))
        return done

    with spawn_pool(workers) as pool:
        for function, arguments in tasks:
            pending.append(pool.apply_async(function, arguments))
            while len(pending) > 2 * workers:
                yield from collect()
        while pending:
            yield from collect()


def _judge_chunk(pairs: list[tuple[int, int]], articles: dict[int, tuple[bytes, str]]) -> list[VerdictRow]:
    """In a worker: the verdicts of one chunk of pairs."""
    prepared = {k: _unpack(data, key) for k, (data, key) in articles.items()}
    rows: list[VerdictRow] = []
    with _one_blas_thread():
        for i, j in pairs:
            judged = _judge(prepared[i], prepared[j])
            rows.append((round(judged.score, 4), judged.kind, judged.reason))
    return rows
