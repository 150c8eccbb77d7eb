"""Printed plaques never lead to a 404: slug changes redirect, removed sites must be retired."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands.cli import main

LANGUAGES = ("vi", "en", "zh")


def redirect_target(page: Path) -> Path:
    """Where a redirect or language-chooser page sends a visitor without JavaScript."""
    html = page.read_text(encoding="utf-8")
    url = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1)
    return (page.parent / url).resolve()


def append_to_registry(project: Path, lines: str) -> None:
    """What a coordinator does by hand: add lines at the end of plaques.yaml."""
    with (project / "plaques.yaml").open("a", encoding="utf-8") as registry:
        registry.write(lines)


def test_new_sites_are_registered_once_and_lines_are_only_appended(project: Path) -> None:
    registry = project / "plaques.yaml"
    registry.write_text("# my note, kept\n", encoding="utf-8")

    pipeline.build(project, today=datetime.date(2026, 11, 24))
    first = registry.read_text(encoding="utf-8")
    pipeline.build(project, today=datetime.date(2026, 12, 1))

    assert registry.read_text(encoding="utf-8") == first
    assert first.startswith("# my note, kept\n")
    assert "- {id: KL1368, slug: cot-moc-1368, issued: 2026-11-24}" in first


def test_renamed_slug_keeps_old_addresses(project: Path) -> None:
    pipeline.build(project)
    site = project / "sites" / "den-xa-tac.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("slug: den-xa-tac", "slug: den-xa-tac-ka-long"),
                    encoding="utf-8")

    result = pipeline.build(project)

    for language in LANGUAGES:
        old = result.output / language / "den-xa-tac" / "index.html"
        assert redirect_target(old) == (result.output / language / "den-xa-tac-ka-long").resolve()
        assert (result.output / language / "den-xa-tac-ka-long" / "index.html").is_file()
    # The plaque address follows the site to its new page.
    assert redirect_target(result.output / "Q/KLXT01/index.html") == (result.output / "vi/den-xa-tac-ka-long").resolve()
    assert "slug: den-xa-tac-ka-long" in (project / "plaques.yaml").read_text(encoding="utf-8")


def test_removed_site_fails_until_its_plaque_is_retired(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipeline.build(project)
    (project / "sites" / "den-xa-tac.yaml").unlink()

    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "plaques.yaml:" in err and "plaque KLXT01 was issued" in err and "retire" in err

    append_to_registry(project, "- {id: KLXT01, retired: 2026-11-30, to: KL1368}\n")
    assert main(["--root", str(project), "build"]) == 0

    site = project / "site"
    for form in ("Q/KLXT01", "q/klxt01"):
        assert redirect_target(site / form / "index.html") == (site / "vi" / "cot-moc-1368").resolve()
    for language in LANGUAGES:
        assert redirect_target(site / language / "den-xa-tac" / "index.html") == (site / language / "cot-moc-1368").resolve()


def test_retired_to_unknown_site_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipeline.build(project)
    (project / "sites" / "den-xa-tac.yaml").unlink()
    append_to_registry(project, "- {id: KLXT01, retired: 2026-11-30, to: NOPE99}\n")

    assert main(["--root", str(project), "check"]) == 1
    assert "'NOPE99', which is not the id of any site" in capsys.readouterr().err


def test_a_retired_id_cannot_be_taken_by_another_site(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    append_to_registry(project, "- {id: OLD1, slug: den-cu, issued: 2025-01-01}\n- {id: OLD1, retired: 2026-01-01, to: KL1368}\n")
    site = project / "sites" / "den-xa-tac.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("id: KLXT01", "id: OLD1"), encoding="utf-8")

    assert main(["--root", str(project), "check"]) == 1
    assert "sites/den-xa-tac.yaml:2:1: id: plaque id OLD1 was retired" in capsys.readouterr().err


def test_registry_lines_are_validated_like_site_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    append_to_registry(project, "- {id: OLD2, slug: ../../../../tmp/escape, issued: 2025-01-01}\n")

    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert "plaques.yaml:" in err and "slug" in err and "not a valid page address" in err
    assert not (project / "site").exists()


def test_preview_builds_do_not_register_ids(project: Path) -> None:
    site = project / "sites" / "den-xa-tac.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("slug: den-xa-tac", "slug: den-xa-tac-moi"), encoding="utf-8")
    before = (project / "plaques.yaml").read_text(encoding="utf-8")

    result = pipeline.build(project, register=False)

    assert (result.output / "vi" / "den-xa-tac-moi" / "index.html").is_file()
    assert (project / "plaques.yaml").read_text(encoding="utf-8") == before


def test_plaque_base_must_be_a_folder_of_its_own(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("HTTPS://HERITAGE.EXAMPLE.VN/Q/", "HTTPS://HERITAGE.EXAMPLE.VN/"),
                      encoding="utf-8")

    assert main(["--root", str(project), "check"]) == 1
    assert "extra.guide.plaque_base" in capsys.readouterr().err


def test_default_plaque_address_keeps_the_case_of_a_site_path(project: Path) -> None:
    from generator.source.load import load_guide
    from generator.web import addresses

    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("site_url: https://heritage.example.vn/", "site_url: https://u.github.io/Repo/")
    config.write_text(re.sub(r"\n\s*plaque_base:[^\n]*", "", text), encoding="utf-8")

    guide = load_guide(project)

    assert addresses.plaque_url(guide, "KL1368") == "HTTPS://U.GITHUB.IO/Repo/Q/KL1368"
    assert addresses.plaque_folder(guide) == "Q/"


def test_taking_another_plaques_old_address_is_announced(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    append_to_registry(project, "- {id: KLXT01, slug: den-cu, issued: 2026-11-25}\n")
    site = project / "sites" / "cot-moc-1368.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("slug: cot-moc-1368", "slug: den-cu"), encoding="utf-8")

    assert main(["--root", str(project), "check"]) == 0
    assert "'den-cu' belonged to plaque KLXT01 before" in capsys.readouterr().err
