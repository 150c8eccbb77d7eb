"""A volunteer's first hour (issue 17, first part): coordinates typed the wrong way round, a build stopped with
Ctrl+C, and the commands as a new terminal runs them (a relative --root)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT, copy_project

SITE = "sites/den-xa-tac.yaml"


def set_location(project: Path, lat: str, lon: str) -> int:
    """Write lat and lon into the sample site; the line of `lat:`."""
    path = project / SITE
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+)lat: .*$", rf"\g<1>lat: {lat}", text, count=1)
    text = re.sub(r"(?m)^(\s+)lon: .*$", rf"\g<1>lon: {lon}", text, count=1)
    path.write_text(text, encoding="utf-8")
    return next(number for number, row in enumerate(text.splitlines(), 1) if row.strip() == "location:")


@pytest.mark.parametrize("lat, lon, says", [
    ("107.9661", "21.5334", "look swapped"),
    ("90", "107.9661", "is not in Vietnam"),
    ("21.5334", "7.9661", "is not in Vietnam"),
])
def test_coordinates_outside_vietnam_are_named_for_what_they_are(project: Path, capsys: pytest.CaptureFixture[str],
                                                                  lat: str, lon: str, says: str) -> None:
    line = set_location(project, lat, lon)
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"^{re.escape(SITE)}:{line}:\d+: location: .*{says}", err, re.M), err
    set_location(project, "21.5334", "107.9661")  # what the advice says: swap them, or copy the point again
    assert main(["--root", str(project), "check"]) == 0


def test_a_relative_root_builds(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.parent)
    assert main(["--root", project.name]) == 0
    assert (project / "site" / "vi" / "den-xa-tac" / "index.html").is_file()


def test_ctrl_c_stops_the_build_in_plain_words_and_changes_nothing(tmp_path: Path) -> None:
    """Ctrl+C reaches the whole process group (the build and its workers), as a terminal sends it."""
    project = copy_project(tmp_path / "guide", share_cache=False)  # a cold build: long enough to interrupt
    registry = (project / "plaques.yaml").read_bytes()
    child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "vi"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stderr is not None
    os.set_blocking(child.stderr.fileno(), True)
    first = child.stderr.readline()  # the first stage has started
    assert first, "the build printed nothing"
    os.killpg(child.pid, signal.SIGINT)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 130, first + err
    assert "Đã dừng; không có gì bị thay đổi." in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not (project / "site").exists()
    assert (project / "plaques.yaml").read_bytes() == registry
