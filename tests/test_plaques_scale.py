"""Plaques at province scale: the fonts are parsed once per process yet every PDF embeds its own glyphs,
and a sheet is checked page by page, each code read back from pdfium's raster by zxing-cpp."""

from __future__ import annotations

import ctypes
import io
import math

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from generator.printing import plaques
from tests.conftest import require

BASE = "HTTPS://HERITAGE.EXAMPLE.VN/Q/"
LANGUAGES = ("vi", "en", "zh")
FIRST = {"vi": "Đình Yên Giang", "en": "Yen Giang communal house", "zh": "安江亭"}
SECOND = {"vi": "Cột mốc Bắc Luân", "en": "Bac Luan border marker", "zh": "北仑界碑"}


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    try:
        plaques.font_files()
    except plaques.FontMissing:
        require(False, "the font Noto Sans CJK SC (Debian fonts-noto-cjk)")


def text(number: int, names: dict[str, str] = FIRST, url: str | None = None) -> plaques.PlaqueText:
    plaque_id = f"AB{number:04d}"
    return plaques.plaque_text(url or BASE + plaque_id, plaque_id, names, LANGUAGES, "Đoàn TNCS phường Yên Giang")


def pages(data: bytes) -> list[pypdfium2.PdfPage]:
    return list(pypdfium2.PdfDocument(data))


def page_codes(data: bytes) -> list[list[str]]:
    """The codes zxing-cpp reads on each page, rasterised here at 150 dpi."""
    return [sorted(found.text for found in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil()))
            for page in pages(data)]


def extracted_text(data: bytes) -> str:
    return "".join(page.get_textpage().get_text_range() for page in pages(data))


def embedded_glyphs(data: bytes) -> set[str]:
    """Names (CIDs) of the glyphs in the font programs embedded in the PDF, as pdfium loads them."""
    names: set[str] = set()
    for page in pages(data):
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(item.raw)
            size = ctypes.c_size_t()
            pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
            program = (ctypes.c_uint8 * size.value)()
            pdfium_c.FPDFFont_GetFontData(font, program, size.value, ctypes.byref(size))
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(bytes(program)), None)
            names.update(cff[cff.fontNames[0]].charset)
    return names


def glyph_names(characters: str) -> set[str]:
    """The installed font's own glyph for each character, read with fontTools, not through fpdf2."""
    path = plaques.font_files()[""]
    cmap = TTFont(path, fontNumber=plaques.SC_INDEX_IN_COLLECTION if path.suffix == ".ttc" else 0, lazy=True).getBestCmap()
    return {cmap[ord(character)] for character in characters if not character.isspace()}


def test_each_plaque_of_a_process_embeds_its_own_glyphs() -> None:
    first = plaques.render_plaque(text(1, FIRST), plaques.PRESETS["a6"])
    second = plaques.render_plaque(text(2, SECOND), plaques.PRESETS["a6"])

    words = extracted_text(second.pdf)
    assert all(name in words for name in SECOND.values())
    printed_first, printed_second = extracted_text(first.pdf), words
    only_second = "".join(set("".join(SECOND.values())) - set(printed_first))
    only_first = "".join(set("".join(FIRST.values())) - set(printed_second))
    assert "北" in only_second and "ộ" in only_second and "安" in only_first and "ì" in only_first
    # The second plaque's Chinese and Vietnamese glyphs are in its own fonts, and neither document
    # carries the other's: each has a fresh subset of the fonts the process parsed once.
    glyphs_first, glyphs_second = embedded_glyphs(first.pdf), embedded_glyphs(second.pdf)
    assert glyph_names("".join(SECOND.values())) <= glyphs_second
    assert not glyph_names(only_second) & glyphs_first
    assert not glyph_names(only_first) & glyphs_second
    assert len(glyphs_second) < 200  # a subset, not the 65,535 glyphs of the collection


def test_the_same_plaque_is_the_same_bytes_whatever_was_drawn_before() -> None:
    """Per-document font state must not leak from one document into the next."""
    alone = plaques.render_plaque(text(3, SECOND), plaques.PRESETS["sticker"])
    plaques.render_plaque(text(4, FIRST), plaques.PRESETS["a5"])

    assert plaques.render_plaque(text(3, SECOND), plaques.PRESETS["sticker"]).pdf == alone.pdf


def test_every_code_on_every_page_of_a_sheet_reads_back() -> None:
    texts = [text(n, (FIRST, SECOND)[n % 2]) for n in range(20)]
    _orientation, columns, rows, _w, _h = plaques.sheet_grid(plaques.PRESETS["sticker"], "a4", 3)
    per_page = columns * rows

    rendered = plaques.render_sheet(texts, plaques.PRESETS["sticker"], "a4", bleed=3)

    expected = [sorted(t.url for t in texts[start:start + per_page]) for start in range(0, len(texts), per_page)]
    assert len(expected) == math.ceil(20 / per_page) > 1
    assert page_codes(rendered.pdf) == expected
    # The preview is the first page only.
    first_page = pages(rendered.pdf)[0].render(scale=plaques.PREVIEW_DPI / 72).to_pil()
    assert rendered.preview.size == first_page.size
    assert sorted(found.text for found in zxingcpp.read_barcodes(rendered.preview)) == expected[0]


def test_a_sheet_with_an_unreadable_code_on_a_later_page_is_refused() -> None:
    """A code printed with 0.27 mm modules cannot be read: the check must reach the page it is on."""
    preset = plaques.parse_size("30x40")
    _orientation, columns, rows, _w, _h = plaques.sheet_grid(preset, "a4", 3)
    readable = [text(n) for n in range(columns * rows)]
    too_dense = text(99, url=BASE + "X" * 600)

    with pytest.raises(plaques.NotScannable, match=r"sheet 30x40 on A4, page 2: the QR codes read back as \[\]"):
        plaques.render_sheet([*readable, too_dense], preset, "a4", bleed=3)
