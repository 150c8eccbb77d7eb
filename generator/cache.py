"""One content-addressed cache for every stage: outputs are keyed by a hash of everything that shapes them.

A key covers the inputs a stage names plus the generator's own fingerprint (its code, templates,
theme, catalogs and the versions of the libraries that draw the output), so a changed template or
an upgraded MkDocs invalidates exactly the outputs it could change, and nothing is ever served stale.
Entries are written whole (rename into place) and never changed afterwards, so they can be
hard-linked into a published site.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .files import replace_file

PACKAGE_DIR = Path(__file__).parent
# Libraries whose version changes what the build writes (pages, images, PDFs, QR codes).
SHAPING_DISTRIBUTIONS = (
    "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "babel", "pillow", "fpdf2",
    "uharfbuzz", "qrcode", "pillow-heif", "numpy", "zxing-cpp", "pypdfium2", "mutagen", "pyyaml", "pydantic",
)


@cache
def generator_fingerprint() -> str:
    """A hash of the generator's files and the shaping libraries' versions."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in SHAPING_DISTRIBUTIONS:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\0".encode())
    return digest.hexdigest()


def key(*parts: object) -> str:
    """A cache key for `parts` (their repr: plain data, dataclasses and models print deterministically)."""
    return hashlib.sha256(repr((generator_fingerprint(), *parts)).encode()).hexdigest()[:24]


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:24]


class Store:
    """A folder of immutable entries named by key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, *names: str) -> bool:
        return all((self.folder / name).is_file() for name in names)

    def put_bytes(self, name: str, data: bytes) -> Path:
        replace_file(self.folder / name, data)
        return self.folder / name

    def get_object(self, name: str) -> Any | None:
        """A pickled entry, or None when missing or unreadable (written by an older Python, cut short)."""
        try:
            return pickle.loads((self.folder / name).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put_object(self, name: str, value: Any) -> None:
        self.put_bytes(name, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


RACY_SECONDS = 2.0  # a file changed this soon before its digest was recorded may change again unseen


class FileDigests:
    """Content digests of input files, re-read only when a file's size, time or inode changed.

    Reading and hashing a province's photos on every build would cost seconds; the stat triple is
    what git trusts too. An entry recorded less than RACY_SECONDS after the file's last change is not
    trusted (the file may have been written again within the same clock tick)."""

    def __init__(self, store: Store, name: str = "file-digests.pickle") -> None:
        self.store, self.name = store, name
        self.known: dict[str, tuple[tuple[int, int, int], float, str]] = store.get_object(name) or {}
        self.changed = False

    def of(self, path: Path) -> str:
        stat = path.stat()
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        entry = self.known.get(str(path))
        if entry and entry[0] == signature and entry[1] - stat.st_mtime_ns / 1e9 > RACY_SECONDS:
            return entry[2]
        digest = content_digest(path.read_bytes())
        self.known[str(path)] = (signature, time.time(), digest)
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            self.store.put_object(self.name, self.known)
            self.changed = False


def cache_root(project_root: Path) -> Path:
    """Kept between builds (and between runs of the publishing workflow); safe to delete."""
    return project_root / ".build" / "cache"
