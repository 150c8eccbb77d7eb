"""Worker processes for the CPU-bound stages (MkDocs builds, plaques), one per core.

Stages run side by side in threads, and forking a process that has threads can copy a lock another
thread holds into the child, which then waits for ever; so workers come from a fork server, a clean
process started once, with the stage modules already imported.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

PRELOADED = ["generator.print_run", "generator.mkdocs_build"]


def process_pool(jobs: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return ProcessPoolExecutor(max_workers=max(1, min(jobs, os.cpu_count() or 1)), mp_context=context)
