"""The printed codes scan: every plaque, its preview and the print sheet read back as exactly the address
printed under the code, and the plaque still scans after simulated outdoor wear at the default level Q.

Expected addresses come from the project files (mkdocs.yml `plaque_base` + the site's `id`), never from
the generator; images are decoded with zxing-cpp and PDFs rasterised with pdfium, independently of the
build's own read-back check.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdfium2
import pytest
import yaml
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from tests.conftest import ROOT

SITE_FILES = sorted(path.name for path in (ROOT / "sites").glob("*.yaml"))
DPI = 150
GREY = (128, 128, 128)


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_address(project: Path, site_file: str) -> tuple[str, str]:
    """(plaque id, address printed into its code): `plaque_base` from mkdocs.yml + the id from the site file."""
    guide_settings = read_yaml(project / "mkdocs.yml")["extra"]["guide"]
    plaque_id = read_yaml(project / "sites" / site_file)["id"]
    return plaque_id, guide_settings["plaque_base"] + plaque_id


def all_addresses(project: Path) -> list[str]:
    return sorted(expected_address(project, name)[1] for name in SITE_FILES)


def decode(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def rasterise(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


@cache
def plaque_raster(pdf: Path) -> Image.Image:
    pages = rasterise(pdf)
    assert len(pages) == 1, f"{pdf.name} has {len(pages)} pages, a plaque has one"
    return pages[0]


@dataclass(frozen=True)
class Located:
    """Where the symbol (without quiet zone) is on the raster, as the decoder found it."""

    left: float
    top: float
    right: float
    bottom: float
    modules: int  # per side

    @property
    def side(self) -> float:
        return self.right - self.left

    @property
    def module(self) -> float:
        return self.side / self.modules


def locate(image: Image.Image) -> Located:
    (found,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    corners = found.position
    xs = [corners.top_left.x, corners.top_right.x, corners.bottom_right.x, corners.bottom_left.x]
    ys = [corners.top_left.y, corners.top_right.y, corners.bottom_right.y, corners.bottom_left.y]
    version = int(found.extra["Version"])
    # Corner points are the centres of the outer pixels: add one pixel to span the whole symbol.
    return Located(min(xs), min(ys), max(xs) + 1, max(ys) + 1, 17 + 4 * version)


Point = tuple[float, float]


def perspective_coefficients(out_points: list[Point], in_points: list[Point]) -> list[float]:
    """The 8 coefficients Image.transform(PERSPECTIVE) needs to map output points onto input points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(out_points, in_points, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    # Gaussian elimination with partial pivoting on the 8x8 system.
    matrix = [[*row, value] for row, value in zip(rows, values, strict=True)]
    size = len(matrix)
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(matrix[r][column]))
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        for r in range(size):
            if r != column:
                factor = matrix[r][column] / matrix[column][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[column], strict=True)]
    return [matrix[r][size] / matrix[r][r] for r in range(size)]


def blur(image: Image.Image, where: Located) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(0.3 * where.module))


def rotate(angle: float):
    def wear(image: Image.Image, where: Located) -> Image.Image:
        return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    return wear


def keystone(image: Image.Image, where: Located) -> Image.Image:
    """Seen from below: the top edge 8% narrower than the bottom edge."""
    w, h = image.size
    inset = 0.04 * w
    seen = [(inset, 0), (w - inset, 0), (w, h), (0, h)]
    flat = [(0, 0), (w, 0), (w, h), (0, h)]
    return image.transform(
        image.size, Image.Transform.PERSPECTIVE, perspective_coefficients(seen, flat),
        resample=Image.Resampling.BICUBIC, fillcolor="white",
    )


def occlusion(image: Image.Image, where: Located) -> Image.Image:
    """A grey blob over ~8% of the symbol, in the middle, clear of the three finder patterns."""
    radius = math.sqrt(0.08 / math.pi) * where.side
    cx, cy = where.left + 0.5 * where.side, where.top + 0.55 * where.side
    worn = image.copy()
    ImageDraw.Draw(worn).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=GREY)
    return worn


def grime(image: Image.Image, where: Located) -> Image.Image:
    """Seeded pixel noise (about ±45 grey levels) over everything, then a slight blur."""
    noise_bytes = random.Random(1368).randbytes(image.width * image.height)
    noise = Image.frombytes("L", image.size, noise_bytes).convert("RGB")
    noisy = Image.blend(image, noise, 0.35)
    return noisy.filter(ImageFilter.GaussianBlur(0.15 * where.module))


WEAR = {
    "blur": blur,
    "rotate-15": rotate(15),
    "rotate-45": rotate(45),
    "keystone": keystone,
    "occlusion": occlusion,
    "grime": grime,
}


def plaque_folder(built, plaque_id: str) -> Path:
    return built.output / "plaques" / plaque_id


@pytest.mark.parametrize("site_file", SITE_FILES)
def test_png_preview_reads_as_the_printed_address(built, site_file):
    plaque_id, address = expected_address(built.guide.project.root, site_file)
    with Image.open(plaque_folder(built, plaque_id) / "plaque-a6.png") as preview:
        assert decode(preview) == [address]


@pytest.mark.parametrize("site_file", SITE_FILES)
def test_pdf_plaque_reads_as_the_printed_address(built, site_file):
    plaque_id, address = expected_address(built.guide.project.root, site_file)
    pdf = plaque_folder(built, plaque_id) / "plaque-a6.pdf"
    assert decode(plaque_raster(pdf)) == [address]
    # Outdoor plaques use error correction level Q unless told otherwise (README).
    (found,) = zxingcpp.read_barcodes(plaque_raster(pdf), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.ec_level == "Q"
    # The line printed under the code is the same address as people type it: no scheme, lower case.
    document = pypdfium2.PdfDocument(pdf)
    try:
        printed = document[0].get_textpage().get_text_range().splitlines()
    finally:
        document.close()
    assert address.split("://", 1)[1].lower() in printed


def test_sheets_hold_every_plaque_once(built):
    """One sheet per organisation; together they hold every plaque, each once."""
    sheets = sorted((built.output / "plaques").glob("sheet-*-a6-on-a4.pdf"))
    assert len(sheets) >= 2
    found = [text for sheet in sheets for page in rasterise(sheet) for text in decode(page)]
    assert sorted(found) == all_addresses(built.guide.project.root)


@pytest.mark.parametrize("kind", WEAR)
@pytest.mark.parametrize("site_file", SITE_FILES)
def test_worn_plaque_still_scans(built, site_file, kind):
    plaque_id, address = expected_address(built.guide.project.root, site_file)
    clean = plaque_raster(plaque_folder(built, plaque_id) / "plaque-a6.pdf")
    worn = WEAR[kind](clean, locate(clean))
    assert decode(worn) == [address]


@pytest.mark.parametrize("site_file", SITE_FILES)
def test_decoder_rejects_a_ruined_code(built, site_file):
    """Negative control: covering a finder pattern and 40% of the symbol must defeat the decoder."""
    plaque_id, address = expected_address(built.guide.project.root, site_file)
    clean = plaque_raster(plaque_folder(built, plaque_id) / "plaque-a6.pdf")
    assert decode(clean) == [address]
    where = locate(clean)
    reach = math.sqrt(0.40) * where.side  # a square from the top-left corner: 40% of the symbol's area
    ruined = clean.copy()
    ImageDraw.Draw(ruined).rectangle(
        (where.left - where.module, where.top - where.module, where.left + reach, where.top + reach), fill=GREY
    )
    assert decode(ruined) == []
