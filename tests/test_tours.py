"""What the seeds' QR pages carry (issue 15): an overview video with subtitles in every language and a VR360 tour,
in real headless Chromium at a phone's size (WebGL through SwiftShader), on the sample build."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands.cli import main
from generator.media import panorama, video
from generator.source import translations
from generator.source.load import load_guide
from generator.web.pages import OFFLINE_FILE
from tests.conftest import CHROMIUM_ARGS, chromium, copy_project, served, wait_until_cached

SITE = "sites/den-xa-tac.yaml"
PAGE = "vi/den-xa-tac/"
PHONE = {"width": 412, "height": 915}
WEBGL = [*CHROMIUM_ARGS, "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]  # software WebGL, as on a server


@pytest.fixture(scope="module")
def base_url(built) -> Iterator[str]:
    yield from served(Path(built.output))


@pytest.fixture(scope="module")
def webgl_browser():
    yield from chromium(WEBGL)


class Visit:
    """A page in a fresh context with service workers blocked (as in Zalo's in-app browser): every request
    it makes and every Content-Security-Policy violation it reports."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(viewport=PHONE, service_workers="block", is_mobile=True, has_touch=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.violations: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.violations.append(message.text)
                     if "Content Security Policy" in message.text else None)
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")

    def fetched(self, pattern: str) -> list[str]:
        return [url for url in self.requests if re.search(pattern, url)]

    def close(self) -> None:
        self.context.close()


def test_before_a_tap_only_the_poster_and_the_default_subtitles_are_fetched(webgl_browser, base_url: str) -> None:
    for language in ("vi", "en", "zh"):
        visit = Visit(webgl_browser, f"{base_url}{language}/den-xa-tac/")
        try:
            assert not visit.fetched(r"pannellum|equirectangular|cubemap|-(front|back|up|down|left|right)\.webp|\.mp4"), \
                visit.requests
            assert len(visit.fetched(r"-poster\.webp$")) == 1
            assert visit.fetched(r"\.vtt$") == visit.fetched(rf"-{language}\.vtt$") and len(visit.fetched(r"\.vtt$")) == 1
            assert not visit.violations
        finally:
            visit.close()


def test_the_video_plays_on_phones_and_shows_subtitles_in_every_language(webgl_browser, base_url: str) -> None:
    visit = Visit(webgl_browser, base_url + PAGE)
    try:
        page = visit.page
        assert page.evaluate("""() => document.createElement('video')
            .canPlayType('video/mp4; codecs="avc1.64001e, mp4a.40.2"')""") == "probably"
        tracks = page.eval_on_selector_all("video track", "ts => ts.map(t => [t.srclang, t.default])")
        assert tracks == [["vi", True], ["en", False], ["zh-Hans", False]]
        cues = page.evaluate("""async () => {
            const video = document.querySelector('video');
            const found = {};
            for (const track of video.textTracks) {
                track.mode = 'showing';
                for (let i = 0; i < 50 && !(track.cues && track.cues.length); i++) await new Promise(r => setTimeout(r, 100));
                found[track.language] = Array.from(track.cues || []).map(c => c.text);
            }
            return found;
        }""")
        assert "Đền Xã Tắc bên sông Ka Long" in cues["vi"][0]
        assert "Xã Tắc Temple" in cues["en"][0] and "社稷庙" in cues["zh-Hans"][0]
        size = page.text_content(".guide-video-size")
        assert re.search(r"8 giây, 0,\d MB", size), size
        assert not visit.violations
    finally:
        visit.close()


def scene_shown(page) -> str:
    return page.eval_on_selector_all(".guide-tour-exits", "navs => navs.filter(n => !n.hidden).map(n => n.dataset.guideScene)")


def test_the_tour_opens_on_a_tap_and_its_ways_on_work_by_touch_and_by_keyboard(webgl_browser, base_url: str) -> None:
    visit = Visit(webgl_browser, base_url + PAGE)
    try:
        page = visit.page
        page.click(".guide-tour-open")
        page.wait_for_selector(".guide-tour-viewer canvas", state="attached")
        page.wait_for_function("() => !document.querySelector('.pnlm-load-box') || "
                               "getComputedStyle(document.querySelector('.pnlm-load-box')).display === 'none'")
        assert visit.fetched(r"pannellum\.[0-9a-f]{8}\.min\.js$") and visit.fetched(r"equirectangular\.webp$")
        from io import BytesIO

        from PIL import Image, ImageStat

        def contrast() -> float:  # sky, hills, ground: not blank once the first scene is drawn
            shot = page.locator(".guide-tour-viewer").screenshot()
            return max(ImageStat.Stat(Image.open(BytesIO(shot)).convert("RGB")).stddev)

        for _ in range(50):  # software WebGL on a busy machine may take seconds to draw
            if contrast() > 10:
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError("the first scene did not render")
        assert scene_shown(page) == ["cong-den"]
        page.click(".pnlm-hotspot-base.pnlm-scene")  # the viewer's own hotspot
        page.wait_for_function("() => !document.querySelector('[data-guide-scene=san-den]').hidden")
        assert scene_shown(page) == ["san-den"]
        button = page.locator("[data-guide-scene=san-den] [data-guide-go=cong-den]")
        button.focus()
        page.keyboard.press("Enter")  # the same way on, as a real button
        page.wait_for_function("() => !document.querySelector('[data-guide-scene=cong-den]').hidden")
        assert scene_shown(page) == ["cong-den"]
        assert not visit.violations
    finally:
        visit.close()


def test_a_second_build_encodes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ffmpeg gone and the panorama mapper broken, an edited guide still builds: both came from the cache."""
    project = copy_project(tmp_path / "guide", share_cache=False)
    pipeline.build(project)
    monkeypatch.setattr(video, "FFMPEG", str(tmp_path / "no-ffmpeg"))
    monkeypatch.setattr(video, "FFPROBE", str(tmp_path / "no-ffprobe"))
    monkeypatch.setattr(panorama, "_encode", lambda *args: pytest.fail("a panorama was encoded again"))
    site = project / SITE
    site.write_text(site.read_text(encoding="utf-8").replace("Ngôi đền cổ", "Ngôi đền rất cổ", 1), encoding="utf-8")
    result = pipeline.build(project)
    assert "rất cổ" in (result.output / PAGE / "index.html").read_text(encoding="utf-8")


def edit(project: Path, old: str, new: str) -> int:
    """Replace `old` in the sample (once); the line it is on."""
    path = project / SITE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_hotspot_to_no_scene_is_named_with_its_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = edit(project, "      - to: san-den", "      - to: san-dinh")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert f"{SITE}:{line}:" in err and "panoramas[0].hotspots[0].to: 'san-dinh' is not another scene" in err
    assert "did you mean 'san-den'?" in err


def test_a_panorama_that_is_not_two_to_one_is_named_with_its_line(project: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    Image.new("RGB", (1600, 1067), (90, 120, 160)).save(project / "media" / "den-xa-tac" / "flat.jpg")
    line = edit(project, "    file: den-xa-tac/cong-den-360.jpg", "    file: den-xa-tac/flat.jpg")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"^{re.escape(SITE)}:{line}:\d+: panoramas\[0\]\.file: .*1600 × 1067", err, re.M), err


def test_the_translation_report_counts_missing_subtitles_and_scene_titles(project: Path) -> None:
    edit(project, "    zh: den-xa-tac/phu-de-zh.vtt\n", "")
    edit(project, "      zh: 庙门（360°示意图）\n", "")
    report, _changed = translations.update(load_guide(project))
    rows = {slug: cells for _organisation, group in report.groups for slug, cells in group}
    assert "video.subtitles" in rows["den-xa-tac"]["zh"].missing
    assert "panoramas[0].title" in rows["den-xa-tac"]["zh"].missing
    assert "video.subtitles" not in rows["den-xa-tac"]["en"].missing


def test_the_viewer_is_published_under_hashed_names_and_area_saves_leave_videos_out(built) -> None:
    assets = sorted(path.name for path in (Path(built.output) / "assets").glob("pannellum.*"))
    assert len(assets) == 2 and all(re.fullmatch(r"pannellum\.[0-9a-f]{8}\.min\.(js|css)", name) for name in assets)
    assert not list(Path(built.output).rglob("node_modules"))
    lists = [json.loads(path.read_text(encoding="utf-8")) for path in Path(built.output).glob(f"*/area/*/{OFFLINE_FILE}")]
    assert lists and not [url for area in lists for url in area["urls"] if url.endswith((".mp4", ".vtt"))]


def test_a_tour_opened_once_opens_again_without_signal(webgl_browser, base_url: str) -> None:
    """With the service worker (a phone's own browser): the viewer and the pictures it loaded stay; a video is
    never stored."""
    context = webgl_browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + PAGE)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.click(".guide-tour-open")
        page.wait_for_selector(".guide-tour-viewer canvas", state="attached")
        page.evaluate("async () => { await fetch(document.querySelector('video source').src); }")  # as a player asks
        stored = wait_until_cached(page, lambda urls: any("equirectangular" in url for url in urls))
        assert not [url for url in stored if url.endswith(".mp4")]

        context.set_offline(True)
        offline = context.new_page()
        failed: list[str] = []
        offline.on("requestfailed", lambda request: failed.append(request.url))
        offline.goto(base_url + PAGE)
        offline.click(".guide-tour-open")
        offline.wait_for_selector(".guide-tour-viewer canvas", state="attached")
        offline.wait_for_function("() => !document.querySelector('.pnlm-load-box') || "
                                  "getComputedStyle(document.querySelector('.pnlm-load-box')).display === 'none'")
        assert not [url for url in failed if re.search(r"pannellum|equirectangular", url)], failed
        assert offline.is_hidden(".pnlm-error-msg") or not offline.query_selector(".pnlm-error-msg")
    finally:
        context.close()


def test_a_broken_poster_or_subtitle_file_is_named_where_the_site_file_names_it(project: Path,
                                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    poster = project / "media" / "den-xa-tac" / "poster.jpg"
    Image.new("RGB", (854, 480), (90, 60, 30)).save(poster)
    poster.write_bytes(poster.read_bytes()[:600])  # cut short in the copying
    line = edit(project, "  illustration: true\npanoramas:", "  poster: den-xa-tac/poster.jpg\n  illustration: true\npanoramas:")
    (project / "media" / "den-xa-tac" / "phu-de-en.vtt").write_text("WEBVTT\n\n00:00:04.000 --> 00:00:01.000\nHi\n",
                                                                    encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    err = capsys.readouterr().err
    subtitles = next(n for n, row in enumerate((project / SITE).read_text(encoding="utf-8").splitlines(), 1)
                     if "en: den-xa-tac/phu-de-en.vtt" in row)
    poster_problem = rf"^{re.escape(SITE)}:{line}:\d+: video\.poster: media/den-xa-tac/poster\.jpg cannot be used"
    assert re.search(poster_problem, err, re.M), err
    assert re.search(rf"^{re.escape(SITE)}:{subtitles}:\d+: video\.subtitles\.en: media/den-xa-tac/phu-de-en\.vtt "
                     r"cannot be used: .*line 3", err, re.M), err


def test_the_viewers_own_words_are_in_the_readers_language(built) -> None:
    page = (Path(built.output) / "zh" / "den-xa-tac" / "index.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r'<script type="application/json" class="guide-tour-config">(.*?)</script>', page, re.S)[1])
    words = config["default"]["strings"]
    assert set(words) >= {"loadingLabel", "genericWebGLError", "fileAccessError"}
    for text in words.values():  # Chinese, but for WebGL's name and the file name Pannellum puts in (%s)
        latin = re.search(r"[A-Za-z]", text.replace("WebGL", "").replace("%s", ""))
        assert re.search(r"[\u4e00-\u9fff]", text) and not latin, text


def test_a_page_with_a_video_and_a_tour_keeps_the_first_visit_budget(webgl_browser, base_url: str) -> None:
    """The poster, the reader's subtitles and the tour's preview are all that is added before a tap."""
    from tests.test_search import FIRST_VISIT_BUDGET, Traffic

    context = webgl_browser.new_context(viewport=PHONE, service_workers="block", is_mobile=True, device_scale_factor=3)
    try:
        page = context.new_page()
        traffic = Traffic(page)
        page.goto(base_url + PAGE, wait_until="networkidle")
        sizes = traffic.take()
    finally:
        context.close()
    print(f"first visit of {PAGE} with a video and a tour: {sum(sizes.values())} bytes")
    assert sum(sizes.values()) <= FIRST_VISIT_BUDGET, sorted(sizes.items(), key=lambda item: -item[1])[:8]
