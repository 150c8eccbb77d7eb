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
LOCALES = ("vi", "en-US", "zh-CN", "fr-FR")
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
        return primary if primary in self.languages else self.default_language


def read_facts(project: Path) -> Facts:
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    settings = config["extra"]["guide"]
    site_url, plaque_base = config["site_url"], settings["plaque_base"]
    assert plaque_base.lower().startswith(site_url.lower())
    sites = {
        name: yaml.safe_load((project / "sites" / name).read_text(encoding="utf-8")) for name in SITE_FILES
    }
    return Facts(tuple(settings["languages"]), settings["default_language"], plaque_base[len(site_url):], sites)


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

    images = page.locator("article img")
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
