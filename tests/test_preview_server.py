"""The preview server and `build.py serve`: loopback only unless told otherwise, nothing served from outside
its folder, a load of 2,000 requests 20 at a time without an error; any failure of a rebuild keeps the
last good build served with the problem in the banner; `serve` and `build` side by side corrupt nothing."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands import cli
from generator.commands.server import GuideServer, make_server, serve_in_background
from generator.web import integrity
from tests.conftest import ROOT
from tests.test_build import SITE_URL
from tests.test_volunteer import free_port, wait_for

SECRET = "the contents of a file outside the served folder"
BANNER = re.compile(rb'<link rel="stylesheet" href="/.guide-preview/notice.css"><div role="alert"[^>]*>.*?</div>', re.DOTALL)


def get(server: GuideServer, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)  # the path exactly as given
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "site"
    (folder / "vi").mkdir(parents=True)
    (folder / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (folder / "404.html").write_text("<html><body>not found</body></html>", encoding="utf-8")
    (folder / "vi" / "index.html").write_text("<html><body>vi</body></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET, encoding="utf-8")
    (folder / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    server = serve_in_background(folder)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd", "/..%2fsecret.txt",
    "/vi/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/link/secret.txt", "/link/", "/%00", "/vi/%00/",
    "/index.html%00.txt", "/vi%00", "//etc/passwd", "/%5c..%5csecret.txt",
])
def test_nothing_outside_the_folder_is_served(served: GuideServer, path: str) -> None:
    for method in ("GET", "HEAD"):
        status, body = get(served, path, method)
        assert status == 404, (method, path, status)
        assert SECRET.encode() not in body
    assert get(served, "/") == (200, b"<html><body>home</body></html>")  # and it still serves


def test_the_server_listens_on_loopback_unless_told_otherwise(served: GuideServer) -> None:
    assert served.server_address[0] == "127.0.0.1"
    assert cli.parser().parse_args(["serve"]).host == "127.0.0.1"
    server = make_server(Path(served.directory))
    try:
        assert server.server_address[0] == "127.0.0.1"
        others = {address[4][0] for address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        for address in others - {"127.0.0.1", "127.0.1.1"}:  # this machine's other addresses, if any
            with pytest.raises(OSError), socket.create_connection((address, server.server_address[1]), timeout=2):
                pass
    finally:
        server.server_close()


def test_two_thousand_requests_twenty_at_a_time(built: pipeline.BuildResult) -> None:
    """Pages (gzip and plain, with and without the preview's banner), assets, photos, folder redirects
    and 404s, as a phone and a busy preview ask for them."""
    server = serve_in_background(built.output)
    media = sorted(path.name for path in (built.output / "media").iterdir())
    requests = [
        ("/vi/den-xa-tac/", {"Accept-Encoding": "gzip"}, 200), ("/en/", {}, 200),
        ("/zh/search/index.json", {"Accept-Encoding": "gzip"}, 200),
        ("/assets/guide.css", {}, 200), (f"/media/{media[0]}", {}, 200), ("/Q/KL1368/", {}, 200), ("/vi", {}, 301),
        ("/nope/", {}, 404), ("/%2e%2e/%2e%2e/etc/passwd", {}, 404), ("/vi/%00", {}, 404),
    ]
    expected = {path: gzip.decompress(body) if headers else body
                for path, headers, status in requests if status == 200
                for body in [get(server, path, headers=headers)[1]]}

    def one(number: int) -> str:
        path, headers, status = requests[number % len(requests)]
        if number % 500 == 250:
            server.notice = "a problem shown in the banner" if server.notice is None else None
        try:
            got, body = get(server, path, headers=headers)
        except OSError as error:
            return f"{path}: {error!r}"
        if got != status:
            return f"{path}: {got}"
        if status == 200 and BANNER.sub(b"", gzip.decompress(body) if headers else body) != expected[path]:
            return f"{path}: other content"
        return "ok"

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = Counter(pool.map(one, range(2000)))
    finally:
        server.shutdown()
        server.server_close()
    print(f"2,000 requests, 20 at a time: {time.perf_counter() - started:.1f} s")
    assert outcomes == {"ok": 2000}


def start_serve(project: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "en", "serve",
                             "--port", str(port)], env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(server: subprocess.Popen[str]) -> tuple[str, str]:
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    return out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serve_keeps_the_last_good_build_on_any_error(project: Path) -> None:
    """Not a mistake in a site file: the build cannot write its work folder (as with a full disk or a
    read-only folder). The page keeps the last good build under a banner; fixed, the banner goes."""
    port = free_port()
    server = start_serve(project, port)
    page_url = f"http://127.0.0.1:{port}/en/den-xa-tac/"
    site = project / "sites" / "den-xa-tac.yaml"
    work = project / pipeline.WORK_FOLDER / "addresses"
    try:
        wait_for(page_url, lambda page: "Xã Tắc Temple" in page)
        shutil.rmtree(work)
        work.write_text("not a folder", encoding="utf-8")
        edit(site, "en: Xã Tắc Temple", "en: Xa Tac Temple (edited)")
        page = wait_for(page_url, lambda page: 'role="alert"' in page)
        assert "the build stopped: " in page and "Xã Tắc Temple" in page  # the last good build, with the problem

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/en/%00")
        assert connection.getresponse().status == 404
        connection.close()

        work.unlink()
        edit(site, "(edited)", "(edited again)")
        wait_for(page_url, lambda page: 'role="alert"' not in page and "Xa Tac Temple (edited again)" in page)
    finally:
        out, err = stop(server)
    assert "the build stopped: " in out + err
    assert "Traceback" not in out + err


def test_serve_and_build_at_the_same_time_corrupt_nothing(project: Path) -> None:
    """Real processes: a preview rebuilding after every edit, and `build.py` run again and again beside
    it. Each build either runs or says that another one is running; a visitor of the preview never
    gets an error; the registry only gains whole lines; the final site is whole."""
    port = free_port()
    server = start_serve(project, port)
    page_url = f"http://127.0.0.1:{port}/vi/den-xa-tac/"
    site = project / "sites" / "den-xa-tac.yaml"
    failures: list[str] = []
    stopping = threading.Event()

    def visitor() -> None:
        while not stopping.is_set():
            for path in ("/vi/den-xa-tac/", "/en/", "/Q/KL1368/", "/assets/guide.css"):
                try:
                    status, _body = get_url(port, path)
                except OSError as error:
                    failures.append(f"{path}: {error!r}")
                    continue
                if status != 200:
                    failures.append(f"{path}: {status}")

    outcomes: Counter[str] = Counter()
    reader = threading.Thread(target=visitor)
    try:
        wait_for(page_url, lambda page: "Đền Xã Tắc" in page)
        reader.start()
        registry_before = (project / "plaques.yaml").read_bytes()
        for round_ in range(6):
            edit(site, "vi: Đền Xã Tắc" if round_ == 0 else f"vi: Đền Xã Tắc {round_ - 1}", f"vi: Đền Xã Tắc {round_}")
            new = project / "sites" / f"moc-{round_}.yaml"
            new.write_text((project / "sites" / "cot-moc-1368.yaml").read_text(encoding="utf-8")
                           .replace("id: KL1368", f"id: BOTH{round_}").replace("slug: cot-moc-1368", f"slug: moc-{round_}"),
                           encoding="utf-8")
            time.sleep(0.3 * (round_ % 3))  # sometimes while the preview builds, sometimes after
            build = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project), "--lang", "en", "build"],
                                   env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
            assert "Traceback" not in build.stderr
            if build.returncode == 0:
                outcomes["built"] += 1
            else:
                assert "another build of this guide is running" in build.stderr, build.stderr
                outcomes["refused while the preview built"] += 1
        wait_for(page_url, lambda page: "Đền Xã Tắc 5" in page and 'role="alert"' not in page)
    finally:
        stopping.set()
        if reader.is_alive():
            reader.join()
        out, err = stop(server)
    print(dict(outcomes))
    assert "Traceback" not in out + err
    assert failures == []
    final = subprocess.run([sys.executable, str(ROOT / "build.py"), "--root", str(project), "build"],
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    registry_now = (project / "plaques.yaml").read_bytes()
    assert registry_now.startswith(registry_before)
    assert all(f"id: BOTH{round_}, slug: moc-{round_}".encode() in registry_now for round_ in range(6))
    assert integrity.check(project / "site", SITE_URL) == []


def get_url(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_folder_that_cannot_be_written_is_one_line_not_a_traceback(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command line, like serve: an operating-system failure (here: --output under a file) is reported
    in one line, and exits 1."""
    (project / "taken").write_text("a file, not a folder", encoding="utf-8")

    assert cli.main(["--root", str(project), "build", "--output", str(project / "taken" / "site")]) == 1

    err = capsys.readouterr().err
    assert f"\nthe build stopped: File exists: {project / 'taken'}\n" in err
    assert "Traceback" not in err


def chattr(path: Path, flag: str) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0 if shutil.which("chattr") else False


@pytest.fixture
def immutable(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Make folders undeletable and unrenamable, even for root (as a read-only disk or a locked folder
    would be for a user); every one made so is released after the test."""
    made: list[Path] = []
    probe = tmp_path / "probe"
    probe.mkdir()
    if not chattr(probe, "+i"):
        pytest.skip("chattr +i needs root and a file system that has it")
    chattr(probe, "-i")

    def make(path: Path) -> None:
        assert chattr(path, "+i")
        made.append(path)

    yield make
    for path in made:
        chattr(path, "-i")


def test_an_unreplaceable_old_site_is_one_line_and_kept(project: Path, immutable, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["--root", str(project), "build"]) == 0
    immutable(project / "site")
    edit(project / "sites" / "den-xa-tac.yaml", "en: Xã Tắc Temple", "en: Xa Tac Temple (edited)")
    capsys.readouterr()

    assert cli.main(["--root", str(project), "build"]) == 1

    err = capsys.readouterr().err
    assert f"the build stopped: Operation not permitted: {project / 'site'}" in err and "Traceback" not in err
    assert "Xã Tắc Temple" in (project / "site" / "en" / "den-xa-tac" / "index.html").read_text(encoding="utf-8")
    assert not list(project.glob(".site.building-*"))


def test_an_undeletable_old_site_is_replaced_and_removed_later(project: Path, immutable) -> None:  # type: ignore[no-untyped-def]
    pipeline.build(project)
    locked = project / "site" / "vi" / "den-xa-tac"
    immutable(locked)  # its page cannot be deleted: the old site cannot be removed whole
    edit(project / "sites" / "den-xa-tac.yaml", "en: Xã Tắc Temple", "en: Xa Tac Temple (edited)")

    pipeline.build(project)

    assert "Xa Tac Temple (edited)" in (project / "site" / "en" / "den-xa-tac" / "index.html").read_text(encoding="utf-8")
    chattr(next(project.glob(".site.building-*/vi/den-xa-tac")), "-i")
    edit(project / "sites" / "den-xa-tac.yaml", "(edited)", "(edited again)")
    pipeline.build(project)
    deadline = time.monotonic() + 30
    while list(project.glob(".site.building-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(project.glob(".site.building-*"))


def test_serve_keeps_serving_when_the_old_site_cannot_be_replaced(project: Path, immutable) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = start_serve(project, port)
    page_url = f"http://127.0.0.1:{port}/en/den-xa-tac/"
    site = project / "sites" / "den-xa-tac.yaml"
    try:
        wait_for(page_url, lambda page: "Xã Tắc Temple" in page)
        immutable(project / "site")
        edit(site, "en: Xã Tắc Temple", "en: Xa Tac Temple (edited)")
        page = wait_for(page_url, lambda page: 'role="alert"' in page)
        assert "the build stopped: Operation not permitted" in page and "Xã Tắc Temple" in page
        chattr(project / "site", "-i")
        edit(site, "(edited)", "(edited again)")
        wait_for(page_url, lambda page: 'role="alert"' not in page and "Xa Tac Temple (edited again)" in page)
    finally:
        chattr(project / "site", "-i")
        out, err = stop(server)
    assert "Traceback" not in out + err
