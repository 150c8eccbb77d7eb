"""`build.py serve`: a local preview that rebuilds when a site, media or settings file changes;
`build.py edit`: the same, with the form editor at /admin/ working on this folder.

Nothing stops the preview: after a broken file or any other failure (a full disk, a folder that
cannot be written, a MkDocs error) the last good build stays served, and the problems are shown in
the terminal and at the top of every page until the next build succeeds.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG

from .. import pipeline
from ..files import replace_file
from ..messages import say
from ..problems import GuideError
from ..source.load import Project
from ..source.merge import merged_form_save
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


class FormSaves:
    """The site files as last seen. The form editor writes a whole file with no comment in it: such a save is
    merged back into the file as it was (`merged_form_save`), so only the fields edited in the form change. A file
    that still has a comment was written by hand and is left as it is."""

    def __init__(self, sites_dir: Path) -> None:
        self.sites_dir = sites_dir
        self.texts: dict[Path, str] = {}
        self._read(sorted(sites_dir.glob("*.yaml")))

    def _read(self, paths: list[Path]) -> None:
        for path in paths:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                self.texts[path] = path.read_text(encoding="utf-8")

    def restore(self, changed: list[Path]) -> list[Path]:
        """Merge the form's saves among the `changed` files into the files as they were; the files merged."""
        merged_files = []
        for path in changed:
            if path.parent != self.sites_dir or path.suffix != ".yaml":
                continue
            before = self.texts.get(path)
            self._read([path])
            text = self.texts.get(path)
            merged = merged_form_save(before, text) if before is not None and text is not None else None
            if merged is not None:
                replace_file(path, merged)  # a reader sees the save or the merge, never half of one
                self.texts[path] = merged
                merged_files.append(path)
        return merged_files


def keep_layout(project: Project, since: str) -> list[str]:
    """The pull-request side of FormSaves: each site file changed since the git commit `since` and saved by
    the form (no comment left) is merged into its version there. Returns the files merged."""
    def git(*args: str) -> str:
        run = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True, encoding="utf-8")
        if run.returncode:
            raise GuideError(say("git {command} failed: {error}", command=args[0], error=run.stderr.strip()))
        return run.stdout

    merged_files = []
    for name in git("diff", "--name-only", "--relative", since, "--", project.show(project.sites_dir)).splitlines():
        path = project.root / name
        if path.suffix != ".yaml" or not path.is_file():
            continue
        try:
            before = git("show", f"{since}:./{name}")
        except GuideError:  # a new file: nothing to keep
            continue
        merged = merged_form_save(before, path.read_text(encoding="utf-8"))
        if merged is not None:
            replace_file(path, merged)
            merged_files.append(project.show(path))
    return merged_files


class Preview:
    """Builds into site/ and keeps a server on it; `notice` carries the current problems."""

    def __init__(self, root: Path, host: str, port: int, say_line: Callable[[str], None] = print,
                 form_saves: bool = False) -> None:
        self.root, self.say_line = root, say_line
        self.form_saves = FormSaves(Project(root).sites_dir) if form_saves else None
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
                changed = [Path(name) for name in now.keys() | seen.keys() if now.get(name) != seen.get(name)]
                for path in self.form_saves.restore(changed) if self.form_saves else []:
                    self.say_line(say("Saved from the form; its other lines kept as they were: {file}",
                                      file=Project(self.root).show(path)))
                seen = snapshot(self.root)
                self.rebuild()

    def stop(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, form: bool = False) -> int:
    preview = Preview(root, host, port, form_saves=form)
    signal.signal(signal.SIGTERM, lambda *_: preview.stopped.set())
    print(say("Preview at {url} (Ctrl+C to stop)", url=preview.url), flush=True)
    if form:
        print(say("Form editor: open {url}admin/ in Chrome, Edge or Cốc Cốc, choose \"Làm việc với kho mã nguồn cục "
                  "bộ\" (Work with Local Repository) and pick this folder: {root}", url=preview.url, root=root), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        preview.watch()
    preview.stop()
    print("\n" + say("Stopped; nothing was changed."), flush=True)
    print(say("Preview stopped."), file=sys.stderr)
    return 0

