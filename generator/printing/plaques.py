"""Print stage: vector PDF plaques and n-up sheets with crop marks, and one-colour engravings (SVG and
PDF, every letter an outline), each QR code proven to decode.

A plaque's layout is declared once, as items in mm (`plaque_layout`: rectangles, text lines, the code),
from fractions of its size (`Preset`). Two painters draw the same items: `paint_colour` with fpdf2
(embeds subsets of Noto Sans CJK SC, which covers Vietnamese and Chinese) and `paint_outlines`, which
turns text into glyph outlines with HarfBuzz for etching and laser shops that have no fonts. Every PDF
is rasterised with pdfium and read back with zxing-cpp: a plaque that does not scan is never written.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import os
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pypdfium2
import uharfbuzz
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.drawing import PaintedPath
from fpdf.enums import PathPaintRule
from fpdf.fonts import SubsetMap, TTFFont
from PIL import Image

from ..i18n import Translator, _
from ..messages import say
from . import qr

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
PREVIEW_DPI = 150
MIN_MODULE_MM = 0.5
FONT_FILES = {
    "": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf"),
    "B": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf"),
}
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
)
SC_INDEX_IN_COLLECTION = 2  # Noto Sans CJK .ttc: JP, KR, SC, TC, HK
FONT_FAMILY = "Noto"
# fpdf2 embeds only the CFF table of a CID-keyed font; the others make it a font fontTools can subset.
EMBEDDED_TABLES = ("CFF ", "head", "hhea", "hmtx", "maxp")
BAND_RGB = (166, 28, 28)
# What the code leads to, as the page has it: narration in the reader's language, or the text only.
CALL_TO_ACTION = {True: _("Scan for the audio guide"), False: _("Scan to read about this site")}
# Across a plaque made while the guide's address is a placeholder or the site has no organisation of its own:
# the lead who prints it reads it in Vietnamese, the print shop perhaps in English.
SAMPLE_MARK = "MẪU – KHÔNG IN · SAMPLE – DO NOT PRINT"
PIPELINE = "plaque-v4"  # bump when the drawing changes, to invalidate cached plaques
PAPERS = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
# The reproducible-builds convention: the date comes from SOURCE_DATE_EPOCH, never from the clock.
REPRODUCIBLE_DATE = datetime.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), datetime.UTC)


@dataclass(frozen=True)
class Preset:
    """A plaque size and how it is read: the viewing distance decides the smallest useful code."""

    name: str
    width: float  # mm, trimmed
    height: float
    viewing_distance_m: float
    compact: bool = False  # stickers: Vietnamese name, code and address only


PRESETS = {
    "sticker": Preset("sticker", 60, 80, 0.3, compact=True),
    "a6": Preset("a6", 105, 148, 0.5),
    "a5": Preset("a5", 148, 210, 0.8),
    "a4": Preset("a4", 210, 297, 1.1),
}


def parse_size(text: str) -> Preset:
    """A preset name, or a custom size written WIDTHxHEIGHT in millimetres (e.g. 90x120)."""
    key = text.strip().lower()
    if key in PRESETS:
        return PRESETS[key]
    try:
        width, height = (float(part) for part in key.split("x"))
    except ValueError:
        raise ValueError(say("unknown plaque size {size!r}; use {presets} or WIDTHxHEIGHT in mm",
                             size=text, presets=", ".join(PRESETS))) from None
    if not (30 <= width <= 600 and 30 <= height <= 850):
        raise ValueError(say("plaque size {size!r} is outside 30-600 x 30-850 mm", size=text))
    return Preset(f"{width:g}x{height:g}", width, height, viewing_distance_m=max(width, height) / 300,
                  compact=min(width, height) < 80)


LOGO_MAX_AREA = 0.10  # share of the code a logo may cover; larger ones stop short codes decoding


@dataclass(frozen=True)
class CodeStyle:
    """How the QR code is made: error correction, and an optional logo over its centre."""

    level: str = "Q"  # outdoor default: survives scratches and dirt
    logo: bytes | None = None  # image file content; needs level H

    def __post_init__(self) -> None:
        if self.logo is not None and self.level != "H":
            raise ValueError("a logo over the QR code needs error correction level H")


@dataclass(frozen=True)
class PlaqueText:
    """Everything printed on one plaque; names[0] is the default language's."""

    url: str
    typed_address: str
    plaque_id: str
    names: tuple[tuple[str, str], ...]  # (language, name)
    calls: tuple[tuple[str, str], ...]  # (language, call to action)
    organisation: str
    logo: bytes | None = None  # the organisation's, printed on the band beside its name
    sample: bool = False  # marked as a sample across the design: not to be printed as it is


def plaque_text(url: str, plaque_id: str, names: dict[str, str], languages: tuple[str, ...], organisation: str,
                logo: bytes | None = None, narrated: Collection[str] = (), sample: bool = False) -> PlaqueText:
    """`narrated`: the languages the site has narration in, so no plaque promises a recording the page lacks."""
    ordered = tuple((lang, _nfc(names[lang])) for lang in languages if lang in names)
    calls = tuple((lang, _nfc(Translator(lang)(CALL_TO_ACTION[lang in narrated]))) for lang in languages)
    typed = url.split("://", 1)[-1].lower()
    return PlaqueText(url, typed, plaque_id, ordered, calls, _nfc(organisation), logo, sample)


def _nfc(text: str) -> str:
    """Decomposed accents collide when stacked (ầ, ố); fonts expect composed characters."""
    return unicodedata.normalize("NFC", text)


class FontMissing(RuntimeError):
    pass


@cache
def font_files() -> dict[str, Path]:
    found = {}
    for style, names in FONT_FILES.items():
        for folder in FONT_DIRS:
            match = next((folder / name for name in names if (folder / name).is_file()), None)
            if match:
                found[style] = match
                break
        else:
            raise FontMissing(say(
                "the font Noto Sans CJK SC ({file}) is not installed; it prints Vietnamese and Chinese on plaques. "
                "Install the Debian/Ubuntu package fonts-noto-cjk (bash setup.sh does it)", file=names[0],
            ))
    return found


@cache
def _coverage() -> tuple[uharfbuzz.Font, ...]:
    """The fonts' character maps, read in place (HarfBuzz maps the file; nothing is parsed up front)."""
    fonts = []
    for path in font_files().values():
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)),
                              SC_INDEX_IN_COLLECTION if path.suffix == ".ttc" else 0)
        fonts.append(uharfbuzz.Font(face))
    return tuple(fonts)


def _invisible(char: str) -> bool:
    """Characters that need no glyph: spaces and line breaks, and the format characters and variation
    selectors that shaping consumes."""
    return char.isspace() or unicodedata.category(char) == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F \
        or 0xE0100 <= ord(char) <= 0xE01EF


def unprintable(text: str) -> list[str]:
    """The characters of `text` that a plaque cannot print, in order, each once: the plaque font has no
    glyph for them (Han-Nom characters such as 𡨸 among them), and fpdf2 would leave them out unseen."""
    fonts = _coverage()
    return [char for char in dict.fromkeys(_nfc(text)) if not _invisible(char)
            and any(font.get_nominal_glyph(ord(char)) is None for font in fonts)]


@dataclass(frozen=True)
class _ParsedFont:
    """One style of the font as each process parses it once (fpdf2 would parse the 19 MB collection again
    for every document): fpdf2's metrics and glyph names, and a HarfBuzz face to cut subsets from."""

    font: TTFFont
    subsetter: uharfbuzz.Face


def _subsetter(font: TTFFont) -> uharfbuzz.Face:
    """A face of only the tables the PDF needs: HarfBuzz subsets it in 0.1 ms, but takes 3 ms over the whole
    collection face, mostly on tables it then drops (cmap, layout)."""
    tables = {tag: font.hbfont.face.reference_table(tag).data for tag in EMBEDDED_TABLES}
    # HarfBuzz reads the bytes in place, so the face returns these very objects, which live as long as it.
    return uharfbuzz.Face.create_for_tables(lambda _face, tag, _user: tables.get(tag), None)


@cache
def _parsed_fonts() -> dict[str, _ParsedFont]:
    """The fonts by fpdf2 key; the HarfBuzz font that shapes text is made here, so documents share it too."""
    template = FPDF()
    for style, path in font_files().items():
        index = SC_INDEX_IN_COLLECTION if path.suffix == ".ttc" else 0
        template.add_font(FONT_FAMILY, style, str(path), collection_font_number=index)
    return {key: _ParsedFont(font, _subsetter(font)) for key, font in template.fonts.items()}


def _document_font(parsed: TTFFont, pdf: FPDF) -> TTFFont:
    """The parsed font for one document: tables, metrics and shaper shared, but its own glyph subset and
    font descriptor (the state fpdf2 keeps per document, as in TTFFont.__deepcopy__)."""
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.desc = copy.copy(parsed.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


def _glyph_subset(parsed: _ParsedFont, glyph_names: Sequence[str]) -> TTFont:
    """Just these glyphs. A CID-keyed CFF font keeps each glyph's CID, hence its name, so fpdf2 finds the
    glyphs it picked by name. Without subroutines, fontTools has less to do when fpdf2 subsets it again."""
    plan = uharfbuzz.SubsetInput()
    plan.flags = uharfbuzz.SubsetFlags.NOTDEF_OUTLINE | uharfbuzz.SubsetFlags.DESUBROUTINIZE
    plan.glyph_set.update(parsed.font.ttfont.getGlyphID(name) for name in glyph_names)
    data = uharfbuzz.subset(parsed.subsetter, plan).blob.data
    # Bounding boxes are not recomputed: fpdf2 takes the font's from the parsed font, and recomputing
    # them runs every glyph program twice (half of what embedding costs).
    return TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False, lazy=True)


class _Document(FPDF):
    """A plaque document: the process's parsed fonts, each written as a subset of this document's glyphs."""

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """fpdf2 subsets a font in place as it writes it. Given the shared parsed font, it would spend 0.3 s
        re-reading 65,000 glyphs and spoil the font for the next document; given a HarfBuzz subset of just
        this document's glyphs, it has a few dozen to handle."""
        for key, parsed in _parsed_fonts().items():
            font = self.fonts[key]
            font.ttfont = _glyph_subset(parsed, font.subset.get_all_glyph_names())
        return super().output(*args, **kwargs)


def _blank_pdf(title: str, kind: type[FPDF] = FPDF) -> FPDF:
    """A document in millimetres, without margins or automatic page breaks, dated reproducibly."""
    pdf = kind(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(title)
    pdf.set_creator("heritage-guide")
    pdf.set_creation_date(REPRODUCIBLE_DATE)  # the same plaque is the same bytes (and /ID) on every build
    return pdf


def _new_pdf(title: str) -> FPDF:
    """A blank document that shares the parsed fonts."""
    pdf = _blank_pdf(title, _Document)
    for key, parsed in _parsed_fonts().items():
        pdf.fonts[key] = _document_font(parsed.font, pdf)
        if parsed.font.is_cff and parsed.font.is_cid_keyed:
            pdf.pdf_version = max(pdf.pdf_version, "1.6")  # as add_font does: CID-keyed CFF needs PDF 1.6
    pdf.set_text_shaping(True)
    return pdf


def qr_side(preset: Preset) -> float:
    """Width of the printed code, quiet zone included, from the layout's fractions."""
    if preset.compact:
        return min(preset.width * 0.9, preset.height * 0.68)
    return min(preset.width * 0.74, preset.height * 0.5)


def size_warnings(preset: Preset, modules: int) -> list[str]:
    """Warnings for a code of `modules` per side (quiet zone excluded) printed at this size."""
    side = qr_side(preset)
    module = side / (modules + 2 * qr.QUIET_ZONE)
    code = side * modules / (modules + 2 * qr.QUIET_ZONE)
    found = []
    if module < MIN_MODULE_MM:
        found.append(say("{size}: a QR module is {module:.2f} mm, under {minimum} mm; print larger",
                         size=preset.name, module=module, minimum=MIN_MODULE_MM))
    if code < preset.viewing_distance_m * 1000 / 10:
        found.append(say("{size}: the code is {code:.0f} mm wide, too small to scan from {distance:g} m (needs {needed:.0f} mm)",
                         size=preset.name, code=code, distance=preset.viewing_distance_m,
                         needed=preset.viewing_distance_m * 100))
    return found


@cache
def _measuring_pdf() -> FPDF:
    """A page that is never written, to measure text on."""
    pdf = _new_pdf("measure")
    pdf.add_page()
    return pdf


@lru_cache(maxsize=4096)
def _fitted(text: str, width: float, size_pt: float, style: str, max_lines: int) -> tuple[float, tuple[str, ...]]:
    """The largest size up to `size_pt` (else the first at or under 5 pt) at which `text` fits in `max_lines` lines,
    and its lines. Measured once per process, as every document has the same fonts: the organisation and
    the calls to action are on every plaque."""
    pdf = _measuring_pdf()
    while True:
        pdf.set_font(FONT_FAMILY, style, size_pt)
        lines = pdf.multi_cell(width, size_pt / PT_PER_MM * 1.2, text, dry_run=True, output="LINES")
        if len(lines) <= max_lines or size_pt <= 5:
            return size_pt, tuple(lines)
        size_pt *= 0.92


@dataclass(frozen=True)
class Rect:
    """A filled rectangle in mm. `role` names what it is ("band"), so each painter picks its colour, or
    leaves it out: an engraving has one colour, and the band would be a slab of solid metal."""

    x: float
    y: float
    width: float
    height: float
    role: str


@dataclass(frozen=True)
class TextLine:
    """One line of text centred in a box (mm), already broken and sized by `_fitted`, so that every
    painter draws the same lines at the same size. `role` is "ink" or "on-band" (white on the band)."""

    x: float
    y: float
    width: float
    height: float  # the line height; the baseline is where fpdf2 puts it in a cell of this height
    size_pt: float
    style: str  # "" or "B"
    text: str
    role: str


@dataclass(frozen=True)
class Code:
    """The QR code, quiet zone included, as a square of `side` mm at (x, y)."""

    symbol: qr.Symbol
    x: float
    y: float
    side: float
    logo: bytes | None


@dataclass(frozen=True)
class Picture:
    """A raster image (the organisation's logo) fitted into a box (mm). An engraving leaves it out: one
    colour of outlines cannot carry a picture, and the organisation's name is engraved anyway."""

    x: float
    y: float
    side: float
    data: bytes


Item = Rect | TextLine | Code | Picture


def _text_lines(x: float, y: float, width: float, text: str, size_pt: float, style: str = "",
                max_lines: int = 2) -> tuple[list[TextLine], float]:
    """Centred text, one item per line as `_fitted` broke it, and the y below them: a painter that broke
    the text again would shape it once per character."""
    size, lines = _fitted(text, width, size_pt, style, max_lines)
    height = size / PT_PER_MM * 1.2
    items = [TextLine(x, y + number * height, width, height, size, style, line, "ink") for number, line in enumerate(lines)]
    return items, y + len(lines) * height


SAMPLE_STRIP = 0.05  # of the plaque's height


def _sample_marks(x: float, y: float, w: float, h: float, top: float, margin: float) -> list[Item]:
    """A yellow frame at the trim and a yellow strip saying SAMPLE under the band: seen at a glance, on screen
    or on paper, and clear of the code, which must still be checked by scanning."""
    frame = min(w, h) * 0.02
    strip = h * SAMPLE_STRIP
    size, _lines = _fitted(SAMPLE_MARK, w - 2 * margin, strip * PT_PER_MM * 0.5, "B", 1)
    height = size / PT_PER_MM * 1.2
    return [Rect(x, y, w, frame, "sample"), Rect(x, y + h - frame, w, frame, "sample"), Rect(x, y, frame, h, "sample"),
            Rect(x + w - frame, y, frame, h, "sample"), Rect(x, top, w, strip, "sample"),
            TextLine(x + margin, top + (strip - height) / 2, w - 2 * margin, height, size, "B", SAMPLE_MARK, "ink")]


def plaque_layout(text: PlaqueText, style: CodeStyle, preset: Preset, x: float, y: float,
                  bleed: float = 0.0) -> list[Item]:
    """What one plaque shows and where (mm), its trimmed top-left corner at (x, y), the band run into the
    bleed. Declared once, so the full-colour print and the engraving cannot drift apart."""
    w, h = preset.width, preset.height
    margin = w * 0.06
    inner = w - 2 * margin
    items: list[Item] = []
    band = 0.0 if preset.compact else h * 0.07
    if band:
        items.append(Rect(x - bleed, y - bleed, w + 2 * bleed, band + bleed, "band"))
        left, width = x + margin, inner
        if text.logo:  # at the band's left; the name stays centred in what is left, clear of it on both sides
            logo = band * 0.8
            items.append(Picture(left, y + band * 0.1, logo, text.logo))
            left, width = left + logo + margin / 2, width - 2 * (logo + margin / 2)
        size, _lines = _fitted(text.organisation, width, band * PT_PER_MM * 0.42, "", 1)
        height = size / PT_PER_MM * 1.2  # one line on the band, whole, even if it overflows at 5 pt
        items.append(TextLine(left, y + (band - height) / 2, width, height, size, "", text.organisation, "on-band"))
    top = y + band
    if text.sample:
        items += _sample_marks(x, y, w, h, top, margin)
        top += h * SAMPLE_STRIP
    lines, cursor = _text_lines(x + margin, top + h * 0.03, inner, text.names[0][1], w * 0.075 * PT_PER_MM, "B")
    items += lines
    if not preset.compact:
        others = " · ".join(name for _lang, name in text.names[1:])
        if others:
            lines, cursor = _text_lines(x + margin, cursor + h * 0.005, inner, others, w * 0.042 * PT_PER_MM)
            items += lines
    side = qr_side(preset)
    bottom_block = h * (0.12 if preset.compact else 0.22)
    code_y = max(cursor + h * 0.01, y + (h - bottom_block - side) * 0.9)
    items.append(Code(qr.make_symbol(text.url, style.level), x + (w - side) / 2, code_y, side, style.logo))
    cursor = code_y + side
    if not preset.compact:
        for _lang, call in text.calls:
            lines, cursor = _text_lines(x + margin, cursor, inner, call, w * 0.036 * PT_PER_MM, max_lines=1)
            items += lines
        cursor += h * 0.01
    lines, cursor = _text_lines(x + margin, cursor, inner, text.typed_address, w * 0.045 * PT_PER_MM, "B", 1)
    items += lines
    footer = f"{text.plaque_id}" if preset.compact else f"{text.plaque_id} · {text.organisation}"
    items += _text_lines(x + margin, cursor, inner, footer, w * 0.028 * PT_PER_MM, max_lines=1)[0]
    return items


# The full-colour print: colours by role.
FILL_RGB = {"band": BAND_RGB, "sample": (255, 214, 0)}  # safety yellow: not the band's colour, not the guide's
TEXT_RGB = {"ink": (0, 0, 0), "on-band": (255, 255, 255)}


def _draw_code(pdf: FPDF, code: Code) -> None:
    """The quiet zone painted white (a sheet's neighbours or bleed may lie under it), the dark modules as
    merged runs, and the logo on a white square over the centre."""
    module = code.side / (code.symbol.size + 2 * qr.QUIET_ZONE)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(code.x, code.y, code.side, code.side, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, column, length in qr.dark_runs(code.symbol):
        pdf.rect(code.x + (column + qr.QUIET_ZONE) * module, code.y + (row + qr.QUIET_ZONE) * module,
                 length * module, module, style="F")
    if code.logo:
        box = code.symbol.size * module * math.sqrt(LOGO_MAX_AREA)
        left, top = code.x + (code.side - box) / 2, code.y + (code.side - box) / 2
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(left, top, box, box, style="F")
        pdf.image(io.BytesIO(code.logo), left + box * 0.05, top + box * 0.05, w=box * 0.9, h=box * 0.9,
                  keep_aspect_ratio=True)


def paint_colour(pdf: FPDF, items: Sequence[Item]) -> None:
    """The full-colour painter: fpdf2, text as the embedded font (searchable, and the subset is small)."""
    for item in items:
        if isinstance(item, Rect):
            pdf.set_fill_color(*FILL_RGB[item.role])
            pdf.rect(item.x, item.y, item.width, item.height, style="F")
        elif isinstance(item, TextLine):
            pdf.set_text_color(*TEXT_RGB[item.role])
            pdf.set_font(FONT_FAMILY, item.style, item.size_pt)
            pdf.set_xy(item.x, item.y)
            pdf.cell(item.width, item.height, item.text, align="C")
        elif isinstance(item, Picture):
            pdf.image(io.BytesIO(item.data), item.x, item.y, w=item.side, h=item.side, keep_aspect_ratio=True)
        else:
            _draw_code(pdf, item)
    pdf.set_text_color(0, 0, 0)


def draw_plaque(pdf: FPDF, text: PlaqueText, style: CodeStyle, preset: Preset, x: float, y: float,
                bleed: float = 0.0) -> None:
    """Draw one plaque in full colour with its trimmed top-left corner at (x, y); the band runs into the bleed."""
    paint_colour(pdf, plaque_layout(text, style, preset, x, y, bleed))


def _crop_marks(pdf: FPDF, x: float, y: float, w: float, h: float, bleed: float) -> None:
    offset, length = bleed + 2, 4.0
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.1)
    for cx, sx in ((x, -1), (x + w, 1)):
        for cy, sy in ((y, -1), (y + h, 1)):
            pdf.line(cx + sx * offset, cy, cx + sx * (offset + length), cy)
            pdf.line(cx, cy + sy * offset, cx, cy + sy * (offset + length))


@dataclass(frozen=True)
class Rendered:
    """A PDF whose every code was read back, and its first page as a preview."""

    pdf: bytes
    preview: Image.Image  # first page at PREVIEW_DPI

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.preview.save(buffer, "PNG", compress_level=3)  # optimize=True: 4x the time for 8 % fewer bytes
        return buffer.getvalue()


def _rasterised(data: bytes) -> Iterator[Image.Image]:
    """Each page at PREVIEW_DPI, one at a time, so a 500-page sheet never holds more than one page's pixels.
    The first is in colour, for the preview; the others in grey, which pdfium draws six times and zxing-cpp
    reads three times as fast."""
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                yield page.render(scale=PREVIEW_DPI / 72, grayscale=index > 0).to_pil()
            finally:
                page.close()
    finally:
        document.close()


class NotScannable(RuntimeError):
    pass


def _verified(data: bytes, expected_per_page: Sequence[Sequence[str]], what: str) -> Rendered:
    """`data` if each page's codes read back as expected. Pages are rasterised, read and dropped one at a
    time; only the first is kept, as the preview."""
    preview: Image.Image | None = None
    for number, (image, expected) in enumerate(zip(_rasterised(data), expected_per_page, strict=True), start=1):
        found = sorted(qr.decode(image))
        if found != sorted(expected):
            raise NotScannable(say("{what}, page {page}: the QR codes read back as {found}, expected {expected}",
                                   what=what, page=number, found=found, expected=sorted(expected)))
        if preview is None:
            preview = image
    assert preview is not None, "fpdf2 writes at least one page"
    return Rendered(data, preview)


def render_plaque(text: PlaqueText, preset: Preset, style: CodeStyle = CodeStyle()) -> Rendered:
    """One plaque, trimmed size, as a one-page vector PDF whose code is proven to scan."""
    pdf = _new_pdf(f"{text.names[0][1]} ({text.plaque_id})")
    pdf.add_page(format=(preset.width, preset.height))
    draw_plaque(pdf, text, style, preset, 0, 0)
    return _verified(bytes(pdf.output()), [[text.url]], f"plaque {text.plaque_id}")


# --- Engraving: one colour, every letter an outline -------------------------------------------------

Segment = tuple[str, tuple[float, ...]]  # an SVG path command (M, L, Q, C, Z) and its absolute points in mm
GlyphOutline = tuple[tuple[str, tuple[tuple[float, float], ...]], ...]  # fontTools pen calls, in font units


@dataclass(frozen=True)
class Outline:
    """One filled black shape of an engraving, in mm: a text line's glyphs, or the code's dark modules."""

    segments: tuple[Segment, ...]
    crisp: bool = False  # the code: edges on whole pixels in a browser, so modules do not blur into each other


@cache
def _outline_fonts() -> dict[str, uharfbuzz.Font]:
    """The HarfBuzz fonts by style, the same faces fpdf2 shapes with, so a line has the same glyphs and width."""
    return dict(zip(font_files(), _coverage(), strict=True))


@lru_cache(maxsize=8192)
def _glyph_outline(style: str, glyph: int) -> GlyphOutline:
    """A glyph's outline in font units, y up, as the pen protocol hands it over; read once per process."""
    pen = RecordingPen()
    _outline_fonts()[style].draw_glyph_with_pen(glyph, pen)
    return tuple((operator, tuple(points)) for operator, points in pen.value)


def _placed(outline: GlyphOutline, x: float, baseline: float, scale: float) -> Iterator[Segment]:
    """A glyph's outline in mm, y down, its origin at (x, baseline)."""
    for operator, points in outline:
        flat = tuple(value for px, py in points for value in (x + px * scale, baseline - py * scale))
        if operator == "moveTo":
            yield "M", flat
        elif operator == "lineTo":
            yield "L", flat
        elif operator == "curveTo":
            yield "C", flat
        elif operator == "qCurveTo":  # TrueType: implied on-curve points halfway between off-curve ones
            for index in range(0, len(flat) - 2, 2):
                end = flat[index + 2:index + 4] if index + 4 == len(flat) else \
                    ((flat[index] + flat[index + 2]) / 2, (flat[index + 1] + flat[index + 3]) / 2)
                yield "Q", (*flat[index:index + 2], *end)
        elif operator == "closePath":
            yield "Z", ()


def _outlined_line(line: TextLine) -> Outline:
    """A line as glyph outlines: shaped by HarfBuzz as fpdf2 shapes it, centred and on the baseline where
    fpdf2 puts a cell's text (half the cell height, plus 0.3 of the font size, below its top)."""
    font = _outline_fonts()[line.style]
    buffer = uharfbuzz.Buffer()
    buffer.cluster_level = 1
    buffer.add_str(line.text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(font, buffer, {})
    size = line.size_pt / PT_PER_MM
    scale = size / font.face.upem
    positions = buffer.glyph_positions
    x = line.x + (line.width - sum(position.x_advance for position in positions) * scale) / 2
    baseline = line.y + 0.5 * line.height + 0.3 * size
    segments: list[Segment] = []
    for info, position in zip(buffer.glyph_infos, positions, strict=True):
        if info.codepoint:  # .notdef: a character the font lacks, which the full-colour print leaves out too
            segments += _placed(_glyph_outline(line.style, info.codepoint), x + position.x_offset * scale,
                                baseline - position.y_offset * scale, scale)
        x += position.x_advance * scale
        baseline -= position.y_advance * scale
    return Outline(tuple(segments))


def _outlined_code(code: Code) -> Outline:
    """The dark modules as merged rectangles; the quiet zone is the bare plate around them."""
    if code.logo:
        raise ValueError(say("a logo cannot be engraved: an engraving has one colour and no pictures; "
                             "make the engraved plaque without a logo"))
    module = code.side / (code.symbol.size + 2 * qr.QUIET_ZONE)
    segments: list[Segment] = []
    for row, column, length in qr.dark_runs(code.symbol):
        left, top = code.x + (column + qr.QUIET_ZONE) * module, code.y + (row + qr.QUIET_ZONE) * module
        right, bottom = left + length * module, top + module
        segments += [("M", (left, top)), ("L", (right, top)), ("L", (right, bottom)), ("L", (left, bottom)), ("Z", ())]
    return Outline(tuple(segments), crisp=True)


def paint_outlines(items: Sequence[Item]) -> list[Outline]:
    """The engraving painter: black outlines only. Rectangles are colour fields (the band), which one
    colour cannot show: the organisation line on the band is engraved in black on the bare plate."""
    outlines = []
    for item in items:
        if isinstance(item, TextLine):
            if item.text.strip():
                outlines.append(_outlined_line(item))
        elif isinstance(item, Code):
            outlines.append(_outlined_code(item))
    return outlines


def _mm(value: float) -> str:
    """A length in mm to the micrometre, as short as it goes: a laser's spot is 20-50 µm."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path_data(segments: Sequence[Segment]) -> str:
    return "".join(operator + " ".join(_mm(value) for value in points) for operator, points in segments)


def _engraving_svg(outlines: Sequence[Outline], preset: Preset, title: str) -> bytes:
    """A standalone SVG in mm: a white plate and black paths, nothing a shop's software must look up."""
    w, h = _mm(preset.width), _mm(preset.height)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{w}" height="{h}" fill="#fff"/>',
    ]
    for outline in outlines:
        crisp = ' shape-rendering="crispEdges"' if outline.crisp else ""
        parts.append(f'<path d="{_path_data(outline.segments)}" fill="#000"{crisp}/>')
    parts.append("</svg>\n")
    return "\n".join(parts).encode()


def _engraving_pdf(outlines: Sequence[Outline], preset: Preset, title: str) -> bytes:
    """The same paths as a one-page PDF of the trimmed size: no fonts, no images, one colour."""
    pdf = _blank_pdf(title)
    pdf.add_page(format=(preset.width, preset.height))
    with pdf.drawing_context() as context:
        for outline in outlines:
            path = PaintedPath()
            path.style.fill_color = "#000000"
            path.style.paint_rule = PathPaintRule.FILL_NONZERO
            for operator, points in outline.segments:
                if operator == "M":
                    path.move_to(*points)
                elif operator == "L":
                    path.line_to(*points)
                elif operator == "C":
                    path.curve_to(*points)
                elif operator == "Q":
                    path.quadratic_curve_to(*points)
                else:
                    path.close()
            context.add_item(path, clone=False)
    return bytes(pdf.output())


@dataclass(frozen=True)
class Engraved(Rendered):
    """A plaque for stainless-steel etching or laser engraving: the SVG for the shop's software, and the
    same paths as a PDF whose code was read back."""

    svg: bytes


def render_engraving(text: PlaqueText, preset: Preset, style: CodeStyle = CodeStyle()) -> Engraved:
    """One plaque for etching or engraving, the full-colour plaque's layout in one colour: no band, no
    bleed, every letter an outline (the shop needs no fonts), the code proven to scan."""
    outlines = paint_outlines(plaque_layout(text, style, preset, 0, 0))
    title = f"{text.names[0][1]} ({text.plaque_id})"
    rendered = _verified(_engraving_pdf(outlines, preset, title), [[text.url]], f"engraving {text.plaque_id}")
    return Engraved(rendered.pdf, rendered.preview, _engraving_svg(outlines, preset, title))


def sheet_grid(preset: Preset, paper: str, bleed: float) -> tuple[str, int, int, float, float]:
    """Orientation, columns and rows that fit most plaques with room for crop marks, and the cell size."""
    if paper not in PAPERS:
        raise ValueError(say("unknown paper {paper!r}; use one of: {papers}", paper=paper, papers=", ".join(PAPERS)))
    cell_w = preset.width + 2 * (bleed + 6)
    cell_h = preset.height + 2 * (bleed + 6)
    best = ("P", 0, 0)
    for orientation in ("P", "L"):
        paper_w, paper_h = PAPERS[paper] if orientation == "P" else PAPERS[paper][::-1]
        columns, rows = math.floor((paper_w - 10) / cell_w), math.floor((paper_h - 10) / cell_h)
        if columns * rows > best[1] * best[2]:
            best = (orientation, columns, rows)
    if best[1] * best[2] == 0:
        raise ValueError(say("a {size} plaque does not fit on {paper} paper with crop marks",
                             size=preset.name, paper=paper.upper()))
    return (*best, cell_w, cell_h)


def render_sheet(texts: list[PlaqueText], preset: Preset, paper: str = "a4", bleed: float = 3.0,
                 style: CodeStyle = CodeStyle()) -> Rendered:
    """All plaques imposed n-up, centred, with crop marks at each plaque's trim corners."""
    orientation, columns, rows, cell_w, cell_h = sheet_grid(preset, paper, bleed)
    pdf = _new_pdf(f"{len(texts)} plaques, {preset.name} on {paper.upper()}")
    per_page = columns * rows
    expected: list[list[str]] = []
    for start in range(0, len(texts), per_page):
        batch = texts[start:start + per_page]
        pdf.add_page(orientation=orientation, format=paper.upper())
        left = (pdf.w - columns * cell_w) / 2
        top = (pdf.h - rows * cell_h) / 2
        for index, text in enumerate(batch):
            x = left + (index % columns) * cell_w + (cell_w - preset.width) / 2
            y = top + (index // columns) * cell_h + (cell_h - preset.height) / 2
            draw_plaque(pdf, text, style, preset, x, y, bleed)
            _crop_marks(pdf, x, y, preset.width, preset.height, bleed)
        expected.append([text.url for text in batch])
    return _verified(bytes(pdf.output()), expected, f"sheet {preset.name} on {paper.upper()}")


__all__ = [
    "PRESETS", "Code", "CodeStyle", "Engraved", "FontMissing", "Item", "NotScannable", "Outline", "Picture", "PlaqueText",
    "Preset", "Rect", "Rendered", "TextLine", "draw_plaque", "paint_colour", "paint_outlines", "parse_size", "plaque_layout",
    "plaque_text", "render_engraving", "render_plaque", "render_sheet", "size_warnings", "unprintable",
]
