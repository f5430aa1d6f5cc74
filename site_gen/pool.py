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
from collections.abc import Callable, Sequence

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


def _run_chunk(bounds: tuple[int, int]) -> list:
    function, items = _JOB["function"], _JOB["items"]
    return [function(items[i]) for i in range(*bounds)]


def map_ordered(function: Callable[[T], R], items: Sequence[T], threshold: int | None = None,
                chunk: int = CHUNK) -> list[R]:
    """`[function(item) for item in items]`, in forked workers when there are at least `threshold`
    items (default PARALLEL_THRESHOLD). `function` may be a closure: the workers inherit it; what it
    returns must be picklable."""
    if threshold is None:
        threshold = PARALLEL_THRESHOLD
    if len(items) < threshold or workers() < 2 or _JOB:  # never a pool inside a worker
        return [function(item) for item in items]
    _JOB.update(function=function, items=items)
    try:
        bounds = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
        with multiprocessing.get_context("fork").Pool(workers()) as pool:
            results = pool.map(_run_chunk, bounds)  # map keeps the order
    finally:
        _JOB.clear()
    return [value for part in results for value in part]
