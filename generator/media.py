"""Media stage: photos → responsive, metadata-free, content-hashed variants; audio → hashed copies.

Every output name carries a hash of its input, so files can be cached for ever by browsers and
re-encoding is skipped when the source has not changed (a cache folder keyed by the same hash).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import mutagen
from mutagen import MutagenError
from PIL import Image, ImageOps, UnidentifiedImageError

from .cache import FileDigests
from .files import write_atomically
from .load import Guide, field_name
from .messages import mark, say
from .problems import GuideError, Problem

# 1200 serves 390 px phones at 3x; a 1600 variant cost 40 % of the encoding time and served no phone.
WIDTHS = (480, 960, 1200)
FALLBACK_WIDTH = 960  # the JPEG for browsers without WebP
WEBP_QUALITY = 72
JPEG_QUALITY = 78
PIPELINE = f"v1-{WIDTHS}-{FALLBACK_WIDTH}-{WEBP_QUALITY}-{JPEG_QUALITY}"
OUTPUT_FOLDER = "media"


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    path: str  # relative to the site root


@dataclass(frozen=True)
class RenderedImage:
    width: int
    height: int
    webp: tuple[Variant, ...]
    jpeg: Variant

    @property
    def largest(self) -> Variant:
        return self.webp[-1]


@dataclass(frozen=True)
class RenderedAudio:
    path: str
    size: int
    seconds: float


def _digest(source: Path, digests: FileDigests) -> str:
    """Names the variants: the source's content and the encoding settings, nothing else."""
    return hashlib.sha256(f"{digests.of(source)}-{PIPELINE}".encode()).hexdigest()[:12]


def _widths(original: int) -> list[int]:
    return sorted({w for w in WIDTHS if w < original} | {min(original, WIDTHS[-1])})


def _encode_image(source: Path, key: str, cache: Path) -> RenderedImage:
    """Decode, orient, strip metadata and write every variant into `cache`."""
    with Image.open(source) as opened:
        opened.load()
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    webp = []
    for width in _widths(picture.width):
        height = round(picture.height * width / picture.width)
        name = f"{key}-{width}.webp"
        variant = picture.resize((width, height), Image.Resampling.LANCZOS)
        write_atomically(cache / name, lambda path, variant=variant: variant.save(
            path, "WEBP", quality=WEBP_QUALITY, method=4))
        webp.append(Variant(width, height, f"{OUTPUT_FOLDER}/{name}"))
    fallback = max((v for v in webp if v.width <= FALLBACK_WIDTH), key=lambda v: v.width, default=webp[0])
    jpeg_name = f"{key}-{fallback.width}.jpg"
    small = picture.resize((fallback.width, fallback.height), Image.Resampling.LANCZOS)
    write_atomically(cache / jpeg_name, lambda path: small.save(
        path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True))
    jpeg = Variant(fallback.width, fallback.height, f"{OUTPUT_FOLDER}/{jpeg_name}")
    return RenderedImage(picture.width, picture.height, tuple(webp), jpeg)


def render_image(source: Path, cache: Path, digests: FileDigests) -> RenderedImage:
    """The variants of one image, from the cache when its content was seen before."""
    cache.mkdir(parents=True, exist_ok=True)
    key = _digest(source, digests)
    manifest = cache / f"{key}.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        rendered = RenderedImage(
            data["width"], data["height"],
            tuple(Variant(**v) for v in data["webp"]), Variant(**data["jpeg"]),
        )
        if all((cache / Path(v.path).name).is_file() for v in (*rendered.webp, rendered.jpeg)):
            return rendered
    rendered = _encode_image(source, key, cache)
    write_atomically(manifest, lambda path: path.write_text(json.dumps(asdict(rendered))))
    return rendered


def render_audio(source: Path, cache: Path, digests: FileDigests) -> RenderedAudio:
    """A hashed copy, with the duration the player shows before anything is downloaded."""
    name = f"{_digest(source, digests)}-{source.name}"
    manifest = cache / f"{name}.json"
    if manifest.is_file() and (cache / name).is_file():
        return RenderedAudio(**json.loads(manifest.read_text()))
    audio = mutagen.File(source)
    if audio is None or not getattr(audio.info, "length", 0):
        raise ValueError(say("not a readable audio file"))
    write_atomically(cache / name, lambda path: shutil.copyfile(source, path))
    rendered = RenderedAudio(f"{OUTPUT_FOLDER}/{name}", source.stat().st_size, float(audio.info.length))
    write_atomically(manifest, lambda path: path.write_text(json.dumps(asdict(rendered))))
    return rendered


MediaIndex = dict[str, RenderedImage | RenderedAudio]


def render_media(guide: Guide, cache: Path, digests: FileDigests) -> MediaIndex:
    """Render every image and audio file the sites use into the cache; keyed by media path."""
    cache.mkdir(parents=True, exist_ok=True)
    media_root = guide.project.media_dir
    jobs: dict[str, tuple[str, tuple]] = {}  # media path → (kind, where it is named first)
    for entry in guide.files:
        for index, image in enumerate(entry.site.images):
            jobs.setdefault(image.file, ("image", (entry, ("images", index, "file"))))
        for language, audio in entry.site.audio.items():
            jobs.setdefault(audio, ("audio", (entry, ("audio", language))))

    def run(item: tuple[str, tuple[str, tuple]]) -> tuple[str, RenderedImage | RenderedAudio | Problem]:
        path, (kind, (entry, field)) = item
        try:
            if kind == "audio":
                return path, render_audio(media_root / path, cache, digests)
            return path, render_image(media_root / path, cache, digests)
        except (UnidentifiedImageError, OSError, ValueError, MutagenError, Image.DecompressionBombError) as error:
            line, column = entry.located.position(field)
            reason = say("not a readable image") if isinstance(error, UnidentifiedImageError) else str(error)
            advice = mark("media/{path} cannot be used: {reason}; save it again as JPEG or PNG") if kind == "image" \
                else mark("media/{path} cannot be used: {reason}; save it again as MP3")
            return path, Problem(entry.path, line, column, field_name(field), say(advice, path=path, reason=reason))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = dict(pool.map(run, sorted(jobs.items())))
    digests.save()
    problems = [r for r in results.values() if isinstance(r, Problem)]
    if problems:
        raise GuideError(problems)
    return {path: rendered for path, rendered in results.items() if not isinstance(rendered, Problem)}


def media_files(index: MediaIndex, cache: Path) -> dict[str, Path]:
    """Every published media file (site path → its cache entry), for linking into the output."""
    files: dict[str, Path] = {}
    for rendered in index.values():
        outputs = (*rendered.webp, rendered.jpeg) if isinstance(rendered, RenderedImage) else (rendered,)
        files.update({variant.path: cache / Path(variant.path).name for variant in outputs})
    return files
