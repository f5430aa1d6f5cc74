"""The worker pool every stage uses for per-meeting work (loading, rendering Markdown, pages).

Forked workers inherit the parent's state (the loader, the archive, the renderer) and are sent
only indexes; they return plain data. `map_ordered` keeps the order of its input, so whatever
the workers give (values, problems) is the same as one process would give: the output stays
deterministic. Small jobs run in the process itself: forking costs more than they do.
"""
from __future__ import annotations

import multiprocessing
import os
import typing
from collections.abc import Callable, Iterator, Sequence

T = typing.TypeVar("T")
R = typing.TypeVar("R")

# below this many items, forking costs more than it saves
PARALLEL_THRESHOLD = 400
CHUNK = 100
_JOB: dict = {}


def workers() -> int:
    """How many forked workers a large job uses (1: none, where processes cannot fork)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(os.cpu_count() or 1, 8)


def _run_chunk(bounds: tuple[int, int]):
    return _JOB["function"](_JOB["items"][bounds[0]:bounds[1]])


def map_chunks(function: Callable[[Sequence[T]], R], items: Sequence[T], chunk: int = CHUNK,
               fork: bool | None = None) -> Iterator[R]:
    """`function(part)` for each run of at most `chunk` consecutive items, yielded in order as they
    come; in forked workers when `fork` (default: when there are at least PARALLEL_THRESHOLD items)
    and the machine has more than one core. `function` may be a closure: the workers inherit it
    (and whatever state it reaches); what it returns must be picklable. Read it to the end: the
    pool lives as long as the iteration."""
    if fork is None:
        fork = len(items) >= PARALLEL_THRESHOLD
    bounds = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    if not fork or workers() < 2 or _JOB:  # never a pool inside a worker
        for low, high in bounds:
            yield function(items[low:high])
        return
    _JOB.update(function=function, items=items)
    try:
        with multiprocessing.get_context("fork").Pool(workers()) as pool:
            yield from pool.imap(_run_chunk, bounds)  # imap keeps the order
    finally:
        _JOB.clear()


def map_ordered(function: Callable[[T], R], items: Sequence[T], threshold: int | None = None,
                chunk: int = CHUNK) -> list[R]:
    """`[function(item) for item in items]`, in forked workers when there are at least `threshold`
    items (default PARALLEL_THRESHOLD). `function` may be a closure: the workers inherit it; what it
    returns must be picklable."""
    if threshold is None:
        threshold = PARALLEL_THRESHOLD
    if len(items) < threshold or workers() < 2 or _JOB:  # one process: no copies of the values
        return [function(item) for item in items]
    parts = map_chunks(lambda part: [function(item) for item in part], items, chunk, fork=True)
    return [value for part in parts for value in part]
