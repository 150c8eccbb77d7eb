"""Media stage: photos → responsive, metadata-free, content-hashed variants; audio → hashed copies.

Every output name carries a hash of its input, so files can be cached for ever by browsers and
re-encoding is skipped when the source has not changed (a cache folder keyed by the same hash).

Volunteers' files are decoded only by the decoder their name promises (Pillow would otherwise pick one
by content, Ghostscript for a `.jpg` holding PostScript), and only within the limits of model.py: bytes
are checked before anything is read, pixels and duration from the header before anything is decoded.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mutagen import FileType, MutagenError
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from PIL import Image, ImageOps, UnidentifiedImageError

from ..cache import FileDigests
from ..files import write_atomically
from ..messages import mark, say
from ..problems import GuideError, Problem
from ..source.load import Guide, SiteFile, field_name
from ..source.model import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS, MAX_IMAGE_BYTES, Video
from ..source.yamlsource import FieldPath
from . import panorama, video
from .reading import OUTPUT_FOLDER, Unusable, Variant, check_bytes, check_pixels, open_image

# With the exact `sizes` of templates/figure.html: 720 for 360 px phones at 2x (cheap Android phones,
# and Lighthouse's emulated phone: the plaque address at 1,000 sites reached 100 only with it), 960 for
# 390 px phones at 3x (2.5 image pixels per CSS pixel, sharp to the eye). A 1200 variant (88 KB against
# 50 KB) alone put a 3x phone's first visit of a site page over its 150 KB budget; 1600 served no phone.
WIDTHS = (480, 720, 960)
FALLBACK_WIDTH = 960  # the JPEG for browsers without WebP
WEBP_QUALITY = 72
JPEG_QUALITY = 78
# v2: metadata (JPEG comments) no longer copied into the variants; decoders chosen by the file name.
PIPELINE = f"v2-{WIDTHS}-{FALLBACK_WIDTH}-{WEBP_QUALITY}-{JPEG_QUALITY}"
# Each audio suffix → the only parsers its files are given (Ogg holds Vorbis or Opus).
AUDIO_FORMATS: dict[str, tuple[str, tuple[type[FileType], ...]]] = {
    ".mp3": ("MP3", (MP3,)),
    ".m4a": ("M4A", (MP4,)),
    ".ogg": ("Ogg", (OggVorbis, OggOpus)),
}


@dataclass(frozen=True)
class RenderedImage:
    width: int
    height: int
    webp: tuple[Variant, ...]
    jpeg: Variant

    @property
    def largest(self) -> Variant:
        return self.webp[-1]

    @property
    def outputs(self) -> list[str]:
        """The site paths it was published as."""
        return [variant.path for variant in (*self.webp, self.jpeg)]


@dataclass(frozen=True)
class RenderedAudio:
    path: str
    size: int
    seconds: float

    @property
    def outputs(self) -> list[str]:
        return [self.path]


def _digest(source: Path, digests: FileDigests) -> str:
    """Names the variants: the source's content and the encoding settings, nothing else."""
    return hashlib.sha256(f"{digests.of(source)}-{PIPELINE}".encode()).hexdigest()[:12]


def _widths(original: int) -> list[int]:
    return sorted({w for w in WIDTHS if w < original} | {min(original, WIDTHS[-1])})


IMAGE_ADVICE = mark("save it smaller (2000 pixels wide, JPEG quality 85, is plenty for the guide)")


def _encode_image(source: Path, key: str, cache: Path) -> RenderedImage:
    """Decode, orient, strip metadata and write every variant into `cache`."""
    with open_image(source) as opened:
        try:
            opened.load()
        except (OSError, SyntaxError, ValueError) as error:  # truncated, corrupt: Pillow's words are no help
            raise Unusable(say("the picture cannot be read to the end (the file is damaged or was not copied "
                               "completely); copy it again, or save it again as JPEG")) from error
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    picture.info.clear()  # what the photo carried (JPEG comments, EXIF, XMP) is never published
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
    check_bytes(source, MAX_IMAGE_BYTES, IMAGE_ADVICE)
    key = _digest(source, digests)
    manifest = cache / f"{key}.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        rendered = RenderedImage(
            data["width"], data["height"],
            tuple(Variant(**v) for v in data["webp"]), Variant(**data["jpeg"]),
        )
        if all((cache / Path(v.path).name).is_file() for v in (*rendered.webp, rendered.jpeg)):
            check_pixels(rendered.width, rendered.height)
            return rendered
    rendered = _encode_image(source, key, cache)
    write_atomically(manifest, lambda path: path.write_text(json.dumps(asdict(rendered))))
    return rendered


def url_safe_name(name: str) -> str:
    """A file name that needs no escaping in an address: accents dropped, and any run of characters but
    A-Z, a-z, 0-9, '_' and '-' (spaces, '#', '%', '?' among them) made one '-'; a name of only those is kept."""
    stem, suffix = os.path.splitext(name)
    plain = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    return (re.sub(r"[^A-Za-z0-9_-]+", "-", plain).strip("-") or "audio") + suffix.lower()


AUDIO_ADVICE = mark("save it at a lower bit rate (64 kbit/s is plenty for speech)")


def _audio_length(source: Path) -> float:
    """The duration, read by the parser of the format the name says (and only by it)."""
    kind, parsers = AUDIO_FORMATS[source.suffix.lower()]
    for parser in parsers:
        try:
            length = float(parser(source).info.length)
        except (MutagenError, OSError, ValueError, EOFError):
            continue
        if length > 0:
            return length
    raise Unusable(say("it is not a readable {kind} file (the name says {kind}); save it again as MP3", kind=kind))


def _check_seconds(seconds: float) -> None:
    if seconds > MAX_AUDIO_SECONDS:
        raise Unusable(say("it lasts {minutes} minutes; a narration may last at most {limit} minutes: shorten it",
                           minutes=math.ceil(seconds / 60), limit=MAX_AUDIO_SECONDS // 60))


def render_audio(source: Path, cache: Path, digests: FileDigests) -> RenderedAudio:
    """A hashed copy, with the duration the player shows before anything is downloaded."""
    check_bytes(source, MAX_AUDIO_BYTES, AUDIO_ADVICE)
    name = f"{_digest(source, digests)}-{url_safe_name(source.name)}"
    manifest = cache / f"{name}.json"
    if manifest.is_file() and (cache / name).is_file():
        rendered = RenderedAudio(**json.loads(manifest.read_text()))
        _check_seconds(rendered.seconds)
        return rendered
    seconds = _audio_length(source)
    _check_seconds(seconds)
    write_atomically(cache / name, lambda path: shutil.copyfile(source, path))
    rendered = RenderedAudio(f"{OUTPUT_FOLDER}/{name}", source.stat().st_size, seconds)
    write_atomically(manifest, lambda path: path.write_text(json.dumps(asdict(rendered))))
    return rendered


MediaIndex = dict[str, "RenderedImage | RenderedAudio | video.RenderedVideo | panorama.RenderedPanorama"]


def tour_key(path: str) -> str:
    """A panorama's entry in the media index: apart from the same file shown as a photo."""
    return f"360:{path}"


def video_key(shown: Video) -> str:
    """A video's entry in the media index: the film with its poster and subtitles (two sites may share a film)."""
    return f"video:{shown.file}|{shown.poster}|{sorted(shown.subtitles.items())}"


class Misplaced(Exception):
    """Files a job names besides its own (a video's poster or subtitles) that cannot be used: (field, file, why)."""

    def __init__(self, found: list[tuple[FieldPath, str, str]]) -> None:
        super().__init__("; ".join(reason for _field, _path, reason in found))
        self.found = found


PANORAMAS_AT_ONCE = threading.BoundedSemaphore(2)  # each may hold 0.5-0.7 GB while its faces are mapped


def render_media(guide: Guide, cache: Path, digests: FileDigests) -> MediaIndex:
    """Render every image, recording, video and panorama the sites use into the cache; keyed by media path
    (panoramas by `tour_key`, videos by `video_key`)."""
    cache.mkdir(parents=True, exist_ok=True)
    media_root = guide.project.media_dir
    jobs: dict[str, tuple[str, SiteFile, FieldPath, Any]] = {}  # media key → (kind, where it is named first, what)
    for entry in guide.files:
        site = entry.site
        for index, image in enumerate(site.images):
            jobs.setdefault(image.file, ("image", entry, ("images", index, "file"), image.file))
        for language, audio in site.audio.items():
            jobs.setdefault(audio, ("audio", entry, ("audio", language), audio))
        if site.video:
            jobs.setdefault(video_key(site.video), ("video", entry, ("video", "file"), site.video))
        for index, scene in enumerate(site.panoramas):
            jobs.setdefault(tour_key(scene.file), ("panorama", entry, ("panoramas", index, "file"), scene.file))

    def render_video(shown: Video) -> object:
        """The film, once its subtitles and poster were read on their own: each problem is named where it is."""
        steps: list[tuple[FieldPath, str, Callable[[], object]]] = [
            (("video", "subtitles", language), file,
             lambda file=file, language=language: video.read_subtitles(media_root / file, language))
            for language, file in shown.subtitles.items()]
        if shown.poster:
            steps.append((("video", "poster"), shown.poster, lambda: open_image(media_root / shown.poster).load()))
        found = []
        for field, file, step in steps:
            try:
                step()
            except (Unusable, OSError, ValueError, SyntaxError) as error:
                found.append((field, file, str(error)))
        if found:
            raise Misplaced(found)
        return video.render_video(
            media_root / shown.file, cache, digests, guide.settings.video_height,
            {language: media_root / file for language, file in shown.subtitles.items()},
            media_root / shown.poster if shown.poster else None)

    def render(kind: str, what: Any) -> object:
        if kind == "audio":
            return render_audio(media_root / what, cache, digests)
        if kind == "video":
            return render_video(what)
        if kind == "panorama":
            with PANORAMAS_AT_ONCE:
                return panorama.render_panorama(media_root / what, cache, digests)
        return render_image(media_root / what, cache, digests)

    def run(item: tuple[str, tuple[str, SiteFile, FieldPath, Any]]) -> tuple[str, object]:
        key, (kind, entry, field, what) = item
        shown = what.file if kind == "video" else what
        try:
            return key, render(kind, what)
        except Misplaced as error:
            return key, [Problem(entry.path, *entry.located.position(place), field_name(place),
                                 say("media/{path} cannot be used: {reason}", path=file, reason=reason))
                         for place, file, reason in error.found]
        except Unusable as error:
            line, column = entry.located.position(field)
            return key, Problem(entry.path, line, column, field_name(field),
                                say("media/{path} cannot be used: {reason}", path=shown, reason=error))
        except (UnidentifiedImageError, OSError, ValueError, MutagenError, Image.DecompressionBombError) as error:
            line, column = entry.located.position(field)
            reason = say("not a readable image") if isinstance(error, UnidentifiedImageError) else str(error)
            return key, Problem(entry.path, line, column, field_name(field), say(FALLBACK_ADVICE[kind], path=shown,
                                                                                 reason=reason))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # each job in this run's message language
        results = dict(future.result() for future in [pool.submit(copy_context().run, run, job) for job in sorted(jobs.items())])
    digests.save()
    problems = [problem for result in results.values() for problem in (result if isinstance(result, list) else [result])
                if isinstance(problem, Problem)]
    if problems:
        raise GuideError(problems)
    return results


# What to do with a file that failed in a way no check of ours names, by the kind of file it is.
FALLBACK_ADVICE = {
    "image": mark("media/{path} cannot be used: {reason}; save it again as JPEG or PNG"),
    "panorama": mark("media/{path} cannot be used: {reason}; save it again as JPEG or PNG"),
    "audio": mark("media/{path} cannot be used: {reason}; save it again as MP3"),
    "video": mark("media/{path} cannot be used: {reason}; export it again as MP4 (H.264)"),
}


def media_files(index: MediaIndex, cache: Path) -> dict[str, Path]:
    """Every published media file (site path → its cache entry), for linking into the output."""
    return {path: cache / Path(path).name for rendered in index.values() for path in rendered.outputs}
