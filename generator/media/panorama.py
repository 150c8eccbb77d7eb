"""VR360 stage: an equirectangular photo → what Pannellum shows, and a flat preview the page shows first.

Phones' graphics chips draw textures of at most 4096 pixels a side (many no more), so a panorama up to
4096 wide is published as one equirectangular picture (Pannellum's `equirectangular` type), and a wider
one as six cube faces of at most 4096 (its `cubemap` type): one pixel of a face covers about what one
pixel of the photo did, and no phone is asked for a texture it cannot hold.

Pannellum's cube (2.5.6, src/js/libpannellum.js and doc/json-config-parameters.md): `cubeMap` lists the
faces front, right, back, left, up, down, uploaded as the WebGL cube map faces +z, +x, -z, -x, +y, -y;
its shader looks up direction (cos φ sin λ, sin φ, cos φ cos λ) for yaw λ (to the right) and pitch φ
(up), and the equirectangular shader puts λ = 0 in the middle column, λ growing to the right, φ = 90°
on the top row. Each face is an OpenGL cube map face (its first row at t = 0): seen from inside, upright
with the viewer's right on the right for the four around; the up face has the front at its bottom, the
down face the front at its top.

Faces are drawn by inverse mapping (each face pixel → its direction → the photo), sampled bilinearly,
a band of rows at a time, so memory stays near the size of the decoded photo.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..cache import FileDigests
from ..files import write_atomically
from ..messages import mark, say
from ..source.model import IMAGE_FORMATS
from .reading import MB, OUTPUT_FOLDER, Unusable, Variant, check_bytes

# Limits of a panorama (README states them): 72-megapixel 360° cameras are accepted, memory stays under 700 MB.
MAX_PANORAMA_BYTES = 60 * MB
MAX_PANORAMA_PIXELS = 12288 * 6144
MAX_TEXTURE = 4096  # pixels a side: what phones' graphics chips draw
ASPECT_TOLERANCE = 0.01  # of 2:1
WEBP_QUALITY = 80
PREVIEW_WIDTH = 960
# The faces as Pannellum's `cubeMap` lists them, each as (looking towards, right in the picture, up in the picture).
FACES = {
    "front": ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
    "right": ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
    "back": ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
    "left": ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
    "up": ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
    "down": ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
}
CHUNK_PIXELS = 1 << 19  # face pixels mapped at once: about 60 MB of working arrays
PANORAMA_PIPELINE = f"v1-{MAX_TEXTURE}-webp{WEBP_QUALITY}-bilinear-{PREVIEW_WIDTH}"
PANORAMA_ADVICE = mark("save it as JPEG at quality 85 (8000 pixels wide is plenty)")


@dataclass(frozen=True)
class RenderedPanorama:
    kind: str  # Pannellum's `type`: "equirectangular" or "cubemap"
    paths: tuple[str, ...]  # one picture, or six faces in Pannellum's order: front, right, back, left, up, down
    width: int  # of the picture, or of one face
    height: int
    preview: Variant  # flat, shown until the visitor opens the viewer
    size: int  # bytes of everything the viewer loads, shown before the visitor taps

    @property
    def outputs(self) -> list[str]:
        """The site paths it was published as: what the viewer loads, and the flat preview."""
        return [*self.paths, self.preview.path]

    def pannellum(self, address: Callable[[str], str] = str) -> dict[str, object]:
        """The scene's image settings for Pannellum, each site path given as `address` makes it (a page's
        relative address; by default the path from the site root)."""
        if self.kind == "cubemap":
            return {"type": "cubemap", "cubeMap": [address(path) for path in self.paths]}
        return {"type": "equirectangular", "panorama": address(self.paths[0])}


def _shown_size(opened: Image.Image) -> tuple[int, int]:
    """The size once the camera's orientation tag is applied, read from the header."""
    width, height = opened.size
    return (height, width) if opened.getexif().get(0x0112) in (5, 6, 7, 8) else (width, height)


def _open(source: Path) -> Image.Image:
    """The photo decoded by the one decoder its name promises, within the limits and 2:1, checked from the
    header before a pixel is decoded (its bytes were checked before it was read)."""
    expected = IMAGE_FORMATS.get(source.suffix.lower())
    try:
        opened = Image.open(source, formats=[expected] if expected else [])
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise Unusable(say("it is not a JPEG, PNG or WebP picture that can be read (only these are, by the name "
                           "their file ends in); save it again as JPEG")) from None
    width, height = _shown_size(opened)
    if width * height > MAX_PANORAMA_PIXELS:
        opened.close()
        raise Unusable(say("it is {width} × {height} pixels ({megapixels} megapixels); a panorama may have at most "
                           "{limit} megapixels: resize it to 8000 × 4000", width=width, height=height,
                           megapixels=math.ceil(width * height / 1e6), limit=MAX_PANORAMA_PIXELS // 1_000_000))
    if abs(width / height - 2) > 2 * ASPECT_TOLERANCE:
        opened.close()
        raise Unusable(say("it is {width} × {height} pixels, but a 360° panorama is exactly twice as wide as high "
                           "(equirectangular, e.g. 8000 × 4000); export the whole sphere from the camera's app, "
                           "not a crop", width=width, height=height))
    try:
        opened.load()
    except (OSError, SyntaxError, ValueError) as error:
        opened.close()
        raise Unusable(say("the picture cannot be read to the end (the file is damaged or was not copied "
                           "completely); copy it again, or save it again as JPEG")) from error
    ImageOps.exif_transpose(opened, in_place=True)
    picture = opened if opened.mode == "RGB" else opened.convert("RGB")
    picture.info.clear()  # the camera's metadata (its GPS position among it) is never published
    return picture


def face_size(width: int) -> int:
    """A quarter of the photo's width (a face spans a quarter of the horizon), at most MAX_TEXTURE."""
    return min(width // 4, MAX_TEXTURE)


def _face(photo: np.ndarray, axes: tuple[tuple[int, int, int], ...], size: int) -> np.ndarray:
    """One cube face: each pixel's direction looked up in the equirectangular photo, bilinearly."""
    height, width = photo.shape[:2]
    flat = photo.reshape(-1, 3)
    forward, right, up = (np.array(axis, dtype=np.float32) for axis in axes)
    across = (np.arange(size, dtype=np.float32) + 0.5) * (2 / size) - 1  # pixel centres, -1 … 1
    face = np.empty((size, size, 3), dtype=np.uint8)
    rows = max(1, CHUNK_PIXELS // size)
    for top in range(0, size, rows):
        down = across[top:top + rows, None]  # picture rows go down: up = -down
        x, y, z = (forward[i] + across[None, :] * right[i] - down * up[i] for i in range(3))
        longitude = np.arctan2(x, z)
        latitude = np.arctan2(y, np.hypot(x, z))
        column = (longitude / (2 * np.pi) + 0.5) * width - 0.5
        row = (0.5 - latitude / np.pi) * height - 0.5
        left, upper = np.floor(column), np.floor(row)
        across_weight, down_weight = (column - left)[..., None], (row - upper)[..., None]
        left = left.astype(np.int64) % width  # round the back seam
        right_column = (left + 1) % width
        upper_row = np.clip(upper.astype(np.int64), 0, height - 1) * width
        lower_row = np.clip(upper.astype(np.int64) + 1, 0, height - 1) * width
        top_pixels = flat[upper_row + left] * (1 - across_weight) + flat[upper_row + right_column] * across_weight
        bottom_pixels = flat[lower_row + left] * (1 - across_weight) + flat[lower_row + right_column] * across_weight
        face[top:top + rows] = np.rint(top_pixels * (1 - down_weight) + bottom_pixels * down_weight).astype(np.uint8)
    return face


def _pixels(photo: Image.Image) -> np.ndarray:
    """The photo as an array, copied a band at a time (at once, Pillow's bytes would be a third copy)."""
    pixels = np.empty((photo.height, photo.width, 3), dtype=np.uint8)
    for top in range(0, photo.height, 256):
        pixels[top:top + 256] = np.asarray(photo.crop((0, top, photo.width, min(top + 256, photo.height))))
    return pixels


def _save(picture: Image.Image, target: Path) -> int:
    write_atomically(target, lambda path: picture.save(path, "WEBP", quality=WEBP_QUALITY, method=4))
    return target.stat().st_size


def _preview(photo: Image.Image, key: str, cache: Path) -> Variant:
    """The middle of the view the viewer opens on: 120° of the horizon, 16:9, at most PREVIEW_WIDTH wide."""
    width, height = photo.size
    crop_width = width // 3
    crop_height = crop_width * 9 // 16
    box = ((width - crop_width) // 2, (height - crop_height) // 2)
    band = photo.crop((*box, box[0] + crop_width, box[1] + crop_height))
    size = (min(PREVIEW_WIDTH, crop_width), round(min(PREVIEW_WIDTH, crop_width) * crop_height / crop_width))
    name = f"{key}-preview.webp"
    _save(band.resize(size, Image.Resampling.LANCZOS), cache / name)
    return Variant(*size, f"{OUTPUT_FOLDER}/{name}")


def _encode(source: Path, key: str, cache: Path) -> RenderedPanorama:
    photo = _open(source)
    preview = _preview(photo, key, cache)
    if photo.width <= MAX_TEXTURE:
        width = photo.width - photo.width % 2
        name = f"{key}-equirectangular.webp"
        size = _save(photo.resize((width, width // 2), Image.Resampling.LANCZOS) if photo.size != (width, width // 2)
                     else photo, cache / name)
        return RenderedPanorama("equirectangular", (f"{OUTPUT_FOLDER}/{name}",), width, width // 2, preview, size)
    pixels = _pixels(photo)
    del photo  # from here on the decoded photo is held once, as the array
    side, paths, total = face_size(pixels.shape[1]), [], 0
    for face, axes in FACES.items():
        name = f"{key}-{face}.webp"
        total += _save(Image.fromarray(_face(pixels, axes, side)), cache / name)
        paths.append(f"{OUTPUT_FOLDER}/{name}")
    return RenderedPanorama("cubemap", tuple(paths), side, side, preview, total)


def render_panorama(source: Path, cache: Path, digests: FileDigests) -> RenderedPanorama:
    """What the viewer loads for one panorama, from the cache when its content was seen before."""
    cache.mkdir(parents=True, exist_ok=True)
    check_bytes(source, MAX_PANORAMA_BYTES, PANORAMA_ADVICE)
    key = hashlib.sha256(f"{digests.of(source)}-{PANORAMA_PIPELINE}".encode()).hexdigest()[:12]
    manifest = cache / f"{key}.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        rendered = RenderedPanorama(data["kind"], tuple(data["paths"]), data["width"], data["height"],
                                    Variant(**data["preview"]), data["size"])
        if all((cache / Path(path).name).is_file() for path in (*rendered.paths, rendered.preview.path)):
            return rendered
    rendered = _encode(source, key, cache)
    write_atomically(manifest, lambda path: path.write_text(json.dumps(asdict(rendered))))
    return rendered
