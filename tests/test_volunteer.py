"""The volunteer workflow: start a site, check translations, read messages in Vietnamese, preview."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from generator.commands.cli import main
from generator.source import translations
from generator.source.load import load_guide
from tests.conftest import ROOT


def test_new_writes_a_complete_commented_file_and_never_overwrites(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--root", str(project), "new", "dinh-yen-giang", "--name", "Đình Yên Giang", "--category",
            "communal-house", "--area", "Quảng Yên"]

    assert main(args) == 0

    path = project / "sites" / "dinh-yen-giang.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    model_fields = set(yaml.safe_load((ROOT / "schema" / "site.schema.json").read_text())["properties"])
    assert model_fields - {"practical", "status_note"} <= set(data)  # every field present (two as comments)
    assert data["name"] == {"vi": "Đình Yên Giang"} and data["category"] == "communal-house"
    existing = {yaml.safe_load(p.read_text(encoding="utf-8"))["id"] for p in (project / "sites").glob("*.yaml")
                if p != path}
    assert data["id"] not in existing and data["id"] == "DYG01"
    assert (project / "media" / "dinh-yen-giang").is_dir()
    text = path.read_text(encoding="utf-8")
    assert "# Tên di tích / Name of the site" in text  # commented in Vietnamese and English

    # Not valid until filled in: check says what is left, in plain words.
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert "sites/dinh-yen-giang.yaml" in err and "summary.vi: still has the placeholder text" in err
    assert "location.lat: expected a number like 21.5334, got nothing" in err

    path.write_text("mine\n", encoding="utf-8")
    assert main(args) == 1
    assert "already exists; nothing was changed" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_translation_report_rows_and_out_of_date_tracking(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "check"]) == 0  # records what every translation was made from
    site = project / "sites" / "den-xa-tac.yaml"
    text = site.read_text(encoding="utf-8")
    # The Vietnamese summary changes; English and Chinese do not: both are now out of date.
    text = text.replace("\nsummary:\n  vi: ", "\nsummary:\n  vi: Đã sửa. ", 1)
    # The Chinese name is removed: missing.
    start = text.index("  zh:", text.index("\nname:"))
    text = text[:start] + text[text.index("\n", start) + 1:]
    site.write_text(text, encoding="utf-8")
    marker = project / "sites" / "cot-moc-1368.yaml"
    marker.write_text(marker.read_text(encoding="utf-8").replace("  zh: cot-moc-1368/narration-zh.mp3\n", ""),
                      encoding="utf-8")

    assert main(["--root", str(project), "check", "--report", str(project / "report.html")]) == 0

    out = capsys.readouterr().out
    rows = {line.split("|")[0].strip(): [cell.strip() for cell in line.split("|")[1:]] for line in out.splitlines()
            if "|" in line}
    assert rows["den-xa-tac"] == ["vi: complete", "en: out of date: summary", "zh: missing: name; out of date: summary"]
    assert rows["cot-moc-1368"] == ["vi: complete", "en: complete", "zh: missing: audio"]
    assert rows["den-tran-hung-dao"] == ["vi: complete", "en: complete", "zh: complete"]
    page = (project / "report.html").read_text(encoding="utf-8")
    assert "<th>den-xa-tac</th>" in page and "out of date: summary" in page

    # Translating again (editing the English summary) clears "out of date" without any bookkeeping.
    text = site.read_text(encoding="utf-8")
    start = text.index("\n  en: ", text.index("\nsummary:"))
    site.write_text(text[:start] + "\n  en: Updated." + text[start + len("\n  en:"):], encoding="utf-8")
    report, _changed = translations.update(load_guide(project))
    cells = dict(report.rows)["den-xa-tac"]
    assert cells["en"].outdated == () and cells["zh"].outdated == ("summary",)


def test_messages_follow_lang_option_and_locale(project: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site = project / "sites" / "cot-moc-1368.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("lat: 21.5392", "lat: 121.5392"), encoding="utf-8")

    assert main(["--root", str(project), "--lang", "vi", "check"]) == 1
    vietnamese = capsys.readouterr().err
    assert "location.lat: phải nhỏ hơn hoặc bằng 90 (đang là 121.5392)" in vietnamese
    assert "Tìm thấy 1 lỗi; chưa tạo hay thay đổi gì." in vietnamese

    assert main(["--root", str(project), "--lang", "en", "check"]) == 1
    assert "location.lat: must be at most 90 (got 121.5392)" in capsys.readouterr().err

    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert main(["--root", str(project), "check"]) == 1
    assert "phải nhỏ hơn hoặc bằng 90" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError):
        return ""


def wait_for(url: str, condition, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = fetch(url)
        if condition(page):
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed what was expected; last page:\n{page[:2000]}")


def start(project: Path, command: str) -> tuple[subprocess.Popen, int]:
    """`build.py serve` or `edit` on `project`, as a volunteer runs it, on a free port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "en", command,
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), port


def stop(server: subprocess.Popen) -> tuple[str, str]:
    """Ctrl+C, as a volunteer stops it; what it printed (stdout, stderr)."""
    server.send_signal(signal.SIGINT)
    return server.communicate(timeout=30)


def test_serve_rebuilds_shows_errors_and_keeps_the_last_good_page(project: Path) -> None:
    server, port = start(project, "serve")
    page_url = f"http://127.0.0.1:{port}/en/den-xa-tac/"
    site = project / "sites" / "den-xa-tac.yaml"
    try:
        wait_for(page_url, lambda page: "Xã Tắc Temple" in page)

        site.write_text(site.read_text(encoding="utf-8").replace("en: Xã Tắc Temple", "en: Xa Tac Temple (edited)"),
                        encoding="utf-8")
        wait_for(page_url, lambda page: "Xa Tac Temple (edited)" in page)

        good = site.read_text(encoding="utf-8")
        site.write_text(good.replace("slug: den-xa-tac", "slug: [den-xa-tac"), encoding="utf-8")
        page = wait_for(page_url, lambda page: 'role="alert"' in page)
        assert "sites/den-xa-tac.yaml:3:" in page and "not valid YAML" in page
        assert "Xa Tac Temple (edited)" in page  # the last good build is still served

        site.write_text(good, encoding="utf-8")
        wait_for(page_url, lambda page: 'role="alert"' not in page and "Xa Tac Temple (edited)" in page)
    finally:
        out, err = stop(server)
    assert server.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
    assert "sites/den-xa-tac.yaml:3:" in out + err  # the error was shown in the terminal too
    assert "Traceback" not in out + err


def test_edit_puts_a_form_save_back_into_the_file_as_it_was(project: Path) -> None:
    """`edit` is `serve` with the form on this folder: a whole-file save (comments gone, quotes and blocks
    rewritten) is merged back before the rebuild, so the file keeps every line but the edited one."""
    server, port = start(project, "edit")
    page_url = f"http://127.0.0.1:{port}/en/den-xa-tac/"
    site = project / "sites" / "den-xa-tac.yaml"
    before = site.read_text(encoding="utf-8")
    try:
        wait_for(page_url, lambda page: "Xã Tắc Temple" in page)
        data = yaml.safe_load(before)
        data["name"]["en"] = "Xa Tac Temple (from the form)"
        site.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        wait_for(page_url, lambda page: "Xa Tac Temple (from the form)" in page)
    finally:
        out, err = stop(server)
    assert server.returncode == 0, err
    after = site.read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        "  en: Xa Tac Temple (from the form)"]
    assert len(after.splitlines()) == len(before.splitlines())  # comments and blocks back where they were
    assert "sites/den-xa-tac.yaml" in out and "admin/" in out
