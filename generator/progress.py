"""Progress of a long build: per stage, what is done of how much, and the time left.

Stages may run at the same time (pages while plaques render). On a terminal one line is redrawn in
place with every running stage; elsewhere (CI, a log file) each stage prints one line when it ends,
so logs stay readable.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

from .messages import say

REDRAW_SECONDS = 0.2


@dataclass
class _Stage:
    total: int
    done: int
    started: float


class Progress:
    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.running: dict[str, _Stage] = {}
        self.drawn = 0.0
        self.lock = threading.Lock()

    def stage(self, name: str, total: int) -> None:
        """Start a stage of `total` steps."""
        with self.lock:
            self.running[name] = _Stage(total, 0, time.perf_counter())
            self._draw()

    def advance(self, name: str, steps: int = 1) -> None:
        with self.lock:
            self.running[name].done += steps
            if self.live and time.perf_counter() - self.drawn >= REDRAW_SECONDS:
                self._draw()

    def end(self, name: str) -> None:
        with self.lock:
            stage = self.running.pop(name)
            line = say("{stage}: {done} of {total} in {seconds:.1f} s", stage=name, done=stage.done,
                       total=stage.total, seconds=time.perf_counter() - stage.started)
            print(f"\r{line}\033[K" if self.live else line, file=self.stream, flush=True)
            self._draw()

    def _draw(self) -> None:
        if not (self.live and self.running):
            return
        self.drawn = time.perf_counter()
        parts = []
        for name, stage in self.running.items():
            part = say("{stage}: {done} of {total}", stage=name, done=stage.done, total=stage.total)
            elapsed = self.drawn - stage.started
            if 0 < stage.done < stage.total and elapsed > 1:
                part += " " + say("(about {seconds:.0f} s left)",
                                  seconds=elapsed * (stage.total - stage.done) / stage.done)
            parts.append(part)
        print("\r" + " · ".join(parts) + "\033[K", end="", file=self.stream, flush=True)


class Quiet(Progress):
    """Counts like a Progress and prints nothing (library calls, previews' rebuilds)."""

    def __init__(self) -> None:
        super().__init__(live=False)

    def end(self, name: str) -> None:
        with self.lock:
            self.running.pop(name)
