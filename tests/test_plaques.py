"""Plaques: sizes, text that survives in the PDF, logos, sheets with crop marks, clear errors."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from generator.commands.cli import main
from generator.printing import plaques, qr
from tests.conftest import require_plaque_font

URL = "HTTPS://HERITAGE.EXAMPLE.VN/Q/YGTHD1"
NAMES = {"vi": "Đền Trần Hưng Đạo", "en": "Trần Hưng Đạo Temple", "zh": "陈兴道庙"}



@pytest.fixture(scope="module")
def text() -> plaques.PlaqueText:
    require_plaque_font()
    # Decomposed (NFD) input, as some keyboards and copy-paste produce it.
    decomposed = {lang: unicodedata.normalize("NFD", name) for lang, name in NAMES.items()}
    return plaques.plaque_text(URL, "YGTHD1", decomposed, ("vi", "en", "zh"), "Đoàn TNCS phường Yên Giang",
                               narrated=("vi", "en", "zh"))


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def rasterised(data: bytes) -> list[Image.Image]:
    """Every page at 150 dpi, rasterised here rather than by the generator it checks."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=150 / 72).to_pil() for page in document]
    finally:
        document.close()


@pytest.mark.parametrize("size", ["sticker", "a6", "a5", "a4", "90x120"])
def test_each_size_is_a_vector_pdf_that_scans(text: plaques.PlaqueText, size: str) -> None:
    preset = plaques.parse_size(size)

    rendered = plaques.render_plaque(text, preset)

    document = pypdfium2.PdfDocument(rendered.pdf)
    width_mm, height_mm = (value * 25.4 / 72 for value in document[0].get_size())
    document.close()
    assert (round(width_mm), round(height_mm)) == (round(preset.width), round(preset.height))
    (page,) = rasterised(rendered.pdf)
    assert decoded(page) == [URL]
    words = pdf_text(rendered.pdf)
    assert NAMES["vi"] in words  # composed again, and extractable: the font is embedded with a ToUnicode map
    if not preset.compact:
        assert NAMES["zh"] in words and "Quét mã để nghe thuyết minh" in words
    assert "heritage.example.vn/q/ygthd1" in words


def test_logo_switches_to_h_and_still_scans(text: plaques.PlaqueText, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((5, 5, 115, 115), fill=(166, 28, 28))
    image.save(logo)

    with pytest.raises(ValueError, match="level H"):
        plaques.CodeStyle("Q", logo.read_bytes())
    rendered = plaques.render_plaque(text, plaques.PRESETS["a6"], plaques.CodeStyle("H", logo.read_bytes()))

    assert decoded(rendered.preview) == [URL]


def test_sheet_has_every_code_and_crop_marks(text: plaques.PlaqueText) -> None:
    others = [plaques.plaque_text(f"{URL[:-6]}AB{n:04d}", f"AB{n:04d}", NAMES, ("vi", "en", "zh"), "Org")
              for n in range(5)]

    rendered = plaques.render_sheet([text, *others], plaques.PRESETS["sticker"], "a4", bleed=3)

    pages = rasterised(rendered.pdf)
    found = [code for page in pages for code in decoded(page)]
    assert sorted(found) == sorted([URL] + [o.url for o in others])
    # Crop marks: short dark lines outside each trim corner, in the white margin of the first cell.
    orientation, columns, rows, cell_w, cell_h = plaques.sheet_grid(plaques.PRESETS["sticker"], "a4", 3)
    page = pages[0].convert("L")
    paper_w = 210 if orientation == "P" else 297
    paper_h = 297 if orientation == "P" else 210
    left = (paper_w - columns * cell_w) / 2 + (cell_w - 60) / 2
    top = (paper_h - rows * cell_h) / 2 + (cell_h - 80) / 2
    px = page.width / paper_w
    mark_x = round((left - 3 - 2 - 2) * px)  # in the middle of the horizontal mark left of the corner
    mark_y = round(top * px)
    column = [page.getpixel((mark_x, y)) for y in range(mark_y - 2, mark_y + 3)]
    assert min(column) < 128


def test_warnings_for_small_modules_and_viewing_distance() -> None:
    long_url = "HTTPS://HERITAGE.EXAMPLE.VN/Q/" + "X" * 120
    symbol = qr.make_symbol(long_url, "H")
    warnings = plaques.size_warnings(plaques.parse_size("30x40"), symbol.size)
    assert any("under 0.5 mm" in warning for warning in warnings)
    assert plaques.size_warnings(plaques.PRESETS["a6"], qr.make_symbol(URL, "Q").size) == []
    far = plaques.Preset("far", 60, 80, viewing_distance_m=2.0)
    assert any("too small to scan from 2 m" in warning for warning in plaques.size_warnings(far, qr.make_symbol(URL).size))


def test_bad_size_is_a_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "plaques", "--size", "huge"]) == 1
    err = capsys.readouterr().err
    assert "unknown plaque size 'huge'" in err and "Traceback" not in err


def test_missing_font_names_the_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plaques, "FONT_DIRS", ())
    plaques.font_files.cache_clear()
    try:
        with pytest.raises(plaques.FontMissing, match=r"Noto Sans CJK SC.*fonts-noto-cjk"):
            plaques.font_files()
    finally:
        plaques.font_files.cache_clear()


def test_plaques_command_writes_chosen_sites(project: Path, tmp_path: Path) -> None:
    output = tmp_path / "print"

    assert main(["--root", str(project), "plaques", "KL1368", "den-xa-tac", "--size", "a5", "--paper", "a3",
                 "--output", str(output)]) == 0

    assert sorted(p.name for p in output.iterdir() if not p.name.startswith(".")) == [
        "KL1368", "KLXT01", "sheet-ka-long-a5-on-a3.pdf", "sheet-ka-long-a5-on-a3.png"]
    assert decoded(rasterised((output / "KLXT01" / "plaque-a5.pdf").read_bytes())[0]) == [
        "HTTPS://HERITAGE.EXAMPLE.VN/Q/KLXT01"
    ]


def test_output_never_replaces_a_folder_the_build_did_not_write(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in (project / "sites").iterdir())

    assert main(["--root", str(project), "plaques", "--output", str(project / "sites")]) == 1

    assert "not written by build.py" in capsys.readouterr().err
    assert sorted(p.name for p in (project / "sites").iterdir()) == before
    # A folder the build wrote before is replaced as usual.
    assert main(["--root", str(project), "plaques", "KL1368"]) == 0
    assert main(["--root", str(project), "plaques", "KLXT01"]) == 0
    assert sorted(p.name for p in (project / "plaques-print").iterdir() if not p.name.startswith(".")) == [
        "KLXT01", "sheet-ka-long-a6-on-a4.pdf", "sheet-ka-long-a6-on-a4.png"]
