"""Nothing is lost when a build is killed: at a random moment, while pages are built, around the swap into
site/ and while plaques.yaml is written, the previous site/ and registry stay whole (or the new ones are
whole), the next build succeeds and removes what the killed one left. Published files are readable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.source import registry
from generator.web import integrity
from tests.conftest import ROOT
from tests.test_build import SITE_URL

LEFTOVERS = (".site.building-*", ".site.old-*", ".plaques.yaml.new")


def start_build(project: Path) -> subprocess.Popen[bytes]:
    """`python build.py` as a volunteer runs it, in a process group of its own (it and its workers are
    killed together, as the system or a closed terminal kills a build)."""
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "en", "build"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def kill(build: subprocess.Popen[bytes]) -> None:
    if build.poll() is None:
        os.killpg(build.pid, signal.SIGKILL)
    build.wait()


def finish(build: subprocess.Popen[bytes]) -> None:
    _out, err = build.communicate(timeout=600)
    assert build.returncode == 0, err.decode()


def assert_whole(project: Path, registry_before: bytes) -> None:
    """site/ is a complete output (its mark, every link resolving, its registry snapshot readable) and
    plaques.yaml is the previous file or the previous file with whole lines added."""
    site = project / "site"
    assert pipeline.published(site).get("fingerprint"), "site/ lacks its mark: not a finished build"
    assert integrity.check(site, SITE_URL) == []
    assert registry.read_snapshot(site, "") is not None
    text = (project / "plaques.yaml").read_bytes()
    assert text.startswith(registry_before)
    assert text.endswith(b"\n") and all(line.startswith(b"- {") and line.endswith(b"}")
                                        for line in text[len(registry_before):].splitlines())
    yaml.safe_load(text)


def change_something(project: Path, round_: int) -> None:
    """An edit (pages to render again) and a new site (a plaque to draw, a registry line to append)."""
    site = project / "sites" / "den-xa-tac.yaml"
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("en: Xã Tắc Temple", f"en: Xã Tắc Temple ({round_})", 1)
                    if "en: Xã Tắc Temple\n" in text else text.replace(f"({round_ - 1})", f"({round_})", 1), encoding="utf-8")
    new = (project / "sites" / "cot-moc-1368.yaml").read_text(encoding="utf-8")
    (project / "sites" / f"moc-{round_}.yaml").write_text(
        new.replace("id: KL1368", f"id: KILL{round_}").replace("slug: cot-moc-1368", f"slug: moc-{round_}"), encoding="utf-8")


def wait_until(condition: Callable[[], bool], build: subprocess.Popen[bytes], seconds: float = 300) -> bool:
    """Poll as fast as Python can (the registry is written in about a millisecond); False if the build
    ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if build.poll() is not None:
            return condition()
    raise AssertionError("the build neither reached the point nor ended")


def staging_folders(project: Path) -> list[Path]:
    return list(project.glob(".site.building-*"))


def test_killed_builds_lose_nothing_and_the_next_build_cleans_up(project: Path) -> None:
    finish(start_build(project))
    started = time.monotonic()
    change_something(project, 1)
    finish(start_build(project))
    duration = time.monotonic() - started
    rounds = iter(range(2, 100))

    def killed_when(condition: Callable[[Path], bool] | None, pause: float = 0.0) -> bool:
        """Change something, start a build, kill it when `condition` holds (else after `pause`), check."""
        round_, before = next(rounds), (project / "plaques.yaml").read_bytes()
        change_something(project, round_)
        build = start_build(project)
        reached = wait_until(lambda: condition(project), build) if condition else (time.sleep(pause) or True)
        kill(build)
        assert_whole(project, before)
        return reached

    # While pages are built: the half-built folder exists.
    assert killed_when(lambda p: bool(staging_folders(p)))
    assert killed_when(lambda p: any((folder / "vi").is_dir() for folder in staging_folders(p)))
    # Around the swap: the half-built folder's mark is written just before it is exchanged with site/.
    for _ in range(2):
        killed_when(lambda p: any((folder / pipeline.OUTPUT_MARK).exists() for folder in staging_folders(p)))
    # While plaques.yaml is written: its replacement exists for the 2 ms of its write and fsync (a poll
    # takes microseconds, so this is caught unless the machine is very busy: tried until caught twice).
    caught = tries = 0
    while caught < 2 and tries < 6:
        tries += 1
        caught += killed_when(lambda p: (p / ".plaques.yaml.new").exists())
    assert caught, "the registry write was never caught"
    # At random moments of a whole build.
    generator = random.Random(11)
    for _ in range(6):
        killed_when(None, generator.uniform(0, duration))

    last = (project / "plaques.yaml").read_bytes()
    finish(start_build(project))
    assert_whole(project, last)
    assert not [path for pattern in LEFTOVERS for path in project.glob(pattern)]
    issued = {line["id"] for line in yaml.safe_load((project / "plaques.yaml").read_text(encoding="utf-8"))}
    assert {path.read_text(encoding="utf-8").split("id: ", 1)[1].split("\n", 1)[0]
            for path in (project / "sites").glob("moc-*.yaml")} <= issued


def test_a_replacement_registry_left_by_a_killed_build_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "plaques.yaml"
    path.write_text("- {id: KL1368, slug: cot-moc-1368, issued: 2026-11-24}\n", encoding="utf-8")
    (tmp_path / ".plaques.yaml.new").write_text("- {id: KL1368, slug: cot-moc-1368, iss", encoding="utf-8")

    registry.append(path, [])  # every build calls it, with or without new lines

    assert [p.name for p in tmp_path.iterdir()] == ["plaques.yaml"]


def test_a_killed_registry_write_leaves_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry append cut short (here: the disk fails while it is written) changes nothing."""
    path = tmp_path / "plaques.yaml"
    path.write_text("- {id: KL1368, slug: cot-moc-1368, issued: 2026-11-24}\n", encoding="utf-8")

    def disk_full(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        registry.append(path, ["- {id: NEW1, slug: moi, issued: 2026-12-01}"])

    assert path.read_text(encoding="utf-8") == "- {id: KL1368, slug: cot-moc-1368, issued: 2026-11-24}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plaques.yaml"]


def test_leftovers_of_killed_builds_are_removed_but_not_a_running_builds(project: Path) -> None:
    dead = 2 ** 22 + 12345  # above Linux's default pid_max: no such process
    alive = f".site.building-{os.getppid()}-ef56"
    for name in (f".site.building-{dead}-ab12", f".site.old-{dead}-cd34/site", ".site.building-olddd1x", alive):
        (project / name / "vi").mkdir(parents=True)
        (project / name / "vi" / "index.html").write_text("half", encoding="utf-8")
    (project / f".site.building-{dead}-ab12" / "vi").chmod(0o500)  # read-only leftovers are removed too

    pipeline.build(project)

    deadline = time.monotonic() + 30  # removed on a thread: the build does not wait for it
    while time.monotonic() < deadline and len(list(project.glob(".site.*"))) > 1:
        time.sleep(0.05)
    assert [path.name for path in project.glob(".site.*")] == [alive]  # its process is alive: kept


def test_what_killed_builds_leave_is_ignored_by_git() -> None:
    names = [".site.building-123-ab12/vi/index.html", ".site.old-123-cd34/site/index.html", ".plaques.yaml.new",
             ".plaques-print.building-9-x/a.pdf"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.split() == names


def test_published_files_are_readable_by_a_web_server(project: Path) -> None:
    """Every folder 0755 and every file 0644 under the usual umask (the site/ folder was 0700)."""
    subprocess.run(["bash", "-c", f'umask 022 && exec "{sys.executable}" "{ROOT / "build.py"}" --root "{project}" build'],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    site = project / "site"
    modes = {path: path.stat().st_mode & 0o7777 for path in [site, *site.rglob("*")]}
    assert {oct(mode) for path, mode in modes.items() if path.is_dir()} == {"0o755"}
    assert {oct(mode) for path, mode in modes.items() if path.is_file()} == {"0o644"}
