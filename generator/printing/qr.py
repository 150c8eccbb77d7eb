"""QR symbols: make them (smallest symbol for the text), write them (SVG, PNG), read them back (zxing-cpp).

Pure functions over an immutable module matrix; writers are chosen from one table by format name.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import qrcode
import zxingcpp
from PIL import Image
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

ERROR_LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
QUIET_ZONE = 4  # modules of white around the symbol, as the standard requires


@dataclass(frozen=True)
class Symbol:
    text: str
    level: str
    version: int
    modules: tuple[tuple[bool, ...], ...]  # dark = True, without the quiet zone

    @property
    def size(self) -> int:
        """Modules per side, without the quiet zone."""
        return len(self.modules)


@lru_cache(maxsize=1024)  # a build asks for each plaque's symbol more than once (files, drawing, sheet)
def make_symbol(text: str, level: str = "Q") -> Symbol:
    """The smallest symbol for `text`: one segment in the densest mode that fits it, or mixed
    segments (upper-case runs in alphanumeric mode) when that needs fewer modules."""
    if level not in ERROR_LEVELS:
        raise ValueError(f"error correction level must be one of {', '.join(ERROR_LEVELS)}, not {level!r}")
    candidates = []
    for segment_length in (0, 4):  # 0: a single segment; 4: split where runs of 4+ chars change mode
        code = qrcode.QRCode(error_correction=ERROR_LEVELS[level], border=0)
        code.add_data(text, optimize=segment_length)
        code.best_fit()  # the version only: the matrix (eight mask trials) is made for the winner alone
        candidates.append(code)
    best = min(candidates, key=lambda code: code.version)
    best.make()
    matrix = tuple(tuple(bool(cell) for cell in row) for row in best.get_matrix())
    return Symbol(text, level, best.version, matrix)


def dark_runs(symbol: Symbol) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules (row, first column, length): few shapes, crisp vector output."""
    runs = []
    for y, row in enumerate(symbol.modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def to_svg(symbol: Symbol) -> bytes:
    """A scalable SVG, one module = one user unit, quiet zone included, no anti-aliasing seams."""
    side = symbol.size + 2 * QUIET_ZONE
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{n}v1h-{n}z" for y, x, n in dark_runs(symbol))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
        f'<title>{escape(symbol.text)}</title><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    ).encode()


def to_image(symbol: Symbol, scale: int = 10) -> Image.Image:
    """A 1-bit image, `scale` pixels per module, quiet zone included."""
    side = symbol.size + 2 * QUIET_ZONE
    image = Image.new("1", (side, side), 1)
    for y, x, n in dark_runs(symbol):
        image.paste(0, (x + QUIET_ZONE, y + QUIET_ZONE, x + QUIET_ZONE + n, y + QUIET_ZONE + 1))
    return image.resize((side * scale, side * scale), Image.Resampling.NEAREST)


def to_png(symbol: Symbol) -> bytes:
    buffer = io.BytesIO()
    to_image(symbol).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Symbol], bytes]] = {"svg": to_svg, "png": to_png}


def write(symbol: Symbol, kind: str) -> bytes:
    try:
        return WRITERS[kind](symbol)
    except KeyError:
        raise ValueError(f"unknown QR format {kind!r}; use one of: {', '.join(WRITERS)}") from None


def decode(image: Image.Image) -> list[str]:
    """Every QR code text a real decoder finds in `image` (made grey first: Pillow does that faster than zxing-cpp)."""
    grey = image if image.mode == "L" else image.convert("L")
    return [result.text for result in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)]
