"""Overview videos: converted once by ffmpeg to a small MP4 that streams, with a poster and WebVTT subtitles."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from generator.cache import FileDigests, Store
from generator.media import video
from generator.media.reading import Unusable
from tests.conftest import require


def ffprobe(path: Path) -> dict:
    done = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
                          capture_output=True, check=True)
    return json.loads(done.stdout)


def ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments], check=True)


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (ISO/IEC 14496-12: 32-bit size, type; size 1: 64-bit size
    follows; size 0: to the end of the file)."""
    boxes, data, at = [], path.read_bytes(), 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8:at + 16])[0]
        boxes.append(kind.decode("latin-1"))
        at = len(data) if size == 0 else at + size
    return boxes


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with test clips made by ffmpeg: 1080p with a tone and a GPS position (3 s), and a portrait
    phone video (landscape pixels, 'turn 90°' in its metadata)."""
    require(bool(shutil.which("ffmpeg") and shutil.which("ffprobe")), "ffmpeg (Debian package ffmpeg)")
    folder = tmp_path_factory.mktemp("clips")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-metadata", "location=+21.0285+105.8542/",
           str(folder / "overview.mp4"))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
           str(folder / "landscape-pixels.mp4"))
    ffmpeg("-i", str(folder / "landscape-pixels.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(folder / "phone.mov"))
    return folder


def digests(folder: Path) -> FileDigests:
    return FileDigests(Store(folder))


def test_converted_to_480p_h264_aac_that_streams(clips: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    rendered = video.render_video(clips / "overview.mp4", cache, digests(tmp_path))

    output = cache / Path(rendered.path).name
    assert rendered.path.startswith("media/") and output.suffix == ".mp4"
    probed = ffprobe(output)
    streams = {stream["codec_type"]: stream for stream in probed["streams"]}
    assert set(streams) == {"video", "audio"}
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["video"]["profile"] in ("Main", "High")
    assert (streams["video"]["width"], streams["video"]["height"]) == (rendered.width, rendered.height) == (854, 480)
    assert streams["audio"]["codec_name"] == "aac"
    assert abs(rendered.seconds - 3) < 0.1 and rendered.size == output.stat().st_size
    boxes = top_level_boxes(output)
    assert boxes.index("moov") < boxes.index("mdat")  # the index first: playing starts before the end is loaded
    assert "21.0285" not in json.dumps(probed)  # the phone's position is not published
    with Image.open(cache / Path(rendered.poster).name) as poster:
        assert poster.format == "WEBP" and poster.size == (854, 480)
    assert rendered.subtitles == {}


def test_720p_as_a_setting_and_never_enlarged(clips: Path, tmp_path: Path) -> None:
    rendered = video.render_video(clips / "overview.mp4", tmp_path / "cache", digests(tmp_path), height=720)
    assert (rendered.width, rendered.height) == (1280, 720)
    assert video.output_size(640, 360, 480) == (640, 360)
    assert video.output_size(1440, 1080, 480) == (640, 480)


def test_phone_rotation_is_honoured(clips: Path, tmp_path: Path) -> None:
    assert (video.probe(clips / "phone.mov").width, video.probe(clips / "phone.mov").height) == (360, 640)
    rendered = video.render_video(clips / "phone.mov", tmp_path / "cache", digests(tmp_path))
    stream = ffprobe(tmp_path / "cache" / Path(rendered.path).name)["streams"][0]
    assert (stream["width"], stream["height"]) == (rendered.width, rendered.height) == (360, 640)  # portrait, not enlarged
    assert "rotation" not in json.dumps(stream)  # turned once, by ffmpeg; players must not turn it again


def test_a_second_call_converts_nothing(clips: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = video.render_video(clips / "overview.mp4", cache, digests(tmp_path))
    files = [cache / Path(first.path).name, cache / Path(first.poster).name]
    times = [file.stat().st_mtime_ns for file in files]

    monkeypatch.setattr(video.subprocess, "run", lambda *arguments, **options: pytest.fail("ffmpeg ran again"))
    assert video.render_video(clips / "overview.mp4", cache, digests(tmp_path)) == first
    assert [file.stat().st_mtime_ns for file in files] == times


def test_a_poster_of_the_volunteers_own_is_cropped_to_the_frame(clips: Path, tmp_path: Path) -> None:
    poster = tmp_path / "gate.png"
    Image.new("RGB", (1000, 1000), (200, 30, 30)).save(poster)
    rendered = video.render_video(clips / "overview.mp4", tmp_path / "cache", digests(tmp_path), poster=poster)
    with Image.open(tmp_path / "cache" / Path(rendered.poster).name) as picture:
        assert picture.format == "WEBP" and picture.size == (854, 480)
        assert picture.convert("RGB").getpixel((427, 240))[0] > 150


def test_a_file_that_is_not_a_video_is_refused_in_plain_words(clips: Path, tmp_path: Path) -> None:
    fake = tmp_path / "overview.mp4"
    fake.write_text("WEBVTT\n\nthis is not a video\n")
    with pytest.raises(Unusable, match="not a video that can be read"):
        video.render_video(fake, tmp_path / "cache", digests(tmp_path))
    picture = tmp_path / "photo.mp4"
    Image.new("RGB", (64, 64)).save(picture, "PNG")
    with pytest.raises(Unusable, match="not a video that can be read"):
        video.probe(picture)
    with pytest.raises(Unusable, match="only MP4 and MOV"):
        video.probe(tmp_path / "overview.avi")


def test_over_the_duration_limit_is_refused(clips: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video, "MAX_VIDEO_SECONDS", 2)
    with pytest.raises(Unusable, match="an overview video may last at most"):
        video.render_video(clips / "overview.mp4", tmp_path / "cache", digests(tmp_path))
    assert not list((tmp_path / "cache").glob("*.mp4"))


def test_over_the_size_limit_is_refused_before_anything_is_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * 2_000_000)
    monkeypatch.setattr(video, "MAX_VIDEO_BYTES", 1024 * 1024)
    monkeypatch.setattr(video.subprocess, "run", lambda *arguments, **options: pytest.fail("ffprobe ran"))
    with pytest.raises(Unusable, match="it is 2 MB; the limit is 1 MB"):
        video.render_video(big, tmp_path / "cache", digests(tmp_path))


def test_missing_ffmpeg_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = tmp_path / "overview.mp4"
    clip.write_bytes(b"\0" * 100)
    monkeypatch.setattr(video, "FFPROBE", "ffprobe-not-installed")
    with pytest.raises(Unusable, match=r"ffmpeg is not installed.*bash setup\.sh build"):
        video.render_video(clip, tmp_path / "cache", digests(tmp_path))


SRT = """\ufeff1
00:00:01,000 --> 00:00:04,200
Đình Yên Giang was built in the 17th century.

2
00:00:04,500 --> 00:01:02,000
It honours the village's <i>tutelary</i> spirit.
"""


def test_srt_becomes_webvtt(tmp_path: Path) -> None:
    source = tmp_path / "en.srt"
    source.write_bytes(SRT.replace("\n", "\r\n").encode("utf-8"))
    text = video.read_subtitles(source, "en")
    assert text == ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.200\nĐình Yên Giang was built in the 17th century.\n\n"
                    "2\n00:00:04.500 --> 00:01:02.000\nIt honours the village's <i>tutelary</i> spirit.\n")
    converted = tmp_path / "en.vtt"
    converted.write_text(text, encoding="utf-8")
    assert video.read_subtitles(converted, "en") == text  # valid WebVTT as it stands


def test_webvtt_is_checked_and_kept(tmp_path: Path) -> None:
    source = tmp_path / "vi.vtt"
    source.write_text("WEBVTT - thuyết minh\nKind: captions\n\nNOTE made by hand\n\nintro\n00:01.000 --> 00:04.000 "
                      "line:90%\nĐình được xây dựng vào thế kỷ XVII.\n\n01:00:04.500 --> 01:00:06.000\nThờ thành hoàng làng.\n",
                      encoding="utf-8")
    assert video.read_subtitles(source, "vi") == source.read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "words"), [
    ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nfine\n\n00:00:05,000 --> 00:00:06.000\nbad comma\n", "line 6: '00:00:05,000"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nfine\n\n00:00:09.000 --> 00:00:06.000\nbackwards\n",
     "line 6: the cue ends at 00:00:06.000, not after it starts at 00:00:09.000"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nlater\n\n00:00:01.000 --> 00:00:02.000\nearlier\n", "line 6: the cue starts"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\n00:00:02.000 --> 00:00:03.000\ntwo\n", "line 5: a cue's text contains '-->'"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\none\n\nsecond paragraph\nof the cue\n", "line 6: 'second paragraph'"),
    ("00:00:01.000 --> 00:00:02.000\nno header\n", "line 1 must be WEBVTT"),
    ("WEBVTT\n\nNOTE nothing else\n", "no cues"),
    ("WEBVTT\n\n00:00:61.000 --> 00:01:02.000\nsixty-one seconds\n", "line 3"),
])
def test_invalid_webvtt_is_refused_naming_the_line(tmp_path: Path, text: str, words: str) -> None:
    source = tmp_path / "en.vtt"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(Unusable) as refused:
        video.read_subtitles(source, "en")
    assert words in str(refused.value)


def test_subtitles_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "vi.srt"
    source.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nĐình làng\n".encode("utf-16"))  # Notepad's "Unicode"
    with pytest.raises(Unusable, match="not UTF-8"):
        video.read_subtitles(source, "vi")


VIETNAMESE = "Đình Yên Giang được xây dựng vào thế kỷ mười bảy, thờ thành hoàng làng và các vị tướng thời Trần."
ENGLISH = "The communal house was built in the seventeenth century; it honours the tutelary spirit of the village."
CHINESE = "安江亭建于十七世纪，供奉城隍和陈朝将领。"


def cue(words: str) -> str:
    return f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{words}\n"


def test_subtitles_in_the_wrong_language_slot_are_named() -> None:
    assert video.subtitle_language_mismatch(cue(ENGLISH), "zh") is not None
    assert video.subtitle_language_mismatch(cue(CHINESE), "en") is not None
    assert video.subtitle_language_mismatch(cue(CHINESE), "vi") is not None
    assert video.subtitle_language_mismatch(cue(VIETNAMESE), "en") is not None
    assert video.subtitle_language_mismatch(cue(ENGLISH), "vi") is not None
    for text, language in ((VIETNAMESE, "vi"), (ENGLISH, "en"), (CHINESE, "zh"), (ENGLISH, "fr"),
                           ("The One Pillar Pagoda (Chùa Một Cột) was built in 1049 under Emperor Lý Thái Tông.", "en"),
                           ("Chùa Một Cột", "vi"), ("", "zh")):
        assert video.subtitle_language_mismatch(cue(text), language) is None, (text, language)


def test_subtitles_are_published_beside_the_video(clips: Path, tmp_path: Path) -> None:
    english, vietnamese, chinese = tmp_path / "en.srt", tmp_path / "vi.vtt", tmp_path / "zh.vtt"
    english.write_text(SRT, encoding="utf-8")
    vietnamese.write_text(cue(VIETNAMESE), encoding="utf-8")
    chinese.write_text(cue(ENGLISH), encoding="utf-8")
    cache = tmp_path / "cache"
    rendered = video.render_video(clips / "overview.mp4", cache, digests(tmp_path),
                                  subtitles={"en": english, "vi": vietnamese})
    assert set(rendered.subtitles) == {"en", "vi"}
    for language, path in rendered.subtitles.items():
        assert path.startswith("media/") and path.endswith(f"-{language}.vtt")
        assert (cache / Path(path).name).read_text(encoding="utf-8").startswith("WEBVTT")
    with pytest.raises(Unusable, match=r"the zh subtitles zh\.vtt cannot be used: they hold no Chinese characters"):
        video.render_video(clips / "overview.mp4", cache, digests(tmp_path), subtitles={"zh": chinese})
