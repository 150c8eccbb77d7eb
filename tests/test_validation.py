"""Every kind of volunteer mistake → `file:line:col: field: message`, exit 1, no traceback, site/ untouched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.commands.cli import main
from generator.source.load import load_guide

SAMPLE = "sites/cot-moc-1368.yaml"
OTHER = "sites/den-xa-tac.yaml"


@dataclass
class Case:
    name: str
    edit: Callable[[Path], None]  # breaks the project
    file: str  # where the problem must be reported
    anchor: str | None  # text on the reported line (None: the line is given by `line`)
    field: str
    says: str  # a fragment of the plain-words message
    line: int | None = None


def replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test set-up: {old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def latin1_byte(root: Path) -> None:
    path = root / SAMPLE
    path.write_bytes(path.read_bytes().replace(b"Border Marker 1368(3)", b"Bord\xe9 Marker", 1))


CASES = [
    Case("yaml syntax", replace(SAMPLE, "slug: cot-moc-1368", "slug: [cot-moc-1368"), SAMPLE, "slug: [cot-moc-1368",
         "", "not valid YAML"),
    Case("unclosed quote", replace(SAMPLE, "category: border-marker", 'category: "border-marker'), SAMPLE,
         'category: "border-marker', "", "not valid YAML"),
    Case("bad indentation", replace(SAMPLE, "  en: Móng Cái", "   en: Móng Cái"), SAMPLE, "   en: Móng Cái", "",
         "not valid YAML"),
    Case("missing field", replace(SAMPLE, "category: border-marker\n", ""), SAMPLE, "id: KL1368", "category",
         "required field 'category' is missing"),
    Case("wrong type", replace(SAMPLE, "  en: Border Marker 1368(3)", "  en: [Border, Marker]"), SAMPLE,
         "  en: [Border, Marker]", "name.en", "expected text, got a list"),
    Case("unknown field typo", replace(SAMPLE, "\nname:", "\nnmae:"), SAMPLE, "nmae:", "nmae",
         "did you mean 'name'?"),
    Case("duplicate key", replace(SAMPLE, "category: border-marker\n", "category: border-marker\ncategory: temple\n"),
         SAMPLE, "category: temple", "", "appears twice"),
    Case("duplicate id", replace(OTHER, "id: KLXT01", "id: KL1368"), OTHER, "id: KL1368", "id",
         f"already the plaque id of {SAMPLE}:2"),
    Case("duplicate slug", replace(OTHER, "slug: den-xa-tac", "slug: cot-moc-1368"), OTHER, "slug: cot-moc-1368",
         "slug", f"already the page address of {SAMPLE}:3"),
    Case("id characters", replace(SAMPLE, "id: KL1368", "id: kl-1368"), SAMPLE, "id: kl-1368", "id",
         "not a valid plaque id"),
    Case("slug characters", replace(SAMPLE, "slug: cot-moc-1368", "slug: Cột-mốc"), SAMPLE, "slug: Cột-mốc", "slug",
         "not a valid page address"),
    Case("category typo", replace(SAMPLE, "category: border-marker", "category: border-maker"), SAMPLE,
         "category: border-maker", "category", "did you mean 'border-marker'?"),
    Case("language not configured", replace(SAMPLE, "  zh: 芒街\n", "  zh: 芒街\n  fr: Mong Cai\n"), SAMPLE,
         "  fr: Mong Cai", "area.fr", "language 'fr' is not configured"),
    Case("default language missing", replace(SAMPLE, "  vi: Cột mốc biên giới 1368(3)\n", ""), SAMPLE,
         "name:", "name", "the 'vi' text is missing"),
    Case("latitude out of range", replace(SAMPLE, "lat: 21.5392", "lat: 121.5392"), SAMPLE, "lat: 121.5392",
         "location.lat", "must be at most 90"),
    Case("coordinate as text", replace(SAMPLE, "lon: 107.9590", "lon: 107,9590"), SAMPLE, "lon: 107,9590",
         "location.lon", "expected a number"),
    Case("media missing", replace(SAMPLE, "cot-moc-1368/illustration.jpg", "cot-moc-1368/ilustration.jpg"), SAMPLE,
         "- file: cot-moc-1368/ilustration.jpg", "images[0].file", "media/cot-moc-1368/ilustration.jpg does not exist"),
    Case("media outside media/", replace(SAMPLE, "cot-moc-1368/thuyet-minh-vi.mp3", "../../secret.mp3"), SAMPLE,
         "  vi: ../../secret.mp3", "audio.vi", "must be a path inside media/"),
    Case("media path from the root", replace(SAMPLE, "cot-moc-1368/thuyet-minh-vi.mp3", "//etc/secret.mp3"), SAMPLE,
         "  vi: //etc/secret.mp3", "audio.vi", "'//etc/secret.mp3' must be a path inside media/"),
    Case("url not http", replace(SAMPLE, "sources:\n", "links:\n  - url: javascript:alert(1)\n    label: {vi: Xem}\nsources:\n"),
         SAMPLE, "  - url: javascript:alert(1)", "links[0].url", "only http:// and https:// links"),
    Case("unsafe link in body", replace(SAMPLE, "## Cột mốc và đường biên", "## [Cột mốc](javascript:alert(1))"),
         SAMPLE, "    ## [Cột mốc](javascript:alert(1))", "body.vi", "'javascript:alert(1)' is not allowed"),
    Case("not utf-8", latin1_byte, SAMPLE, "  en: Bord", "", "not saved as UTF-8"),
    Case("impossible date", replace(SAMPLE, "status: open\n", "status: open\nstatus_note: {vi: 2026-02-30}\n"), SAMPLE,
         "status_note: {vi: 2026-02-30}", "", "unreadable value '2026-02-30'"),
    Case("link hidden by character reference", replace(SAMPLE, "## Cột mốc và đường biên", "## [bấm](javascript&#58;alert(1))"),
         SAMPLE, "    ## [bấm](javascript&#58;alert(1))", "body.vi", "is not allowed"),
    Case("settings: title without vi", replace("mkdocs.yml", "      vi: Di tích Quảng Ninh\n", ""), "mkdocs.yml",
         "    title:", "extra.guide.title", "the 'vi' text is missing"),
    Case("settings: unknown language", replace("mkdocs.yml", "languages: [vi, en, zh]", "languages: [vi, en, zh, xq]"),
         "mkdocs.yml", "    languages: [vi, en, zh, xq]", "extra.guide.languages[3]", "not a known language code"),
]


def line_of(root: Path, file: str, anchor: str) -> int:
    text = (root / file).read_bytes().decode("utf-8", errors="replace")
    marker = anchor.encode("utf-8").decode("utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(marker) or line.strip() == marker.strip():
            return number
    raise AssertionError(f"test set-up: {anchor!r} not found in {file}")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_mistake_is_reported_precisely(case: Case, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    previous = project / "site"
    previous.mkdir()
    (previous / "index.html").write_text("previous good build")
    case.edit(project)

    code = main(["--root", str(project), "build"])

    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    line = case.line or line_of(project, case.file, case.anchor or "")
    prefix = f"{case.file}:{line}:"
    reported = [row for row in err.splitlines() if row.startswith(prefix)]
    assert reported, f"nothing reported at {prefix}; got:\n{err}"
    expected_field = f": {case.field}: " if case.field else ": "
    assert any(expected_field in row and case.says in row for row in reported), err
    assert (previous / "index.html").read_text() == "previous good build"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []


def test_all_problems_of_all_files_in_one_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace(SAMPLE, "lat: 21.5392", "lat: 121.5392")(project)
    replace(SAMPLE, "\nname:", "\nnmae:")(project)
    replace(OTHER, "category: temple", "category: tempel")(project)

    assert main(["--root", str(project), "check"]) == 1

    err = capsys.readouterr().err
    assert f"{SAMPLE}:" in err and f"{OTHER}:" in err
    assert "location.lat" in err and "nmae" in err and "did you mean 'temple'?" in err


def test_corrupt_image_is_a_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "media/cot-moc-1368/illustration.jpg").write_bytes(b"\xff\xd8not really a jpeg")

    assert main(["--root", str(project), "build"]) == 1

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{SAMPLE}:{line_of(project, SAMPLE, '  - file: cot-moc-1368/illustration.jpg')}:" in err
    assert "images[0].file: media/cot-moc-1368/illustration.jpg cannot be used" in err
    assert not (project / "site").exists()


def test_a_path_as_the_form_editor_writes_it_names_the_same_file(project: Path) -> None:
    """The form writes '/cot-moc-1368/…' (from the media folder) or a hand './…': one file, spelled one way."""
    replace(SAMPLE, "cot-moc-1368/thuyet-minh-vi.mp3", "/cot-moc-1368/thuyet-minh-vi.mp3")(project)
    replace(SAMPLE, "cot-moc-1368/illustration.jpg", "./cot-moc-1368/illustration.jpg")(project)
    site = next(site for site in load_guide(project).sites if site.slug == "cot-moc-1368")
    assert site.audio["vi"] == "cot-moc-1368/thuyet-minh-vi.mp3"
    assert site.images[0].file == "cot-moc-1368/illustration.jpg"


def test_valid_samples_pass_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "check"]) == 0
    assert "valid" in capsys.readouterr().out


def test_broken_theme_setting_is_a_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: material", "name: materiall"), encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("previous good build")

    assert main(["--root", str(project), "build"]) == 1

    err = capsys.readouterr().err
    assert "MkDocs could not build the pages" in err and "materiall" in err and "Traceback" not in err
    assert (project / "site" / "index.html").read_text() == "previous good build"
