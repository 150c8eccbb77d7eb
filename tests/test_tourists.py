"""What the tourists who read the built samples on a phone found (issue 16), checked in the built pages
and in real Chromium at 390×844: map links that open where they are, lengths in words, nearby that is
near, the interface in the reader's language, a 404 page with a way on, and targets a thumb can hit.

Expected values come from the project files (mkdocs.yml, sites/*.yaml, media/) and from the services'
documented address formats, never from the generator.
"""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import mutagen
import pytest
import yaml

from generator import pipeline
from generator.commands.server import serve_in_background
from tests.conftest import ROOT, copy_project

PHONE = {"width": 390, "height": 844}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36")
CONFIG = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SETTINGS = CONFIG["extra"]["guide"]
LANGUAGES = tuple(SETTINGS["languages"])
SITES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}


def read(output: Path, page: str) -> str:
    return (output / page / "index.html").read_text(encoding="utf-8")


def map_links(html: str) -> list[tuple[str, str, bool]]:
    """(service, href, hidden) of each directions button, in page order."""
    section = re.search(r'<p class="guide-maps">(.*?)</p>', html, re.S).group(1)
    return [(service, href.replace("&amp;", "&"), " hidden" in rest)
            for href, service, rest in re.findall(r'<a [^>]*href="([^"]+)" data-guide-map="([a-z]+)"([^>]*)>', section)]


def name_in(site: dict, language: str) -> str:
    return site["name"].get(language, site["name"][SETTINGS["default_language"]])


# --- Directions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", list(SITES))
def test_every_map_link_has_the_format_its_service_documents(built: pipeline.BuildResult, language: str, slug: str) -> None:
    site = SITES[slug]
    lat, lon, name = site["location"]["lat"], site["location"]["lon"], name_in(site, language)
    links = map_links(read(built.output, f"{language}/{slug}/"))
    services = [service for service, _href, _hidden in links]
    assert {"apple", "google", "osm", "geo"} <= set(services)
    if language == "zh":  # Google is blocked in mainland China: Amap and Baidu come first
        assert services[:2] == ["amap", "baidu"]
    else:
        assert not {"amap", "baidu"} & set(services)
    assert services[-1] == "geo" and links[-1][2]  # only where the phone opens it (shown by the script)
    for service, href, _hidden in links:
        parts = urlsplit(href)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if service == "amap":  # https://lbs.amap.com/api/uri-api/guide/mobile-web/point
            assert (parts.scheme, parts.netloc, parts.path) == ("https", "uri.amap.com", "/marker")
            assert tuple(map(float, query["position"].split(","))) == (lon, lat)  # longitude first
            assert query["coordinate"] == "wgs84" and query["name"] == name
        elif service == "baidu":  # https://lbsyun.baidu.com/faq/api?title=webapi/uri/web
            assert (parts.scheme, parts.netloc, parts.path) == ("https", "api.map.baidu.com", "/marker")
            assert tuple(map(float, query["location"].split(","))) == (lat, lon)
            assert query["coord_type"] == "wgs84" and query["title"] == name and query["output"] == "html"
            assert re.fullmatch(r"webapp\.[\w.-]+", query["src"])
        elif service == "apple":  # https://developer.apple.com/library/archive/featuredarticles/iPhoneURLScheme_Reference/MapLinks/MapLinks.html
            assert (parts.scheme, parts.netloc) == ("https", "maps.apple.com")
            assert tuple(map(float, query["ll"].split(","))) == (lat, lon) and query["q"] == name
        elif service == "google":  # https://developers.google.com/maps/documentation/urls/get-started
            assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.google.com", "/maps/search/")
            assert query["api"] == "1" and tuple(map(float, query["query"].split(","))) == (lat, lon)
        elif service == "osm":
            assert (parts.scheme, parts.netloc) == ("https", "www.openstreetmap.org")
            assert (float(query["mlat"]), float(query["mlon"])) == (lat, lon)
        else:  # RFC 5870, with Android's label in brackets
            point, label = re.fullmatch(r"geo:([^?]+)\?q=[^()]+\((.*)\)", href).groups()
            assert tuple(map(float, point.split(","))) == (lat, lon) and unquote(label) == name



@pytest.fixture(scope="module")
def base(built: pipeline.BuildResult):
    server = serve_in_background(built.output)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def phone(browser):
    """A fresh phone-sized page with service workers blocked, as in an in-app browser."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(viewport=PHONE, service_workers="block", **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def visible_maps(page) -> list[str]:
    return page.eval_on_selector_all(".guide-maps a", "links => links.filter(a => !a.hidden).map(a => a.dataset.guideMap)")


@pytest.mark.parametrize("agent, language, first", [
    (IPHONE, "vi", "apple"), (IPHONE, "en", "apple"), (ANDROID, "vi", "geo"), (ANDROID, "zh", "geo"),
    (None, "zh", "amap"), (None, "en", "google"),
])
def test_the_phone_gets_the_map_app_it_opens_first(phone, base: str, agent: str | None, language: str, first: str) -> None:
    page = phone(**({"user_agent": agent} if agent else {}))
    page.goto(base + f"{language}/den-xa-tac/")
    shown = visible_maps(page)
    assert shown[0] == first
    assert ("geo" in shown) == (agent == ANDROID)  # iPhone Safari cannot open geo:
    if language == "zh":
        assert {"amap", "baidu"} <= set(shown)
    primary = page.locator(".guide-maps .md-button--primary")
    assert primary.count() == 1 and primary.get_attribute("data-guide-map") == first


# --- Lengths and narration ----------------------------------------------------------------------------

SECONDS = {"vi": "{} giây", "en": "{} sec", "zh": "{}秒"}  # CLDR's short units, as each language abbreviates


@pytest.mark.parametrize("language", LANGUAGES)
def test_narration_length_reads_in_words_of_the_language(phone, base: str, language: str) -> None:
    for slug, site in SITES.items():
        if language not in site.get("audio", {}):
            continue
        seconds = round(mutagen.File(ROOT / "media" / site["audio"][language]).info.length)
        assert seconds < 60  # the samples are short recordings
        page = phone(locale=language)
        page.goto(base + f"{language}/{slug}/")
        line = page.locator(".guide-audio-size").inner_text()
        assert SECONDS[language].format(seconds) in line
        assert not re.search(r"\d:\d\d", line)  # never "0:18 min"
        reads_text = site.get("audio_reads_text", False)
        heading = page.locator("#listen").inner_text()
        # What the recording is: the text below only when the site file says so.
        assert ({"vi": "bài viết bên dưới", "en": "text below", "zh": "下方文字"}[language] in line) == reads_text
        assert ({"vi": "giới thiệu", "en": "introduction", "zh": "简介"}[language] in heading) == (not reads_text)


# --- Nearby -------------------------------------------------------------------------------------------


def haversine_km(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def nearby_names(html: str) -> list[str]:
    section = re.search(r'<section class="guide-nearby".*?</section>', html, re.S).group(0)
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', section)


@pytest.mark.parametrize("language", LANGUAGES)
def test_nearby_lists_only_sites_within_the_radius(built: pipeline.BuildResult, language: str) -> None:
    radius = SETTINGS.get("nearby_km", 10)
    for slug, site in SITES.items():
        html = read(built.output, f"{language}/{slug}/")
        listed = nearby_names(html)
        within = {name_in(other, language) for other_slug, other in SITES.items()
                  if other_slug != slug and haversine_km(site["location"], other["location"]) <= radius}
        assert set(listed) == within  # with three sites, every one within the radius is among the three nearest
        if not within:
            assert {"vi": "Chưa có di tích nào khác", "en": "No other sites", "zh": "暂无其他遗迹"}[language] in html


def test_a_site_alone_says_so_and_walking_time_shows_under_2_km(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "guide")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(re.sub(r"nearby_km: [\d.]+", "nearby_km: 1", config), encoding="utf-8")
    output = pipeline.build(root).output
    pairs = [(a, b, haversine_km(SITES[a]["location"], SITES[b]["location"])) for a in SITES for b in SITES if a != b]
    close = [(a, b, km) for a, b, km in pairs if km <= 1]
    assert close and any(km > 1 for _a, _b, km in pairs)  # the samples have both cases
    for slug in SITES:
        html = read(output, f"en/{slug}/")
        neighbours = [b for a, b, _km in close if a == slug]
        assert nearby_names(html) == [name_in(SITES[b], "en") for b in neighbours]
        if neighbours:
            assert "on foot" in re.search(r'<section class="guide-nearby".*?</section>', html, re.S).group(0)
        else:
            assert "No other sites within 1 km yet." in html


# --- The next festival --------------------------------------------------------------------------------


def test_festival_shows_its_next_days_in_the_gregorian_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Bạch Đằng festival (8th day of the 3rd lunar month) fell on 5 April 2025 (Quảng Yên's festival
    programme: 6-9/3 Ất Tỵ = 3-6 April 2025); a page built on 1 January 2025 says so, in each language."""
    slug = next(slug for slug, site in SITES.items()
                if (site.get("practical") or {}).get("festival_lunar") == {"month": 3, "day": 8})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC).timestamp())))
    output = pipeline.build(copy_project(tmp_path / "guide")).output
    for language, words in {"vi": "5 tháng 4, 2025", "en": "April 5, 2025", "zh": "2025年4月5日"}.items():
        dates = re.findall(r'<time datetime="([\d-]+)">([^<]+)</time>', read(output, f"{language}/{slug}/"))
        assert dates[0][0] == "2025-04-05" and words in dates[0][1]
        # The next one is 8/3 Bính Ngọ (the programme of 2026: 24 April), then one a year.
        assert [day for day, _text in dates][:2] == ["2025-04-05", "2026-04-24"]
        assert [day for day, _text in dates] == sorted(day for day, _text in dates)


# --- Every word in the reader's language --------------------------------------------------------------

# Text nodes outside volunteer content (each marked with its language, or isolated in <bdi>) and outside
# hidden parts: the interface. Latin words in it are untranslated.
INTERFACE_WORDS = """() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el.closest("script, style, bdi, [hidden], [aria-hidden=true]")) continue;
    if (el.closest("[lang]") !== document.documentElement) continue;
    if (!el.checkVisibility()) continue;
    for (const word of node.textContent.match(/[A-Za-z]{2,}/g) || []) words.push(word + " in " + (el.className || el.tagName));
  }
  for (const el of document.querySelectorAll("[aria-label], [title], input[placeholder]"))
    for (const value of [el.getAttribute("aria-label"), el.getAttribute("title"), el.getAttribute("placeholder")])
      for (const word of (value || "").match(/[A-Za-z]{2,}/g) || []) words.push(word + " in @" + el.tagName);
  return words;
}"""
ALLOWED_LATIN = {"MB", "KB", "CC", "BY", "SA"}  # units and the licence's name


@pytest.mark.parametrize("page_path", ["zh/", "zh/den-xa-tac/", "zh/cot-moc-1368/", "zh/den-tran-hung-dao/", "zh/search/",
                                       "zh/area/mong-cai/", "zh/404.html"])
def test_no_english_or_vietnamese_words_in_the_chinese_interface(phone, base: str, page_path: str) -> None:
    page = phone(locale="zh-CN")
    page.goto(base + page_path)
    words = [word for word in page.evaluate(INTERFACE_WORDS) if word.split(" ")[0] not in ALLOWED_LATIN]
    assert words == []


def test_every_interface_string_is_translated_in_every_language() -> None:
    from babel.messages.pofile import read_po

    template = read_po((ROOT / "generator" / "locales" / "messages.pot").open("rb"))
    for language in LANGUAGES:
        if language == "en":  # the source language
            continue
        path = ROOT / "generator" / "locales" / language / "LC_MESSAGES" / "messages.po"
        assert path.is_file(), f"no catalog for {language}"
        catalog = read_po(path.open("rb"), locale=language)
        missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string or catalog[m.id].fuzzy)]
        assert missing == [], f"{language}: untranslated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_footer_names_the_licence_in_the_reader_language_and_no_theme_credit(built: pipeline.BuildResult, language: str) -> None:
    html = read(built.output, f"{language}/den-xa-tac/")
    footer = re.search(r'<div class="md-copyright">(.*?)</div>', html, re.S).group(1)
    assert "Material for MkDocs" not in html and "Made with" not in footer
    assert SETTINGS["licence"]["name"] in footer and f'href="{SETTINGS["licence"]["url"]}"' in footer
    names = SETTINGS["organisations"][SITES["den-xa-tac"]["organisation"]]["name"]  # who looks after it (issue 10)
    assert names.get(language, names["vi"]) in footer


# --- A language for every visitor, and a 404 with a way on ---------------------------------------------


@pytest.mark.parametrize("locale", ["fr-FR", "ko-KR"])
def test_phones_in_other_languages_land_on_english(phone, base: str, locale: str) -> None:
    page = phone(locale=locale)
    page.goto(base)
    page.wait_for_url(re.compile(r"/en/$"))
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("address", ["no-such-page/", "vi/no-such-site/", "Q/NOSUCH1"])
def test_404_page_offers_every_language_home_and_search(phone, base: str, address: str) -> None:
    page = phone(locale="vi")
    response = page.goto(base + address)
    assert response.status == 404
    links = {Path(urlsplit(href).path).as_posix().strip("/")
             for href in page.eval_on_selector_all("article a", "links => links.map(a => a.href)")}
    language = page.evaluate("document.documentElement.lang").split("-")[0]
    assert {lang for lang in LANGUAGES if lang != language} <= links  # every other language's home
    assert {language, f"{language}/search"} <= links  # this language's home and search
    for other in LANGUAGES:
        assert page.request.get(base + f"{other}/404.html").ok  # each language has its own, for hosts that use it


# --- Touch targets ------------------------------------------------------------------------------------

# Every visible link, button and field: its box, and whether it sits inline in a sentence (WCAG 2.5.8's
# exception: a link inside running text is as tall as the line).
TARGETS = """() => [...document.querySelectorAll("a[href], button, input, select, summary, label[for]")]
  .filter(el => el.checkVisibility({visibilityProperty: true, opacityProperty: true}))
  .map(el => {
    const box = el.getBoundingClientRect();
    const parent = el.parentElement.closest("p, li, dd, td, figcaption, div");
    const inline = getComputedStyle(el).display === "inline" && parent && parent.textContent.trim() !== el.textContent.trim();
    return {what: el.outerHTML.slice(0, 80), width: box.width, height: box.height, inline,
            main: el.classList.contains("md-button"), offscreen: box.right <= 0 || box.left >= innerWidth};
  })"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_path", ["", "den-xa-tac/", "area/mong-cai/", "search/"])
def test_no_link_or_button_under_24_px_and_main_actions_44(phone, base: str, language: str, page_path: str) -> None:
    page = phone(locale=language)
    page.goto(base + f"{language}/{page_path}")
    targets = [t for t in page.evaluate(TARGETS) if not t["offscreen"] and t["width"] > 1]
    assert targets
    small = [t["what"] for t in targets if not t["inline"] and (t["width"] < 24 or t["height"] < 24)]
    assert small == []
    assert [t["what"] for t in targets if t["main"] and round(t["height"], 1) < 44] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_menu_marks_the_current_language_with_44_px_items(phone, base: str, language: str) -> None:
    page = phone(locale=language)
    page.goto(base + f"{language}/den-xa-tac/")
    items = page.locator(".md-select__link")
    page.locator(".md-select button").hover()  # Material opens the menu on hover or focus
    current = page.locator('.md-select__link[aria-current="page"]')
    assert current.count() == 1 and current.get_attribute("data-guide-lang") == language
    marked = current.evaluate("a => [getComputedStyle(a, '::before').content, getComputedStyle(a).fontWeight]")
    others = page.locator('.md-select__link:not([aria-current])').first.evaluate(
        "a => [getComputedStyle(a, '::before').content, getComputedStyle(a).fontWeight]")
    assert marked != others  # seen, not only announced
    heights = items.evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
    assert round(min(heights), 1) >= 44  # layout rounds to fractions of a pixel


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guide_title_fits_the_header_at_360_px(browser, base: str, language: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, service_workers="block")
    try:
        page = context.new_page()
        page.goto(base + f"{language}/")
        title = page.locator(".md-header__topic:first-child .md-ellipsis")
        fits = title.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
        assert fits, title.inner_text()
        assert title.inner_text().strip() == SETTINGS["title"][language]
    finally:
        context.close()
