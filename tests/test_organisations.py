"""Many wards, one guide (issue 10): each site's organisation on its plaque, its sheet and its pages' footer;
print runs chosen by organisation or area; mistakes in names answered with the valid ones.

Expected organisations come from the project files (mkdocs.yml's `organisations` and each site file's own
`organisation` or area), read here with PyYAML, never from the generator.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pypdfium2
import pytest
import yaml
import zxingcpp

from generator import pipeline
from generator.commands.cli import main
from tests.conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SETTINGS = CONFIG["extra"]["guide"]
ORGANISATIONS = SETTINGS["organisations"]
LANGUAGES = tuple(SETTINGS["languages"])
SITES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}
BASE = SETTINGS["plaque_base"]


def organisation_of(site: dict) -> str | None:
    """The site's own organisation, else the one whose areas hold its Vietnamese area, else None (the publisher)."""
    if site.get("organisation"):
        return site["organisation"]
    return next((key for key, organisation in ORGANISATIONS.items() if site["area"]["vi"] in organisation.get("areas", [])),
                None)


def name_of(key: str | None, language: str) -> str:
    names = ORGANISATIONS[key]["name"] if key else SETTINGS["organisation"]
    return names.get(language, names["vi"])


def pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    try:
        return unicodedata.normalize("NFC", "".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()


def decoded_pages(path: Path) -> list[list[str]]:
    document = pypdfium2.PdfDocument(path)
    try:
        return [sorted(r.text for r in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())) for page in document]
    finally:
        document.close()


def footer(html: str) -> str:
    return re.search(r'<div class="md-copyright">(.*?)</div>', html, re.S).group(1)


def test_the_samples_belong_to_two_organisations() -> None:
    owners = {slug: organisation_of(site) for slug, site in SITES.items()}
    assert owners["den-tran-hung-dao"] != owners["den-xa-tac"] == owners["cot-moc-1368"]
    assert None not in owners.values()
    assert "Ka Long" not in name_of(owners["den-tran-hung-dao"], "vi")  # issue 10: it is a Quảng Yên temple


@pytest.mark.parametrize("slug", list(SITES))
def test_each_plaque_prints_its_own_organisation(built: pipeline.BuildResult, slug: str) -> None:
    site = SITES[slug]
    text = pdf_text(built.output / "plaques" / site["id"] / "plaque-a6.pdf")
    mine = name_of(organisation_of(site), "vi")
    assert mine in text
    others = {name_of(key, "vi") for key in ORGANISATIONS} - {mine}
    assert not [other for other in others if other in text]


def test_one_sheet_per_organisation_holding_only_its_plaques(built: pipeline.BuildResult) -> None:
    folder = built.output / "plaques"
    expected: dict[str, set[str]] = {}
    for site in SITES.values():
        expected.setdefault(organisation_of(site), set()).add(BASE + site["id"])
    assert sorted(p.name for p in folder.glob("sheet-*.pdf")) == sorted(f"sheet-{key}-a6-on-a4.pdf" for key in expected)
    for key, addresses in expected.items():
        sheet = folder / f"sheet-{key}-a6-on-a4.pdf"
        assert {code for page in decoded_pages(sheet) for code in page} == addresses
        text = pdf_text(sheet)
        assert name_of(key, "vi") in text
        assert not [name_of(other, "vi") for other in ORGANISATIONS if other != key and name_of(other, "vi") in text]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_footer_names_the_organisation_that_looks_after_it(built: pipeline.BuildResult, language: str) -> None:
    for slug, site in SITES.items():
        html = (built.output / language / slug / "index.html").read_text(encoding="utf-8")
        assert name_of(organisation_of(site), language) in footer(html), slug
    home = (built.output / language / "index.html").read_text(encoding="utf-8")
    assert name_of(None, language) in footer(home)  # the guide's publisher
    quang_yen = (built.output / language / "area" / "quang-yen" / "index.html").read_text(encoding="utf-8")
    assert name_of("quang-yen", language) in footer(quang_yen)  # the area it looks after


def printed(output: Path) -> set[str]:
    """The plaque ids a print run wrote."""
    return {p.name for p in output.iterdir() if p.is_dir()}


@pytest.mark.parametrize("choice, expected", [
    (["--organisation", "ka-long"], {"KL1368", "KLXT01"}),
    (["--organisation", "dtn ka long"], {"KL1368", "KLXT01"}),  # the short name, typed without tones
    (["--organisation", "Đoàn Thanh niên thị xã Quảng Yên"], {"YGTHD1"}),
    (["--area", "Móng Cái"], {"KL1368", "KLXT01"}),
    (["--area", "quang yen"], {"YGTHD1"}),
    (["--area", "芒街"], {"KL1368", "KLXT01"}),
    (["--organisation", "ka-long", "KLXT01"], {"KLXT01"}),
])
def test_print_runs_by_organisation_or_area(project: Path, tmp_path: Path, choice: list[str], expected: set[str]) -> None:
    output = tmp_path / "print"
    assert main(["--root", str(project), "plaques", *choice, "--output", str(output)]) == 0
    assert printed(output) == expected
    sheets = sorted(p.name for p in output.glob("sheet-*.pdf"))
    assert len(sheets) == 1
    assert {code.removeprefix(BASE) for page in decoded_pages(output / sheets[0]) for code in page} == expected


@pytest.mark.parametrize("choice, close", [
    (["--organisation", "ka-lon"], "ka-long"),
    (["--organisation", "quang yen union"], None),
    (["--area", "mong cay"], "Móng Cái"),
])
def test_an_unknown_name_lists_the_valid_ones(project: Path, capsys: pytest.CaptureFixture[str],
                                              choice: list[str], close: str | None) -> None:
    assert main(["--root", str(project), "plaques", *choice]) == 1
    err = capsys.readouterr().err
    if close:
        assert f"did you mean {close!r}?" in err
    if choice[0] == "--organisation":
        assert all(key in err and ORGANISATIONS[key]["short"] in err for key in ORGANISATIONS)
    else:
        assert all(site["area"]["vi"] in err for site in SITES.values())
    assert not (project / "plaques-print").exists()


def test_a_site_naming_an_unknown_organisation_is_told_where_and_the_valid_ones(project: Path,
                                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "sites" / "den-xa-tac.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("organisation: ka-long", "organisation: kalong"), encoding="utf-8")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if row.startswith("organisation:"))
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert f"sites/den-xa-tac.yaml:{line}:" in err and "organisation: 'kalong' is not an organisation" in err
    assert "did you mean 'ka-long'?" in err and "quang-yen" in err


def test_an_area_looked_after_by_two_organisations_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("        short: ĐTN Ka Long\n", "        short: ĐTN Ka Long\n        areas: [Quảng Yên]\n"),
                      encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"mkdocs\.yml:\d+:\d+: extra\.guide\.organisations\.(ka-long|quang-yen)\.areas\[0\]: "
                     r"'Quảng Yên' is already looked after by", err), err


def test_check_groups_the_translation_report_by_organisation(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "--lang", "en", "check"]) == 0
    out = capsys.readouterr().out
    report = out.split("Translations:")[1]
    for key in ORGANISATIONS:
        heading = report.index(name_of(key, "vi"))
        section = report[heading:].split("\n\n")[0]
        assert {slug for slug, site in SITES.items() if organisation_of(site) == key} == \
               {slug for slug in SITES if re.search(rf"^{slug} ", section, re.M)}
    html = (project / "translation-report.html").read_text(encoding="utf-8")
    assert html.count("<h2>") == len({organisation_of(site) for site in SITES.values()})


def test_an_organisation_logo_is_printed_on_its_plaques_band(project: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    logo = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(logo).ellipse((10, 10, 190, 190), fill=(20, 60, 160))
    (project / "media" / "logos").mkdir()
    logo.save(project / "media" / "logos" / "ka-long.png")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "        short: ĐTN Ka Long\n", "        short: ĐTN Ka Long\n        logo: logos/ka-long.png\n"), encoding="utf-8")
    output = tmp_path / "print"
    assert main(["--root", str(project), "plaques", "KL1368", "YGTHD1", "--output", str(output)]) == 0

    def images(path: Path) -> int:
        document = pypdfium2.PdfDocument(path)
        try:
            return sum(1 for page in document for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE)
        finally:
            document.close()

    assert images(output / "KL1368" / "plaque-a6.pdf") == 1  # Ka Long's logo
    assert images(output / "YGTHD1" / "plaque-a6.pdf") == 0  # Quảng Yên has none
    assert decoded_pages(output / "KL1368" / "plaque-a6.pdf") == [[BASE + "KL1368"]]
    assert name_of("ka-long", "vi") in pdf_text(output / "KL1368" / "plaque-a6.pdf")


def test_a_logo_that_is_not_in_media_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "        short: ĐTN Ka Long\n", "        short: ĐTN Ka Long\n        logo: ../logo.png\n"), encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    assert re.search(r"mkdocs\.yml:\d+:\d+: extra\.guide\.organisations\.ka-long\.logo: '\.\./logo\.png' must be a path "
                     r"inside media/", capsys.readouterr().err)


def test_engraving_files_from_the_command_scan_and_carry_no_colour(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "engrave"
    assert main(["--root", str(project), "plaques", "--organisation", "quang-yen", "--engrave", "--size", "a5",
                 "--output", str(output)]) == 0
    assert sorted(p.name for p in (output / "YGTHD1").iterdir()) == ["engraving-a5.pdf", "engraving-a5.png", "engraving-a5.svg"]
    assert not list(output.glob("sheet-*"))  # engraved one plate at a time
    assert decoded_pages(output / "YGTHD1" / "engraving-a5.pdf") == [[BASE + "YGTHD1"]]
    svg = (output / "YGTHD1" / "engraving-a5.svg").read_text(encoding="utf-8")
    assert "<text" not in svg and 'width="148mm"' in svg
