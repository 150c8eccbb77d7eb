"""Worker processes for the CPU-bound stages (MkDocs builds, plaques): one pool, one process per core,
kept for the life of the program so `serve` rebuilds with workers that have their libraries loaded.

Stages run side by side in threads, and forking a process that has threads can copy a lock another
thread holds into the child, which then waits for ever; so workers come from a fork server, a clean
process started once, with the stage modules already imported.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Any

from .messages import current_language, use_language

PRELOADED = ["generator.web.mkdocs_build", "generator.printing.print_run"]

_pool: ProcessPoolExecutor | None = None
_creating = threading.Lock()


@contextmanager
def process_pool() -> Iterator[ProcessPoolExecutor]:
    """The shared pool; a pool whose worker died is dropped, so the next build gets a new one."""
    global _pool
    with _creating:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOADED)
            _pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context)
        pool = _pool
    try:
        yield pool
    except BrokenProcessPool:
        with _creating:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _in_language(language: str, function: Callable[[Any], Any], job: Any) -> Any:
    use_language(language)
    return function(job)


def in_volunteer_language(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`function` for a worker, saying its messages in this run's language (workers do not share it)."""
    return partial(_in_language, current_language(), function)
