"""A volunteer's first hour (issue 17, first part): coordinates typed the wrong way round, a build stopped with
Ctrl+C, and the commands as a new terminal runs them (a relative --root)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands.cli import main
from generator.source.load import load_guide
from generator.source.yamlsource import YamlProblem, parse_yaml
from tests.conftest import ROOT, copy_project

SITE = "sites/den-xa-tac.yaml"


def set_location(project: Path, lat: str, lon: str) -> int:
    """Write lat and lon into the sample site; the line of `lat:`."""
    path = project / SITE
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+)lat: .*$", rf"\g<1>lat: {lat}", text, count=1)
    text = re.sub(r"(?m)^(\s+)lon: .*$", rf"\g<1>lon: {lon}", text, count=1)
    path.write_text(text, encoding="utf-8")
    return next(number for number, row in enumerate(text.splitlines(), 1) if row.strip() == "location:")


@pytest.mark.parametrize("lat, lon, says", [
    ("107.9661", "21.5334", "look swapped"),
    ("90", "107.9661", "is not in Vietnam"),
    ("21.5334", "7.9661", "is not in Vietnam"),
])
def test_coordinates_outside_vietnam_are_named_for_what_they_are(project: Path, capsys: pytest.CaptureFixture[str],
                                                                  lat: str, lon: str, says: str) -> None:
    line = set_location(project, lat, lon)
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"^{re.escape(SITE)}:{line}:\d+: location: .*{says}", err, re.M), err
    set_location(project, "21.5334", "107.9661")  # what the advice says: swap them, or copy the point again
    assert main(["--root", str(project), "check"]) == 0


def test_a_relative_root_builds(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.parent)
    assert main(["--root", project.name]) == 0
    assert (project / "site" / "vi" / "den-xa-tac" / "index.html").is_file()


def test_ctrl_c_stops_the_build_in_plain_words_and_changes_nothing(tmp_path: Path) -> None:
    """Ctrl+C reaches the whole process group (the build and its workers), as a terminal sends it."""
    project = copy_project(tmp_path / "guide", share_cache=False)  # a cold build: long enough to interrupt
    registry = (project / "plaques.yaml").read_bytes()
    child = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "vi"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert child.stderr is not None
    os.set_blocking(child.stderr.fileno(), True)
    first = child.stderr.readline()  # the first stage has started
    assert first, "the build printed nothing"
    os.killpg(child.pid, signal.SIGINT)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 130, first + err
    assert "Đã dừng; không có gì bị thay đổi." in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not (project / "site").exists()
    assert (project / "plaques.yaml").read_bytes() == registry


# --- The rest of the first hour: the template, the parser's mistakes, Vietnamese values, phone photos, sample
# plaques, ids that must not move, commands as printed, quiet output.

NEW = "dinh-yen-giang"
NEW_FILE = f"sites/{NEW}.yaml"


def check(project: Path, capsys: pytest.CaptureFixture[str], lang: str = "vi") -> tuple[int, str]:
    code = main(["--root", str(project), "--lang", lang, "check"])
    return code, capsys.readouterr().err


def problem_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if re.match(r"^sites/.*?:\d+:\d+: ", line)]


def filled_new_site(project: Path) -> Path:
    """`new` as the handbook shows it, then the TODOs and the point filled in, and the first source uncommented:
    what a volunteer does before anything else."""
    assert main(["--root", str(project), "new", NEW, "--name", "Đình Yên Giang", "--category", "đình",
                 "--area", "Quảng Yên"]) == 0
    path = project / NEW_FILE
    text = path.read_text(encoding="utf-8")
    text = text.replace('"TODO: viết một hai câu giới thiệu / write one or two sentences"', '"Đình làng Yên Giang."')
    text = text.replace("TODO: viết bài giới thiệu / write the guide text", "Đình thờ thành hoàng làng Yên Giang.")
    text = text.replace('"TODO: địa chỉ / address"', '"Phường Yên Giang, Quảng Yên"')
    text = text.replace("lat: null", "lat: 20.93").replace("lon: null", "lon: 106.82")
    text = text.replace("#   - https://baoquangninh.vn/...", "  - https://baoquangninh.vn/", 1)
    path.write_text(text, encoding="utf-8")
    return path


def example_blocks(text: str) -> list[tuple[int, int]]:
    """(first, last) line indexes of each run of example lines: those starting with '#   '."""
    blocks: list[tuple[int, int]] = []
    for index, line in enumerate(text.splitlines()):
        if line.startswith("#   "):
            if blocks and blocks[-1][1] == index - 1:
                blocks[-1] = (blocks[-1][0], index)
            else:
                blocks.append((index, index))
    return blocks


def test_every_example_in_the_new_template_is_valid_once_uncommented(project: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    path = filled_new_site(project)
    base = path.read_text(encoding="utf-8")
    assert "đình (communal-house)" in base and "chùa (pagoda)" in base and "cột mốc (border-marker)" in base
    assert check(project, capsys)[0] == 0
    # What the examples name, as a volunteer would copy it into media/.
    Image.new("RGB", (800, 600), (120, 90, 60)).save(project / "media" / NEW / "anh-1.jpg", "JPEG")
    shutil.copyfile(project / "media" / "den-xa-tac" / "thuyet-minh-vi.mp3", project / "media" / NEW / "thuyet-minh-vi.mp3")
    for sample, copy in (("gioi-thieu.mp4", "gioi-thieu.mp4"), ("phu-de-vi.vtt", "phu-de-vi.vtt"),
                         ("cong-den-360.jpg", "cong-360.jpg"), ("san-den-360.jpg", "san-360.jpg")):
        shutil.copyfile(project / "media" / "den-xa-tac" / sample, project / "media" / NEW / copy)
    blocks = example_blocks(base)
    fields = set()
    for first, last in blocks:
        lines = base.splitlines()
        lines[first:last + 1] = [line.removeprefix("# ") for line in lines[first:last + 1]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, err = check(project, capsys)
        assert code == 0, f"uncommenting lines {first + 1}-{last + 1}:\n{err}"
        fields.add(next(line for line in reversed(lines[:first]) if re.match(r"^[a-z_]+:", line)).split(":")[0])
    # Examples for every optional field a volunteer fills in by hand.
    assert {"status_note", "practical", "images", "audio", "video", "panoramas", "links", "sources", "uncertain"} <= fields


def write_site_line(project: Path, old: str, new: str) -> int:
    """Replace the first line of the sample that starts with `old` (after its indentation); its line number."""
    path = project / SITE
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.lstrip(" ").startswith(old))
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def apply_tab_advice(line: str, message: str) -> str:
    spaces = int(re.search(r"(\d+) dấu cách", message).group(1))
    return " " * spaces + line.lstrip(" \t")


def apply_bracket_advice(line: str, message: str) -> str:
    assert "hãy xoá '[]'" in message or "hãy xoá '{}'" in message
    return re.sub(r":\s*(\[\]|\{\})\s*$", ":", line)


def apply_quote_advice(line: str, message: str) -> str:
    fixed = message.rsplit("dấu ngoặc kép: ", 1)[1]
    return line[: len(line) - len(line.lstrip(" "))] + fixed


@pytest.mark.parametrize("mistake, apply", [
    ("tab", apply_tab_advice),
    ("empty list then items", apply_bracket_advice),
    ("empty group then fields", apply_bracket_advice),
    ("colon in a one-line text", apply_quote_advice),
    ("colon in a source", apply_quote_advice),
])
def test_a_file_yaml_cannot_read_gets_one_line_in_plain_vietnamese_and_advice_that_works(
        project: Path, capsys: pytest.CaptureFixture[str], mistake: str, apply) -> None:
    path = project / SITE
    original = path.read_text(encoding="utf-8").split("\n")
    if mistake == "tab":
        line = write_site_line(project, "vi: Đền Xã Tắc", "\tvi: Đền Xã Tắc")
    elif mistake == "empty list then items":
        line = write_site_line(project, "images:", "images: []")
    elif mistake == "empty group then fields":
        line = write_site_line(project, "audio:", "audio: {}")
    elif mistake == "colon in a source":
        line = write_site_line(project, '- "Cục Di sản', "  - Cục Di sản văn hoá: hồ sơ Đền Xã Tắc: 2020")
    else:
        line = write_site_line(project, "vi: Đền Xã Tắc", "  vi: Đền Xã Tắc: nơi thờ thần Đất và thần Lúa")
    code, err = check(project, capsys)
    assert code == 1
    (problem,) = problem_lines(err)
    assert problem.startswith(f"{SITE}:{line}:"), err
    assert "expected" not in problem and "found" not in problem  # not the parser's English
    if mistake == "tab":
        assert "dùng dấu cách, không dùng phím Tab" in problem
    message = problem.split(": ", 1)[1]
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = apply(lines[line - 1], message)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert check(project, capsys)[0] == 0
    if mistake == "colon in a source":
        site = next(site for site in load_guide(project).sites if site.slug == "den-xa-tac")
        assert site.sources[0] == "Cục Di sản văn hoá: hồ sơ Đền Xã Tắc: 2020"
    elif mistake == "colon in a one-line text":
        assert main(["--root", str(project)]) == 0
        assert "Đền Xã Tắc: nơi thờ thần Đất và thần Lúa" in (project / "site" / "vi" / "den-xa-tac" / "index.html").read_text(
            encoding="utf-8")
    else:
        assert path.read_text(encoding="utf-8").split("\n") == original


def test_a_hash_that_cut_a_text_is_warned_about_at_its_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = write_site_line(project, "vi: Đền Xã Tắc", "  vi: Đền Xã Tắc #1 của phường")
    code, err = check(project, capsys)
    assert code == 0
    warnings = [row for row in err.splitlines() if f"{SITE}:{line}:" in row]
    assert len(warnings) == 1 and "'#1 của phường'" in warnings[0] and "ngoặc kép" in warnings[0], err
    write_site_line(project, "vi: Đền Xã Tắc", '  vi: "Đền Xã Tắc #1 của phường"')
    code, err = check(project, capsys)
    assert code == 0 and f"{SITE}:{line}:" not in err


@pytest.mark.parametrize("written, accepted, says", [
    ("đền", True, ""), ("cột mốc", True, ""), ("temple", True, ""),
    ("den", False, "'đền'"), ("Đền", False, "'đền'"), ("pagode", False, "'pagoda'"),
])
def test_categories_in_vietnamese(project: Path, capsys: pytest.CaptureFixture[str], written: str, accepted: bool,
                                  says: str) -> None:
    line = write_site_line(project, "category:", f"category: {written}")
    code, err = check(project, capsys)
    if accepted:
        assert code == 0, err
        return
    (problem,) = problem_lines(err)
    assert problem.startswith(f"{SITE}:{line}:1: category: ") and f"có phải ý bạn là {says}" in problem, problem
    assert "đình (communal-house)" in problem


def test_the_schema_offers_the_vietnamese_categories() -> None:
    import json

    schema = json.loads((ROOT / "schema" / "site.schema.json").read_text(encoding="utf-8"))
    assert {"đình", "chùa", "temple"} <= set(schema["properties"]["category"]["enum"])


def test_an_iphone_heic_photo_is_published_upright_without_its_location(project: Path) -> None:
    import pillow_heif
    from PIL import Image

    picture = Image.new("RGB", (1200, 600), (200, 30, 30))
    picture.paste((20, 40, 200), (0, 0, 300, 600))  # blue at the left of the sensor: at the top once turned upright
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: the camera says "turn 90° clockwise"
    exif[0x8825] = {1: "N", 2: (21.0, 32.0, 0.0), 3: "E", 4: (107.0, 58.0, 0.0)}  # where it was taken
    pillow_heif.register_heif_opener()
    picture.save(project / "media" / "den-xa-tac" / "cong.heic", exif=exif.tobytes(), quality=80)
    text = (project / SITE).read_text(encoding="utf-8")
    (project / SITE).write_text(text.replace("  - file: den-xa-tac/illustration.jpg", "  - file: den-xa-tac/cong.heic", 1),
                                encoding="utf-8")
    assert main(["--root", str(project)]) == 0
    page = (project / "site" / "vi" / "den-xa-tac" / "index.html").read_text(encoding="utf-8")
    largest = max(re.findall(r"media/([0-9a-f]+-(\d+)\.webp)", page), key=lambda found: int(found[1]))[0]
    published = Image.open(project / "site" / "media" / largest)
    assert published.height > published.width  # upright
    top, bottom = published.getpixel((published.width // 2, 5)), published.getpixel((published.width // 2, published.height - 5))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]
    assert not published.getexif() and b"Exif" not in (project / "site" / "media" / largest).read_bytes()


def test_check_decodes_every_photo_and_says_so_as_the_build_would(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = project / "media" / "den-xa-tac" / "illustration.jpg"
    photo.write_bytes(photo.read_bytes()[:4000])  # a copy cut short: the header reads, the picture does not
    code, err = check(project, capsys)
    assert code == 1
    (problem,) = problem_lines(err)
    assert "media/den-xa-tac/illustration.jpg" in problem and "ảnh" in problem and "cannot" not in problem, problem
    assert main(["--root", str(project), "--lang", "vi"]) == 1
    assert problem in capsys.readouterr().err


def pdf_words(path: Path) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_a_plaque_is_a_sample_until_the_address_and_the_organisation_are_real(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import require_plaque_font

    require_plaque_font()
    assert main(["--root", str(project), "--lang", "vi"]) == 0
    err = capsys.readouterr().err
    assert "heritage.example.vn" in err and "site_url" in err and "MẪU" in err
    words = pdf_words(project / "site" / "plaques" / "KLXT01" / "plaque-a6.pdf")
    assert "MẪU – KHÔNG IN" in words and "SAMPLE – DO NOT PRINT" in words

    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("heritage.example.vn", "disan.quangninh.gov.vn")
                      .replace("HERITAGE.EXAMPLE.VN", "DISAN.QUANGNINH.GOV.VN"), encoding="utf-8")
    assert main(["--root", str(project), "--lang", "vi"]) == 0
    err = capsys.readouterr().err
    assert "MẪU" not in err
    words = pdf_words(project / "site" / "plaques" / "KLXT01" / "plaque-a6.pdf")
    assert "SAMPLE" not in words and "MẪU" not in words and "disan.quangninh.gov.vn/q/klxt01" in words

    text = (project / SITE).read_text(encoding="utf-8")  # a site no organisation looks after
    (project / SITE).write_text(re.sub(r"(?m)^organisation: .*$", "organisation: null", text)
                                .replace("vi: Móng Cái", "vi: Hải Hà"), encoding="utf-8")
    assert main(["--root", str(project), "--lang", "vi"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"KLXT01 .*MẪU.*organisation", err), err
    assert "SAMPLE – DO NOT PRINT" in pdf_words(project / "site" / "plaques" / "KLXT01" / "plaque-a6.pdf")
    assert "SAMPLE" not in pdf_words(project / "site" / "plaques" / "KL1368" / "plaque-a6.pdf")


def test_the_call_to_action_promises_narration_only_where_the_page_has_it(project: Path) -> None:
    from tests.conftest import require_plaque_font

    require_plaque_font()
    text = (project / SITE).read_text(encoding="utf-8")
    (project / SITE).write_text(re.sub(r"(?m)^audio:\n(  .*\n)+", "", text), encoding="utf-8")
    assert main(["--root", str(project), "plaques", "KLXT01", "KL1368", "--output", str(project / "print")]) == 0
    silent, narrated = (pdf_words(project / "print" / plaque / "plaque-a6.pdf") for plaque in ("KLXT01", "KL1368"))
    assert "Quét mã để xem giới thiệu di tích" in silent and "nghe thuyết minh" not in silent
    assert "Scan to read about this site" in silent and "audio guide" not in silent
    assert "Quét mã để nghe thuyết minh" in narrated and "Scan for the audio guide" in narrated


def set_id(project: Path, file: str, plaque_id: str) -> None:
    path = project / file
    path.write_text(re.sub(r"(?m)^id: .*$", f"id: {plaque_id}", path.read_text(encoding="utf-8"), count=1), encoding="utf-8")


def test_an_issued_id_given_to_a_new_file_is_refused_with_the_way_out(project: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    filled_new_site(project)
    set_id(project, NEW_FILE, "KLXT01")  # copied from the sample
    code, err = check(project, capsys)
    (problem,) = problem_lines(err)
    assert problem.startswith(f"{NEW_FILE}:") and "sites/den-xa-tac.yaml" in problem and f"./guide id {NEW}" in problem
    set_id(project, SITE, "KLXT02")  # what she did: the old file "gave way"
    code, err = check(project, capsys)
    assert code == 1
    assert any(row.startswith(f"{NEW_FILE}:") and "KLXT01" in row and "sites/den-xa-tac.yaml" in row
               for row in problem_lines(err)), err
    set_id(project, SITE, "KLXT01")  # the advice: the old id back, and a free one for the new file
    capsys.readouterr()
    assert main(["--root", str(project), "id", NEW]) == 0
    free = re.search(r"'id: ([A-Z0-9]+)'", capsys.readouterr().out).group(1)
    set_id(project, NEW_FILE, free)
    assert check(project, capsys)[0] == 0


def test_changing_an_issued_id_is_refused_until_the_old_plaque_is_retired_to_the_new(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_id(project, SITE, "KLXT02")
    code, err = check(project, capsys)
    assert code == 1
    (problem,) = problem_lines(err)
    assert problem.startswith(f"{SITE}:2:1: id: ") and "retired" in problem
    retire = re.search(r"'(- \{id: KLXT01, retired: [0-9-]+, to: KLXT02\})'", problem).group(1)
    with (project / "plaques.yaml").open("a", encoding="utf-8") as registry:
        registry.write(retire + "\n")
    assert check(project, capsys)[0] == 0
    assert main(["--root", str(project)]) == 0
    forward = (project / "site" / "Q" / "KLXT01" / "index.html").read_text(encoding="utf-8")
    assert "den-xa-tac" in forward


def test_the_commands_work_as_printed_in_a_new_terminal(project: Path) -> None:
    """No activated environment, a bare PATH: `./guide` finds the project's Python itself."""
    run = subprocess.run([str(ROOT / "guide"), "--lang", "vi", "check"], cwd=project, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(project)}, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "hợp lệ" in run.stdout


def test_setup_repairs_a_half_made_environment(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    assert subprocess.run([tmp_path / ".venv" / "bin" / "python", "-m", "pip", "--version"], capture_output=True).returncode
    subprocess.run(["bash", str(ROOT / "tools" / "venv.sh"), str(tmp_path), sys.executable], check=True, timeout=300)
    assert subprocess.run([tmp_path / ".venv" / "bin" / "python", "-m", "pip", "--version"], capture_output=True).returncode == 0


def test_a_cold_build_says_everything_in_the_volunteers_language(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "guide", share_cache=False)
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "vi"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    vietnamese = re.compile("[ăâđêôơưàảãáạầẩẫấậằẳẵắặèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]", re.I)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    assert lines and all(vietnamese.search(line) for line in lines), "\n".join(lines)


def test_the_preview_banner_is_large_and_in_a_font_with_vietnamese_marks(built, browser) -> None:
    import threading

    from generator.commands.server import GuideServer

    server = GuideServer(("127.0.0.1", 0), built.output)
    server.notice = "sites/den-xa-tac.yaml:3:5: name.vi: vẫn còn chữ mẫu (TODO) của tệp mới; hãy viết nội dung thật"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/vi/den-xa-tac/")
        style = page.eval_on_selector('[role="alert"]', "e => [getComputedStyle(e).fontSize, getComputedStyle(e).fontFamily]")
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert float(style[0].removesuffix("px")) >= 15
    assert "mono" not in style[1].lower() and "sans-serif" in style[1]


@pytest.mark.parametrize("text, line, says", [
    ("id: A1\rname:\r  vi: Giờ mở cửa: 8h\r", 3, "ngoặc kép"),  # line breaks of an old Mac editor
    ("body:\n  vi: |\n    \tmã nguồn dán từ Word\nslug: a: b\n", 4, "ngoặc kép"),  # a Tab inside a text is text
])
def test_the_advice_is_about_the_line_the_parser_stopped_at(text: str, line: int, says: str) -> None:
    from generator.messages import use_language

    use_language("vi")
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(text)
    assert (raised.value.line, says in raised.value.message, "Tab" in raised.value.message) == (line, True, False)


def rename_and_reuse(project: Path) -> None:
    """Đền Trần Hưng Đạo's page gets a longer address, and its old address goes to another temple, with its own id."""
    old = (project / "sites" / "den-tran-hung-dao.yaml").read_text(encoding="utf-8")
    (project / "sites" / "den-tran-hung-dao.yaml").unlink()
    (project / "sites" / "den-tran-hung-dao-yen-giang.yaml").write_text(
        old.replace("slug: den-tran-hung-dao\n", "slug: den-tran-hung-dao-yen-giang\n"), encoding="utf-8")
    other = re.sub(r"(?m)^id: .*$", "id: HLTHD1", old).replace("lat: 20.9388", "lat: 21.1900")
    (project / "sites" / "den-tran-hung-dao.yaml").write_text(other.replace("vi: Đền Trần Hưng Đạo\n",
                                                                            "vi: Đền Trần Hưng Đạo Hạ Long\n", 1),
                                                              encoding="utf-8")


def test_a_page_renamed_and_its_old_address_reused_passes_once_built_before(project: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project)]) == 0  # the last build remembers where each plaque led
    rename_and_reuse(project)
    assert main(["--root", str(project), "check"]) == 0, capsys.readouterr().err


def test_a_page_renamed_and_its_old_address_reused_without_history_asks_where_the_plaques_stand(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rename_and_reuse(project)
    code, err = check(project, capsys, lang="en")
    assert code == 1
    (problem,) = problem_lines(err)
    assert problem.startswith("sites/den-tran-hung-dao-yen-giang.yaml:") and "Where do they stand?" in problem
    registered = re.search(r"'(- \{id: YGTHD1, slug: den-tran-hung-dao-yen-giang, issued: [0-9-]+\})'", problem).group(1)
    with (project / "plaques.yaml").open("a", encoding="utf-8") as registry:
        registry.write(registered + "\n")  # the second way out: the plaques stand at this site
    assert check(project, capsys)[0] == 0


def test_an_id_for_a_slug_that_is_no_page_address_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "id", "Đình Yên"]) == 1
    assert "not a valid page address" in capsys.readouterr().err


def test_a_fresh_clone_has_nothing_to_update_in_translations_lock() -> None:
    """Otherwise the very first build tells a new volunteer that a file changed that she never touched."""

    from generator.source import translations

    lock = translations.read_lock(ROOT / translations.LOCK_FILE)
    _report, current = translations.report(load_guide(ROOT), lock)
    assert current == lock, "run ./guide check and commit translations.lock"
