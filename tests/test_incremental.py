"""An incremental build writes exactly what a cold build writes: the caches never serve a stale result."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator import pipeline
from generator.files import exclusive
from generator.problems import GuideError
from tests.conftest import copy_project


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` by path, with a digest of its bytes."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def cold_build(project: Path, where: Path) -> dict[str, str]:
    """The same inputs built from nothing: no caches, no work folders, no earlier site."""
    shutil.rmtree(where, ignore_errors=True)
    return tree(pipeline.build(copy_project(where, project, share_cache=False), register=False).output)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_incremental_builds_equal_cold_builds_byte_for_byte(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "incremental", share_cache=False)
    sites, settings = project / "sites", project / "mkdocs.yml"
    first = tree(pipeline.build(project, register=False).output)

    def check(change: str) -> None:
        incremental = tree(pipeline.build(project, register=False).output)
        cold = cold_build(project, tmp_path / "cold")
        differing = sorted(name for name in incremental.keys() | cold.keys() if incremental.get(name) != cold.get(name))
        assert not differing, f"after {change}: {differing[:10]}"

    check("nothing changed")
    assert tree(project / "site") == first

    edit(sites / "den-xa-tac.yaml", "\nsummary:\n  vi: ", "\nsummary:\n  vi: Đã sửa. ")
    check("one site's summary changed")

    added = (sites / "cot-moc-1368.yaml").read_text(encoding="utf-8")
    (sites / "cot-moc-1368-b.yaml").write_text(
        added.replace("id: KL1368", "id: KL1369").replace("slug: cot-moc-1368", "slug: cot-moc-1369")
             .replace("vi: Cột mốc biên giới 1368(3)", "vi: Cột mốc biên giới 1369"), encoding="utf-8")
    check("one site added")

    (sites / "den-tran-hung-dao.yaml").unlink()
    edit(project / "plaques.yaml", "- {id: YGTHD1, slug: den-tran-hung-dao, issued: 2026-11-24}\n",
         "- {id: YGTHD1, slug: den-tran-hung-dao, issued: 2026-11-24}\n- {id: YGTHD1, retired: 2026-11-25, to: KLXT01}\n")
    check("one site removed, its plaque retired")

    photo = project / "media" / "den-xa-tac" / "illustration.jpg"
    with Image.open(photo) as image:
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(photo, quality=90)
    check("a photo replaced")

    edit(settings, "en: Quảng Ninh Heritage Guide", "en: Quảng Ninh Heritage Trail")
    check("a setting changed")


def test_a_second_build_of_the_same_project_is_refused_while_one_runs(project: Path) -> None:
    """Builds share the work folders; the second is told why it cannot run, and changes nothing."""
    with exclusive(project / pipeline.WORK_FOLDER / "build.lock", wait=False), \
            pytest.raises(GuideError, match="another build of this guide is running"):
        pipeline.build(project)
    assert not (project / "site").exists()
    assert pipeline.build(project, register=False).output == project / "site"
