"""Progress of a long build: per stage, what is done of how much, and the time left.

On a terminal one line is redrawn in place; elsewhere (CI, a log file) each stage prints one line when
it ends, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .messages import say

REDRAW_SECONDS = 0.2


class Progress:
    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.name = ""
        self.total = self.done = 0
        self.started = self.drawn = 0.0

    def stage(self, name: str, total: int) -> None:
        """Start a stage of `total` steps (ending the one before)."""
        self.end()
        self.name, self.total, self.done = name, total, 0
        self.started = time.perf_counter()
        self._draw()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.live and time.perf_counter() - self.drawn >= REDRAW_SECONDS:
            self._draw()

    def end(self) -> None:
        if not self.name:
            return
        seconds = time.perf_counter() - self.started
        line = say("{stage}: {done} of {total} in {seconds:.1f} s", stage=self.name, done=self.done,
                   total=self.total, seconds=seconds)
        print(f"\r{line}\033[K" if self.live else line, file=self.stream, flush=True)
        self.name = ""

    def _draw(self) -> None:
        if not self.live:
            return
        self.drawn = time.perf_counter()
        elapsed = self.drawn - self.started
        line = say("{stage}: {done} of {total}", stage=self.name, done=self.done, total=self.total)
        if 0 < self.done < self.total and elapsed > 1:
            line += " · " + say("about {seconds:.0f} s left", seconds=elapsed * (self.total - self.done) / self.done)
        print(f"\r{line}\033[K", end="", file=self.stream, flush=True)
