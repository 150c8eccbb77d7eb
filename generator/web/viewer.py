"""The panorama viewer (Pannellum), installed from npm at set-up (pinned by package-lock.json), published
under names that carry a hash of its content: cached for ever, and loaded only when a visitor opens a tour."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from ..messages import mark
from .npm import installed

PACKAGE = "pannellum/build"
FILES = {"js": "pannellum.js", "css": "pannellum.css"}


@cache
def viewer_files() -> dict[str, tuple[str, Path]]:
    """Each viewer file by kind ("js", "css"): its site path and where it is installed."""
    files = {}
    for kind, name in FILES.items():
        source = installed(f"{PACKAGE}/{name}", mark("the panorama viewer"))
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
        files[kind] = (f"assets/pannellum.{digest}.min.{kind}", source)
    return files
