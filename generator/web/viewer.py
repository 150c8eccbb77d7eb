"""The panorama viewer (Pannellum), installed from npm at set-up (pinned by package-lock.json), published
under names that carry a hash of its content: cached for ever, and loaded only when a visitor opens a tour."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from ..messages import say
from ..problems import GuideError

TOOL_ROOT = Path(__file__).resolve().parents[2]  # node_modules/ is the tool's, beside build.py, whatever --root is
PACKAGE = Path("node_modules") / "pannellum" / "build"
FILES = {"js": "pannellum.js", "css": "pannellum.css"}


@cache
def viewer_files() -> dict[str, tuple[str, Path]]:
    """Each viewer file by kind ("js", "css"): its site path and where it is installed."""
    files = {}
    for kind, name in FILES.items():
        source = TOOL_ROOT / PACKAGE / name
        if not source.is_file():
            raise GuideError(say("the panorama viewer is not installed ({file} is missing); run: bash setup.sh build",
                                 file=PACKAGE / name))
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
        files[kind] = (f"assets/pannellum.{digest}.min.{kind}", source)
    return files
