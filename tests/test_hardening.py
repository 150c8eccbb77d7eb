"""Hostile and careless input (issue 11): every input is bounded, every decoder chosen by the file's name,
and each case is refused quickly with `file:line:col: field: what is wrong; what to do`, never a traceback."""

from __future__ import annotations

import html
import io
import json
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from PIL import Image

from generator import pipeline
from generator.commands.cli import main
from generator.media import stage
from generator.printing import plaques
from generator.problems import GuideError
from generator.source import model
from generator.source.model import MAX_TEXT
from generator.source.yamlsource import YamlProblem, parse_yaml
from tests.conftest import ROOT, copy_project, require_plaque_font

SAMPLE = "sites/cot-moc-1368.yaml"
PHOTO = "media/cot-moc-1368/illustration.jpg"
NARRATION = "media/cot-moc-1368/thuyet-minh-vi.mp3"
MB = 1024 * 1024

# Ten lines whose anchors expand nine levels deep: a billion strings once every alias is followed.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{this}: &{this} [{', '.join(['*' + last] * 9)}]" for last, this in zip("abcdefgh", "bcdefghi", strict=True)]
    + ["name: {vi: *i}"]
) + "\n"


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, file: str, anchor: str) -> int:
    """The line holding `anchor`; for an anchor of two lines, the second one."""
    text = (root / file).read_text(encoding="utf-8", errors="replace")
    assert anchor in text, f"test set-up: {anchor!r} not in {file}"
    return text[:text.index(anchor) + len(anchor)].count("\n") + 1


def run(root: Path, command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--root", str(root), command])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def refused(root: Path, command: str, capsys: pytest.CaptureFixture[str], where: str, says: str,
            field: str = "") -> str:
    """The command fails, and the problem is reported where it is (and in `field`), in the words expected."""
    code, err = run(root, command, capsys)
    assert code == 1, err
    rows = [row for row in err.splitlines() if row.startswith(where) and (not field or f": {field}: " in row)]
    assert any(says in row for row in rows), f"nothing at {where} {field} saying {says!r}:\n{err}"
    return err


# --- YAML: anchors and aliases, nesting, size -------------------------------------------------------------


# Runs the build in a process of its own and reports that process's peak memory and times. A small launcher
# forks it, not pytest: a child forked from pytest (hundreds of MB after other tests) counts pytest's pages in
# its own peak memory.
BOUNDED_RUN = """
import json, os, resource, sys
child = os.fork()
if child == 0:
    resource.setrlimit(resource.RLIMIT_AS, (2048 << 20, 2048 << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_pid, status, usage = os.wait4(child, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


def test_the_alias_bomb_is_refused_within_2_s_and_200_mb(project: Path) -> None:
    """In a process of its own, as CI runs it: the 10-line bomb that grew to 13 GB in 120 s is refused at its first
    anchor. The 2 s are the process's own processor time (0.6 s, nearly all of it Python importing the generator):
    its wall time also counts every other process the machine runs, so it is only held to a generous bound.
    Were the bomb to expand again, it would fail on its memory and time limits instead of taking the machine."""
    (project / "sites" / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")

    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", BOUNDED_RUN, str(ROOT / "build.py"), "--root", str(project), "--lang", "en",
                          "check"], capture_output=True, text=True)
    elapsed = time.monotonic() - started
    usage, errors = json.loads(run.stdout.splitlines()[-1]), run.stderr

    assert usage["code"] == 1, errors
    assert "Traceback" not in errors
    assert "sites/bomb.yaml:1:4: '&a' marks a part of the file to repeat elsewhere" in errors
    assert "anchors (&name) and aliases (*name) are not allowed" in errors
    assert usage["cpu"] < 2, f"{usage['cpu']:.2f} s of processor time"
    assert elapsed < 20, f"refused after {elapsed:.1f} s"
    assert usage["peak_mb"] < 200, f"peak {usage['peak_mb']:.0f} MB"  # Linux: ru_maxrss is in kilobytes


def test_the_alias_bomb_is_refused_before_anything_expands() -> None:
    started = time.perf_counter()
    with pytest.raises(YamlProblem) as refusal:
        parse_yaml(ALIAS_BOMB)
    assert time.perf_counter() - started < 0.1
    assert (refusal.value.line, refusal.value.column) == (1, 4)


@pytest.mark.parametrize(("text", "where", "says"), [
    ("name: {vi: &n Đền}\nsummary: {vi: *n}\n", (1, 12), "'&n' marks a part of the file to repeat elsewhere"),
    ("name: {vi: Đền}\nsummary: {vi: *n}\n", (2, 15), "'*n' repeats another part of the file"),
    ("base: &base {vi: Đền}\nname:\n  <<: *base\n", (1, 7), "'&base' marks a part"),
])
def test_anchors_and_aliases_are_refused_where_they_are_written(text: str, where: tuple[int, int], says: str) -> None:
    with pytest.raises(YamlProblem) as refusal:
        parse_yaml(text)
    assert (refusal.value.line, refusal.value.column) == where
    assert says in refusal.value.message


def test_aliases_in_mkdocs_yml_are_read_but_their_expansion_is_bounded() -> None:
    """mkdocs.yml is code (reviewed as such) and may use aliases; a bomb there still ends in a message."""
    assert parse_yaml("a: &x [1, 2]\nb: *x\n", aliases=True).data == {"a": [1, 2], "b": [1, 2]}
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match="expands to more than"):
        parse_yaml(ALIAS_BOMB, aliases=True)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("nesting", [
    "name: " + "[" * 600 + "]" * 600 + "\n",
    "name: " + "{a: " * 600 + "}" * 600 + "\n",
    "".join("  " * level + "a:\n" for level in range(600)) + "  " * 600 + "a: 1\n",
    "name: " + "[" * 200_000 + "\n",
], ids=["flow lists", "flow mappings", "indentation", "200,000 unclosed"])
def test_deep_nesting_is_refused_not_a_recursion_error(nesting: str, project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (project / SAMPLE).write_text(nesting, encoding="utf-8")
    started = time.perf_counter()
    refused(project, "check", capsys, f"{SAMPLE}:", f"nested more than {model.MAX_NESTING} levels deep")
    assert time.perf_counter() - started < 5


def test_a_5_mb_site_file_is_refused_before_it_is_read(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / SAMPLE
    path.write_text(path.read_text(encoding="utf-8") + ("# padding\n" * (5 * MB // 10)), encoding="utf-8")
    started = time.perf_counter()
    refused(project, "check", capsys, f"{SAMPLE}:1:1:",
            f"the file is {-(-path.stat().st_size // 1024)} KB; a site file may be at most "
            f"{model.MAX_SITE_FILE_BYTES // 1024} KB")
    assert time.perf_counter() - started < 2


# --- texts: lengths and invisible characters ------------------------------------------------------------------


@pytest.mark.parametrize(("field", "old", "new", "anchor", "says"), [
    ("name.vi", "  vi: Cột mốc biên giới 1368(3)", "  vi: " + "Cột mốc " * 40, "  vi: Cột mốc Cột mốc",
     f"is 319 characters long; at most {MAX_TEXT['name']} are allowed here: shorten it"),
    ("body.vi", "## Cột mốc và đường biên", "## Cột mốc và đường biên\n\n    " + "chữ " * 15_000, "body:\n  vi:",
     f"characters long; at most {MAX_TEXT['body']} are allowed here"),
    ("sources", "sources:\n", "sources:\n" + "  - Sách địa chí Quảng Ninh, tập 1\n" * 100, "sources:",
     f"entries; at most {model.MAX_ENTRIES['sources']} are allowed: keep the most useful ones"),
], ids=["name", "body", "sources"])
def test_texts_and_lists_longer_than_the_limit_are_refused(field: str, old: str, new: str, anchor: str, says: str,
                                                          project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, SAMPLE, old, new)
    refused(project, "check", capsys, f"{SAMPLE}:{line_of(project, SAMPLE, anchor)}:", says, field)


@pytest.mark.parametrize(("old", "new", "anchor", "column", "field", "character"), [
    ("  vi: Cột mốc biên giới 1368(3)", '  vi: "Cột mốc\\0 biên giới"', "  vi: \"Cột mốc\\0", 7, "name.vi",
     "U+0000"),
    ("  vi: Cột mốc biên giới 1368(3)", "  vi: Cột mốc\x00 biên giới", "  vi: Cột mốc", 14, "name.vi", "U+0000"),
    ("  en: Border Marker 1368(3)", "  en: Border \u202eMarker", "  en: Border", 14, "name.en",
     "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("  en: Border Marker 1368(3)", '  en: "Border \\u2066Marker"', "  en: \"Border", 7, "name.en",
     "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("## Cột mốc và đường biên", "## Cột mốc và \u202dđường biên", "## Cột mốc và", 19, "body.vi",
     "U+202D (LEFT-TO-RIGHT OVERRIDE)"),
    ("  zh: 芒街", '  zh: "芒\\x1b[31m街"', "  zh: \"芒", 7, "area.zh", "U+001B"),
], ids=["NUL escaped", "NUL as it is", "RLO", "LRI escaped", "LRO in Markdown", "terminal escape"])
def test_control_and_bidi_characters_are_refused_with_field_and_place(
        old: str, new: str, anchor: str, column: int, field: str, character: str, project: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, SAMPLE, old, new)
    where = f"{SAMPLE}:{line_of(project, SAMPLE, anchor)}:{column}: {field}: "
    err = refused(project, "check", capsys, where, f"contains the invisible character {character}")
    assert "\u202e" not in err and "\u202d" not in err and "\x00" not in err  # the message never carries them


def test_every_invisible_character_of_a_file_is_reported_at_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, SAMPLE, "  en: Border Marker 1368(3)", "  en: Border \u202eMarker")
    edit(project, SAMPLE, "  zh: 芒街", '  zh: "芒\\0街"')
    err = refused(project, "check", capsys, f"{SAMPLE}:", ": name.en: contains the invisible character U+202E")
    assert ": area.zh: contains the invisible character U+0000" in err


def test_right_to_left_marks_and_joiners_are_ordinary_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Marks that shape text without hiding it (LRM, RLM, ZWJ in emoji, ZWNJ) are allowed."""
    edit(project, SAMPLE, "\nsummary:\n  vi: ", "\nsummary:\n  vi: \u200f\u200e👩\u200d👩\u200c ")
    code, err = run(project, "check", capsys)
    assert code == 0, err


# --- the sites folder ----------------------------------------------------------------------------------------------


def test_editor_lock_and_backup_files_are_ignored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = project / "sites"
    (sites / ".#cot-moc-1368.yaml").symlink_to("volunteer@laptop.4242:1700000000")  # Emacs: a link to nowhere
    (sites / "#cot-moc-1368.yaml#").write_text("half-saved", encoding="utf-8")
    (sites / "cot-moc-1368.yaml~").write_text("id: [", encoding="utf-8")
    (sites / ".cot-moc-1368.yaml.swp").write_bytes(b"\x00vim swap")
    code, err = run(project, "check", capsys)
    assert code == 0, err


def test_an_unreadable_site_file_is_a_problem_not_a_traceback(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "sites" / "broken.yaml").mkdir()
    (project / "sites" / "gone.yaml").symlink_to("nowhere.yaml")
    err = refused(project, "check", capsys, "sites/broken.yaml: cannot be read", "remove it from sites/")
    assert "sites/gone.yaml: cannot be read (No such file or directory)" in err


# --- photos ----------------------------------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size and holds (almost) no pixels: the header alone must be enough to refuse it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def sparse(path: Path, head: bytes, size: int) -> None:
    """A file of `size` bytes that takes no room on disk: `head`, then a hole."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(size)


def postscript(path: Path) -> None:
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n(/etc/passwd) (r) file\nshowpage\n")


def png_named_jpg(path: Path) -> None:
    Image.new("RGB", (40, 30), (10, 120, 10)).save(path, "PNG")


PHOTO_CASES = [
    ("postscript", postscript, "it is not a JPEG, PNG, WebP or HEIC picture (only these are read); save it again as JPEG or PNG"),
    ("png named .jpg", png_named_jpg, "it is a PNG picture, but its name ends in '.jpg'; rename it to end in '.png'"),
    ("100 MB", lambda path: sparse(path, b"\xff\xd8\xff\xe0", 100 * MB),
     "it is 100 MB; the limit is 25 MB: save it smaller"),
    ("100 megapixels", lambda path: path.write_bytes(png_header(10_000, 10_000)),
     "it is 10000 × 10000 pixels (100 megapixels); the limit is 50 megapixels: resize it"),
    ("400 megapixels", lambda path: path.write_bytes(png_header(20_000, 20_000)),
     "it has more than 50 megapixels; resize it"),
    ("truncated", lambda path: path.write_bytes((ROOT / PHOTO).read_bytes()[:3000]),
     "the picture cannot be read to the end (the file is damaged or was not copied completely)"),
]


@pytest.mark.parametrize(("make", "says"), [case[1:] for case in PHOTO_CASES], ids=[case[0] for case in PHOTO_CASES])
def test_photos_are_decoded_only_as_their_name_says_and_within_the_limits(
        make, says: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = PHOTO
    if make is png_named_jpg or "megapixels" in says:
        target = PHOTO.replace(".jpg", ".png") if "megapixels" in says else PHOTO
        edit(project, SAMPLE, "cot-moc-1368/illustration.jpg", target.removeprefix("media/"))
    make(project / target)
    started = time.perf_counter()
    field_line = line_of(project, SAMPLE, "- file: " + target.removeprefix("media/"))
    refused(project, "build", capsys, f"{SAMPLE}:{field_line}:", f"images[0].file: {target} cannot be used: {says}")
    assert time.perf_counter() - started < 10
    assert not (project / "site").exists()


def test_photo_metadata_is_never_published(tmp_path: Path) -> None:
    """EXIF (GPS position, camera), XMP and JPEG comments stay out of every variant."""
    source = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (21.0, 32.0, 0.0), 3: "E", 4: (107.0, 57.0, 0.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">volunteer home address</x:xmpmeta>'
    Image.new("RGB", (1300, 900), (90, 140, 60)).save(source, "JPEG", exif=exif.tobytes(), xmp=xmp,
                                                       comment=b"taken from my house, call 0912 345 678")
    with Image.open(source) as original:
        assert original.info["comment"] and original.getexif() and original.info.get("xmp")

    from generator.cache import FileDigests, Store
    rendered = stage.render_image(source, tmp_path / "cache", FileDigests(Store(tmp_path)))

    for variant in (*rendered.webp, rendered.jpeg):
        data = (tmp_path / "cache" / Path(variant.path).name).read_bytes()
        for secret in (b"0912 345 678", b"my house", b"PhoneMaker", b"home address", b"Exif"):
            assert secret not in data, (variant.path, secret)
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif() and not {"comment", "exif", "xmp", "icc_profile"} & image.info.keys()


# --- narration -------------------------------------------------------------------------------------------------


def mp3_lasting(hours: float) -> bytes:
    """A tiny MP3 (MPEG-1 layer III, 128 kbit/s, mono) whose Xing header says it lasts `hours`."""
    header, size = bytes([0xFF, 0xFB, 0x90, 0xC4]), 417
    first = bytearray(header + bytes(size - 4))
    first[21:33] = b"Xing" + struct.pack(">II", 1, round(hours * 3600 * 44100 / 1152))
    return bytes(first) + (header + bytes(size - 4)) * 20


AUDIO_CASES = [
    ("10 hours", NARRATION, lambda path: path.write_bytes(mp3_lasting(10)),
     "it lasts 600 minutes; a narration may last at most 30 minutes: shorten it"),
    ("200 MB", NARRATION, lambda path: sparse(path, mp3_lasting(0.01)[:417], 200 * MB),
     "it is 200 MB; the limit is 50 MB: save it at a lower bit rate"),
    ("mp3 named .ogg", NARRATION.replace(".mp3", ".ogg"),
     lambda path: path.write_bytes((ROOT / NARRATION).read_bytes()),
     "it is not a readable Ogg file (the name says Ogg); save it again as MP3"),
    ("text named .mp3", NARRATION, lambda path: path.write_text("ID3 but not really\n" * 50),
     "it is not a readable MP3 file"),
]


@pytest.mark.parametrize(("target", "make", "says"), [case[1:] for case in AUDIO_CASES], ids=[c[0] for c in AUDIO_CASES])
def test_narration_is_parsed_only_as_its_name_says_and_within_the_limits(
        target: str, make, says: str, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if target != NARRATION:
        edit(project, SAMPLE, NARRATION.removeprefix("media/"), target.removeprefix("media/"))
    make(project / target)
    started = time.perf_counter()
    refused(project, "build", capsys, f"{SAMPLE}:{line_of(project, SAMPLE, '  vi: ' + target.removeprefix('media/'))}:",
            f"audio.vi: {target} cannot be used: {says}")
    assert time.perf_counter() - started < 10


def test_every_audio_suffix_has_its_own_parser() -> None:
    assert tuple(stage.AUDIO_FORMATS) == model.AUDIO_SUFFIXES
    assert set(model.IMAGE_FORMATS.values()) == {"JPEG", "PNG", "WEBP", "HEIF"}


@pytest.mark.parametrize(("name", "published"), [
    ("thuyet-minh-vi.mp3", "thuyet-minh-vi.mp3"),
    ("thuyết minh #1 100%?.mp3", "thuyet-minh-1-100.mp3"),
    ("Đền & chùa (bản 2).mp3", "Den-chua-ban-2.mp3"),
    ("#%?.MP3", "audio.mp3"),
])
def test_published_audio_names_need_no_escaping(name: str, published: str) -> None:
    assert stage.url_safe_name(name) == published


@pytest.fixture(scope="module")
def awkward_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample guide built with a narration whose name breaks URLs and a photo full of metadata."""
    root = copy_project(tmp_path_factory.mktemp("awkward") / "guide")
    awkward = "cot-moc-1368/thuyết minh #1 100%?.mp3"
    (root / "media" / awkward).write_bytes((ROOT / NARRATION).read_bytes())
    edit(root, SAMPLE, "  vi: cot-moc-1368/thuyet-minh-vi.mp3", f'  vi: "{awkward}"')
    with Image.open(ROOT / PHOTO) as photo:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (21.0, 32.0, 0.0), 3: "E", 4: (107.0, 57.0, 0.0)}
        photo.save(root / PHOTO, "JPEG", exif=exif.tobytes(), comment=b"secret: the key is under the stone")
    assert main(["--root", str(root), "build"]) == 0
    return root / "site"


def test_audio_with_hash_percent_and_question_mark_in_its_name_is_linked_correctly(awkward_media: Path) -> None:
    page = (awkward_media / "vi" / "cot-moc-1368" / "index.html").read_text(encoding="utf-8")
    sources = [html.unescape(src) for src in re.findall(r'<audio[^>]* src="([^"]+)"', page)]
    assert len(sources) == 1
    address = urlsplit(urljoin("https://guide.example/vi/cot-moc-1368/", sources[0]))
    assert not address.query and not address.fragment, sources[0]
    published = awkward_media / unquote(address.path).lstrip("/")
    assert published.is_file() and published.read_bytes() == (ROOT / NARRATION).read_bytes()
    lists = [json.loads(path.read_text(encoding="utf-8")) for path in (awkward_media / "vi" / "area").glob("*/offline.json")]
    assert lists
    for area in lists:
        for url in area["urls"]:
            target = awkward_media / unquote(urlsplit(url).path).lstrip("/")
            assert target.is_file() or (target / "index.html").is_file(), url


def test_published_photos_carry_no_comment_exif_or_gps(awkward_media: Path) -> None:
    variants = sorted(path for path in (awkward_media / "media").iterdir() if path.suffix in (".jpg", ".webp"))
    assert variants
    for path in variants:
        data = path.read_bytes()
        assert b"secret" not in data and b"Exif" not in data, path.name
        with Image.open(path) as image:
            assert not image.getexif() and "comment" not in image.info, path.name


# --- plaques ---------------------------------------------------------------------------------------------------


def test_a_name_the_plaque_font_cannot_print_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_plaque_font()
    edit(project, SAMPLE, "  zh: 1368(3)号界碑", "  zh: 1368(3)号𡨸界碑")
    refused(project, "check", capsys, f"{SAMPLE}:{line_of(project, SAMPLE, '号𡨸界碑')}:",
            "name.zh: the plaque font has no '𡨸' (U+21A38); the printed plaque would leave them out")


def test_the_refusal_is_repeated_until_the_name_is_fixed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file with such a name is never cached as valid, so a second run reports it again."""
    require_plaque_font()
    edit(project, SAMPLE, "  vi: Cột mốc biên giới 1368(3)", "  vi: Cột mốc 𡨸 1368(3)")
    for _run in range(2):
        refused(project, "check", capsys, f"{SAMPLE}:", "name.vi: the plaque font has no '𡨸'")
    edit(project, SAMPLE, "  vi: Cột mốc 𡨸 1368(3)", "  vi: Cột mốc biên giới 1368(3)")
    assert run(project, "check", capsys)[0] == 0


def test_an_organisation_the_plaque_font_cannot_print_is_refused(project: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    require_plaque_font()
    config = project / "mkdocs.yml"
    publisher = re.search(r"organisation:.*\n\s+vi: (.+)\n", config.read_text(encoding="utf-8"))
    assert publisher, "test set-up: no organisation in mkdocs.yml"
    edit(project, "mkdocs.yml", f"vi: {publisher.group(1)}", f"vi: {publisher.group(1)} 𡨸")
    refused(project, "check", capsys, "mkdocs.yml:", "extra.guide.organisation.vi: the plaque font has no '𡨸'")
    edit(project, "mkdocs.yml", f"vi: {publisher.group(1)} 𡨸", f"vi: {publisher.group(1)}")
    edit(project, "mkdocs.yml", "vi: Đoàn Thanh niên thị xã Quảng Yên", "vi: Đoàn Thanh niên thị xã Quảng Yên 𡨸")
    refused(project, "check", capsys, "mkdocs.yml:", "extra.guide.organisations.quang-yen.name.vi: the plaque font has no '𡨸'")


def test_every_sample_name_is_printable() -> None:
    require_plaque_font()
    from generator.source.load import load_guide
    for site in load_guide(ROOT).sites:
        for name in site.name.values():
            assert plaques.unprintable(name) == [], name


# --- the README states the limits the code applies -----------------------------------------------------------


def test_readme_lists_every_limit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Limits", 1)[1].split("\n## ", 1)[0]
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", section)}
    expected = {model.MAX_SITE_FILE_BYTES // 1024, model.MAX_NESTING, *MAX_TEXT.values(), *model.MAX_ENTRIES.values(),
                model.MAX_IMAGE_BYTES // MB, model.MAX_IMAGE_PIXELS // 1_000_000, model.MAX_AUDIO_BYTES // MB,
                model.MAX_AUDIO_SECONDS // 60}
    assert expected <= numbers, sorted(expected - numbers)


def test_a_media_name_too_long_for_the_file_system_is_a_problem_not_a_traceback(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "cot-moc-1368/" + "đ" * 200 + ".jpg"  # 200 characters, 400 bytes: more than a file name may have
    edit(project, SAMPLE, "cot-moc-1368/illustration.jpg", name)
    refused(project, "check", capsys, f"{SAMPLE}:{line_of(project, SAMPLE, '- file: cot-moc')}:",
            f"media/{name} cannot be opened (File name too long); give the file a shorter name", "images[0].file")


@pytest.mark.parametrize("site_url", ['https://heritage.example.vn/"><script>alert(1)</script>', "https://exa mple.vn/",
                                      "javascript:alert(1)//", "https://heritage.example.vn/'onload='x"])
def test_a_site_url_that_is_not_a_plain_web_address_is_refused(project: Path, site_url: str) -> None:
    """site_url is printed into every page, the sitemap and the plaques: nothing but a web address."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^site_url: .*$", lambda _: f"site_url: {json.dumps(site_url)}", text), encoding="utf-8")
    with pytest.raises(GuideError) as error:
        pipeline.check(project)
    line = next(number for number, row in enumerate(config.read_text(encoding="utf-8").splitlines(), 1)
                if row.startswith("site_url:"))
    assert f"mkdocs.yml:{line}:" in str(error.value) and "site_url" in str(error.value)
