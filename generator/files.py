"""Writing files safely: whole files or nothing, so caches and live sites never see half a file."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """`write(temporary path)`, then rename over `target`: an interrupted build leaves no truncated file
    for a cache to trust, and a file hard-linked into a live site is replaced, never changed in place."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under `root`, creating folders."""
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)


def link_or_copy(source: Path, target: Path) -> None:
    """Hard links make a province-sized rebuild cheap; copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class Busy(RuntimeError):
    """Another process holds the lock."""


@contextmanager
def exclusive(lock_file: Path, wait: bool) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (released by the system even when the process is killed):
    two builds of one project would otherwise write the same work folders."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy(str(lock_file)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
