"""`build.py serve`: a local preview that rebuilds when a site, media or settings file changes.

Nothing stops the preview: after a broken file or any other failure (a full disk, a folder that
cannot be written, a MkDocs error) the last good build stays served, and the problems are shown in
the terminal and at the top of every page until the next build succeeds.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG

from .. import pipeline
from ..messages import say
from ..problems import GuideError
from ..source.load import Project
from .server import GuideServer, serve_in_background

WATCHED = ("sites", "media", "mkdocs.yml", "plaques.yaml")


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file: polling works on every system and editor
    (a file an editor replaces while it is looked at is seen on the next look)."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        base = root / name
        with contextlib.suppress(OSError):  # a folder removed while it is walked
            for path in [base] if base.is_file() else base.rglob("*") if base.is_dir() else []:
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    if S_ISREG(stat.st_mode):
                        found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def describe(error: Exception) -> str:
    """One line for a failure that is not a volunteer's mistake (the terminal and the page's banner)."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return f"{type(error).__name__}: {error}"


class Preview:
    """Builds into site/ and keeps a server on it; `notice` carries the current problems."""

    def __init__(self, root: Path, host: str, port: int, say_line: Callable[[str], None] = print) -> None:
        self.root, self.say_line = root, say_line
        self.output = Project(root).output_dir
        if not self.output.exists():
            # Nothing built yet: serve an empty folder until the first good build replaces it.
            self.output = Path(tempfile.mkdtemp(prefix="guide-preview-"))
        self.server: GuideServer = serve_in_background(self.output, host, port)
        self.stopped = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self) -> None:
        try:
            result = pipeline.build(self.root, register=False, wait=True)
        except GuideError as error:
            self.server.notice = say("The last good build is still shown. Fix these problems:") + "\n" + str(error)
            self.say_line(str(error))
            return
        except Exception as error:  # anything else must not stop the preview either
            problem = say("the build stopped: {error}", error=describe(error))
            self.server.notice = say("The last good build is still shown. Fix these problems:") + "\n" + problem
            self.say_line(problem)
            return
        if self.output != result.output:  # the first good build: serve it from now on
            self.server.directory = self.output = result.output
        self.server.notice = None
        self.say_line(say("Rebuilt: {url}", url=self.url))

    def watch(self, interval: float = 0.25) -> None:  # a look at 2,000 files costs about 20 ms
        seen = snapshot(self.root)
        self.rebuild()
        while not self.stopped.wait(interval):
            now = snapshot(self.root)
            if now != seen:
                seen = now
                self.rebuild()

    def stop(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    preview = Preview(root, host, port)
    signal.signal(signal.SIGTERM, lambda *_: preview.stopped.set())
    print(say("Preview at {url} (Ctrl+C to stop)", url=preview.url), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        preview.watch()
    preview.stop()
    print("\n" + say("Stopped; nothing was changed."), flush=True)
    print(say("Preview stopped."), file=sys.stderr)
    return 0

