"""Video stage: a site's overview video → one small H.264/AAC MP4 that starts playing before it is all loaded,
a WebP poster, and WebVTT subtitles.

Phones record 1080p or 4K at 15–40 Mbit/s; a visitor on a mobile connection wants 480p at about 1 Mbit/s.
The video is converted once by Debian's `ffmpeg` (a separate process: a crash or a hostile file cannot take
the build down), under a name that carries a hash of its content and of the settings, so browsers cache it
for ever and a manifest in the cache folder means a second build converts nothing.

Files are read only as what their name says: ffprobe and ffmpeg are told the container (`-f mov`, which is
MP4, MOV and M4V), so a file named .mp4 holding a playlist or a picture is never probed as such, and
metadata (the phone's GPS position above all) is never copied into the published video.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import subprocess
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageOps

from ..cache import FileDigests
from ..files import write_atomically
from ..messages import mark, say
from ..source.model import MAX_IMAGE_BYTES, SUBTITLE_SUFFIXES, VIDEO_SUFFIXES
from .reading import MB, OUTPUT_FOLDER, Unusable, check_bytes, open_image

# Limits of an overview video (README states them): a few minutes is what a visitor watches at a gate.
MAX_VIDEO_BYTES = 500 * MB
MAX_VIDEO_SECONDS = 10 * 60
MAX_VIDEO_SIZE = (3840, 2160)  # 4K
MAX_VIDEO_PIXELS = MAX_VIDEO_SIZE[0] * MAX_VIDEO_SIZE[1]  # either way up
MAX_SUBTITLE_BYTES = 1 * MB
HEIGHTS = (480, 720)  # of the shorter side: 480p by default, 720p as a setting
MAX_FRAME_RATE = 30  # phones record 60 frames a second; a guide's video needs no more than 30
CRF = 27
AUDIO_BITRATE = "96k"
POSTER_QUALITY = 72
VIDEO_PIPELINE = f"v2-libx264-1thread-high-veryfast-crf{CRF}-fps{MAX_FRAME_RATE}-aac{AUDIO_BITRATE}-faststart"
POSTER_PIPELINE = f"v1-webp{POSTER_QUALITY}"
SUBTITLE_PIPELINE = "v1-webvtt"
FFMPEG, FFPROBE = "ffmpeg", "ffprobe"
PROBE_TIMEOUT = 60  # seconds
VIDEO_ADVICE = mark("export it again at 1080p or lower (any phone or video editor can), or shorten it")
POSTER_ADVICE = mark("save it smaller (the video's own size is plenty)")
SUBTITLE_ADVICE = mark("split the video's subtitles, or remove what is not subtitles")
NOT_INSTALLED = mark("ffmpeg is not installed, so videos cannot be prepared; run: bash setup.sh build "
                     "(or install the Debian package ffmpeg)")


@dataclass(frozen=True)
class Probed:
    """What the container says about a video, before a frame is decoded."""

    seconds: float
    width: int  # as shown: the phone's rotation and the pixel shape applied
    height: int
    video_stream: int
    audio_stream: int | None
    audio_channels: int


@dataclass(frozen=True)
class RenderedVideo:
    path: str  # relative to the site root: media/<hash>.mp4
    poster: str  # media/<hash>-poster.webp, the video's frame size
    width: int
    height: int
    seconds: float
    size: int  # bytes, shown before the visitor taps play
    subtitles: dict[str, str]  # language → media/<hash>-<language>.vtt

    @property
    def outputs(self) -> list[str]:
        """The site paths it was published as: the film, its poster and each language's subtitles."""
        return [self.path, self.poster, *self.subtitles.values()]


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """A tool of Debian's ffmpeg package, without a shell; its absence said in plain words."""
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise Unusable(say(NOT_INSTALLED)) from None
    except subprocess.TimeoutExpired:  # the process is killed by then
        raise Unusable(say("ffmpeg worked on it for more than {minutes} minutes; export it again at 1080p or lower, "
                           "or shorten it", minutes=math.ceil(timeout / 60))) from None


def _input(path: Path) -> list[str]:
    """Read as MP4/MOV only, and as a file only (a name with ':' is never taken for a protocol)."""
    return ["-f", "mov", "-i", f"file:{path.resolve()}"]


def _last_line(error: bytes) -> str:
    lines = error.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else ""


def _probe_json(path: Path) -> dict:
    done = _run([FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", *_input(path)],
                PROBE_TIMEOUT)
    if done.returncode != 0:
        raise Unusable(say("it is not a video that can be read (MP4 or MOV, as phones and video editors save them); "
                           "export it again as MP4"))
    return json.loads(done.stdout or b"{}")


def _rotation(stream: dict) -> int:
    """Degrees the phone asked players to turn the picture (display matrix, or the older `rotate` tag)."""
    for side_data in stream.get("side_data_list", ()):
        if "rotation" in side_data:
            return round(float(side_data["rotation"]))
    return round(float(stream.get("tags", {}).get("rotate", 0)))


def _shown_size(stream: dict) -> tuple[int, int]:
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    aspect = re.fullmatch(r"(\d+):(\d+)", stream.get("sample_aspect_ratio", ""))
    if aspect and int(aspect[1]) and int(aspect[2]):
        width = round(width * int(aspect[1]) / int(aspect[2]))
    return (height, width) if _rotation(stream) % 180 == 90 else (width, height)


def _check_limits(probed: Probed) -> None:
    if probed.seconds > MAX_VIDEO_SECONDS:
        raise Unusable(say("it lasts {minutes} minutes; an overview video may last at most {limit} minutes: shorten it",
                           minutes=math.ceil(probed.seconds / 60), limit=MAX_VIDEO_SECONDS // 60))
    if probed.width * probed.height > MAX_VIDEO_PIXELS:
        raise Unusable(say("it is {width} × {height} pixels; the largest accepted is {largest_width} × {largest_height} "
                           "(4K): export it again at 1080p", width=probed.width, height=probed.height,
                           largest_width=MAX_VIDEO_SIZE[0], largest_height=MAX_VIDEO_SIZE[1]))


def _check_file(source: Path) -> None:
    """Name and bytes, before anything is read."""
    if source.suffix.lower() not in VIDEO_SUFFIXES:
        raise Unusable(say("only MP4 and MOV videos are read (names ending in {suffixes}); export it as MP4",
                           suffixes=", ".join(VIDEO_SUFFIXES)))
    check_bytes(source, MAX_VIDEO_BYTES, VIDEO_ADVICE)


def probe(source: Path) -> Probed:
    """The duration, shown size and streams of a video, refused (in plain words) outside the limits."""
    _check_file(source)
    data = _probe_json(source)
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)  # not a cover picture
    if video is None:
        raise Unusable(say("it holds no picture, only sound; a narration belongs under audio, a video needs pictures"))
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    seconds = float(data.get("format", {}).get("duration") or video.get("duration") or 0)
    width, height = _shown_size(video)
    if seconds <= 0 or width <= 0 or height <= 0:
        raise Unusable(say("it is not a video that can be read (MP4 or MOV, as phones and video editors save them); "
                           "export it again as MP4"))
    probed = Probed(seconds, width, height, int(video["index"]), int(audio["index"]) if audio else None,
                    int(audio.get("channels") or 2) if audio else 0)
    _check_limits(probed)
    return probed


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def output_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Scaled so the shorter side is `short_side` (480p, portrait or landscape), never enlarged; both even
    (H.264 in yuv420p needs it), the shape kept."""
    scale = min(1.0, short_side / min(width, height))
    return _even(width * scale), _even(height * scale)


def _key(*parts: str) -> str:
    return hashlib.sha256("-".join(parts).encode()).hexdigest()[:12]


def _encode(source: Path, probed: Probed, height: int, target: Path) -> None:
    """One run of ffmpeg: H.264 (high profile, yuv420p) + AAC in an MP4 whose index comes first (`faststart`),
    so a phone starts playing after the first bytes. ffmpeg turns the picture as the phone asked by default.
    One encoder thread: x264's threads made different bytes from the same file on a busy machine (1 run in 6), and
    a build must equal itself; the media stage converts several files side by side instead."""
    width_out, height_out = output_size(probed.width, probed.height, height)
    audio = ["-map", f"0:{probed.audio_stream}", "-c:a", "aac", "-b:a", AUDIO_BITRATE,
             *(["-ac", "2"] if probed.audio_channels > 2 else [])] if probed.audio_stream is not None else []
    command = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *_input(source),
        "-map", f"0:{probed.video_stream}", "-vf", f"scale={width_out}:{height_out}:flags=bicubic,setsar=1",
        "-fpsmax", str(MAX_FRAME_RATE), "-c:v", "libx264", "-threads", "1", "-preset", "veryfast", "-crf", str(CRF),
        "-profile:v", "high", "-pix_fmt", "yuv420p", *audio,
        "-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
        "-movflags", "+faststart", "-f", "mp4", f"file:{target}",
    ]
    done = _run(command, timeout=60 + 10 * probed.seconds)
    if done.returncode != 0:
        raise Unusable(say("ffmpeg could not convert it ({detail}); export it again as MP4 (H.264)",
                           detail=_last_line(done.stderr)))


def _frame(video: Path, seconds: float) -> Image.Image:
    """One frame of the converted video (already turned and scaled), at `seconds`."""
    done = _run([FFMPEG, "-nostdin", "-v", "error", "-ss", f"{seconds:.3f}", *_input(video), "-frames:v", "1",
                 "-f", "image2pipe", "-c:v", "png", "pipe:1"], PROBE_TIMEOUT)
    if done.returncode != 0 or not done.stdout:
        raise Unusable(say("ffmpeg could not take a picture from it ({detail}); export it again as MP4 (H.264)",
                           detail=_last_line(done.stderr)))
    return Image.open(io.BytesIO(done.stdout), formats=["PNG"])


def _poster(video: Path, rendered_seconds: float, size: tuple[int, int], poster: Path | None, target: Path) -> None:
    """The picture shown before play: the volunteer's, cropped to the video's frame so the page does not
    jump when it starts, else the frame at 1 s (or a tenth of a shorter video)."""
    if poster is not None:
        with open_image(poster) as opened:
            picture = ImageOps.fit(ImageOps.exif_transpose(opened).convert("RGB"), size, Image.Resampling.LANCZOS)
    else:
        with _frame(video, min(1.0, rendered_seconds / 10)) as frame:
            picture = frame.convert("RGB")
    picture.info.clear()
    write_atomically(target, lambda path: picture.save(path, "WEBP", quality=POSTER_QUALITY, method=4))


def render_video(source: Path, cache: Path, digests: FileDigests, height: int = HEIGHTS[0],
                 subtitles: Mapping[str, Path] | None = None, poster: Path | None = None) -> RenderedVideo:
    """The published video, poster and subtitles of one source, from the cache when seen before: the video is
    converted only when its content or the settings changed, the poster only when it or the video did."""
    cache.mkdir(parents=True, exist_ok=True)
    _check_file(source)
    if poster is not None:
        check_bytes(poster, MAX_IMAGE_BYTES, POSTER_ADVICE)
    key = _key(digests.of(source), VIDEO_PIPELINE, str(height))
    name, manifest = f"{key}.mp4", cache / f"{key}.json"
    data = json.loads(manifest.read_text()) if manifest.is_file() and (cache / name).is_file() else None
    if data is not None:
        _check_limits(Probed(**data["source"]))
    else:
        probed = probe(source)
        write_atomically(cache / name, lambda path: _encode(source, probed, height, path))
        shown = _probe_json(cache / name)
        stream = next(s for s in shown["streams"] if s.get("codec_type") == "video")
        data = {"source": asdict(probed), "width": int(stream["width"]), "height": int(stream["height"]),
                "seconds": float(shown["format"]["duration"]), "size": (cache / name).stat().st_size}
        write_atomically(manifest, lambda path: path.write_text(json.dumps(data)))
    poster_name = f"{_key(key, digests.of(poster) if poster else 'frame', POSTER_PIPELINE)}-poster.webp"
    if not (cache / poster_name).is_file():
        _poster(cache / name, data["seconds"], (data["width"], data["height"]), poster, cache / poster_name)
    return RenderedVideo(f"{OUTPUT_FOLDER}/{name}", f"{OUTPUT_FOLDER}/{poster_name}", data["width"], data["height"],
                         data["seconds"], data["size"], _subtitles(subtitles or {}, cache, digests))


def _subtitles(files: Mapping[str, Path], cache: Path, digests: FileDigests) -> dict[str, str]:
    """Each language's subtitles as checked WebVTT in the cache (read again only when the file changed)."""
    published = {}
    for language, path in sorted(files.items()):
        check_bytes(path, MAX_SUBTITLE_BYTES, SUBTITLE_ADVICE)  # before the digest reads it
        name = f"{_key(digests.of(path), language, SUBTITLE_PIPELINE)}-{language}.vtt"
        if not (cache / name).is_file():
            try:
                text = read_subtitles(path, language)
                wrong = subtitle_language_mismatch(text, language)
                if wrong:
                    raise Unusable(wrong)
            except Unusable as error:
                raise Unusable(say("the {language} subtitles {file} cannot be used: {reason}", language=language,
                                   file=path.name, reason=error)) from None
            write_atomically(cache / name, lambda target, text=text: target.write_text(text, encoding="utf-8"))
        published[language] = f"{OUTPUT_FOLDER}/{name}"
    return published


# Subtitles -------------------------------------------------------------------------------------------------------

VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
VTT_TIMING = re.compile(rf"{VTT_TIME}[ \t]+-->[ \t]+{VTT_TIME}(?:[ \t].*)?")
SRT_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{3})"
SRT_TIMING = re.compile(rf"[ \t]*{SRT_TIME}[ \t]*-->[ \t]*{SRT_TIME}(?:[ \t].*)?")
TIMING_EXAMPLE = {".vtt": "00:01:02.500 --> 00:01:05.000", ".srt": "00:01:02,500 --> 00:01:05,000"}


@dataclass(frozen=True)
class Cue:
    line: int  # of its timing, counted from 1 as editors do
    identifier: str | None
    start: int  # milliseconds
    end: int
    text: tuple[str, ...]


def _milliseconds(hours: str | None, minutes: str, seconds: str, thousandths: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(thousandths)


def _timestamp(milliseconds: int) -> str:
    seconds, thousandths = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02}:{minutes:02}:{seconds:02}.{thousandths:03}"


def _blocks(lines: list[str], first: int) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines from index `first` on, each with the line number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines[first:], start=first + 1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _cues(blocks: list[tuple[int, list[str]]], suffix: str) -> list[Cue]:
    """Every cue, its timing checked; a mistake is named by its line number, with what to write instead."""
    timing = VTT_TIMING if suffix == ".vtt" else SRT_TIMING
    cues: list[Cue] = []
    for number, block in blocks:
        if suffix == ".vtt" and "-->" not in block[0] and re.match(r"(NOTE|STYLE|REGION)(\s|$)", block[0]):
            continue  # a comment, style sheet or region: not shown
        # The timing comes first, or after an identifier (SubRip's cue number).
        has_identifier = "-->" not in block[0] and len(block) > 1 and (
            "-->" in block[1] or (suffix == ".srt" and block[0].strip().isdigit()))
        at = 1 if has_identifier else 0
        line = number + at
        found = timing.fullmatch(block[at])
        if found is None:
            raise Unusable(say("line {line}: '{found}' is not a cue timing; write it like {example}", line=line,
                               found=block[at][:80], example=TIMING_EXAMPLE[suffix]))
        start, end = _milliseconds(*found.groups()[:4]), _milliseconds(*found.groups()[4:])
        if end <= start:
            raise Unusable(say("line {line}: the cue ends at {end}, not after it starts at {start}; correct the times",
                               line=line, end=_timestamp(end), start=_timestamp(start)))
        if cues and start < cues[-1].start:
            raise Unusable(say("line {line}: the cue starts at {start}, before the cue above it ({previous}); put the "
                               "cues in order of time", line=line, start=_timestamp(start),
                               previous=_timestamp(cues[-1].start)))
        for offset, text in enumerate(block[at + 1:], start=line + 1):
            if "-->" in text:
                raise Unusable(say("line {line}: a cue's text contains '-->' (a blank line is missing before this "
                                   "timing?)", line=offset))
        cues.append(Cue(line, block[0].strip() if at else None, start, end, tuple(block[at + 1:])))
    if not cues:
        raise Unusable(say("it has no cues (timed lines of text)"))
    return cues


def read_subtitles(path: Path, language: str) -> str:
    """WebVTT text of a `.vtt` (checked) or `.srt` (converted) file: UTF-8, with or without a byte order mark."""
    suffix = path.suffix.lower()
    if suffix not in SUBTITLE_SUFFIXES:
        raise Unusable(say("only WebVTT (.vtt) and SubRip (.srt) subtitles are read; save them as one of these"))
    check_bytes(path, MAX_SUBTITLE_BYTES, SUBTITLE_ADVICE)
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise Unusable(say("it is not UTF-8 text; save it again with the encoding UTF-8 (any text editor can)")) from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if suffix == ".srt":
        cues = _cues(_blocks(lines, 0), suffix)
        return "WEBVTT\n\n" + "\n\n".join(
            "\n".join([*([cue.identifier] if cue.identifier else []), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}",
                       *cue.text]) for cue in cues) + "\n"
    if not re.fullmatch(r"WEBVTT([ \t].*)?", lines[0]):
        raise Unusable(say("line 1 must be WEBVTT, the word every WebVTT file begins with; save the subtitles again "
                           "as WebVTT or SubRip (.srt)"))
    header_end = next((index for index, line in enumerate(lines) if not line.strip()), len(lines))
    _cues(_blocks(lines, header_end), suffix)
    return "\n".join(lines).rstrip("\n") + "\n"


# Letters only Vietnamese writes (Latin Extended Additional: ạ ả ấ … ỹ; and ă đ ĩ ũ ơ ư), not French or German.
VIETNAMESE_ONLY = re.compile(r"[\u1ea0-\u1ef9ăĂđĐĩĨũŨơƠưƯ]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")  # kana, Han, Hangul
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_LANGUAGES = ("zh", "ja", "ko")


def subtitle_language_mismatch(text: str, language: str) -> str | None:
    """Subtitles put in another language's slot, judged by script only (no guessing of words): Chinese without
    a Chinese character, a Latin-script language mostly in Chinese characters, English full of Vietnamese
    letters, Vietnamese without one. The message, or None."""
    words = [line for line in text.split("\n")[1:] if "-->" not in line]  # no header, no timings
    plain = unicodedata.normalize("NFC", re.sub(r"<[^>]*>", "", "\n".join(words)))
    letters = sum(character.isalpha() for character in plain)
    base = language.split("-")[0].lower()
    if not letters:
        return None
    if base == "zh" and not HAN.search(plain):
        return say("they hold no Chinese characters; are they the subtitles of another language?")
    if base not in CJK_LANGUAGES and len(CJK.findall(plain)) > letters / 2:
        return say("they are mostly Chinese, Japanese or Korean characters; are they the subtitles of another language?")
    vietnamese = len(VIETNAMESE_ONLY.findall(plain))
    if base == "en" and vietnamese > 0.08 * letters:
        return say("they are full of Vietnamese letters (ơ, ư, ă, đ, ạ…); are they the Vietnamese subtitles?")
    if base == "vi" and letters >= 40 and not vietnamese:
        return say("they hold no Vietnamese letters (ơ, ư, ă, đ, ạ…); are they the subtitles of another language?")
    return None
