"""Search as visitors use it, in headless Chromium at a phone's size: typed letter by letter, often
without Vietnamese tones; and what it costs: nothing before search is opened, little per query.

Which site a query must find is read from the site files (names as the volunteers wrote them), never
from the generator.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, Request, sync_playwright

from generator import pipeline
from tests.conftest import ROOT, SHARED_CACHE, require, served
from tools.scale_project import make_project

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
QUERY_BUDGET = 100 * 1024  # bytes on the wire for one query, at any number of sites (issue 9)
FIRST_VISIT_BUDGET = 150 * 1024
SITES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in (ROOT / "sites").glob("*.yaml")}


def without_tones(text: str) -> str:
    """What a phone keyboard without Vietnamese types: no tone marks, `đ` as `d`."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in text if not unicodedata.combining(char))


def site_named(fragment: str, language: str) -> str:
    """The one sample site whose name in `language` contains `fragment`."""
    found = [stem for stem, site in SITES.items() if fragment in site["name"][language]]
    assert len(found) == 1, (fragment, found)
    return found[0]


# (page language, what the visitor types, the site that must come first)
QUERIES = [
    ("vi", "xa tac", site_named("Xã Tắc", "vi")),
    ("vi", "den tran hung dao", site_named("Trần Hưng Đạo", "vi")),
    ("vi", "cot moc bien gioi", site_named("biên giới", "vi")),
    ("en", "Xa Tac", site_named("Xã Tắc", "vi")),
    ("en", "tran hung dao", site_named("Trần Hưng Đạo", "vi")),
    ("zh", "陈兴道", site_named("陈兴道", "zh")),
    ("zh", "社稷", site_named("社稷", "zh")),
    ("zh", "界碑", site_named("界碑", "zh")),
    ("zh", "tran hung dao", site_named("Trần Hưng Đạo", "vi")),  # the Vietnamese name, on a Chinese page
    ("en", "bordr", site_named("Border", "en")),  # one letter left out of a longer word
    ("vi", "tran hunh dao", site_named("Trần Hưng Đạo", "vi")),  # one letter changed
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    require(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def host(built) -> Iterator[str]:
    yield from served(Path(built.output))


def results(page: Page) -> list[str]:
    return page.locator(".guide-search__results li a").evaluate_all("links => links.map(a => a.href)")


def type_query(page: Page, query: str) -> None:
    field = page.get_by_role("searchbox")
    field.click()
    field.press_sequentially(query, delay=40)


@pytest.mark.parametrize(("language", "query", "expected"), QUERIES, ids=[f"{q[0]}-{q[1]}" for q in QUERIES])
def test_typed_query_finds_the_site_first(browser, host: str, language: str, query: str, expected: str) -> None:
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(f"{host}{language}/search/")
        type_query(page, query)
        target = f"{host}{language}/{SITES[expected]['slug']}/"
        page.wait_for_function("target => document.querySelector('.guide-search__results a')?.href === target",
                               arg=target, timeout=10_000)
        first = page.locator(".guide-search__results li").first
        assert first.locator("a").inner_text().strip() == SITES[expected]["name"][language]
        assert SITES[expected]["area"].get(language, SITES[expected]["area"]["vi"]) in first.inner_text()
        first.locator("a").click()
        page.wait_for_url(target)
        assert page.locator("html").get_attribute("lang").startswith(language)
    finally:
        page.close()


def test_search_works_without_service_worker_or_storage(browser, host: str) -> None:
    """As in Zalo's in-app browser: no service worker, no storage; search still answers."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    page.add_init_script("Object.defineProperty(window, 'localStorage', {get() { throw new Error('blocked'); }})")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{host}vi/search/?q=xa%20tac")
        page.wait_for_selector(".guide-search__results a", timeout=10_000)
        assert page.get_by_role("searchbox").input_value() == "xa tac"
        assert errors == []
    finally:
        context.close()


# --- what search costs, on a guide of a few hundred sites --------------------------------------------------------

@dataclass(frozen=True)
class Province:
    url: str
    first_site: dict


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    """A generated guide of 300 sites (varied text, a few photos), built and served with gzip."""
    project = make_project(tmp_path_factory.mktemp("province") / "guide", 300, photos=3)
    (project.root / ".build").mkdir()
    (project.root / ".build" / "cache").symlink_to(SHARED_CACHE, target_is_directory=True)  # content-keyed: safe
    result = pipeline.build(project.root)
    first_site = yaml.safe_load(project.site_file(1).read_text(encoding="utf-8"))
    for url in served(result.output):
        yield Province(url, first_site)


class Traffic:
    """Bytes on the wire (gzip as served) of every request a page makes while recording."""

    def __init__(self, page: Page) -> None:
        self.sizes: dict[str, int] = {}
        page.on("requestfinished", self.finished)

    def finished(self, request: Request) -> None:
        sizes = request.sizes()
        self.sizes[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def take(self) -> dict[str, int]:
        taken, self.sizes = self.sizes, {}
        return taken


def test_search_costs_nothing_until_used_and_one_query_little(browser, province: Province) -> None:
    """Each page in a fresh context (a first visit); then one query typed on the search page."""
    site = province.first_site
    query: dict[str, int] = {}
    for address in ("vi/", f"vi/{site['slug']}/", "vi/search/"):
        context = browser.new_context(viewport=PHONE, service_workers="block")
        page = context.new_page()
        traffic = Traffic(page)
        try:
            page.goto(province.url + address, wait_until="networkidle")
            first_visit = traffic.take()
            assert not [url for url in first_visit if "/search/" in url and ".json" in url], address  # nothing before typing
            print(f"first visit of {address} at 300 sites: {sum(first_visit.values())} bytes")
            assert sum(first_visit.values()) <= FIRST_VISIT_BUDGET, (address, sum(first_visit.values()))
            if address.endswith("search/"):
                type_query(page, without_tones(site["name"]["vi"]).lower())
                page.wait_for_selector(".guide-search__results a")
                page.wait_for_load_state("networkidle")
                query = traffic.take()
        finally:
            context.close()
    print(f"one query at 300 sites: {sum(query.values())} bytes in {len(query)} requests")
    assert any(url.endswith("/search/index.json") for url in query)
    assert sum(query.values()) <= QUERY_BUDGET, sorted(query.items(), key=lambda item: -item[1])[:8]
