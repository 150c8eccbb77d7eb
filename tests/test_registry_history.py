"""The plaque registry cannot lose history: not by deleting lines, nor by giving a removed site's id to
another place. The build compares with the snapshot the last build left in site/; the publishing
workflow compares with main before the change (`build.py check --before FOLDER`)."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.commands.cli import main
from generator.source import registry
from tests.conftest import ROOT, copy_project
from tests.test_registry import append_to_registry, redirect_target

XA_TAC_LINE = "- {id: KLXT01, slug: den-xa-tac, issued: 2026-11-24}\n"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def give_xa_tac_id_to_a_new_site(project: Path) -> Path:
    """The case of the issue: a site file deleted, and its plaque id pasted into a new site elsewhere."""
    old = project / "sites" / "den-xa-tac.yaml"
    new = project / "sites" / "dinh-tra-co.yaml"
    text = old.read_text(encoding="utf-8")
    old.unlink()
    for before, after in (("slug: den-xa-tac", "slug: dinh-tra-co"), ("vi: Đền Xã Tắc", "vi: Đình Trà Cổ"),
                          ("en: Xã Tắc Temple", "en: Trà Cổ Communal House"), ("lat: 21.5385", "lat: 21.4820"),
                          ("lon: 107.9582", "lon: 108.0420")):
        assert before in text, before
        text = text.replace(before, after)
    new.write_text(text, encoding="utf-8")
    return new


def site_listing(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_a_deleted_registry_is_refused_and_the_site_kept(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "build"]) == 0
    published = site_listing(project / "site")
    (project / "plaques.yaml").unlink()

    assert main(["--root", str(project), "build"]) == 1

    err = capsys.readouterr().err
    assert "plaques.yaml: 3 line(s) that the guide last built into site/ was built with are missing" in err
    assert XA_TAC_LINE.strip() in err
    assert not (project / "plaques.yaml").exists()  # nothing was re-issued with today's date
    assert site_listing(project / "site") == published


@pytest.mark.parametrize("kind", ["old slug", "retirement"])
def test_a_deleted_history_line_is_refused(project: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """An old slug line and a retirement line are the ones whose loss nothing else would notice."""
    if kind == "old slug":
        edit(project / "sites" / "den-xa-tac.yaml", "slug: den-xa-tac", "slug: den-xa-tac-ka-long")
        lost = XA_TAC_LINE
    else:
        append_to_registry(project, "- {id: OLD7, slug: den-cu, issued: 2025-01-01}\n"
                                    "- {id: OLD7, retired: 2026-01-01, to: KL1368}\n")
        lost = "- {id: OLD7, slug: den-cu, issued: 2025-01-01}\n"
    assert main(["--root", str(project), "build"]) == 0
    capsys.readouterr()
    edit(project / "plaques.yaml", lost, "")

    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "1 line(s) that the guide last built into site/ was built with are missing" in err
    assert lost.strip() in err
    assert (project / "site" / "vi" / ("den-xa-tac" if kind == "old slug" else "den-cu") / "index.html").is_file()

    append_to_registry(project, lost)  # put back, even at the end: the order of lines does not matter
    assert main(["--root", str(project), "build"]) == 0


def test_a_reformatted_registry_is_not_a_loss(project: Path) -> None:
    pipeline.build(project)
    lines = yaml.safe_load((project / "plaques.yaml").read_text(encoding="utf-8"))
    (project / "plaques.yaml").write_text("\n".join(f'- {{id: "{e["id"]}", slug: \'{e["slug"]}\', issued: {e["issued"]}}}'
                                                    for e in reversed(lines)) + "\n", encoding="utf-8")
    pipeline.build(project)


def test_a_deleted_sites_id_given_to_a_new_site_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The printed plaque KLXT01 hangs on Đền Xã Tắc: it must not silently open Đình Trà Cổ."""
    assert main(["--root", str(project), "build"]) == 0
    capsys.readouterr()
    new = give_xa_tac_id_to_a_new_site(project)

    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert ("sites/dinh-tra-co.yaml:2:1: id: plaque KLXT01 was printed for 'Đền Xã Tắc' (sites/den-xa-tac.yaml, page "
            "'den-xa-tac'), but this file gives it to 'Đình Trà Cổ' (page 'dinh-tra-co'), 10.7 km away") in err
    assert "retired: " in err and "to: NEW_ID" in err
    assert redirect_target(project / "site" / "Q" / "KLXT01" / "index.html") == (project / "site" / "vi" / "den-xa-tac").resolve()
    assert "dinh-tra-co" not in (project / "plaques.yaml").read_text(encoding="utf-8")

    # What the message says to do: a new id for the new site, the old plaque retired to it.
    edit(new, "id: KLXT01", "id: TRACO1")
    append_to_registry(project, "- {id: KLXT01, retired: 2026-12-01, to: TRACO1}\n")
    assert main(["--root", str(project), "build"]) == 0
    site = project / "site"
    assert redirect_target(site / "Q" / "KLXT01" / "index.html") == (site / "vi" / "dinh-tra-co").resolve()


def test_a_move_to_another_place_can_be_confirmed_in_the_registry(project: Path) -> None:
    pipeline.build(project)
    give_xa_tac_id_to_a_new_site(project)
    append_to_registry(project, "- {id: KLXT01, slug: dinh-tra-co, issued: 2026-12-01}\n")

    result = pipeline.build(project)

    assert redirect_target(result.output / "Q" / "KLXT01" / "index.html") == (result.output / "vi" / "dinh-tra-co").resolve()


@pytest.mark.parametrize("change", ["same file, new name", "file renamed, same name"])
def test_a_renamed_page_of_the_same_place_is_registered_by_itself(project: Path, change: str) -> None:
    pipeline.build(project)
    site = project / "sites" / "den-xa-tac.yaml"
    edit(site, "slug: den-xa-tac", "slug: den-xa-tac-ka-long")
    if change == "same file, new name":
        edit(site, "vi: Đền Xã Tắc", "vi: Đền Xã Tắc Ka Long")
        edit(site, "lat: 21.5385", "lat: 21.5390")  # a better survey, a few dozen metres
    else:
        site.rename(site.with_name("den-xa-tac-ka-long.yaml"))

    result = pipeline.build(project)

    assert "- {id: KLXT01, slug: den-xa-tac-ka-long, issued: " in (project / "plaques.yaml").read_text(encoding="utf-8")
    site = result.output
    assert redirect_target(site / "vi" / "den-xa-tac" / "index.html") == (site / "vi" / "den-xa-tac-ka-long").resolve()


def test_previews_never_make_a_half_typed_id_permanent(project: Path) -> None:
    """A preview's snapshot holds only issued ids: a typo fixed later is not a 'lost' plaque."""
    pipeline.build(project)
    site = project / "sites" / "den-xa-tac.yaml"
    edit(site, "id: KLXT01", "id: KLXT0")
    with pytest.raises(pipeline.GuideError):  # the issued id has no site now: refused as before
        pipeline.build(project, register=False)
    edit(site, "id: KLXT0", "id: KLXT01")
    (project / "sites" / "moi.yaml").write_text(
        (project / "sites" / "cot-moc-1368.yaml").read_text(encoding="utf-8")
        .replace("id: KL1368", "id: NEWTYPO").replace("slug: cot-moc-1368", "slug: moi"), encoding="utf-8")
    pipeline.build(project, register=False)
    snapshot = json.loads((project / "site" / registry.SNAPSHOT_FILE).read_text(encoding="utf-8"))
    assert "NEWTYPO" not in snapshot["places"] and not any("NEWTYPO" in line for line in snapshot["lines"])
    edit(project / "sites" / "moi.yaml", "id: NEWTYPO", "id: NEW1")

    assert pipeline.build(project).registered == (f"- {{id: NEW1, slug: moi, issued: {datetime.date.today()}}}",)


def test_check_before_compares_with_the_published_guide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What the workflow runs: no site/ here, only a copy of the guide as published."""
    before = copy_project(tmp_path / "before")
    now = copy_project(tmp_path / "now")
    assert main(["--root", str(now), "check", "--before", str(before), "--report", str(tmp_path / "r.html")]) == 0

    edit(now / "plaques.yaml", XA_TAC_LINE, "")
    edit(now / "sites" / "den-xa-tac.yaml", "slug: den-xa-tac", "slug: den-xa-tac-moi")
    assert main(["--root", str(now), "check", "--before", str(before)]) == 1
    assert f"1 line(s) that {before} was built with are missing" in capsys.readouterr().err

    shutil.rmtree(now)
    now = copy_project(tmp_path / "now")
    give_xa_tac_id_to_a_new_site(now)
    assert main(["--root", str(now), "check", "--before", str(before)]) == 1
    assert "plaque KLXT01 was printed for 'Đền Xã Tắc'" in capsys.readouterr().err


def workflow_step(name: str) -> str:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    return next(step["run"] for step in workflow["jobs"]["build"]["steps"] if step.get("name") == name)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_workflow_refuses_a_committed_deletion(tmp_path: Path) -> None:
    """The issue's case: the deletion was committed, so `git diff --exit-code plaques.yaml` passed."""
    repo = copy_project(tmp_path / "repo", share_cache=False)
    (repo / ".gitignore").write_text("/.venv\n/build.py\n/generator\n/.build/\n", encoding="utf-8")
    (repo / ".venv").symlink_to(ROOT / ".venv")
    (repo / "build.py").symlink_to(ROOT / "build.py")
    (repo / "generator").symlink_to(ROOT / "generator")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "published")
    step = workflow_step("No plaque history lost (against main before this change)")
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def run_step(message: str, base: str = "") -> subprocess.CompletedProcess[str]:
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", message)
        shutil.rmtree(tmp_path / "before", ignore_errors=True)
        git(repo, "worktree", "prune")
        return subprocess.run(["bash", "-c", step], cwd=repo, env={**env, "BASE": base}, capture_output=True, text=True)

    edit(repo / "sites" / "den-xa-tac.yaml", "en: Xã Tắc Temple", "en: Xa Tac Temple")
    assert run_step("an edit").returncode == 0
    edit(repo / "plaques.yaml", XA_TAC_LINE, "")
    edit(repo / "sites" / "den-xa-tac.yaml", "slug: den-xa-tac", "slug: den-xa-tac-moi")
    append_to_registry(repo, "- {id: KLXT01, slug: den-xa-tac-moi, issued: 2026-12-01}\n")
    result = run_step("a registry line deleted", base="0000000000000000000000000000000000000000")  # a new branch: HEAD~1
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"plaques\.yaml: 1 line\(s\) that .*before was built with are missing", result.stderr)
    assert XA_TAC_LINE.strip() in result.stderr and "Traceback" not in result.stderr


def test_registry_appends_keep_every_byte_and_leave_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "plaques.yaml"
    original = b"# notes\r\n- {id: KL1368, slug: cot-moc-1368, issued: 2026-11-24}"  # Windows line ends, no final one
    path.write_bytes(original)
    path.chmod(0o664)

    registry.append(path, ["- {id: NEW1, slug: moi, issued: 2026-12-01}", "- {id: NEW2, slug: hai, issued: 2026-12-01}"])

    assert path.read_bytes() == original + (b"\r\n- {id: NEW1, slug: moi, issued: 2026-12-01}"
                                            b"\r\n- {id: NEW2, slug: hai, issued: 2026-12-01}\r\n")
    assert path.stat().st_mode & 0o777 == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plaques.yaml"]


def test_a_registry_snapshot_from_another_generator_is_ignored(project: Path) -> None:
    pipeline.build(project)
    (project / "site" / registry.SNAPSHOT_FILE).write_text('{"lines": "not a list of lines"', encoding="utf-8")
    (project / "plaques.yaml").write_text("", encoding="utf-8")

    assert pipeline.build(project).registered  # nothing to compare with: a fresh registry, as before snapshots
