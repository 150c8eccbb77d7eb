"""The built guide in a real browser (Debian's Chromium through Playwright), served over local HTTP.

Expected addresses and languages are worked out from the project files (mkdocs.yml and sites/*.yaml)
and the README's rules, never taken from the generator: plaque addresses are `plaque_base` minus
`site_url` plus the id, in upper and lower case; a visitor lands on `/<language>/<slug>/`, the language
being the remembered choice, else the browser language's primary subtag when the guide has it, else the
default language.
"""

from __future__ import annotations

import functools
import html.parser
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT, require

SITE_FILES = sorted(path.name for path in (ROOT / "sites").glob("*.yaml"))
LANGUAGES = tuple(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["guide"]["languages"])
LOCALES = ("vi", "en-US", "zh-CN", "fr-FR", "ko-KR")  # French and Korean: languages the guide lacks
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
TIMEOUT_MS = 10_000
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Facts:
    """What the project files say, read from the built copy of the project."""

    languages: tuple[str, ...]
    default_language: str
    fallback_language: str  # for phones in a language the guide lacks
    plaque_folder: str  # e.g. 'Q/': plaque_base minus site_url, as printed
    sites: dict[str, dict]  # site file name → its YAML

    def site(self, site_file: str) -> dict:
        return self.sites[site_file]

    def plaque_paths(self, site_file: str) -> dict[str, str]:
        """The printed (upper-case) plaque path and the lower-case one people type."""
        printed = "/" + self.plaque_folder + self.site(site_file)["id"]
        return {"upper": printed, "lower": printed.lower()}

    def language_for(self, locale: str) -> str:
        primary = locale.split("-")[0].lower()
        return primary if primary in self.languages else self.fallback_language


def read_facts(project: Path) -> Facts:
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    settings = config["extra"]["guide"]
    site_url, plaque_base = config["site_url"], settings["plaque_base"]
    assert plaque_base.lower().startswith(site_url.lower())
    sites = {
        name: yaml.safe_load((project / "sites" / name).read_text(encoding="utf-8")) for name in SITE_FILES
    }
    languages, default = tuple(settings["languages"]), settings["default_language"]
    fallback = settings.get("fallback_language") or ("en" if "en" in languages else default)  # as README says
    return Facts(languages, default, fallback, plaque_base[len(site_url):], sites)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def facts(built) -> Facts:
    return read_facts(built.guide.project.root)


@pytest.fixture(scope="module")
def base_url(built) -> Iterator[str]:
    """The built site on a local static server, like any static host (case-sensitive paths)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built.output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.is_file(), f"Chromium ({CHROMIUM})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser):
    """Fresh browser contexts (own storage, own locale) closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def landed_re(languages: tuple[str, ...]) -> re.Pattern[str]:
    """Any site or home page of the guide: the chooser has finished."""
    return re.compile(rf"/(?:{'|'.join(languages)})/(?:[a-z0-9-]+/)?$")


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def starts_with_language(tag: str, language: str) -> bool:
    return tag == language or tag.startswith(language + "-")


def wait_until_landed(page, facts: Facts) -> str:
    """Wait until the chooser has sent the visitor on to a guide page; return its address."""
    try:
        page.wait_for_url(landed_re(facts.languages), wait_until="domcontentloaded", timeout=5_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"never reached a guide page; stayed on {page.url}")
    return page.url


def open_plaque(page, base_url: str, path: str, facts: Facts) -> str:
    page.goto(base_url + path, wait_until="commit")
    return wait_until_landed(page, facts)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("form", ["upper", "lower"])
@pytest.mark.parametrize("site_file", SITE_FILES)
def test_plaque_address_opens_the_site_in_the_browser_language(new_context, base_url, facts, site_file, form, locale):
    slug = facts.site(site_file)["slug"]
    language = facts.language_for(locale)
    page = new_context(locale=locale).new_page()
    final = open_plaque(page, base_url, facts.plaque_paths(site_file)[form], facts)
    assert final == f"{base_url}/{language}/{slug}/"
    assert starts_with_language(html_lang(page), language), html_lang(page)


def test_remembered_language_beats_the_browser_language(new_context, base_url, facts):
    first, other = SITE_FILES[0], SITE_FILES[1]
    first_slug, other_slug = facts.site(first)["slug"], facts.site(other)["slug"]
    chosen, browser_language, reading = "vi", facts.language_for("en-US"), "zh"
    assert len({chosen, browser_language, reading}) == 3 and {chosen, reading} <= set(facts.languages)
    page = new_context(locale="en-US").new_page()
    # Without a choice, the browser language wins.
    assert open_plaque(page, base_url, facts.plaque_paths(other)["upper"], facts) == (
        f"{base_url}/{browser_language}/{other_slug}/"
    )
    page.goto(f"{base_url}/{reading}/{first_slug}/")
    # The switcher is a hover menu in the header; click its link as a tap would.
    page.evaluate(f"document.querySelector('header [data-guide-lang={chosen}]').click()")
    page.wait_for_url(f"{base_url}/{chosen}/{first_slug}/")
    final = open_plaque(page, base_url, facts.plaque_paths(other)["upper"], facts)
    assert final == f"{base_url}/{chosen}/{other_slug}/"


class LinkCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


@pytest.mark.parametrize("form", ["upper", "lower"])
@pytest.mark.parametrize("site_file", SITE_FILES)
def test_plaque_address_without_javascript(built, new_context, base_url, facts, site_file, form):
    slug = facts.site(site_file)["slug"]
    path = facts.plaque_paths(site_file)[form]
    context = new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(base_url + path, wait_until="commit")
    assert wait_until_landed(page, facts) == f"{base_url}/{facts.default_language}/{slug}/"
    assert starts_with_language(html_lang(page), facts.default_language)

    # The page itself lists every language: in the file, and visibly when the redirect cannot happen.
    collector = LinkCollector()
    collector.feed((built.output / path.lstrip("/") / "index.html").read_text(encoding="utf-8"))
    page_url = f"{base_url}{path}/"
    targets = {
        (link.get("hreflang") or "").split("-")[0]: urlsplit(urljoin(page_url, link["href"] or "")).path
        for link in collector.links
        if link.get("hreflang")
    }
    assert targets == {language: f"/{language}/{slug}/" for language in facts.languages}

    stay = new_context(java_script_enabled=False, locale="en-US").new_page()
    # A 204 answer to the refresh keeps the plaque page on screen, as when a refresh is blocked.
    refresh = re.compile(rf"/{facts.default_language}/{slug}/$")
    stay.route(refresh, lambda route: route.fulfill(status=204))
    with stay.expect_request(refresh):
        stay.goto(base_url + path)
    assert urlsplit(stay.url).path == f"{path}/"
    for language in facts.languages:
        link = stay.locator(f'a[hreflang^="{language}"]')
        assert link.count() == 1 and link.is_visible(), language


def test_root_picks_the_browser_language(new_context, base_url, facts):
    language = facts.language_for("en-US")
    assert language == "en"
    page = new_context(locale="en-US").new_page()
    page.goto(base_url + "/", wait_until="commit")
    wait_until_landed(page, facts)
    assert page.url == f"{base_url}/{language}/"
    assert starts_with_language(html_lang(page), language)


GEO_RE = re.compile(r"^geo:(-?[0-9.]+),(-?[0-9.]+)")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("site_file", SITE_FILES)
def test_site_page_on_a_phone(built, new_context, base_url, facts, site_file, language):
    site = facts.site(site_file)
    context = new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True,
        locale=language,
    )
    page = context.new_page()
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure}"))
    page.on("response", lambda response: response.status >= 400 and problems.append(
        f"HTTP {response.status}: {response.url}"))
    page.on("request", lambda request: requested.append(request.url))

    url = f"{base_url}/{language}/{site['slug']}/"
    page.goto(url, wait_until="load")
    assert page.url == url
    assert starts_with_language(html_lang(page), language)

    images = page.locator("article figure img")  # the photos (a tour has a preview picture of its own)
    assert images.count() == len(site.get("images", []))
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.decode().catch(() => null)")
        assert (image.get_attribute("alt") or "").strip(), f"image {index} has no alt text"
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0, f"image {index} did not load"
    page.wait_for_load_state("networkidle")

    # A phone widens the layout viewport (zooms out) when content overflows, so compare with the screen too.
    content, layout = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert content <= layout == PHONE["width"], f"page is {content} px wide on a {PHONE['width']} px screen ({layout})"

    audio = page.locator("article audio")
    if language in site.get("audio", {}):
        assert audio.count() == 1
        assert audio.get_attribute("preload") == "none"
        src = audio.evaluate("a => a.src")
        assert src.startswith(base_url + "/")
        assert (built.output / unquote(urlsplit(src).path).lstrip("/")).is_file(), src
        assert src not in requested, "narration downloaded before play"
    else:
        assert audio.count() == 0

    geo = page.locator('article a[href^="geo:"]')
    assert geo.count() >= 1
    found = GEO_RE.match(geo.first.get_attribute("href") or "")
    assert found, geo.first.get_attribute("href")
    assert (float(found[1]), float(found[2])) == (site["location"]["lat"], site["location"]["lon"])

    foreign = [u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert not foreign, foreign
    assert not problems, problems


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def watch(page) -> tuple[list[str], list[str]]:
    """Script errors and failed requests of a page, and every address it asked for."""
    problems: list[str] = []
    requested: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("request", lambda request: requested.append(request.url))
    return problems, requested


NEAR_STATUS = "[data-guide-near-status]"
COUNT_LOCATION_REQUESTS = """
window.locationRequests = 0;
for (const name of ["getCurrentPosition", "watchPosition"]) {
  const real = Geolocation.prototype[name];
  Geolocation.prototype[name] = function () { window.locationRequests += 1; return real.apply(this, arguments); };
}
"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_near_me_lists_the_nearest_site_first_after_the_tap(new_context, base_url, facts, language):
    here_file = "den-xa-tac.yaml"
    here = (facts.site(here_file)["location"]["lat"] + 0.0005, facts.site(here_file)["location"]["lon"])  # ~55 m north
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=language,
                          geolocation={"latitude": here[0], "longitude": here[1]}, permissions=["geolocation"])
    context.add_init_script(COUNT_LOCATION_REQUESTS)
    page = context.new_page()
    problems, requested = watch(page)
    page.goto(f"{base_url}/{language}/", wait_until="load")
    # Nothing is asked or fetched before the tap.
    assert page.evaluate("window.locationRequests") == 0
    assert not [url for url in requested if "near" in urlsplit(url).path]
    button = page.locator("[data-guide-near-button]")
    assert button.is_visible() and button.bounding_box()["height"] >= 48
    button.tap()
    page.locator("[data-guide-near-list] li").first.wait_for()

    by_distance = sorted(facts.sites.values(), key=lambda site: km_between(here, (site["location"]["lat"],
                                                                                  site["location"]["lon"])))
    links = page.locator("[data-guide-near-list] a")
    assert [urlsplit(href).path for href in links.evaluate_all("links => links.map(a => a.href)")] == [
        f"/{language}/{site['slug']}/" for site in by_distance]
    assert links.all_inner_texts() == [site["name"].get(language, site["name"][facts.default_language])
                                       for site in by_distance]
    distances = page.locator("[data-guide-near-list] li").all_inner_texts()
    assert distances[0].endswith(("50 m", "60 m", "50 米", "60 米", "50米", "60米")), distances[0]
    far = km_between(here, (by_distance[-1]["location"]["lat"], by_distance[-1]["location"]["lon"]))
    decimal = "," if language == "vi" else "."
    assert f"{round(far, 1):.1f}".replace(".", decimal) in distances[-1], distances[-1]
    assert page.locator(NEAR_STATUS).inner_text().strip()
    assert page.evaluate("window.locationRequests") == 1
    assert not problems, problems


def test_near_me_without_permission_says_so_and_the_areas_remain(new_context, base_url, facts):
    context = new_context(viewport=PHONE, locale="en")  # no permission granted: Chromium refuses
    page = context.new_page()
    problems, _requested = watch(page)
    page.goto(f"{base_url}/en/", wait_until="load")
    page.locator("[data-guide-near-button]").click()
    page.locator(NEAR_STATUS, has_text="did not allow").wait_for()
    assert page.locator("[data-guide-near-list]").is_hidden()
    assert page.locator(".guide-areas a").count() == len({site["area"]["vi"] for site in facts.sites.values()})
    page.locator(".guide-areas a").first.click()
    page.wait_for_url(re.compile(r"/en/area/[a-z0-9-]+/$"))
    assert not problems, problems


# An in-app browser (Zalo's webview) may lack all of these: the guide must still work, and say so.
WITHOUT_APIS = """
delete Navigator.prototype.geolocation;
delete Navigator.prototype.serviceWorker;
delete window.caches;
Object.defineProperty(window, "localStorage", { get() { throw new DOMException("blocked", "SecurityError"); } });
"""


def test_in_app_browser_without_location_workers_or_storage(new_context, base_url, facts):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi")
    context.add_init_script(WITHOUT_APIS)
    page = context.new_page()
    problems, _requested = watch(page)
    page.goto(f"{base_url}/vi/", wait_until="load")
    assert page.evaluate("!('geolocation' in navigator) && !('serviceWorker' in navigator) && !('caches' in window)")
    page.locator("[data-guide-near-button]").tap()
    status = page.locator(f"{NEAR_STATUS}:not(:empty)")  # (the page's policy forbids string predicates' eval)
    status.wait_for()
    assert status.inner_text() == page.locator("[data-guide-near]").get_attribute("data-guide-unsupported")
    page.locator(".guide-areas a").first.tap()
    page.wait_for_url(re.compile(r"/vi/area/[a-z0-9-]+/$"))
    assert page.locator("[data-guide-offline]").is_hidden()  # saving needs a service worker
    page.locator(".guide-list a").first.tap()
    page.wait_for_url(re.compile(r"/vi/[a-z0-9-]+/$"))
    page.locator('header [data-guide-lang="en"]').evaluate("a => a.click()")  # storing the choice fails quietly
    page.wait_for_url(re.compile(r"/en/[a-z0-9-]+/$"))
    assert not problems, problems


def test_pages_work_with_service_workers_blocked(new_context, base_url, facts):
    site = facts.site(SITE_FILES[0])
    context = new_context(viewport=PHONE, locale="en", service_workers="block",
                          geolocation={"latitude": site["location"]["lat"], "longitude": site["location"]["lon"]},
                          permissions=["geolocation"])
    page = context.new_page()
    problems, _requested = watch(page)
    for path in ("/en/", f"/en/{site['slug']}/"):
        page.goto(base_url + path, wait_until="load")
    page.locator(".guide-crumbs a").last.click()
    page.wait_for_url(re.compile(r"/en/area/[a-z0-9-]+/$"))
    page.locator("[data-guide-near-button]").click()
    first = page.locator("[data-guide-near-list] a").first
    first.wait_for()
    assert urlsplit(first.get_attribute("href")).path == f"/en/{site['slug']}/"
    assert not problems, problems
