"""Rendering over several processes when there is enough work to pay for starting them.

Workers are forked: they inherit the artifacts, the compiled templates and the Jinja2
environments, so nothing but each file's bytes (or its problem) travels back. Each
artifact renders exactly as it would in one process, so the bytes are the same.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence

#: Below this many artifacts to render, starting workers costs more than it saves.
THRESHOLD = 1500
_CHUNK = 200

Outcome = bytes | str  # the file's bytes, or the line reporting its template problem

_job: Callable[[int], Outcome] | None = None


def jobs_wanted(requested: int | None) -> int:
    """How many processes to render with: ``requested``, else ``DEPLOYPLAN_JOBS``, else
    the cores this process may run on."""
    if requested is None and os.environ.get("DEPLOYPLAN_JOBS", "").strip():
        try:
            requested = int(os.environ["DEPLOYPLAN_JOBS"])
        except ValueError:
            requested = None
    if requested is None:
        requested = len(os.sched_getaffinity(0))
    return max(1, requested)


def run_all(count: int, job: Callable[[int], Outcome], jobs: int, *, forced: bool) -> list[Outcome]:
    """``job(i)`` for every ``i`` below ``count``, in order; in ``jobs`` forked processes
    when that pays (always when ``forced``)."""
    if jobs < 2 or count < 2 or (count < THRESHOLD and not forced) or not _can_fork():
        return [job(i) for i in range(count)]
    global _job
    _job = job
    chunks = [range(start, min(start + _CHUNK, count)) for start in range(0, count, _CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            results = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _job = None
    return [outcome for chunk in results for outcome in chunk]


def _run_chunk(indexes: Sequence[int]) -> list[Outcome]:
    assert _job is not None  # set by run_all before the workers fork
    return [_job(i) for i in indexes]


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
