#!/usr/bin/env python3
"""Make the media for the three sample sites: one illustration each, narration audio, and for Đền Xã Tắc a
360° tour of two scenes and a short overview video with subtitles.

The illustrations are flat, clearly drawn pictures (never photographs), drawn with Pillow
only and fully deterministic: the same Pillow version gives byte-identical JPEGs.

    python tools/make_sample_media.py              # illustrations, then audio if possible
    python tools/make_sample_media.py --no-audio   # illustrations only

Audio is made only when `espeak-ng` and `lame` are installed (Debian:
`apt-get install espeak-ng lame`). Each site's name and summary are read from
`sites/<slug>.yaml` (needs PyYAML), spoken by espeak-ng and encoded as 32 kbit/s mono MP3.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent

WIDTH, HEIGHT = 1600, 1067
SUPERSAMPLE = 2  # draw at 2x and scale down, for smooth edges
JPEG_QUALITY = 82

# language -> (espeak-ng voice, file name under media/<slug>/)
VOICES = {
    "vi": ("vi", "thuyet-minh-vi.mp3"),
    "en": ("en", "narration-en.mp3"),
    # plain "cmn" in espeak-ng 1.51 turns characters into pinyin and then reads that pinyin
    # (tone digits included) as English; the pinyin variant reads it as Mandarin
    "zh": ("cmn-latn-pinyin", "narration-zh.mp3"),
}
SPEECH_RATE = 150  # words per minute; espeak-ng's default of 175 is hurried
LAME_ARGS = ["-m", "m", "-b", "32", "--resample", "22.05"]

Point = tuple[float, float]


# ---------------------------------------------------------------- drawing helpers


class Canvas:
    """A supersampled RGB image addressed in output pixels (0..WIDTH, 0..HEIGHT)."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE))
        self.draw = ImageDraw.Draw(self.image)

    @staticmethod
    def _p(points: list[Point]) -> list[Point]:
        return [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in points]

    def polygon(self, points: list[Point], fill: str) -> None:
        self.draw.polygon(self._p(points), fill=fill)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: str) -> None:
        self.draw.rectangle(self._p([(x0, y0), (x1, y1)]), fill=fill)

    def ellipse(self, x0: float, y0: float, x1: float, y1: float, fill: str) -> None:
        self.draw.ellipse(self._p([(x0, y0), (x1, y1)]), fill=fill)

    def line(self, points: list[Point], fill: str, width: float) -> None:
        self.draw.line(self._p(points), fill=fill, width=round(width * SUPERSAMPLE), joint="curve")

    def gradient(self, y0: float, y1: float, top: str, bottom: str) -> None:
        """Fill the full width between y0 and y1 with a vertical colour gradient."""
        c0, c1 = _rgb(top), _rgb(bottom)
        a, b = round(y0 * SUPERSAMPLE), round(y1 * SUPERSAMPLE)
        for y in range(a, b):
            t = (y - a) / max(1, b - a - 1)
            colour = tuple(round(u + (v - u) * t) for u, v in zip(c0, c1, strict=False))
            self.draw.line([(0, y), (WIDTH * SUPERSAMPLE, y)], fill=colour)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        out = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        out.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    """Points along a cubic Bézier curve, both ends included."""
    pts = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        pts.append((x, y))
    return pts


def _ridge_line(base: float, amplitude: float, waves: list[tuple[float, float]]) -> list[Point]:
    """A smooth hill silhouette: base height minus a sum of sines (frequency, phase)."""
    pts = []
    for i in range(0, 161):
        x = WIDTH * i / 160
        y = base - amplitude * sum(math.sin(x / WIDTH * f * math.pi + ph) for f, ph in waves) / len(waves)
        pts.append((x, y))
    return pts


def _hills(c: Canvas, base: float, amplitude: float, waves: list[tuple[float, float]], fill: str) -> None:
    c.polygon([*_ridge_line(base, amplitude, waves), (WIDTH, HEIGHT), (0, HEIGHT)], fill)


def _tree(c: Canvas, x: float, ground: float, size: float, dark: str, light: str, trunk: str) -> None:
    """A rounded flat tree: a trunk and three overlapping discs."""
    c.rect(x - size * 0.07, ground - size * 0.9, x + size * 0.07, ground, trunk)
    for dx, dy, r, col in ((-0.35, -1.05, 0.42, dark), (0.33, -1.0, 0.45, dark), (0.0, -1.35, 0.5, light)):
        cx, cy, rr = x + dx * size, ground + dy * size, r * size
        c.ellipse(cx - rr, cy - rr, cx + rr, cy + rr, col)


def _curved_roof(c: Canvas, cx: float, eave_y: float, width: float, height: float,
                 tile: str, edge: str, lift: float) -> None:
    """A Vietnamese temple roof: straight ridge, sagging eaves, corners sweeping upwards."""
    half = width / 2
    ridge_half = half * 0.62
    top = eave_y - height
    sag = eave_y + height * 0.08
    left_tip = (cx - half, eave_y - lift)
    right_tip = (cx + half, eave_y - lift)
    # clockwise from the right end of the ridge: down the hip to the right tip, along the
    # sagging eave to the left tip, and up the other hip
    right_hip = _bezier((cx + ridge_half, top), (cx + ridge_half + half * 0.1, top + height * 0.75),
                        (cx + half * 0.8, eave_y - height * 0.28), right_tip)
    eave = _bezier(right_tip, (cx + half * 0.9, eave_y + height * 0.02), (cx + half * 0.6, sag), (cx, sag))
    eave += _bezier((cx, sag), (cx - half * 0.6, sag), (cx - half * 0.9, eave_y + height * 0.02), left_tip)
    left_hip = _bezier(left_tip, (cx - half * 0.8, eave_y - height * 0.28),
                       (cx - ridge_half - half * 0.1, top + height * 0.75), (cx - ridge_half, top))
    c.polygon(right_hip + eave + left_hip, tile)
    # a light band along the eaves, tapering to nothing at the tips
    band = []
    for x, y in eave:
        taper = min(1.0, (1 - abs(x - cx) / half) / 0.15)
        band.append((x, y - height * 0.07 * taper))
    c.polygon(eave + list(reversed(band)), edge)
    # ridge beam with upturned ends and a central disc
    beam = height * 0.12
    c.rect(cx - ridge_half, top - beam, cx + ridge_half, top + beam * 0.2, tile)
    for side in (-1, 1):
        ex = cx + side * ridge_half
        curl = _bezier((ex, top + beam * 0.2), (ex + side * beam * 1.2, top), (ex + side * beam * 1.6, top - beam),
                       (ex + side * beam * 1.2, top - beam * 2.6))
        inner = _bezier((ex + side * beam * 0.5, top - beam * 2.2), (ex + side * beam * 0.9, top - beam * 1.2),
                        (ex + side * beam * 0.4, top - beam * 0.9), (ex - side * beam * 0.2, top - beam))
        c.polygon(curl + inner, tile)
    r = beam * 1.5
    c.ellipse(cx - r, top - beam - r * 1.6, cx + r, top - beam + r * 0.4, "#d9a441")


def _hall(c: Canvas, cx: float, base_y: float, width: float, height: float, bays: int) -> None:
    """A hall front under a roof: wall, red columns and dark doors."""
    x0, x1 = cx - width / 2, cx + width / 2
    c.rect(x0, base_y - height, x1, base_y, "#e8d3a2")
    bay = width / bays
    for i in range(bays):
        dx0 = x0 + i * bay + bay * 0.2
        c.rect(dx0, base_y - height * 0.78, dx0 + bay * 0.6, base_y, "#6b2a22")
    for i in range(bays + 1):
        x = x0 + i * bay
        c.rect(x - width * 0.012, base_y - height, x + width * 0.012, base_y, "#a8322a")


def _water_streaks(c: Canvas, y0: float, y1: float, colour: str, count: int, seed: int) -> None:
    """Short horizontal highlights on water, placed by a fixed formula (no randomness)."""
    for i in range(count):
        t = (i * 0.618 + seed * 0.13) % 1.0
        u = (i * 0.377 + seed * 0.29) % 1.0
        y = y0 + (y1 - y0) * t
        length = 40 + 140 * u * (0.4 + 0.6 * t)
        x = (i * 211 + seed * 97) % WIDTH
        c.line([(x, y), (x + length, y)], colour, 2 + 3 * t)


# ---------------------------------------------------------------- the three scenes


def render_border_marker() -> Canvas:
    """A concrete border marker on a grassy riverbank, the river and hills behind."""
    c = Canvas()
    c.gradient(0, 600, "#9cc3d9", "#f3dfc1")
    c.ellipse(1180, 150, 1300, 270, "#fbefd6")
    _hills(c, 470, 110, [(2.1, 0.4), (3.7, 1.9), (5.3, 0.2)], "#9fb3b4")
    _hills(c, 540, 70, [(3.1, 2.2), (4.9, 0.7)], "#7f9d8f")
    # far bank with a row of low pale buildings
    c.rect(0, 575, WIDTH, 600, "#6f8f72")
    for i in range(14):
        x = 60 + i * 112 + (i * 37) % 40
        h = 24 + (i * 53) % 46
        c.rect(x, 578 - h, x + 48 + (i * 29) % 40, 580, "#c9c3b6" if i % 2 else "#b8b3a8")
    # the river
    c.gradient(600, 760, "#7fa6ad", "#5d8790")
    _water_streaks(c, 615, 750, "#a9c6c8", 34, seed=1)
    # near bank
    bank = _bezier((0, 730), (400, 690), (1000, 770), (WIDTH, 715))
    c.polygon([*bank, (WIDTH, HEIGHT), (0, HEIGHT)], "#8fae6a")
    c.polygon([*_bezier((0, 860), (500, 820), (1100, 900), (WIDTH, 850)), (WIDTH, HEIGHT), (0, HEIGHT)], "#7c9d5b")
    # a footpath up to the marker
    c.polygon([(760, HEIGHT), (1060, HEIGHT), (930, 905), (880, 905)], "#d8c9a5")
    # the marker: plinth, tapered shaft, pyramid cap
    mx, ground = 905, 905
    c.rect(mx - 150, ground - 34, mx + 150, ground, "#bdb8ae")
    c.rect(mx - 115, ground - 64, mx + 115, ground - 34, "#cfcac0")
    shaft_bottom, shaft_top = ground - 64, ground - 520
    c.polygon([(mx - 80, shaft_bottom), (mx - 66, shaft_top), (mx + 66, shaft_top), (mx + 80, shaft_bottom)], "#e4e0d8")
    c.polygon([(mx + 30, shaft_bottom), (mx + 24, shaft_top), (mx + 66, shaft_top), (mx + 80, shaft_bottom)], "#c7c2b8")
    c.polygon([(mx - 74, shaft_top), (mx, shaft_top - 70), (mx + 74, shaft_top)], "#d3cec4")
    c.polygon([(mx, shaft_top - 70), (mx + 74, shaft_top), (mx + 24, shaft_top)], "#b6b0a5")
    # an engraved panel (lines only; no legible text)
    c.rect(mx - 50, shaft_top + 60, mx + 22, shaft_top + 300, "#d6d1c8")
    for i, w in enumerate((48, 36, 54, 28, 44)):
        y = shaft_top + 95 + i * 42
        c.line([(mx - 14 - w / 2, y), (mx - 14 + w / 2, y)], "#8d877d", 7)
    # grass tufts
    for i in range(26):
        x = (i * 137 + 41) % WIDTH
        y = 800 + (i * 71) % 230
        if (abs(x - mx) < 190 and y < 930) or (abs(x - mx) < 170 and y > 900):
            continue  # keep the marker and its footpath clear
        for dx, tilt in ((-8, -14), (0, 0), (8, 14)):
            c.line([(x + dx, y), (x + dx + tilt, y - 34)], "#5f8446", 4)
    return c


def render_temple_roof() -> Canvas:
    """A temple front with a two-tier roof and sweeping curved eaves, framed by trees."""
    c = Canvas()
    c.gradient(0, 760, "#f6d7a7", "#fbeedc")
    _hills(c, 600, 60, [(1.7, 0.9), (3.3, 2.6)], "#c9d1b7")
    # trees behind and beside the temple
    for x, g, s in ((120, 800, 260), (330, 780, 200), (1300, 790, 220), (1500, 810, 270)):
        _tree(c, x, g, s, "#4f7a4c", "#6a9462", "#6d4c35")
    # courtyard
    c.rect(0, 800, WIDTH, HEIGHT, "#d9cdb5")
    for i in range(-6, 7):
        c.line([(800 + i * 60, 800), (800 + i * 260, HEIGHT)], "#cdbfa4", 3)
    for y in (860, 935, 1020):
        c.line([(0, y), (WIDTH, y)], "#cdbfa4", 3)
    # stone platform and steps
    c.rect(360, 760, 1240, 805, "#b9ad98")
    for i in range(3):
        c.rect(700 - i * 20, 805 + i * 18, 900 + i * 20, 823 + i * 18, "#c8bca6")
    # hall, lower roof, upper wall strip and upper roof
    _hall(c, 800, 760, 760, 250, bays=5)
    _curved_roof(c, 800, 520, 1020, 170, "#5b4a43", "#8a6f5c", lift=120)
    c.rect(560, 300, 1040, 370, "#e8d3a2")
    for i in range(7):
        x = 590 + i * 70
        c.rect(x, 312, x + 40, 358, "#a8322a")
    _curved_roof(c, 800, 320, 700, 140, "#5b4a43", "#8a6f5c", lift=95)
    # two stone lanterns in the courtyard
    for x in (330, 1270):
        c.rect(x - 18, 900, x + 18, 1010, "#a79b87")
        c.rect(x - 38, 864, x + 38, 902, "#b9ad98")
        c.polygon([(x - 50, 866), (x, 832), (x + 50, 866)], "#8f846f")
    return c


def render_temple_by_river() -> Canvas:
    """A temple on a spit of land by a wide river, wooden stakes rising from the water."""
    c = Canvas()
    c.gradient(0, 520, "#b7cbe0", "#f4e3c6")
    _hills(c, 440, 55, [(2.4, 0.3), (4.2, 1.4)], "#a8b7b9")
    # the spit of land with the temple
    land = _bezier((0, 470), (500, 440), (950, 470), (1320, 560))
    c.polygon([*land, (0, 560)], "#86a56b")
    for x, g, s in ((170, 500, 150), (300, 490, 120), (1010, 515, 110)):
        _tree(c, x, g, s, "#4f7a4c", "#6a9462", "#6d4c35")
    _hall(c, 640, 505, 330, 92, bays=3)
    _curved_roof(c, 640, 415, 460, 95, "#5b4a43", "#8a6f5c", lift=62)
    # the four-pillar gate in front
    for x in (420, 490, 790, 860):
        c.rect(x - 9, 445, x + 9, 540, "#e6dccb")
        c.rect(x - 14, 432, x + 14, 446, "#c8bba4")
        c.ellipse(x - 9, 416, x + 9, 434, "#c8bba4")
    c.polygon([(0, 540), (1230, 540), (1320, 560), (0, 560)], "#6f8f5a")
    # the river and its highlights
    c.gradient(560, HEIGHT, "#7c9fa8", "#4d6f7a")
    _water_streaks(c, 575, 1050, "#9fbcc1", 44, seed=3)
    # rows of wooden stakes, leaning against the current, larger towards the viewer
    for row, (y, n, scale) in enumerate(((640, 11, 0.55), (760, 9, 0.8), (905, 7, 1.1))):
        for i in range(n):
            x = 90 + i * (1480 / (n - 1)) * 0.95 + row * 38 + (i * 29) % 31
            h = (95 + (i * 43) % 60) * scale
            w = 16 * scale
            lean = (22 + (i * 17) % 18) * scale
            base, tip = (x, y + (i * 13) % 24), (x + lean, y + (i * 13) % 24 - h)
            c.polygon([(base[0] - w, base[1]), (tip[0] - w * 0.6, tip[1] + w * 1.4),
                       (tip[0], tip[1]), (tip[0] + w * 0.6, tip[1] + w * 1.4), (base[0] + w, base[1])], "#6b4a32")
            c.polygon([(base[0] + w * 0.2, base[1]), (tip[0] + w * 0.1, tip[1] + w * 1.2),
                       (tip[0] + w * 0.6, tip[1] + w * 1.4), (base[0] + w, base[1])], "#4e3424")
            c.ellipse(base[0] - w * 2.6, base[1] - w * 0.5, base[0] + w * 2.6, base[1] + w * 0.5, "#8fb0b6")
    return c


SCENES = {
    "cot-moc-1368": render_border_marker,
    "den-xa-tac": render_temple_roof,
    "den-tran-hung-dao": render_temple_by_river,
}


def make_illustrations(media_dir: Path) -> list[Path]:
    written = []
    for slug, render in SCENES.items():
        path = media_dir / slug / "illustration.jpg"
        render().save(path)
        written.append(path)
    return written


# ---------------------------------------------------------------- a 360° tour and an overview video (Đền Xã Tắc)

TOUR_SLUG = "den-xa-tac"
PANORAMA_SIZE = (2048, 1024)  # equirectangular, 2:1: one picture for the viewer (under the 4096 texture limit)


def _panorama(sky: tuple[str, str], ground: tuple[str, str], front: Callable[[ImageDraw.ImageDraw, int, int], None],
              behind: Callable[[ImageDraw.ImageDraw, int, int], None]) -> Image.Image:
    """An equirectangular drawing: yaw 0 (what the viewer faces first) is the middle column, yaw 180 the edges,
    the horizon the middle row; hills all round, `front` drawn at yaw 0 and `behind` at yaw 180."""
    width, height = PANORAMA_SIZE
    image = Image.new("RGB", PANORAMA_SIZE)
    draw = ImageDraw.Draw(image)
    horizon = height // 2
    for y in range(height):
        top, bottom, t = (sky[0], sky[1], y / horizon) if y < horizon else (ground[0], ground[1], (y - horizon) / horizon)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(_rgb(top), _rgb(bottom), strict=True)))
    ridge = [(x, horizon - 40 - 30 * math.sin(x / width * 6 * math.pi) - 15 * math.sin(x / width * 14 * math.pi + 1))
             for x in range(0, width + 1, 8)]  # whole waves: the ridge meets itself at yaw 180
    draw.polygon([*ridge, (width, horizon + 2), (0, horizon + 2)], fill="#7f9d8f")
    front(draw, width // 2, horizon)
    behind(draw, 0, horizon)
    behind(draw, width, horizon)  # the same thing seen across the seam
    return image


def _temple_front(draw: ImageDraw.ImageDraw, cx: int, ground: int) -> None:
    draw.rectangle([cx - 170, ground - 120, cx + 170, ground + 30], fill="#e8d3a2")
    for i in range(5):
        draw.rectangle([cx - 150 + i * 64, ground - 80, cx - 110 + i * 64, ground + 30], fill="#6b2a22")
    draw.polygon([(cx - 230, ground - 110), (cx - 130, ground - 210), (cx + 130, ground - 210), (cx + 230, ground - 110)],
                 fill="#8e3b2f")


def _gate(draw: ImageDraw.ImageDraw, cx: int, ground: int) -> None:
    for side in (-1, 1):
        draw.rectangle([cx + side * 90 - 18, ground - 170, cx + side * 90 + 18, ground + 40], fill="#b8a27a")
    draw.rectangle([cx - 130, ground - 200, cx + 130, ground - 165], fill="#8e3b2f")


def _burner(draw: ImageDraw.ImageDraw, cx: int, ground: int) -> None:
    draw.ellipse([cx - 60, ground + 10, cx + 60, ground + 90], fill="#4a4a3f")
    draw.rectangle([cx - 40, ground - 30, cx + 40, ground + 40], fill="#5e5a48")


def _river(draw: ImageDraw.ImageDraw, cx: int, ground: int) -> None:
    draw.rectangle([cx - 400, ground + 5, cx + 400, ground + 60], fill="#8fb4c8")


TOUR = {  # file → (drawing); the site file names the scenes and the ways between them
    "cong-den-360.jpg": lambda: _panorama(("#9cc3d9", "#f3dfc1"), ("#b5a77f", "#8c7d55"), _gate, _river),
    "san-den-360.jpg": lambda: _panorama(("#a9c9dc", "#f6e6c8"), ("#c9b98f", "#9b8a5f"), _temple_front, _gate),
}
# The overview video's subtitles: what the picture shows, in the guide's three languages.
SUBTITLES = {
    "vi": ["Đền Xã Tắc bên sông Ka Long, phường Ka Long, Móng Cái.", "Hình minh hoạ, không phải cảnh quay thật."],
    "en": ["Xã Tắc Temple by the Ka Long River, Ka Long ward, Móng Cái.", "An illustration, not filmed footage."],
    "zh": ["社稷庙，位于芒街市加龙坊，北仑河（越方称加龙河）岸边。", "示意图，并非实拍画面。"],
}
VIDEO_SECONDS = 8


def make_tour(media_dir: Path) -> list[Path]:
    written = []
    for name, draw in TOUR.items():
        path = media_dir / TOUR_SLUG / name
        draw().save(path, "JPEG", quality=80, optimize=True)
        written.append(path)
    return written


def make_video(media_dir: Path) -> list[Path]:
    """An 8 s 720p clip panning across the site's illustration, with its narration's first seconds, and a WebVTT
    file per language (needs ffmpeg)."""
    folder = media_dir / TOUR_SLUG
    target = folder / "gioi-thieu.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-loop", "1", "-i", str(folder / "illustration.jpg"),
                    "-i", str(folder / "thuyet-minh-vi.mp3"), "-t", str(VIDEO_SECONDS),
                    "-vf", "scale=1920:-2,crop=1280:720:x='(in_w-1280)*t/8':y=(in_h-720)/2,format=yuv420p",
                    "-r", "25", "-c:v", "libx264", "-preset", "slow", "-crf", "30", "-c:a", "aac", "-b:a", "64k",
                    "-map_metadata", "-1", "-movflags", "+faststart", str(target)], check=True)
    written = [target]
    for language, lines in SUBTITLES.items():
        half = VIDEO_SECONDS / len(lines)
        cues = [f"00:00:{index * half:06.3f} --> 00:00:{(index + 1) * half:06.3f}\n{line}" for index, line in enumerate(lines)]
        path = folder / f"phu-de-{language}.vtt"
        path.write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------- narration audio


def audio_tools_present() -> bool:
    return all(shutil.which(tool) for tool in ("espeak-ng", "lame"))


def _strip_vietnamese_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def narration_text(site: dict, lang: str) -> str:
    """What is spoken: the site's name, then its summary."""
    name = site["name"][lang].strip()
    summary = " ".join(site["summary"][lang].split())
    if lang == "zh":
        # years are read digit by digit in Chinese (二〇二二年), not as a quantity
        summary = re.sub(r"(\d{4})年", lambda m: "".join("〇一二三四五六七八九"[int(d)] for d in m[1]) + "年", summary)
        return f"{name}。{summary}"
    if lang == "en":
        # the English voice spells out letters such as "ầ" one by one; "Tran Hung Dao" reads well
        name, summary = _strip_vietnamese_marks(name), _strip_vietnamese_marks(summary)
    if lang == "vi":
        # "tháng 12/2022" is written with a slash but said "tháng 12 năm 2022"
        summary = re.sub(r"(\d{1,2})/(\d{4})", r"\1 năm \2", summary)
    return f"{name}. {summary}"


def make_audio(sites_dir: Path, media_dir: Path) -> list[Path]:
    """Speak each site's name and summary with espeak-ng and encode it with lame."""
    import yaml  # only needed here; the illustrations need Pillow alone

    written = []
    for slug in SCENES:
        site = yaml.safe_load((sites_dir / f"{slug}.yaml").read_text(encoding="utf-8"))
        for lang, (voice, filename) in VOICES.items():
            out = media_dir / slug / filename
            out.parent.mkdir(parents=True, exist_ok=True)
            speech = subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(SPEECH_RATE), "--stdin", "--stdout"],
                input=narration_text(site, lang).encode("utf-8"),
                capture_output=True,
                check=True,
            )
            subprocess.run(
                ["lame", "--quiet", *LAME_ARGS, "-", str(out)],
                input=speech.stdout,
                capture_output=True,
                check=True,
            )
            written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=Path, default=ROOT / "sites", help="folder of site YAML files")
    parser.add_argument("--media", type=Path, default=ROOT / "media", help="folder to write media into")
    parser.add_argument("--no-audio", action="store_true", help="make the illustrations only")
    args = parser.parse_args(argv)

    for path in [*make_illustrations(args.media), *make_tour(args.media)]:
        print(f"wrote {path.relative_to(args.media)}")
    if shutil.which("ffmpeg"):
        for path in make_video(args.media):
            print(f"wrote {path.relative_to(args.media)} ({path.stat().st_size // 1024} KB)")
    else:
        print("skipped the video: install ffmpeg", file=sys.stderr)
    if args.no_audio:
        return 0
    if not audio_tools_present():
        print("skipped audio: install espeak-ng and lame (apt-get install espeak-ng lame)", file=sys.stderr)
        return 0
    for path in make_audio(args.sites, args.media):
        print(f"wrote {path.relative_to(args.media)} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
