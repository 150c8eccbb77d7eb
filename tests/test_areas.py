"""Lists that scale: the home page lists areas, each area has its page, site pages link to their area, and
"near me" reads a compact list. Expectations come from the project files (sites/*.yaml, mkdocs.yml)."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from generator import pipeline
from generator.web.pages import area_slugs
from tests.conftest import ROOT, copy_project
from tests.test_incremental import cold_build, edit, tree
from tools.scale_project import make_project

SETTINGS = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["guide"]
LANGUAGES = SETTINGS["languages"]
SAMPLES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}
# Area pages by the Vietnamese area name, written out by hand: ASCII, no marks, words joined by '-'.
AREA_PAGES = {"Móng Cái": "area/mong-cai", "Quảng Yên": "area/quang-yen"}
CATEGORY_ORDER = ["temple", "communal-house", "shrine", "pagoda", "border-marker", "memorial", "battlefield",
                  "church", "museum", "tomb", "landscape", "other"]  # as the README lists them


class Links(HTMLParser):
    """The links and headings of a page's content (inside Material's article), in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self._open: list[str] = []
        self._href: str | None = None
        self._text = ""
        self.feed(text[text.index('<article class="md-content__inner'):])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""
        if tag in ("h1", "h2", "h3"):
            self._open.append(tag)
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text.strip()))
            self._href = None
        if tag in ("h1", "h2", "h3") and self._open:
            self.headings.append((self._open.pop(), self._text.strip()))

    def handle_data(self, data: str) -> None:
        self._text += data


def read(output: Path, path: str) -> str:
    return (output / path / "index.html").read_text(encoding="utf-8")


def resolve(page: str, href: str) -> str:
    """A link's target as a path from the site root."""
    return urljoin("https://host/" + page, href).removeprefix("https://host/")


def sites_in(area: str) -> list[dict]:
    return [data for data in SAMPLES.values() if data["area"]["vi"] == area]


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_lists_each_area_with_its_count(built: pipeline.BuildResult, language: str) -> None:
    html = read(built.output, f"{language}/")
    links = Links(html).links
    areas = {resolve(f"{language}/", href): text for href, text in links if "area/" in href}
    expected = {f"{language}/{page}/": sites_in(area)[0]["area"].get(language, area) for area, page in AREA_PAGES.items()}
    assert areas == expected
    assert list(areas) == sorted(areas)  # Móng Cái before Quảng Yên
    for data in SAMPLES.values():  # sites are on the area pages, not here
        assert f'{data["slug"]}/"' not in html and data["summary"].get(language, data["summary"]["vi"])[:40] not in html
    if language == "en":
        assert re.search(r">Móng Cái</a>\s*<span[^>]*>2 sites<", html) and re.search(r">Quảng Yên</a>\s*<span[^>]*>1 site<", html)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("area", list(AREA_PAGES))
def test_area_page_lists_its_sites_by_category(built: pipeline.BuildResult, language: str, area: str) -> None:
    page = f"{language}/{AREA_PAGES[area]}/"
    html = read(built.output, page)
    parsed = Links(html)
    expected = sorted(sites_in(area), key=lambda data: (CATEGORY_ORDER.index(data["category"]), data["name"]["vi"]))
    site_pages = {f"{language}/{data['slug']}/" for data in SAMPLES.values()}
    site_links = [(resolve(page, href), text) for href, text in parsed.links if resolve(page, href) in site_pages]
    assert site_links == [(f"{language}/{data['slug']}/", data["name"].get(language, data["name"]["vi"]))
                          for data in expected]
    assert parsed.headings[0] == ("h1", expected[0]["area"].get(language, area))
    assert len([tag for tag, _text in parsed.headings if tag == "h2"]) == len({d["category"] for d in expected}) + 1  # + near me
    for data in expected:
        assert data["summary"].get(language, data["summary"]["vi"])[:40] not in html
    assert 'data-guide-offline="offline.json"' in html  # the area's own list, beside its page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", list(SAMPLES))
def test_site_page_links_to_its_area_and_home(built: pipeline.BuildResult, language: str, slug: str) -> None:
    page = f"{language}/{slug}/"
    crumbs = re.search(r'<nav class="guide-crumbs"[^>]*>(.*?)</nav>', read(built.output, page)).group(1)
    targets = [resolve(page, href) for href in re.findall(r'href="([^"]+)"', crumbs)]
    assert targets == [f"{language}/", f"{language}/{AREA_PAGES[SAMPLES[slug]['area']['vi']]}/"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", list(SAMPLES))
def test_site_page_offers_to_save_its_area(built: pipeline.BuildResult, language: str, slug: str) -> None:
    """Plaque visitors arrive on a site page: the button to save its area is there too, naming the area."""
    page = f"{language}/{slug}/"
    html = read(built.output, page)
    button = re.search(r'<button[^>]*data-guide-offline="([^"]+)"[^>]*>(.*?)</button>', html, re.S)
    area = SAMPLES[slug]["area"]
    assert resolve(page, button.group(1)) == f"{language}/{AREA_PAGES[area['vi']]}/offline.json"
    assert area.get(language, area["vi"]) in button.group(2)


def test_saving_an_area_keeps_its_page_and_near_me(built: pipeline.BuildResult) -> None:
    for language in LANGUAGES:
        for page in AREA_PAGES.values():
            urls = json.loads((built.output / language / page / "offline.json").read_text(encoding="utf-8"))["urls"]
            assert {f"{language}/{page}/", f"{language}/", f"{language}/near.json", "assets/near.js"} <= set(urls)
            assert all((built.output / url / "index.html" if url.endswith("/") else built.output / url).is_file() for url in urls)


def test_near_me_list_gives_every_site_with_its_name_in_the_language(built: pipeline.BuildResult) -> None:
    for language in LANGUAGES:
        near = json.loads((built.output / language / "near.json").read_text(encoding="utf-8"))
        rows = {row[2]: row for row in near["sites"]}
        assert set(rows) == {data["slug"] for data in SAMPLES.values()}
        for data in SAMPLES.values():
            lat, lon, _slug, name, *fallback = rows[data["slug"]]
            assert (lat / near["scale"], lon / near["scale"]) == (data["location"]["lat"], data["location"]["lon"])
            assert name == data["name"].get(language, data["name"]["vi"])
            assert bool(fallback) == (language not in data["name"])


@pytest.mark.parametrize(("names", "expected"), [
    (["Móng Cái", "Quảng Yên", "Đông Triều"], {"Móng Cái": "mong-cai", "Quảng Yên": "quang-yen", "Đông Triều": "dong-trieu"}),
    (["TP. Hạ Long (cũ)"], {"TP. Hạ Long (cũ)": "tp-ha-long-cu"}),
])
def test_area_slugs_are_ascii_words_of_the_name(names: list[str], expected: dict[str, str]) -> None:
    assert area_slugs(names) == expected


def test_area_slugs_stay_unique_and_depend_on_the_name_alone() -> None:
    alone = area_slugs(["Quảng Yên", "Móng Cái"])
    with_twin = area_slugs(["Quảng Yên", "Quang Yên", "Móng Cái", "芒街"])
    assert len(set(with_twin.values())) == 4
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in with_twin.values())
    assert with_twin["Móng Cái"] == alone["Móng Cái"] == "mong-cai"
    assert with_twin["Quảng Yên"].startswith("quang-yen-") and with_twin["Quang Yên"].startswith("quang-yen-")
    assert area_slugs(["Quang Yên", "Quảng Yên"]) == {name: with_twin[name] for name in ("Quảng Yên", "Quang Yên")}
    assert area_slugs(["芒街"]) == {"芒街": with_twin["芒街"]}


def move(site_file: Path, area: tuple[str, str, str]) -> None:
    """Put a site in another area, in every language."""
    data = site_file.read_text(encoding="utf-8")
    block = re.search(r"\narea:\n(  .*\n)+", data).group(0)
    site_file.write_text(data.replace(block, "\narea:\n" + "".join(
        f"  {lang}: {name}\n" for lang, name in zip(("vi", "en", "zh"), area, strict=True))), encoding="utf-8")


def test_area_pages_follow_sites_moving_added_and_renamed(tmp_path: Path) -> None:
    """An incremental build equals a cold one whenever what an area page or the home page shows changes."""
    project = copy_project(tmp_path / "incremental", share_cache=False)
    sites = project / "sites"
    pipeline.build(project, register=False)

    def check(change: str) -> dict[str, str]:
        incremental = tree(pipeline.build(project, register=False).output)
        cold = cold_build(project, tmp_path / "cold")
        assert sorted(n for n in incremental.keys() | cold.keys() if incremental.get(n) != cold.get(n)) == [], change
        return incremental

    original = (sites / "den-tran-hung-dao.yaml").read_text(encoding="utf-8")
    for number in (2, 3, 4):  # its nearest sites, so that changes far away leave its "Nearby" list as it is
        copy = original.replace("id: YGTHD1", f"id: YGTHD{number}").replace("lat: 20.9388", f"lat: 20.938{number}")
        (sites / f"den-tran-hung-dao-{number}.yaml").write_text(
            copy.replace("slug: den-tran-hung-dao", f"slug: den-tran-hung-dao-{number}"), encoding="utf-8")
    check("three sites added in Quảng Yên")

    move(sites / "cot-moc-1368.yaml", ("Quang Yên", "Quang Yen", "广安"))
    files = check("a site moved far away, into an area whose name folds as Quảng Yên: its address changes")
    assert "vi/area/quang-yen/index.html" not in files
    move(sites / "cot-moc-1368.yaml", ("Móng Cái", "Mong Cai", "芒街"))
    files = check("the site moved back: Quảng Yên alone folds to its letters again")
    assert "vi/area/quang-yen/index.html" in files
    for number in (2, 3, 4):
        (sites / f"den-tran-hung-dao-{number}.yaml").unlink()
    check("sites removed")

    move(sites / "den-tran-hung-dao.yaml", ("Móng Cái", "Mong Cai", "芒街"))
    files = check("the only site of an area moved to another")
    assert "vi/area/quang-yen/index.html" not in files and "vi/area/mong-cai/index.html" in files

    move(sites / "den-tran-hung-dao.yaml", ("Hạ Long", "Ha Long", "下龙"))
    files = check("a site moved to a new area")
    assert "en/area/ha-long/index.html" in files

    edit(sites / "cot-moc-1368.yaml", "en: Border Marker 1368(3)", "en: Border Post 1368(3)")
    check("a site's name changed")

    edit(sites / "den-xa-tac.yaml", "category: temple", "category: shrine")
    check("a site's category changed")


def test_home_page_does_not_grow_with_sites_and_near_me_list_stays_small(tmp_path: Path) -> None:
    """At 300 sites the home page weighs what it weighs at 50 (it lists areas), and the near-me list is at
    most 30 bytes a site once gzipped (as the server sends it)."""
    project = make_project(tmp_path / "scale", sites=300, photos=3)
    big = pipeline.build(project.root, register=False).output
    sizes = {language: len((big / language / "index.html").read_bytes()) for language in LANGUAGES}
    for language in LANGUAGES:
        assert "site-00001" not in (big / language / "index.html").read_text(encoding="utf-8")
        near = (big / language / "near.json").read_bytes()
        assert len(json.loads(near)["sites"]) == 300
        assert len(gzip.compress(near)) / 300 <= 30, language
    for number in range(51, 301):
        project.site_file(number).unlink()
    small = pipeline.build(project.root, register=False).output
    for language in LANGUAGES:
        home = (small / language / "index.html").read_text(encoding="utf-8")
        assert "site-00001" not in home
        assert sizes[language] <= len(home.encode()) * 1.05, language  # a few more areas at most


def test_the_sitemap_lists_every_area_page_in_every_language(built) -> None:
    sitemap = (Path(built.output) / "sitemap.xml").read_text(encoding="utf-8")
    site_url = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    locations = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    for page in AREA_PAGES.values():
        for language in LANGUAGES:
            assert f"{site_url}{language}/{page}/" in locations, (language, page)
