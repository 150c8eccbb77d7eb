"""How the media stage reads a volunteer's file, shared by its photos, videos and panoramas: only by the decoder its
name promises, and only within the limits of model.py, bytes checked before anything is read and pixels from
the header before anything is decoded."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from ..messages import say
from ..source.model import IMAGE_FORMATS, MAX_IMAGE_PIXELS

OUTPUT_FOLDER = "media"  # where every published media file goes, under the site root
MB = 1024 * 1024
register_heif_opener()  # iPhones' HEIC photos, read with libheif (their orientation applied, their EXIF dropped as for JPEG)
# Pillow warns from 89 megapixels on; pictures are refused from MAX_IMAGE_PIXELS on, with a message of ours.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class Unusable(ValueError):
    """A media file the guide will not publish, and why, with what to do, in the volunteer's language."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    path: str  # relative to the site root


def check_bytes(source: Path, limit: int, advice: str) -> None:
    size = source.stat().st_size
    if size > limit:
        raise Unusable(say("it is {size} MB; the limit is {limit} MB: {advice}",
                           size=math.ceil(size / MB), limit=limit // MB, advice=say(advice)))


def check_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise Unusable(say("it is {width} × {height} pixels ({megapixels} megapixels); the limit is {limit} "
                           "megapixels: resize it (2000 pixels wide is plenty for the guide)", width=width,
                           height=height, megapixels=math.ceil(width * height / 1e6), limit=MAX_IMAGE_PIXELS // 1_000_000))


def open_image(source: Path) -> Image.Image:
    """The picture, header read, by the decoder of an accepted format only; its format must be the one
    its name says and its size within the limit before a pixel is decoded."""
    formats = sorted(set(IMAGE_FORMATS.values()))
    try:
        opened = Image.open(source, formats=formats)
    except UnidentifiedImageError:
        raise Unusable(say("it is not a JPEG, PNG, WebP or HEIC picture (only these are read); save it again as "
                           "JPEG or PNG")) from None
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours: the header says more
        raise Unusable(say("it has more than {limit} megapixels; resize it (2000 pixels wide is plenty for the "
                           "guide)", limit=MAX_IMAGE_PIXELS // 1_000_000)) from None
    found = "JPEG" if opened.format == "MPO" else opened.format  # a camera's JPEG with a second picture in it
    if found != IMAGE_FORMATS[source.suffix.lower()]:
        opened.close()
        right = next(suffix for suffix, name in IMAGE_FORMATS.items() if name == found)
        raise Unusable(say("it is a {found} picture, but its name ends in '{suffix}'; rename it to end in '{right}'",
                           found=found, suffix=source.suffix, right=right))
    try:
        check_pixels(*opened.size)
    except Unusable:
        opened.close()
        raise
    return opened
