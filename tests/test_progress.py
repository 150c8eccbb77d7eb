"""Progress of long builds: redrawn in place on a terminal, one plain line per stage in logs."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from generator import progress as progress_module
from generator.progress import Progress
from tests.conftest import ROOT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_every_running_stage_with_counts_and_time_left(monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "REDRAW_SECONDS", 0)
    screen = Terminal()
    shown = Progress(screen)
    shown.stage("pages", 10)
    shown.stage("plaques", 4)
    shown.running["pages"].started -= 5  # five seconds in
    shown.advance("pages", 5)
    drawn = screen.getvalue().split("\r")[-1]
    assert "pages: 5 of 10" in drawn and "plaques: 0 of 4" in drawn
    assert "about 5 s left" in drawn
    shown.end("plaques")
    assert "plaques: 0 of 4 in" in screen.getvalue()


def test_a_log_gets_one_line_per_finished_stage_and_no_redraws() -> None:
    log = io.StringIO()
    shown = Progress(log)
    shown.stage("pages", 3)
    for _ in range(3):
        shown.advance("pages")
    time.sleep(0.01)
    shown.end("pages")
    assert "\r" not in log.getvalue() and "\033" not in log.getvalue()
    assert log.getvalue().splitlines() == [log.getvalue().strip()]
    assert log.getvalue().startswith("pages: 3 of 3 in ")


def test_the_build_command_reports_each_stage_in_a_log(project: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--lang", "en", "--root", str(project)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for stage in ("photos and audio", "pages", "MkDocs, one build per language", "plaques"):
        assert any(line.startswith(f"{stage}: ") and " of " in line for line in run.stderr.splitlines()), stage
    assert "\r" not in run.stderr
