"""Engraved plaques (stainless-steel etching, laser): one colour, no bleed, every letter an outline, and the
code still reads back, from the PDF rasterised by pdfium and from the SVG as real Chromium draws it.

The sample sites come through the project's loader and print plan; expected addresses come from the project
files (mkdocs.yml `plaque_base` + the site's `id`), never from the generator.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from functools import cache
from xml.etree import ElementTree

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import yaml
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from generator.printing import plaques, print_run
from generator.source.load import load_guide
from tests.conftest import ROOT, copy_project, require_plaque_font

SIZES = [*plaques.PRESETS, "90x120"]
SITES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}
PLAQUE_BASE = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["guide"]["plaque_base"]
SVG = "{http://www.w3.org/2000/svg}"
DPI = 200
BROWSER_PX_PER_MM = 4  # 5.8 px per module on the sticker, the densest preset



@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, plaques.PlaqueText]:
    """Each sample site's plaque text, by plaque id, as `build.py plaques` makes it."""
    require_plaque_font()
    guide = load_guide(copy_project(tmp_path_factory.mktemp("engraving") / "guide"))
    plan = print_run.plan_plaques(guide, print_run.PlaqueOptions())
    # As printed once the guide has its real address: the sample marks have tests of their own (test_first_hour.py).
    return {text.plaque_id: dataclasses.replace(text, sample=False) for text in plan.texts}


@cache
def engraved(text: plaques.PlaqueText, size: str) -> plaques.Engraved:
    return plaques.render_engraving(text, plaques.parse_size(size))


def site_text(texts: dict[str, plaques.PlaqueText], slug: str) -> tuple[plaques.PlaqueText, str]:
    """The plaque text of a sample site, and the address its code must read as (from the project files)."""
    plaque_id = SITES[slug]["id"]
    return texts[plaque_id], PLAQUE_BASE + plaque_id


def rendered_page(data: bytes, dpi: int = DPI) -> Image.Image:
    document = pypdfium2.PdfDocument(data)
    try:
        assert len(document) == 1
        return document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def dark(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> Image.Image:
    """The dark pixels of `image` (or of a box of it) as a 1-bit mask."""
    part = image.crop(box) if box else image
    return part.convert("L").point(lambda value: 255 if value < 128 else 0).convert("1")


def count(mask: Image.Image) -> int:
    return mask.histogram()[-1]


def within(first: Image.Image, second: Image.Image) -> float:
    """The share of `first`'s ink that lies on or next to (one pixel) `second`'s: 1.0 when the shapes
    coincide, whatever each rasteriser does at their edges."""
    near = second.convert("L").filter(ImageFilter.MaxFilter(3)).convert("1")
    return count(ImageChops.logical_and(first, near)) / max(1, count(first))


def layout_code(text: plaques.PlaqueText, preset: plaques.Preset) -> plaques.Code:
    (code,) = [item for item in plaques.plaque_layout(text, plaques.CodeStyle(), preset, 0, 0) if isinstance(item, plaques.Code)]
    return code


# --- The PDF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("slug", list(SITES))
def test_engraving_pdf_scans_to_the_plaque_address(texts: dict[str, plaques.PlaqueText], slug: str, size: str) -> None:
    text, url = site_text(texts, slug)

    result = engraved(text, size)

    assert decoded(rendered_page(result.pdf)) == [url]
    assert decoded(result.preview) == [url]


@pytest.mark.parametrize("size", SIZES)
def test_engraving_pdf_has_no_fonts_one_trimmed_page_and_one_colour(texts: dict[str, plaques.PlaqueText], size: str) -> None:
    text, _url = site_text(texts, "den-tran-hung-dao")
    preset = plaques.parse_size(size)

    data = engraved(text, size).pdf

    assert b"/Font" not in data and b"/FontFile" not in data
    document = pypdfium2.PdfDocument(data)
    try:
        assert len(document) == 1
        page = document[0]
        width, height = page.get_size()
        assert (width, height) == pytest.approx((preset.width * 72 / 25.4, preset.height * 72 / 25.4), abs=0.01)  # no bleed
        kinds = {item.type for item in page.get_objects()}
        assert kinds == {pdfium_c.FPDF_PAGEOBJ_PATH}  # no text, no image: vector outlines only
        assert page.get_textpage().get_text_range() == ""
    finally:
        document.close()
    image = rendered_page(data, 150)
    red, green, blue = image.split()
    assert ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None
    assert plaques.BAND_RGB not in {colour for _n, colour in image.getcolors(1 << 24)}


def test_full_colour_plaque_keeps_its_red_band_and_real_text(texts: dict[str, plaques.PlaqueText]) -> None:
    text, url = site_text(texts, "den-tran-hung-dao")

    rendered = plaques.render_plaque(text, plaques.PRESETS["a6"])

    image = rendered_page(rendered.pdf, 150)
    band = image.crop((0, 0, image.width, round(image.height * 0.06)))
    reds = sum(n for n, colour in band.getcolors(1 << 24) if colour == plaques.BAND_RGB)
    assert reds > 0.5 * band.width * band.height  # the band, behind its white lettering
    document = pypdfium2.PdfDocument(rendered.pdf)
    try:
        words = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert text.organisation in words and SITES["den-tran-hung-dao"]["name"]["vi"] in words
    assert decoded(image) == [url]


# --- Text as outlines --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_every_text_line_is_engraved_where_the_full_colour_plaque_prints_it(texts: dict[str, plaques.PlaqueText],
                                                                            size: str) -> None:
    """Drop a line, or place or scale the outlines wrongly, and the engraving's ink stops matching the
    full-colour plaque's text, which pdfium draws from the embedded font; and a plaque without text has
    no ink where the text goes."""
    text, _url = site_text(texts, "den-tran-hung-dao")
    preset = plaques.parse_size(size)
    blank = plaques.PlaqueText(text.url, "", "", (("vi", ""),), (), "")
    code = layout_code(text, preset)
    assert code == layout_code(blank, preset)  # the code does not move, so the regions compare

    engraving = rendered_page(engraved(text, size).pdf, 300)
    colour = rendered_page(plaques.render_plaque(text, preset).pdf, 300)
    empty = rendered_page(plaques.render_engraving(blank, preset).pdf, 300)

    px = engraving.width / preset.width
    band = 0 if preset.compact else round(preset.height * 0.07 * px)
    names = (0, band + 1, engraving.width, round(code.y * px) - 1)  # the site's names, between band and code
    below = (0, round((code.y + code.side) * px) + 1, engraving.width, engraving.height)  # calls, address, footer
    for box in (names, below):
        ink, printed = dark(engraving, box), dark(colour, box)
        assert count(ink) > 50 * (count(dark(empty, box)) + 1)  # only " · " is left on the blank plaque
        assert within(ink, printed) > 0.98 and within(printed, ink) > 0.98
    if band:  # the organisation: white on the red band in colour, black on the bare plate engraved
        top = (0, 0, engraving.width, band)
        lettering = colour.crop(top).convert("L").point(lambda value: 255 if value > 128 else 0).convert("1")
        ink = dark(engraving, top)
        assert count(dark(empty, top)) == 0 and count(ink) > 0
        assert within(ink, lettering) > 0.98 and within(lettering, ink) > 0.98


# --- The SVG -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_engraving_svg_is_standalone_paths_in_mm(texts: dict[str, plaques.PlaqueText], size: str) -> None:
    text, _url = site_text(texts, "cot-moc-1368")
    preset = plaques.parse_size(size)

    svg = engraved(text, size).svg

    source = svg.decode()
    for forbidden in ("<text", "font", "href", "url(", "<image", "<style", "<use"):
        assert forbidden not in source.lower()
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (f"{preset.width:g}mm", f"{preset.height:g}mm")
    assert [float(value) for value in root.get("viewBox").split()] == [0, 0, preset.width, preset.height]
    children = list(root)
    assert {child.tag for child in children} == {f"{SVG}title", f"{SVG}rect", f"{SVG}path"}
    assert {child.get("fill") for child in children if child.tag == f"{SVG}path"} == {"#000"}
    assert [child.get("fill") for child in children if child.tag == f"{SVG}rect"] == ["#fff"]
    assert root.find(f"{SVG}title").text == f"{text.names[0][1]} ({text.plaque_id})"
    # One path per line of text plus one for the code: no line was dropped.
    items = plaques.plaque_layout(text, plaques.CodeStyle(), preset, 0, 0)
    lines = [item for item in items if isinstance(item, plaques.TextLine)]
    assert len([child for child in children if child.tag == f"{SVG}path"]) == len(lines) + 1


def test_engraving_svg_title_is_escaped(texts: dict[str, plaques.PlaqueText]) -> None:
    text, _url = site_text(texts, "den-xa-tac")
    awkward = plaques.plaque_text(text.url, text.plaque_id, {"vi": 'Đình <Tân> & "Lập"'}, ("vi",), "A & B")

    svg = plaques.render_engraving(awkward, plaques.PRESETS["a6"]).svg

    assert ElementTree.fromstring(svg).find(f"{SVG}title").text == f'Đình <Tân> & "Lập" ({text.plaque_id})'
    assert "<Tân>" not in svg.decode()



@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("slug", list(SITES))
def test_engraving_svg_drawn_by_chromium_scans(browser, texts: dict[str, plaques.PlaqueText], slug: str, size: str) -> None:
    text, url = site_text(texts, slug)
    preset = plaques.parse_size(size)
    svg = engraved(text, size).svg
    width, height = round(preset.width * BROWSER_PX_PER_MM), round(preset.height * BROWSER_PX_PER_MM)

    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        page.set_content(f'<body style="margin:0;background:#fff"><img src="{source}" width="{width}" height="{height}" '
                         'style="display:block"></body>')
        page.wait_for_function("document.images[0].complete && document.images[0].naturalWidth > 0")
        screenshot = Image.open(io.BytesIO(page.screenshot()))
    finally:
        page.close()

    assert screenshot.size == (width, height)
    assert decoded(screenshot) == [url]
    # The text was drawn too: ink between the top and the code, where the names are.
    code = layout_code(text, preset)
    assert count(dark(screenshot, (0, 0, width, round(code.y * BROWSER_PX_PER_MM) - 1))) > 0


# --- Refusals and reproducibility --------------------------------------------------------------------


def test_a_logo_is_refused_rather_than_left_out(texts: dict[str, plaques.PlaqueText]) -> None:
    text, _url = site_text(texts, "den-xa-tac")
    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((5, 5, 115, 115), fill=plaques.BAND_RGB)
    logo = io.BytesIO()
    image.save(logo, "PNG")

    with pytest.raises(ValueError, match="logo cannot be engraved"):
        plaques.render_engraving(text, plaques.PRESETS["a6"], plaques.CodeStyle("H", logo.getvalue()))


def test_the_same_engraving_is_the_same_bytes(texts: dict[str, plaques.PlaqueText]) -> None:
    text, _url = site_text(texts, "den-tran-hung-dao")
    other, _ = site_text(texts, "cot-moc-1368")

    first = plaques.render_engraving(text, plaques.PRESETS["sticker"])
    plaques.render_engraving(other, plaques.PRESETS["a4"])
    plaques.render_plaque(other, plaques.PRESETS["a5"])
    again = plaques.render_engraving(text, plaques.PRESETS["sticker"])

    assert (again.pdf, again.svg) == (first.pdf, first.svg)


def test_a_sample_is_engraved_as_a_sample(texts: dict[str, plaques.PlaqueText]) -> None:
    """The SAMPLE strip is text, so the one-colour engraving carries it too (its yellow fields are left out)."""
    text, _url = site_text(texts, "den-xa-tac")
    preset = plaques.PRESETS["a6"]
    plain = plaques.paint_outlines(plaques.plaque_layout(text, plaques.CodeStyle(), preset, 0, 0))
    sample = plaques.paint_outlines(plaques.plaque_layout(dataclasses.replace(text, sample=True), plaques.CodeStyle(),
                                                          preset, 0, 0))
    assert len(sample) == len(plain) + 1
