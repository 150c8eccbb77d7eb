"""Writing files safely: whole files or nothing, so caches and live sites never see half a file."""

from __future__ import annotations

import fcntl
import json
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


def replace_file(target: Path, data: str | bytes) -> None:
    """Write `data` as `target` (creating its folder) by replacing whatever file was there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    content = data.encode("utf-8") if isinstance(data, str) else data
    write_atomically(target, lambda path: path.write_bytes(content))


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under `root`, creating folders."""
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """Hard links make a province-sized rebuild cheap; copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def link_tree(source: Path, target: Path, wanted: Callable[[str], bool] = lambda relative: True) -> None:
    """Hard-link every file under `source` (whose path relative to it is `wanted`) into `target`: the
    work folders' files are only ever replaced, never changed in place, so the published site cannot
    change under a later build. (Plain strings: a province has tens of thousands of files.)"""
    start = len(str(source)) + 1
    for folder, subfolders, names in os.walk(source):
        relative = folder[start:]
        subfolders[:] = [name for name in subfolders if wanted(f"{relative}/{name}/".lstrip("/"))]
        destination = f"{target}/{relative}".rstrip("/")
        os.makedirs(destination, exist_ok=True)
        for name in names:
            if wanted(f"{relative}/{name}".lstrip("/")):
                link_or_copy(f"{folder}/{name}", f"{destination}/{name}")


def link_files(output: Path, files: Mapping[str, Path]) -> None:
    """Hard-link cache entries into `output` under the given names (each folder made once)."""
    made: set[str] = set()
    for name, source in files.items():
        folder, _slash, _file = f"{output}/{name}".rpartition("/")
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        link_or_copy(source, f"{output}/{name}")


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


Files = Mapping[str, str | bytes]


class WorkTree:
    """A folder kept between builds, filled by groups of files (a plaque's address pages, say); a group
    is rendered and written again only when its key changes (by replacing files, so a published site
    linked to them never changes), and removed when no longer wanted. Its record of keys is deleted
    while it is updated: a build cut short starts it afresh."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.record = root.with_name(f"{root.name}.keys.json")

    def update(self, groups: Mapping[str, tuple[str, Callable[[], Files]]]) -> None:
        try:
            known: dict[str, list] = json.loads(self.record.read_text(encoding="utf-8"))  # group → [key, names]
        except (OSError, ValueError):
            shutil.rmtree(self.root, ignore_errors=True)
            known = {}
        self.record.unlink(missing_ok=True)
        recorded: dict[str, list] = {}
        for group, (key, render) in groups.items():
            before = known.pop(group, None)
            if before and before[0] == key and all((self.root / name).is_file() for name in before[1]):
                recorded[group] = before
                continue
            files = render()
            for name in set(before[1] if before else ()) - files.keys():
                (self.root / name).unlink(missing_ok=True)
            for name, data in files.items():
                replace_file(self.root / name, data)
            recorded[group] = [key, sorted(files)]
        for _key, names in known.values():  # groups no longer wanted
            for name in names:
                (self.root / name).unlink(missing_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.record.write_text(json.dumps(recorded), encoding="utf-8")
