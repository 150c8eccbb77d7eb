"""Browser libraries the guide publishes (the panorama viewer, the form editor), installed from npm at set-up
and pinned by package-lock.json. node_modules/ is the tool's, beside build.py, whatever --root is."""

from __future__ import annotations

from pathlib import Path

from ..messages import say
from ..problems import GuideError

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def installed(relative: str, what: str) -> Path:
    """node_modules/`relative`, which must be there; `what` (a marked phrase) names what cannot work without it."""
    path = NODE_MODULES / relative
    if not path.is_file():
        raise GuideError(say("{what} is not installed ({file} is missing); run: bash setup.sh build",
                             what=say(what), file=Path("node_modules") / relative))
    return path
