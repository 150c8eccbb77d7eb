"""A real build of the sample sites: every page in every language, with the right language and links."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from generator import pipeline
from generator.problems import GuideError
from tests.conftest import ROOT

SETTINGS = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SITE_URL = SETTINGS["site_url"]
LANGUAGES = SETTINGS["extra"]["guide"]["languages"]
SAMPLES = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}


class Page(HTMLParser):
    """What the tests look at in a built page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.urls: list[str] = []
        self.switcher: dict[str, str] = {}
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "html":
            self.lang = attr.get("lang") or ""
        if tag == "title":
            self._in_title = True
        for name in ("href", "src", "srcset", "content", "poster"):
            if attr.get(name):
                self.urls += [part.strip().split(" ")[0] for part in str(attr[name]).split(",")]
        if tag == "a" and attr.get("data-guide-lang"):
            self.switcher[str(attr["data-guide-lang"])] = str(attr["href"])

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def page(built: pipeline.BuildResult, path: str) -> Page:
    return Page((built.output / path / "index.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", list(SAMPLES))
def test_every_site_has_a_page_in_every_language(built: pipeline.BuildResult, slug: str, language: str) -> None:
    found = page(built, f"{language}/{slug}")
    assert found.lang == language
    name = SAMPLES[slug]["name"].get(language, SAMPLES[slug]["name"]["vi"])
    assert found.title.startswith(name)
    # The switcher leads to the same site in every language, relative to this page.
    assert {lang: (built.output / language / slug / href).resolve() for lang, href in found.switcher.items()} == {
        lang: (built.output / lang / slug).resolve() for lang in LANGUAGES
    }


def test_sitemap_gives_absolute_alternates_and_x_default(built: pipeline.BuildResult) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.parse(built.output / "sitemap.xml").getroot().findall("s:url", ns)
    by_loc = {url.find("s:loc", ns).text: url for url in urls}
    for slug in SAMPLES:
        for language in LANGUAGES:
            entry = by_loc[f"{SITE_URL}{language}/{slug}/"]
            links = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
            assert {k.split("-")[0]: v for k, v in links.items() if k != "x-default"} == {
                lang: f"{SITE_URL}{lang}/{slug}/" for lang in LANGUAGES
            }
            assert links["x-default"] == f"{SITE_URL}en/{slug}/"  # English for readers of other languages


def test_no_page_references_another_host(built: pipeline.BuildResult) -> None:
    """Only the site's own host, and links a visitor taps (maps, sources), never loaded resources."""
    own = urlsplit(SITE_URL).netloc
    for html in built.output.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|source|audio|iframe|video)\b[^>]*>", text):
            for url in re.findall(r'(?:src|href|srcset)="([^"]+)"', tag):
                host = urlsplit(url).netloc
                assert host in ("", own), f"{html}: {tag}"
        assert "fonts.googleapis" not in text and "cdn." not in text


def test_untranslated_site_shows_notice_in_readers_language(project: Path) -> None:
    path = project / "sites" / "den-xa-tac.yaml"
    data = path.read_text(encoding="utf-8")
    start = data.index("  zh: |", data.index("\nbody:"))
    end = data.index("\nlocation:")
    path.write_text(data[:start] + data[end + 1:].replace("location:", "location:", 1), encoding="utf-8")

    result = pipeline.build(project)

    zh = (result.output / "zh/den-xa-tac/index.html").read_text(encoding="utf-8")
    en = (result.output / "en/den-xa-tac/index.html").read_text(encoding="utf-8")
    assert "尚未翻译" in zh  # the notice, in Chinese
    assert 'class="guide-body" lang="vi"' in zh  # the text shown is Vietnamese, and says so
    assert "尚未翻译" not in en and "Not yet translated" not in en


def test_volunteer_html_is_shown_as_text(project: Path) -> None:
    path = project / "sites" / "den-xa-tac.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nbody:\n  vi: |\n", "\nbody:\n  vi: |\n    <script>alert('x')</script> <b>đậm</b>\n\n", 1),
                    encoding="utf-8")

    result = pipeline.build(project)

    html = (result.output / "vi/den-xa-tac/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>đậm</b>" not in html
    assert "&lt;script&gt;alert" in html


def test_names_and_summaries_cannot_inject_html(project: Path) -> None:
    path = project / "sites" / "den-xa-tac.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  en: Xã Tắc Temple", "  en: </title><img src=x onerror=alert(1)>", 1)
    start = text.index("\n  en: ", text.index("\nsummary:"))
    text = text[:start] + "\n  en: '\"><img src=y onerror=alert(2)> &'" + text[text.index("\n  zh:", start):]
    path.write_text(text, encoding="utf-8")

    result = pipeline.build(project)

    for page in result.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<img src=y" not in html, page
    english = (result.output / "en/den-xa-tac/index.html").read_text(encoding="utf-8")
    assert "&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;" in english  # shown as text


def test_material_settings_with_python_tags_are_honoured(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
    ), encoding="utf-8")

    result = pipeline.build(project)

    assert (result.output / "vi/den-xa-tac/index.html").is_file()


def test_previous_site_survives_a_failed_build(project: Path) -> None:
    first = pipeline.build(project)
    before = sorted(p.relative_to(first.output) for p in first.output.rglob("*"))
    (project / "sites" / "den-xa-tac.yaml").write_text("id: [", encoding="utf-8")

    with pytest.raises(GuideError):
        pipeline.build(project)

    assert sorted(p.relative_to(first.output) for p in first.output.rglob("*")) == before
    assert not [p for p in project.iterdir() if ".building-" in p.name]


def test_committed_schema_matches_the_models() -> None:
    from generator.source.schema import SCHEMA_FILE, schema_for

    assert (ROOT / SCHEMA_FILE).read_text(encoding="utf-8") == schema_for(ROOT)
    for path in (ROOT / "sites").glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/site.schema.json")
